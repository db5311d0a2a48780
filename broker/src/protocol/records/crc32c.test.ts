import { crc32 } from './crc32';
import { crc32c, crc32cUpdate } from './crc32c';

describe('crc32c', () => {
  it('matches the CRC-32C check value for "123456789"', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('is 0 for no bytes', () => {
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });

  it('computes over a sub-range without copying the buffer', () => {
    const buf = Buffer.from('xx123456789yy');
    expect(crc32c(buf, 2, 11)).toBe(0xe3069283);
  });

  it('continues a checksum across chunks', () => {
    const buf = Buffer.from('123456789');
    expect(crc32cUpdate(crc32c(buf, 0, 4), buf, 4)).toBe(0xe3069283);
  });

  it('returns an unsigned value for checksums with the top bit set', () => {
    expect(crc32c(Buffer.from('123456789'))).toBeGreaterThan(0x7fffffff);
  });
});

describe('crc32 (IEEE)', () => {
  it('matches the CRC-32 check value for "123456789"', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('computes over a sub-range', () => {
    expect(crc32(Buffer.from('..123456789'), 2)).toBe(0xcbf43926);
  });
});
