/**
 * Serving paths the client suites don't reach, against ZooKeeper + 3 broker processes, driven over the
 * Kafka protocol with Samsa's own BrokerClient (kafkajs cannot send broken batches, to a chosen broker,
 * or DescribeLogDirs/DescribeCluster): live topic and dynamic broker-default configs, DeleteRecords,
 * DescribeLogDirs, Fetch long polls, non-leader/unknown-topic errors, CRC and timestamp validation,
 * large fetches from reused read buffers under a stalled reader.
 */
import * as net from 'node:net';
import type { Admin } from 'kafkajs';
import { BrokerClient } from '../../broker/src/network/broker-client';
import { API_CODECS, ApiKey, ErrorCode, FrameReader, decodeResponseFrame, encodeRequestFrame } from '../../broker/src/protocol';
import { decodeRecordBatches, encodeRecordBatchSync, type SimpleRecord } from '../../broker/src/protocol/records';
import { defaultFetchRequest, type FetchRequest } from '../../broker/src/protocol/generated/fetch-request';
import type { FetchablePartitionResponse, FetchResponse } from '../../broker/src/protocol/generated/fetch-response';
import type { PartitionProduceResponse } from '../../broker/src/protocol/generated/produce-response';
import { ClusterIdZNode, TopicZNode } from '../../broker/src/zk/znodes';
import { waitFor } from '../helpers/wait';
import { useKafkaCluster } from './support/fixture';

jest.setTimeout(120_000);

const fx = useKafkaCluster({ zookeepers: 1, brokers: 3 });
let admin: Admin;
const clients: BrokerClient[] = [];

const SIZE = 'srv-size';
const DEFAULTS = 'srv-defaults';
const RECORDS = 'srv-records';
const POLL = 'srv-poll';
const TS = 'srv-ts';
const LARGE = 'srv-large-reads';
const TOPIC_RESOURCE = 2;
const BROKER_RESOURCE = 4;
const SET = 0;
const DELETE = 1;
/** DescribeConfigsResponse.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG. */
const DYNAMIC_DEFAULT_BROKER_CONFIG = 3;
const EARLIEST = -2n;

beforeAll(async () => {
  admin = await fx.admin();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic: SIZE, numPartitions: 1, replicationFactor: 1 },
      // Three partitions over three brokers: Kafka's assignment gives each broker one to lead.
      { topic: DEFAULTS, numPartitions: 3, replicationFactor: 1 },
      { topic: RECORDS, numPartitions: 1, replicationFactor: 1 },
      { topic: POLL, numPartitions: 1, replicationFactor: 1 },
      { topic: LARGE, numPartitions: 1, replicationFactor: 1 },
      {
        topic: TS,
        numPartitions: 1,
        replicationFactor: 1,
        configEntries: [
          { name: 'message.timestamp.type', value: 'CreateTime' },
          { name: 'message.timestamp.difference.max.ms', value: '60000' },
        ],
      },
    ],
  });
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

/** A fresh connection to broker `id` (requests on one connection are answered in order). */
function client(id: number): BrokerClient {
  const c = new BrokerClient({ host: '127.0.0.1', port: fx.cluster.brokerPort(id), clientId: 'samsa-serving-test', requestTimeoutMs: 30_000 });
  clients.push(c);
  return c;
}

const connections = new Map<number, BrokerClient>();
function broker(id: number): BrokerClient {
  let c = connections.get(id);
  if (c === undefined) {
    c = client(id);
    connections.set(id, c);
  }
  return c;
}

async function leaderOf(topic: string, partition = 0): Promise<number> {
  return (await fx.cluster.waitForLeader(topic, partition)).leader;
}

function batch(values: readonly string[], timestamp: number = Date.now()): Buffer {
  const records: SimpleRecord[] = values.map((v) => ({ key: null, value: Buffer.from(v), timestamp }));
  return encodeRecordBatchSync({ records });
}

async function produce(to: BrokerClient, topic: string, partition: number, records: Buffer): Promise<PartitionProduceResponse> {
  const response = await to.send(ApiKey.Produce, 8, {
    transactionalId: null,
    acks: 1,
    timeoutMs: 10_000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
  });
  return response.responses[0]!.partitionResponses[0]!;
}

