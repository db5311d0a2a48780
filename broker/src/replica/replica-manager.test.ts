import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { ErrorCode } from '../protocol';
import { batch, batchOffsets } from '../log/testing/log-test-utils';
import { type ServingFixture, TEST_TOPIC_ID, becomeLeader, leaderAndIsrRequest, startServing, updateMetadataRequest } from './testing/replica-test-utils';
import type { FetchParams } from './types';

const tp = { topic: 't', partition: 0 };

function entries(records: Buffer, topicPartition = tp): Map<string, { topicPartition: typeof tp; records: Buffer }> {
  return new Map([[`${topicPartition.topic}-${topicPartition.partition}`, { topicPartition, records }]]);
}

function fetchParams(o: Partial<FetchParams> & { fetchOffset?: number } = {}): FetchParams {
  return {
    maxWaitMs: 0,
    replicaId: -1,
    minBytes: 1,
    maxBytes: 1 << 20,
    hardMaxBytesLimit: false,
    isolationLevel: 0,
    partitions: [{ topicPartition: tp, fetchOffset: o.fetchOffset ?? 0, logStartOffset: -1, maxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1 }],
    ...o,
  };
}

describe('ReplicaManager', () => {
  let f: ServingFixture;
  beforeEach(async () => {
    f = await startServing();
  });
  afterEach(async () => {
    await f.close();
  });

  it('makes this broker leader from LeaderAndIsr and lets acks=1 appends advance the high watermark (ISR of one)', async () => {
    await becomeLeader(f, [{ ...tp, leader: 1 }]);
    const p = f.replicaManager.getPartition(tp)!;
    expect(p.isLeader).toBe(true);
    expect(p.leaderEpoch).toBe(0);
    const res = await f.replicaManager.appendRecords({ timeoutMs: 1000, requiredAcks: 1, internalTopicsAllowed: false, entries: entries(batch({ count: 3 })) });
    expect(res.get('t-0')).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0, logStartOffset: 0 });
    expect(p.highWatermark).toBe(3);
    const [read] = await f.replicaManager.fetchMessages(fetchParams());
    expect(read!.errorCode).toBe(ErrorCode.NONE);
    expect(batchOffsets(read!.records)).toEqual([[0, 2]]);
    expect(read!.highWatermark).toBe(3);
    expect(read!.lastStableOffset).toBe(3);
  });

  it('rejects a LeaderAndIsr from an older controller epoch with STALE_CONTROLLER_EPOCH', async () => {
    await becomeLeader(f, [{ ...tp, leader: 1 }]);
    await f.replicaManager.becomeLeaderOrFollower(3, leaderAndIsrRequest([{ ...tp, leader: 1, leaderEpoch: 1 }], { controllerEpoch: 5 }));
    const res = await f.replicaManager.becomeLeaderOrFollower(4, leaderAndIsrRequest([{ ...tp, leader: 1, leaderEpoch: 2 }], { controllerEpoch: 4 }));
    expect(res.errorCode).toBe(ErrorCode.STALE_CONTROLLER_EPOCH);
    expect(f.replicaManager.getPartition(tp)!.leaderEpoch).toBe(1);
  });

  it('answers STALE_CONTROLLER_EPOCH for a partition whose leader epoch is not newer, UNKNOWN_TOPIC_OR_PARTITION when not a replica', async () => {
    await becomeLeader(f, [{ ...tp, leader: 1, leaderEpoch: 3 }]);
    const res = await f.replicaManager.becomeLeaderOrFollower(
      5,
      leaderAndIsrRequest([
        { ...tp, leader: 1, leaderEpoch: 3 },
        { topic: 't', partition: 1, leader: 2, replicas: [2, 3], isr: [2, 3] },
      ]),
    );
    expect(res.partitionErrors).toEqual([
      { topicPartition: tp, errorCode: ErrorCode.STALE_CONTROLLER_EPOCH },
      { topicPartition: { topic: 't', partition: 1 }, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
    ]);
  });

  it("records the LeaderAndIsr topic id in the partition dir's partition.metadata, as Kafka 2.8 writes it", async () => {
    await becomeLeader(f, [{ ...tp, leader: 1 }]);
    expect(await fsp.readFile(path.join(f.dir, 't-0', 'partition.metadata'), 'utf8')).toBe(`version: 0\ntopic_id: ${TEST_TOPIC_ID}`);
    expect(f.replicaManager.getPartition(tp)!.topicId).toBe(TEST_TOPIC_ID);
  });

  it("answers INCONSISTENT_TOPIC_ID when the partition dir's partition.metadata names another topic id (a deleted topic's leftover log)", async () => {
    await fsp.mkdir(path.join(f.dir, 't-0'));
    await fsp.writeFile(path.join(f.dir, 't-0', 'partition.metadata'), 'version: 0\ntopic_id: AAAAAAAAAAAAAAAAAAAAAg');
    f.replicaManager.maybeUpdateMetadataCache(1, updateMetadataRequest([{ ...tp, leader: 1 }]));
    const res = await f.replicaManager.becomeLeaderOrFollower(2, leaderAndIsrRequest([{ ...tp, leader: 1 }]));
    expect(res.partitionErrors).toEqual([{ topicPartition: tp, errorCode: ErrorCode.INCONSISTENT_TOPIC_ID }]);
    expect(f.replicaManager.getPartition(tp)!.isLeader).toBe(false);
    // The file is left as it was: the leftover log is not claimed for the new topic.
    expect(await fsp.readFile(path.join(f.dir, 't-0', 'partition.metadata'), 'utf8')).toBe('version: 0\ntopic_id: AAAAAAAAAAAAAAAAAAAAAg');
  });

  it('fails appends with UNKNOWN_TOPIC_OR_PARTITION for unknown partitions and NOT_LEADER_OR_FOLLOWER on a follower', async () => {
    f.replicaManager.maybeUpdateMetadataCache(1, updateMetadataRequest([{ ...tp, leader: 2, replicas: [2, 1], isr: [2, 1] }], { aliveBrokers: [1, 2] }));
    await f.replicaManager.becomeLeaderOrFollower(2, leaderAndIsrRequest([{ ...tp, leader: 2, replicas: [2, 1], isr: [2, 1] }]));
    expect(f.replicaManager.getPartition(tp)!.isLeader).toBe(false);
    const res = await f.replicaManager.appendRecords({
      timeoutMs: 1000,
      requiredAcks: 1,
      internalTopicsAllowed: false,
      entries: new Map([
        ['t-0', { topicPartition: tp, records: batch() }],
        ['u-0', { topicPartition: { topic: 'u', partition: 0 }, records: batch() }],
      ]),
    });
    expect(res.get('t-0')!.errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(res.get('u-0')!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('answers INVALID_REQUIRED_ACKS for acks other than -1, 0, 1', async () => {
    await becomeLeader(f, [{ ...tp, leader: 1 }]);
    const res = await f.replicaManager.appendRecords({ timeoutMs: 1000, requiredAcks: 2, internalTopicsAllowed: false, entries: entries(batch()) });
    expect(res.get('t-0')!.errorCode).toBe(ErrorCode.INVALID_REQUIRED_ACKS);
  });

  it('refuses client appends to internal topics with INVALID_TOPIC_EXCEPTION', async () => {
    const internal = { topic: '__consumer_offsets', partition: 0 };
    await becomeLeader(f, [{ ...internal, leader: 1 }]);
    const res = await f.replicaManager.appendRecords({ timeoutMs: 1000, requiredAcks: 1, internalTopicsAllowed: false, entries: entries(batch(), internal) });
    expect(res.get('__consumer_offsets-0')!.errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
  });

  it('completes acks=-1 at once when the leader is alone in the ISR', async () => {
    await becomeLeader(f, [{ ...tp, leader: 1 }]);
    const res = await f.replicaManager.appendRecords({ timeoutMs: 1000, requiredAcks: -1, internalTopicsAllowed: false, entries: entries(batch({ count: 2 })) });
    expect(res.get('t-0')).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0 });
  });

  it('times acks=-1 out with REQUEST_TIMED_OUT while other ISR members have not fetched (high watermark held)', async () => {
    await becomeLeader(f, [{ ...tp, leader: 1, replicas: [1, 2, 3], isr: [1, 2, 3] }], [1, 2, 3]);
    const pending = f.replicaManager.appendRecords({ timeoutMs: 1000, requiredAcks: -1, internalTopicsAllowed: false, entries: entries(batch()) });
    await new Promise((r) => setImmediate(r));
    await f.scheduler.tick(1000);
    expect((await pending).get('t-0')!.errorCode).toBe(ErrorCode.REQUEST_TIMED_OUT);
    expect(f.replicaManager.getPartition(tp)!.highWatermark).toBe(0);
  });

  it('answers NOT_ENOUGH_REPLICAS before appending when the ISR is below min.insync.replicas', async () => {
    await f.close();
    f = await startServing({ topicConfig: { t: { 'min.insync.replicas': 2 } } });
    await becomeLeader(f, [{ ...tp, leader: 1 }]);
    const res = await f.replicaManager.appendRecords({ timeoutMs: 1000, requiredAcks: -1, internalTopicsAllowed: false, entries: entries(batch()) });
    expect(res.get('t-0')!.errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
    expect(f.logManager.getLog(tp)!.logEndOffset).toBe(0);
  });

  it('parks a fetch below min.bytes in the purgatory and wakes it when an append moves the high watermark', async () => {
    await becomeLeader(f, [{ ...tp, leader: 1 }]);
    const fetch = f.replicaManager.fetchMessages(fetchParams({ maxWaitMs: 500 }));
    await new Promise((r) => setImmediate(r));
    expect(f.replicaManager.delayedFetchPurgatory.delayed).toBe(1);
    await f.replicaManager.appendRecords({ timeoutMs: 1000, requiredAcks: 1, internalTopicsAllowed: false, entries: entries(batch({ count: 2 })) });
    const [read] = await fetch;
    expect(batchOffsets(read!.records)).toEqual([[0, 1]]);
    expect(f.replicaManager.delayedFetchPurgatory.delayed).toBe(0);
  });

  it('answers a parked fetch empty when max.wait.ms passes', async () => {
    await becomeLeader(f, [{ ...tp, leader: 1 }]);
    const fetch = f.replicaManager.fetchMessages(fetchParams({ maxWaitMs: 500 }));
    await new Promise((r) => setImmediate(r));
    await f.scheduler.tick(500);
    const [read] = await fetch;
    expect(read!.errorCode).toBe(ErrorCode.NONE);
    expect(read!.records.length).toBe(0);
  });

  it('answers OFFSET_OUT_OF_RANGE for a fetch offset past the log end', async () => {
    await becomeLeader(f, [{ ...tp, leader: 1 }]);
    expect((await f.replicaManager.fetchMessages(fetchParams({ fetchOffset: 5 })))[0]!.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
  });

  it('applies the request max.bytes across partitions, giving only the first non-empty partition a whole oversized batch (KIP-74)', async () => {
    const tp1 = { topic: 't', partition: 1 };
    await becomeLeader(f, [{ ...tp, leader: 1 }, { ...tp1, leader: 1 }]);
    await f.replicaManager.appendRecords({ timeoutMs: 0, requiredAcks: 1, internalTopicsAllowed: false, entries: new Map([['t-0', { topicPartition: tp, records: batch({ valueSize: 500 }) }], ['t-1', { topicPartition: tp1, records: batch({ valueSize: 500 }) }]]) });
    const part = (topicPartition: typeof tp) => ({ topicPartition, fetchOffset: 0, logStartOffset: -1, maxBytes: 100, currentLeaderEpoch: -1, lastFetchedEpoch: -1 });
    const reads = await f.replicaManager.fetchMessages(fetchParams({ maxBytes: 100, partitions: [part(tp), part(tp1)] }));
    expect(reads[0]!.records.length).toBeGreaterThan(500);
    expect(reads[1]!.records.length).toBe(0);
  });

  it('checkpoints high watermarks on its timer and restores them when the partition is led again after a restart', async () => {
    await becomeLeader(f, [{ ...tp, leader: 1 }]);
    await f.replicaManager.appendRecords({ timeoutMs: 0, requiredAcks: 1, internalTopicsAllowed: false, entries: entries(batch({ count: 4 })) });
    await f.scheduler.tick(5000);
    const content = await fsp.readFile(path.join(f.dir, 'replication-offset-checkpoint'), 'utf8');
    expect(content).toBe('0\n1\nt 0 4\n');
    const dir = f.dir;
    await f.replicaManager.shutdown();
    await f.logManager.shutdown();
    const g = await startServing({ dir });
    try {
      await becomeLeader(g, [{ ...tp, leader: 1, leaderEpoch: 1 }]);
      expect(g.replicaManager.getPartition(tp)!.highWatermark).toBe(4);
    } finally {
      await g.close();
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });

  it('deletes the log on StopReplica with delete, and fences an older leader epoch with FENCED_LEADER_EPOCH', async () => {
    await becomeLeader(f, [{ ...tp, leader: 1, leaderEpoch: 2 }]);
    const fenced = await f.replicaManager.stopReplicas(3, 1, 1, [{ topicPartition: tp, leaderEpoch: 1, deletePartition: true }]);
    expect(fenced.partitionErrors).toEqual([{ topicPartition: tp, errorCode: ErrorCode.FENCED_LEADER_EPOCH }]);
    const res = await f.replicaManager.stopReplicas(4, 1, 1, [{ topicPartition: tp, leaderEpoch: -2, deletePartition: true }]);
    expect(res).toEqual({ errorCode: ErrorCode.NONE, partitionErrors: [{ topicPartition: tp, errorCode: ErrorCode.NONE }] });
    expect(f.replicaManager.getPartition(tp)).toBeUndefined();
    expect(f.logManager.getLog(tp)).toBeUndefined();
    const stale = await f.replicaManager.stopReplicas(5, 1, 0, [{ topicPartition: tp, leaderEpoch: -1, deletePartition: false }]);
    expect(stale.errorCode).toBe(ErrorCode.STALE_CONTROLLER_EPOCH);
  });

  it('accepts StopReplica with delete at the current leader epoch (a cancelled reassignment stops its added replica without an epoch bump, KAFKA-13972)', async () => {
    await becomeLeader(f, [{ ...tp, leader: 1, leaderEpoch: 2 }]);
    const res = await f.replicaManager.stopReplicas(3, 1, 1, [{ topicPartition: tp, leaderEpoch: 2, deletePartition: true }]);
    expect(res.partitionErrors).toEqual([{ topicPartition: tp, errorCode: ErrorCode.NONE }]);
    expect(f.replicaManager.getPartition(tp)).toBeUndefined();
    expect(f.logManager.getLog(tp)).toBeUndefined();
  });

  it('moves the log start offset on DeleteRecords and answers the low watermark', async () => {
    await becomeLeader(f, [{ ...tp, leader: 1 }]);
    await f.replicaManager.appendRecords({ timeoutMs: 0, requiredAcks: 1, internalTopicsAllowed: false, entries: entries(batch({ count: 5 })) });
    const res = await f.replicaManager.deleteRecords(1000, new Map([['t-0', { topicPartition: tp, offset: 3 }]]));
    expect(res.get('t-0')).toEqual({ lowWatermark: 3, errorCode: ErrorCode.NONE });
    const beyond = await f.replicaManager.deleteRecords(1000, new Map([['t-0', { topicPartition: tp, offset: 9 }]]));
    expect(beyond.get('t-0')!.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
  });

  it('lists earliest, latest and by-timestamp offsets with the leader epoch', async () => {
    await becomeLeader(f, [{ ...tp, leader: 1, leaderEpoch: 4 }]);
    await f.replicaManager.appendRecords({ timeoutMs: 0, requiredAcks: 1, internalTopicsAllowed: false, entries: entries(batch({ timestamps: [100, 200, 300] })) });
    expect(await f.replicaManager.fetchOffsetForTimestamp(tp, -2, 0, -1, true)).toEqual({ timestamp: -1, offset: 0, leaderEpoch: 4 });
    expect(await f.replicaManager.fetchOffsetForTimestamp(tp, -1, 0, -1, true)).toEqual({ timestamp: -1, offset: 3, leaderEpoch: 4 });
    expect(await f.replicaManager.fetchOffsetForTimestamp(tp, 150, 0, -1, true)).toEqual({ timestamp: 200, offset: 1, leaderEpoch: 4 });
    expect(await f.replicaManager.fetchOffsetForTimestamp(tp, 999, 0, -1, true)).toBeNull();
    await expect(f.replicaManager.fetchOffsetForTimestamp(tp, -1, 0, 3, true)).rejects.toMatchObject({ code: ErrorCode.FENCED_LEADER_EPOCH });
    expect(await f.replicaManager.legacyFetchOffsetsForTimestamp(tp, -1, 10, true, true)).toEqual([3, 0]);
  });

  it('passes the log\'s validation errors through per partition: MESSAGE_TOO_LARGE, CORRUPT_MESSAGE, INVALID_TIMESTAMP', async () => {
    await f.close();
    f = await startServing({ topicConfig: { big: { 'max.message.bytes': 200 }, ts: { 'message.timestamp.difference.max.ms': 1000 } } });
    const big = { topic: 'big', partition: 0 };
    const ts = { topic: 'ts', partition: 0 };
    await becomeLeader(f, [{ ...tp, leader: 1 }, { ...big, leader: 1 }, { ...ts, leader: 1 }]);
    const corrupt = batch();
    corrupt[corrupt.length - 1] ^= 0xff;
    const res = await f.replicaManager.appendRecords({
      timeoutMs: 0,
      requiredAcks: 1,
      internalTopicsAllowed: false,
      entries: new Map([
        ['big-0', { topicPartition: big, records: batch({ valueSize: 500 }) }],
        ['t-0', { topicPartition: tp, records: corrupt }],
        ['ts-0', { topicPartition: ts, records: batch({ timestamp: 5 }) }],
      ]),
    });
    expect(res.get('big-0')).toMatchObject({ errorCode: ErrorCode.MESSAGE_TOO_LARGE, logStartOffset: -1 });
    expect(res.get('t-0')).toMatchObject({ errorCode: ErrorCode.CORRUPT_MESSAGE, logStartOffset: -1 });
    expect(res.get('ts-0')).toMatchObject({ errorCode: ErrorCode.INVALID_TIMESTAMP, logStartOffset: 0 });
  });

  it('checkpoints high watermarks at shutdown', async () => {
    await becomeLeader(f, [{ ...tp, leader: 1 }]);
    await f.replicaManager.appendRecords({ timeoutMs: 0, requiredAcks: 1, internalTopicsAllowed: false, entries: entries(batch({ count: 2 })) });
    await f.replicaManager.shutdown();
    expect(await fsp.readFile(path.join(f.dir, 'replication-offset-checkpoint'), 'utf8')).toBe('0\n1\nt 0 2\n');
  });
});
