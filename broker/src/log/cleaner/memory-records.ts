/**
 * The cleaner's view of a chunk of log bytes (Kafka's MemoryRecords as the cleaner uses it): batch
 * headers read as plain numbers, records walked in place (decompressed first when the batch is
 * compressed) through one reused RecordView, and filterTo, which copies the batches a RecordFilter
 * keeps — untouched when every record stays, rebuilt when some go, as a bare header when none stay
 * but the batch must be kept for its producer's sequence.
 *
 * Rebuilt batches follow Kafka 2.8's MemoryRecords.buildRetainedRecordsInto byte for byte: the
 * original baseOffset, lastOffsetDelta, producer id/epoch, base sequence, partition leader epoch,
 * timestamp type, transactional flag and codec; firstTimestamp becomes the first kept record's
 * timestamp and maxTimestamp the largest kept one (the original for LogAppendTime), so each kept
 * record keeps its absolute timestamp and offset. Record bodies after the timestamp delta
 * (offsetDelta, key, value, headers) are copied as they are: only the delta is re-encoded.
 */
import { type CompressionType, compress, crc32c, decompress } from '../../protocol/records';
import { writeInt64 } from '../abstract-index';
import { readInt64 } from '../file-io';
import { CorruptRecordError, type Cursor, readVarint, readVarlong, sizeOfVarint, sizeOfVarlong, writeVarint, writeVarlong } from './varint';

export { CorruptRecordError } from './varint';

// RecordBatch v2 layout (reference §4.2).
const LOG_OVERHEAD = 12;
const MAGIC_OFFSET = 16;
const CRC_OFFSET = 17;
const ATTRIBUTES_OFFSET = 21;
const RECORDS_COUNT_OFFSET = 57;
export const RECORD_BATCH_OVERHEAD = 61;
const COMPRESSION_MASK = 0x07;
const TIMESTAMP_TYPE_MASK = 0x08;
const TRANSACTIONAL_MASK = 0x10;
const CONTROL_MASK = 0x20;
/** Attribute bits Kafka 2.8's builder writes (codec, timestamp type, transactional, control). */
const KNOWN_ATTRIBUTES = COMPRESSION_MASK | TIMESTAMP_TYPE_MASK | TRANSACTIONAL_MASK | CONTROL_MASK;
/** Bound on a decompressed records section (the records library's default). */
const MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

/** A log entry with magic 0 or 1: the cleaner does not rewrite the legacy formats (README.md, known gaps). */
export class UnsupportedMessageFormatError extends Error {
  override readonly name = 'UnsupportedMessageFormatError';
}

/** Kafka's RecordFilter.BatchRetention. */
export const BatchRetention = { DELETE: 0, DELETE_EMPTY: 1, RETAIN_EMPTY: 2 } as const;
export type BatchRetention = (typeof BatchRetention)[keyof typeof BatchRetention];

/** Header fields of one v2 batch, as numbers. */
export interface BatchInfo {
  /** Position of the batch in the buffer it was read from. */
  position: number;
  sizeInBytes: number;
  baseOffset: number;
  lastOffset: number;
  lastOffsetDelta: number;
  partitionLeaderEpoch: number;
  attributes: number;
  compression: number;
  isLogAppendTime: boolean;
  isTransactional: boolean;
  isControl: boolean;
  firstTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordsCount: number;
  /** Control batches: the first record's ControlRecordType (0 ABORT, 1 COMMIT), -1 if it has none. */
  controlType: number;
}

export function hasProducerId(batch: BatchInfo): boolean {
  return batch.producerId >= 0;
}

/** Whole entry size at `pos` (offset + size fields included). */
export function entrySizeAt(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos + 8) + LOG_OVERHEAD;
}