async function fetch(
  from: BrokerClient,
  topic: string,
  partition: number,
  fetchOffset: bigint,
  maxWaitMs = 0,
): Promise<FetchablePartitionResponse> {
  const request = defaultFetchRequest();
  Object.assign(request, { replicaId: -1, maxWaitMs, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0 });
  request.topics = [
    { topic, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] },
  ];
  const response: FetchResponse = await from.send(ApiKey.Fetch, 11, request);
  return response.responses[0]!.partitionResponses[0]!;
}

async function listOffset(to: BrokerClient, topic: string, partition: number, timestamp: bigint): Promise<{ errorCode: number; offset: bigint }> {
  const response = await to.send(ApiKey.ListOffsets, 5, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{ name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 }] }],
  });
  const p = response.topics[0]!.partitions[0]!;
  return { errorCode: p.errorCode, offset: p.offset };
}

async function incrementalAlter(resourceType: number, resourceName: string, name: string, op: number, value: string | null): Promise<void> {
  const response = await broker(fx.cluster.brokerIds[0]!).send(ApiKey.IncrementalAlterConfigs, 0, {
    validateOnly: false,
    resources: [{ resourceType, resourceName, configs: [{ name, configOperation: op, value }] }],
  });
  expect(response.responses.map((r) => [r.errorCode, r.errorMessage])).toEqual([[ErrorCode.NONE, null]]);
}

/** Produces `records` until the answer's error code is `code` (a config change reaches brokers asynchronously). */
async function produceUntil(leader: number, topic: string, partition: number, records: () => Buffer, code: number): Promise<PartitionProduceResponse> {
  return waitFor(
    async () => {
      const r = await produce(broker(leader), topic, partition, records());
      return r.errorCode === code ? r : undefined;
    },
    `produce to ${topic}-${partition} on broker ${leader} to answer error ${code}`,
    20_000,
    200,
  );
}

test('a topic max.message.bytes change is applied live via /config/changes: a larger batch gets MESSAGE_TOO_LARGE, a smaller one is appended, raising it lets the large one through', async () => {
  const leader = await leaderOf(SIZE);
  const big = (): Buffer => batch(['b'.repeat(4000)]);
  const small = (): Buffer => batch(['s'.repeat(100)]);
  expect((await produce(broker(leader), SIZE, 0, big())).errorCode).toBe(ErrorCode.NONE);

  await incrementalAlter(TOPIC_RESOURCE, SIZE, 'max.message.bytes', SET, '1024');
  await produceUntil(leader, SIZE, 0, big, ErrorCode.MESSAGE_TOO_LARGE);
  const end = await listOffset(broker(leader), SIZE, 0, -1n);
  const appended = await produce(broker(leader), SIZE, 0, small());
  expect(appended.errorCode).toBe(ErrorCode.NONE);
  // The refused batch appended nothing: the small one lands at the log end seen after the refusal.
  expect(appended.baseOffset).toBe(end.offset);

  await incrementalAlter(TOPIC_RESOURCE, SIZE, 'max.message.bytes', SET, '1048588');
  const through = await produceUntil(leader, SIZE, 0, big, ErrorCode.NONE);
  expect(through.baseOffset).toBe(end.offset + 1n);
});

