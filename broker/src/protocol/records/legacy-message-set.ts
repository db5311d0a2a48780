/**
 * Legacy message sets, magic 0 and 1 (Kafka's LegacyRecord / AbstractLegacyRecordBatch), for
 * Produce v0-2 and Fetch v0-3. An entry is `offset int64 | messageSize int32 | message`, with
 *
 *   message = crc uint32 (CRC-32 IEEE over magic..end) | magic int8 | attributes int8 |
 *             [timestamp int64, magic 1 only] | key bytes | value bytes
 *
 * A compressed entry is a wrapper whose value is a compressed message set of plain messages.
 * For magic 1 the inner offsets are relative (0..n-1) and the wrapper's offset is the absolute
 * offset of the last inner message; for magic 0 inner offsets are absolute.
 */
import { ProtocolDecodeError } from '../decode-error';
import { compress, decompress } from './compression';
import {
  COMPRESSION_CODEC_MASK,
  CompressionType,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  type Int64,
  LEGACY_TIMESTAMP_TYPE_MASK,
  LOG_OVERHEAD,
  MAGIC_VALUE_V0,
  MAGIC_VALUE_V1,
  RECORD_OVERHEAD_V0,
  RECORD_OVERHEAD_V1,
  TimestampType,
  isCompressionType,
} from './constants';
import { crc32 } from './crc32';
import { writeInt64 } from './varint';

/** A message as a consumer sees it: inner messages of a wrapper carry absolute offsets. */
export interface LegacyRecord {
  offset: bigint;
  magic: 0 | 1;
  attributes: number;
  /** NoTimestampType for magic 0; for inner messages, the wrapper's type. */
  timestampType: TimestampType;
  /** -1 for magic 0; the wrapper's timestamp for inner messages of a LogAppendTime wrapper. */
  timestamp: bigint;
  key: Buffer | null;
  value: Buffer | null;
  crc: number;
}

/** A top-level entry: one plain message, or a compressed wrapper with its inner messages. */
export interface LegacyEntry {
  offset: bigint;
  /** Where the entry starts in the input, and its size including offset and size fields. */
  position: number;
  sizeInBytes: number;
  magic: 0 | 1;
  attributes: number;
  compression: CompressionType;
  timestampType: TimestampType;
  timestamp: bigint;
  crc: number;
  key: Buffer | null;
  /** For a wrapper: the compressed inner message set. */
  value: Buffer | null;
  /** [the message itself] for plain entries; the inner messages for a wrapper. */
  records: LegacyRecord[];
}

export interface LegacyMessageSet {
  entries: LegacyEntry[];
  /** Bytes covered by whole entries. */
  validBytes: number;
  /** Bytes of a trailing incomplete entry (tolerated as Kafka's clients do for fetch responses). */
  partialBytes: number;
}

export interface LegacyDecodeOptions {
  /** Cap on all decompressed bytes in the set together. Default 64 MiB. */
  maxDecompressedBytes?: number;
  /** Check each message's CRC (default true). */
  verifyCrc?: boolean;
}

interface Message {
  magic: 0 | 1;
  attributes: number;
  timestamp: bigint;
  key: Buffer | null;
  value: Buffer | null;
  crc: number;
}

function fail(message: string, at: number): never {
  throw new ProtocolDecodeError(message, at);
}

/** Parses the message in buf[pos, pos + size); `base` shifts error offsets for inner sets. */
function readMessage(buf: Buffer, pos: number, size: number, verifyCrc: boolean, base: number): Message {
  const end = pos + size;
  const magic = buf[pos + 4]!;
  if (magic !== MAGIC_VALUE_V0 && magic !== MAGIC_VALUE_V1) fail(`unsupported message magic ${magic}`, base + pos + 4);
  if (size < (magic === MAGIC_VALUE_V0 ? RECORD_OVERHEAD_V0 : RECORD_OVERHEAD_V1)) {
    fail(`message size ${size} is smaller than the magic ${magic} overhead`, base + pos - 4);
  }
  const crc = buf.readUInt32BE(pos);
  if (verifyCrc) {
    const computed = crc32(buf, pos + 4, end);
    if (computed !== crc) fail(`message is corrupt (stored crc = ${crc}, computed crc = ${computed})`, base + pos);
  }
  const attributes = buf[pos + 5]!;
  let p = pos + 6;
  let timestamp = -1n;
  if (magic === MAGIC_VALUE_V1) {
    timestamp = buf.readBigInt64BE(p);
    p += 8;
  }
  const keyLen = buf.readInt32BE(p);
  p += 4;
  let key: Buffer | null = null;
  if (keyLen >= 0) {
    // The value length field (4 bytes) must still fit after the key.
    if (keyLen > end - p - 4) fail(`key length ${keyLen} runs past the message`, base + p - 4);
    key = buf.subarray(p, p + keyLen);
    p += keyLen;
  }
  const valueLen = buf.readInt32BE(p);
  p += 4;
  let value: Buffer | null = null;
  if (valueLen >= 0) {
    if (valueLen > end - p) fail(`value length ${valueLen} runs past the message`, base + p - 4);
    value = buf.subarray(p, p + valueLen);
  }
  // Like Kafka, bytes left inside the message after the value are ignored (they are CRC-covered).
  return { magic, attributes, timestamp, key, value, crc };
}

