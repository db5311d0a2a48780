/**
 * admin/: topic, partition and config administration as Kafka 2.8's ZkAdminManager does it, the
 * broker's config view (ConfigRepository) and the dynamic config notifications (DynamicConfigManager).
 */
export { AdminManager } from './admin-manager';
export type { AdminManagerOptions, AdminMetadataView, CreateTopicOutcome } from './admin-manager';
export { ConfigHelper } from './config-helper';
export type { AlterConfigsEntry, ConfigResourceRequest, IncrementalAlterConfigsEntry } from './config-helper';
export { ConfigRepository } from './config-repository';
export type { ConfigRepositoryOptions } from './config-repository';
export { ConfigDataType, ConfigResourceType, ConfigSource, OpType, configResourceString, resourceTypeName } from './config-types';
export type { ConfigDefType, StaticBrokerConfigEntry } from './config-types';
export { CONFIG_CHANGE_EXPIRATION_MS, DynamicConfigManager } from './dynamic-config-manager';
export type { DynamicConfigManagerOptions } from './dynamic-config-manager';
export {
  brokerConfigSynonyms,
  DYNAMIC_BROKER_CONFIGS,
  isDynamicBrokerConfig,
  layerBrokerConfigs,
  TOPIC_CONFIG_SYNONYMS,
  validateDynamicBrokerConfig,
} from './dynamic-broker-config';
export { AdminOperationException, API_ERROR_NONE, apiError, apiErrorFromThrowable, ConfigException } from './errors';
export type { ApiError } from './errors';
export {
  assignReplicasToBrokers,
  rackAlternatedBrokerList,
  validateCreateAssignment,
  validateNewPartitionsAssignment,
} from './replica-assignment';
export type { BrokerMetadata, RandomInt } from './replica-assignment';
export { staticBrokerConfigEntries } from './static-broker-configs';
export type { BrokerConfigKeyInfo } from './static-broker-configs';
export { TopicPurgatory } from './topic-purgatory';
