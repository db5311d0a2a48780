/**
 * kafkajs oracle cases for the data-path APIs: Produce, Fetch, ListOffsets, Metadata.
 * Record batches are written and read by kafkajs itself (its RecordBatch / MessageSet codecs).
 */
import { ApiKey } from '../generated';
import { defaultFetchPartition, defaultFetchRequest } from '../generated/fetch-request';
import { defaultFetchablePartitionResponse, defaultFetchResponse } from '../generated/fetch-response';
import { defaultListOffsetsPartition } from '../generated/list-offsets-request';
import { defaultListOffsetsPartitionResponse } from '../generated/list-offsets-response';
import { defaultMetadataRequest, defaultMetadataRequestTopic } from '../generated/metadata-request';
import { defaultMetadataResponse, defaultMetadataResponsePartition, defaultMetadataResponseTopic } from '../generated/metadata-response';
import { defaultPartitionProduceResponse, defaultProduceResponse } from '../generated/produce-response';
import {
  type KafkajsMessage,
  KafkajsCompression,
  type Oracle,
  defineOracle,
  kafkajsDecodeMessageSet,
  kafkajsDecodeRecordBatches,
  kafkajsLong,
  kafkajsMessageSet,
  kafkajsRecordBatch,
} from './kafkajs';

const T0 = 1_700_000_000_000;
/** Beyond 2^53, so a lossy int64 path would show. */
const BIG_OFFSET = 9_007_199_254_740_993n;

function bytesOf(x: string | Buffer | null | undefined): Buffer | null {
  if (x === null || x === undefined) return null;
  return Buffer.isBuffer(x) ? x : Buffer.from(x);
}

/** What kafkajs's record / message decoders return for a message kafkajs encoded (the fields that matter). */
function decodedMessage(m: KafkajsMessage, magic: 0 | 1 | 2, offset: number | null, extra: Record<string, unknown> = {}): unknown {
  const fields: Record<string, unknown> = { ...extra, magicByte: magic, key: bytesOf(m.key), value: bytesOf(m.value) };
  if (offset !== null) fields.offset = String(offset);
  if (magic >= 1) fields.timestamp = String(m.timestamp ?? T0);
  if (magic === 2) {
    const headers: Record<string, Buffer | null> = {};
    for (const [k, val] of Object.entries(m.headers ?? {})) headers[k] = bytesOf(val);
    fields.headers = headers;
  }
  return expect.objectContaining(fields);
}

// ---------------------------------------------------------------------------------------------
// Produce

interface ProducePartitionArgs {
  partition: number;
  firstSequence?: number;
  messages: KafkajsMessage[];
}

const PRODUCE_TOPICS: { topic: string; partitions: ProducePartitionArgs[] }[] = [
  {
    topic: 'orders',
    partitions: [
      {
        partition: 0,
        firstSequence: 17,
        messages: [
          { key: 'order-1', value: '{"total":12.5}', timestamp: T0, headers: { trace: 'abc', source: Buffer.from([0, 1, 2]) } },
          { key: null, value: 'second', timestamp: T0 + 5 },
          { key: 'order-3', value: null, timestamp: T0 + 9, headers: { tombstone: 'yes' } },
        ],
      },
      { partition: 3, messages: [{ key: 'k', value: Buffer.alloc(300, 0x61), timestamp: T0 + 1 }] },
    ],
  },
  { topic: 'événements', partitions: [{ partition: 1, messages: [{ key: 'ü', value: 'ß', timestamp: T0 + 2 }] }] },
];

const produceTxn = (v: number): string | null => (v >= 3 && v % 2 === 1 ? 'txn-producer-7' : null);
const produceCompression = (v: number): number => (v === 2 || v === 5 ? KafkajsCompression.GZIP : KafkajsCompression.None);

