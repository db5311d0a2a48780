import { createLogger } from '../common/logger';
import { MockScheduler } from '../common/scheduler';
import { MockTime } from '../common/time';
import { ApiKey, ErrorCode } from '../protocol';
import type { LeaderAndIsrRequest } from '../protocol/generated/leader-and-isr-request';
import { type KafkaZkClient, type LeaderIsrAndEpoch, type TopicPartition, tpKey } from '../zk/kafka-zk-client';
import type { ControllerChannelManager } from './channel-manager';
import { PartitionStateMachine } from './partition-state-machine';
import { ElectionType, ReplicaLeaderElection } from './preferred-replica-election';
import { ControllerBrokerRequestBatch } from './request-batch';
import { contextWithBrokers, memoryPartitionStates } from './testing/controller-fixture';

const logger = createLogger('test');

/** Partition state znodes and /admin/preferred_replica_election in memory (conditional updates on zkVersion). */
function memoryZk(states: Map<string, LeaderIsrAndEpoch>, admin: { partitions: TopicPartition[] | null }): KafkaZkClient {
  const zk = {
    ...memoryPartitionStates(states),
    getPreferredReplicaElection: () => Promise.resolve(admin.partitions ?? []),
    deletePreferredReplicaElection: () => {
      admin.partitions = null;
      return Promise.resolve();
    },
  };
  return zk as unknown as KafkaZkClient;
}

interface Options {
  percentage?: number;
  unclean?: boolean;
}

function setup(o: Options = {}) {
  const leaderAndIsrSent: { brokerId: number; request: LeaderAndIsrRequest }[] = [];
  const channel = {
    sendRequest: (brokerId: number, apiKey: number, _v: number, request: unknown) => {
      if (apiKey === ApiKey.LeaderAndIsr) leaderAndIsrSent.push({ brokerId, request: request as LeaderAndIsrRequest });
    },
  } as unknown as ControllerChannelManager;
  const context = contextWithBrokers();
  const states = new Map<string, LeaderIsrAndEpoch>();
  const add = (topic: string, partition: number, replicas: number[], leader: number, isr: number[] = [...replicas]): void => {
    const tp = { topic, partition };
    context.allTopics.add(topic);
    context.updatePartitionFullReplicaAssignment(tp, { replicas, addingReplicas: [], removingReplicas: [] });
    const state = { leaderAndIsr: { leader, leaderEpoch: 3, isr, zkVersion: 7 }, controllerEpoch: 5 };
    states.set(tpKey(tp), structuredClone(state));
    context.partitionLeadershipInfo.set(tpKey(tp), state);
    context.putPartitionState(tp, context.isReplicaOnline(leader) ? 'OnlinePartition' : 'OfflinePartition');
  };
  const admin: { partitions: TopicPartition[] | null } = { partitions: null };
  const zkClient = memoryZk(states, admin);
  const batch = new ControllerBrokerRequestBatch(2, 'PLAINTEXT', context, channel, { onStopReplicaDeletionResponse: () => undefined }, logger);
  const partitionStateMachine = new PartitionStateMachine({ context, zkClient, batch, logger, uncleanLeaderElectionEnabled: () => Promise.resolve(o.unclean ?? false) });
  const time = new MockTime();
  const scheduler = new MockScheduler(time);
  const queued: (() => Promise<void>)[] = [];
  const election = new ReplicaLeaderElection({
    context,
    zkClient,
    partitionStateMachine,
    logger,
    autoLeaderRebalanceEnable: true,
    leaderImbalancePerBrokerPercentage: o.percentage ?? 10,
    leaderImbalanceCheckIntervalMs: 300_000,
    scheduler,
    enqueue: (_name, process) => queued.push(process),
  });
  /** Runs the scheduler up to `ms` later and then the events it queued (the controller's event queue). */
  const advance = async (ms: number): Promise<void> => {
    await scheduler.tick(ms);
    for (const process of queued.splice(0)) await process();
  };
  return { context, states, admin, election, leaderAndIsrSent, add, advance, partitionStateMachine };
}

const tp = (topic: string, partition: number): TopicPartition => ({ topic, partition });
const codes = (results: { partition: TopicPartition; errorCode: number; leader: number }[]) =>
  Object.fromEntries(results.map((r) => [tpKey(r.partition), r.errorCode === 0 ? { leader: r.leader } : r.errorCode]));

