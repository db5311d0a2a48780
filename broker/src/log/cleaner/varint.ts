/**
 * The few zigzag varint helpers the cleaner's record walker and batch re-writer need, on plain
 * numbers (record-level offsets and timestamp deltas always fit a double exactly). The records
 * library keeps its own (bigint-capable) codec private; these stay local so the hot loops never
 * allocate.
 */

/** Thrown for bytes that cannot be a record (the pass stops; the segment is left as it is). */
export class CorruptRecordError extends Error {
  override readonly name = 'CorruptRecordError';
}

/** A read position that the readers move forward. */
export interface Cursor {
  pos: number;
}

/** Zigzag varint (int32) at cursor.pos, not past `end`. */
export function readVarint(buf: Buffer, c: Cursor, end: number): number {
  let value = 0;
  let shift = 0;
  let p = c.pos;
  for (;;) {
    if (p >= end) throw new CorruptRecordError(`varint runs past the end of the record at byte ${c.pos}`);
    const b = buf[p++]!;
    value |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) break;
    shift += 7;
    if (shift > 28) throw new CorruptRecordError(`varint longer than 5 bytes at byte ${c.pos}`);
  }
  c.pos = p;
  return (value >>> 1) ^ -(value & 1);
}

/** Zigzag varlong at cursor.pos as a number (exact below 2^53). */
export function readVarlong(buf: Buffer, c: Cursor, end: number): number {
  let value = 0;
  let scale = 1;
  let p = c.pos;
  for (let i = 0; ; i++) {
    if (p >= end) throw new CorruptRecordError(`varlong runs past the end of the record at byte ${c.pos}`);
    if (i >= 10) throw new CorruptRecordError(`varlong longer than 10 bytes at byte ${c.pos}`);
    const b = buf[p++]!;
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) break;
    scale *= 128;
  }
  c.pos = p;
  // value is the zigzag encoding: even -> value / 2, odd -> -(value + 1) / 2.
  return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
}

function zigzag(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

export function sizeOfVarlong(value: number): number {
  let v = zigzag(value);
  let size = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    size++;
  }
  return size;
}

export function sizeOfVarint(value: number): number {
  return sizeOfVarlong(value);
}

/** Writes a zigzag varlong (or varint: same bytes for int32 values); returns the next position. */
export function writeVarlong(buf: Buffer, pos: number, value: number): number {
  let v = zigzag(value);
  while (v >= 128) {
    buf[pos++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[pos++] = v;
  return pos;
}

export const writeVarint = writeVarlong;
