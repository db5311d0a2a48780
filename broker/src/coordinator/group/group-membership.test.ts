import pino from 'pino';
import { MockScheduler } from '../../common/scheduler';
import { MockTime } from '../../common/time';
import type { ErrorCodeName } from '../../protocol';
import { GroupMembership as GroupCoordinator, type GroupConfig, type GroupStatus, type JoinGroupParams } from './group-membership';
import type { GroupMetadata } from './group-metadata';
import type { JoinGroupResult, SyncGroupResult } from './member-metadata';

const CONFIG: GroupConfig = { groupMinSessionTimeoutMs: 6000, groupMaxSessionTimeoutMs: 1_800_000, groupInitialRebalanceDelayMs: 3000, groupMaxSize: 1000 };

interface Stored {
  groupId: string;
  generationId: number;
  assignment: Map<string, Buffer>;
}

function setup(config: Partial<GroupConfig> = {}): {
  coordinator: GroupCoordinator;
  scheduler: MockScheduler;
  stored: Stored[];
  setStoreError(e: ErrorCodeName): void;
  setStatus(s: GroupStatus): void;
} {
  const time = new MockTime();
  const scheduler = new MockScheduler(time);
  const stored: Stored[] = [];
  let storeError: ErrorCodeName = 'NONE';
  let status: GroupStatus = 'NONE';
  let n = 0;
  const groups = new Map<string, GroupMetadata>();
  const coordinator = new GroupCoordinator({
    config: { ...CONFIG, ...config },
    groups: {
      getGroup: (id) => groups.get(id),
      addGroup: (g) => {
        if (!groups.has(g.groupId)) groups.set(g.groupId, g);
        return groups.get(g.groupId) ?? g;
      },
    },
    store: {
      storeGroup: (group: GroupMetadata, assignment: ReadonlyMap<string, Buffer>) => {
        stored.push({ groupId: group.groupId, generationId: group.generationId, assignment: new Map(assignment) });
        return Promise.resolve(storeError);
      },
    },
    groupStatus: () => status,
    time,
    scheduler,
    logger: pino({ level: 'silent' }),
    newUuid: () => `uuid${++n}`,
  });
  return { coordinator, scheduler, stored, setStoreError: (e) => (storeError = e), setStatus: (s) => (status = s) };
}

const meta = (s: string): Buffer => Buffer.from(s);

function join(overrides: Partial<JoinGroupParams> = {}): JoinGroupParams {
  return {
    groupId: 'g',
    memberId: '',
    groupInstanceId: null,
    requireKnownMemberId: true,
    clientId: 'client',
    clientHost: '/127.0.0.1',
    rebalanceTimeoutMs: 10_000,
    sessionTimeoutMs: 10_000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: meta('m') }],
    ...overrides,
  };
}

/** Runs queued promise callbacks (the store's resolutions). */
const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

type Pending<T> = { settled: boolean; value: T | undefined; promise: Promise<T> };
function track<T>(promise: Promise<T>): Pending<T> {
  const p: Pending<T> = { settled: false, value: undefined, promise };
  void promise.then((v) => {
    p.settled = true;
    p.value = v;
  });
  return p;
}

/** Handshake + join: returns the member id assigned by MEMBER_ID_REQUIRED and the parked join. */
async function joinNew(c: GroupCoordinator, overrides: Partial<JoinGroupParams> = {}): Promise<{ memberId: string; joined: Pending<JoinGroupResult> }> {
  const first = await c.handleJoinGroup(join(overrides));
  expect(first.error).toBe('MEMBER_ID_REQUIRED');
  return { memberId: first.memberId, joined: track(c.handleJoinGroup(join({ ...overrides, memberId: first.memberId }))) };
}

