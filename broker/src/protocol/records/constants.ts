/**
 * Byte layout and flag values of Kafka's record formats, named as in Kafka's
 * `DefaultRecordBatch`, `LegacyRecord` and `Records` (clients/.../common/record).
 */

/** Magic byte values: 0 and 1 are legacy message sets, 2 is RecordBatch. */
export const MAGIC_VALUE_V0 = 0;
export const MAGIC_VALUE_V1 = 1;
export const MAGIC_VALUE_V2 = 2;

/** `offset int64 | size int32`, in front of every batch and every legacy entry. */
export const OFFSET_OFFSET = 0;
export const SIZE_OFFSET = 8;
export const LOG_OVERHEAD = 12;
/** The magic byte sits at byte 16 in both formats, which is how a reader tells them apart. */
export const MAGIC_OFFSET = 16;
export const HEADER_SIZE_UP_TO_MAGIC = MAGIC_OFFSET + 1;

// RecordBatch v2 header, relative to the batch start.
export const BASE_OFFSET_OFFSET = 0;
export const LENGTH_OFFSET = 8;
export const PARTITION_LEADER_EPOCH_OFFSET = 12;
export const CRC_OFFSET = 17;
export const ATTRIBUTES_OFFSET = 21;
export const LAST_OFFSET_DELTA_OFFSET = 23;
export const BASE_TIMESTAMP_OFFSET = 27;
export const MAX_TIMESTAMP_OFFSET = 35;
export const PRODUCER_ID_OFFSET = 43;
export const PRODUCER_EPOCH_OFFSET = 51;
export const BASE_SEQUENCE_OFFSET = 53;
export const RECORDS_COUNT_OFFSET = 57;
export const RECORDS_OFFSET = 61;
export const RECORD_BATCH_OVERHEAD = RECORDS_OFFSET;
/** Smallest legal value of the batchLength field (everything after it in an empty batch). */
export const MIN_BATCH_LENGTH = RECORD_BATCH_OVERHEAD - LOG_OVERHEAD;
/** Smallest possible record: length varint + 6 one-byte fields (attributes .. header count). */
export const MIN_RECORD_SIZE = 7;

// RecordBatch attributes (int16).
export const COMPRESSION_CODEC_MASK = 0x07;
export const TIMESTAMP_TYPE_MASK = 0x08;
export const TRANSACTIONAL_FLAG_MASK = 0x10;
export const CONTROL_FLAG_MASK = 0x20;

// Legacy message (magic 0/1), relative to the start of the message (after offset and size).
export const LEGACY_CRC_OFFSET = 0;
export const LEGACY_MAGIC_OFFSET = 4;
export const LEGACY_ATTRIBUTES_OFFSET = 5;
export const LEGACY_TIMESTAMP_OFFSET = 6;
/** crc + magic + attributes + key length + value length. */
export const RECORD_OVERHEAD_V0 = 14;
/** V0 overhead + timestamp. */
export const RECORD_OVERHEAD_V1 = 22;
export const LEGACY_TIMESTAMP_TYPE_MASK = 0x08;

export const NO_TIMESTAMP = -1n;
export const NO_PRODUCER_ID = -1n;
export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
export const NO_PARTITION_LEADER_EPOCH = -1;

/** Compression codec ids as they appear in attributes bits 0-2. */
export const CompressionType = { None: 0, Gzip: 1, Snappy: 2, Lz4: 3, Zstd: 4 } as const;
export type CompressionType = (typeof CompressionType)[keyof typeof CompressionType];

const COMPRESSION_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;

/** Kafka's `compression.type` name for a codec id ("none", "gzip", ...), or `unknown(N)`. */
export function compressionName(id: number): string {
  return COMPRESSION_NAMES[id] ?? `unknown(${id})`;
}

export function isCompressionType(id: number): id is CompressionType {
  return Number.isInteger(id) && id >= 0 && id <= 4;
}

/** Kafka's TimestampType; NoTimestampType is what magic 0 messages carry. */
export const TimestampType = { NoTimestampType: -1, CreateTime: 0, LogAppendTime: 1 } as const;
export type TimestampType = (typeof TimestampType)[keyof typeof TimestampType];

/** Control record types (the key's int16 type); ZooKeeper-mode brokers only write these two. */
export const ControlRecordType = { Abort: 0, Commit: 1 } as const;
export type ControlRecordType = (typeof ControlRecordType)[keyof typeof ControlRecordType];

/** Default bound for any decompression of untrusted bytes. */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

/** int64 inputs: bigint is exact; a number must be a safe integer. */
export type Int64 = bigint | number;
