/**
 * Kafka's ControllerContext: the controller's in-memory view of the cluster, loaded from ZooKeeper on
 * failover and kept current by the event handlers (live brokers with epochs, topics, topic ids, replica
 * assignments, partition leadership, and the partition / replica states of the state machines).
 */
import type { BrokerInfo, LeaderIsrAndEpoch, TopicPartition } from '../zk/kafka-zk-client';
import { tpKey } from '../zk/kafka-zk-client';
import type { PartitionAssignment } from '../zk/znodes';
import type { PartitionState, ReplicaState } from './states';

/** Kafka's PartitionAndReplica. */
export interface PartitionAndReplica {
  topic: string;
  partition: number;
  replica: number;
}

function replicaKey(r: PartitionAndReplica): string {
  return `${r.topic}-${r.partition}:${r.replica}`;
}

export class ControllerContext {
  epoch = 0;
  epochZkVersion = 0;
  /** Registered brokers: live or shutting down (Kafka's liveOrShuttingDownBrokers). */
  readonly liveBrokers = new Map<number, BrokerInfo>();
  /** Brokers in controlled shutdown: still registered, no longer eligible as leaders or ISR members. */
  readonly shuttingDownBrokerIds = new Set<number>();
  readonly allTopics = new Set<string>();
  readonly topicIds = new Map<string, string>();
  private readonly assignments = new Map<string, Map<number, PartitionAssignment>>();
  readonly partitionLeadershipInfo = new Map<string, LeaderIsrAndEpoch>();
  private readonly partitionStates = new Map<string, PartitionState>();
  private readonly replicaStates = new Map<string, ReplicaState>();
  readonly topicsToBeDeleted = new Set<string>();
  readonly topicsWithDeletionStarted = new Set<string>();
  readonly topicsIneligibleForDeletion = new Set<string>();

  reset(): void {
    this.epoch = 0;
    this.epochZkVersion = 0;
    this.liveBrokers.clear();
    this.shuttingDownBrokerIds.clear();
    this.allTopics.clear();
    this.topicIds.clear();
    this.assignments.clear();
    this.partitionLeadershipInfo.clear();
    this.partitionStates.clear();
    this.replicaStates.clear();
    this.topicsToBeDeleted.clear();
    this.topicsWithDeletionStarted.clear();
    this.topicsIneligibleForDeletion.clear();
  }

  // ---- brokers ---------------------------------------------------------------------------------

  /** Live or shutting-down broker ids, sorted: UpdateMetadata goes to (and lists) all of them. */
  liveBrokerIds(): number[] {
    return [...this.liveBrokers.keys()].sort((a, b) => a - b);
  }

  liveBrokerEpoch(id: number): bigint | undefined {
    return this.liveBrokers.get(id)?.epoch;
  }

  /** Live and not shutting down (Kafka's isReplicaOnline with includeShuttingDownBrokers = false). */
  isReplicaOnline(brokerId: number): boolean {
    return this.liveBrokers.has(brokerId) && !this.shuttingDownBrokerIds.has(brokerId);
  }

  isLiveOrShuttingDown(brokerId: number): boolean {
    return this.liveBrokers.has(brokerId);
  }

  /** Brokers eligible for leadership: live and not shutting down. */
  liveBrokerIdSet(): Set<number> {
    return new Set([...this.liveBrokers.keys()].filter((id) => !this.shuttingDownBrokerIds.has(id)));
  }

  // ---- assignments -----------------------------------------------------------------------------

  partitionFullReplicaAssignment(tp: TopicPartition): PartitionAssignment | undefined {
    return this.assignments.get(tp.topic)?.get(tp.partition);
  }

  partitionReplicaAssignment(tp: TopicPartition): number[] {
    return this.partitionFullReplicaAssignment(tp)?.replicas ?? [];
  }

  updatePartitionFullReplicaAssignment(tp: TopicPartition, assignment: PartitionAssignment): void {
    let byPartition = this.assignments.get(tp.topic);
    if (byPartition === undefined) {
      byPartition = new Map();
      this.assignments.set(tp.topic, byPartition);
    }
    byPartition.set(tp.partition, assignment);
  }

  partitionsForTopic(topic: string): TopicPartition[] {
    const byPartition = this.assignments.get(topic);
    if (byPartition === undefined) return [];
    return [...byPartition.keys()].sort((a, b) => a - b).map((partition) => ({ topic, partition }));
  }

