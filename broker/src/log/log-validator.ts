/**
 * Produce-path validation and offset assignment (Kafka's Log.analyzeAndValidateRecords and
 * LogValidator), working on batch headers in place: CRC-32C, sizes, counts and flags are read
 * from the bytes, offsets, the leader epoch and LogAppendTime are written into the caller's
 * Buffer, and records are not decoded, except where a topic setting needs every record
 * (compacted topics need keys; message.timestamp.difference.max.ms bounds every timestamp) or
 * the bytes must change (legacy v0/v1 input is up-converted; compression.type re-compresses).
 */
import { RecordErrorCollector } from './record-validation-error';
import { KafkaProtocolError } from '../protocol/error-codes';
import {
  CompressionType,
  DefaultRecordBatch,
  type DecodedRecordBatch,
  LOG_OVERHEAD as IMPORTED_LOG_OVERHEAD,
  MAGIC_VALUE_V2 as IMPORTED_MAGIC_VALUE_V2,
  RECORD_BATCH_OVERHEAD as IMPORTED_RECORD_BATCH_OVERHEAD,
  TimestampType,
  crc32c as importedCrc32c,
  crc32cOffThread,
  type Crc32cJob,
  decodeLegacyMessageSet,
  decodeRecordBatch,
  encodeRecordBatch,
  upConvertToRecordBatch,
} from '../protocol/records';
import { HEADER_SIZE_UP_TO_MAGIC as IMPORTED_HEADER_SIZE_UP_TO_MAGIC, checkEntryContent, checkEntryHeader, lastOffsetAt, magicAt } from './batch-scan';
import { writeInt32 as importedWriteInt32, writeInt64 as importedWriteInt64 } from './abstract-index';
import { readInt64 as importedReadInt64 } from './file-io';
import { walkUncompressedRecords } from './record-walk';
import type { LogConfig } from './log-config';

// Local copies of what every append uses: compiled to CommonJS, an imported name is a property
// read through a getter (two for a re-export) at each use, measured at ~1 µs per 16 KiB append.
const LOG_OVERHEAD = IMPORTED_LOG_OVERHEAD;
const MAGIC_VALUE_V2 = IMPORTED_MAGIC_VALUE_V2;
const RECORD_BATCH_OVERHEAD = IMPORTED_RECORD_BATCH_OVERHEAD;
const HEADER_SIZE_UP_TO_MAGIC = IMPORTED_HEADER_SIZE_UP_TO_MAGIC;
const crc32c = importedCrc32c;
const writeInt64 = importedWriteInt64;
const writeInt32 = importedWriteInt32;
const readInt64 = importedReadInt64;

/**
 * Header fields read byte by byte: Buffer.readInt32BE validates its argument and bounds at each
 * call, several times per append; the callers here have checked the batch fits first.
 */
const int32At = (buf: Buffer, pos: number): number => (buf[pos]! << 24) | (buf[pos + 1]! << 16) | (buf[pos + 2]! << 8) | buf[pos + 3]!;

/** What an append did (Kafka's LogAppendInfo, the fields the broker uses). */
export interface LogAppendInfo {
  /** First offset appended, -1 when nothing was. */
  firstOffset: number;
  lastOffset: number;
  /** Max record timestamp (broker time for LogAppendTime), -1 if none. */
  maxTimestamp: number;
  /** Last offset of the batch holding maxTimestamp (Kafka's shallow offset). */
  offsetOfMaxTimestamp: number;
  /** Broker time stamped for LogAppendTime topics, else -1. */
  logAppendTime: number;
  logStartOffset: number;
  /** Bytes of whole batches taken from the input (a trailing partial batch is dropped, as Kafka does). */
  validBytes: number;
  /** lastOffset - firstOffset + 1. */
  numMessages: number;
  /** Batches appended. */
  shallowCount: number;
  /** Codec of the input, and codec written (differs when compression.type recompresses). */
  sourceCodec: number;
  targetCodec: number;
}

/** Kafka's UnexpectedAppendOffsetException: a follower append starting below the log end offset. */
export class UnexpectedAppendOffsetError extends Error {
  override readonly name = 'UnexpectedAppendOffsetError';
  constructor(
    message: string,
    readonly firstOffset: number,
    readonly lastOffset: number,
  ) {
    super(message);
  }
}