const produce = defineOracle({
  kafkajsName: 'Produce',
  apiKey: ApiKey.Produce,
  args: (v) => ({
    acks: -1,
    timeout: 30_000,
    compression: produceCompression(v),
    transactionalId: produceTxn(v) ?? undefined,
    producerId: kafkajsLong(4242n),
    producerEpoch: 3,
    topicData: PRODUCE_TOPICS,
  }),
  expectRequest: (v) => ({
    transactionalId: produceTxn(v),
    acks: -1,
    timeoutMs: 30_000,
    topicData: PRODUCE_TOPICS.map((t) => ({
      name: t.topic,
      partitionData: t.partitions.map((p) => ({ index: p.partition, records: expect.any(Buffer) as Buffer })),
    })),
  }),
  async checkRequest(decoded, v) {
    // The records bytes Samsa sliced out must be exactly kafkajs's batch / message set: decode them with kafkajs.
    for (const [ti, t] of PRODUCE_TOPICS.entries()) {
      for (const [pi, p] of t.partitions.entries()) {
        const records = decoded.topicData[ti].partitionData[pi].records;
        if (records === null) throw new Error('records are null');
        if (v < 3) {
          const magic = v < 2 ? 0 : 1;
          // (offsets in a producer's message set are placeholders the broker overwrites: not compared)
          expect(await kafkajsDecodeMessageSet(records)).toEqual(p.messages.map((m) => decodedMessage(m, magic, null)));
        } else {
          const batchContext = expect.objectContaining({
            producerId: '4242',
            producerEpoch: 3,
            firstSequence: p.firstSequence ?? 0,
            inTransaction: produceTxn(v) !== null,
          }) as unknown;
          expect(await kafkajsDecodeRecordBatches(records)).toEqual(
            p.messages.map((m, i) => decodedMessage(m, 2, i, { batchContext })),
          );
        }
      }
    }
  },
  response: (v) => ({
    ...defaultProduceResponse(),
    responses: [
      {
        name: 'orders',
        partitionResponses: [
          {
            ...defaultPartitionProduceResponse(),
            index: 0,
            baseOffset: BIG_OFFSET,
            logAppendTimeMs: v >= 2 ? BigInt(T0 + 99) : -1n,
            logStartOffset: v >= 5 ? 1_000n : -1n,
          },
          { ...defaultPartitionProduceResponse(), index: 3, errorCode: 6, baseOffset: -1n, logStartOffset: v >= 5 ? 0n : -1n },
        ],
      },
      { name: 'événements', partitionResponses: [{ ...defaultPartitionProduceResponse(), index: 1, baseOffset: 0n }] },
    ],
    throttleTimeMs: v >= 1 ? 250 : 0,
  }),
  expectResponse: (v) => {
    const partition = (index: number, errorCode: number, offset: bigint, appendTime: bigint, logStart: bigint): unknown => {
      if (v < 2) return { partition: index, errorCode, offset: String(offset) };
      if (v === 2) return { partition: index, errorCode, offset: String(offset), timestamp: String(appendTime) };
      const p: Record<string, unknown> = { partition: index, errorCode, baseOffset: String(offset), logAppendTime: String(appendTime) };
      if (v >= 5) p.logStartOffset = String(logStart);
      return p;
    };
    const topics = [
      {
        topicName: 'orders',
        partitions: [
          partition(0, 0, BIG_OFFSET, BigInt(T0 + 99), 1_000n),
          partition(3, 6, -1n, -1n, 0n),
        ],
      },
      { topicName: 'événements', partitions: [partition(1, 0, 0n, -1n, -1n)] },
    ];
    if (v === 0) return { topics };
    if (v < 6) return { topics, throttleTime: 250 };
    return { topics, throttleTime: 0, clientSideThrottleTime: 250 };
  },
});

// ---------------------------------------------------------------------------------------------
// Fetch

const FETCH_MESSAGES_A: KafkajsMessage[] = [
  { key: 'a-0', value: 'first', timestamp: T0, headers: { h: 'x' } },
  { key: null, value: 'second', timestamp: T0 + 10 },
];
const FETCH_MESSAGES_B: KafkajsMessage[] = [{ key: 'b-0', value: Buffer.from([0xde, 0xad, 0xbe, 0xef]), timestamp: T0 + 20 }];