test('a dynamic broker default (/config/brokers/<default>) log.message.timestamp.type=LogAppendTime applies on every broker to topics without an override, shown as DYNAMIC_DEFAULT_BROKER_CONFIG', async () => {
  const leaders = await Promise.all([0, 1, 2].map((p) => leaderOf(DEFAULTS, p)));
  expect(new Set(leaders)).toEqual(new Set(fx.cluster.brokerIds));
  const old = Date.now() - 3_600_000;
  for (let p = 0; p < 3; p++) {
    // CreateTime: the broker keeps the client's timestamp and answers log_append_time -1.
    expect((await produce(broker(leaders[p]!), DEFAULTS, p, batch(['before'], old))).logAppendTimeMs).toBe(-1n);
  }
  await incrementalAlter(BROKER_RESOURCE, '', 'log.message.timestamp.type', SET, 'LogAppendTime');
  try {
    for (let p = 0; p < 3; p++) {
      const before = BigInt(Date.now());
      const r = await waitFor(
        async () => {
          const answer = await produce(broker(leaders[p]!), DEFAULTS, p, batch(['after'], old));
          return answer.logAppendTimeMs !== -1n ? answer : undefined;
        },
        `broker ${leaders[p]} to stamp LogAppendTime on ${DEFAULTS}-${p}`,
        20_000,
        200,
      );
      expect(r.errorCode).toBe(ErrorCode.NONE);
      expect(r.logAppendTimeMs).toBeGreaterThanOrEqual(before - 1000n);
      const fetched = await fetch(broker(leaders[p]!), DEFAULTS, p, r.baseOffset);
      expect(fetched.errorCode).toBe(ErrorCode.NONE);
      // The stored batch has the LogAppendTime attribute bit (0x08 in the attributes at byte 21).
      expect(fetched.recordSet!.readInt16BE(21) & 0x08).toBe(0x08);
    }
    const described = await broker(fx.cluster.brokerIds[1]!).send(ApiKey.DescribeConfigs, 1, {
      resources: [{ resourceType: TOPIC_RESOURCE, resourceName: DEFAULTS, configurationKeys: ['message.timestamp.type'] }],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    const entry = described.results[0]!.configs.find((c) => c.name === 'message.timestamp.type');
    expect(entry).toMatchObject({ value: 'LogAppendTime', configSource: DYNAMIC_DEFAULT_BROKER_CONFIG });
    // A topic override still wins over the dynamic default.
    const tsLeader = await leaderOf(TS);
    expect((await produce(broker(tsLeader), TS, 0, batch(['own-type']))).logAppendTimeMs).toBe(-1n);
  } finally {
    await incrementalAlter(BROKER_RESOURCE, '', 'log.message.timestamp.type', DELETE, null);
  }
  await produceUntil(leaders[0]!, DEFAULTS, 0, () => batch(['reverted'], old), ErrorCode.NONE);
  await waitFor(
    async () => (await produce(broker(leaders[0]!), DEFAULTS, 0, batch(['reverted'], old))).logAppendTimeMs === -1n,
    'the default to revert to CreateTime',
    20_000,
    200,
  );
});

test('DeleteRecords returns the new low watermark; ListOffsets earliest moves to it; a fetch below it gets OFFSET_OUT_OF_RANGE', async () => {
  const leader = await leaderOf(RECORDS);
  expect((await produce(broker(leader), RECORDS, 0, batch(['r0', 'r1', 'r2', 'r3', 'r4']))).baseOffset).toBe(0n);
  expect((await produce(broker(leader), RECORDS, 0, batch(['r5', 'r6', 'r7', 'r8', 'r9']))).baseOffset).toBe(5n);

  const deleted = await broker(leader).send(ApiKey.DeleteRecords, 1, {
    timeoutMs: 10_000,
    topics: [{ name: RECORDS, partitions: [{ partitionIndex: 0, offset: 7n }] }],
  });
  expect(deleted.topics[0]!.partitions[0]).toMatchObject({ partitionIndex: 0, errorCode: ErrorCode.NONE, lowWatermark: 7n });

  expect(await listOffset(broker(leader), RECORDS, 0, EARLIEST)).toEqual({ errorCode: ErrorCode.NONE, offset: 7n });
  expect(await listOffset(broker(leader), RECORDS, 0, -1n)).toEqual({ errorCode: ErrorCode.NONE, offset: 10n });
  const below = await fetch(broker(leader), RECORDS, 0, 3n);
  expect(below.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
  const at = await fetch(broker(leader), RECORDS, 0, 7n);
  expect(at.errorCode).toBe(ErrorCode.NONE);
  expect(at.logStartOffset).toBe(7n);
  expect(at.highWatermark).toBe(10n);

  // -1 means "up to the high watermark", as Kafka's DeleteRecordsRequest.HIGH_WATERMARK.
  const all = await broker(leader).send(ApiKey.DeleteRecords, 1, {
    timeoutMs: 10_000,
    topics: [{ name: RECORDS, partitions: [{ partitionIndex: 0, offset: -1n }] }],
  });
  expect(all.topics[0]!.partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, lowWatermark: 10n });
  // Beyond the high watermark is OFFSET_OUT_OF_RANGE.
  const beyond = await broker(leader).send(ApiKey.DeleteRecords, 1, {
    timeoutMs: 10_000,
    topics: [{ name: RECORDS, partitions: [{ partitionIndex: 0, offset: 99n }] }],
  });
  expect(beyond.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
});

test('DescribeLogDirs lists each broker\'s log dir with the partitions it hosts, sized > 0 after producing', async () => {
  const hosted = new Map<number, string[]>();
  const partitionCounts = [[SIZE, 1], [DEFAULTS, 3], [RECORDS, 1], [POLL, 1], [TS, 1], [LARGE, 1]] as const;
  for (const [topic, partitions] of partitionCounts) {
    for (let p = 0; p < partitions; p++) {
      const leader = await leaderOf(topic, p);
      hosted.set(leader, [...(hosted.get(leader) ?? []), `${topic}-${p}`]);
    }
  }
  await produce(broker(await leaderOf(POLL)), POLL, 0, batch(['sized']));
  const produced = new Set([`${SIZE}-0`, `${DEFAULTS}-0`, `${DEFAULTS}-1`, `${DEFAULTS}-2`, `${POLL}-0`]);
  for (const id of fx.cluster.brokerIds) {
    const response = await broker(id).send(ApiKey.DescribeLogDirs, 1, { topics: null });
    expect(response.results).toHaveLength(1);
    const dir = response.results[0]!;
    expect(dir.errorCode).toBe(ErrorCode.NONE);
    expect(dir.logDir).toBe(fx.cluster.dataDir(id));
    const listed = new Map(dir.topics.flatMap((t) => t.partitions.map((p) => [`${t.name}-${p.partitionIndex}`, p] as const)));
    // Exactly the partitions with a replica on this broker (RF 1 here: the ones it leads).
    expect([...listed.keys()].filter((tp) => tp.startsWith('srv-')).sort()).toEqual([...(hosted.get(id) ?? [])].sort());
    for (const [tp, p] of listed) {
      expect(p).toMatchObject({ offsetLag: 0n, isFutureKey: false });
      if (produced.has(tp)) expect(p.partitionSize).toBeGreaterThan(0n);
    }
  }
  // A filter on one partition answers for that partition only. (Kafka 2.8 groups the dir's logs by
  // topic before filtering, so other hosted topics appear with no partitions.)
  const leader = await leaderOf(POLL);
  const filtered = await broker(leader).send(ApiKey.DescribeLogDirs, 1, { topics: [{ topic: POLL, partitionIndex: [0] }] });
  const listed = filtered.results[0]!.topics.filter((t) => t.partitions.length > 0);
  expect(listed.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex)])).toEqual([[POLL, [0]]]);
});

