/**
 * The Kafka protocol's primitive types (docs/protocol.html "Protocol Primitive Types"): a bounds-checked
 * reader and a growable writer. The generated codecs are written against these two classes only.
 *
 * Every read checks the remaining length first and throws ProtocolDecodeError, so hostile frames can
 * neither make Buffer throw a RangeError nor make us allocate more than the frame holds.
 */
import { ProtocolDecodeError } from './decode-error';

const ZERO_UUID_BYTES = Buffer.alloc(16);
/** Kafka's Uuid.ZERO_UUID in its string form (base64url, no padding). */
export const ZERO_UUID = ZERO_UUID_BYTES.toString('base64url');
const EMPTY = Buffer.alloc(0);

/** Sequential, bounds-checked reader over one frame (or part of one). */
export class ByteReader {
  readonly buf: Buffer;
  pos: number;
  readonly end: number;

  constructor(buf: Buffer, start = 0, end = buf.length) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Throws unless n more bytes are available. */
  need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.end) {
      throw new ProtocolDecodeError(`truncated ${what}: need ${n} bytes, ${this.end - this.pos} left`, this.pos);
    }
  }

  int8(): number {
    this.need(1, 'int8');
    return this.buf.readInt8(this.pos++);
  }

  bool(): boolean {
    return this.int8() !== 0;
  }

  int16(): number {
    this.need(2, 'int16');
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  uint16(): number {
    this.need(2, 'uint16');
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4, 'int32');
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  uint32(): number {
    this.need(4, 'uint32');
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  int64(): bigint {
    this.need(8, 'int64');
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  float64(): number {
    this.need(8, 'float64');
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  uuid(): string {
    this.need(16, 'uuid');
    const v = this.buf.toString('base64url', this.pos, this.pos + 16);
    this.pos += 16;
    return v;
  }

  /** Unsigned varint (protocol lengths, tags); at most 5 bytes, 32 bits. */
  uvarint(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      this.need(1, 'varint');
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) {
        if (result > 0xffffffff) break;
        return result;
      }
      shift += 7;
    }
    throw new ProtocolDecodeError('varint is too long', this.pos);
  }

  /** Zigzag signed varint, as Kafka's ByteUtils.readVarint. */
  varint(): number {
    const raw = this.uvarint();
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  }

  private text(len: number, what: string): string {
    this.need(len, what);
    const v = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return v;
  }

  private slice(len: number, what: string): Buffer {
    this.need(len, what);
    const v = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return v;
  }

  string(): string {
    const len = this.int16();
    if (len < 0) throw new ProtocolDecodeError('non-nullable string is null', this.pos - 2);
    return this.text(len, 'string');
  }

  /** Any negative length reads as null, as Kafka's generated readers do. */
  nullableString(): string | null {
    const len = this.int16();
    return len < 0 ? null : this.text(len, 'string');
  }

  compactString(): string {
    const len = this.uvarint() - 1;
    if (len < 0) throw new ProtocolDecodeError('non-nullable compact string is null', this.pos);
    return this.compactText(len);
  }

  compactNullableString(): string | null {
    const len = this.uvarint() - 1;
    return len < 0 ? null : this.compactText(len);
  }

  /** Compact strings keep the classic int16 limit (Kafka rejects longer ones as invalid). */
  private compactText(len: number): string {
    if (len > 0x7fff) throw new ProtocolDecodeError(`string length ${len} exceeds the maximum of 32767`, this.pos);
    return this.text(len, 'compact string');
  }

  /** Bytes are returned as a view into the frame (zero-copy); callers copy what they keep. */
  bytes(): Buffer {
    const len = this.int32();
    if (len < 0) throw new ProtocolDecodeError('non-nullable bytes are null', this.pos - 4);
    return this.slice(len, 'bytes');
  }

  nullableBytes(): Buffer | null {
    const len = this.int32();
    return len < 0 ? null : this.slice(len, 'bytes');
  }

  compactBytes(): Buffer {
    const len = this.uvarint() - 1;
    if (len < 0) throw new ProtocolDecodeError('non-nullable compact bytes are null', this.pos);
    return this.slice(len, 'compact bytes');
  }

  compactNullableBytes(): Buffer | null {
    const len = this.uvarint() - 1;
    return len < 0 ? null : this.slice(len, 'compact bytes');
  }

  /**
   * An array length (int32, -1 = null). Each element takes at least `minElementSize` bytes, so a count
   * that could not fit in the rest of the frame is rejected before anything is allocated.
   */
  arrayLength(minElementSize: number): number {
    // Any negative count means null, as in Kafka's generated readers; the caller rejects null where not allowed.
    const n = Math.max(this.int32(), -1);
    this.checkCount(n, minElementSize);
    return n;
  }

  /** A compact array length (uvarint N+1, 0 = null), with the same bound as arrayLength. */
  compactArrayLength(minElementSize: number): number {
    const n = this.uvarint() - 1;
    this.checkCount(n, minElementSize);
    return n;
  }

  private checkCount(n: number, minElementSize: number): void {
    if (n <= 0) return;
    // Elements that can be zero bytes wide are still bounded, so a hostile count cannot spin for long.
    const limit = minElementSize > 0 ? Math.floor(this.remaining / minElementSize) : this.remaining + 1024;
    if (n > limit) throw new ProtocolDecodeError(`array of ${n} elements cannot fit in ${this.remaining} bytes`, this.pos);
  }

  /** Skips one tagged field's payload (unknown tags are ignored, as Kafka does). */
  skip(len: number): void {
    this.need(len, 'tagged field');
    this.pos += len;
  }

  /** A sub-reader over the next `len` bytes, advancing past them. */
  sub(len: number): ByteReader {
    this.need(len, 'tagged field');
    const r = new ByteReader(this.buf, this.pos, this.pos + len);
    this.pos += len;
    return r;
  }
}

/**
 * Record sets at least this big are referenced by the writer's *Records methods instead of copied
 * (see ByteWriter.finishChunks): a Fetch response hands the log's bytes to the socket as they are.
 * Smaller ones are copied: a write per tiny chunk would cost more than the copy.
 */
export const SHARED_RECORDS_MIN_BYTES = 16 * 1024;

/** Growable writer; `finish()` returns the written bytes, `finishChunks()` them with record sets uncopied. */
export class ByteWriter {
  private buf: Buffer;
  pos = 0;
  /** Referenced record sets, each placed before own byte `at`. */
  private shared: Array<{ at: number; bytes: Buffer }> | null = null;
  private sharedBytes = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Bytes written so far, referenced record sets included. */
  get length(): number {
    return this.pos + this.sharedBytes;
  }

  /** The bytes written so far as one Buffer (a view, valid until the next write, unless record sets were referenced: then a copy). */
  finish(): Buffer {
    const chunks = this.finishChunks();
    return Buffer.isBuffer(chunks) ? chunks : Buffer.concat(chunks, this.length);
  }

  /**
   * The bytes written so far as views in order: the writer's own bytes between the referenced
   * record sets, and those sets themselves, uncopied (one Buffer when none was referenced). For a
   * gathering socket write; the record sets must not change until it is done.
   */
  finishChunks(): Buffer | Buffer[] {
    const own = this.buf;
    if (this.shared === null) return own.subarray(0, this.pos);
    const chunks: Buffer[] = [];
    let from = 0;
    for (const { at, bytes } of this.shared) {
      if (at > from) chunks.push(own.subarray(from, at));
      chunks.push(bytes);
      from = at;
    }
    if (this.pos > from) chunks.push(own.subarray(from, this.pos));
    return chunks;
  }

  /**
   * Bytes a `records` field's set of `length` bytes adds to the writer's own buffer (the length
   * prefix aside): all of them when copied, none when referenced. For sizing a writer up front.
   */
  static copiedRecordsBytes(length: number): number {
    return length < SHARED_RECORDS_MIN_BYTES ? length : 0;
  }

  private rawShared(b: Buffer): void {
    if (b.length < SHARED_RECORDS_MIN_BYTES) {
      this.raw(b);
      return;
    }
    (this.shared ??= []).push({ at: this.pos, bytes: b });
    this.sharedBytes += b.length;
  }

  private range(v: number, min: number, max: number, what: string): void {
    if (!Number.isInteger(v) || v < min || v > max) throw new ProtocolEncodeError(`${what} value ${v} is out of range`);
  }

  int8(v: number): void {
    this.range(v, -0x80, 0x7f, 'int8');
    this.ensure(1);
    this.buf.writeInt8(v, this.pos);
    this.pos += 1;
  }

  bool(v: boolean): void {
    this.int8(v ? 1 : 0);
  }

  int16(v: number): void {
    this.range(v, -0x8000, 0x7fff, 'int16');
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
  }

  uint16(v: number): void {
    this.range(v, 0, 0xffff, 'uint16');
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
  }

  int32(v: number): void {
    this.range(v, -0x80000000, 0x7fffffff, 'int32');
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
  }

  uint32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
  }

  int64(v: bigint): void {
    if (BigInt.asIntN(64, v) !== v) throw new ProtocolEncodeError(`int64 value ${v} is out of range`);
    this.ensure(8);
    this.buf.writeBigInt64BE(v, this.pos);
    this.pos += 8;
  }

  float64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
  }

  uuid(v: string): void {
    const raw = Buffer.from(v, 'base64url');
    if (raw.length !== 16) throw new ProtocolEncodeError(`invalid uuid ${JSON.stringify(v)}`);
    this.raw(raw);
  }

  uvarint(v: number): void {
    this.ensure(5);
    let value = v >>> 0;
    while (value >= 0x80) {
      this.buf[this.pos++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    this.buf[this.pos++] = value;
  }

  varint(v: number): void {
    this.uvarint(((v << 1) ^ (v >> 31)) >>> 0);
  }

  raw(b: Buffer): void {
    this.ensure(b.length);
    b.copy(this.buf, this.pos);
    this.pos += b.length;
  }

  string(v: string): void {
    const len = Buffer.byteLength(v);
    if (len > 0x7fff) throw new ProtocolEncodeError(`string of ${len} bytes is too long for the protocol`);
    this.int16(len);
    this.ensure(len);
    this.pos += this.buf.write(v, this.pos, 'utf8');
  }

  nullableString(v: string | null): void {
    if (v === null) this.int16(-1);
    else this.string(v);
  }

  compactString(v: string): void {
    const len = Buffer.byteLength(v);
    if (len > 0x7fff) throw new ProtocolEncodeError(`string of ${len} bytes is too long for the protocol`);
    this.uvarint(len + 1);
    this.ensure(len);
    this.pos += this.buf.write(v, this.pos, 'utf8');
  }

  compactNullableString(v: string | null): void {
    if (v === null) this.uvarint(0);
    else this.compactString(v);
  }

  bytes(v: Buffer): void {
    this.int32(v.length);
    this.raw(v);
  }

  nullableBytes(v: Buffer | null): void {
    if (v === null) this.int32(-1);
    else this.bytes(v);
  }

  compactBytes(v: Buffer): void {
    this.uvarint(v.length + 1);
    this.raw(v);
  }

  compactNullableBytes(v: Buffer | null): void {
    if (v === null) this.uvarint(0);
    else this.compactBytes(v);
  }

  /** A `records` field: as bytes, but a large record set is referenced, not copied (finishChunks). */
  records(v: Buffer): void {
    this.int32(v.length);
    this.rawShared(v);
  }

  nullableRecords(v: Buffer | null): void {
    if (v === null) this.int32(-1);
    else this.records(v);
  }

  compactRecords(v: Buffer): void {
    this.uvarint(v.length + 1);
    this.rawShared(v);
  }

  compactNullableRecords(v: Buffer | null): void {
    if (v === null) this.uvarint(0);
    else this.compactRecords(v);
  }

  /** Writes `len` placeholder bytes and returns their position, for sizes known only afterwards. */
  reserve(len: number): number {
    this.ensure(len);
    const at = this.pos;
    this.pos += len;
    return at;
  }

  patchInt32(at: number, v: number): void {
    this.buf.writeInt32BE(v, at);
  }
}

/** Byte length of an unsigned varint. */
export function uvarintSize(v: number): number {
  let value = v >>> 0;
  let n = 1;
  while (value >= 0x80) {
    value >>>= 7;
    n++;
  }
  return n;
}

export const EMPTY_BUFFER = EMPTY;

/** Thrown when a message cannot be written at the requested version (Kafka's UnsupportedVersionException). */
export class ProtocolEncodeError extends Error {
  override readonly name = 'ProtocolEncodeError';
}

/** Deep equality over the value shapes generated messages hold (used to omit default tagged fields). */
export function isEqualValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => isEqualValue(x, b[i]));
  }
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => isEqualValue(ra[k], rb[k]));
}
