/**
 * Which segments retention may delete (Kafka's Log.deletableSegments and the three predicates of
 * deleteOldSegments, reference §4.6). Segments are taken oldest first while the predicate holds
 * AND the segment lies wholly below the high watermark (its next segment's base offset, or the
 * log end offset for the last one, is <= HW); an empty last segment is never taken.
 */
import type { LogConfig } from './log-config';
import type { LogSegment } from './log-segment';

export type RetentionPredicate = (segment: LogSegment, next: LogSegment | undefined) => boolean | Promise<boolean>;

export async function deletableSegments(
  segments: readonly LogSegment[],
  logEndOffset: number,
  highWatermark: number,
  predicate: RetentionPredicate,
): Promise<LogSegment[]> {
  const deletable: LogSegment[] = [];
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const next = segments[i + 1];
    const upperBoundOffset = next ? next.baseOffset : logEndOffset;
    const isLastSegmentAndEmpty = next === undefined && segment.size === 0;
    if (highWatermark >= upperBoundOffset && !isLastSegmentAndEmpty && (await predicate(segment, next))) {
      deletable.push(segment);
    } else {
      break;
    }
  }
  return deletable;
}

/** retention.ms: the segment's largest record timestamp (or mtime) is older than retention.ms. */
export function retentionMsBreached(config: LogConfig, nowMs: number): RetentionPredicate | null {
  if (config.retentionMs < 0) return null;
  return async (segment) => nowMs - (await segment.largestTimestamp()) > config.retentionMs;
}

/** retention.bytes: drop the oldest segments while the log stays at or above retention.bytes without them. */
export function retentionSizeBreached(config: LogConfig, logSize: number): RetentionPredicate | null {
  if (config.retentionSize < 0 || logSize < config.retentionSize) return null;
  let diff = logSize - config.retentionSize;
  return (segment) => {
    if (diff - segment.size >= 0) {
      diff -= segment.size;
      return true;
    }
    return false;
  };
}

/** Log start offset (DeleteRecords, or moved by retention): segments whose next segment starts at or below it. */
export function logStartOffsetBreached(logStartOffset: number): RetentionPredicate {
  return (_segment, next) => next !== undefined && next.baseOffset <= logStartOffset;
}
