/**
 * Reading the log's entries by their headers only. A .log file is a sequence of entries that all
 * start with `offset int64 | size int32` and carry their magic byte at byte 16: RecordBatch v2
 * (offset = base offset) or a legacy v0/v1 message (offset = its offset; for a compressed wrapper
 * the offset of its last inner message). Segment scans (offset translation, recovery, end offset)
 * need only these few fields, read straight from a window of the file: no records are decoded.
 */
import { LOG_OVERHEAD, MAGIC_VALUE_V1, MAGIC_VALUE_V2, RECORD_BATCH_OVERHEAD, crc32, validateBatchHeader } from '../protocol/records';
import { readAt, readInt64 } from './file-io';
import { READ_BUFFERS } from './read-buffer-pool';

/** Bytes needed to see the magic byte. */
export const HEADER_SIZE_UP_TO_MAGIC = 17;
/** Bytes of a v2 header needed for the last offset (baseOffset + lastOffsetDelta). */
export const V2_HEADER_SIZE_UP_TO_LAST_OFFSET = 27;
/** Bytes of a v2 header up to and including maxTimestamp. */
export const V2_HEADER_SIZE_UP_TO_MAX_TIMESTAMP = 43;
/** Kafka's LegacyRecord.RECORD_OVERHEAD_V0: the smallest legal message, and the smallest entry size field. */
export const RECORD_OVERHEAD_V0 = 14;
const RECORD_OVERHEAD_V1 = 22;
const LAST_OFFSET_DELTA_OFFSET = 23;
const MAX_TIMESTAMP_OFFSET = 35;
const PARTITION_LEADER_EPOCH_OFFSET = 12;
const LEGACY_CRC_OFFSET = 12;
const LEGACY_TIMESTAMP_OFFSET = 18;

/** Whole entry size (offset + size fields included), from the size field at pos + 8. */
export function entrySizeAt(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos + 8) + LOG_OVERHEAD;
}

export function magicAt(buf: Buffer, pos: number): number {
  return buf.readInt8(pos + 16);
}

/** Header bytes needed before lastOffsetAt can be called (17 to learn the magic, 27 for v2). */
export function headerBytesFor(buf: Buffer, pos: number, available: number): number {
  if (available < HEADER_SIZE_UP_TO_MAGIC) return HEADER_SIZE_UP_TO_MAGIC;
  return magicAt(buf, pos) >= MAGIC_VALUE_V2 ? V2_HEADER_SIZE_UP_TO_LAST_OFFSET : HEADER_SIZE_UP_TO_MAGIC;
}

/** First offset of the entry (for a compressed legacy wrapper: its offset field, which is its last). */
export function baseOffsetAt(buf: Buffer, pos: number): number {
  return readInt64(buf, pos);
}

export function lastOffsetAt(buf: Buffer, pos: number): number {
  const offset = readInt64(buf, pos);
  return magicAt(buf, pos) >= MAGIC_VALUE_V2 ? offset + buf.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET) : offset;
}

/** v2 maxTimestamp; v1 message (or wrapper) timestamp; -1 for v0. Needs 43 bytes of v2 header. */
export function maxTimestampAt(buf: Buffer, pos: number): number {
  const magic = magicAt(buf, pos);
  if (magic >= MAGIC_VALUE_V2) return readInt64(buf, pos + MAX_TIMESTAMP_OFFSET);
  if (magic === MAGIC_VALUE_V1) return readInt64(buf, pos + LEGACY_TIMESTAMP_OFFSET);
  return -1;
}

export function partitionLeaderEpochAt(buf: Buffer, pos: number): number {
  return magicAt(buf, pos) >= MAGIC_VALUE_V2 ? buf.readInt32BE(pos + PARTITION_LEADER_EPOCH_OFFSET) : -1;
}

