import pino from 'pino';
import { MockScheduler } from '../../common/scheduler';
import { MockTime } from '../../common/time';
import { encodeRecordBatchSync } from '../../protocol/records';
import { GroupCoordinator } from './group-coordinator';
import { GroupMetadataManager, javaStringHashCode, partitionForGroup } from './group-metadata-manager';
import { FakeOffsetsLog } from './testing/fake-offsets-log';
import { groupMetadataKey, offsetCommitKey, offsetCommitValue, readMessageKey, readOffsetMessageValue } from './group-records';

const PARTITIONS = 4;
const RETENTION_MS = 60_000;

function setup(): { coordinator: GroupCoordinator; log: FakeOffsetsLog; time: MockTime; scheduler: MockScheduler; manager: GroupMetadataManager } {
  const time = new MockTime();
  const scheduler = new MockScheduler(time);
  const log = new FakeOffsetsLog();
  const logger = pino({ level: 'silent' });
  const manager = new GroupMetadataManager({
    numPartitions: () => PARTITIONS,
    log,
    offsetMetadataMaxBytes: 10,
    offsetsRetentionMs: RETENTION_MS,
    offsetsRetentionCheckIntervalMs: 1000,
    loadBufferSize: 1 << 20,
    time,
    scheduler,
    logger,
  });
  const coordinator = new GroupCoordinator({
    config: { groupMinSessionTimeoutMs: 6000, groupMaxSessionTimeoutMs: 300_000, groupInitialRebalanceDelayMs: 0, groupMaxSize: 100 },
    manager,
    time,
    scheduler,
    logger,
    newUuid: () => 'uuid',
  });
  coordinator.startup();
  return { coordinator, log, time, scheduler, manager };
}

const offset = (n: bigint, metadata = ''): { offset: bigint; leaderEpoch: number; metadata: string; commitTimestamp: bigint; expireTimestamp: bigint | null } => ({
  offset: n,
  leaderEpoch: -1,
  metadata,
  commitTimestamp: 1000n,
  expireTimestamp: null,
});

/** Joins one consumer-protocol member subscribed to `topics` and completes the rebalance. */
async function stableConsumerGroup(c: GroupCoordinator, scheduler: MockScheduler, groupId: string, topics: string[]): Promise<{ memberId: string; generation: number }> {
  const w = Buffer.alloc(2 + 4 + topics.reduce((n, t) => n + 2 + t.length, 0) + 4);
  let pos = w.writeInt16BE(0, 0);
  pos = w.writeInt32BE(topics.length, pos);
  for (const t of topics) {
    pos = w.writeInt16BE(t.length, pos);
    pos += w.write(t, pos);
  }
  w.writeInt32BE(-1, pos);
  const join = c.handleJoinGroup({ groupId, memberId: '', groupInstanceId: null, requireKnownMemberId: false, clientId: 'c', clientHost: '/1.2.3.4', rebalanceTimeoutMs: 10_000, sessionTimeoutMs: 10_000, protocolType: 'consumer', protocols: [{ name: 'range', metadata: w }] });
  await scheduler.tick(0);
  const joined = await join;
  await c.handleSyncGroup({ groupId, generationId: joined.generationId, memberId: joined.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: new Map([[joined.memberId, Buffer.from('asg')]]) });
  return { memberId: joined.memberId, generation: joined.generationId };
}

describe('group partition (Kafka partitionFor)', () => {
  test('Java String.hashCode semantics: abs(hash) % partitions, with abs(Int.MinValue) = 0', () => {
    expect(javaStringHashCode('hello')).toBe(99162322);
    expect(javaStringHashCode('polygenelubricants')).toBe(-0x80000000);
    expect(partitionForGroup('hello', 50)).toBe(22);
    expect(partitionForGroup('polygenelubricants', 50)).toBe(0);
    // Checked against Java 17's String.hashCode.
    expect(javaStringHashCode('héllo☃')).toBe(-1099020811);
    expect(javaStringHashCode('console-consumer-1')).toBe(35782224);
  });
});