  allPartitions(): TopicPartition[] {
    return [...this.assignments.keys()].flatMap((t) => this.partitionsForTopic(t));
  }

  replicasForPartition(partitions: Iterable<TopicPartition>): PartitionAndReplica[] {
    const out: PartitionAndReplica[] = [];
    for (const tp of partitions) for (const replica of this.partitionReplicaAssignment(tp)) out.push({ ...tp, replica });
    return out;
  }

  replicasForTopic(topic: string): PartitionAndReplica[] {
    return this.replicasForPartition(this.partitionsForTopic(topic));
  }

  replicasOnBrokers(brokerIds: ReadonlySet<number>): PartitionAndReplica[] {
    return this.replicasForPartition(this.allPartitions()).filter((r) => brokerIds.has(r.replica));
  }

  partitionsLedByBroker(brokerId: number): TopicPartition[] {
    return this.allPartitions().filter((tp) => this.partitionLeadershipInfo.get(tpKey(tp))?.leaderAndIsr.leader === brokerId);
  }

  /** Partitions whose leader is not a live broker, excluding topics queued for deletion. */
  partitionsWithOfflineLeader(): TopicPartition[] {
    return this.allPartitions().filter((tp) => {
      const info = this.partitionLeadershipInfo.get(tpKey(tp));
      return info !== undefined && !this.isReplicaOnline(info.leaderAndIsr.leader) && !this.topicsToBeDeleted.has(tp.topic);
    });
  }

  /** Partitions with leadership info, except topics queued for deletion (what a new broker is told). */
  partitionsWithLeaders(): TopicPartition[] {
    return this.allPartitions().filter((tp) => this.partitionLeadershipInfo.has(tpKey(tp)) && !this.topicsToBeDeleted.has(tp.topic));
  }

  removeTopic(topic: string): void {
    for (const tp of this.partitionsForTopic(topic)) {
      this.partitionLeadershipInfo.delete(tpKey(tp));
      this.partitionStates.delete(tpKey(tp));
    }
    for (const key of [...this.replicaStates.keys()]) if (this.replicaTopic(key) === topic) this.replicaStates.delete(key);
    this.assignments.delete(topic);
    this.allTopics.delete(topic);
    this.topicIds.delete(topic);
    this.topicsToBeDeleted.delete(topic);
    this.topicsWithDeletionStarted.delete(topic);
    this.topicsIneligibleForDeletion.delete(topic);
  }

  /** The topic of a replica key (`topic-partition:replica`; topic names may contain '-' but not ':'). */
  private replicaTopic(key: string): string {
    const withoutReplica = key.slice(0, key.lastIndexOf(':'));
    return withoutReplica.slice(0, withoutReplica.lastIndexOf('-'));
  }

  // ---- states ----------------------------------------------------------------------------------

  partitionState(tp: TopicPartition): PartitionState {
    return this.partitionStates.get(tpKey(tp)) ?? 'NonExistentPartition';
  }

  putPartitionState(tp: TopicPartition, state: PartitionState): void {
    if (state === 'NonExistentPartition') this.partitionStates.delete(tpKey(tp));
    else this.partitionStates.set(tpKey(tp), state);
  }

  partitionsInStates(states: readonly PartitionState[]): TopicPartition[] {
    return this.allPartitions().filter((tp) => states.includes(this.partitionState(tp)));
  }

  replicaState(r: PartitionAndReplica): ReplicaState {
    return this.replicaStates.get(replicaKey(r)) ?? 'NonExistentReplica';
  }

  putReplicaState(r: PartitionAndReplica, state: ReplicaState): void {
    if (state === 'NonExistentReplica') this.replicaStates.delete(replicaKey(r));
    else this.replicaStates.set(replicaKey(r), state);
  }

  replicasInState(topic: string, state: ReplicaState): PartitionAndReplica[] {
    return this.replicasForTopic(topic).filter((r) => this.replicaState(r) === state);
  }

  areAllReplicasInState(topic: string, state: ReplicaState): boolean {
    return this.replicasForTopic(topic).every((r) => this.replicaState(r) === state);
  }

  isAnyReplicaInState(topic: string, state: ReplicaState): boolean {
    return this.replicasForTopic(topic).some((r) => this.replicaState(r) === state);
  }
}
