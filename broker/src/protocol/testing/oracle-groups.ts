/**
 * kafkajs oracle cases for the consumer-group APIs: OffsetCommit, OffsetFetch, FindCoordinator
 * (kafkajs's "GroupCoordinator"), JoinGroup, Heartbeat, LeaveGroup, SyncGroup, DescribeGroups,
 * ListGroups, DeleteGroups.
 */
import { ApiKey } from '../generated';
import { defaultDescribedGroup, defaultDescribedGroupMember } from '../generated/describe-groups-response';
import { defaultFindCoordinatorResponse } from '../generated/find-coordinator-response';
import { defaultJoinGroupResponse } from '../generated/join-group-response';
import { defaultListedGroup } from '../generated/list-groups-response';
import { defaultOffsetCommitRequestPartition } from '../generated/offset-commit-request';
import { defaultOffsetFetchResponsePartition } from '../generated/offset-fetch-response';
import { defaultSyncGroupRequest } from '../generated/sync-group-request';
import { defaultSyncGroupResponse } from '../generated/sync-group-response';
import { type Oracle, defineOracle } from './kafkajs';

const T0 = 1_700_000_000_000;
const BIG_OFFSET = 9_007_199_254_740_993n;
const GROUP = 'payments-consumers';
const MEMBER = 'consumer-1-3f0c7d2e-51b4-4c3e-9d38-0c1d6a7b8e9f';
const INSTANCE = 'pod-payments-0';
/** ConsumerProtocol subscription / assignment blobs: opaque bytes to the broker. */
const SUBSCRIPTION = Buffer.from('0001000000010006orders0000ffff', 'hex');
const ASSIGNMENT = Buffer.from('00010000000100066f726465727300000002000000000000000300000000', 'hex');

/** kafkajs's decoders report a throttle time either as is or, from some version on, as clientSideThrottleTime. */
function throttle(ms: number, clientSide: boolean): Record<string, number> {
  return clientSide ? { throttleTime: 0, clientSideThrottleTime: ms } : { throttleTime: ms };
}

// ---------------------------------------------------------------------------------------------

const offsetCommit = defineOracle({
  kafkajsName: 'OffsetCommit',
  apiKey: ApiKey.OffsetCommit,
  args: () => ({
    groupId: GROUP,
    groupGenerationId: 42,
    memberId: MEMBER,
    retentionTime: 86_400_000,
    topics: [
      {
        topic: 'orders',
        partitions: [
          { partition: 0, offset: '1234', metadata: 'consumer-meta', timestamp: T0 },
          { partition: 3, offset: String(BIG_OFFSET), timestamp: T0 + 1 },
        ],
      },
      { topic: 'logs', partitions: [{ partition: 1, offset: '0', metadata: '', timestamp: T0 + 2 }] },
    ],
  }),
  expectRequest: (v) => ({
    groupId: GROUP,
    generationId: v >= 1 ? 42 : -1,
    memberId: v >= 1 ? MEMBER : '',
    groupInstanceId: null,
    retentionTimeMs: v >= 2 && v <= 4 ? 86_400_000n : -1n,
    topics: [
      {
        name: 'orders',
        partitions: [
          { ...defaultOffsetCommitRequestPartition(), partitionIndex: 0, committedOffset: 1234n, commitTimestamp: v === 1 ? BigInt(T0) : -1n, committedMetadata: 'consumer-meta' },
          { ...defaultOffsetCommitRequestPartition(), partitionIndex: 3, committedOffset: BIG_OFFSET, commitTimestamp: v === 1 ? BigInt(T0 + 1) : -1n, committedMetadata: null },
        ],
      },
      {
        name: 'logs',
        partitions: [{ ...defaultOffsetCommitRequestPartition(), partitionIndex: 1, committedOffset: 0n, commitTimestamp: v === 1 ? BigInt(T0 + 2) : -1n, committedMetadata: '' }],
      },
    ],
  }),
  response: (v) => ({
    throttleTimeMs: v >= 3 ? 15 : 0,
    topics: [
      { name: 'orders', partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 3, errorCode: 25 }] },
      { name: 'logs', partitions: [{ partitionIndex: 1, errorCode: 0 }] },
    ],
  }),
  expectResponse: (v) => {
    const responses = [
      { topic: 'orders', partitions: [{ partition: 0, errorCode: 0 }, { partition: 3, errorCode: 25 }] },
      { topic: 'logs', partitions: [{ partition: 1, errorCode: 0 }] },
    ];
    return v < 3 ? { responses } : { ...throttle(15, v >= 4), responses };
  },
});

