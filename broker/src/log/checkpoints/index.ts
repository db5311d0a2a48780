export {
  CheckpointFile,
  CheckpointFileError,
  atomicWriteFile,
  fsyncDir,
  parseCheckpoint,
  type CheckpointFileFormatter,
} from './checkpoint-file';
export {
  OffsetCheckpointFile,
  OFFSET_CHECKPOINT_VERSION,
  RECOVERY_POINT_CHECKPOINT_FILE,
  REPLICATION_OFFSET_CHECKPOINT_FILE,
  LOG_START_OFFSET_CHECKPOINT_FILE,
  CLEANER_OFFSET_CHECKPOINT_FILE,
  topicPartitionKey,
  parseTopicPartitionKey,
  type TopicPartition,
} from './offset-checkpoint-file';
export {
  LeaderEpochCheckpointFile,
  LEADER_EPOCH_CHECKPOINT_FILE,
  LEADER_EPOCH_CHECKPOINT_VERSION,
  type EpochEntry,
  type LeaderEpochCheckpoint,
} from './leader-epoch-checkpoint-file';
export { LogDirCheckpoints, type CheckpointedLog } from './log-dir-checkpoints';
export {
  PartitionMetadataFile,
  PartitionMetadataFileError,
  PARTITION_METADATA_FILE,
  formatPartitionMetadata,
  parsePartitionMetadata,
} from './partition-metadata-file';