/** Kafka's OffsetsOutOfOrderException (follower data whose offsets do not increase). */
export class OffsetsOutOfOrderError extends Error {
  override readonly name = 'OffsetsOutOfOrderError';
}

const LONG_MAX = 2 ** 63;
const TARGET_CODECS: Readonly<Record<string, CompressionType>> = {
  uncompressed: CompressionType.None,
  gzip: CompressionType.Gzip,
  snappy: CompressionType.Snappy,
  lz4: CompressionType.Lz4,
  zstd: CompressionType.Zstd,
};

export interface LeaderAppendContext {
  config: LogConfig;
  topicPartition: string;
  /** The log end offset: the first offset to assign. */
  nextOffset: number;
  leaderEpoch: number;
  /** Broker time; may be NaN (not read) unless LogAppendTime or a finite message.timestamp.difference.max.ms needs it. */
  now: number;
  /** Reported back in the LogAppendInfo. */
  logStartOffset: number;
}

const invalid = (message: string): KafkaProtocolError => new KafkaProtocolError('INVALID_RECORD', message);

/** Kafka's targetCodec: compression.type=producer keeps the producer's codec. */
function targetCodecFor(config: LogConfig, sourceCodec: number): number {
  return config.compressionType === 'producer' ? sourceCodec : (TARGET_CODECS[config.compressionType] ?? sourceCodec);
}

// Batch header layout (RecordBatch v2), read directly: this runs for every produced batch.
const LENGTH = 8;
const PARTITION_LEADER_EPOCH = 12;
const MAGIC = 16;
const CRC = 17;
const ATTRIBUTES = 21;
const LAST_OFFSET_DELTA = 23;
const MAX_TIMESTAMP = 35;
const PRODUCER_ID = 43;
const BASE_SEQUENCE = 53;
const RECORDS_COUNT = 57;
const CODEC_MASK = 0x07;
const TIMESTAMP_TYPE_MASK = 0x08;
const CONTROL_MASK = 0x20;
const MIN_RECORD_SIZE = 7;
const NONE = CompressionType.None;
const ZSTD = CompressionType.Zstd;

/**
 * Validates leader (client) input and assigns offsets. Returns the bytes to append: the input
 * itself, edited in place, unless it had to be converted or recompressed.
 */
/** What prepareLeaderAppend needs: everything but the log's current offsets. */
export type PrepareContext = Omit<LeaderAppendContext, 'nextOffset' | 'logStartOffset'>;

/** Batches that passed validation (and any conversion), waiting for offsets. */
export interface PreparedLeaderAppend {
  records: Buffer;
  positions: readonly number[];
  validBytes: number;
  sourceCodec: number;
  targetCodec: number;
}

/**
 * The part of leader-append validation that depends only on the input (structure, CRC-32C, record
 * checks, up-conversion and recompression). It needs no lock, so a partition's next append can be
 * validated while the previous one is still being written.
 *
 * The common case (v2 input kept as it is, no record needing decompression) is done synchronously
 * and returned as a value, so the append can go on without a turn of the event loop; only
 * conversion, recompression, the checks that decode records and inputs of ASYNC_CRC_MIN_BYTES or
 * more (checksummed on the thread pool while the event loop goes on) return a Promise. Invalid
 * input throws synchronously on the synchronous path.
 */
export function prepareLeaderAppend(input: Buffer, ctx: PrepareContext): PreparedLeaderAppend | Promise<PreparedLeaderAppend> {
  if (input.length >= HEADER_SIZE_UP_TO_MAGIC && input[MAGIC]! < MAGIC_VALUE_V2) {
    return upConvert(input, ctx).then((records) => prepareScanned(records, scanClientBatches(records, ctx), ctx));
  }
  if (input.length >= ASYNC_CRC_MIN_BYTES && crc32cOffThread !== undefined) {
    const jobs = startBatchChecksums(input, crc32cOffThread);
    // The loop runs on (writing the partition's previous append, serving other requests) while a
    // pool thread checksums; after its poll phase the results are taken, or computed in line if
    // no pool thread has started them, so the loop never sits idle waiting for the pool.
    return nextCheckPhase().then(() => prepareScanned(input, scanClientBatches(input, ctx, finishBatchChecksums(jobs, crc32cOffThread!)), ctx));
  }
  return prepareScanned(input, scanClientBatches(input, ctx), ctx);
}

