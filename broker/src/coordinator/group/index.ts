/** Kafka's group coordinator for classic consumer groups, backed by __consumer_offsets. */
export { GroupCoordinator, type FetchedOffset, type GroupOverview, type GroupSummary, type MemberSummary, type TopicPartitionRef } from './group-coordinator';
export { GroupMetadataManager, GROUP_METADATA_TOPIC_NAME, partitionForGroup, javaStringHashCode, type OffsetsTopicLog, type OffsetToStore } from './group-metadata-manager';
export type { GroupConfig, JoinGroupParams, LeaveGroupResult, LeavingMember, SyncGroupParams } from './group-membership';
export type { CommittedOffset } from './group-metadata';
export type { GroupState } from './group-state';
export type { JoinGroupResult, SyncGroupResult } from './member-metadata';
export { groupMetadataKey, groupMetadataValue, offsetCommitKey, offsetCommitValue, readGroupMessageValue, readMessageKey, readOffsetMessageValue } from './group-records';