/** Reads the v2 header at buf[pos..]; the whole batch must be in buf. */
export function readBatchInfo(buf: Buffer, pos: number): BatchInfo {
  const magic = buf[pos + MAGIC_OFFSET]!;
  if (magic < 2) throw new UnsupportedMessageFormatError(`the log cleaner does not rewrite message format v${magic} (entry at offset ${readInt64(buf, pos)})`);
  if (magic > 2) throw new CorruptRecordError(`unknown magic ${magic} at byte ${pos}`);
  if (entrySizeAt(buf, pos) < RECORD_BATCH_OVERHEAD) throw new CorruptRecordError(`impossible batch size ${entrySizeAt(buf, pos)} at byte ${pos}`);
  const attributes = buf.readInt16BE(pos + ATTRIBUTES_OFFSET);
  const baseOffset = readInt64(buf, pos);
  const lastOffsetDelta = buf.readInt32BE(pos + 23);
  return {
    position: pos,
    sizeInBytes: entrySizeAt(buf, pos),
    baseOffset,
    lastOffset: baseOffset + lastOffsetDelta,
    lastOffsetDelta,
    partitionLeaderEpoch: buf.readInt32BE(pos + 12),
    attributes,
    compression: attributes & COMPRESSION_MASK,
    isLogAppendTime: (attributes & TIMESTAMP_TYPE_MASK) !== 0,
    isTransactional: (attributes & TRANSACTIONAL_MASK) !== 0,
    isControl: (attributes & CONTROL_MASK) !== 0,
    firstTimestamp: readInt64(buf, pos + 27),
    maxTimestamp: readInt64(buf, pos + 35),
    producerId: readInt64(buf, pos + 43),
    producerEpoch: buf.readInt16BE(pos + 51),
    baseSequence: buf.readInt32BE(pos + 53),
    recordsCount: buf.readInt32BE(pos + RECORDS_COUNT_OFFSET),
    controlType: -1,
  };
}

/**
 * A cursor over the records of one batch, reused for every record and batch: reset(), then next()
 * until it returns false. Fields describe the current record. Plain loops over one object keep the
 * per-record cost to a few varint reads (no closure or object per record).
 */
export class RecordView {
  buf: Buffer = Buffer.alloc(0);
  /** Absolute offset and timestamp (LogAppendTime batches report the batch's max timestamp, as Kafka). */
  offset = 0;
  timestamp = 0;
  keyStart = 0;
  /** -1 for a null key. */
  keyLength = -1;
  hasValue = false;
  /** Where the record's bytes after the timestamp delta begin (offsetDelta, key, value, headers). */
  restStart = 0;
  end = 0;
  private readonly cursor: Cursor = { pos: 0 };
  private left = 0;
  private index = 0;
  private baseOffset = 0;
  private baseTimestamp = 0;
  private logAppendTime = -1;

  get hasKey(): boolean {
    return this.keyLength >= 0;
  }

  /** The key's bytes as a latin1 string (tests, tools). */
  key(): string {
    return this.buf.toString('latin1', this.keyStart, this.keyStart + this.keyLength);
  }

  /** Positions the cursor before the first record of `batch`, whose records section is `section`. */
  reset(section: Buffer, batch: BatchInfo): void {
    this.buf = section;
    this.cursor.pos = 0;
    this.left = batch.recordsCount;
    this.index = 0;
    this.baseOffset = batch.baseOffset;
    this.baseTimestamp = batch.firstTimestamp;
    this.logAppendTime = batch.isLogAppendTime ? batch.maxTimestamp : -1;
  }

  /**
   * Moves to the next record; false after the last one. Throws CorruptRecordError unless exactly
   * recordsCount well-formed records fill the section.
   */
  next(): boolean {
    const section = this.buf;
    const c = this.cursor;
    const end = section.length;
    if (this.index > 0) c.pos = this.end;
    if (this.left === 0) {
      if (c.pos !== end) throw new CorruptRecordError(`the batch at offset ${this.baseOffset} has ${end - c.pos} bytes after its ${this.index} records`);
      return false;
    }
    const bodySize = readVarint(section, c, end);
    const bodyStart = c.pos;
    const bodyEnd = bodyStart + bodySize;
    if (bodySize < 6 || bodyEnd > end) throw new CorruptRecordError(`record ${this.index} of the batch at offset ${this.baseOffset} has an impossible size ${bodySize}`);
    c.pos = bodyStart + 1; // attributes: unused in v2
    const timestampDelta = readVarlong(section, c, bodyEnd);
    this.restStart = c.pos;
    const offsetDelta = readVarint(section, c, bodyEnd);
    const keyLength = readVarint(section, c, bodyEnd);
    this.keyStart = c.pos;
    this.keyLength = keyLength < 0 ? -1 : keyLength;
    if (keyLength > 0) c.pos += keyLength;
    if (c.pos > bodyEnd) throw new CorruptRecordError(`record ${this.index} of the batch at offset ${this.baseOffset} has a key past its end`);
    this.hasValue = readVarint(section, c, bodyEnd) >= 0;
    this.offset = this.baseOffset + offsetDelta;
    this.timestamp = this.logAppendTime >= 0 ? this.logAppendTime : this.baseTimestamp + timestampDelta;
    this.end = bodyEnd;
    this.left--;
    this.index++;
    return true;
  }
}

