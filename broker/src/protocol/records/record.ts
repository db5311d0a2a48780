/**
 * One record inside a v2 batch (Kafka's DefaultRecord): sizing, writing, and bounded reading.
 *
 *   length varint | attributes int8 | timestampDelta varlong | offsetDelta varint |
 *   keyLength varint | key | valueLength varint | value | headerCount varint |
 *   [headerKeyLength varint | headerKey utf8 | headerValueLength varint | headerValue]
 */
import { ByteReader } from './byte-reader';
import { sizeOfVarint, sizeOfVarlong, writeVarint, writeVarlong } from './varint';

/** A record header; keys are UTF-8 strings, values nullable bytes. */
export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/** What a producer hands the encoder (Kafka's SimpleRecord, plus an optional offset delta). */
export interface SimpleRecord {
  key?: Buffer | null;
  value?: Buffer | null;
  headers?: readonly RecordHeader[];
  /** Epoch milliseconds; -1 (NO_TIMESTAMP) is legal, as in up-converted magic 0 data. */
  timestamp: bigint | number;
  /** Defaults to the record's index in the batch; must increase within a batch. */
  offsetDelta?: number;
}

/** A decoded record. key, value and header values are views into the (decompressed) batch bytes. */
export interface DefaultRecord {
  offset: bigint;
  offsetDelta: number;
  /** For LogAppendTime batches this is the batch's maxTimestamp, as Kafka reports it. */
  timestamp: bigint;
  timestampDelta: bigint;
  attributes: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
  /** Including the length varint. */
  sizeInBytes: number;
}

function sizeOfBytes(b: Buffer | null | undefined): number {
  return b == null ? 1 : sizeOfVarint(b.length) + b.length;
}

/** Body size (everything after the length varint) of a record at the given deltas. */
export function sizeOfRecordBody(record: SimpleRecord, offsetDelta: number, timestampDelta: bigint | number): number {
  let size = 1 + sizeOfVarlong(timestampDelta) + sizeOfVarint(offsetDelta);
  size += sizeOfBytes(record.key) + sizeOfBytes(record.value);
  const headers = record.headers ?? [];
  size += sizeOfVarint(headers.length);
  for (const h of headers) {
    const keyLen = Buffer.byteLength(h.key, 'utf8');
    size += sizeOfVarint(keyLen) + keyLen + sizeOfBytes(h.value);
  }
  return size;
}

function writeBytes(buf: Buffer, pos: number, b: Buffer | null | undefined): number {
  if (b == null) return writeVarint(buf, pos, -1);
  pos = writeVarint(buf, pos, b.length);
  return pos + b.copy(buf, pos);
}

/** Writes a record whose body size was computed by sizeOfRecordBody; returns the next position. */
export function writeRecord(
  buf: Buffer,
  pos: number,
  record: SimpleRecord,
  offsetDelta: number,
  timestampDelta: bigint | number,
  bodySize: number,
): number {
  pos = writeVarint(buf, pos, bodySize);
  buf[pos++] = 0; // attributes: unused
  pos = writeVarlong(buf, pos, timestampDelta);
  pos = writeVarint(buf, pos, offsetDelta);
  pos = writeBytes(buf, pos, record.key);
  pos = writeBytes(buf, pos, record.value);
  const headers = record.headers ?? [];
  pos = writeVarint(buf, pos, headers.length);
  for (const h of headers) {
    const keyLen = Buffer.byteLength(h.key, 'utf8');
    pos = writeVarint(buf, pos, keyLen);
    pos += buf.write(h.key, pos, keyLen, 'utf8');
    pos = writeBytes(buf, pos, h.value);
  }
  return pos;
}

/** Batch fields a record needs to compute its absolute offset and timestamp. */
export interface RecordContext {
  baseOffset: bigint;
  baseTimestamp: bigint;
  /** Set for LogAppendTime batches: every record reports this timestamp. */
  logAppendTime: bigint | undefined;
}

/**
 * Reads one record, checking it against its own length prefix as Kafka's DefaultRecord.readFrom
 * does: lengths may not run past the record, and the body must be consumed exactly.
 */
export function readRecord(r: ByteReader, ctx: RecordContext): DefaultRecord {
  const start = r.pos;
  const bodySize = r.readVarint('record length');
  if (bodySize < 0) r.fail(`invalid record length ${bodySize}`, start);
  const bodyStart = r.pos;
  if (bodySize > r.remaining) {
    r.fail(`invalid record size: expected ${bodySize} bytes in record payload, but only ${r.remaining} remain`, start);
  }
  const rr = new ByteReader(r.buf, bodyStart, bodyStart + bodySize, 'record');
  const attributes = rr.readInt8('record attributes');
  const timestampDelta = rr.readVarlong('timestampDelta');
  const offsetDelta = rr.readVarint('offsetDelta');
  const key = readNullableBytes(rr, 'key');
  const value = readNullableBytes(rr, 'value');
  const headerCount = rr.readVarint('header count');
  if (headerCount < 0) rr.fail(`invalid number of record headers ${headerCount}`);
  // Each header takes at least 2 bytes, so this count check also bounds the loop.
  if (headerCount > rr.remaining / 2) rr.fail(`header count ${headerCount} cannot fit in ${rr.remaining} bytes`);
  const headers: RecordHeader[] = [];
  for (let i = 0; i < headerCount; i++) {
    const keyLen = rr.readVarint('header key length');
    if (keyLen < 0) rr.fail(`invalid negative header key size ${keyLen}`);
    const headerKey = rr.readSlice(keyLen, 'header key').toString('utf8');
    headers.push({ key: headerKey, value: readNullableBytes(rr, 'header value') });
  }
  if (rr.remaining !== 0) {
    rr.fail(`invalid record size: expected to read ${bodySize} bytes in record payload, but ${rr.remaining} were left over`);
  }
  r.pos = bodyStart + bodySize;
  const timestamp = ctx.logAppendTime ?? BigInt.asIntN(64, ctx.baseTimestamp + timestampDelta);
  return {
    offset: BigInt.asIntN(64, ctx.baseOffset + BigInt(offsetDelta)),
    offsetDelta,
    timestamp,
    timestampDelta,
    attributes,
    key,
    value,
    headers,
    sizeInBytes: r.pos - start,
  };
}

/** Kafka reads any negative length as null (only -1 is ever written). */
function readNullableBytes(r: ByteReader, field: string): Buffer | null {
  const len = r.readVarint(`${field} length`);
  return len < 0 ? null : r.readSlice(len, field);
}