/** kafkajs writes an empty topic list as null ("all committed offsets") from v3 on. */
const offsetFetchAll = (v: number): boolean => v === 3;

const offsetFetch = defineOracle({
  kafkajsName: 'OffsetFetch',
  apiKey: ApiKey.OffsetFetch,
  args: (v) => ({
    groupId: GROUP,
    topics: offsetFetchAll(v)
      ? []
      : [
          { topic: 'orders', partitions: [{ partition: 0 }, { partition: 3 }] },
          { topic: 'logs', partitions: [{ partition: 1 }] },
        ],
  }),
  expectRequest: (v) => ({
    groupId: GROUP,
    topics: offsetFetchAll(v)
      ? null
      : [
          { name: 'orders', partitionIndexes: [0, 3] },
          { name: 'logs', partitionIndexes: [1] },
        ],
    requireStable: false,
  }),
  response: (v) => ({
    throttleTimeMs: v >= 3 ? 8 : 0,
    topics: [
      {
        name: 'orders',
        partitions: [
          { ...defaultOffsetFetchResponsePartition(), partitionIndex: 0, committedOffset: BIG_OFFSET, metadata: 'consumer-meta' },
          { ...defaultOffsetFetchResponsePartition(), partitionIndex: 3, committedOffset: -1n, metadata: null },
        ],
      },
      { name: 'logs', partitions: [{ ...defaultOffsetFetchResponsePartition(), partitionIndex: 1, committedOffset: 0n, metadata: '', errorCode: 3 }] },
    ],
    errorCode: v >= 2 ? 16 : 0,
  }),
  expectResponse: (v) => {
    const responses = [
      {
        topic: 'orders',
        partitions: [
          { partition: 0, offset: String(BIG_OFFSET), metadata: 'consumer-meta', errorCode: 0 },
          { partition: 3, offset: '-1', metadata: null, errorCode: 0 },
        ],
      },
      { topic: 'logs', partitions: [{ partition: 1, offset: '0', metadata: '', errorCode: 3 }] },
    ];
    if (v === 1) return { responses };
    if (v === 2) return { responses, errorCode: 16 };
    return { ...throttle(8, v >= 4), responses, errorCode: 16 };
  },
});

const findCoordinator = defineOracle({
  kafkajsName: 'GroupCoordinator',
  apiKey: ApiKey.FindCoordinator,
  args: () => ({ groupId: 'txn-producer-7', coordinatorType: 1 }),
  expectRequest: (v) => ({ key: 'txn-producer-7', keyType: v >= 1 ? 1 : 0 }),
  response: (v) => ({
    ...defaultFindCoordinatorResponse(),
    throttleTimeMs: v >= 1 ? 5 : 0,
    errorMessage: v === 1 ? null : v === 2 ? 'NONE' : '',
    nodeId: 2,
    host: 'broker-2.samsa.local',
    port: 19093,
  }),
  expectResponse: (v) => {
    const coordinator = { nodeId: 2, host: 'broker-2.samsa.local', port: 19093 };
    if (v === 0) return { errorCode: 0, coordinator };
    return { ...throttle(5, v >= 2), errorCode: 0, errorMessage: v === 1 ? null : 'NONE', coordinator };
  },
});

const joinGroup = defineOracle({
  kafkajsName: 'JoinGroup',
  apiKey: ApiKey.JoinGroup,
  args: () => ({
    groupId: GROUP,
    sessionTimeout: 30_000,
    rebalanceTimeout: 60_000,
    memberId: MEMBER,
    groupInstanceId: INSTANCE,
    protocolType: 'consumer',
    groupProtocols: [
      { name: 'RoundRobinAssigner', metadata: SUBSCRIPTION },
      { name: 'range' }, // kafkajs default: empty metadata
    ],
  }),
  expectRequest: (v) => ({
    groupId: GROUP,
    sessionTimeoutMs: 30_000,
    rebalanceTimeoutMs: v >= 1 ? 60_000 : -1,
    memberId: MEMBER,
    groupInstanceId: v >= 5 ? INSTANCE : null,
    protocolType: 'consumer',
    protocols: [
      { name: 'RoundRobinAssigner', metadata: SUBSCRIPTION },
      { name: 'range', metadata: Buffer.alloc(0) },
    ],
  }),
  response: (v) => ({
    ...defaultJoinGroupResponse(),
    throttleTimeMs: v >= 2 ? 3 : 0,
    generationId: 7,
    protocolName: 'RoundRobinAssigner',
    leader: MEMBER,
    memberId: 'consumer-2-a1',
    members: [
      { memberId: MEMBER, groupInstanceId: v >= 5 ? INSTANCE : null, metadata: SUBSCRIPTION },
      { memberId: 'consumer-2-a1', groupInstanceId: null, metadata: Buffer.alloc(0) },
    ],
  }),
  expectResponse: (v) => {
    const members =
      v >= 5
        ? [
            { memberId: MEMBER, groupInstanceId: INSTANCE, memberMetadata: SUBSCRIPTION },
            { memberId: 'consumer-2-a1', groupInstanceId: null, memberMetadata: Buffer.alloc(0) },
          ]
        : [
            { memberId: MEMBER, memberMetadata: SUBSCRIPTION },
            { memberId: 'consumer-2-a1', memberMetadata: Buffer.alloc(0) },
          ];
    const body = { errorCode: 0, generationId: 7, groupProtocol: 'RoundRobinAssigner', leaderId: MEMBER, memberId: 'consumer-2-a1', members };
    return v < 2 ? body : { ...throttle(3, v >= 3), ...body };
  },
});

