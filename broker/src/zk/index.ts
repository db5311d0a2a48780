/** ZooKeeper access for the broker, controller and admin code (see README.md beside this file). */
export { ZkClient } from './client';
export type { CreateMode, ZkClientEvents, ZkClientOptions, ZkSessionCredentials } from './client';
export { ZkError, isZkError } from './errors';
export type { ZkErrorCode } from './errors';
export type { ZkNode, ZkStat } from './stat';
export type { WatchListener, ZkWatch } from './watch';
export { KafkaZkClient, ControllerMovedError, randomTopicId, tpKey } from './kafka-zk-client';
export type { BrokerInfo, LeaderAndIsr, LeaderIsrAndEpoch, TopicAssignmentWithVersion, UpdateLeaderAndIsrResult } from './kafka-zk-client';
export {
  AdminZkClient,
  TopicAlreadyMarkedForDeletionError,
  TopicAssignmentChangedError,
  hasCollision,
  hasCollisionChars,
  MAX_TOPIC_NAME_LENGTH,
  newTopicId,
  validateTopicConfigs,
  validateTopicName,
} from './admin-zk-client';
export type { ConfigMap, VersionedTopicAssignment } from './admin-zk-client';
