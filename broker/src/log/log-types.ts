/**
 * The types of Log's surface (options, read results, hooks), apart so log.ts stays about behaviour.
 * log.ts re-exports everything here.
 */
import type { Logger } from '../common/logger';
import type { Scheduler } from '../common/scheduler';
import type { Time } from '../common/time';
import type { FileHandlePool } from './file-handle-pool';
import type { LogConfig } from './log-config';
import type { TopicPartition } from './log-names';
import type { RecoveryListener } from './log-segment';

/**
 * What the log tells the partition's leader epoch cache (Kafka's LeaderEpochFileCache methods,
 * implemented in leader-epoch-cache.ts). All optional to wire; the log calls them as Kafka's does.
 */
export interface LeaderEpochCacheHook {
  assign(epoch: number, startOffset: number): void | Promise<void>;
  truncateFromEnd(endOffset: number): void | Promise<void>;
  truncateFromStart(startOffset: number): void | Promise<void>;
  clearAndFlush(): void | Promise<void>;
}

export interface LogLoadOptions {
  /** The partition directory, `<log.dir>/<topic>-<partition>`; created when missing. */
  dir: string;
  topicPartition: TopicPartition;
  config: LogConfig;
  /** From recovery-point-offset-checkpoint (0 when absent). */
  recoveryPoint: number;
  /** From log-start-offset-checkpoint (0 when absent). */
  logStartOffset: number;
  hadCleanShutdown: boolean;
  time: Time;
  scheduler: Scheduler;
  logger?: Logger;
  /** Shared descriptor pool (LogManager); without one the log makes and owns a small one. */
  filePool?: FileHandlePool;
  leaderEpochCache?: LeaderEpochCacheHook;
  /** Called for every batch re-validated by recovery (producer state rebuild). */
  onRecoveredBatch?: RecoveryListener;
  /** Called with I/O failures before they are rethrown as KAFKA_STORAGE_ERROR (mark the dir offline). */
  onStorageError?: (err: Error) => void;
}

export interface LogReadOptions {
  /** Exclusive upper bound on returned offsets (the high watermark for consumers); none for followers. */
  maxOffset?: number;
  /** Return the first batch whole even when it is larger than maxBytes (KIP-74). */
  minOneMessage: boolean;
}

export interface LogReadInfo {
  /** Whole batches, raw, possibly empty; one Buffer. */
  records: Buffer;
  /** Base offset of the first returned batch (<= the fetch offset), or the fetch offset when empty. */
  firstOffset: number;
  fetchOffset: number;
  /** Where the fetch offset was found (Kafka's fetchOffsetMetadata); -1 when reading at the end. */
  segmentBaseOffset: number;
  position: number;
  /** The first batch is larger than maxBytes and minOneMessage was false, so nothing was returned. */
  firstEntryIncomplete: boolean;
  logStartOffset: number;
  logEndOffset: number;
}

/** ListOffsets special timestamps (handled here: -2 earliest, -1 latest). */
export const EARLIEST_TIMESTAMP = -2;
export const LATEST_TIMESTAMP = -1;
/** The log end offset with the segment and byte position it falls at (Kafka's LogOffsetMetadata). */
export interface LogEndOffsetMetadata {
  offset: number;
  segmentBaseOffset: number;
  position: number;
}
