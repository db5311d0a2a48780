import pino from 'pino';
import { MockScheduler } from '../common/scheduler';
import { MockTime } from '../common/time';
import { GroupCoordinator, GroupMetadataManager } from '../coordinator/group';
import { FakeOffsetsLog } from '../coordinator/group/testing/fake-offsets-log';
import { MetadataCache } from '../metadata/metadata-cache';
import { ApiKey, ErrorCode, type ApiMessages } from '../protocol';
import { updateMetadataRequest } from '../replica/testing/replica-test-utils';
import { deleteGroupsHandler } from './delete-groups';
import { describeGroupsHandler } from './describe-groups';
import { findCoordinatorHandler } from './find-coordinator';
import { clientHostOf } from './group-common';
import { heartbeatHandler } from './heartbeat';
import { joinGroupHandler } from './join-group';
import { leaveGroupHandler } from './leave-group';
import { listGroupsHandler } from './list-groups';
import { offsetCommitHandler, type ZkConsumerOffsets } from './offset-commit';
import { offsetFetchHandler } from './offset-fetch';
import { ApiRegistry, type RequestContext } from './registry';
import { syncGroupHandler } from './sync-group';
import { decodeResponse, networkRequest, requestFrame, handleWhole } from './testing/frames';

const OFFSETS = '__consumer_offsets';

function fixture(): { call: <K extends keyof ApiMessages>(k: K, v: number, req: ApiMessages[K]['request']) => Promise<ApiMessages[K]['response']>; scheduler: MockScheduler; zk: Map<string, bigint>; cache: MetadataCache; coordinator: GroupCoordinator; created: string[] } {
  const time = new MockTime();
  const scheduler = new MockScheduler(time);
  const logger = pino({ level: 'silent' });
  const manager = new GroupMetadataManager({ numPartitions: () => 1, log: new FakeOffsetsLog(), offsetMetadataMaxBytes: 4096, offsetsRetentionMs: 1e9, offsetsRetentionCheckIntervalMs: 1e9, loadBufferSize: 1 << 20, time, scheduler, logger });
  const coordinator = new GroupCoordinator({ config: { groupMinSessionTimeoutMs: 6000, groupMaxSessionTimeoutMs: 300_000, groupInitialRebalanceDelayMs: 0, groupMaxSize: 10 }, manager, time, scheduler, logger, newUuid: () => 'uuid' });
  coordinator.startup();
  const cache = new MetadataCache(1);
  cache.updateMetadata(1, updateMetadataRequest([{ topic: 'orders', partition: 0, leader: 1 }], { aliveBrokers: [1, 2] }));
  const zk = new Map<string, bigint>();
  const zkOffsets: ZkConsumerOffsets = {
    setConsumerOffset: (g, t, p, o) => Promise.resolve(void zk.set(`${g}/${t}/${p}`, o)),
    getConsumerOffset: (g, t, p) => Promise.resolve(zk.get(`${g}/${t}/${p}`) ?? null),
  };
  const created: string[] = [];
  const registry = new ApiRegistry()
    .register(findCoordinatorHandler({ metadataCache: cache, partitionForGroup: (g) => coordinator.partitionFor(g), createOffsetsTopic: () => Promise.resolve(void created.push(OFFSETS)).then(() => ErrorCode.NONE) }))
    .register(joinGroupHandler({ coordinator }))
    .register(syncGroupHandler({ coordinator }))
    .register(heartbeatHandler({ coordinator }))
    .register(leaveGroupHandler({ coordinator }))
    .register(offsetCommitHandler({ coordinator, metadataCache: cache, zkOffsets, offsetMetadataMaxBytes: 4096, time }))
    .register(offsetFetchHandler({ coordinator, metadataCache: cache, zkOffsets }))
    .register(describeGroupsHandler({ coordinator }))
    .register(listGroupsHandler({ coordinator }))
    .register(deleteGroupsHandler({ coordinator }));
  const call = async <K extends keyof ApiMessages>(k: K, v: number, req: ApiMessages[K]['request']): Promise<ApiMessages[K]['response']> => {
    const pending = handleWhole(registry, networkRequest(requestFrame(k, v, req)));
    await scheduler.tick(0);
    const frame = await pending;
    if (frame === null || !Buffer.isBuffer(frame)) throw new Error('no response');
    return decodeResponse(k, v, frame).response;
  };
  return { call, scheduler, zk, cache, coordinator, created };
}

