/**
 * Conversion between legacy message sets and v2 batches (Kafka's LogValidator conversion on
 * produce, RecordsUtil.downConvert on fetch). The log stores v2 only: Produce v0-2 data is
 * up-converted on append, and Fetch v0-3 responses are down-converted.
 */
import { CompressionType, type Int64, MAGIC_VALUE_V0, TimestampType } from './constants';
import { type DecodedRecordBatch } from './record-batch-decoder';
import { encodeRecordBatch } from './record-batch-builder';
import { type LegacyMessageSet, type LegacyRecord, encodeLegacyMessageSet, legacyRecords } from './legacy-message-set';

export interface UpConvertOptions {
  /** Offset of the first record; default 0 (the log assigns the real one in place later). */
  baseOffset?: Int64;
  /** Keep the source offsets as deltas from the first one instead of numbering 0..n-1. */
  preserveOffsets?: boolean;
  partitionLeaderEpoch?: number;
  /** Target codec; default the source's (Kafka's compression.type=producer). zstd is allowed. */
  compression?: CompressionType;
  timestampType?: typeof TimestampType.CreateTime | typeof TimestampType.LogAppendTime;
  /** The broker's append time, written as maxTimestamp for LogAppendTime. */
  logAppendTime?: Int64;
}

/**
 * One v2 batch holding every message of a legacy set (or of a list of decoded messages): keys,
 * values and timestamps kept (magic 0 messages have none: -1), no headers, no producer id.
 */
export async function upConvertToRecordBatch(
  source: LegacyMessageSet | readonly LegacyRecord[],
  options: UpConvertOptions = {},
): Promise<Buffer> {
  const set = 'validBytes' in source ? source : undefined;
  const records = set ? legacyRecords(set) : (source as readonly LegacyRecord[]);
  const sourceCodec = set?.entries[0]?.compression ?? CompressionType.None;
  const first = records[0]?.offset ?? 0n;
  const logAppend = options.timestampType === TimestampType.LogAppendTime;
  return encodeRecordBatch({
    records: records.map((r, i) => {
      let offsetDelta = i;
      if (options.preserveOffsets) {
        const delta = r.offset - first;
        if (delta < 0n || delta > 0x7fffffffn) throw new RangeError(`offset ${r.offset} cannot be a delta from ${first}`);
        offsetDelta = Number(delta);
      }
      return { key: r.key, value: r.value, timestamp: r.timestamp, offsetDelta };
    }),
    baseOffset: options.preserveOffsets ? first : (options.baseOffset ?? 0),
    partitionLeaderEpoch: options.partitionLeaderEpoch,
    compression: options.compression ?? sourceCodec,
    timestampType: logAppend ? TimestampType.LogAppendTime : TimestampType.CreateTime,
    maxTimestamp: logAppend ? options.logAppendTime : undefined,
  });
}

export interface DownConvertOptions {
  magic: 0 | 1;
  /** Default: each batch's own codec; zstd batches need another one (Kafka answers UNSUPPORTED_COMPRESSION_TYPE). */
  compression?: CompressionType;
}

/**
 * Legacy message set for old fetchers: one entry (or wrapper) per batch, offsets preserved,
 * control batches dropped, headers dropped, timestamps dropped for magic 0.
 */
export async function downConvertToMessageSet(
  batches: readonly DecodedRecordBatch[],
  options: DownConvertOptions,
): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const batch of batches) {
    if (batch.isControl || batch.records.length === 0) continue;
    const codec = options.compression ?? batch.compression;
    if (codec === CompressionType.Zstd) throw new RangeError('zstd batches cannot be down-converted to magic < 2');
    const logAppend = batch.timestampType === TimestampType.LogAppendTime && options.magic !== MAGIC_VALUE_V0;
    parts.push(
      await encodeLegacyMessageSet({
        magic: options.magic,
        compression: codec,
        timestampType: logAppend ? TimestampType.LogAppendTime : TimestampType.CreateTime,
        logAppendTime: logAppend ? batch.maxTimestamp : undefined,
        records: batch.records.map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp, offset: r.offset })),
      }),
    );
  }
  return Buffer.concat(parts);
}
