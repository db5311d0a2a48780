/**
 * A bounds-checked cursor over untrusted bytes, with Kafka's zigzag varints. Every read checks the
 * remaining length first, so the only error it throws is ProtocolDecodeError (never a RangeError
 * from Buffer), and a length field can never make it allocate: byte slices are subarray views.
 */
import { ProtocolDecodeError } from '../decode-error';

export class ByteReader {
  readonly buf: Buffer;
  /** Where this reader's window ends (exclusive). */
  readonly end: number;
  /** Added to positions in error messages, so they point into the caller's outer buffer. */
  private readonly base: number;
  /** Names what is being read, for error messages ("record batch", "gzip-decompressed records"). */
  private readonly what: string;
  pos: number;

  constructor(buf: Buffer, start = 0, end = buf.length, what = 'records', base = 0) {
    this.buf = buf;
    this.pos = start;
    this.end = Math.min(end, buf.length);
    this.what = what;
    this.base = base;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  fail(message: string, at = this.pos): never {
    throw new ProtocolDecodeError(`${this.what}: ${message}`, this.base + at);
  }

  need(n: number, field: string): void {
    if (n > this.end - this.pos) {
      this.fail(`truncated ${field}: need ${n} bytes, ${this.end - this.pos} remain`);
    }
  }

  readInt8(field = 'int8'): number {
    this.need(1, field);
    return this.buf.readInt8(this.pos++);
  }

  readInt16(field = 'int16'): number {
    this.need(2, field);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  readInt32(field = 'int32'): number {
    this.need(4, field);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  readUInt32(field = 'uint32'): number {
    this.need(4, field);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  readInt64(field = 'int64'): bigint {
    this.need(8, field);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  /** A zero-copy view of the next n bytes. */
  readSlice(n: number, field = 'bytes'): Buffer {
    if (n < 0) this.fail(`negative ${field} length ${n}`);
    this.need(n, field);
    const s = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  /**
   * Zigzag varint, at most 5 bytes, with Java int overflow semantics as in Kafka's
   * ByteUtils.readVarint (bits past 32 are dropped, a sixth byte is an error).
   */
  readVarint(field = 'varint'): number {
    const buf = this.buf;
    let value = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) this.fail(`truncated ${field}`);
      const b = buf[this.pos++]!;
      if ((b & 0x80) === 0) {
        value |= b << shift;
        return (value >>> 1) ^ -(value & 1);
      }
      value |= (b & 0x7f) << shift;
      shift += 7;
      if (shift > 28) this.fail(`${field} is longer than 5 bytes`, this.pos - 1);
    }
  }

  /**
   * Zigzag varlong, at most 10 bytes, as in Kafka's ByteUtils.readVarlong. Values that fit in
   * 7 bytes (49 bits) are summed as plain numbers; longer ones go through bigint, wrapping to
   * 64 bits like Java's long.
   */
  readVarlong(field = 'varlong'): bigint {
    const buf = this.buf;
    const start = this.pos;
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 7; i++) {
      if (this.pos >= this.end) this.fail(`truncated ${field}`);
      const b = buf[this.pos++]!;
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        // value < 2^49, so the zigzag arithmetic below is exact in doubles.
        return BigInt(value % 2 === 0 ? value / 2 : -(value + 1) / 2);
      }
      scale *= 128;
    }
    this.pos = start;
    return this.readVarlongSlow(field);
  }

  private readVarlongSlow(field: string): bigint {
    let value = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.end) this.fail(`truncated ${field}`);
      const b = this.buf[this.pos++]!;
      value |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7n;
      if (shift > 63n) this.fail(`${field} is longer than 10 bytes`, this.pos - 1);
    }
    value = BigInt.asUintN(64, value);
    return BigInt.asIntN(64, (value >> 1n) ^ -(value & 1n));
  }
}
