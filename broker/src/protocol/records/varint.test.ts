import { ProtocolDecodeError } from '../decode-error';
import { ByteReader } from './byte-reader';
import { sizeOfVarint, sizeOfVarlong, writeVarint, writeVarlong } from './varint';

function varint(v: number): Buffer {
  const buf = Buffer.alloc(sizeOfVarint(v));
  expect(writeVarint(buf, 0, v)).toBe(buf.length);
  return buf;
}

function varlong(v: bigint | number): Buffer {
  const buf = Buffer.alloc(sizeOfVarlong(v));
  expect(writeVarlong(buf, 0, v)).toBe(buf.length);
  return buf;
}

describe('zigzag varint', () => {
  it.each([0, 1, -1, 63, -64, 64, 300, -300, 2 ** 31 - 1, -(2 ** 31)])('round-trips %d', (v) => {
    const buf = varint(v);
    const r = new ByteReader(buf);
    expect(r.readVarint()).toBe(v);
    expect(r.remaining).toBe(0);
  });

  it('encodes as Kafka does', () => {
    expect(varint(0)).toEqual(Buffer.from([0]));
    expect(varint(-1)).toEqual(Buffer.from([1]));
    expect(varint(1)).toEqual(Buffer.from([2]));
    expect(varint(-64)).toEqual(Buffer.from([0x7f]));
    expect(varint(64)).toEqual(Buffer.from([0x80, 0x01]));
    expect(varint(2 ** 31 - 1)).toEqual(Buffer.from([0xfe, 0xff, 0xff, 0xff, 0x0f]));
  });

  it('rejects a sixth byte', () => {
    const r = new ByteReader(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]));
    expect(() => r.readVarint()).toThrow(ProtocolDecodeError);
  });

  it('rejects truncation', () => {
    expect(() => new ByteReader(Buffer.from([0x80])).readVarint()).toThrow(ProtocolDecodeError);
    expect(() => new ByteReader(Buffer.alloc(0)).readVarint()).toThrow(ProtocolDecodeError);
  });
});

describe('zigzag varlong', () => {
  const cases: bigint[] = [
    0n, 1n, -1n, 1_700_000_000_000n, -1_700_000_000_000n, 2n ** 48n, -(2n ** 48n), 2n ** 53n + 1n,
    2n ** 63n - 1n, -(2n ** 63n),
  ];
  it.each(cases)('round-trips %s', (v) => {
    const r = new ByteReader(varlong(v));
    expect(r.readVarlong()).toBe(v);
    expect(r.remaining).toBe(0);
  });

  it('writes numbers and bigints identically', () => {
    for (const v of [0, -1, 12345, -1_700_000_000_000, 2 ** 50]) expect(varlong(v)).toEqual(varlong(BigInt(v)));
  });

  it('uses 10 bytes for the extremes and rejects an eleventh', () => {
    expect(varlong(-(2n ** 63n)).length).toBe(10);
    const r = new ByteReader(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]));
    expect(() => r.readVarlong()).toThrow(ProtocolDecodeError);
  });

  it('rejects truncation on both the fast and the slow path', () => {
    expect(() => new ByteReader(Buffer.from([0x80, 0x80])).readVarlong()).toThrow(ProtocolDecodeError);
    expect(() => new ByteReader(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80])).readVarlong()).toThrow(
      ProtocolDecodeError,
    );
  });
});

describe('ByteReader', () => {
  it('reports the offset of a truncated field', () => {
    const r = new ByteReader(Buffer.alloc(3), 0, 3, 'test', 100);
    r.readInt8();
    try {
      r.readInt32('count');
      throw new Error('expected a throw');
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolDecodeError);
      expect((e as ProtocolDecodeError).offset).toBe(101);
      expect((e as Error).message).toMatch(/truncated count/);
    }
  });

  it('refuses slices longer than what remains instead of allocating', () => {
    const r = new ByteReader(Buffer.alloc(10));
    expect(() => r.readSlice(2 ** 31 - 1)).toThrow(ProtocolDecodeError);
    expect(() => r.readSlice(-5)).toThrow(ProtocolDecodeError);
  });
});