function timestampTypeOf(magic: number, attributes: number): TimestampType {
  if (magic === MAGIC_VALUE_V0) return TimestampType.NoTimestampType;
  return attributes & LEGACY_TIMESTAMP_TYPE_MASK ? TimestampType.LogAppendTime : TimestampType.CreateTime;
}

/** Inner messages of a wrapper: every entry must be whole, uncompressed, and of the wrapper's magic. */
function readInner(plain: Buffer, wrapper: Message, wrapperOffset: bigint, verifyCrc: boolean, at: number): LegacyRecord[] {
  const inner: { offset: bigint; message: Message }[] = [];
  let pos = 0;
  while (pos < plain.length) {
    if (plain.length - pos < LOG_OVERHEAD) fail('truncated inner message header in compressed message set', at);
    const offset = plain.readBigInt64BE(pos);
    const size = plain.readInt32BE(pos + 8);
    if (size < RECORD_OVERHEAD_V0) fail(`inner message size ${size} is less than the minimum ${RECORD_OVERHEAD_V0}`, at);
    if (size > plain.length - pos - LOG_OVERHEAD) fail(`inner message of ${size} bytes is truncated`, at);
    const message = readMessage(plain, pos + LOG_OVERHEAD, size, verifyCrc, at);
    if (message.magic !== wrapper.magic) {
      fail(`compressed message magic ${message.magic} does not match wrapper magic ${wrapper.magic}`, at);
    }
    if ((message.attributes & COMPRESSION_CODEC_MASK) !== 0) fail('inner messages must not be compressed', at);
    inner.push({ offset, message });
    pos += LOG_OVERHEAD + size;
  }
  if (inner.length === 0) fail('found invalid compressed record set with no inner records', at);
  // Magic 1: inner offsets are relative, anchored so the last one lands on the wrapper's offset.
  const absoluteBase = wrapper.magic === MAGIC_VALUE_V1 ? wrapperOffset - inner[inner.length - 1]!.offset : -1n;
  const wrapperType = timestampTypeOf(wrapper.magic, wrapper.attributes);
  return inner.map(({ offset, message }) => ({
    offset: absoluteBase >= 0n ? absoluteBase + offset : offset,
    magic: message.magic,
    attributes: message.attributes,
    timestampType: wrapperType,
    timestamp: wrapperType === TimestampType.LogAppendTime ? wrapper.timestamp : message.timestamp,
    key: message.key,
    value: message.value,
    crc: message.crc,
  }));
}

/** Decodes a legacy message set, decompressing wrappers; a trailing partial entry is reported, not thrown. */
export async function decodeLegacyMessageSet(buf: Buffer, options: LegacyDecodeOptions = {}): Promise<LegacyMessageSet> {
  const verifyCrc = options.verifyCrc !== false;
  let budget = options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
  const entries: LegacyEntry[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const remaining = buf.length - pos;
    if (remaining < LOG_OVERHEAD) break;
    const size = buf.readInt32BE(pos + 8);
    if (size < RECORD_OVERHEAD_V0) {
      fail(`message size ${size} is less than the minimum message overhead (${RECORD_OVERHEAD_V0})`, pos + 8);
    }
    if (size > remaining - LOG_OVERHEAD) break;
    const offset = buf.readBigInt64BE(pos);
    const message = readMessage(buf, pos + LOG_OVERHEAD, size, verifyCrc, 0);
    const codec = message.attributes & COMPRESSION_CODEC_MASK;
    if (!isCompressionType(codec)) fail(`unknown compression codec ${codec}`, pos + LOG_OVERHEAD + 5);
    const timestampType = timestampTypeOf(message.magic, message.attributes);
    let records: LegacyRecord[];
    if (codec === CompressionType.None) {
      records = [{ offset, ...message, timestampType }];
    } else {
      if (message.value === null) fail('found invalid compressed record set with null value', pos);
      let plain: Buffer;
      try {
        plain = await decompress(codec, message.value, { maxBytes: budget, magic: message.magic });
      } catch (e) {
        const text = e instanceof Error ? e.message : String(e);
        throw new ProtocolDecodeError(`compressed message: ${text}`, pos, { cause: e });
      }
      budget -= plain.length;
      records = readInner(plain, message, offset, verifyCrc, pos);
    }
    entries.push({ offset, position: pos, sizeInBytes: LOG_OVERHEAD + size, ...message, compression: codec, timestampType, records });
    pos += LOG_OVERHEAD + size;
  }
  return { entries, validBytes: pos, partialBytes: buf.length - pos };
}

