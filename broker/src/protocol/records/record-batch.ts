/**
 * RecordBatch v2 as a zero-copy view over a Buffer (Kafka's DefaultRecordBatch), plus the
 * produce-path validation and the iterator over concatenated batches. Nothing here decodes
 * records: the header is read in place, the CRC runs over a subarray, and the broker's in-place
 * edits (base offset, leader epoch, LogAppendTime) write straight into the caller's Buffer.
 */
import { ProtocolDecodeError } from '../decode-error';
import {
  ATTRIBUTES_OFFSET,
  BASE_OFFSET_OFFSET,
  BASE_SEQUENCE_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  COMPRESSION_CODEC_MASK,
  CONTROL_FLAG_MASK,
  CRC_OFFSET,
  CompressionType,
  HEADER_SIZE_UP_TO_MAGIC,
  type Int64,
  LAST_OFFSET_DELTA_OFFSET,
  LENGTH_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAGIC_VALUE_V2,
  MAX_TIMESTAMP_OFFSET,
  MIN_BATCH_LENGTH,
  MIN_RECORD_SIZE,
  PARTITION_LEADER_EPOCH_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORDS_COUNT_OFFSET,
  RECORDS_OFFSET,
  TIMESTAMP_TYPE_MASK,
  TRANSACTIONAL_FLAG_MASK,
  TimestampType,
} from './constants';
import { crc32c } from './crc32c';
import { writeInt64 } from './varint';

const INT32_MAX = 2147483647;

/**
 * A view of one v2 batch at `offset` in `buffer`. Constructing one checks only what keeps the
 * view in bounds (the length field fits the buffer, magic is 2); use validateBatchHeader for the
 * CRC and count checks. Getters read the buffer on every call, so they see in-place edits.
 */
export class DefaultRecordBatch {
  readonly buffer: Buffer;
  /** Start of the batch (its baseOffset field) in `buffer`. */
  readonly offset: number;
  /** batchLength + LOG_OVERHEAD: the whole batch, fixed when the view is made. */
  readonly sizeInBytes: number;

  constructor(buffer: Buffer, offset = 0) {
    const remaining = buffer.length - offset;
    if (offset < 0 || remaining < HEADER_SIZE_UP_TO_MAGIC) {
      throw new ProtocolDecodeError(`record batch header is truncated (${Math.max(0, remaining)} bytes)`, offset);
    }
    const batchLength = buffer.readInt32BE(offset + LENGTH_OFFSET);
    if (batchLength < MIN_BATCH_LENGTH) {
      throw new ProtocolDecodeError(
        `record batch length ${batchLength} is smaller than the minimum ${MIN_BATCH_LENGTH}`,
        offset + LENGTH_OFFSET,
      );
    }
    if (batchLength > remaining - LOG_OVERHEAD) {
      throw new ProtocolDecodeError(
        `record batch of ${batchLength + LOG_OVERHEAD} bytes extends past the end of the buffer (${remaining} bytes remain)`,
        offset + LENGTH_OFFSET,
      );
    }
    const magic = buffer[offset + MAGIC_OFFSET]!;
    if (magic !== MAGIC_VALUE_V2) {
      throw new ProtocolDecodeError(`unsupported record batch magic ${magic} (expected 2)`, offset + MAGIC_OFFSET);
    }
    this.buffer = buffer;
    this.offset = offset;
    this.sizeInBytes = batchLength + LOG_OVERHEAD;
  }

