/**
 * What LogManager.startup takes (Kafka's LogManager constructor arguments and the broker's log.*
 * settings it reads). Kept apart from log-manager.ts so the manager's file holds behaviour only;
 * log-manager.ts re-exports the type.
 */
import type { Logger } from '../common/logger';
import type { Scheduler } from '../common/scheduler';
import type { Time } from '../common/time';
import type { CleanerConfig } from './cleaner/cleaner-config';
import type { FileHandlePool } from './file-handle-pool';
import type { Log } from './log';
import type { LogConfig } from './log-config';
import type { TopicPartition } from './log-names';

export interface LogManagerOptions {
  logDirs: readonly string[];
  brokerId: number;
  clusterId: string;
  /** The effective LogConfig of a topic (broker defaults + topic overrides). */
  configFor: (topic: string) => LogConfig;
  scheduler: Scheduler;
  time?: Time;
  /** Parent logger (e.g. carrying the broker id); LogManager and each Log log through children of it. */
  logger?: Logger;
  /** Descriptor pool shared by every log; LogManager makes (and closes) one when not given. */
  filePool?: FileHandlePool;
  /** The partition's high watermark for retention; the replica layer supplies it. Default: log end offset. */
  highWatermarkFor?: (topicPartition: TopicPartition, log: Log) => number;
  /** log.retention.check.interval.ms (300000). */
  retentionCheckMs?: number;
  /** log.flush.scheduler.interval.ms (Long.MAX: never). Each run flushes logs idle for their flush.ms. */
  flushCheckMs?: number;
  /** log.flush.offset.checkpoint.interval.ms (60000). */
  flushRecoveryOffsetCheckpointMs?: number;
  /** log.flush.start.offset.checkpoint.interval.ms (60000). */
  flushStartOffsetCheckpointMs?: number;
  /** Delay before the first run of each periodic task (Kafka's InitialTaskDelayMs, 30000). */
  initialTaskDelayMs?: number;
  /** log.segment.delete.delay.ms: how long a deleted log's `-delete` dir stays (60000). */
  fileDeleteDelayMs?: number;
  /** num.recovery.threads.per.data.dir (1): logs of one dir loaded / closed concurrently. */
  recoveryThreadsPerDataDir?: number;
  /** The broker's log.cleaner.* settings (`cleanerConfigFromProps(serverProps)`); log.cleaner.enable=false: no cleaner. */
  cleanerConfig?: Partial<CleanerConfig>;
}
