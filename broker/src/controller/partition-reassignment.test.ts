import { createLogger } from '../common/logger';
import { ApiKey } from '../protocol';
import type { LeaderAndIsrPartitionState, LeaderAndIsrRequest } from '../protocol/generated/leader-and-isr-request';
import type { StopReplicaRequest } from '../protocol/generated/stop-replica-request';
import { ZkError } from '../zk/errors';
import type { KafkaZkClient, LeaderIsrAndEpoch } from '../zk/kafka-zk-client';
import type { PartitionAssignment, PartitionReassignment } from '../zk/znodes';
import { PartitionReassignmentManager } from './partition-reassignment';
import { PartitionStateMachine } from './partition-state-machine';
import { ReplicaStateMachine } from './replica-state-machine';
import { ControllerBrokerRequestBatch } from './request-batch';
import { contextWithBrokers, memoryPartitionStates, recordingChannel, type SentRequest } from './testing/controller-fixture';
import type { TopicDeletionManager } from './topic-deletion-manager';

const logger = createLogger('test');
const tp = { topic: 't', partition: 0 };

/** /brokers/topics/t, the partition state znode and /admin/reassign_partitions in memory (conditional sets on version). */
function memoryZk() {
  const topic = { partitions: new Map<number, PartitionAssignment>([[0, { replicas: [1, 2], addingReplicas: [], removingReplicas: [] }]]), version: 0 };
  const states = new Map<string, LeaderIsrAndEpoch>([['t-0', { leaderAndIsr: { leader: 1, leaderEpoch: 3, isr: [1, 2], zkVersion: 7 }, controllerEpoch: 5 }]]);
  const legacy: { value: PartitionReassignment[] | null } = { value: null };
  const noWatch = () => Promise.resolve({ path: '', value: null, close: () => undefined });
  const zk = {
    zk: { watchData: noWatch, watchExists: noWatch },
    ...memoryPartitionStates(states),
    getReplicaAssignmentAndTopicIds: () => Promise.resolve(new Map([['t', { topic: 't', topicId: undefined, partitions: structuredClone(topic.partitions), zkVersion: topic.version }]])),
    setTopicAssignment: (_t: string, _id: string | undefined, partitions: ReadonlyMap<number, PartitionAssignment>, expected: number) => {
      if (expected !== topic.version) return Promise.reject(new ZkError('BADVERSION', -103, 'set', '/brokers/topics/t'));
      topic.partitions = structuredClone(new Map(partitions));
      return Promise.resolve(++topic.version);
    },
    getPartitionReassignment: () => Promise.resolve(legacy.value ?? []),
    setOrCreatePartitionReassignment: (r: PartitionReassignment[]) => void (legacy.value = r),
    deletePartitionReassignment: () => void (legacy.value = null),
  };
  return { zkClient: zk as unknown as KafkaZkClient, topic, states, legacy };
}

function setup() {
  const sent: SentRequest[] = [];
  const channel = recordingChannel(sent);
  const context = contextWithBrokers();
  const z = memoryZk();
  context.allTopics.add('t');
  context.updatePartitionFullReplicaAssignment(tp, { replicas: [1, 2], addingReplicas: [], removingReplicas: [] });
  context.partitionLeadershipInfo.set('t-0', structuredClone(z.states.get('t-0')!));
  context.putPartitionState(tp, 'OnlinePartition');
  for (const replica of [1, 2]) context.putReplicaState({ ...tp, replica }, 'OnlineReplica');
  const batch = new ControllerBrokerRequestBatch(1, 'PLAINTEXT', context, channel, { onStopReplicaDeletionResponse: () => undefined }, logger);
  const deleting = new Set<string>();
  const resumed: string[] = [];
  const topicDeletionManager = {
    isTopicQueuedUpForDeletion: (t: string) => deleting.has(t),
    resumeDeletionForTopics: (ts: string[]) => Promise.resolve(void resumed.push(...ts)),
  } as unknown as TopicDeletionManager;
  const manager = new PartitionReassignmentManager({
    context,
    zkClient: z.zkClient,
    batch,
    partitionStateMachine: new PartitionStateMachine({ context, zkClient: z.zkClient, batch, logger, uncleanLeaderElectionEnabled: () => Promise.resolve(false) }),
    replicaStateMachine: new ReplicaStateMachine({ context, zkClient: z.zkClient, batch, logger }),
    topicDeletionManager,
    deleteTopicEnable: true,
    logger,
    enqueue: () => undefined,
  });
  /** The leader writes a new ISR to the state znode, as a leader does when a follower catches up. */
  const isr = (ids: number[]): void => {
    const s = z.states.get('t-0')!;
    z.states.set('t-0', { ...s, leaderAndIsr: { ...s.leaderAndIsr, isr: ids, zkVersion: s.leaderAndIsr.zkVersion + 1 } });
  };
  return { manager, context, sent, deleting, resumed, isr, ...z };
}

