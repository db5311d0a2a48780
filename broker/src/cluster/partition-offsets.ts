/** Offset look-ups Partition answers from its log alone (kept apart so partition.ts stays readable). */
import { promises as fsp } from 'node:fs';
import type { Log } from '../log/log';
import type { LeaderEpochFileCache } from '../log/leader-epoch-cache';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP } from '../log/log-types';
import { KafkaProtocolError } from '../protocol';
import type { TimestampAndOffsetResult } from './partition-types';

/**
 * ListOffsets v0 (Kafka's legacyFetchOffsetsBefore): segment base offsets paired with the segment
 * files' modification times (plus the log end offset, now), newest first, at most maxNumOffsets.
 */
export async function legacyOffsetsBefore(log: Log, timestamp: number, maxNumOffsets: number, nowMs: number): Promise<number[]> {
  const segments = [...log.segments];
  const pairs: [number, number][] = [];
  for (const s of segments) {
    // A segment deleted meanwhile counts as never modified.
    const mtime = await fsp.stat(s.logFile).then((st) => st.mtimeMs, () => 0);
    pairs.push([Math.max(s.baseOffset, log.logStartOffset), Math.floor(mtime)]);
  }
  if (segments.length > 0 && segments[segments.length - 1]!.size > 0) pairs.push([log.logEndOffset, nowMs]);
  let start: number;
  if (timestamp === LATEST_TIMESTAMP) start = pairs.length - 1;
  else if (timestamp === EARLIEST_TIMESTAMP) start = 0;
  else {
    start = pairs.length - 1;
    while (start >= 0 && pairs[start]![1] > timestamp) start--;
  }
  const out: number[] = [];
  for (let n = Math.min(maxNumOffsets, start + 1); n > 0; n--) out.push(pairs[start--]![0]);
  return out.sort((a, b) => b - a);
}

/** Fetch v12 truncation detection (Partition.readRecords' lastFetchedEpoch branch). */
export function divergingEpoch(
  cache: LeaderEpochFileCache | undefined,
  log: Log,
  lastFetchedEpoch: number,
  fetchOffset: number,
  name: string,
): { epoch: number; endOffset: number } | undefined {
  if (cache === undefined) return undefined;
  const end = cache.endOffsetFor(lastFetchedEpoch, log.logEndOffset);
  if (end.endOffset < 0 || end.epoch < 0) {
    throw new KafkaProtocolError('OFFSET_OUT_OF_RANGE', `Could not determine the end offset of the last fetched epoch ${lastFetchedEpoch} from the request`);
  }
  if (fetchOffset < log.logStartOffset) {
    throw new KafkaProtocolError('OFFSET_OUT_OF_RANGE', `Received request for offset ${fetchOffset} for partition ${name}, but we only have log segments starting from offset: ${log.logStartOffset}.`);
  }
  if (end.epoch < lastFetchedEpoch || end.endOffset < fetchOffset) return { epoch: end.epoch, endOffset: end.endOffset };
  return undefined;
}

/**
 * Kafka's fetchOffsetForTimestamp once the bound is known: latest / earliest / by timestamp below
 * `lastFetchable`; `offsetsError` (OFFSET_NOT_AVAILABLE) is thrown where Kafka throws it.
 */
export async function offsetForTimestamp(
  log: Log,
  cache: LeaderEpochFileCache | undefined,
  timestamp: number,
  lastFetchable: number,
  leaderEpoch: number,
  offsetsError: KafkaProtocolError | undefined,
): Promise<TimestampAndOffsetResult | null> {
  if (timestamp === LATEST_TIMESTAMP) {
    if (offsetsError) throw offsetsError;
    return { timestamp: -1, offset: lastFetchable, leaderEpoch };
  }
  if (timestamp === EARLIEST_TIMESTAMP) {
    const first = cache?.earliestEntry;
    return { timestamp: -1, offset: log.logStartOffset, leaderEpoch: first !== undefined && first.startOffset <= log.logStartOffset ? first.epoch : -1 };
  }
  const found = await log.fetchOffsetByTimestamp(timestamp);
  if (found !== null && found.offset < lastFetchable) return { timestamp: found.timestamp, offset: found.offset, leaderEpoch: found.leaderEpoch ?? -1 };
  if (offsetsError) throw offsetsError;
  return null;
}