describe('ElectLeaders PREFERRED (KafkaController.processReplicaLeaderElection)', () => {
  test('moves leadership to the preferred replica keeping the ISR and bumping the leader epoch; answers per partition as Kafka', async () => {
    const s = setup();
    s.add('t', 0, [1, 2, 3], 2, [2, 3, 1]);
    s.add('t', 1, [1, 2, 3], 1);
    s.add('t', 2, [3, 1, 2], 1, [1, 2]);
    s.add('gone', 0, [1, 2], 2);
    s.context.topicsToBeDeleted.add('gone');
    const results = await s.election.processReplicaLeaderElection([tp('t', 0), tp('t', 1), tp('t', 2), tp('gone', 0), tp('nope', 0), tp('t', 0)], ElectionType.PREFERRED, 'AdminClientTriggered');
    expect(codes(results)).toEqual({
      't-0': { leader: 1 },
      't-1': ErrorCode.ELECTION_NOT_NEEDED,
      't-2': ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE,
      'gone-0': ErrorCode.INVALID_TOPIC_EXCEPTION,
      'nope-0': ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    });
    expect(results.find((r) => r.partition.topic === 'nope')?.errorMessage).toBe('The partition does not exist.');
    expect(results.find((r) => r.partition.topic === 'gone')?.errorMessage).toBe('The topic is being deleted');
    expect(s.states.get('t-0')?.leaderAndIsr).toEqual({ leader: 1, leaderEpoch: 4, isr: [2, 3, 1], zkVersion: 8 });
    expect(s.context.partitionLeadershipInfo.get('t-0')?.leaderAndIsr.leader).toBe(1);
    // LeaderAndIsr goes to every live replica of the assignment.
    expect(s.leaderAndIsrSent.map((x) => x.brokerId).sort()).toEqual([1, 2, 3]);
  });

  test('a preferred replica that is shutting down cannot take leadership', async () => {
    const s = setup();
    s.add('t', 0, [1, 2], 2);
    s.context.shuttingDownBrokerIds.add(1);
    const results = await s.election.processReplicaLeaderElection([tp('t', 0)], ElectionType.PREFERRED, 'AdminClientTriggered');
    expect(codes(results)).toEqual({ 't-0': ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE });
  });
});

describe('ElectLeaders UNCLEAN', () => {
  test('partitions with a live leader need no election; an offline one is elected from outside the ISR even when the topic disallows it', async () => {
    const s = setup({ unclean: false });
    s.add('t', 0, [1, 2], 1);
    s.context.liveBrokers.delete(3);
    s.add('t', 1, [3, 2], 3, [3]);
    s.context.liveBrokers.delete(1);
    s.context.liveBrokers.delete(2);
    s.add('t', 2, [1, 2], -1, [1]);
    s.context.liveBrokers.set(2, { id: 2, epoch: 102n, registration: { version: 5, endpoints: [], jmxPort: -1, rack: null, features: {} } });
    s.context.liveBrokers.set(1, { id: 1, epoch: 101n, registration: { version: 5, endpoints: [], jmxPort: -1, rack: null, features: {} } });
    s.context.shuttingDownBrokerIds.add(1);
    s.context.shuttingDownBrokerIds.add(2);
    const none = await s.election.processReplicaLeaderElection([tp('t', 2)], ElectionType.UNCLEAN, 'AdminClientTriggered');
    expect(codes(none)).toEqual({ 't-2': ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE });
    s.context.shuttingDownBrokerIds.clear();
    const results = await s.election.processReplicaLeaderElection([tp('t', 0), tp('t', 1)], ElectionType.UNCLEAN, 'AdminClientTriggered');
    expect(codes(results)).toEqual({ 't-0': ErrorCode.ELECTION_NOT_NEEDED, 't-1': { leader: 2 } });
    expect(s.states.get('t-1')?.leaderAndIsr).toEqual({ leader: 2, leaderEpoch: 4, isr: [2], zkVersion: 8 });
  });
});

describe('/admin/preferred_replica_election (ZkTriggered)', () => {
  test('runs the listed elections and deletes the znode', async () => {
    const s = setup();
    s.add('t', 0, [1, 2, 3], 3);
    s.add('t', 1, [2, 1, 3], 1);
    s.admin.partitions = [tp('t', 0), tp('t', 1)];
    await s.election.processReplicaLeaderElection(null, ElectionType.PREFERRED, 'ZkTriggered');
    expect(s.states.get('t-0')?.leaderAndIsr.leader).toBe(1);
    expect(s.states.get('t-1')?.leaderAndIsr.leader).toBe(2);
    expect(s.admin.partitions).toBeNull();
  });

  test('an admin-triggered election leaves the znode alone', async () => {
    const s = setup();
    s.add('t', 0, [1, 2, 3], 3);
    s.admin.partitions = [tp('t', 0)];
    await s.election.processReplicaLeaderElection([tp('t', 0)], ElectionType.PREFERRED, 'AdminClientTriggered');
    expect(s.admin.partitions).toEqual([tp('t', 0)]);
  });

  test('failover finishes the pending elections (skipping completed ones and deleted topics) and deletes the znode', async () => {
    const s = setup();
    s.add('t', 0, [1, 2, 3], 3);
    s.add('t', 1, [2, 1, 3], 2);
    s.admin.partitions = [tp('t', 0), tp('t', 1), tp('deleted', 0)];
    await s.election.onControllerFailover();
    expect(s.states.get('t-0')?.leaderAndIsr).toMatchObject({ leader: 1, leaderEpoch: 4 });
    expect(s.states.get('t-1')?.leaderAndIsr).toMatchObject({ leader: 2, leaderEpoch: 3 });
    expect(s.admin.partitions).toBeNull();
    s.election.shutdown();
  });
});