test('Fetch long poll (max_wait_ms 5000, min_bytes 1) at the log end returns soon after a record is appended, and empty after max_wait_ms when nothing is', async () => {
  const leader = await leaderOf(POLL);
  const end = (await listOffset(broker(leader), POLL, 0, -1n)).offset;
  // The fetch holds its connection, so the produce goes over another one.
  const poller = client(leader);
  const started = Date.now();
  const polling = fetch(poller, POLL, 0, end, 5000);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect((await produce(broker(leader), POLL, 0, batch(['wake up']))).baseOffset).toBe(end);
  const woken = await polling;
  const wokenAfter = Date.now() - started;
  expect(woken.errorCode).toBe(ErrorCode.NONE);
  expect(woken.recordSet?.length ?? 0).toBeGreaterThan(0);
  expect(woken.highWatermark).toBe(end + 1n);
  expect(wokenAfter).toBeLessThan(2500);

  const idleStart = Date.now();
  const idle = await fetch(poller, POLL, 0, end + 1n, 5000);
  const idleAfter = Date.now() - idleStart;
  expect(idle.errorCode).toBe(ErrorCode.NONE);
  expect(idle.recordSet?.length ?? 0).toBe(0);
  expect(idleAfter).toBeGreaterThanOrEqual(4500);
  expect(idleAfter).toBeLessThan(8000);
});

