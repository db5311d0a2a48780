/**
 * Zigzag varint/varlong encoding (Kafka's ByteUtils.writeVarint / writeVarlong) into a
 * pre-sized Buffer. Encoders size everything first and allocate once, so these return the next
 * write position instead of growing a buffer.
 */

/** Bytes needed for a zigzag varint of a 32-bit signed value. */
export function sizeOfVarint(value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  let bytes = 1;
  while (v >= 0x80) {
    v >>>= 7;
    bytes++;
  }
  return bytes;
}

export function writeVarint(buf: Buffer, pos: number, value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

const SAFE_ZIGZAG = 2 ** 51;

/** Zigzag of a 64-bit value as an unsigned bigint (< 2^64). */
function zigzag64(value: bigint): bigint {
  const v = BigInt.asIntN(64, value);
  return BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
}

export function sizeOfVarlong(value: bigint | number): number {
  if (typeof value === 'number' && Math.abs(value) < SAFE_ZIGZAG) {
    let v = value >= 0 ? value * 2 : -value * 2 - 1;
    let bytes = 1;
    while (v >= 0x80) {
      v = Math.floor(v / 128);
      bytes++;
    }
    return bytes;
  }
  let v = zigzag64(BigInt(value));
  let bytes = 1;
  while (v >= 0x80n) {
    v >>= 7n;
    bytes++;
  }
  return bytes;
}

export function writeVarlong(buf: Buffer, pos: number, value: bigint | number): number {
  if (typeof value === 'number' && Math.abs(value) < SAFE_ZIGZAG) {
    let v = value >= 0 ? value * 2 : -value * 2 - 1;
    while (v >= 0x80) {
      buf[pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    buf[pos++] = v;
    return pos;
  }
  let v = zigzag64(BigInt(value));
  while (v >= 0x80n) {
    buf[pos++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  buf[pos++] = Number(v);
  return pos;
}

/** Writes an int64 from a bigint, or from a safe-integer number without allocating a bigint. */
export function writeInt64(buf: Buffer, pos: number, value: bigint | number): number {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`int64 value ${value} is not a safe integer`);
    buf.writeInt32BE(Math.floor(value / 4294967296), pos);
    buf.writeUInt32BE(value >>> 0, pos + 4);
  } else {
    buf.writeBigInt64BE(BigInt.asIntN(64, value), pos);
  }
  return pos + 8;
}
