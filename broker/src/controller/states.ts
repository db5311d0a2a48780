/**
 * Kafka's partition and replica states (PartitionStateMachine.scala, ReplicaStateMachine.scala) as
 * explicit transition tables: a transition is valid only from the target state's listed previous
 * states. The state machines refuse (and log) anything else, as Kafka does.
 */

export type PartitionState = 'NewPartition' | 'OnlinePartition' | 'OfflinePartition' | 'NonExistentPartition';

export type ReplicaState =
  | 'NewReplica'
  | 'OnlineReplica'
  | 'OfflineReplica'
  | 'ReplicaDeletionStarted'
  | 'ReplicaDeletionSuccessful'
  | 'ReplicaDeletionIneligible'
  | 'NonExistentReplica';

/** Kafka's state bytes (PartitionState.state / ReplicaState.state), for logs. */
export const PARTITION_STATE_CODES: Readonly<Record<PartitionState, number>> = {
  NewPartition: 0,
  OnlinePartition: 1,
  OfflinePartition: 2,
  NonExistentPartition: 3,
};

export const REPLICA_STATE_CODES: Readonly<Record<ReplicaState, number>> = {
  NewReplica: 1,
  OnlineReplica: 2,
  OfflineReplica: 3,
  ReplicaDeletionStarted: 4,
  ReplicaDeletionSuccessful: 5,
  ReplicaDeletionIneligible: 6,
  NonExistentReplica: 7,
};

/** target state → valid previous states (Kafka's `validPreviousStates`). */
export const PARTITION_TRANSITIONS: Readonly<Record<PartitionState, readonly PartitionState[]>> = {
  NewPartition: ['NonExistentPartition'],
  OnlinePartition: ['NewPartition', 'OnlinePartition', 'OfflinePartition'],
  OfflinePartition: ['NewPartition', 'OnlinePartition', 'OfflinePartition'],
  NonExistentPartition: ['OfflinePartition'],
};

export const REPLICA_TRANSITIONS: Readonly<Record<ReplicaState, readonly ReplicaState[]>> = {
  NewReplica: ['NonExistentReplica'],
  OnlineReplica: ['NewReplica', 'OnlineReplica', 'OfflineReplica', 'ReplicaDeletionIneligible'],
  OfflineReplica: ['NewReplica', 'OnlineReplica', 'OfflineReplica', 'ReplicaDeletionIneligible'],
  ReplicaDeletionStarted: ['OfflineReplica'],
  ReplicaDeletionSuccessful: ['ReplicaDeletionStarted'],
  ReplicaDeletionIneligible: ['OfflineReplica', 'ReplicaDeletionStarted'],
  NonExistentReplica: ['ReplicaDeletionSuccessful'],
};

export function isValidPartitionTransition(from: PartitionState, to: PartitionState): boolean {
  return PARTITION_TRANSITIONS[to].includes(from);
}

export function isValidReplicaTransition(from: ReplicaState, to: ReplicaState): boolean {
  return REPLICA_TRANSITIONS[to].includes(from);
}
