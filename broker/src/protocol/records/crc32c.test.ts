import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32 } from './crc32';
import { CRC32C_IMPLEMENTATION, type Crc32cJob, crc32c, crc32cOffThread, crc32cUpdate } from './crc32c';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const portable = require('sse4_crc32') as { calculate(input: Uint8Array, initialCrc?: number): number };

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

describe('crc32c, three-way native addon (native/crc32c)', () => {
  it('is in use where it was built and the CPU has SSE4.2 (npm ci builds it on this machine kind)', () => {
    const built = fs.existsSync(path.join(__dirname, '../../../../native/crc32c/build/Release/samsa_crc32c.node'));
    const sse42 = /\bsse4_2\b/.test(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    const forcedPortable = process.env.SAMSA_CRC32C === 'portable';
    expect(CRC32C_IMPLEMENTATION).toBe(built && sse42 && !forcedPortable ? 'three-way SSE4.2 (native/crc32c)' : 'sse4_crc32');
  });

  it('agrees with the portable CRC-32C on every length around its 3 x 512-byte stripes, at odd offsets, with and without an initial CRC', () => {
    const lengths = [...Array.from({ length: 1700 }, (_, i) => i), 3071, 3072, 3073, 15346, 65536 + 5, 1 << 20];
    for (const length of lengths) {
      const buf = randomBytes(length + 3).subarray(3); // an unaligned view
      const initial = length % 2 === 0 ? 0 : randomBytes(4).readUInt32LE();
      expect([length, crc32cUpdate(initial, buf)]).toEqual([length, portable.calculate(buf, initial) >>> 0]);
      const cut = length >> 1;
      expect(crc32cUpdate(crc32c(buf, 0, cut), buf, cut)).toBe(crc32c(buf));
    }
  });
});

describe('crc32cOffThread (native/crc32c on the thread pool, finished in line)', () => {
  const off = crc32cOffThread;
  const lengths = [0, 1, 7, 8, 1535, 1536, 1537, 4608, 15346, 65536 + 5, 1 << 20, (3 << 20) + 11];
  const views = (): Uint8Array[] => lengths.map((length) => randomBytes(length + 5).subarray(5));

  it('exists exactly when the native addon is in use', () => {
    expect(off !== undefined).toBe(CRC32C_IMPLEMENTATION.startsWith('three-way'));
  });

  (off === undefined ? it.skip : it)('finished at once (before any pool thread can have started), gives the synchronous checksum of unaligned views of many lengths', () => {
    const vs = views();
    const jobs = vs.map((v) => off!.start(v));
    expect(jobs.map((j) => off!.finish(j))).toEqual(vs.map((v) => crc32c(v)));
  });

  (off === undefined ? it.skip : it)('finished after the pool has had time to compute them, gives the same checksums; finishing twice answers the same', async () => {
    const vs = views();
    const jobs = vs.map((v) => off!.start(v));
    await new Promise((r) => setTimeout(r, 50));
    const expected = vs.map((v) => crc32c(v));
    expect(jobs.map((j) => off!.finish(j))).toEqual(expected);
    expect(jobs.map((j) => off!.finish(j))).toEqual(expected);
  });

  (off === undefined ? it.skip : it)('many jobs raced between the pool and the caller all come out right (whoever claims one computes it)', async () => {
    const big = randomBytes(4 << 20);
    for (let round = 0; round < 20; round++) {
      const vs = Array.from({ length: 16 }, (_, i) => big.subarray(i * 3, big.length - i * 7 - round));
      const jobs = vs.map((v) => off!.start(v));
      if (round % 2 === 1) await new Promise((r) => setImmediate(r));
      expect(jobs.map((j) => off!.finish(j))).toEqual(vs.map((v) => crc32c(v)));
    }
  });

  (off === undefined ? it.skip : it)('refuses what is not a Uint8Array, and a job that did not come from start', () => {
    expect(() => off!.start('123' as unknown as Uint8Array)).toThrow(/Uint8Array/);
    expect(() => off!.finish({} as unknown as Crc32cJob)).toThrow(/start\(\)/);
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