/** Smallest legal size of an entry with this magic, or -1 for an unknown magic. */
export function minEntrySize(magic: number): number {
  if (magic === MAGIC_VALUE_V2) return RECORD_BATCH_OVERHEAD;
  if (magic === 0) return LOG_OVERHEAD + RECORD_OVERHEAD_V0;
  if (magic === MAGIC_VALUE_V1) return LOG_OVERHEAD + RECORD_OVERHEAD_V1;
  return -1;
}

export interface HeaderProblem {
  /** The entry runs past the end of the data (a torn tail), as opposed to impossible values. */
  partial: boolean;
  reason: string;
}

/**
 * Why the header at buf[pos..] cannot start a valid entry when `remaining` bytes of data are left
 * from pos, or null. Checks only what the header says (magic, size bounds); buf must hold
 * min(17, remaining) bytes at pos.
 */
export function checkEntryHeader(buf: Buffer, pos: number, remaining: number): HeaderProblem | null {
  if (remaining < HEADER_SIZE_UP_TO_MAGIC) return { partial: true, reason: `partial batch header (${remaining} bytes)` };
  const magic = magicAt(buf, pos);
  const min = minEntrySize(magic);
  if (min < 0) return { partial: false, reason: `invalid magic ${magic}` };
  const size = entrySizeAt(buf, pos);
  if (size < min) return { partial: false, reason: `impossible batch size ${size} (smaller than the minimum ${min} for magic ${magic})` };
  if (size > remaining) return { partial: true, reason: `partial batch (${remaining} of ${size} bytes present)` };
  return null;
}

/**
 * Full check of the whole entry at buf[pos, pos + size): CRC-32C and count rules for v2 (as
 * stored in a log: compacted batches may hold fewer records), CRC-32 for legacy messages.
 * Returns the reason it is invalid, or null.
 */
export function checkEntryContent(buf: Buffer, pos: number, size: number): string | null {
  const magic = magicAt(buf, pos);
  if (magic >= MAGIC_VALUE_V2) {
    const window = pos + size === buf.length ? buf : buf.subarray(0, pos + size);
    try {
      validateBatchHeader(window, pos, { origin: 'log' });
      return null;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }
  const stored = buf.readUInt32BE(pos + LEGACY_CRC_OFFSET);
  const computed = crc32(buf, pos + HEADER_SIZE_UP_TO_MAGIC - 1, pos + size);
  return stored === computed ? null : `message is corrupt (stored crc = ${stored}, computed crc = ${computed})`;
}

/**
 * A moving window over a file for header scans: `ensure(position, n)` makes bytes
 * [position, position + n) available (reading `hint` bytes or more from position, never past
 * `limit`), so a scan reads the file in a few large positional reads instead of one per header.
 */
export class FileWindow {
  buf: Buffer = Buffer.alloc(0);
  /** File position of buf[0]. */
  start = 0;
  private backing: Buffer | null = null;

  constructor(
    readonly fd: number,
    readonly limit: number,
    private readonly hint: number,
    private readonly reuse = false,
  ) {}

  /** Bytes available in the window from `position`. */
  available(position: number): number {
    return position >= this.start ? this.start + this.buf.length - position : 0;
  }

  /** Index of `position` in buf. */
  at(position: number): number {
    return position - this.start;
  }

  /** True when [position, position + n) is in the window after the call (false only at `limit`). */
  async ensure(position: number, n: number): Promise<boolean> {
    if (position >= this.start && position + n <= this.start + this.buf.length) return true;
    const length = Math.min(this.limit - position, Math.max(n, this.hint));
    if (length <= 0) return n <= 0;
    let target: Buffer;
    if (this.reuse) {
      // Recovery reads the whole file through one buffer, reused, so nothing accumulates.
      if (this.backing === null || this.backing.length < length) this.backing = Buffer.allocUnsafe(length);
      target = this.backing;
    } else {
      // A read's result is a view of its window: large windows come from the read buffer pool.
      target = READ_BUFFERS.acquire(length);
    }
    const read = await readAt(this.fd, target, 0, length, position);
    this.buf = target.subarray(0, read);
    this.start = position;
    return read >= n;
  }
}
