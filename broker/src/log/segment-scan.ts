/**
 * The read-side scans of one segment file, as free functions over a leased descriptor: translate
 * an offset to a byte position (index lookup + header walk), collect whole batches for a fetch,
 * find the first record at or after a timestamp, and walk headers for end offsets and max
 * timestamps. Only headers are read, except by the timestamp search, which must look inside the
 * one batch whose max timestamp qualifies (as Kafka's FileRecords.searchForTimestamp does).
 */
import { KafkaProtocolError } from '../protocol/error-codes';
import { decodeLegacyMessageSet, decodeRecordBatch } from '../protocol/records';
import {
  FileWindow,
  V2_HEADER_SIZE_UP_TO_LAST_OFFSET,
  V2_HEADER_SIZE_UP_TO_MAX_TIMESTAMP,
  checkEntryHeader,
  entrySizeAt,
  lastOffsetAt,
  magicAt,
  maxTimestampAt,
  partitionLeaderEpochAt,
} from './batch-scan';
import { readBytes } from './file-io';

/** Kafka's LogOffsetPosition: the batch holding an offset (offset = that batch's last offset). */
export interface LogOffsetPosition {
  offset: number;
  position: number;
  size: number;
}

/** ListOffsets answer: first record at or after the timestamp, with its batch's leader epoch. */
export interface TimestampAndOffset {
  timestamp: number;
  offset: number;
  /** Partition leader epoch of the batch (v2 only); undefined when unknown (-1). */
  leaderEpoch?: number;
}

export interface HeaderVisit {
  buf: Buffer;
  /** Index of the entry in buf. */
  at: number;
  /** File position of the entry. */
  position: number;
  size: number;
}

export const EMPTY_RECORDS = Buffer.alloc(0);

function corrupt(file: string, position: number, reason: string): KafkaProtocolError {
  return new KafkaProtocolError('CORRUPT_MESSAGE', `Found invalid batch in ${file} at byte ${position}: ${reason}`);
}

/**
 * Walks entry headers from `from` to the window's limit, calling `visit` with at least
 * `headerBytes` of each header (less only for entries smaller than that). Stops when visit
 * returns false, at the limit, or at a partial trailing entry; throws CORRUPT_MESSAGE on an
 * impossible header.
 */
export async function walkHeaders(
  w: FileWindow,
  file: string,
  from: number,
  headerBytes: number,
  visit: (v: HeaderVisit) => boolean | void,
): Promise<number> {
  let pos = from;
  while (pos < w.limit) {
    const remaining = w.limit - pos;
    // A file shorter than the limit (truncated under a reader) ends the walk like a torn tail.
    if (!(await w.ensure(pos, Math.min(headerBytes, remaining)))) return pos;
    const problem = checkEntryHeader(w.buf, w.at(pos), remaining);
    if (problem !== null) {
      if (problem.partial) return pos;
      throw corrupt(file, pos, problem.reason);
    }
    const size = entrySizeAt(w.buf, w.at(pos));
    if (visit({ buf: w.buf, at: w.at(pos), position: pos, size }) === false) return pos;
    pos += size;
  }
  return pos;
}

/** First batch from `from` whose last offset >= target (Kafka's searchForOffsetWithSize), or null. */
export async function searchForOffset(w: FileWindow, file: string, target: number, from: number): Promise<LogOffsetPosition | null> {
  let found: LogOffsetPosition | null = null;
  await walkHeaders(w, file, from, V2_HEADER_SIZE_UP_TO_LAST_OFFSET, ({ buf, at, position, size }) => {
    const last = lastOffsetAt(buf, at);
    if (last >= target) {
      found = { offset: last, position, size };
      return false;
    }
    return true;
  });
  return found;
}

export interface ReadResult {
  records: Buffer;
  position: number;
  firstEntryIncomplete: boolean;
  /** Where the returned batches end, and the offset after the last one (when any were returned). */
  endPosition?: number;
  nextOffset?: number;
}

/**
 * Whole batches from the one holding `startOffset`: at most maxSize bytes (or the first batch
 * whole when minOneMessage), never past the window limit, and none whose last offset is at or
 * beyond `maxOffset`. The result is a view of one read buffer: no copy.
 */
