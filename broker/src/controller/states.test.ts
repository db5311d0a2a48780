import { PARTITION_TRANSITIONS, REPLICA_TRANSITIONS, isValidPartitionTransition, isValidReplicaTransition, type PartitionState, type ReplicaState } from './states';

const PARTITION_STATES: PartitionState[] = ['NewPartition', 'OnlinePartition', 'OfflinePartition', 'NonExistentPartition'];
const REPLICA_STATES: ReplicaState[] = [
  'NewReplica', 'OnlineReplica', 'OfflineReplica', 'ReplicaDeletionStarted', 'ReplicaDeletionSuccessful', 'ReplicaDeletionIneligible', 'NonExistentReplica',
];

describe('PartitionStateMachine transition table (Kafka validPreviousStates)', () => {
  test('every valid transition, and nothing else', () => {
    const valid = PARTITION_STATES.flatMap((from) => PARTITION_STATES.filter((to) => isValidPartitionTransition(from, to)).map((to) => `${from}->${to}`));
    expect(valid.sort()).toEqual(
      [
        'NonExistentPartition->NewPartition',
        'NewPartition->OnlinePartition',
        'OnlinePartition->OnlinePartition',
        'OfflinePartition->OnlinePartition',
        'NewPartition->OfflinePartition',
        'OnlinePartition->OfflinePartition',
        'OfflinePartition->OfflinePartition',
        'OfflinePartition->NonExistentPartition',
      ].sort(),
    );
  });

  test('a new partition cannot be deleted without going offline, nor be created twice', () => {
    expect(isValidPartitionTransition('NewPartition', 'NonExistentPartition')).toBe(false);
    expect(isValidPartitionTransition('OnlinePartition', 'NonExistentPartition')).toBe(false);
    expect(isValidPartitionTransition('OnlinePartition', 'NewPartition')).toBe(false);
    expect(Object.keys(PARTITION_TRANSITIONS).sort()).toEqual([...PARTITION_STATES].sort());
  });
});

describe('ReplicaStateMachine transition table (Kafka validPreviousStates)', () => {
  test('deletion goes Offline -> DeletionStarted -> DeletionSuccessful -> NonExistent only', () => {
    expect(isValidReplicaTransition('OfflineReplica', 'ReplicaDeletionStarted')).toBe(true);
    expect(isValidReplicaTransition('OnlineReplica', 'ReplicaDeletionStarted')).toBe(false);
    expect(isValidReplicaTransition('ReplicaDeletionStarted', 'ReplicaDeletionSuccessful')).toBe(true);
    expect(isValidReplicaTransition('OfflineReplica', 'ReplicaDeletionSuccessful')).toBe(false);
    expect(isValidReplicaTransition('ReplicaDeletionSuccessful', 'NonExistentReplica')).toBe(true);
    expect(isValidReplicaTransition('OfflineReplica', 'NonExistentReplica')).toBe(false);
  });

  test('ineligible replicas can be retried (Offline) or brought back online', () => {
    expect(isValidReplicaTransition('ReplicaDeletionIneligible', 'OfflineReplica')).toBe(true);
    expect(isValidReplicaTransition('ReplicaDeletionIneligible', 'OnlineReplica')).toBe(true);
    expect(isValidReplicaTransition('ReplicaDeletionStarted', 'ReplicaDeletionIneligible')).toBe(true);
    expect(isValidReplicaTransition('OnlineReplica', 'ReplicaDeletionIneligible')).toBe(false);
  });

  test('a replica is created only from NonExistent, and New may go Online or Offline', () => {
    for (const from of REPLICA_STATES) expect(isValidReplicaTransition(from, 'NewReplica')).toBe(from === 'NonExistentReplica');
    expect(isValidReplicaTransition('NewReplica', 'OnlineReplica')).toBe(true);
    expect(isValidReplicaTransition('NewReplica', 'OfflineReplica')).toBe(true);
    expect(isValidReplicaTransition('ReplicaDeletionSuccessful', 'OnlineReplica')).toBe(false);
    expect(Object.keys(REPLICA_TRANSITIONS).sort()).toEqual([...REPLICA_STATES].sort());
  });
});
