/**
 * The offset checkpoint files at the top of one log dir, and what LogManager / ReplicaManager put in
 * them (Kafka's checkpointRecoveryOffsetsInDir, checkpointLogStartOffsetsInDir and the replica
 * manager's high watermark checkpoint).
 */
import * as path from 'path';
import {
  LOG_START_OFFSET_CHECKPOINT_FILE,
  OffsetCheckpointFile,
  RECOVERY_POINT_CHECKPOINT_FILE,
  REPLICATION_OFFSET_CHECKPOINT_FILE,
} from './offset-checkpoint-file';

/** What the checkpoints need of a partition log. */
export interface CheckpointedLog {
  readonly recoveryPoint: number;
  readonly logStartOffset: number;
  readonly segments: readonly { readonly baseOffset: number }[];
}

export class LogDirCheckpoints {
  readonly recoveryPoints: OffsetCheckpointFile;
  readonly logStartOffsets: OffsetCheckpointFile;
  readonly highWatermarks: OffsetCheckpointFile;

  constructor(readonly dir: string) {
    this.recoveryPoints = new OffsetCheckpointFile(path.join(dir, RECOVERY_POINT_CHECKPOINT_FILE));
    this.logStartOffsets = new OffsetCheckpointFile(path.join(dir, LOG_START_OFFSET_CHECKPOINT_FILE));
    this.highWatermarks = new OffsetCheckpointFile(path.join(dir, REPLICATION_OFFSET_CHECKPOINT_FILE));
  }

  /** recovery-point-offset-checkpoint: every log's recovery point (keys `<topic>-<partition>`). */
  writeRecoveryPoints(logs: Iterable<readonly [string, CheckpointedLog]>): Promise<void> {
    return this.recoveryPoints.write([...logs].map(([key, log]) => [key, log.recoveryPoint] as const));
  }

  /**
   * log-start-offset-checkpoint: only logs whose start moved past their first segment's base offset
   * (DeleteRecords); the others get their log start from the first segment on load.
   */
  writeLogStartOffsets(logs: Iterable<readonly [string, CheckpointedLog]>): Promise<void> {
    const entries: (readonly [string, number])[] = [];
    for (const [key, log] of logs) {
      const firstBase = log.segments[0]?.baseOffset;
      if (firstBase !== undefined && log.logStartOffset > firstBase) entries.push([key, log.logStartOffset]);
    }
    return this.logStartOffsets.write(entries);
  }
}
