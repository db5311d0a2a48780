/**
 * The read side of a Log, over a snapshot of its segments and log end offset (Kafka's Log.read
 * and fetchOffsetByTimestamp): no lock is taken, and the snapshot's end position bounds the active
 * segment so a read never sees half an append.
 */
import { KafkaProtocolError } from '../protocol/error-codes';
import { baseOffsetAt } from './batch-scan';
import type { LogSegment } from './log-segment';
import type { LogEndOffsetMetadata, LogReadInfo, LogReadOptions } from './log-types';
import { EMPTY_RECORDS, type TimestampAndOffset } from './segment-scan';

export interface ReadSnapshot {
  name: string;
  segments: readonly LogSegment[];
  leo: LogEndOffsetMetadata;
  logStartOffset: number;
  /** Called after reading an inactive segment (index memory LRU). */
  onInactiveRead(segment: LogSegment): void;
}

/** Index of the segment with the greatest base offset <= offset, or -1. */
export function floorIndex(segs: readonly LogSegment[], offset: number): number {
  let lo = 0;
  let hi = segs.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (segs[mid]!.baseOffset <= offset) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

function emptyRead(fetchOffset: number, logStartOffset: number, logEndOffset: number): LogReadInfo {
  return { records: EMPTY_RECORDS, firstOffset: fetchOffset, fetchOffset, segmentBaseOffset: -1, position: -1, firstEntryIncomplete: false, logStartOffset, logEndOffset };
}

export async function readSegments(snap: ReadSnapshot, startOffset: number, maxBytes: number, opts: LogReadOptions): Promise<LogReadInfo> {
  const { segments: segs, leo, logStartOffset } = snap;
  const empty = emptyRead(startOffset, logStartOffset, leo.offset);
  if (startOffset === leo.offset) return { ...empty, segmentBaseOffset: leo.segmentBaseOffset, position: leo.position };
  if (startOffset > leo.offset || startOffset < logStartOffset) {
    throw new KafkaProtocolError(
      'OFFSET_OUT_OF_RANGE',
      `Received request for offset ${startOffset} for partition ${snap.name}, but we only have log segments in the range ${logStartOffset} to ${leo.offset}.`,
    );
  }
  if (opts.maxOffset !== undefined && startOffset >= opts.maxOffset) return empty;
  for (let i = Math.max(0, floorIndex(segs, startOffset)); i < segs.length; i++) {
    const segment = segs[i]!;
    const maxPosition = segment.baseOffset === leo.segmentBaseOffset ? leo.position : segment.size;
    const fetch = await segment.read(startOffset, maxBytes, maxPosition, opts.minOneMessage, opts.maxOffset);
    if (i < segs.length - 1) snap.onInactiveRead(segment);
    if (fetch === null) continue;
    return {
      records: fetch.records,
      firstOffset: fetch.records.length > 0 ? baseOffsetAt(fetch.records, 0) : startOffset,
      fetchOffset: startOffset,
      segmentBaseOffset: segment.baseOffset,
      position: fetch.position,
      firstEntryIncomplete: fetch.firstEntryIncomplete,
      logStartOffset,
      logEndOffset: leo.offset,
    };
  }
  // Everything at or after startOffset was removed meanwhile (Kafka returns an empty read too).
  return empty;
}

/** The first record at or after `timestamp` in the first segment whose largest timestamp reaches it. */
export async function findOffsetByTimestamp(segs: readonly LogSegment[], timestamp: number, logStartOffset: number): Promise<TimestampAndOffset | null> {
  for (const segment of segs) {
    if ((await segment.largestTimestamp()) >= timestamp) return segment.findOffsetByTimestamp(timestamp, logStartOffset);
  }
  return null;
}