async function stableGroupOfTwo(c: GroupCoordinator, scheduler: MockScheduler): Promise<{ leader: string; follower: string; generation: number }> {
  const a = await joinNew(c, { clientId: 'a' });
  const b = await joinNew(c, { clientId: 'b' });
  await scheduler.tick(6000);
  const ra = a.joined.value;
  const rb = b.joined.value;
  if (ra === undefined || rb === undefined) throw new Error('join did not complete');
  const followerSync = track(c.handleSyncGroup({ groupId: 'g', generationId: rb.generationId, memberId: b.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: new Map() }));
  await c.handleSyncGroup({
    groupId: 'g',
    generationId: ra.generationId,
    memberId: a.memberId,
    groupInstanceId: null,
    protocolType: 'consumer',
    protocolName: 'range',
    assignments: new Map([[a.memberId, meta('A')], [b.memberId, meta('B')]]),
  });
  await flush();
  expect(followerSync.value?.error).toBe('NONE');
  return { leader: a.memberId, follower: b.memberId, generation: ra.generationId };
}

describe('GroupCoordinator JoinGroup', () => {
  test('JoinGroup v4+ without a member id answers MEMBER_ID_REQUIRED with <client.id>-<uuid> and adds no member (KIP-394)', async () => {
    const { coordinator } = setup();
    const r = await coordinator.handleJoinGroup(join({ clientId: 'consumer-1' }));
    expect(r.error).toBe('MEMBER_ID_REQUIRED');
    expect(r.memberId).toBe('consumer-1-uuid1');
    expect(coordinator.group('g')?.size).toBe(0);
    expect(coordinator.group('g')?.pendingMembers.has('consumer-1-uuid1')).toBe(true);
  });

  test('the first rebalance of an empty group waits group.initial.rebalance.delay.ms, extended by each member joining meanwhile', async () => {
    const { coordinator, scheduler } = setup();
    const a = await joinNew(coordinator, { clientId: 'a' });
    expect(coordinator.group('g')?.state).toBe('PreparingRebalance');
    await scheduler.tick(2000);
    const b = await joinNew(coordinator, { clientId: 'b' });
    await scheduler.tick(3500); // first delay over at 3 s, but a member was added: extended to 6 s
    expect(a.joined.settled).toBe(false);
    await scheduler.tick(500);
    await flush();
    expect(a.joined.value?.error).toBe('NONE');
    expect(b.joined.value?.error).toBe('NONE');
    expect(a.joined.value?.generationId).toBe(1);
    expect(a.joined.value?.leaderId).toBe(a.memberId);
    // The leader gets every member's metadata for the chosen protocol; followers get none.
    expect(a.joined.value?.members.map((m) => m.memberId)).toEqual([a.memberId, b.memberId]);
    expect(b.joined.value?.members).toEqual([]);
    expect(coordinator.group('g')?.state).toBe('CompletingRebalance');
  });

  test('the protocol is the one every member supports that most members prefer', async () => {
    const { coordinator, scheduler } = setup({ groupInitialRebalanceDelayMs: 0 });
    const both = (first: string, second: string) => [{ name: first, metadata: meta(first) }, { name: second, metadata: meta(second) }];
    const a = await joinNew(coordinator, { protocols: [...both('roundrobin', 'range'), { name: 'sticky', metadata: meta('s') }] });
    const b = await joinNew(coordinator, { protocols: both('range', 'roundrobin') });
    const c = await joinNew(coordinator, { protocols: both('range', 'roundrobin') });
    await scheduler.tick(0);
    for (const m of [a, b, c]) expect(m.joined.value?.protocolName).toBe('range');
    expect(a.joined.value?.members.find((m) => m.memberId === a.memberId)?.metadata.toString()).toBe('range');
  });

  test('INCONSISTENT_GROUP_PROTOCOL for a member with another protocol type or no protocol in common', async () => {
    const { coordinator } = setup();
    await joinNew(coordinator);
    expect((await coordinator.handleJoinGroup(join({ protocolType: 'connect' }))).error).toBe('INCONSISTENT_GROUP_PROTOCOL');
    expect((await coordinator.handleJoinGroup(join({ protocols: [{ name: 'roundrobin', metadata: meta('x') }] }))).error).toBe('INCONSISTENT_GROUP_PROTOCOL');
    expect((await coordinator.handleJoinGroup(join({ groupId: 'h', protocolType: '' }))).error).toBe('INCONSISTENT_GROUP_PROTOCOL');
  });

  test('request checks: INVALID_GROUP_ID, INVALID_SESSION_TIMEOUT, the coordinator status, UNKNOWN_MEMBER_ID for a named member of an unknown group', async () => {
    const { coordinator, setStatus } = setup();
    expect((await coordinator.handleJoinGroup(join({ groupId: '' }))).error).toBe('INVALID_GROUP_ID');
    expect((await coordinator.handleJoinGroup(join({ sessionTimeoutMs: 5999 }))).error).toBe('INVALID_SESSION_TIMEOUT');
    expect((await coordinator.handleJoinGroup(join({ sessionTimeoutMs: 1_800_001 }))).error).toBe('INVALID_SESSION_TIMEOUT');
    expect((await coordinator.handleJoinGroup(join({ memberId: 'ghost' }))).error).toBe('UNKNOWN_MEMBER_ID');
    setStatus('NOT_COORDINATOR');
    expect((await coordinator.handleJoinGroup(join())).error).toBe('NOT_COORDINATOR');
    setStatus('COORDINATOR_LOAD_IN_PROGRESS');
    expect((await coordinator.handleJoinGroup(join())).error).toBe('COORDINATOR_LOAD_IN_PROGRESS');
  });

  test('JoinGroup v0-3 (no MEMBER_ID_REQUIRED) adds the member at once', async () => {
    const { coordinator, scheduler } = setup({ groupInitialRebalanceDelayMs: 0 });
    const r = track(coordinator.handleJoinGroup(join({ requireKnownMemberId: false, clientId: 'old' })));
    await scheduler.tick(0);
    expect(r.value?.error).toBe('NONE');
    expect(r.value?.memberId).toBe('old-uuid1');
    expect(r.value?.leaderId).toBe('old-uuid1');
  });

  test('group.max.size refuses a member beyond the limit with GROUP_MAX_SIZE_REACHED', async () => {
    const { coordinator, scheduler } = setup({ groupMaxSize: 1, groupInitialRebalanceDelayMs: 0 });
    await joinNew(coordinator);
    await scheduler.tick(0);
    const second = await coordinator.handleJoinGroup(join({ requireKnownMemberId: false }));
    expect(second.error).toBe('GROUP_MAX_SIZE_REACHED');
  });
});