const fetch = defineOracle({
  kafkajsName: 'Fetch',
  apiKey: ApiKey.Fetch,
  args: () => ({
    replicaId: 3,
    maxWaitTime: 5_000,
    minBytes: 1,
    maxBytes: 52_428_800,
    isolationLevel: 1,
    sessionId: 99,
    sessionEpoch: 4,
    rackId: 'rack-a',
    forgottenTopics: [{ topic: 'old-topic', partitions: [1, 2] }],
    topics: [
      {
        topic: 'orders',
        partitions: [
          { partition: 0, currentLeaderEpoch: 9, fetchOffset: '12345678901', logStartOffset: '7', maxBytes: 1_048_576 },
          { partition: 3, currentLeaderEpoch: 2, fetchOffset: '0', logStartOffset: '0', maxBytes: 65_536 },
        ],
      },
      { topic: 'logs', partitions: [{ partition: 1, fetchOffset: String(BIG_OFFSET), maxBytes: 1 }] },
    ],
  }),
  expectRequest: (v) => ({
    ...defaultFetchRequest(),
    replicaId: 3,
    maxWaitMs: 5_000,
    minBytes: 1,
    maxBytes: v >= 3 ? 52_428_800 : 0x7fffffff,
    isolationLevel: v >= 4 ? 1 : 0,
    sessionId: v >= 7 ? 99 : 0,
    sessionEpoch: v >= 7 ? 4 : -1,
    topics: [
      {
        topic: 'orders',
        partitions: [
          {
            ...defaultFetchPartition(),
            partition: 0,
            currentLeaderEpoch: v >= 9 ? 9 : -1,
            fetchOffset: 12_345_678_901n,
            logStartOffset: v >= 5 ? 7n : -1n,
            partitionMaxBytes: 1_048_576,
          },
          {
            ...defaultFetchPartition(),
            partition: 3,
            currentLeaderEpoch: v >= 9 ? 2 : -1,
            fetchOffset: 0n,
            logStartOffset: v >= 5 ? 0n : -1n,
            partitionMaxBytes: 65_536,
          },
        ],
      },
      // kafkajs's defaults: currentLeaderEpoch -1, logStartOffset -1
      { topic: 'logs', partitions: [{ ...defaultFetchPartition(), partition: 1, fetchOffset: BIG_OFFSET, partitionMaxBytes: 1 }] },
    ],
    forgottenTopicsData: v >= 7 ? [{ topic: 'old-topic', partitions: [1, 2] }] : [],
    rackId: v >= 11 ? 'rack-a' : '',
  }),
  response: async (v) => {
    let recordSetA: Buffer;
    let recordSetB: Buffer | null;
    if (v < 4) {
      // message format v0 for Fetch v0-1, v1 (timestamps) for v2-3, as a broker down-converts
      const magic = v < 2 ? 0 : 1;
      recordSetA = kafkajsMessageSet(magic, FETCH_MESSAGES_A);
      recordSetB = Buffer.alloc(0);
    } else {
      recordSetA = Buffer.concat([
        await kafkajsRecordBatch({ firstOffset: 150n, firstTimestamp: T0, messages: FETCH_MESSAGES_A, producerId: 77n, transactional: true }),
        await kafkajsRecordBatch({ firstOffset: 152n, firstTimestamp: T0 + 20, messages: FETCH_MESSAGES_B, compression: KafkajsCompression.GZIP }),
      ]);
      recordSetB = null;
    }
    return {
      ...defaultFetchResponse(),
      throttleTimeMs: v >= 1 ? 100 : 0,
      sessionId: v >= 7 ? 99 : 0,
      responses: [
        {
          topic: 'orders',
          partitionResponses: [
            {
              ...defaultFetchablePartitionResponse(),
              partition: 0,
              highWatermark: 200n,
              lastStableOffset: v >= 4 ? 190n : -1n,
              logStartOffset: v >= 5 ? 5n : -1n,
              abortedTransactions: v >= 4 ? [{ producerId: 77n, firstOffset: 150n }, { producerId: BIG_OFFSET, firstOffset: 160n }] : [],
              preferredReadReplica: v >= 11 ? 2 : -1,
              recordSet: recordSetA,
            },
            {
              ...defaultFetchablePartitionResponse(),
              partition: 3,
              errorCode: 1,
              highWatermark: -1n,
              abortedTransactions: v >= 4 ? null : [],
              recordSet: recordSetB,
            },
          ],
        },
      ],
    };
  },
  expectResponse: (v) => {
    let messagesA: unknown[];
    if (v < 4) {
      const magic = v < 2 ? 0 : 1;
      messagesA = FETCH_MESSAGES_A.map((m, i) => decodedMessage(m, magic, i));
    } else {
      messagesA = [
        decodedMessage(FETCH_MESSAGES_A[0], 2, 150),
        decodedMessage(FETCH_MESSAGES_A[1], 2, 151),
        decodedMessage(FETCH_MESSAGES_B[0], 2, 152),
      ];
    }
    const partition = (p: { partition: number; errorCode: number; hw: bigint; lso: bigint; logStart: bigint; aborted: unknown[]; preferred: number; messages: unknown[] }): unknown => {
      const out: Record<string, unknown> = { partition: p.partition, errorCode: p.errorCode, highWatermark: String(p.hw) };
      if (v >= 4) out.lastStableOffset = String(p.lso);
      if (v >= 5) out.lastStartOffset = String(p.logStart);
      if (v >= 4) out.abortedTransactions = p.aborted;
      if (v >= 11) out.preferredReadReplica = p.preferred;
      out.messages = p.messages;
      return out;
    };
    const responses = [
      {
        topicName: 'orders',
        partitions: [
          partition({
            partition: 0,
            errorCode: 0,
            hw: 200n,
            lso: 190n,
            logStart: 5n,
            aborted: [
              { producerId: '77', firstOffset: '150' },
              { producerId: String(BIG_OFFSET), firstOffset: '160' },
            ],
            preferred: 2,
            messages: messagesA,
          }),
          // a null abortedTransactions array reads as [] in kafkajs
          partition({ partition: 3, errorCode: 1, hw: -1n, lso: -1n, logStart: -1n, aborted: [], preferred: -1, messages: [] }),
        ],
      },
    ];
    if (v === 0) return { responses };
    if (v < 7) return { throttleTime: 100, responses };
    if (v === 7) return { throttleTime: 100, errorCode: 0, sessionId: 99, responses };
    return { throttleTime: 0, clientSideThrottleTime: 100, errorCode: 0, sessionId: 99, responses };
  },
});