function leaderAndIsrTo(sent: SentRequest[], brokerId: number): LeaderAndIsrPartitionState[] {
  return sent
    .filter((s) => s.brokerId === brokerId && s.apiKey === ApiKey.LeaderAndIsr)
    .flatMap((s) => (s.request as LeaderAndIsrRequest).topicStates.flatMap((t) => t.partitionStates));
}

function stopReplicasTo(sent: SentRequest[], brokerId: number): { leaderEpoch: number; deletePartition: boolean }[] {
  return sent
    .filter((s) => s.brokerId === brokerId && s.apiKey === ApiKey.StopReplica)
    .flatMap((s) => (s.request as StopReplicaRequest).topicStates.flatMap((t) => t.partitionStates))
    .map(({ leaderEpoch, deletePartition }) => ({ leaderEpoch, deletePartition }));
}

const moving = { replicas: [2, 3, 1], addingReplicas: [3], removingReplicas: [1] };

describe('controller: partition reassignment (KIP-455, onPartitionReassignment)', () => {
  it('phase U+A: writes RS = TRS ++ ORS with adding/removing to /brokers/topics, bumps the leader epoch and sends LeaderAndIsr to ORS and (isNew) AR', async () => {
    const { manager, topic, states, sent, context } = setup();
    const results = await manager.processApiPartitionReassignment([{ ...tp, replicas: [2, 3] }]);
    expect([...results.values()].map((r) => r.error.errorCode)).toEqual(['NONE']);
    expect(topic.partitions.get(0)).toEqual(moving);
    expect(context.partitionFullReplicaAssignment(tp)).toEqual(moving);
    expect(states.get('t-0')!.leaderAndIsr).toEqual({ leader: 1, leaderEpoch: 4, isr: [1, 2], zkVersion: 8 });
    for (const b of [1, 2]) expect(leaderAndIsrTo(sent, b)).toEqual([expect.objectContaining({ leader: 1, leaderEpoch: 4, replicas: [2, 3, 1], addingReplicas: [3], removingReplicas: [1], isNew: false })]);
    expect(leaderAndIsrTo(sent, 3)[0]).toMatchObject({ leaderEpoch: 4, replicas: [2, 3, 1], isNew: true });
    expect(context.replicaState({ ...tp, replica: 3 })).toBe('NewReplica');
    expect(manager.listPartitionReassignments(null)).toEqual([{ ...tp, assignment: moving }]);
  });

  it('waits while a target replica is outside the ISR; once TRS ⊆ ISR moves the leader into TRS, deletes RR and writes RS = TRS', async () => {
    const { manager, topic, states, sent, context, resumed, isr } = setup();
    await manager.processApiPartitionReassignment([{ ...tp, replicas: [2, 3] }]);
    await manager.processPartitionReassignmentIsrChange(tp);
    expect(topic.partitions.get(0)).toEqual(moving);
    sent.length = 0;

    isr([1, 2, 3]);
    await manager.processPartitionReassignmentIsrChange(tp);
    // Reassign election: the first target replica in the ISR leads; then 1 leaves the ISR (another epoch).
    expect(states.get('t-0')!.leaderAndIsr).toMatchObject({ leader: 2, leaderEpoch: 6, isr: [2, 3] });
    expect(leaderAndIsrTo(sent, 2).at(-1)).toMatchObject({ leader: 2, leaderEpoch: 6, isr: [2, 3], replicas: [2, 3], addingReplicas: [], removingReplicas: [] });
    expect(leaderAndIsrTo(sent, 1)).toEqual([]);
    // The removed replica is stopped (epoch read before its ISR removal), then deleted; both newer than its 4.
    expect(stopReplicasTo(sent, 1)).toEqual([
      { leaderEpoch: 5, deletePartition: false },
      { leaderEpoch: 6, deletePartition: true },
    ]);
    expect(topic.partitions.get(0)).toEqual({ replicas: [2, 3], addingReplicas: [], removingReplicas: [] });
    expect(context.replicaState({ ...tp, replica: 1 })).toBe('NonExistentReplica');
    expect(context.replicaState({ ...tp, replica: 3 })).toBe('OnlineReplica');
    expect(manager.listPartitionReassignments(null)).toEqual([]);
    expect(new Set(sent.filter((s) => s.apiKey === ApiKey.UpdateMetadata).map((s) => s.brokerId))).toEqual(new Set([1, 2, 3]));
    expect(resumed).toEqual(['t']);
  });

  it('keeps a leader that is in TRS and bumps its epoch so it learns the shrunk replica set', async () => {
    const { manager, states, sent, topic, isr } = setup();
    await manager.processApiPartitionReassignment([{ ...tp, replicas: [1, 3] }]);
    isr([1, 2, 3]);
    sent.length = 0;
    await manager.processPartitionReassignmentIsrChange(tp);
    expect(states.get('t-0')!.leaderAndIsr).toMatchObject({ leader: 1, isr: [1, 3] });
    expect(leaderAndIsrTo(sent, 1)[0]).toMatchObject({ leader: 1, leaderEpoch: 5, replicas: [1, 3], addingReplicas: [] });
    expect(stopReplicasTo(sent, 2).map((s) => s.deletePartition)).toEqual([false, true]);
    expect(topic.partitions.get(0)).toEqual({ replicas: [1, 3], addingReplicas: [], removingReplicas: [] });
  });

  it('cancelling (null replicas) reverts to the original replicas and stops and deletes the added one', async () => {
    const { manager, topic, sent } = setup();
    await manager.processApiPartitionReassignment([{ ...tp, replicas: [2, 3] }]);
    sent.length = 0;
    const results = await manager.processApiPartitionReassignment([{ ...tp, replicas: null }]);
    expect([...results.values()].map((r) => r.error.errorCode)).toEqual(['NONE']);
    expect(topic.partitions.get(0)).toEqual({ replicas: [2, 1], addingReplicas: [], removingReplicas: [] });
    expect(stopReplicasTo(sent, 3).map((s) => s.deletePartition)).toEqual([false, true]);
    expect(manager.listPartitionReassignments([tp])).toEqual([]);
    // Nothing left to cancel.
    const again = await manager.processApiPartitionReassignment([{ ...tp, replicas: null }]);
    expect([...again.values()].map((r) => r.error.errorCode)).toEqual(['NO_REASSIGNMENT_IN_PROGRESS']);
  });

  it('refuses invalid targets, unknown partitions and topics being deleted as Kafka does', async () => {
    const { manager, deleting, topic } = setup();
    const codes = async (replicas: number[] | null, p = tp) => [...(await manager.processApiPartitionReassignment([{ ...p, replicas }])).values()].map((r) => r.error.errorCode);
    expect(await codes([])).toEqual(['INVALID_REPLICA_ASSIGNMENT']);
    expect(await codes([2, 2])).toEqual(['INVALID_REPLICA_ASSIGNMENT']);
    expect(await codes([2, 7])).toEqual(['INVALID_REPLICA_ASSIGNMENT']);
    expect(await codes([1, 2], { topic: 'nope', partition: 0 })).toEqual(['UNKNOWN_TOPIC_OR_PARTITION']);
    deleting.add('t');
    expect(await codes([2, 3])).toEqual(['UNKNOWN_TOPIC_OR_PARTITION']);
    expect(topic.partitions.get(0)).toEqual({ replicas: [1, 2], addingReplicas: [], removingReplicas: [] });
  });

  it('/admin/reassign_partitions: starts the listed reassignments and drops each entry (then the znode) when it completes', async () => {
    const { manager, legacy, topic, isr } = setup();
    legacy.value = [{ ...tp, replicas: [2, 3] }];
    expect([...(await manager.processZkPartitionReassignment())]).toEqual(['t-0']);
    expect(topic.partitions.get(0)).toEqual(moving);
    expect(legacy.value).toEqual([{ ...tp, replicas: [2, 3] }]);
    isr([1, 2, 3]);
    await manager.processPartitionReassignmentIsrChange(tp);
    expect(legacy.value).toBeNull();
  });

  it('an API reassignment supersedes the same partition in /admin/reassign_partitions', async () => {
    const { manager, legacy } = setup();
    legacy.value = [{ ...tp, replicas: [2, 3] }, { topic: 'other', partition: 1, replicas: [1] }];
    await manager.processApiPartitionReassignment([{ ...tp, replicas: [1, 3] }]);
    expect(legacy.value).toEqual([{ topic: 'other', partition: 1, replicas: [1] }]);
  });

  it('failover: partitions loaded with adding/removing replicas are resumed', async () => {
    const { manager, context, states, sent } = setup();
    context.updatePartitionFullReplicaAssignment(tp, moving);
    manager.loadPartitionsBeingReassigned();
    await manager.initializePartitionReassignments();
    expect(states.get('t-0')!.leaderAndIsr.leaderEpoch).toBe(4);
    expect(leaderAndIsrTo(sent, 3)[0]).toMatchObject({ replicas: [2, 3, 1], addingReplicas: [3], isNew: true });
    expect(manager.listPartitionReassignments(null)).toEqual([{ ...tp, assignment: moving }]);
  });
});