describe('GroupCoordinator SyncGroup and Heartbeat', () => {
  test("the leader's SyncGroup stores the assignment and answers every parked member with its own; the group becomes Stable", async () => {
    const { coordinator, scheduler, stored } = setup();
    const { leader, follower, generation } = await stableGroupOfTwo(coordinator, scheduler);
    expect(coordinator.group('g')?.state).toBe('Stable');
    expect(stored.at(-1)?.generationId).toBe(generation);
    expect([...(stored.at(-1)?.assignment.keys() ?? [])].sort()).toEqual([leader, follower].sort());
    // In Stable a SyncGroup returns the stored assignment.
    const again = await coordinator.handleSyncGroup({ groupId: 'g', generationId: generation, memberId: follower, groupInstanceId: null, protocolType: null, protocolName: null, assignments: new Map() });
    expect(again.assignment.toString()).toBe('B');
  });

  test('SyncGroup errors: ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, INCONSISTENT_GROUP_PROTOCOL, REBALANCE_IN_PROGRESS while loading', async () => {
    const { coordinator, scheduler, setStatus } = setup();
    const { leader, generation } = await stableGroupOfTwo(coordinator, scheduler);
    const sync = (o: { generationId?: number; memberId?: string; protocolName?: string | null }): Promise<SyncGroupResult> =>
      coordinator.handleSyncGroup({ groupId: 'g', generationId: o.generationId ?? generation, memberId: o.memberId ?? leader, groupInstanceId: null, protocolType: null, protocolName: o.protocolName ?? null, assignments: new Map() });
    expect((await sync({ generationId: generation + 1 })).error).toBe('ILLEGAL_GENERATION');
    expect((await sync({ memberId: 'nobody' })).error).toBe('UNKNOWN_MEMBER_ID');
    expect((await sync({ protocolName: 'roundrobin' })).error).toBe('INCONSISTENT_GROUP_PROTOCOL');
    setStatus('COORDINATOR_LOAD_IN_PROGRESS');
    expect((await sync({})).error).toBe('REBALANCE_IN_PROGRESS');
  });

  test('a failed write of the assignment answers the parked SyncGroups with the error and starts a new rebalance', async () => {
    const { coordinator, scheduler, setStoreError } = setup();
    const a = await joinNew(coordinator, { clientId: 'a' });
    const b = await joinNew(coordinator, { clientId: 'b' });
    await scheduler.tick(6000);
    const gen = a.joined.value?.generationId ?? -1;
    const followerSync = track(coordinator.handleSyncGroup({ groupId: 'g', generationId: gen, memberId: b.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: new Map() }));
    setStoreError('NOT_COORDINATOR');
    const leaderSync = await coordinator.handleSyncGroup({ groupId: 'g', generationId: gen, memberId: a.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: new Map([[a.memberId, meta('A')]]) });
    await flush();
    expect(leaderSync.error).toBe('NOT_COORDINATOR');
    expect(followerSync.value?.error).toBe('NOT_COORDINATOR');
    expect(coordinator.group('g')?.state).toBe('PreparingRebalance');
  });

  test('heartbeats: NONE when Stable, ILLEGAL_GENERATION for an old generation, UNKNOWN_MEMBER_ID for a stranger, NONE while loading', async () => {
    const { coordinator, scheduler, setStatus } = setup();
    const { leader, generation } = await stableGroupOfTwo(coordinator, scheduler);
    expect(coordinator.handleHeartbeat('g', leader, null, generation)).toBe('NONE');
    expect(coordinator.handleHeartbeat('g', leader, null, generation - 1)).toBe('ILLEGAL_GENERATION');
    expect(coordinator.handleHeartbeat('g', 'x', null, generation)).toBe('UNKNOWN_MEMBER_ID');
    expect(coordinator.handleHeartbeat('other', 'x', null, 1)).toBe('UNKNOWN_MEMBER_ID');
    setStatus('COORDINATOR_LOAD_IN_PROGRESS');
    expect(coordinator.handleHeartbeat('g', 'x', null, 99)).toBe('NONE');
  });

  test('a member silent for session.timeout.ms is removed and the others are told REBALANCE_IN_PROGRESS, then form the next generation', async () => {
    const { coordinator, scheduler } = setup();
    const { leader, follower, generation } = await stableGroupOfTwo(coordinator, scheduler);
    for (let i = 0; i < 2; i++) {
      await scheduler.tick(4000);
      expect(coordinator.handleHeartbeat('g', leader, null, generation)).toBe('NONE');
    }
    await scheduler.tick(4000);
    // The follower sent nothing for 12 s > 10 s session timeout.
    expect(coordinator.group('g')?.has(follower)).toBe(false);
    expect(coordinator.handleHeartbeat('g', leader, null, generation)).toBe('REBALANCE_IN_PROGRESS');
    const rejoin = await coordinator.handleJoinGroup(join({ memberId: leader }));
    expect(rejoin.error).toBe('NONE');
    expect(rejoin.generationId).toBe(generation + 1);
    expect(rejoin.members.map((m) => m.memberId)).toEqual([leader]);
  });

  test('a dynamic member that does not rejoin within the rebalance timeout is dropped from the next generation', async () => {
    const { coordinator, scheduler } = setup();
    const { leader, follower, generation } = await stableGroupOfTwo(coordinator, scheduler);
    const rejoin = track(coordinator.handleJoinGroup(join({ memberId: leader, protocols: [{ name: 'range', metadata: meta('changed') }] })));
    await scheduler.tick(9000);
    expect(coordinator.handleHeartbeat('g', follower, null, generation)).toBe('REBALANCE_IN_PROGRESS');
    expect(rejoin.settled).toBe(false);
    await scheduler.tick(1000);
    expect(rejoin.value?.generationId).toBe(generation + 1);
    expect(rejoin.value?.members.map((m) => m.memberId)).toEqual([leader]);
  });

  test('a member that never sends SyncGroup within the rebalance timeout is removed and the group rebalances (DelayedSync)', async () => {
    const { coordinator, scheduler } = setup();
    const a = await joinNew(coordinator, { clientId: 'a' });
    const b = await joinNew(coordinator, { clientId: 'b' });
    await scheduler.tick(6000);
    const gen = a.joined.value?.generationId ?? -1;
    await coordinator.handleSyncGroup({ groupId: 'g', generationId: gen, memberId: a.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: new Map() });
    await flush();
    expect(coordinator.group('g')?.state).toBe('Stable');
    await scheduler.tick(5000);
    expect(coordinator.handleHeartbeat('g', a.memberId, null, gen)).toBe('NONE');
    await scheduler.tick(5000);
    expect(coordinator.group('g')?.has(b.memberId)).toBe(false);
    expect(coordinator.group('g')?.state).toBe('PreparingRebalance');
  });

  test('a pending member (MEMBER_ID_REQUIRED) that never comes back expires after its session timeout', async () => {
    const { coordinator, scheduler } = setup();
    const first = await coordinator.handleJoinGroup(join());
    await scheduler.tick(10_000);
    expect(coordinator.group('g')?.pendingMembers.has(first.memberId)).toBe(false);
  });
});

