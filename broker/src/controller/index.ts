/** controller/: Kafka 2.8's ZooKeeper-mode controller (election, state machines, broker requests). */
export { KafkaController } from './kafka-controller';
export type { KafkaControllerEvents, KafkaControllerOptions } from './kafka-controller';
export { ControllerContext } from './controller-context';
export type { PartitionAndReplica } from './controller-context';
export { ControllerEventManager } from './event-manager';
export type { ControllerEvent } from './event-manager';
export {
  controlledShutdownPartitionLeaderElection,
  initialLeaderAndIsr,
  leaderForControlledShutdown,
  leaderForOffline,
  offlinePartitionLeaderElection,
  preferredReplicaPartitionLeaderElection,
  removeReplicaFromIsr,
} from './election';
export { PARTITION_TRANSITIONS, REPLICA_TRANSITIONS, isValidPartitionTransition, isValidReplicaTransition } from './states';
export type { PartitionState, ReplicaState } from './states';
export { LEADER_AND_ISR_VERSION, STOP_REPLICA_VERSION, UPDATE_METADATA_VERSION } from './request-batch';
