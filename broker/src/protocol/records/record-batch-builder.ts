/**
 * Builds v2 batches (Kafka's MemoryRecordsBuilder for magic 2): sizes every record first,
 * allocates once, writes the header, and computes the CRC-32C last.
 */
import { compress } from './compression';
import {
  CONTROL_FLAG_MASK,
  CRC_OFFSET,
  ATTRIBUTES_OFFSET,
  CompressionType,
  type Int64,
  LOG_OVERHEAD,
  MAGIC_VALUE_V2,
  NO_PARTITION_LEADER_EPOCH,
  NO_PRODUCER_EPOCH,
  NO_SEQUENCE,
  RECORDS_OFFSET,
  TIMESTAMP_TYPE_MASK,
  TRANSACTIONAL_FLAG_MASK,
  TimestampType,
} from './constants';
import { crc32c } from './crc32c';
import { type SimpleRecord, sizeOfRecordBody, writeRecord } from './record';
import { sizeOfVarint, writeInt64 } from './varint';

export interface RecordBatchInput {
  records: readonly SimpleRecord[];
  baseOffset?: Int64;
  partitionLeaderEpoch?: number;
  producerId?: Int64;
  producerEpoch?: number;
  baseSequence?: number;
  isTransactional?: boolean;
  isControl?: boolean;
  timestampType?: typeof TimestampType.CreateTime | typeof TimestampType.LogAppendTime;
  compression?: CompressionType;
  /** Overrides the max record timestamp, e.g. the broker's time for LogAppendTime. */
  maxTimestamp?: Int64;
  /** Overrides the last offset delta (defaults to the last record's), e.g. for compacted batches. */
  lastOffsetDelta?: number;
}

interface Layout {
  bodySizes: number[];
  offsetDeltas: number[];
  timestampDeltas: (bigint | number)[];
  recordsSize: number;
  baseTimestamp: Int64;
  maxTimestamp: Int64;
  lastOffsetDelta: number;
}

function layout(input: RecordBatchInput): Layout {
  const records = input.records;
  const n = records.length;
  const bodySizes = new Array<number>(n);
  const offsetDeltas = new Array<number>(n);
  const timestampDeltas = new Array<bigint | number>(n);
  const baseTimestamp: Int64 = n > 0 ? records[0]!.timestamp : -1;
  let maxTimestamp: bigint = -1n;
  let recordsSize = 0;
  let previousDelta = -1;
  for (let i = 0; i < n; i++) {
    const record = records[i]!;
    const offsetDelta = record.offsetDelta ?? i;
    if (!Number.isInteger(offsetDelta) || offsetDelta <= previousDelta || offsetDelta > 0x7fffffff) {
      throw new RangeError(`record ${i}: offsetDelta ${offsetDelta} must be an int32 greater than ${previousDelta}`);
    }
    previousDelta = offsetDelta;
    const ts = record.timestamp;
    let tsDelta: bigint | number =
      typeof ts === 'number' && typeof baseTimestamp === 'number' ? ts - baseTimestamp : Number.NaN;
    if (!Number.isSafeInteger(tsDelta)) tsDelta = BigInt(ts) - BigInt(baseTimestamp);
    const big = BigInt(ts);
    if (big > maxTimestamp) maxTimestamp = big;
    const body = sizeOfRecordBody(record, offsetDelta, tsDelta);
    bodySizes[i] = body;
    offsetDeltas[i] = offsetDelta;
    timestampDeltas[i] = tsDelta;
    recordsSize += sizeOfVarint(body) + body;
  }
  return {
    bodySizes,
    offsetDeltas,
    timestampDeltas,
    recordsSize,
    baseTimestamp,
    maxTimestamp: input.maxTimestamp ?? maxTimestamp,
    lastOffsetDelta: input.lastOffsetDelta ?? (n > 0 ? offsetDeltas[n - 1]! : 0),
  };
}

function writeRecords(input: RecordBatchInput, l: Layout, buf: Buffer, pos: number): number {
  const records = input.records;
  for (let i = 0; i < records.length; i++) {
    pos = writeRecord(buf, pos, records[i]!, l.offsetDeltas[i]!, l.timestampDeltas[i]!, l.bodySizes[i]!);
  }
  return pos;
}

function attributesOf(input: RecordBatchInput): number {
  return (
    (input.compression ?? CompressionType.None) |
    (input.timestampType === TimestampType.LogAppendTime ? TIMESTAMP_TYPE_MASK : 0) |
    (input.isTransactional ? TRANSACTIONAL_FLAG_MASK : 0) |
    (input.isControl ? CONTROL_FLAG_MASK : 0)
  );
}

/** Header + records section (already compressed if it should be), CRC computed. */
function assemble(input: RecordBatchInput, l: Layout, recordsSection: Buffer | null): Buffer {
  const size = RECORDS_OFFSET + (recordsSection ? recordsSection.length : l.recordsSize);
  if (size - LOG_OVERHEAD > 0x7fffffff) throw new RangeError(`record batch of ${size} bytes is too large`);
  const buf = Buffer.allocUnsafe(size);
  let pos = writeInt64(buf, 0, input.baseOffset ?? 0);
  pos = buf.writeInt32BE(size - LOG_OVERHEAD, pos);
  pos = buf.writeInt32BE(input.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH, pos);
  pos = buf.writeInt8(MAGIC_VALUE_V2, pos);
  pos = buf.writeUInt32BE(0, pos); // CRC, filled in below
  pos = buf.writeInt16BE(attributesOf(input), pos);
  pos = buf.writeInt32BE(l.lastOffsetDelta, pos);
  pos = writeInt64(buf, pos, l.baseTimestamp);
  pos = writeInt64(buf, pos, l.maxTimestamp);
  pos = writeInt64(buf, pos, input.producerId ?? -1);
  pos = buf.writeInt16BE(input.producerEpoch ?? NO_PRODUCER_EPOCH, pos);
  pos = buf.writeInt32BE(input.baseSequence ?? NO_SEQUENCE, pos);
  pos = buf.writeInt32BE(input.records.length, pos);
  if (recordsSection) recordsSection.copy(buf, pos);
  else writeRecords(input, l, buf, pos);
  buf.writeUInt32BE(crc32c(buf, ATTRIBUTES_OFFSET, size), CRC_OFFSET);
  return buf;
}

/** Encodes an uncompressed batch synchronously (control batches, coordinator records, tests). */
export function encodeRecordBatchSync(input: RecordBatchInput): Buffer {
  if ((input.compression ?? CompressionType.None) !== CompressionType.None) {
    throw new RangeError('encodeRecordBatchSync writes uncompressed batches only; use encodeRecordBatch');
  }
  return assemble(input, layout(input), null);
}

/** Encodes a v2 batch with any codec; records after the count are compressed as one blob. */
export async function encodeRecordBatch(input: RecordBatchInput): Promise<Buffer> {
  const l = layout(input);
  const codec = input.compression ?? CompressionType.None;
  if (codec === CompressionType.None) return assemble(input, l, null);
  const plain = Buffer.allocUnsafe(l.recordsSize);
  writeRecords(input, l, plain, 0);
  return assemble(input, l, await compress(codec, plain));
}