export async function readBatches(
  w: FileWindow,
  file: string,
  startOffset: number,
  fromPosition: number,
  maxSize: number,
  minOneMessage: boolean,
  maxOffset: number | undefined,
): Promise<ReadResult | null> {
  const first = await searchForOffset(w, file, startOffset, fromPosition);
  if (first === null) return null;
  const p = first.position;
  if (maxOffset !== undefined && first.offset >= maxOffset) return { records: EMPTY_RECORDS, position: p, firstEntryIncomplete: false };
  const adjustedMax = minOneMessage ? Math.max(maxSize, first.size) : maxSize;
  if (adjustedMax < first.size) return { records: EMPTY_RECORDS, position: p, firstEntryIncomplete: true };
  const end = Math.min(w.limit, p + adjustedMax);
  // Small fetches are usually inside the scan window already; otherwise read exactly [p, end):
  // one read, one Buffer, no slack kept alive by the returned view.
  let buf = w.buf;
  let base = w.start;
  if (!(p >= w.start && end <= w.start + buf.length)) {
    buf = await readBytes(w.fd, p, end - p);
    base = p;
  }
  const stop = Math.min(end, base + buf.length);
  let q = p;
  let last = -1;
  while (stop - q >= 12) {
    const at = q - base;
    const size = entrySizeAt(buf, at);
    if (size < 26 || size > stop - q) break;
    const lastOffset = lastOffsetAt(buf, at);
    if (maxOffset !== undefined && lastOffset >= maxOffset) break;
    last = lastOffset;
    q += size;
  }
  const records = buf.subarray(p - base, q - base);
  return q > p ? { records, position: p, firstEntryIncomplete: false, endPosition: q, nextOffset: last + 1 } : { records, position: p, firstEntryIncomplete: false };
}

/** Kafka's FileRecords.searchForTimestamp: first record with timestamp >= target and offset >= startingOffset. */
export async function searchForTimestamp(
  w: FileWindow,
  file: string,
  targetTimestamp: number,
  from: number,
  startingOffset: number,
): Promise<TimestampAndOffset | null> {
  let pos = from;
  while (pos < w.limit) {
    const candidate: { value: HeaderVisit | null } = { value: null };
    await walkHeaders(w, file, pos, V2_HEADER_SIZE_UP_TO_MAX_TIMESTAMP, (v) => {
      if (maxTimestampAt(v.buf, v.at) < targetTimestamp) return true;
      candidate.value = { ...v };
      return false;
    });
    const found = candidate.value;
    if (found === null) return null;
    await w.ensure(found.position, found.size);
    const at = w.at(found.position);
    const bytes = w.buf.subarray(at, at + found.size);
    const hit = await firstRecordAtOrAfter(bytes, targetTimestamp, startingOffset);
    if (hit) {
      const epoch = partitionLeaderEpochAt(bytes, 0);
      return epoch >= 0 ? { ...hit, leaderEpoch: epoch } : hit;
    }
    pos = found.position + found.size;
  }
  return null;
}

async function firstRecordAtOrAfter(bytes: Buffer, target: number, startingOffset: number): Promise<TimestampAndOffset | null> {
  try {
    if (magicAt(bytes, 0) >= 2) {
      const batch = await decodeRecordBatch(bytes, { verify: false });
      for (const r of batch.records) {
        if (r.timestamp >= BigInt(target) && r.offset >= BigInt(startingOffset)) return { timestamp: Number(r.timestamp), offset: Number(r.offset) };
      }
      return null;
    }
    const set = await decodeLegacyMessageSet(bytes, { verifyCrc: false });
    for (const entry of set.entries) {
      for (const r of entry.records) {
        if (r.timestamp >= BigInt(target) && r.offset >= BigInt(startingOffset)) return { timestamp: Number(r.timestamp), offset: Number(r.offset) };
      }
    }
    return null;
  } catch (err) {
    throw new KafkaProtocolError('CORRUPT_MESSAGE', `cannot decode batch while searching for timestamp ${target}`, { cause: err });
  }
}