/** All messages of a decoded set in order, wrappers replaced by their inner messages. */
export function legacyRecords(set: LegacyMessageSet): LegacyRecord[] {
  return set.entries.flatMap((e) => e.records);
}

export interface LegacyRecordInput {
  key?: Buffer | null;
  value?: Buffer | null;
  /** Magic 1 only; default -1. */
  timestamp?: Int64;
  /** Absolute offset; default baseOffset + index. */
  offset?: Int64;
}

export interface LegacyMessageSetInput {
  magic: 0 | 1;
  records: readonly LegacyRecordInput[];
  baseOffset?: Int64;
  /** gzip, snappy or lz4 make one wrapper around all records; zstd needs magic 2. */
  compression?: CompressionType;
  /** Magic 1 only. */
  timestampType?: typeof TimestampType.CreateTime | typeof TimestampType.LogAppendTime;
  /** The wrapper timestamp for LogAppendTime; default the max record timestamp. */
  logAppendTime?: Int64;
}

function sizeOfMessage(magic: number, key: Buffer | null | undefined, value: Buffer | null | undefined): number {
  return (magic === MAGIC_VALUE_V0 ? RECORD_OVERHEAD_V0 : RECORD_OVERHEAD_V1) + (key?.length ?? 0) + (value?.length ?? 0);
}

/** Writes `offset | size | message` at pos; returns the next position. */
function writeEntry(
  buf: Buffer,
  pos: number,
  offset: Int64,
  magic: number,
  attributes: number,
  timestamp: Int64,
  key: Buffer | null | undefined,
  value: Buffer | null | undefined,
): number {
  const size = sizeOfMessage(magic, key, value);
  pos = writeInt64(buf, pos, offset);
  pos = buf.writeInt32BE(size, pos);
  const crcAt = pos;
  pos = buf.writeInt8(magic, pos + 4);
  pos = buf.writeUInt8(attributes, pos);
  if (magic === MAGIC_VALUE_V1) pos = writeInt64(buf, pos, timestamp);
  for (const b of [key, value]) {
    if (b == null) {
      pos = buf.writeInt32BE(-1, pos);
    } else {
      pos = buf.writeInt32BE(b.length, pos);
      pos += b.copy(buf, pos);
    }
  }
  buf.writeUInt32BE(crc32(buf, crcAt + 4, pos), crcAt);
  return pos;
}

function encodePlain(magic: number, attributes: number, entries: { offset: Int64; record: LegacyRecordInput }[]): Buffer {
  let total = 0;
  for (const e of entries) total += LOG_OVERHEAD + sizeOfMessage(magic, e.record.key, e.record.value);
  const buf = Buffer.allocUnsafe(total);
  let pos = 0;
  for (const { offset, record } of entries) {
    pos = writeEntry(buf, pos, offset, magic, attributes, record.timestamp ?? -1, record.key, record.value);
  }
  return buf;
}

/** Encodes a legacy message set: plain entries, or one compressed wrapper as Kafka's builder writes it. */
export async function encodeLegacyMessageSet(input: LegacyMessageSetInput): Promise<Buffer> {
  const { magic, records } = input;
  const codec = input.compression ?? CompressionType.None;
  if (codec === CompressionType.Zstd) throw new RangeError('zstd compression requires magic 2');
  const tsBit = magic === MAGIC_VALUE_V1 && input.timestampType === TimestampType.LogAppendTime ? LEGACY_TIMESTAMP_TYPE_MASK : 0;
  const base = BigInt(input.baseOffset ?? 0);
  const absolute = records.map((r, i) => (r.offset === undefined ? base + BigInt(i) : BigInt(r.offset)));
  if (codec === CompressionType.None) {
    return encodePlain(magic, tsBit, records.map((record, i) => ({ offset: absolute[i]!, record })));
  }
  if (records.length === 0) throw new RangeError('a compressed message set needs at least one record');
  const first = absolute[0]!;
  const inner = encodePlain(
    magic,
    tsBit,
    records.map((record, i) => ({ offset: magic === MAGIC_VALUE_V1 ? absolute[i]! - first : absolute[i]!, record })),
  );
  const compressed = await compress(codec, inner, { magic });
  let wrapperTimestamp = -1n;
  if (input.logAppendTime !== undefined && tsBit) wrapperTimestamp = BigInt(input.logAppendTime);
  else for (const r of records) if (r.timestamp !== undefined && BigInt(r.timestamp) > wrapperTimestamp) wrapperTimestamp = BigInt(r.timestamp);
  const buf = Buffer.allocUnsafe(LOG_OVERHEAD + sizeOfMessage(magic, null, compressed));
  writeEntry(buf, 0, absolute[absolute.length - 1]!, magic, codec | tsBit, wrapperTimestamp, null, compressed);
  return buf;
}