/** The records section of a batch as stored (compressed when the batch is). */
export function rawRecordsSection(buf: Buffer, batch: BatchInfo): Buffer {
  return buf.subarray(batch.position + RECORD_BATCH_OVERHEAD, batch.position + batch.sizeInBytes);
}

/** The records section of a batch, decompressed when needed. */
export async function recordsSection(buf: Buffer, batch: BatchInfo): Promise<Buffer> {
  const section = rawRecordsSection(buf, batch);
  if (batch.compression === 0 || batch.recordsCount === 0) return section;
  return decompress(batch.compression, section, { maxBytes: MAX_DECOMPRESSED_BYTES });
}

/** ControlRecordType from a control batch's first record key (int16 version, int16 type); -1 if none. */
export function controlTypeOf(section: Buffer, batch: BatchInfo): number {
  if (batch.recordsCount === 0) return -1;
  const view = new RecordView();
  view.reset(section, { ...batch, recordsCount: 1 });
  view.next();
  return view.keyLength >= 4 ? section.readInt16BE(view.keyStart + 2) : -1;
}

/** Kafka's MemoryRecords.RecordFilter. */
export interface RecordFilter {
  checkBatchRetention(batch: BatchInfo): BatchRetention;
  shouldRetainRecord(batch: BatchInfo, record: RecordView): boolean;
}

/** Kafka's MemoryRecords.FilterResult. */
export interface FilterResult {
  /** The kept batches, back to back. */
  output: Buffer;
  /** Input bytes consumed (whole batches, kept or not); less than the input at a partial batch. */
  bytesRead: number;
  messagesRead: number;
  messagesRetained: number;
  bytesRetained: number;
  /** Largest offset kept (-1 if none) and where the largest timestamp is. */
  maxOffset: number;
  maxTimestamp: number;
  shallowOffsetOfMaxTimestamp: number;
}

/**
 * Kafka's MemoryRecords.filterTo over the whole batches at the start of `input`. Rebuilt batches
 * have their CRC checked first, so damaged bytes are never given a fresh, valid checksum.
 */
export async function filterTo(input: Buffer, filter: RecordFilter): Promise<FilterResult> {
  const parts: Buffer[] = [];
  const result: FilterResult = {
    output: Buffer.alloc(0),
    bytesRead: 0,
    messagesRead: 0,
    messagesRetained: 0,
    bytesRetained: 0,
    maxOffset: -1,
    maxTimestamp: -1,
    shallowOffsetOfMaxTimestamp: -1,
  };
  const kept = new KeptRecords();
  const view = new RecordView();
  let pos = 0;
  while (input.length - pos >= MAGIC_OFFSET + 1 && input.length - pos >= entrySizeAt(input, pos)) {
    const batch = readBatchInfo(input, pos);
    pos += batch.sizeInBytes;
    result.bytesRead += batch.sizeInBytes;
    let section: Buffer | null = null;
    if (batch.isControl) {
      section = await recordsSection(input, batch);
      batch.controlType = controlTypeOf(section, batch);
    }
    const retention = filter.checkBatchRetention(batch);
    if (retention === BatchRetention.DELETE) continue;
    section ??= batch.compression === 0 ? rawRecordsSection(input, batch) : await recordsSection(input, batch);
    kept.reset();
    view.reset(section, batch);
    while (view.next()) {
      result.messagesRead++;
      if (filter.shouldRetainRecord(batch, view)) kept.add(view);
    }
    let out: Buffer | null = null;
    let maxOffset = batch.lastOffset;
    let maxTimestamp = batch.maxTimestamp;
    if (kept.count === batch.recordsCount && kept.count > 0) {
      out = input.subarray(batch.position, batch.position + batch.sizeInBytes);
    } else if (kept.count > 0) {
      verifyCrc(input, batch);
      out = await rebuildBatch(batch, section, kept);
      maxOffset = kept.maxOffset;
      maxTimestamp = readInt64(out, 35);
    } else if (retention === BatchRetention.RETAIN_EMPTY) {
      out = emptyBatch(batch);
    }
    if (out === null) continue;
    parts.push(out);
    result.messagesRetained += kept.count;
    result.bytesRetained += out.length;
    if (maxTimestamp > result.maxTimestamp) {
      result.maxTimestamp = maxTimestamp;
      result.shallowOffsetOfMaxTimestamp = batch.lastOffset;
    }
    result.maxOffset = Math.max(result.maxOffset, maxOffset);
  }
  result.output = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  return result;
}

