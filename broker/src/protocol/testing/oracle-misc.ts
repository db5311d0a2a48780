/**
 * kafkajs oracle cases for connection set-up (ApiVersions, SaslHandshake, SaslAuthenticate) and
 * transactions (InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn, EndTxn, TxnOffsetCommit).
 */
import { API_CODECS, ApiKey } from '../generated';
import { defaultApiVersionsResponse } from '../generated/api-versions-response';
import { defaultTxnOffsetCommitRequest, defaultTxnOffsetCommitRequestPartition } from '../generated/txn-offset-commit-request';
import { type Oracle, defineOracle, kafkajsLengthPrefixed } from './kafkajs';

const BIG_OFFSET = 9_007_199_254_740_993n;
const TXN = 'txn-producer-7';
const PRODUCER_ID = 4_242_424_242_424n;
const GROUP = 'payments-consumers';

function throttle(ms: number, clientSide: boolean): Record<string, number> {
  return clientSide ? { throttleTime: 0, clientSideThrottleTime: ms } : { throttleTime: ms };
}

// ---------------------------------------------------------------------------------------------

/** Every API and version range Samsa serves, as a broker would advertise it. */
const ADVERTISED = Object.values(API_CODECS).map((c) => ({ apiKey: c.apiKey, minVersion: c.minVersion, maxVersion: c.maxVersion }));

const apiVersions = defineOracle({
  kafkajsName: 'ApiVersions',
  apiKey: ApiKey.ApiVersions,
  args: () => undefined,
  expectRequest: () => ({ clientSoftwareName: '', clientSoftwareVersion: '' }),
  response: (v) => ({ ...defaultApiVersionsResponse(), apiKeys: ADVERTISED, throttleTimeMs: v >= 1 ? 17 : 0 }),
  expectResponse: (v) => (v === 0 ? { errorCode: 0, apiVersions: ADVERTISED } : { errorCode: 0, apiVersions: ADVERTISED, ...throttle(17, v >= 2) }),
});

const saslHandshake = defineOracle({
  kafkajsName: 'SaslHandshake',
  apiKey: ApiKey.SaslHandshake,
  args: () => ({ mechanism: 'SCRAM-SHA-512' }),
  expectRequest: () => ({ mechanism: 'SCRAM-SHA-512' }),
  response: () => ({ errorCode: 33, mechanisms: ['PLAIN', 'SCRAM-SHA-256'] }),
  expectResponse: () => ({ errorCode: 33, enabledMechanisms: ['PLAIN', 'SCRAM-SHA-256'] }),
});

const CLIENT_FIRST = Buffer.from('n,,n=alice,r=fyko+d2lbbFgONRv9qkxdawL', 'utf8');
const SERVER_FIRST = Buffer.from('r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096', 'utf8');

const saslAuthenticate = defineOracle({
  kafkajsName: 'SaslAuthenticate',
  apiKey: ApiKey.SaslAuthenticate,
  // kafkajs's SASL mechanisms hand over the payload already length-prefixed (it writes it raw)
  args: () => ({ authBytes: kafkajsLengthPrefixed(CLIENT_FIRST) }),
  expectRequest: () => ({ authBytes: CLIENT_FIRST }),
  response: (v) => ({ errorCode: 0, errorMessage: null, authBytes: SERVER_FIRST, sessionLifetimeMs: v >= 1 ? 3_600_000n : 0n }),
  expectResponse: (v) => {
    // kafkajs re-prefixes the bytes with their length, for the mechanisms' parsers
    const body = { errorCode: 0, errorMessage: null, authBytes: kafkajsLengthPrefixed(SERVER_FIRST) };
    return v === 0 ? body : { ...body, sessionLifetimeMs: '3600000' };
  },
});

const initProducerId = defineOracle({
  kafkajsName: 'InitProducerId',
  apiKey: ApiKey.InitProducerId,
  // v1 exercises a null transactional id (an idempotent, non-transactional producer)
  args: (v) => ({ transactionalId: v === 1 ? null : TXN, transactionTimeout: 60_000 }),
  expectRequest: (v) => ({ transactionalId: v === 1 ? null : TXN, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 }),
  response: () => ({ throttleTimeMs: 3, errorCode: 0, producerId: PRODUCER_ID, producerEpoch: 5 }),
  expectResponse: (v) => ({ ...throttle(3, v >= 1), errorCode: 0, producerId: String(PRODUCER_ID), producerEpoch: 5 }),
});

