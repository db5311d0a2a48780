/** metadata/: the broker's MetadataCache, fed by the controller's UpdateMetadata requests. */
export {
  MetadataCache,
  LEADER_DURING_DELETE,
  NO_LEADER_ID,
  AUTHORIZED_OPERATIONS_OMITTED,
  type AliveBroker,
  type BrokerEndpoint,
  type BrokerNode,
} from './metadata-cache';
export { GROUP_METADATA_TOPIC_NAME, TRANSACTION_STATE_TOPIC_NAME, isInternalTopic, invalidTopicReason } from './topic';
