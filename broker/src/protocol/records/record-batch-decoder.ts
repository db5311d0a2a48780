/**
 * Full decode of v2 batches into records, for tools, tests, compaction and format conversion —
 * never the produce/fetch path. Bounded throughout: counts are checked against the bytes they
 * claim, decompression is capped, and only ProtocolDecodeError escapes.
 */
import { ProtocolDecodeError } from '../decode-error';
import { ByteReader } from './byte-reader';
import { decompress } from './compression';
import {
  ATTRIBUTES_OFFSET,
  CompressionType,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  MAGIC_VALUE_V2,
  MIN_RECORD_SIZE,
  RECORDS_COUNT_OFFSET,
  RECORDS_OFFSET,
  TimestampType,
  compressionName,
  isCompressionType,
} from './constants';
import { type ControlRecord, parseControlRecord } from './control-record';
import { type DefaultRecord, readRecord } from './record';
import {
  DefaultRecordBatch,
  RecordBatchIterator,
  type RecordBatchIteratorOptions,
  type ValidateBatchOptions,
  validateBatchHeader,
} from './record-batch';

export interface DecodeBatchOptions extends ValidateBatchOptions {
  /** Cap on the decompressed records section. Default 64 MiB. */
  maxDecompressedBytes?: number;
  /** Check the CRC and count rules first (default true). */
  verify?: boolean;
}

/** Every header field of a v2 batch, plus its decoded records. */
export interface DecodedRecordBatch {
  baseOffset: bigint;
  batchLength: number;
  sizeInBytes: number;
  partitionLeaderEpoch: number;
  magic: typeof MAGIC_VALUE_V2;
  crc: number;
  attributes: number;
  compression: CompressionType;
  timestampType: TimestampType;
  isTransactional: boolean;
  isControl: boolean;
  lastOffsetDelta: number;
  firstTimestamp: bigint;
  maxTimestamp: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordsCount: number;
  records: DefaultRecord[];
  /** For control batches: the first record's key/value, parsed. */
  controlRecord?: ControlRecord;
}

/**
 * Decodes one batch (a Buffer holding exactly one batch at offset 0, or a view). Origin defaults
 * to 'log', which accepts compacted batches; pass origin 'client' for producer rules.
 */
export async function decodeRecordBatch(
  input: DefaultRecordBatch | Buffer,
  options: DecodeBatchOptions = {},
): Promise<DecodedRecordBatch> {
  const origin = options.origin ?? 'log';
  const batch =
    input instanceof DefaultRecordBatch
      ? options.verify === false
        ? input
        : validateBatchHeader(input.buffer, input.offset, { origin })
      : options.verify === false
        ? new DefaultRecordBatch(input, 0)
        : validateBatchHeader(input, 0, { origin });
  const codec = batch.compression;
  const recordsStart = batch.offset + RECORDS_OFFSET;
  if (!isCompressionType(codec)) {
    throw new ProtocolDecodeError(`unknown compression codec ${codec} in record batch attributes`, batch.offset + ATTRIBUTES_OFFSET);
  }
  const count = batch.recordsCount;
  if (count < 0) throw new ProtocolDecodeError(`invalid record count ${count}`, batch.offset + RECORDS_COUNT_OFFSET);

  let reader: ByteReader;
  if (count === 0) {
    // Like Kafka, an empty batch (compaction keeps them for producer state) is not read further,
    // not even decompressed.
    reader = new ByteReader(Buffer.alloc(0));
  } else if (codec === CompressionType.None) {
    reader = new ByteReader(batch.buffer, recordsStart, batch.offset + batch.sizeInBytes, 'record batch');
  } else {
    let plain: Buffer;
    try {
      plain = await decompress(codec, batch.recordsBytes(), {
        maxBytes: options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES,
      });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      throw new ProtocolDecodeError(`record batch records: ${message}`, recordsStart, { cause: e });
    }
    reader = new ByteReader(plain, 0, plain.length, `${compressionName(codec)}-decompressed records`);
  }
  if (count > reader.remaining / MIN_RECORD_SIZE) {
    reader.fail(`record count ${count} cannot fit in ${reader.remaining} bytes`);
  }

  const timestampType = batch.timestampType;
  const maxTimestamp = batch.maxTimestamp;
  const ctx = {
    baseOffset: batch.baseOffset,
    baseTimestamp: batch.firstTimestamp,
    logAppendTime: timestampType === TimestampType.LogAppendTime ? maxTimestamp : undefined,
  };
  const records: DefaultRecord[] = [];
  for (let i = 0; i < count; i++) records.push(readRecord(reader, ctx));
  if (reader.remaining !== 0) {
    reader.fail(`incorrect declared batch size, ${reader.remaining} bytes of records still remaining`);
  }

  const decoded: DecodedRecordBatch = {
    baseOffset: ctx.baseOffset,
    batchLength: batch.batchLength,
    sizeInBytes: batch.sizeInBytes,
    partitionLeaderEpoch: batch.partitionLeaderEpoch,
    magic: MAGIC_VALUE_V2,
    crc: batch.crc,
    attributes: batch.attributes,
    compression: codec,
    timestampType,
    isTransactional: batch.isTransactional,
    isControl: batch.isControl,
    lastOffsetDelta: batch.lastOffsetDelta,
    firstTimestamp: ctx.baseTimestamp,
    maxTimestamp,
    producerId: batch.producerId,
    producerEpoch: batch.producerEpoch,
    baseSequence: batch.baseSequence,
    recordsCount: count,
    records,
  };
  if (decoded.isControl && records.length > 0) {
    try {
      decoded.controlRecord = parseControlRecord(records[0]!.key, records[0]!.value);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      throw new ProtocolDecodeError(message, recordsStart, { cause: e });
    }
  }
  return decoded;
}

export interface DecodedRecords {
  batches: DecodedRecordBatch[];
  /** Bytes of a trailing incomplete batch (see RecordBatchIterator). */
  partialBytes: number;
}

/** Decodes every whole batch of a records field; origin defaults to 'log'. */
export async function decodeRecordBatches(
  buffer: Buffer,
  options: DecodeBatchOptions & RecordBatchIteratorOptions = {},
): Promise<DecodedRecords> {
  const it = new RecordBatchIterator(buffer, {
    ...options,
    origin: options.origin ?? 'log',
    validate: options.verify !== false && options.validate !== false,
  });
  const batches: DecodedRecordBatch[] = [];
  for (const view of it) batches.push(await decodeRecordBatch(view, { ...options, verify: false }));
  return { batches, partialBytes: it.partialBytes };
}