test('Produce and Fetch to a broker that is not the partition leader get NOT_LEADER_OR_FOLLOWER; an unknown topic gets UNKNOWN_TOPIC_OR_PARTITION from Metadata (no auto-create) and Produce', async () => {
  const leader = await leaderOf(RECORDS);
  const other = fx.cluster.brokerIds.find((id) => id !== leader)!;
  // The other broker learns of the partition through UpdateMetadata; until then it would not know the topic.
  await waitFor(async () => {
    const m = await broker(other).send(ApiKey.Metadata, 9, {
      topics: [{ topicId: '', name: RECORDS }],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    return m.topics[0]?.partitions[0]?.leaderId === leader;
  }, `broker ${other} to know ${RECORDS}'s leader`);
  expect((await produce(broker(other), RECORDS, 0, batch(['misdirected']))).errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  expect((await fetch(broker(other), RECORDS, 0, 0n)).errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);

  const missing = 'srv-no-such-topic';
  const metadata = await broker(leader).send(ApiKey.Metadata, 9, {
    topics: [{ topicId: '', name: missing }],
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  });
  expect(metadata.topics.map((t) => [t.name, t.errorCode, t.partitions.length])).toEqual([[missing, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 0]]);
  expect((await produce(broker(leader), missing, 0, batch(['nowhere']))).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  // Neither request created the topic.
  expect(await fx.cluster.readZk(TopicZNode.path(missing))).toBeNull();
});

test('Produce of a batch whose CRC does not match gets CORRUPT_MESSAGE; a timestamp outside message.timestamp.difference.max.ms gets INVALID_TIMESTAMP', async () => {
  const leader = await leaderOf(TS);
  const end = (await listOffset(broker(leader), TS, 0, -1n)).offset;
  const corrupt = batch(['intact value']);
  corrupt[corrupt.length - 1] ^= 0xff; // a value byte: the stored CRC-32C no longer matches
  expect((await produce(broker(leader), TS, 0, corrupt)).errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);

  expect((await produce(broker(leader), TS, 0, batch(['too old'], Date.now() - 3_600_000))).errorCode).toBe(ErrorCode.INVALID_TIMESTAMP);
  expect((await produce(broker(leader), TS, 0, batch(['too new'], Date.now() + 3_600_000))).errorCode).toBe(ErrorCode.INVALID_TIMESTAMP);
  // Neither refused batch was appended; one within the bound is.
  const ok = await produce(broker(leader), TS, 0, batch(['recent'], Date.now() - 10_000));
  expect(ok).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: end });
});

test('DescribeCluster v0 answers the cluster id from /cluster/id, the controller from /controller and the three brokers', async () => {
  const node = await fx.cluster.readZk(ClusterIdZNode.path);
  const clusterId = ClusterIdZNode.decode(node!.data);
  const controller = await fx.cluster.controllerId();
  for (const id of fx.cluster.brokerIds) {
    const response = await broker(id).send(ApiKey.DescribeCluster, 0, { includeClusterAuthorizedOperations: false });
    expect(response).toMatchObject({ errorCode: ErrorCode.NONE, clusterId, controllerId: controller });
    expect(response.brokers.map((b) => [b.brokerId, `${b.host}:${b.port}`]).sort()).toEqual(
      fx.cluster.brokerIds.map((b) => [b, fx.cluster.brokerAddress(b)]).sort(),
    );
  }
});

/** A Fetch v11 of one partition from `fetchOffset`, up to `maxBytes`. */
function fetchRequest(topic: string, fetchOffset: number, maxBytes: number): FetchRequest {
  const request = defaultFetchRequest();
  Object.assign(request, { replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes, isolationLevel: 0 });
  request.topics = [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: BigInt(fetchOffset), lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: maxBytes }] }];
  return request;
}