/**
 * From this many bytes, a produce's CRC-32Cs are computed on the thread pool before the scan: the
 * event loop meanwhile writes the partition's previous append (a synchronous pwrite of up to
 * SYNC_APPEND_MAX_BYTES), so checking and writing overlap on the two cores. Below it the thread
 * pool's round trip costs more than the checksum (about 0.1 ms per MiB).
 */
export const ASYNC_CRC_MIN_BYTES = 512 * 1024;

/** Resolves in the event loop's next check phase (setImmediate), after the pending I/O callbacks. */
function nextCheckPhase(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

interface BatchChecksumJobs {
  readonly positions: number[];
  readonly jobs: Crc32cJob[];
}

/**
 * Queues the CRC-32C of each whole batch's checksummed range on the thread pool, by batch position.
 * The walk stops where the scan would stop or fail (a length below the batch overhead, a partial
 * batch); the scan checks everything itself, using these values in place of computing them.
 */
function startBatchChecksums(buf: Buffer, offThread: NonNullable<typeof crc32cOffThread>): BatchChecksumJobs {
  const positions: number[] = [];
  const jobs: Crc32cJob[] = [];
  for (let pos = 0; buf.length - pos >= LOG_OVERHEAD; ) {
    const size = int32At(buf, pos + LENGTH) + LOG_OVERHEAD;
    if (size < RECORD_BATCH_OVERHEAD || buf.length - pos < size) break;
    positions.push(pos);
    jobs.push(offThread.start(new Uint8Array(buf.buffer, buf.byteOffset + pos + ATTRIBUTES, size - ATTRIBUTES)));
    pos += size;
  }
  return { positions, jobs };
}

function finishBatchChecksums({ positions, jobs }: BatchChecksumJobs, offThread: NonNullable<typeof crc32cOffThread>): ReadonlyMap<number, number> {
  return new Map(positions.map((pos, i) => [pos, offThread.finish(jobs[i]!)]));
}

function prepareScanned(records: Buffer, positions: readonly number[], ctx: PrepareContext): PreparedLeaderAppend | Promise<PreparedLeaderAppend> {
  const { config } = ctx;
  if (positions.length === 0) return { records: records.subarray(0, 0), positions, validBytes: 0, sourceCodec: NONE, targetCodec: NONE };
  // What the scan just saw (see scanned): the codecs, and where the last whole batch ends.
  const sourceCodec = scanned.sourceCodec;
  const targetCodec = targetCodecFor(config, sourceCodec);
  const inPlace = scanned.oneCodec && scanned.firstCodec === targetCodec; // every batch already in the target codec
  const validBytes = scanned.end;
  const kept = validBytes === records.length ? records : records.subarray(0, validBytes);
  const prepared: PreparedLeaderAppend = { records: kept, positions, validBytes, sourceCodec, targetCodec };
  if (!(config.compact || config.messageTimestampDifferenceMaxMs < LONG_MAX || !inPlace)) return prepared;
  if (inPlace && sourceCodec === NONE) {
    // Uncompressed and kept as is: the record checks read the bytes, no decoding, no await.
    for (const pos of positions) checkUncompressedRecords(new DefaultRecordBatch(records, pos), ctx);
    return prepared;
  }
  return checkAndRebuild(records, positions, ctx, inPlace, prepared);
}

async function checkAndRebuild(
  records: Buffer,
  positions: readonly number[],
  ctx: PrepareContext,
  inPlace: boolean,
  prepared: PreparedLeaderAppend,
): Promise<PreparedLeaderAppend> {
  for (const pos of positions) await checkRecords(new DefaultRecordBatch(records, pos), ctx, !inPlace);
  if (inPlace) return prepared;
  // The rebuilt batch is ours (it may carry LogAppendTime already): no client checks on it.
  const rebuilt = await rebuild(positions.map((pos) => new DefaultRecordBatch(records, pos)), ctx, prepared.targetCodec);
  return { records: rebuilt, positions: [0], validBytes: rebuilt.length, sourceCodec: prepared.sourceCodec, targetCodec: prepared.targetCodec };
}

/** Assigns offsets (and the leader epoch, LogAppendTime) in `p.records`, in place; runs under the log's lock. */
export function assignOffsets(p: PreparedLeaderAppend, ctx: LeaderAppendContext): LogAppendInfo {
  if (p.positions.length === 0) return { ...emptyInfo(), logStartOffset: ctx.logStartOffset };
  return assignInPlace(p.records, p.positions, ctx, p.validBytes, p.sourceCodec, p.targetCodec);
}

function emptyInfo(): Omit<LogAppendInfo, 'logStartOffset'> {
  return { firstOffset: -1, lastOffset: -1, maxTimestamp: -1, offsetOfMaxTimestamp: -1, logAppendTime: -1, validBytes: 0, numMessages: 0, shallowCount: 0, sourceCodec: 0, targetCodec: 0 };
}

/**
 * Structure and header checks of client batches (Kafka's analyzeAndValidateRecords and
 * LogValidator.validateBatch), in Kafka's order, straight from the bytes. Returns the batch
 * positions; a trailing partial batch is left out.
 */
function scanClientBatches(buf: Buffer, ctx: PrepareContext, checksums?: ReadonlyMap<number, number>): readonly number[] {
  let out: number[] | undefined; // allocated from a second batch on: a produce usually carries one per partition
  const tp = ctx.topicPartition;
  const maxMessageSize = ctx.config.maxMessageSize;
  let pos = 0;
  let sourceCodec: number = NONE;
  let firstCodec = -1;
  let oneCodec = true;
  while (buf.length - pos >= LOG_OVERHEAD) {
    const remaining = buf.length - pos;
    const size = int32At(buf, pos + LENGTH) + LOG_OVERHEAD;
    if (size < RECORD_BATCH_OVERHEAD) {
      throw new KafkaProtocolError('CORRUPT_MESSAGE', `Record batch size ${size} is less than the minimum batch overhead (${RECORD_BATCH_OVERHEAD}) in topic partition ${tp}.`);
    }
    if (remaining < size) break;
    if (buf[pos + MAGIC] !== MAGIC_VALUE_V2) {
      throw invalid(`Batch magic ${buf[pos + MAGIC]} is not the same as the first batch'es magic byte 2 in topic partition ${tp}.`);
    }
    if (size > maxMessageSize) {
      throw new KafkaProtocolError(
        'MESSAGE_TOO_LARGE',
        `Message batch size is ${size} bytes in append to partition ${tp} which exceeds the maximum configured message size of ${maxMessageSize}.`,
      );
    }
    const stored = int32At(buf, pos + CRC) >>> 0;
    // A plain Uint8Array view: Buffer.subarray costs ~40 ns more per append (argument handling, FastBuffer).
    const computed = checksums?.get(pos) ?? crc32c(new Uint8Array(buf.buffer, buf.byteOffset + pos + ATTRIBUTES, size - ATTRIBUTES));
    if (stored !== computed) {
      throw new KafkaProtocolError('CORRUPT_MESSAGE', `Record is corrupt (stored crc = ${stored}, computed crc = ${computed}) in topic partition ${tp}.`);
    }
    const attributes = (buf[pos + ATTRIBUTES]! << 8) | buf[pos + ATTRIBUTES + 1]!; // the flags used fit in the low byte
    const codec = attributes & CODEC_MASK;
    const delta = int32At(buf, pos + LAST_OFFSET_DELTA);
    const count = int32At(buf, pos + RECORDS_COUNT);
    if (delta < 0) throw invalid(`Batch has an invalid offset range: last offset delta ${delta} in topic partition ${tp}.`);
    if (count <= 0) throw invalid(`Invalid reported count for record batch: ${count} in append to topic partition ${tp}.`);
    if (count !== delta + 1) throw invalid(`Inconsistent batch offset range [0, ${delta}] and count of records ${count} in topic partition ${tp}.`);
    if (codec === NONE && count * MIN_RECORD_SIZE > size - RECORD_BATCH_OVERHEAD) {
      throw invalid(`Record count ${count} cannot fit in ${size - RECORD_BATCH_OVERHEAD} bytes of records in topic partition ${tp}.`);
    }
    if (codec > ZSTD) throw invalid(`Unknown compression codec ${codec} in topic partition ${tp}.`);
    if (attributes & CONTROL_MASK) throw invalid(`Clients are not allowed to write control records in topic partition ${tp}.`);
    // producerId > -1 exactly when the high word of the int64 is not negative.
    const baseSequence = int32At(buf, pos + BASE_SEQUENCE);
    if (int32At(buf, pos + PRODUCER_ID) >= 0 && baseSequence < 0) {
      throw invalid(`Invalid sequence number ${baseSequence} in record batch with producerId ${readInt64(buf, pos + PRODUCER_ID)} in topic partition ${tp}.`);
    }
    if (attributes & TIMESTAMP_TYPE_MASK) {
      throw new KafkaProtocolError('INVALID_TIMESTAMP', 'Invalid timestamp type in message. Producer should not set timestamp type to LogAppendTime.');
    }
    if (pos > 0) (out ??= [0]).push(pos);
    if (codec !== NONE) sourceCodec = codec;
    if (firstCodec < 0) firstCodec = codec;
    else if (codec !== firstCodec) oneCodec = false;
    pos += size;
  }
  scanned.end = pos;
  scanned.sourceCodec = sourceCodec;
  scanned.firstCodec = firstCodec;
  scanned.oneCodec = oneCodec;
  return out ?? (pos > 0 ? FIRST_BATCH_ONLY : NO_BATCHES);
}

/**
 * What the last scanClientBatches saw besides the positions, read by prepareScanned right after
 * it (synchronously): a module-level record rather than an object per append.
 */
const scanned = { end: 0, sourceCodec: NONE as number, firstCodec: -1, oneCodec: true };

const FIRST_BATCH_ONLY: readonly number[] = Object.freeze([0]);
const NO_BATCHES: readonly number[] = Object.freeze([]);

/** Offsets, leader epoch and LogAppendTime written into each batch; returns what the append will record. */
function assignInPlace(
  buf: Buffer,
  positions: readonly number[],
  ctx: LeaderAppendContext,
  validBytes: number,
  sourceCodec: number,
  targetCodec: number,
): LogAppendInfo {
  const logAppend = ctx.config.messageTimestampType === 'LogAppendTime';
  let offset = ctx.nextOffset;
  let maxTimestamp = -1;
  let offsetOfMaxTimestamp = -1;
  for (let i = 0; i < positions.length; i++) {
    const pos = positions[i]!;
    writeInt64(buf, pos, offset);
    offset += int32At(buf, pos + LAST_OFFSET_DELTA) + 1;
    writeInt32(buf, pos + PARTITION_LEADER_EPOCH, ctx.leaderEpoch);
    if (logAppend) {
      // Attribute bit, max timestamp and the CRC they change (DefaultRecordBatch.setMaxTimestamp).
      new DefaultRecordBatch(buf, pos).setMaxTimestamp(TimestampType.LogAppendTime, ctx.now);
    } else {
      const ts = int32At(buf, pos + MAX_TIMESTAMP) * 4294967296 + (int32At(buf, pos + MAX_TIMESTAMP + 4) >>> 0);
      if (ts > maxTimestamp) {
        maxTimestamp = ts;
        offsetOfMaxTimestamp = offset - 1;
      }
    }
  }
  if (logAppend) {
    maxTimestamp = ctx.now;
    offsetOfMaxTimestamp = offset - 1;
  }
  return {
    firstOffset: ctx.nextOffset,
    lastOffset: offset - 1,
    maxTimestamp,
    offsetOfMaxTimestamp,
    logAppendTime: logAppend ? ctx.now : -1,
    validBytes,
    numMessages: offset - ctx.nextOffset,
    shallowCount: positions.length,
    sourceCodec,
    targetCodec,
    logStartOffset: ctx.logStartOffset,
  };
}

/** Kafka's validateTimestamp: the failure message for a CreateTime timestamp out of range, else null. */
function timestampError(ctx: PrepareContext, ts: number, i: number): string | null {
  const maxDiff = ctx.config.messageTimestampDifferenceMaxMs;
  if (ctx.config.messageTimestampType === 'CreateTime' && ts !== -1 && Math.abs(ts - ctx.now) > maxDiff) {
    return `Timestamp ${ts} of message with offset ${i} is out of range. The timestamp should be within [${ctx.now - maxDiff}, ${ctx.now + maxDiff}]`;
  }
  return null;
}

const noKeyMessage = (ctx: PrepareContext): string => `Compacted topic cannot accept message without key in topic partition ${ctx.topicPartition}.`;

/**
 * Kafka's validateKey, else validateTimestamp, for record `i` (the first failure counts). The collector
 * is made on the first failure only: this runs for every record of every leader append.
 */
function checkRecord(ctx: PrepareContext, errors: RecordErrorCollector | undefined, hasKey: boolean, ts: number, i: number): RecordErrorCollector | undefined {
  if (ctx.config.compact && !hasKey) {
    (errors ??= new RecordErrorCollector()).add(i, noKeyMessage(ctx), false);
    return errors;
  }
  const tsError = timestampError(ctx, ts, i);
  if (tsError !== null) (errors ??= new RecordErrorCollector()).add(i, tsError, true);
  return errors;
}

/** Kafka's record validation for every record of an uncompressed batch, from the bytes. */
function checkUncompressedRecords(batch: DefaultRecordBatch, ctx: PrepareContext): void {
  let errors: RecordErrorCollector | undefined;
  walkUncompressedRecords(batch, (keyLength, timestamp, i) => {
    errors = checkRecord(ctx, errors, keyLength >= 0, timestamp, i);
  });
  errors?.throwIfAny();
}

/** Kafka's record validation for every record of one batch. */
async function checkRecords(batch: DefaultRecordBatch, ctx: PrepareContext, decodeAnyway: boolean): Promise<void> {
  if (batch.compression === CompressionType.None && !decodeAnyway) {
    checkUncompressedRecords(batch, ctx);
    return;
  }
  let decoded: DecodedRecordBatch;
  try {
    decoded = await decodeRecordBatch(batch, { verify: false, origin: 'client' });
  } catch (err) {
    throw new KafkaProtocolError('CORRUPT_MESSAGE', `Cannot decode record batch in topic partition ${ctx.topicPartition}: ${(err as Error).message}`, { cause: err });
  }
  let errors: RecordErrorCollector | undefined;
  decoded.records.forEach((r, i) => {
    errors = checkRecord(ctx, errors, r.key !== null, Number(r.timestamp), i);
  });
  errors?.throwIfAny();
}

/** Legacy v0/v1 produce input becomes one v2 batch (Kafka converts to the log's format on append). */
async function upConvert(input: Buffer, ctx: PrepareContext): Promise<Buffer> {
  const tp = ctx.topicPartition;
  let set;
  try {
    set = await decodeLegacyMessageSet(input);
  } catch (err) {
    throw new KafkaProtocolError('CORRUPT_MESSAGE', `Invalid legacy message set in topic partition ${tp}: ${(err as Error).message}`, { cause: err });
  }
  for (const entry of set.entries) {
    if (entry.timestampType === TimestampType.LogAppendTime) {
      throw new KafkaProtocolError('INVALID_TIMESTAMP', 'Invalid timestamp type in message. Producer should not set timestamp type to LogAppendTime.');
    }
    if (entry.sizeInBytes > ctx.config.maxMessageSize) {
      throw new KafkaProtocolError('MESSAGE_TOO_LARGE', `Message size is ${entry.sizeInBytes} bytes in append to partition ${tp} which exceeds the maximum configured message size of ${ctx.config.maxMessageSize}.`);
    }
  }
  if (set.entries.length === 0) return input.subarray(0, 0);
  const sourceCodec = set.entries.find((e) => e.compression !== CompressionType.None)?.compression ?? CompressionType.None;
  // Converted as CreateTime: offset assignment stamps LogAppendTime afterwards, as for v2 input.
  return upConvertToRecordBatch(set, { compression: targetCodecFor(ctx.config, sourceCodec) as CompressionType });
}

/** Kafka's buildRecordsAndAssignOffsets: all records in one new batch with the target codec. */
async function rebuild(batches: DefaultRecordBatch[], ctx: PrepareContext, targetCodec: number): Promise<Buffer> {
  const first = batches[0]!;
  const decoded = await Promise.all(batches.map((b) => decodeRecordBatch(b, { verify: false, origin: 'client' })));
  const logAppend = ctx.config.messageTimestampType === 'LogAppendTime';
  const rebuilt = await encodeRecordBatch({
    records: decoded.flatMap((d) => d.records.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp }))),
    baseOffset: 0,
    partitionLeaderEpoch: ctx.leaderEpoch,
    producerId: first.producerId,
    producerEpoch: first.producerEpoch,
    baseSequence: first.baseSequence,
    isTransactional: first.isTransactional,
    compression: targetCodec as CompressionType,
    timestampType: logAppend ? TimestampType.LogAppendTime : TimestampType.CreateTime,
    maxTimestamp: logAppend ? ctx.now : undefined,
  });
  if (rebuilt.length > ctx.config.maxMessageSize) {
    throw new KafkaProtocolError('MESSAGE_TOO_LARGE', `Message batch size is ${rebuilt.length} bytes in append to partition ${ctx.topicPartition} which exceeds the maximum configured message size of ${ctx.config.maxMessageSize}.`);
  }
  return rebuilt;
}

