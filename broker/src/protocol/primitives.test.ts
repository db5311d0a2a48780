import { ProtocolDecodeError } from './decode-error';
import { ByteReader, ByteWriter, SHARED_RECORDS_MIN_BYTES, ZERO_UUID, uvarintSize } from './primitives';

function written(fn: (w: ByteWriter) => void): Buffer {
  const w = new ByteWriter(1);
  fn(w);
  return Buffer.from(w.finish());
}

describe('protocol primitives', () => {
  it.each([
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, '8001'],
    [300, 'ac02'],
    [0xffffffff, 'ffffffff0f'],
  ])('unsigned varint %i is %s', (value, hexText) => {
    const bytes = written((w) => w.uvarint(value));
    expect(bytes.toString('hex')).toBe(hexText);
    expect(uvarintSize(value)).toBe(bytes.length);
    expect(new ByteReader(bytes).uvarint()).toBe(value);
  });

  it.each([
    [0, '00'],
    [-1, '01'],
    [1, '02'],
    [-64, '7f'],
    [64, '8001'],
    [2147483647, 'feffffff0f'],
    [-2147483648, 'ffffffff0f'],
  ])('zigzag varint %i is %s', (value, hexText) => {
    const bytes = written((w) => w.varint(value));
    expect(bytes.toString('hex')).toBe(hexText);
    expect(new ByteReader(bytes).varint()).toBe(value);
  });

  it('rejects a varint longer than five bytes', () => {
    expect(() => new ByteReader(Buffer.from('ffffffffff01', 'hex')).uvarint()).toThrow(ProtocolDecodeError);
  });

  it('compact strings carry length + 1 and 0 for null', () => {
    expect(written((w) => w.compactNullableString(null)).toString('hex')).toBe('00');
    expect(written((w) => w.compactString('é')).toString('hex')).toBe('03c3a9');
    expect(new ByteReader(Buffer.from('00', 'hex')).compactNullableString()).toBeNull();
    expect(() => new ByteReader(Buffer.from('00', 'hex')).compactString()).toThrow(ProtocolDecodeError);
  });

  it('classic strings carry an int16 length and -1 for null', () => {
    expect(written((w) => w.nullableString(null)).toString('hex')).toBe('ffff');
    expect(written((w) => w.string('ab')).toString('hex')).toBe('00026162');
    expect(() => new ByteReader(Buffer.from('ffff', 'hex')).string()).toThrow(ProtocolDecodeError);
    expect(new ByteReader(Buffer.from('fffe', 'hex')).nullableString()).toBeNull();
  });

  it('a length larger than the rest of the frame is a decode error, not a RangeError', () => {
    expect(() => new ByteReader(Buffer.from('00056162', 'hex')).string()).toThrow(ProtocolDecodeError);
    expect(() => new ByteReader(Buffer.from('7fffffff00', 'hex')).bytes()).toThrow(ProtocolDecodeError);
    expect(() => new ByteReader(Buffer.from('0102', 'hex')).int32()).toThrow(ProtocolDecodeError);
  });

  it('an array count that cannot fit in the frame is rejected before allocation', () => {
    expect(() => new ByteReader(Buffer.from('7fffffff', 'hex')).arrayLength(4)).toThrow(ProtocolDecodeError);
    expect(() => new ByteReader(Buffer.from('0000000300000001', 'hex')).arrayLength(4)).toThrow(ProtocolDecodeError);
    expect(new ByteReader(Buffer.from('ffffffff', 'hex')).arrayLength(4)).toBe(-1);
  });

  it('uuids are 16 bytes shown in Kafka base64url form', () => {
    expect(ZERO_UUID).toBe('AAAAAAAAAAAAAAAAAAAAAA');
    const id = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
    const text = new ByteReader(id).uuid();
    expect(written((w) => w.uuid(text))).toEqual(id);
  });

  it('int64 is exact beyond 2^53', () => {
    const v = 9007199254740993n;
    expect(new ByteReader(written((w) => w.int64(v))).int64()).toBe(v);
  });

  describe('records fields', () => {
    it('reference a record set of SHARED_RECORDS_MIN_BYTES or more instead of copying it, in order, and finish() joins the same bytes', () => {
      const big = Buffer.alloc(SHARED_RECORDS_MIN_BYTES, 0xab);
      const w = new ByteWriter(16);
      w.int8(1);
      w.records(big);
      w.int8(2);
      w.compactNullableRecords(big);
      w.nullableRecords(null);
      const chunks = w.finishChunks();
      expect(Array.isArray(chunks)).toBe(true);
      const list = chunks as Buffer[];
      expect(list.filter((c) => c === big)).toHaveLength(2); // the caller's Buffer itself, twice
      expect(w.length).toBe(list.reduce((n, c) => n + c.length, 0));
      const plain = new ByteWriter();
      plain.int8(1);
      plain.bytes(big);
      plain.int8(2);
      plain.compactNullableBytes(big);
      plain.nullableBytes(null);
      expect(Buffer.compare(Buffer.concat(list), plain.finish())).toBe(0);
      expect(Buffer.compare(w.finish(), plain.finish())).toBe(0);
    });

    it('copy a smaller record set (one write per tiny piece would cost more than the copy)', () => {
      const small = Buffer.alloc(SHARED_RECORDS_MIN_BYTES - 1, 1);
      const w = new ByteWriter();
      w.compactRecords(small);
      const chunks = w.finishChunks();
      expect(Buffer.isBuffer(chunks)).toBe(true);
      expect(w.length).toBe(w.pos);
      expect(new ByteReader(chunks as Buffer).compactBytes().equals(small)).toBe(true);
    });
  });
});