const heartbeat = defineOracle({
  kafkajsName: 'Heartbeat',
  apiKey: ApiKey.Heartbeat,
  args: () => ({ groupId: GROUP, groupGenerationId: 7, memberId: MEMBER, groupInstanceId: INSTANCE }),
  expectRequest: (v) => ({ groupId: GROUP, generationId: 7, memberId: MEMBER, groupInstanceId: v >= 3 ? INSTANCE : null }),
  response: (v) => ({ throttleTimeMs: v >= 1 ? 4 : 0, errorCode: 27 }),
  expectResponse: (v) => (v === 0 ? { errorCode: 27 } : { ...throttle(4, v >= 2), errorCode: 27 }),
});

const leaveGroup = defineOracle({
  kafkajsName: 'LeaveGroup',
  apiKey: ApiKey.LeaveGroup,
  args: () => ({ groupId: GROUP, memberId: MEMBER, groupInstanceId: INSTANCE }),
  expectRequest: (v) =>
    v < 3
      ? { groupId: GROUP, memberId: MEMBER, members: [] }
      : { groupId: GROUP, memberId: '', members: [{ memberId: MEMBER, groupInstanceId: INSTANCE }] },
  response: (v) => ({
    throttleTimeMs: v >= 1 ? 2 : 0,
    errorCode: 0,
    members:
      v >= 3
        ? [
            { memberId: MEMBER, groupInstanceId: INSTANCE, errorCode: 0 },
            { memberId: 'consumer-9', groupInstanceId: null, errorCode: 25 },
          ]
        : [],
  }),
  expectResponse: (v) => {
    if (v === 0) return { errorCode: 0 };
    if (v < 3) return { ...throttle(2, v >= 2), errorCode: 0 };
    return {
      ...throttle(2, true),
      errorCode: 0,
      members: [
        { memberId: MEMBER, groupInstanceId: INSTANCE, errorCode: 0 },
        { memberId: 'consumer-9', groupInstanceId: null, errorCode: 25 },
      ],
    };
  },
});

const syncGroup = defineOracle({
  kafkajsName: 'SyncGroup',
  apiKey: ApiKey.SyncGroup,
  args: () => ({
    groupId: GROUP,
    generationId: 7,
    memberId: MEMBER,
    groupInstanceId: INSTANCE,
    groupAssignment: [
      { memberId: MEMBER, memberAssignment: ASSIGNMENT },
      { memberId: 'consumer-2-a1', memberAssignment: Buffer.alloc(0) },
    ],
  }),
  expectRequest: (v) => ({
    ...defaultSyncGroupRequest(),
    groupId: GROUP,
    generationId: 7,
    memberId: MEMBER,
    groupInstanceId: v >= 3 ? INSTANCE : null,
    assignments: [
      { memberId: MEMBER, assignment: ASSIGNMENT },
      { memberId: 'consumer-2-a1', assignment: Buffer.alloc(0) },
    ],
  }),
  response: (v) => ({ ...defaultSyncGroupResponse(), throttleTimeMs: v >= 1 ? 6 : 0, assignment: ASSIGNMENT }),
  expectResponse: (v) => {
    const body = { errorCode: 0, memberAssignment: ASSIGNMENT };
    return v === 0 ? body : { ...throttle(6, v >= 2), ...body };
  },
});