describe('GroupCoordinator LeaveGroup', () => {
  test('a member leaving triggers a rebalance; unknown members get UNKNOWN_MEMBER_ID per member (LeaveGroup v3+ batch)', async () => {
    const { coordinator, scheduler } = setup();
    const { leader, follower } = await stableGroupOfTwo(coordinator, scheduler);
    const r = coordinator.handleLeaveGroup('g', [
      { memberId: follower, groupInstanceId: null },
      { memberId: 'ghost', groupInstanceId: null },
    ]);
    expect(r.error).toBe('NONE');
    expect(r.members.map((m) => m.error)).toEqual(['NONE', 'UNKNOWN_MEMBER_ID']);
    expect(coordinator.group('g')?.state).toBe('PreparingRebalance');
    expect(coordinator.group('g')?.has(leader)).toBe(true);
  });

  test('the last member leaving ends in Empty with a bumped generation and an empty group record', async () => {
    const { coordinator, scheduler, stored } = setup({ groupInitialRebalanceDelayMs: 0 });
    const a = await joinNew(coordinator);
    await scheduler.tick(0);
    const gen = a.joined.value?.generationId ?? -1;
    coordinator.handleLeaveGroup('g', [{ memberId: a.memberId, groupInstanceId: null }]);
    await scheduler.tick(0);
    await flush();
    expect(coordinator.group('g')?.state).toBe('Empty');
    expect(coordinator.group('g')?.generationId).toBe(gen + 1);
    expect(stored.at(-1)).toEqual({ groupId: 'g', generationId: gen + 1, assignment: new Map() });
  });

  test('LeaveGroup of an unknown group lists each member as UNKNOWN_MEMBER_ID', () => {
    const { coordinator } = setup();
    expect(coordinator.handleLeaveGroup('none', [{ memberId: 'm', groupInstanceId: null }]).members[0]?.error).toBe('UNKNOWN_MEMBER_ID');
  });
});