  get baseOffset(): bigint {
    return this.buffer.readBigInt64BE(this.offset + BASE_OFFSET_OFFSET);
  }
  get batchLength(): number {
    return this.sizeInBytes - LOG_OVERHEAD;
  }
  get partitionLeaderEpoch(): number {
    return this.buffer.readInt32BE(this.offset + PARTITION_LEADER_EPOCH_OFFSET);
  }
  get magic(): number {
    return this.buffer[this.offset + MAGIC_OFFSET]!;
  }
  /** Stored CRC-32C, unsigned. */
  get crc(): number {
    return this.buffer.readUInt32BE(this.offset + CRC_OFFSET);
  }
  get attributes(): number {
    return this.buffer.readInt16BE(this.offset + ATTRIBUTES_OFFSET);
  }
  /** Codec id from attributes bits 0-2; 5-7 are possible in corrupt input (decoders reject them). */
  get compression(): number {
    return this.attributes & COMPRESSION_CODEC_MASK;
  }
  get timestampType(): TimestampType {
    return this.attributes & TIMESTAMP_TYPE_MASK ? TimestampType.LogAppendTime : TimestampType.CreateTime;
  }
  get isTransactional(): boolean {
    return (this.attributes & TRANSACTIONAL_FLAG_MASK) !== 0;
  }
  get isControl(): boolean {
    return (this.attributes & CONTROL_FLAG_MASK) !== 0;
  }
  get lastOffsetDelta(): number {
    return this.buffer.readInt32BE(this.offset + LAST_OFFSET_DELTA_OFFSET);
  }
  /** Kafka calls this firstTimestamp in the docs and baseTimestamp in the code. */
  get firstTimestamp(): bigint {
    return this.buffer.readBigInt64BE(this.offset + BASE_TIMESTAMP_OFFSET);
  }
  get baseTimestamp(): bigint {
    return this.firstTimestamp;
  }
  get maxTimestamp(): bigint {
    return this.buffer.readBigInt64BE(this.offset + MAX_TIMESTAMP_OFFSET);
  }
  get producerId(): bigint {
    return this.buffer.readBigInt64BE(this.offset + PRODUCER_ID_OFFSET);
  }
  get producerEpoch(): number {
    return this.buffer.readInt16BE(this.offset + PRODUCER_EPOCH_OFFSET);
  }
  get baseSequence(): number {
    return this.buffer.readInt32BE(this.offset + BASE_SEQUENCE_OFFSET);
  }
  get recordsCount(): number {
    return this.buffer.readInt32BE(this.offset + RECORDS_COUNT_OFFSET);
  }
  get hasProducerId(): boolean {
    return this.producerId > -1n;
  }
  get lastOffset(): bigint {
    return this.baseOffset + BigInt(this.lastOffsetDelta);
  }
  get nextOffset(): bigint {
    return this.lastOffset + 1n;
  }
  /** baseSequence + lastOffsetDelta, wrapping past Int.MAX to 0 as Kafka's sequences do. */
  get lastSequence(): number {
    const base = this.baseSequence;
    if (base < 0) return base;
    const delta = this.lastOffsetDelta;
    return base > INT32_MAX - delta ? delta - (INT32_MAX - base) - 1 : base + delta;
  }

  /** The whole batch, as a view. */
  bytes(): Buffer {
    return this.buffer.subarray(this.offset, this.offset + this.sizeInBytes);
  }
  /** The records section (compressed when compression != none), as a view. */
  recordsBytes(): Buffer {
    return this.buffer.subarray(this.offset + RECORDS_OFFSET, this.offset + this.sizeInBytes);
  }

  /** CRC-32C over attributes..end, as the stored crc should be. */
  computeChecksum(): number {
    return crc32c(this.buffer, this.offset + ATTRIBUTES_OFFSET, this.offset + this.sizeInBytes);
  }
  isValid(): boolean {
    return this.computeChecksum() === this.crc;
  }