// ---------------------------------------------------------------------------------------------
// ListOffsets

const listOffsets = defineOracle({
  kafkajsName: 'ListOffsets',
  apiKey: ApiKey.ListOffsets,
  args: () => ({
    replicaId: -1,
    isolationLevel: 1,
    topics: [
      {
        topic: 'orders',
        partitions: [
          { partition: 0, timestamp: -1, maxNumOffsets: 5 },
          { partition: 2, timestamp: T0 },
        ],
      },
      { topic: 'logs', partitions: [{ partition: 7, timestamp: -2 }] },
    ],
  }),
  expectRequest: (v) => ({
    replicaId: -1,
    isolationLevel: v >= 2 ? 1 : 0,
    topics: [
      {
        name: 'orders',
        partitions: [
          { ...defaultListOffsetsPartition(), partitionIndex: 0, timestamp: -1n, maxNumOffsets: v === 0 ? 5 : 1 },
          { ...defaultListOffsetsPartition(), partitionIndex: 2, timestamp: BigInt(T0) },
        ],
      },
      { name: 'logs', partitions: [{ ...defaultListOffsetsPartition(), partitionIndex: 7, timestamp: -2n }] },
    ],
  }),
  response: (v) => ({
    throttleTimeMs: v >= 2 ? 33 : 0,
    topics: [
      {
        name: 'orders',
        partitions: [
          v === 0
            ? { ...defaultListOffsetsPartitionResponse(), partitionIndex: 0, oldStyleOffsets: [BIG_OFFSET, 50n, 0n] }
            : { ...defaultListOffsetsPartitionResponse(), partitionIndex: 0, timestamp: BigInt(T0), offset: BIG_OFFSET },
          { ...defaultListOffsetsPartitionResponse(), partitionIndex: 2, errorCode: 3 },
        ],
      },
    ],
  }),
  expectResponse: (v) => {
    const partitions =
      v === 0
        ? [
            { partition: 0, errorCode: 0, offsets: [String(BIG_OFFSET), '50', '0'] },
            { partition: 2, errorCode: 3, offsets: [] },
          ]
        : [
            { partition: 0, errorCode: 0, timestamp: String(T0), offset: String(BIG_OFFSET) },
            { partition: 2, errorCode: 3, timestamp: '-1', offset: '-1' },
          ];
    const responses = [{ topic: 'orders', partitions }];
    if (v < 2) return { responses };
    if (v === 2) return { throttleTime: 33, responses };
    return { throttleTime: 0, clientSideThrottleTime: 33, responses };
  },
});