function verifyCrc(buf: Buffer, batch: BatchInfo): void {
  const stored = buf.readUInt32BE(batch.position + CRC_OFFSET);
  const computed = crc32c(buf, batch.position + ATTRIBUTES_OFFSET, batch.position + batch.sizeInBytes);
  if (stored !== computed) {
    throw new CorruptRecordError(`record batch at offset ${batch.baseOffset} is corrupt (stored crc = ${stored}, computed crc = ${computed})`);
  }
}

/** The kept records of one batch: where their bytes are and their absolute timestamps. */
class KeptRecords {
  count = 0;
  maxOffset = -1;
  restStarts: number[] = [];
  ends: number[] = [];
  timestamps: number[] = [];

  reset(): void {
    this.count = 0;
    this.maxOffset = -1;
  }

  add(r: RecordView): void {
    const i = this.count++;
    this.restStarts[i] = r.restStart;
    this.ends[i] = r.end;
    this.timestamps[i] = r.timestamp;
    if (r.offset > this.maxOffset) this.maxOffset = r.offset;
  }
}

/** Kafka's buildRetainedRecordsInto + overrideLastOffset (see the file comment). */
async function rebuildBatch(batch: BatchInfo, section: Buffer, kept: KeptRecords): Promise<Buffer> {
  const baseTimestamp = kept.timestamps[0]!;
  let maxTimestamp = -1;
  let size = 0;
  for (let i = 0; i < kept.count; i++) {
    const ts = kept.timestamps[i]!;
    if (ts > maxTimestamp) maxTimestamp = ts;
    const body = 1 + sizeOfVarlong(ts - baseTimestamp) + (kept.ends[i]! - kept.restStarts[i]!);
    size += sizeOfVarint(body) + body;
  }
  if (batch.isLogAppendTime) maxTimestamp = batch.maxTimestamp;
  const compressed = batch.compression !== 0;
  const out = compressed ? Buffer.allocUnsafe(size) : Buffer.allocUnsafe(RECORD_BATCH_OVERHEAD + size);
  let p = compressed ? 0 : RECORD_BATCH_OVERHEAD;
  for (let i = 0; i < kept.count; i++) {
    const restStart = kept.restStarts[i]!;
    const end = kept.ends[i]!;
    const delta = kept.timestamps[i]! - baseTimestamp;
    p = writeVarint(out, p, 1 + sizeOfVarlong(delta) + (end - restStart));
    out[p++] = 0; // record attributes: unused, Kafka writes 0
    p = writeVarlong(out, p, delta);
    p += section.copy(out, p, restStart, end);
  }
  let records = out;
  if (compressed) {
    const body = await compress(batch.compression as CompressionType, out);
    records = Buffer.allocUnsafe(RECORD_BATCH_OVERHEAD + body.length);
    body.copy(records, RECORD_BATCH_OVERHEAD);
  }
  writeHeader(records, batch, baseTimestamp, maxTimestamp, kept.count, batch.compression);
  return records;
}

/** Kafka's DefaultRecordBatch.writeEmptyHeader: no records, no codec, both timestamps = maxTimestamp. */
function emptyBatch(batch: BatchInfo): Buffer {
  const out = Buffer.allocUnsafe(RECORD_BATCH_OVERHEAD);
  writeHeader(out, batch, batch.maxTimestamp, batch.maxTimestamp, 0, 0);
  return out;
}

function writeHeader(out: Buffer, batch: BatchInfo, firstTimestamp: number, maxTimestamp: number, count: number, codec: number): void {
  writeInt64(out, 0, batch.baseOffset);
  out.writeInt32BE(out.length - LOG_OVERHEAD, 8);
  out.writeInt32BE(batch.partitionLeaderEpoch, 12);
  out[MAGIC_OFFSET] = 2;
  out.writeInt16BE((batch.attributes & KNOWN_ATTRIBUTES & ~COMPRESSION_MASK) | codec, ATTRIBUTES_OFFSET);
  out.writeInt32BE(batch.lastOffsetDelta, 23);
  writeInt64(out, 27, firstTimestamp);
  writeInt64(out, 35, maxTimestamp);
  writeInt64(out, 43, batch.producerId);
  out.writeInt16BE(batch.producerEpoch, 51);
  out.writeInt32BE(batch.baseSequence, 53);
  out.writeInt32BE(count, RECORDS_COUNT_OFFSET);
  out.writeUInt32BE(crc32c(out, ATTRIBUTES_OFFSET, out.length), CRC_OFFSET);
}