  /** Assigns the base offset (not CRC-covered: no checksum work). */
  setBaseOffset(baseOffset: Int64): void {
    writeInt64(this.buffer, this.offset + BASE_OFFSET_OFFSET, baseOffset);
  }
  /** Kafka's setLastOffset: the base offset that makes lastOffset equal `lastOffset`. */
  setLastOffset(lastOffset: Int64): void {
    const delta = this.lastOffsetDelta;
    this.setBaseOffset(typeof lastOffset === 'bigint' ? lastOffset - BigInt(delta) : lastOffset - delta);
  }
  /** Stamps the leader epoch (not CRC-covered). */
  setPartitionLeaderEpoch(epoch: number): void {
    this.buffer.writeInt32BE(epoch, this.offset + PARTITION_LEADER_EPOCH_OFFSET);
  }
  /**
   * Kafka's setMaxTimestamp: writes the timestamp type into the attributes and the max timestamp,
   * then recomputes the CRC. Like Kafka it rebuilds the attributes from the known flags, and does
   * nothing when both already match.
   */
  setMaxTimestamp(timestampType: TimestampType, maxTimestamp: Int64): void {
    const current = this.maxTimestamp;
    if (this.timestampType === timestampType && current === BigInt(maxTimestamp)) return;
    const attrs = this.attributes;
    const rebuilt =
      (attrs & (COMPRESSION_CODEC_MASK | TRANSACTIONAL_FLAG_MASK | CONTROL_FLAG_MASK)) |
      (timestampType === TimestampType.LogAppendTime ? TIMESTAMP_TYPE_MASK : 0);
    this.buffer.writeInt16BE(rebuilt, this.offset + ATTRIBUTES_OFFSET);
    writeInt64(this.buffer, this.offset + MAX_TIMESTAMP_OFFSET, maxTimestamp);
    this.buffer.writeUInt32BE(this.computeChecksum(), this.offset + CRC_OFFSET);
  }
}

export interface ValidateBatchOptions {
  /**
   * 'client' (default, the produce path): at least one record and recordsCount ==
   * lastOffsetDelta + 1, as Kafka's LogValidator requires of producers. 'log': data already in
   * a log (fetch responses, replication, compaction output) may have fewer records than the
   * offset range, even none.
   */
  origin?: 'client' | 'log';
}

/**
 * Checks one batch without decoding its records: length bounds, magic, CRC-32C over
 * attributes..end, and the count rules. Returns the view; throws ProtocolDecodeError with the
 * byte offset of the bad field.
 */
export function validateBatchHeader(buffer: Buffer, offset = 0, options: ValidateBatchOptions = {}): DefaultRecordBatch {
  const batch = new DefaultRecordBatch(buffer, offset);
  // Fields are read straight from the buffer: this runs once per produced batch.
  const end = offset + batch.sizeInBytes;
  const stored = buffer.readUInt32BE(offset + CRC_OFFSET);
  const computed = crc32c(buffer, offset + ATTRIBUTES_OFFSET, end);
  if (stored !== computed) {
    throw new ProtocolDecodeError(
      `record batch is corrupt (stored crc = ${stored}, computed crc = ${computed})`,
      offset + CRC_OFFSET,
    );
  }
  const count = buffer.readInt32BE(offset + RECORDS_COUNT_OFFSET);
  const lastOffsetDelta = buffer.readInt32BE(offset + LAST_OFFSET_DELTA_OFFSET);
  if (lastOffsetDelta < 0) {
    throw new ProtocolDecodeError(`invalid lastOffsetDelta ${lastOffsetDelta}`, offset + LAST_OFFSET_DELTA_OFFSET);
  }
  if (options.origin === 'log') {
    if (count < 0 || count > lastOffsetDelta + 1) {
      throw new ProtocolDecodeError(
        `record count ${count} is outside [0, lastOffsetDelta + 1 = ${lastOffsetDelta + 1}]`,
        offset + RECORDS_COUNT_OFFSET,
      );
    }
  } else if (count <= 0 || count !== lastOffsetDelta + 1) {
    throw new ProtocolDecodeError(
      `inconsistent record count ${count} for lastOffsetDelta ${lastOffsetDelta} (expected ${lastOffsetDelta + 1})`,
      offset + RECORDS_COUNT_OFFSET,
    );
  }
  const uncompressed = (buffer[offset + ATTRIBUTES_OFFSET + 1]! & COMPRESSION_CODEC_MASK) === CompressionType.None;
  if (uncompressed && count * MIN_RECORD_SIZE > end - offset - RECORDS_OFFSET) {
    throw new ProtocolDecodeError(
      `record count ${count} cannot fit in ${end - offset - RECORDS_OFFSET} bytes of records`,
      offset + RECORDS_COUNT_OFFSET,
    );
  }
  return batch;
}

export interface RecordBatchIteratorOptions extends ValidateBatchOptions {
  /** Run validateBatchHeader (CRC and counts) on each batch; default true. */
  validate?: boolean;
  /** A batch declaring more bytes than this is an error even when it is the trailing one. */
  maxBatchSize?: number;
}