/**
 * Follower input (Kafka's analyzeAndValidateRecords for replication): batches keep the leader's
 * offsets and epochs; each is checked for structure and CRC, offsets must increase. Sizes are
 * not checked against max.message.bytes (the leader accepted them).
 */
export function analyzeFollowerRecords(buf: Buffer, topicPartition: string): Omit<LogAppendInfo, 'logStartOffset'> {
  let pos = 0;
  let firstOffset = -1;
  let lastOffset = -1;
  let maxTimestamp = -1;
  let offsetOfMaxTimestamp = -1;
  let shallowCount = 0;
  let sourceCodec = 0;
  while (pos < buf.length) {
    const remaining = buf.length - pos;
    const header = remaining < HEADER_SIZE_UP_TO_MAGIC ? null : checkEntryHeader(buf, pos, remaining);
    if (remaining < HEADER_SIZE_UP_TO_MAGIC || header?.partial) break;
    if (header) throw new KafkaProtocolError('CORRUPT_MESSAGE', `${header.reason} at byte ${pos} of the append to ${topicPartition}`);
    const size = buf.readInt32BE(pos + 8) + LOG_OVERHEAD;
    const problem = checkEntryContent(buf, pos, size);
    if (problem) throw new KafkaProtocolError('CORRUPT_MESSAGE', `Record is corrupt in the append to ${topicPartition} at byte ${pos}: ${problem}`);
    const base = readInt64(buf, pos);
    const last = lastOffsetAt(buf, pos);
    if (shallowCount > 0 && (base <= lastOffset || last <= lastOffset)) {
      throw new OffsetsOutOfOrderError(`Out of order offsets found in append to ${topicPartition}: batch [${base}, ${last}] after offset ${lastOffset}`);
    }
    if (firstOffset < 0) firstOffset = base;
    const magic = magicAt(buf, pos);
    const ts = magic >= 2 ? readInt64(buf, pos + 35) : magic === 1 ? readInt64(buf, pos + 18) : -1;
    if (ts > maxTimestamp) {
      maxTimestamp = ts;
      offsetOfMaxTimestamp = last;
    }
    const codec = magic >= 2 ? buf.readInt16BE(pos + 21) & 7 : buf[pos + 17]! & 7;
    if (codec !== 0) sourceCodec = codec;
    lastOffset = last;
    shallowCount++;
    pos += size;
  }
  return {
    firstOffset,
    lastOffset,
    maxTimestamp,
    offsetOfMaxTimestamp,
    logAppendTime: -1,
    validBytes: pos,
    numMessages: shallowCount === 0 ? 0 : lastOffset - firstOffset + 1,
    shallowCount,
    sourceCodec,
    targetCodec: sourceCodec,
  };
}
