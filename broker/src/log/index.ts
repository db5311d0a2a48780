/**
 * Kafka 2.8's log layer: segmented logs with sparse indexes, recovery, retention, the log manager
 * over `log.dirs`, checkpoint files, the leader-epoch cache and (in cleaner/) compaction.
 */
export { Log } from './log';
export * from './log-types';
export { LogSegment } from './log-segment';
export { LogConfig, ConfigError, TOPIC_CONFIG_KEYS, brokerLogDefaults } from './log-config';
export { FileHandlePool } from './file-handle-pool';
export { READ_BUFFERS } from './read-buffer-pool';
export * from './log-names';
export { LogManager, type LogManagerOptions } from './log-manager';
export { LeaderEpochFileCache, UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET, type EpochEndOffset } from './leader-epoch-cache';
export * from './checkpoints';
export {
  InconsistentBrokerIdException,
  InconsistentBrokerMetadataException,
  InconsistentClusterIdException,
  LogDirLockedException,
  readMetaProperties,
  type MetaProperties,
} from './log-dir';