/**
 * Iterates the v2 batches laid end to end in a records field. A trailing incomplete batch (a
 * fetch response cut at max bytes) ends the iteration and is reported through `partialBytes`,
 * not thrown; callers on the produce path decide whether that is acceptable.
 */
export class RecordBatchIterator implements IterableIterator<DefaultRecordBatch> {
  private readonly buffer: Buffer;
  private readonly end: number;
  private readonly options: RecordBatchIteratorOptions;
  /** Where the next batch starts; after iteration, the end of the last whole batch. */
  position: number;
  /** Bytes of an incomplete batch left at the end (0 if the buffer ends on a batch boundary). */
  partialBytes = 0;

  constructor(buffer: Buffer, options: RecordBatchIteratorOptions = {}, start = 0, end = buffer.length) {
    this.buffer = buffer;
    this.position = start;
    this.end = end;
    this.options = options;
  }

  [Symbol.iterator](): IterableIterator<DefaultRecordBatch> {
    return this;
  }

  next(): IteratorResult<DefaultRecordBatch> {
    const pos = this.position;
    const remaining = this.end - pos;
    if (remaining <= 0) return { done: true, value: undefined };
    if (remaining < LOG_OVERHEAD) return this.partial(remaining);
    const batchLength = this.buffer.readInt32BE(pos + LENGTH_OFFSET);
    if (batchLength < MIN_BATCH_LENGTH) {
      throw new ProtocolDecodeError(
        `record batch length ${batchLength} is smaller than the minimum ${MIN_BATCH_LENGTH}`,
        pos + LENGTH_OFFSET,
      );
    }
    const size = batchLength + LOG_OVERHEAD;
    const max = this.options.maxBatchSize;
    if (max !== undefined && size > max) {
      throw new ProtocolDecodeError(`record batch of ${size} bytes exceeds the maximum of ${max}`, pos + LENGTH_OFFSET);
    }
    if (remaining >= HEADER_SIZE_UP_TO_MAGIC && this.buffer[pos + MAGIC_OFFSET] !== MAGIC_VALUE_V2) {
      throw new ProtocolDecodeError(
        `unsupported record batch magic ${this.buffer[pos + MAGIC_OFFSET]} (expected 2)`,
        pos + MAGIC_OFFSET,
      );
    }
    if (size > remaining) return this.partial(remaining);
    // A view over exactly this batch's window keeps `end` authoritative when it is not buffer.length.
    const source = this.end === this.buffer.length ? this.buffer : this.buffer.subarray(0, this.end);
    const batch =
      this.options.validate === false ? new DefaultRecordBatch(source, pos) : validateBatchHeader(source, pos, this.options);
    this.position = pos + size;
    return { done: false, value: batch };
  }

  private partial(remaining: number): IteratorResult<DefaultRecordBatch> {
    this.partialBytes = remaining;
    this.position = this.end;
    return { done: true, value: undefined };
  }
}

export interface BatchScan {
  batches: DefaultRecordBatch[];
  /** Bytes covered by whole batches, from the start of the buffer. */
  validBytes: number;
  /** Bytes of a trailing incomplete batch. */
  partialBytes: number;
}

/** Collects every whole batch of a records field (see RecordBatchIterator). */
export function scanRecordBatches(buffer: Buffer, options: RecordBatchIteratorOptions = {}): BatchScan {
  const it = new RecordBatchIterator(buffer, options);
  const batches: DefaultRecordBatch[] = [];
  let validBytes = 0;
  for (const batch of it) {
    batches.push(batch);
    validBytes = batch.offset + batch.sizeInBytes;
  }
  return { batches, validBytes, partialBytes: it.partialBytes };
}

/** The magic byte of the first entry of a records field (v2 batch or legacy message), or -1 if too short. */
export function recordsMagic(buffer: Buffer, offset = 0): number {
  return buffer.length - offset >= HEADER_SIZE_UP_TO_MAGIC ? buffer.readInt8(offset + MAGIC_OFFSET) : -1;
}