const protocols = [{ name: 'range', metadata: Buffer.from([0, 0, 0, 0, 0, 1, 0, 6, 111, 114, 100, 101, 114, 115, 255, 255, 255, 255]) }];
const joinReq = (memberId = '') => ({ groupId: 'g', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId, groupInstanceId: null, protocolType: 'consumer', protocols });

describe('group APIs', () => {
  test('FindCoordinator creates __consumer_offsets on first use (COORDINATOR_NOT_AVAILABLE meanwhile), then names the partition leader with error_message "NONE"', async () => {
    const f = fixture();
    const first = await f.call(ApiKey.FindCoordinator, 3, { key: 'g', keyType: 0 });
    expect(first).toMatchObject({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, nodeId: -1, host: '', port: -1, errorMessage: 'The coordinator is not available.' });
    expect(f.created).toEqual([OFFSETS]);
    f.cache.updateMetadata(2, updateMetadataRequest([{ topic: 'orders', partition: 0, leader: 1 }, { topic: OFFSETS, partition: 0, leader: 2 }], { aliveBrokers: [1, 2] }));
    expect(await f.call(ApiKey.FindCoordinator, 3, { key: 'g', keyType: 0 })).toMatchObject({ errorCode: 0, errorMessage: 'NONE', nodeId: 2, host: 'localhost', port: 9092 });
    expect((await f.call(ApiKey.FindCoordinator, 0, { key: 'g', keyType: 0 })).nodeId).toBe(2);
    expect((await f.call(ApiKey.FindCoordinator, 3, { key: 't', keyType: 1 })).errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    expect((await f.call(ApiKey.FindCoordinator, 3, { key: 't', keyType: 7 })).errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });

  test('JoinGroup v4+ answers MEMBER_ID_REQUIRED; v7 returns protocol type and name; SyncGroup v5 without protocol names is INCONSISTENT_GROUP_PROTOCOL', async () => {
    const f = fixture();
    await f.coordinator.onElection(0);
    const first = await f.call(ApiKey.JoinGroup, 7, joinReq());
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(first.memberId).toBe('test-client-uuid');
    const joined = await f.call(ApiKey.JoinGroup, 7, joinReq(first.memberId));
    expect(joined).toMatchObject({ errorCode: 0, generationId: 1, protocolType: 'consumer', protocolName: 'range', leader: first.memberId });
    expect(joined.members).toHaveLength(1);
    const bad = await f.call(ApiKey.SyncGroup, 5, { groupId: 'g', generationId: 1, memberId: first.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] });
    expect(bad.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const synced = await f.call(ApiKey.SyncGroup, 5, { groupId: 'g', generationId: 1, memberId: first.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [{ memberId: first.memberId, assignment: Buffer.from('a') }] });
    expect(synced).toMatchObject({ errorCode: 0, protocolType: 'consumer', protocolName: 'range' });
    expect(Buffer.from(synced.assignment).toString()).toBe('a');
    expect((await f.call(ApiKey.Heartbeat, 4, { groupId: 'g', generationId: 1, memberId: first.memberId, groupInstanceId: null })).errorCode).toBe(0);
    const described = await f.call(ApiKey.DescribeGroups, 5, { groups: ['g', 'other'], includeAuthorizedOperations: false });
    expect(described.groups.map((g) => [g.groupState, g.protocolData, g.members.length])).toEqual([
      ['Stable', 'range', 1],
      ['Dead', '', 0],
    ]);
    expect(described.groups[0]?.members[0]?.clientHost).toBe('/127.0.0.1');
    expect((await f.call(ApiKey.ListGroups, 4, { statesFilter: ['Stable'] })).groups).toEqual([{ groupId: 'g', protocolType: 'consumer', groupState: 'Stable' }]);
  });

  test('JoinGroup v0 joins at once (no MEMBER_ID_REQUIRED) with the session timeout as rebalance timeout; LeaveGroup v0 folds the member error into error_code', async () => {
    const f = fixture();
    await f.coordinator.onElection(0);
    const joined = await f.call(ApiKey.JoinGroup, 0, joinReq());
    expect(joined.errorCode).toBe(0);
    expect(f.coordinator.membership.group('g')?.get(joined.memberId).rebalanceTimeoutMs).toBe(10_000);
    expect((await f.call(ApiKey.LeaveGroup, 0, { groupId: 'g', memberId: 'ghost', members: [] })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await f.call(ApiKey.LeaveGroup, 0, { groupId: 'g', memberId: joined.memberId, members: [] })).errorCode).toBe(0);
    const batch = await f.call(ApiKey.LeaveGroup, 4, { groupId: 'g', memberId: '', members: [{ memberId: 'ghost', groupInstanceId: null }] });
    expect(batch.errorCode).toBe(0);
    expect(batch.members[0]?.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await f.call(ApiKey.Heartbeat, 0, { groupId: '', generationId: 1, memberId: 'm', groupInstanceId: null })).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
  });

  test('OffsetCommit/OffsetFetch v1+: standalone commit and fetch, unknown partitions UNKNOWN_TOPIC_OR_PARTITION, null topics (v2+) list every offset', async () => {
    const f = fixture();
    await f.coordinator.onElection(0);
    const committed = await f.call(ApiKey.OffsetCommit, 8, {
      groupId: 'solo',
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: 3, commitTimestamp: -1n, committedMetadata: 'md' }, { partitionIndex: 9, committedOffset: 1n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: null }] }],
    });
    expect(committed.topics[0]?.partitions.map((p) => p.errorCode)).toEqual([0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    const fetched = await f.call(ApiKey.OffsetFetch, 7, { groupId: 'solo', topics: [{ name: 'orders', partitionIndexes: [0, 1] }], requireStable: true });
    expect(fetched.topics[0]?.partitions.map((p) => [p.committedOffset, p.committedLeaderEpoch, p.metadata])).toEqual([
      [5n, 3, 'md'],
      [-1n, -1, ''],
    ]);
    const all = await f.call(ApiKey.OffsetFetch, 2, { groupId: 'solo', topics: null, requireStable: false });
    expect(all.topics.map((t) => [t.name, t.partitions.map((p) => p.committedOffset)])).toEqual([['orders', [5n]]]);
    expect(Object.fromEntries((await f.call(ApiKey.DeleteGroups, 2, { groupsNames: ['solo'] })).results.map((r) => [r.groupId, r.errorCode]))).toEqual({ solo: 0 });
  });

  test('OffsetFetch v1 repeats a group-level error on each requested partition; v2+ answers it at the top', async () => {
    const f = fixture();
    const v1 = await f.call(ApiKey.OffsetFetch, 1, { groupId: 'g', topics: [{ name: 'orders', partitionIndexes: [0] }], requireStable: false });
    expect(v1.topics[0]?.partitions[0]?.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    const v5 = await f.call(ApiKey.OffsetFetch, 5, { groupId: 'g', topics: [{ name: 'orders', partitionIndexes: [0] }], requireStable: false });
    expect(v5.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
  });

  test('OffsetCommit/OffsetFetch v0 use ZooKeeper offsets, as the 2.8 broker did', async () => {
    const f = fixture();
    const c = await f.call(ApiKey.OffsetCommit, 0, { groupId: 'old', generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1n, topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 17n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: '' }] }] });
    expect(c.topics[0]?.partitions[0]?.errorCode).toBe(0);
    expect(f.zk.get('old/orders/0')).toBe(17n);
    const r = await f.call(ApiKey.OffsetFetch, 0, { groupId: 'old', topics: [{ name: 'orders', partitionIndexes: [0] }], requireStable: false });
    expect(r.topics[0]?.partitions[0]).toMatchObject({ committedOffset: 17n, errorCode: 0 });
  });

  test('client_host is rendered as Java InetAddress.toString ("/ip")', () => {
    const ctx = (clientAddress: string): RequestContext => ({ clientAddress }) as RequestContext;
    expect(clientHostOf(ctx('10.0.0.7:5123'))).toBe('/10.0.0.7');
    expect(clientHostOf(ctx('::ffff:127.0.0.1:5123'))).toBe('/127.0.0.1');
  });
});
