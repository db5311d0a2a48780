/**
 * A deliberately independent reader of Kafka's classic wire types (int16/32/64 big-endian, int16-
 * length strings, int32-length bytes, zig-zag varints), written for the tests from the protocol
 * guide rather than taken from broker/src/protocol, plus the consumer protocol's Subscription and
 * Assignment (ConsumerProtocolSubscription / ConsumerProtocolAssignment) decoded with it.
 */
export class WireReader {
  pos = 0;

  constructor(readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new Error(`read of ${n} bytes at ${this.pos} past the end (${this.buf.length})`);
  }

  int8(): number {
    this.need(1);
    return this.buf.readInt8(this.pos++);
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  uint32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  int64(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  raw(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** int16 length + UTF-8; length -1 is null. */
  nullableString(): string | null {
    const n = this.int16();
    if (n === -1) return null;
    if (n < 0) throw new Error(`bad string length ${n}`);
    return this.raw(n).toString('utf8');
  }

  string(): string {
    const s = this.nullableString();
    if (s === null) throw new Error(`null where a non-nullable string was expected at ${this.pos - 2}`);
    return s;
  }

  /** int32 length + bytes; -1 is null. */
  nullableBytes(): Buffer | null {
    const n = this.int32();
    if (n === -1) return null;
    if (n < 0) throw new Error(`bad bytes length ${n}`);
    return this.raw(n);
  }

  /** Unsigned LEB128 varint (up to 64 bits), as a bigint. */
  private uvarlong(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      this.need(1);
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
    }
    throw new Error('varint too long');
  }

  /** Zig-zag signed varlong. */
  varlong(): bigint {
    const u = this.uvarlong();
    return (u >> 1n) ^ -(u & 1n);
  }

  /** Zig-zag signed varint (checked to fit 32 bits). */
  varint(): number {
    const v = this.varlong();
    if (v < -2147483648n || v > 2147483647n) throw new Error(`varint ${v} out of int32 range`);
    return Number(v);
  }
}

export interface ConsumerSubscription {
  version: number;
  topics: string[];
  userData: Buffer | null;
  ownedPartitions: Array<{ topic: string; partitions: number[] }>;
}

export interface ConsumerAssignment {
  version: number;
  assigned: Array<{ topic: string; partitions: number[] }>;
  userData: Buffer | null;
}

function topicPartitions(r: WireReader): Array<{ topic: string; partitions: number[] }> {
  const n = r.int32();
  const out: Array<{ topic: string; partitions: number[] }> = [];
  for (let i = 0; i < n; i++) {
    const topic = r.string();
    const count = r.int32();
    const partitions: number[] = [];
    for (let j = 0; j < count; j++) partitions.push(r.int32());
    out.push({ topic, partitions });
  }
  return out;
}

/** ConsumerProtocolSubscription v0-v1 (v1 adds owned partitions; later fields are ignored as Kafka does). */
export function decodeSubscription(buf: Buffer): ConsumerSubscription {
  const r = new WireReader(buf);
  const version = r.int16();
  const topics: string[] = [];
  const n = r.int32();
  for (let i = 0; i < n; i++) topics.push(r.string());
  const userData = r.nullableBytes();
  const ownedPartitions = version >= 1 && r.remaining > 0 ? topicPartitions(r) : [];
  return { version, topics, userData, ownedPartitions };
}

/** ConsumerProtocolAssignment v0-v1. */
export function decodeAssignment(buf: Buffer): ConsumerAssignment {
  const r = new WireReader(buf);
  const version = r.int16();
  const assigned = topicPartitions(r);
  const userData = r.remaining > 0 ? r.nullableBytes() : null;
  return { version, assigned, userData };
}
