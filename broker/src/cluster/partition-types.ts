/** The shapes Partition works with (offset metadata, read results, its dependencies). */
import type { Logger } from '../common/logger';
import type { Time } from '../common/time';
import type { LogManager } from '../log/log-manager';
import type { LogConfig } from '../log/log-config';
import type { TopicPartition } from '../log/log-names';
import type { LogReadInfo } from '../log/log-types';

/** An offset with the segment and byte position it falls at; position -1 when not known. */
export interface LogOffsetMetadata {
  offset: number;
  segmentBaseOffset: number;
  position: number;
}

export const UNKNOWN_OFFSET_METADATA: Readonly<LogOffsetMetadata> = { offset: -1, segmentBaseOffset: -1, position: -1 };

/** Which offset bounds a read (Kafka's FetchIsolation). */
export type FetchIsolation = 'logEnd' | 'highWatermark' | 'txnCommitted';

export const IsolationLevel = { READ_UNCOMMITTED: 0, READ_COMMITTED: 1 } as const;

/** What a remote replica last told the leader by fetching (Kafka's Replica). */
export interface RemoteReplicaState {
  readonly brokerId: number;
  logEndOffset: LogOffsetMetadata;
  logStartOffset: number;
  lastCaughtUpTimeMs: number;
  lastFetchTimeMs: number;
  lastFetchLeaderLogEndOffset: number;
}

export interface OffsetSnapshot {
  logStartOffset: number;
  logEndOffset: LogOffsetMetadata;
  highWatermark: LogOffsetMetadata;
  lastStableOffset: LogOffsetMetadata;
}

export interface PartitionReadInfo {
  fetched: LogReadInfo;
  highWatermark: number;
  logStartOffset: number;
  logEndOffset: number;
  lastStableOffset: number;
  /** Where the fetch offset was found (for DelayedFetch), UNKNOWN_OFFSET_METADATA when not known. */
  fetchOffsetMetadata: LogOffsetMetadata;
  divergingEpoch?: { epoch: number; endOffset: number };
}

export interface TimestampAndOffsetResult {
  timestamp: number;
  offset: number;
  /** -1 when unknown. */
  leaderEpoch: number;
}

/** The partition state znode's content a leader writes when its ISR changes (Kafka's LeaderAndIsr + controller epoch). */
export interface IsrUpdate {
  leader: number;
  /** Unchanged: ISR changes do not bump the leader epoch. */
  leaderEpoch: number;
  isr: number[];
  /** The epoch of the controller that made the last leadership decision (from LeaderAndIsr). */
  controllerEpoch: number;
}

/**
 * Writes `update` to the partition state znode conditionally on `expectedZkVersion` (Kafka 2.8's
 * ZkPartitionStateStore): the new zkVersion, or 'stale' when the znode moved on (BADVERSION whose
 * content differs from `update`, or no znode). Other failures (connection loss) reject.
 */
export type UpdateIsr = (tp: TopicPartition, update: IsrUpdate, expectedZkVersion: number) => Promise<{ zkVersion: number } | 'stale'>;

export interface PartitionDeps {
  localBrokerId: number;
  time: Time;
  logManager: LogManager;
  /** replica.lag.time.max.ms (30000). */
  replicaLagTimeMaxMs: number;
  /** The checkpointed high watermark for a partition whose log this Partition opens (undefined: none). */
  checkpointedHighWatermark: (tp: TopicPartition) => Promise<number | undefined>;
  /** Whether a broker is alive in the metadata cache (DeleteRecords' low watermark). */
  isBrokerAlive: (brokerId: number) => boolean;
  /**
   * The topic's current config read from ZooKeeper (Kafka's createLogIfNotExists fetches it there),
   * so a log created right after CreateTopics gets the topic's overrides; default: LogManager's.
   */
  fetchLogConfig?: (topic: string) => Promise<LogConfig>;
  logger?: Logger;
  /** The conditional ISR write; without it the leader never changes its ISR (tests, tools). */
  updateIsr?: UpdateIsr;
  /** Records a committed ISR change for /isr_change_notification propagation (isr-tasks.ts). */
  recordIsrChange?: (tp: TopicPartition) => void;
  /** Lets delayed produce/fetch/DeleteRecords go after an ISR change moved the high watermark. */
  tryCompleteDelayedRequests?: (tp: TopicPartition) => void;
}