// ---------------------------------------------------------------------------------------------
// Metadata

/** kafkajs writes an empty topic list as null ("all topics") from v1 on; v1 and v4 exercise that. */
const metadataTopics = (v: number): string[] => (v === 1 || v === 4 ? [] : ['orders', 'logs', 'ünïcode']);

const metadata = defineOracle({
  kafkajsName: 'Metadata',
  apiKey: ApiKey.Metadata,
  args: (v) => ({ topics: metadataTopics(v), allowAutoTopicCreation: false }),
  expectRequest: (v) => {
    const names = metadataTopics(v);
    return {
      ...defaultMetadataRequest(),
      topics: v >= 1 && names.length === 0 ? null : names.map((name) => ({ ...defaultMetadataRequestTopic(), name })),
      allowAutoTopicCreation: v >= 4 ? false : true,
    };
  },
  response: (v) => ({
    ...defaultMetadataResponse(),
    throttleTimeMs: v >= 3 ? 12 : 0,
    brokers: [
      { nodeId: 1, host: 'broker-1.samsa.local', port: 9092, rack: v >= 1 ? 'rack-a' : null },
      { nodeId: 2, host: 'broker-2.samsa.local', port: 19093, rack: null },
    ],
    clusterId: v >= 2 ? 'samsa-cluster-Xy9' : null,
    controllerId: v >= 1 ? 2 : -1,
    topics: [
      {
        ...defaultMetadataResponseTopic(),
        name: 'orders',
        partitions: [
          { ...defaultMetadataResponsePartition(), partitionIndex: 0, leaderId: 1, replicaNodes: [1, 2], isrNodes: [1, 2] },
          {
            ...defaultMetadataResponsePartition(),
            errorCode: 5,
            partitionIndex: 1,
            leaderId: -1,
            replicaNodes: [2, 1],
            isrNodes: [2],
            offlineReplicas: v >= 5 ? [1] : [],
          },
        ],
      },
      { ...defaultMetadataResponseTopic(), errorCode: 3, name: 'missing', partitions: [] },
      { ...defaultMetadataResponseTopic(), name: '__consumer_offsets', isInternal: v >= 1, partitions: [] },
    ],
  }),
  expectResponse: (v) => {
    const broker = (nodeId: number, host: string, port: number, rack: string | null): unknown =>
      v === 0 ? { nodeId, host, port } : { nodeId, host, port, rack };
    const partition = (errorCode: number, id: number, leader: number, replicas: number[], isr: number[], offline: number[]): unknown =>
      v >= 5
        ? { partitionErrorCode: errorCode, partitionId: id, leader, replicas, isr, offlineReplicas: offline }
        : { partitionErrorCode: errorCode, partitionId: id, leader, replicas, isr };
    const topic = (errorCode: number, name: string, internal: boolean, partitions: unknown[]): unknown =>
      v === 0
        ? { topicErrorCode: errorCode, topic: name, partitionMetadata: partitions }
        : { topicErrorCode: errorCode, topic: name, isInternal: internal, partitionMetadata: partitions };
    const brokers = [broker(1, 'broker-1.samsa.local', 9092, 'rack-a'), broker(2, 'broker-2.samsa.local', 19093, null)];
    const topicMetadata = [
      topic(0, 'orders', false, [partition(0, 0, 1, [1, 2], [1, 2], []), partition(5, 1, -1, [2, 1], [2], [1])]),
      topic(3, 'missing', false, []),
      topic(0, '__consumer_offsets', true, []),
    ];
    if (v === 0) return { brokers, topicMetadata };
    if (v === 1) return { brokers, controllerId: 2, topicMetadata };
    const body = { brokers, clusterId: 'samsa-cluster-Xy9', controllerId: 2, topicMetadata };
    if (v === 2) return body;
    if (v < 6) return { throttleTime: 12, ...body };
    return { throttleTime: 0, clientSideThrottleTime: 12, ...body };
  },
});

export const DATA_ORACLES: readonly Oracle[] = [produce, fetch, listOffsets, metadata];