test('large produces and fetches (in buffers the broker reuses once appended or written) stay intact: pipelined produces land whole, a stalled reader\'s responses and four concurrent readers get exactly the records at their offsets', async () => {
  const leader = await leaderOf(LARGE);
  // 48 batches of 64 records of 4,000 bytes (~256 KB each, 12 MB): every value names its offset.
  const valueOf = (offset: number): string => `${offset}:`.padEnd(4000, String.fromCharCode(97 + (offset % 26)));
  // Pipelined on one connection (answered in order): the broker reads the next requests into its
  // pooled request buffers while it appends, and gives each back once its records are appended.
  const batches = Array.from({ length: 48 }, (_, b) => batch(Array.from({ length: 64 }, (_, i) => valueOf(b * 64 + i))));
  const producer = client(leader);
  const answers = await Promise.all(batches.map((records) => produce(producer, LARGE, 0, records)));
  expect(answers.map((a) => a.baseOffset)).toEqual(batches.map((_, b) => BigInt(b * 64)));
  const end = 48 * 64;
  /** Checks a fetched record set against valueOf from `offset`; returns the offset after it. */
  const check = async (recordSet: Buffer, offset: number): Promise<number> => {
    const { batches } = await decodeRecordBatches(recordSet); // CRCs verified
    let next = offset;
    for (const r of batches.flatMap((b) => b.records)) {
      if (Number(r.offset) < next) continue;
      expect([Number(r.offset), r.value?.toString()]).toEqual([next, valueOf(next)]);
      next++;
    }
    return next;
  };

  // A reader that pipelines twelve 1 MiB fetches and does not read: the broker's socket buffers
  // fill and its last responses wait, still holding their read buffers, while others fetch.
  const stalled = net.connect(fx.cluster.brokerPort(leader), '127.0.0.1');
  await new Promise<void>((resolve, reject) => stalled.once('connect', resolve).once('error', reject));
  stalled.pause();
  const starts = Array.from({ length: 12 }, (_, i) => i * 4 * 64);
  for (const [i, start] of starts.entries()) {
    stalled.write(encodeRequestFrame({ apiKey: ApiKey.Fetch, apiVersion: 11, correlationId: i, clientId: 'stalled' }, (w) => API_CODECS[ApiKey.Fetch].encodeRequest(w, fetchRequest(LARGE, start, 1 << 20), 11)));
  }
  await new Promise((r) => setTimeout(r, 500));

  const readAll = async (maxBytes: number): Promise<number> => {
    const c = client(leader);
    let offset = 0;
    while (offset < end) {
      const response: FetchResponse = await c.send(ApiKey.Fetch, 11, fetchRequest(LARGE, offset, maxBytes));
      const p = response.responses[0]!.partitionResponses[0]!;
      expect(p.errorCode).toBe(ErrorCode.NONE);
      offset = await check(p.recordSet!, offset);
    }
    return offset;
  };
  // Different fetch sizes, so reads of 1 to 4 batches end at different places and their buffers interleave.
  expect(await Promise.all([1 << 20, 700_000, 300_000, 100_000].map(readAll))).toEqual([end, end, end, end]);

  const frames: Buffer[] = [];
  const reader = new FrameReader(1 << 24);
  const all = new Promise<void>((resolve, reject) => {
    stalled.on('data', (chunk: Buffer) => {
      frames.push(...reader.push(chunk));
      if (frames.length === starts.length) resolve();
    });
    stalled.once('error', reject);
  });
  stalled.resume();
  await all;
  stalled.destroy();
  for (const [i, frame] of frames.entries()) {
    const { correlationId, body } = decodeResponseFrame(frame, ApiKey.Fetch, 11);
    expect(correlationId).toBe(i);
    const p = API_CODECS[ApiKey.Fetch].decodeResponse(body, 11).responses[0]!.partitionResponses[0]!;
    expect(await check(p.recordSet!, starts[i]!)).toBe(starts[i]! + 4 * 64);
  }
});