describe('GroupCoordinator static membership (KIP-345)', () => {
  async function stableStaticGroup(c: GroupCoordinator, scheduler: MockScheduler): Promise<{ a: string; b: string; gen: number }> {
    const ja = track(c.handleJoinGroup(join({ groupInstanceId: 'ia', clientId: 'a', sessionTimeoutMs: 30_000 })));
    const jb = track(c.handleJoinGroup(join({ groupInstanceId: 'ib', clientId: 'b', sessionTimeoutMs: 30_000 })));
    await scheduler.tick(6000);
    const a = ja.value?.memberId ?? '';
    const b = jb.value?.memberId ?? '';
    expect(a).toBe('ia-uuid1');
    const gen = ja.value?.generationId ?? -1;
    const syncB = track(c.handleSyncGroup({ groupId: 'g', generationId: gen, memberId: b, groupInstanceId: 'ib', protocolType: null, protocolName: null, assignments: new Map() }));
    await c.handleSyncGroup({ groupId: 'g', generationId: gen, memberId: a, groupInstanceId: 'ia', protocolType: null, protocolName: null, assignments: new Map([[a, meta('A')], [b, meta('B')]]) });
    await flush();
    expect(syncB.value?.assignment.toString()).toBe('B');
    return { a, b, gen };
  }

  test('a static member restarting within the session timeout rejoins without a rebalance: same generation, old leader named, new member id', async () => {
    const { coordinator, scheduler } = setup();
    const { a, b, gen } = await stableStaticGroup(coordinator, scheduler);
    const r = await coordinator.handleJoinGroup(join({ groupInstanceId: 'ib', clientId: 'b' }));
    await flush();
    expect(r.error).toBe('NONE');
    expect(r.memberId).toBe('ib-uuid3');
    expect(r.generationId).toBe(gen);
    expect(r.leaderId).toBe(a);
    expect(r.members).toEqual([]);
    expect(coordinator.group('g')?.state).toBe('Stable');
    const sync = await coordinator.handleSyncGroup({ groupId: 'g', generationId: gen, memberId: r.memberId, groupInstanceId: 'ib', protocolType: null, protocolName: null, assignments: new Map() });
    expect(sync.assignment.toString()).toBe('B');
    // The old incarnation is fenced.
    expect(coordinator.handleHeartbeat('g', b, 'ib', gen)).toBe('FENCED_INSTANCE_ID');
  });

  test('static members are kept (not dropped) when they miss a rebalance, and leave by group.instance.id', async () => {
    const { coordinator, scheduler } = setup();
    const { a, b } = await stableStaticGroup(coordinator, scheduler);
    track(coordinator.handleJoinGroup(join({ memberId: a, groupInstanceId: 'ia', protocols: [{ name: 'range', metadata: meta('new') }] })));
    await scheduler.tick(10_000);
    expect(coordinator.group('g')?.generationId).toBe(2);
    expect(coordinator.group('g')?.has(b)).toBe(true);
    const left = coordinator.handleLeaveGroup('g', [{ memberId: '', groupInstanceId: 'ib' }]);
    expect(left.members[0]?.error).toBe('NONE');
    expect(coordinator.group('g')?.has(b)).toBe(false);
  });

  test('a request naming a static instance with a different member id gets FENCED_INSTANCE_ID', async () => {
    const { coordinator, scheduler } = setup();
    const { gen } = await stableStaticGroup(coordinator, scheduler);
    expect((await coordinator.handleJoinGroup(join({ memberId: 'impostor', groupInstanceId: 'ia' }))).error).toBe('FENCED_INSTANCE_ID');
    expect(coordinator.handleHeartbeat('g', 'impostor', 'ia', gen)).toBe('FENCED_INSTANCE_ID');
    expect(coordinator.handleLeaveGroup('g', [{ memberId: 'impostor', groupInstanceId: 'ia' }]).members[0]?.error).toBe('FENCED_INSTANCE_ID');
  });
});