describe('auto leader rebalance (checkAndTriggerAutoLeaderRebalance)', () => {
  test('first check 5 s after failover: a broker whose imbalance ratio exceeds the percentage gets its preferred leaderships back', async () => {
    const s = setup({ percentage: 10 });
    for (let p = 0; p < 4; p++) s.add('t', p, [1, 2, 3], p === 0 ? 2 : 1);
    s.add('u', 0, [2, 1, 3], 2);
    await s.election.onControllerFailover();
    await s.advance(4999);
    expect(s.states.get('t-0')?.leaderAndIsr.leader).toBe(2);
    await s.advance(1);
    expect(s.states.get('t-0')?.leaderAndIsr).toMatchObject({ leader: 1, leaderEpoch: 4 });
    expect(s.states.get('u-0')?.leaderAndIsr.leaderEpoch).toBe(3);
    // Rescheduled every leader.imbalance.check.interval.seconds.
    s.context.partitionLeadershipInfo.get('t-1')!.leaderAndIsr.leader = 3;
    s.states.get('t-1')!.leaderAndIsr.leader = 3;
    await s.advance(299_999);
    expect(s.states.get('t-1')?.leaderAndIsr.leader).toBe(3);
    await s.advance(1);
    expect(s.states.get('t-1')?.leaderAndIsr.leader).toBe(1);
    s.election.shutdown();
    s.states.get('t-1')!.leaderAndIsr.leader = 3;
    s.context.partitionLeadershipInfo.get('t-1')!.leaderAndIsr.leader = 3;
    await s.advance(600_000);
    expect(s.states.get('t-1')?.leaderAndIsr.leader).toBe(3);
  });

  test('a ratio at or below leader.imbalance.per.broker.percentage triggers nothing', async () => {
    const s = setup({ percentage: 25 });
    for (let p = 0; p < 4; p++) s.add('t', p, [1, 2, 3], p === 0 ? 2 : 1);
    await s.election.checkAndTriggerAutoLeaderRebalance();
    expect(s.states.get('t-0')?.leaderAndIsr.leader).toBe(2);
  });

  test('skips preferred replicas that are shutting down or out of the ISR, topics being deleted, and any ongoing reassignment', async () => {
    const s = setup({ percentage: 0 });
    s.add('t', 0, [1, 2], 2);
    s.add('t', 1, [3, 2], 2, [2]);
    s.add('d', 0, [1, 2], 2);
    s.context.topicsToBeDeleted.add('d');
    s.context.shuttingDownBrokerIds.add(1);
    await s.election.checkAndTriggerAutoLeaderRebalance();
    expect([s.states.get('t-0')?.leaderAndIsr.leader, s.states.get('t-1')?.leaderAndIsr.leader, s.states.get('d-0')?.leaderAndIsr.leader]).toEqual([2, 2, 2]);
    s.context.shuttingDownBrokerIds.clear();
    s.context.updatePartitionFullReplicaAssignment(tp('t', 1), { replicas: [3, 2, 1], addingReplicas: [1], removingReplicas: [] });
    await s.election.checkAndTriggerAutoLeaderRebalance();
    expect(s.states.get('t-0')?.leaderAndIsr.leader).toBe(2);
    s.context.updatePartitionFullReplicaAssignment(tp('t', 1), { replicas: [3, 2], addingReplicas: [], removingReplicas: [] });
    await s.election.checkAndTriggerAutoLeaderRebalance();
    expect(s.states.get('t-0')?.leaderAndIsr.leader).toBe(1);
    expect(s.states.get('d-0')?.leaderAndIsr.leader).toBe(2);
  });
});

describe("PartitionStateMachine 'reassign' strategy (ReassignPartitionLeaderElectionStrategy)", () => {
  test('elects the first live in-sync target replica, keeps the ISR, and tells only the target replicas', async () => {
    const s = setup();
    s.add('t', 0, [1, 2, 3], 1, [1, 2, 3]);
    s.context.updatePartitionFullReplicaAssignment(tp('t', 0), { replicas: [3, 2, 1], addingReplicas: [], removingReplicas: [1] });
    const r = await s.partitionStateMachine.handleStateChanges([tp('t', 0)], 'OnlinePartition', 'reassign');
    expect(r.succeeded).toEqual([tp('t', 0)]);
    expect(s.states.get('t-0')?.leaderAndIsr).toEqual({ leader: 3, leaderEpoch: 4, isr: [1, 2, 3], zkVersion: 8 });
    expect(s.leaderAndIsrSent.map((x) => x.brokerId).sort()).toEqual([2, 3]);
  });

  test('fails with no live in-sync target replica', async () => {
    const s = setup();
    s.add('t', 0, [1, 2], 1, [1]);
    s.context.updatePartitionFullReplicaAssignment(tp('t', 0), { replicas: [2, 1], addingReplicas: [2], removingReplicas: [1] });
    const r = await s.partitionStateMachine.handleStateChanges([tp('t', 0)], 'OnlinePartition', 'reassign');
    expect(r.failed.get('t-0')?.error.name).toBe('StateChangeFailedError');
  });
});
