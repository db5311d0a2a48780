/** Types of the LogSegment surface, apart so log-segment.ts stays about behaviour (re-exported there). */
import type { ReadResult } from './segment-scan';

/** Kafka's RollParams: what the incoming append would do to the active segment. */
export interface RollParams {
  maxSegmentMs: number;
  maxSegmentBytes: number;
  maxTimestampInMessages: number;
  maxOffsetInMessages: number;
  messagesSize: number;
  /** Broker time, or NaN when the caller did not read the clock (the segment reads it if it needs it). */
  now: number;
}

/** Kafka's FetchDataInfo for one segment. */
export interface FetchDataInfo extends ReadResult {
  segmentBaseOffset: number;
}

/** A batch seen by recovery; `bytes` is valid only during the callback (the buffer is reused). */
export interface RecoveredBatch {
  magic: number;
  baseOffset: number;
  lastOffset: number;
  partitionLeaderEpoch: number;
  position: number;
  bytes: Buffer;
}
export type RecoveryListener = (batch: RecoveredBatch) => void | Promise<void>;

export interface RecoveryResult {
  /** Bytes cut from the end of the .log. */
  truncatedBytes: number;
  /** Where and why the valid data ended, when it did before the end of the file. */
  corruption?: { file: string; position: number; reason: string };
}