const describeGroups = defineOracle({
  kafkajsName: 'DescribeGroups',
  apiKey: ApiKey.DescribeGroups,
  args: () => ({ groupIds: [GROUP, 'group-b', 'ďéàd'] }),
  expectRequest: () => ({ groups: [GROUP, 'group-b', 'ďéàd'], includeAuthorizedOperations: false }),
  response: (v) => ({
    throttleTimeMs: v >= 1 ? 9 : 0,
    groups: [
      {
        ...defaultDescribedGroup(),
        groupId: GROUP,
        groupState: 'Stable',
        protocolType: 'consumer',
        protocolData: 'RoundRobinAssigner',
        members: [
          { ...defaultDescribedGroupMember(), memberId: MEMBER, clientId: 'payments', clientHost: '/10.0.0.17', memberMetadata: SUBSCRIPTION, memberAssignment: ASSIGNMENT },
          { ...defaultDescribedGroupMember(), memberId: 'consumer-2-a1', clientId: 'payments', clientHost: '/10.0.0.18' },
        ],
      },
      { ...defaultDescribedGroup(), errorCode: 16, groupId: 'group-b', groupState: 'Dead' },
      { ...defaultDescribedGroup(), groupId: 'ďéàd', groupState: 'Empty', protocolType: 'consumer' },
    ],
  }),
  expectResponse: (v) => {
    const group = (errorCode: number, groupId: string, state: string, protocolType: string, protocol: string, members: unknown[]): unknown => ({
      errorCode,
      groupId,
      state,
      protocolType,
      protocol,
      members,
    });
    const groups = [
      group(0, GROUP, 'Stable', 'consumer', 'RoundRobinAssigner', [
        { memberId: MEMBER, clientId: 'payments', clientHost: '/10.0.0.17', memberMetadata: SUBSCRIPTION, memberAssignment: ASSIGNMENT },
        { memberId: 'consumer-2-a1', clientId: 'payments', clientHost: '/10.0.0.18', memberMetadata: Buffer.alloc(0), memberAssignment: Buffer.alloc(0) },
      ]),
      group(16, 'group-b', 'Dead', '', '', []),
      group(0, 'ďéàd', 'Empty', 'consumer', '', []),
    ];
    return v === 0 ? { groups } : { ...throttle(9, v >= 2), groups };
  },
});

const listGroups = defineOracle({
  kafkajsName: 'ListGroups',
  apiKey: ApiKey.ListGroups,
  args: () => undefined,
  expectRequest: () => ({ statesFilter: [] }),
  response: (v) => ({
    throttleTimeMs: v >= 1 ? 1 : 0,
    errorCode: 0,
    groups: [
      { ...defaultListedGroup(), groupId: GROUP, protocolType: 'consumer' },
      { ...defaultListedGroup(), groupId: 'connect-cluster', protocolType: 'connect' },
      { ...defaultListedGroup(), groupId: 'simple', protocolType: '' },
    ],
  }),
  expectResponse: (v) => {
    const groups = [
      { groupId: GROUP, protocolType: 'consumer' },
      { groupId: 'connect-cluster', protocolType: 'connect' },
      { groupId: 'simple', protocolType: '' },
    ];
    return v === 0 ? { errorCode: 0, groups } : { ...throttle(1, v >= 2), errorCode: 0, groups };
  },
});

const deleteGroups = defineOracle({
  kafkajsName: 'DeleteGroups',
  apiKey: ApiKey.DeleteGroups,
  // kafkajs takes the group ids positionally here
  args: () => [GROUP, 'group-b'],
  expectRequest: () => ({ groupsNames: [GROUP, 'group-b'] }),
  response: () => ({
    throttleTimeMs: 11,
    results: [
      { groupId: GROUP, errorCode: 0 },
      { groupId: 'group-b', errorCode: 69 },
    ],
  }),
  expectResponse: (v) => {
    const body = {
      throttleTimeMs: 11,
      results: [
        { groupId: GROUP, errorCode: 0 },
        { groupId: 'group-b', errorCode: 69, error: expect.objectContaining({ type: 'GROUP_ID_NOT_FOUND' }) as unknown },
      ],
    };
    // kafkajs's v1 decoder copies `decoded.throttleTime`, which its v0 decoder never sets (it says throttleTimeMs)
    return v === 0 ? body : { ...body, throttleTime: 0, clientSideThrottleTime: undefined };
  },
});

export const GROUP_ORACLES: readonly Oracle[] = [
  offsetCommit,
  offsetFetch,
  findCoordinator,
  joinGroup,
  heartbeat,
  leaveGroup,
  syncGroup,
  describeGroups,
  listGroups,
  deleteGroups,
];