const addPartitionsToTxn = defineOracle({
  kafkajsName: 'AddPartitionsToTxn',
  apiKey: ApiKey.AddPartitionsToTxn,
  args: () => ({
    transactionalId: TXN,
    producerId: String(PRODUCER_ID),
    producerEpoch: 5,
    topics: [
      { topic: 'orders', partitions: [0, 3] },
      { topic: 'logs', partitions: [1] },
    ],
  }),
  expectRequest: () => ({
    transactionalId: TXN,
    producerId: PRODUCER_ID,
    producerEpoch: 5,
    topics: [
      { name: 'orders', partitions: [0, 3] },
      { name: 'logs', partitions: [1] },
    ],
  }),
  response: () => ({
    throttleTimeMs: 2,
    results: [
      { name: 'orders', results: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 3, errorCode: 53 }] },
      { name: 'logs', results: [{ partitionIndex: 1, errorCode: 0 }] },
    ],
  }),
  expectResponse: (v) => ({
    ...throttle(2, v >= 1),
    errors: [
      { topic: 'orders', partitionErrors: [{ partition: 0, errorCode: 0 }, { partition: 3, errorCode: 53 }] },
      { topic: 'logs', partitionErrors: [{ partition: 1, errorCode: 0 }] },
    ],
  }),
});

const addOffsetsToTxn = defineOracle({
  kafkajsName: 'AddOffsetsToTxn',
  apiKey: ApiKey.AddOffsetsToTxn,
  args: () => ({ transactionalId: TXN, producerId: String(PRODUCER_ID), producerEpoch: 5, groupId: GROUP }),
  expectRequest: () => ({ transactionalId: TXN, producerId: PRODUCER_ID, producerEpoch: 5, groupId: GROUP }),
  response: () => ({ throttleTimeMs: 4, errorCode: 0 }),
  expectResponse: (v) => ({ ...throttle(4, v >= 1), errorCode: 0 }),
});

const endTxn = defineOracle({
  kafkajsName: 'EndTxn',
  apiKey: ApiKey.EndTxn,
  // v0 aborts, v1 commits
  args: (v) => ({ transactionalId: TXN, producerId: String(PRODUCER_ID), producerEpoch: 5, transactionResult: v === 1 }),
  expectRequest: (v) => ({ transactionalId: TXN, producerId: PRODUCER_ID, producerEpoch: 5, committed: v === 1 }),
  response: () => ({ throttleTimeMs: 9, errorCode: 48 }),
  expectResponse: (v) => ({ ...throttle(9, v >= 1), errorCode: 48 }),
});

const txnOffsetCommit = defineOracle({
  kafkajsName: 'TxnOffsetCommit',
  apiKey: ApiKey.TxnOffsetCommit,
  args: () => ({
    transactionalId: TXN,
    groupId: GROUP,
    producerId: String(PRODUCER_ID),
    producerEpoch: 5,
    topics: [
      {
        topic: 'orders',
        partitions: [
          { partition: 0, offset: '100', metadata: 'txn-meta' },
          { partition: 3, offset: String(BIG_OFFSET), metadata: null },
        ],
      },
      { topic: 'logs', partitions: [{ partition: 1, offset: '0', metadata: '' }] },
    ],
  }),
  expectRequest: () => ({
    ...defaultTxnOffsetCommitRequest(),
    transactionalId: TXN,
    groupId: GROUP,
    producerId: PRODUCER_ID,
    producerEpoch: 5,
    topics: [
      {
        name: 'orders',
        partitions: [
          { ...defaultTxnOffsetCommitRequestPartition(), partitionIndex: 0, committedOffset: 100n, committedMetadata: 'txn-meta' },
          { ...defaultTxnOffsetCommitRequestPartition(), partitionIndex: 3, committedOffset: BIG_OFFSET, committedMetadata: null },
        ],
      },
      { name: 'logs', partitions: [{ ...defaultTxnOffsetCommitRequestPartition(), partitionIndex: 1, committedOffset: 0n, committedMetadata: '' }] },
    ],
  }),
  response: () => ({
    throttleTimeMs: 1,
    topics: [
      { name: 'orders', partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 3, errorCode: 47 }] },
      { name: 'logs', partitions: [{ partitionIndex: 1, errorCode: 0 }] },
    ],
  }),
  expectResponse: (v) => ({
    ...throttle(1, v >= 1),
    topics: [
      { topic: 'orders', partitions: [{ partition: 0, errorCode: 0 }, { partition: 3, errorCode: 47 }] },
      { topic: 'logs', partitions: [{ partition: 1, errorCode: 0 }] },
    ],
  }),
});

export const MISC_ORACLES: readonly Oracle[] = [
  apiVersions,
  saslHandshake,
  saslAuthenticate,
  initProducerId,
  addPartitionsToTxn,
  addOffsetsToTxn,
  endTxn,
  txnOffsetCommit,
];
