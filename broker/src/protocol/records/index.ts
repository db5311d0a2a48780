/**
 * Kafka's record formats, sans-io: Buffers in, values out. The hot path (produce validation,
 * offset assignment) is DefaultRecordBatch + validateBatchHeader/RecordBatchIterator, which never
 * decode records; everything else (full decode, builders, legacy formats, conversion, codecs) is
 * for tools, tests, compaction, coordinators and old clients. All decoders throw only
 * ProtocolDecodeError.
 */
export {
  CompressionType,
  ControlRecordType,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  type Int64,
  LOG_OVERHEAD,
  MAGIC_VALUE_V0,
  MAGIC_VALUE_V1,
  MAGIC_VALUE_V2,
  NO_PARTITION_LEADER_EPOCH,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  NO_SEQUENCE,
  NO_TIMESTAMP,
  RECORD_BATCH_OVERHEAD,
  TimestampType,
  compressionName,
  isCompressionType,
} from './constants';
export { crc32c, crc32cOffThread, crc32cUpdate, type Crc32cJob } from './crc32c';
export { crc32 } from './crc32';
export {
  type BatchScan,
  DefaultRecordBatch,
  RecordBatchIterator,
  type RecordBatchIteratorOptions,
  type ValidateBatchOptions,
  recordsMagic,
  scanRecordBatches,
  validateBatchHeader,
} from './record-batch';
export type { DefaultRecord, RecordHeader, SimpleRecord } from './record';
export {
  type DecodeBatchOptions,
  type DecodedRecordBatch,
  type DecodedRecords,
  decodeRecordBatch,
  decodeRecordBatches,
} from './record-batch-decoder';
export { type RecordBatchInput, encodeRecordBatch, encodeRecordBatchSync } from './record-batch-builder';
export {
  type ControlRecord,
  type EndTransactionMarkerInput,
  encodeControlRecordKey,
  encodeEndTransactionMarker,
  encodeEndTransactionMarkerValue,
  parseControlRecord,
} from './control-record';
export {
  type LegacyDecodeOptions,
  type LegacyEntry,
  type LegacyMessageSet,
  type LegacyMessageSetInput,
  type LegacyRecord,
  type LegacyRecordInput,
  decodeLegacyMessageSet,
  encodeLegacyMessageSet,
  legacyRecords,
} from './legacy-message-set';
export {
  type DownConvertOptions,
  type UpConvertOptions,
  downConvertToMessageSet,
  upConvertToRecordBatch,
} from './legacy-conversion';
export { type CompressOptions, type DecompressOptions, compress, decompress } from './compression';
