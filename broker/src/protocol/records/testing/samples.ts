/** Deterministic test data: a seeded PRNG and sample records, shared by the record-format tests. */
import type { RecordHeader, SimpleRecord } from '../record';
import { prng } from '../../testing/prng';

export { prng };

export function randInt(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'kafka', 'samsa', 'offset', 'batch', 'ü', '日本'];

/** Compressible text of roughly `n` bytes. */
export function text(rand: () => number, n: number): Buffer {
  const parts: string[] = [];
  let size = 0;
  while (size < n) {
    const w = WORDS[randInt(rand, 0, WORDS.length - 1)]!;
    parts.push(w);
    size += Buffer.byteLength(w) + 1;
  }
  return Buffer.from(parts.join(' ')).subarray(0, n);
}

/**
 * `count` records with a mix of null keys, tombstones, empty values, headers (including null and
 * duplicate keys), and timestamps that go backwards as well as forwards.
 */
export function sampleRecords(seed: number, count: number, base = 1_700_000_000_000): SimpleRecord[] {
  const rand = prng(seed);
  const records: SimpleRecord[] = [];
  for (let i = 0; i < count; i++) {
    const headers: RecordHeader[] = [];
    const nh = randInt(rand, 0, 3);
    for (let h = 0; h < nh; h++) {
      headers.push({ key: h === 2 ? 'dup' : `h${h}-ключ`, value: rand() < 0.2 ? null : text(rand, randInt(rand, 0, 20)) });
    }
    const r = rand();
    records.push({
      key: r < 0.15 ? null : text(rand, randInt(rand, 1, 16)),
      value: r > 0.9 ? null : r > 0.85 ? Buffer.alloc(0) : text(rand, randInt(rand, 10, 300)),
      headers,
      timestamp: base + randInt(rand, -5000, 50_000),
    });
  }
  return records;
}

/** Inputs of the codec golden frames (fixtures/codec-frames.json): small text, and 200 KB of repeats. */
export function codecInputs(): { small: Buffer; big: Buffer } {
  return {
    small: text(prng(7), 3000),
    big: Buffer.concat(Array.from({ length: 200 }, () => text(prng(8), 1000))),
  };
}