describe('GroupCoordinator offsets on __consumer_offsets', () => {
  test('before leading the group partition: NOT_COORDINATOR; while loading: COORDINATOR_LOAD_IN_PROGRESS', async () => {
    const { coordinator } = setup();
    expect(await coordinator.handleCommitOffsets('g', '', null, -1, [{ topic: 't', partition: 0, offset: offset(1n) }])).toEqual(['NOT_COORDINATOR']);
    const p = coordinator.partitionFor('g');
    const loading = coordinator.onElection(p);
    expect(coordinator.handleFetchOffsets('g', null).error).toBe('COORDINATOR_LOAD_IN_PROGRESS');
    await loading;
    expect(coordinator.handleFetchOffsets('g', null).error).toBe('NONE');
  });

  test('a standalone consumer (generation -1) commits into a new Empty group; the record is an offset key v1 / value v3 in its partition', async () => {
    const { coordinator, log } = setup();
    const p = coordinator.partitionFor('g');
    await coordinator.onElection(p);
    const errors = await coordinator.handleCommitOffsets('g', '', null, -1, [{ topic: 'orders', partition: 3, offset: offset(42n, 'meta') }]);
    expect(errors).toEqual(['NONE']);
    const [record] = await log.records(p);
    expect(record?.key).toEqual(offsetCommitKey('g', 'orders', 3));
    expect(record?.value).toEqual(offsetCommitValue(offset(42n, 'meta')));
    const fetched = coordinator.handleFetchOffsets('g', [
      { topic: 'orders', partition: 3 },
      { topic: 'orders', partition: 4 },
    ]);
    expect(fetched.offsets.map((o) => o.offset?.offset ?? -1n)).toEqual([42n, -1n]);
    expect(coordinator.handleFetchOffsets('g', null).offsets).toHaveLength(1);
    expect(coordinator.handleDescribeGroup('g').summary.state).toBe('Empty');
  });

  test('commit checks: ILLEGAL_GENERATION for an unknown group with a generation, UNKNOWN_MEMBER_ID, OFFSET_METADATA_TOO_LARGE, and append errors mapped as Kafka', async () => {
    const { coordinator, log, scheduler } = setup();
    await coordinator.onElection(coordinator.partitionFor('g'));
    expect(await coordinator.handleCommitOffsets('g', 'm', null, 3, [{ topic: 't', partition: 0, offset: offset(1n) }])).toEqual(['ILLEGAL_GENERATION']);
    const { memberId, generation } = await stableConsumerGroup(coordinator, scheduler, 'g', ['t']);
    expect(await coordinator.handleCommitOffsets('g', 'stranger', null, generation, [{ topic: 't', partition: 0, offset: offset(1n) }])).toEqual(['UNKNOWN_MEMBER_ID']);
    expect(await coordinator.handleCommitOffsets('g', memberId, null, generation + 1, [{ topic: 't', partition: 0, offset: offset(1n) }])).toEqual(['ILLEGAL_GENERATION']);
    expect(
      await coordinator.handleCommitOffsets('g', memberId, null, generation, [
        { topic: 't', partition: 0, offset: offset(5n, 'x'.repeat(11)) },
        { topic: 't', partition: 1, offset: offset(6n) },
      ]),
    ).toEqual(['OFFSET_METADATA_TOO_LARGE', 'NONE']);
    log.appendError = 'NOT_ENOUGH_REPLICAS';
    expect(await coordinator.handleCommitOffsets('g', memberId, null, generation, [{ topic: 't', partition: 1, offset: offset(7n) }])).toEqual(['COORDINATOR_NOT_AVAILABLE']);
    log.appendError = 'NOT_LEADER_OR_FOLLOWER';
    expect(await coordinator.handleCommitOffsets('g', memberId, null, generation, [{ topic: 't', partition: 1, offset: offset(7n) }])).toEqual(['NOT_COORDINATOR']);
    // Failed commits are not cached.
    expect(coordinator.handleFetchOffsets('g', [{ topic: 't', partition: 1 }]).offsets[0]?.offset?.offset).toBe(6n);
  });

  test('a new leader of the partition rebuilds groups and offsets from the log: last record per key wins, tombstones remove', async () => {
    const first = setup();
    const p = first.coordinator.partitionFor('g');
    await first.coordinator.onElection(p);
    const { generation } = await stableConsumerGroup(first.coordinator, first.scheduler, 'g', ['t']);
    await first.coordinator.handleCommitOffsets('g', '', null, -1, [{ topic: 'x', partition: 0, offset: offset(1n) }]).catch(() => undefined);
    const solo = 'solo';
    const soloPartition = first.coordinator.partitionFor(solo);
    await first.coordinator.onElection(soloPartition);
    await first.coordinator.handleCommitOffsets(solo, '', null, -1, [{ topic: 'a', partition: 0, offset: offset(10n) }]);
    await first.coordinator.handleCommitOffsets(solo, '', null, -1, [{ topic: 'a', partition: 0, offset: offset(11n) }]);
    // A tombstone for another group's record, written as a deleted group would leave it.
    await first.log.append(p, encodeRecordBatchSync({ records: [{ key: groupMetadataKey('gone'), value: null, timestamp: 0 }] }));

    const second = setup();
    for (const [partition, batches] of first.log.batches) second.log.batches.set(partition, batches);
    await second.coordinator.onElection(p);
    await second.coordinator.onElection(soloPartition);
    const g = second.coordinator.handleDescribeGroup('g');
    expect(g.summary.state).toBe('Stable');
    expect(g.summary.members).toHaveLength(1);
    expect(g.summary.members[0]?.assignment.toString()).toBe('asg');
    expect(second.manager.getGroup('g')?.generationId).toBe(generation);
    expect(second.coordinator.handleFetchOffsets(solo, null).offsets.map((o) => o.offset?.offset)).toEqual([11n]);
    expect(second.manager.getGroup('gone')).toBeUndefined();
    // Its members must heartbeat within their session timeout or be removed.
    await second.scheduler.tick(10_000);
    expect(second.coordinator.handleDescribeGroup('g').summary.state).toBe('Empty');
    expect(second.manager.getGroup('g')?.generationId).toBe(generation + 1);
  });

  test('losing leadership unloads the groups: parked joins and later requests get NOT_COORDINATOR', async () => {
    const { coordinator, scheduler } = setup();
    const p = coordinator.partitionFor('g');
    await coordinator.onElection(p);
    await stableConsumerGroup(coordinator, scheduler, 'g', ['t']);
    await coordinator.onResignation(p);
    expect(coordinator.handleDescribeGroup('g').error).toBe('NOT_COORDINATOR');
    expect(coordinator.handleHeartbeat('g', 'c-uuid', null, 1)).toBe('NOT_COORDINATOR');
  });

  test('offsets of an Empty group expire offsets.retention after it became Empty; the group then dies with tombstones', async () => {
    const { coordinator, log, time, scheduler } = setup();
    const p = coordinator.partitionFor('g');
    await coordinator.onElection(p);
    const { memberId } = await stableConsumerGroup(coordinator, scheduler, 'g', ['t']);
    await coordinator.handleCommitOffsets('g', memberId, null, 1, [{ topic: 't', partition: 0, offset: { ...offset(3n), commitTimestamp: BigInt(time.milliseconds()) } }]);
    coordinator.handleLeaveGroup('g', [{ memberId, groupInstanceId: null }]);
    await scheduler.tick(0);
    expect(coordinator.handleDescribeGroup('g').summary.state).toBe('Empty');
    expect(await coordinator.cleanupExpiredOffsets()).toBe(0);
    time.sleep(RETENTION_MS);
    expect(await coordinator.cleanupExpiredOffsets()).toBe(1);
    expect(coordinator.handleDescribeGroup('g').summary.state).toBe('Dead');
    const tail = (await log.records(p)).slice(-2);
    expect(tail.map((r) => (r.key === null ? null : readMessageKey(r.key)))).toEqual([
      { kind: 'offset', group: 'g', topic: 't', partition: 0 },
      { kind: 'group', group: 'g' },
    ]);
    expect(tail.map((r) => r.value)).toEqual([null, null]);
  });

  test('a Stable consumer group keeps offsets of subscribed topics and expires the others', async () => {
    const { coordinator, time, scheduler, manager } = setup();
    await coordinator.onElection(coordinator.partitionFor('g'));
    const { memberId, generation } = await stableConsumerGroup(coordinator, scheduler, 'g', ['kept']);
    const now = BigInt(time.milliseconds());
    await coordinator.handleCommitOffsets('g', memberId, null, generation, [
      { topic: 'kept', partition: 0, offset: { ...offset(1n), commitTimestamp: now } },
      { topic: 'old', partition: 0, offset: { ...offset(2n), commitTimestamp: now } },
    ]);
    time.sleep(RETENTION_MS);
    coordinator.handleHeartbeat('g', memberId, null, generation);
    await coordinator.cleanupExpiredOffsets();
    expect(manager.getGroup('g')?.allOffsets().map((o) => o.topic)).toEqual(['kept']);
  });

  test('DeleteGroups: GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP, and an Empty group deleted with tombstones', async () => {
    const { coordinator, scheduler, log } = setup();
    for (const g of ['busy', 'idle', 'nope']) await coordinator.onElection(coordinator.partitionFor(g));
    await stableConsumerGroup(coordinator, scheduler, 'busy', ['t']);
    await coordinator.handleCommitOffsets('idle', '', null, -1, [{ topic: 't', partition: 0, offset: offset(1n) }]);
    const results = await coordinator.handleDeleteGroups(['nope', 'busy', 'idle']);
    expect(Object.fromEntries(results)).toEqual({ nope: 'GROUP_ID_NOT_FOUND', busy: 'NON_EMPTY_GROUP', idle: 'NONE' });
    const last = (await log.records(coordinator.partitionFor('idle'))).at(-1);
    expect(last?.value).toBeNull();
    expect(readOffsetMessageValue(last?.value ?? null)).toBeNull();
    expect(coordinator.handleFetchOffsets('idle', null).offsets).toEqual([]);
  });

  test('OffsetDelete refuses topics an active consumer group subscribes to (GROUP_SUBSCRIBED_TO_TOPIC) and deletes the rest', async () => {
    const { coordinator, scheduler } = setup();
    await coordinator.onElection(coordinator.partitionFor('g'));
    const { memberId, generation } = await stableConsumerGroup(coordinator, scheduler, 'g', ['in']);
    await coordinator.handleCommitOffsets('g', memberId, null, generation, [
      { topic: 'in', partition: 0, offset: offset(1n) },
      { topic: 'out', partition: 0, offset: offset(2n) },
    ]);
    const r = await coordinator.handleDeleteOffsets('g', [
      { topic: 'in', partition: 0 },
      { topic: 'out', partition: 0 },
    ]);
    expect(r.error).toBe('NONE');
    expect(r.partitions.map((p) => [p.topic, p.error])).toEqual([
      ['in', 'GROUP_SUBSCRIBED_TO_TOPIC'],
      ['out', 'NONE'],
    ]);
    await coordinator.onElection(coordinator.partitionFor('none'));
    expect((await coordinator.handleDeleteOffsets('none', [])).error).toBe('GROUP_ID_NOT_FOUND');
  });

  test('ListGroups lists the groups this broker coordinates, filtered by state name', async () => {
    const { coordinator, scheduler } = setup();
    for (const g of ['a', 'b']) await coordinator.onElection(coordinator.partitionFor(g));
    await stableConsumerGroup(coordinator, scheduler, 'a', ['t']);
    await coordinator.handleCommitOffsets('b', '', null, -1, [{ topic: 't', partition: 0, offset: offset(1n) }]);
    expect(coordinator.handleListGroups([]).groups.map((g) => g.groupId).sort()).toEqual(['a', 'b']);
    expect(coordinator.handleListGroups(['stable']).groups).toEqual([{ groupId: 'a', protocolType: 'consumer', state: 'Stable' }]);
  });
});
