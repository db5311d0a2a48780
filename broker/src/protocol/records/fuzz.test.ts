/**
 * Seeded mutation fuzzing of every decoder over untrusted bytes: the only allowed outcomes are a
 * value or a ProtocolDecodeError. Half of the mutants get their checksums recomputed so the
 * mutations reach record, header and codec parsing instead of stopping at the CRC.
 * Reproduce a failure with FUZZ_SEED=<seed> (the failure message names the seed and iteration).
 */
import { ProtocolDecodeError } from '../decode-error';
import { compress, decompress } from './compression';
import { CompressionType, ControlRecordType } from './constants';
import { encodeEndTransactionMarker } from './control-record';
import { crc32 } from './crc32';
import { crc32c } from './crc32c';
import { decodeLegacyMessageSet, encodeLegacyMessageSet } from './legacy-message-set';
import { scanRecordBatches, validateBatchHeader } from './record-batch';
import { encodeRecordBatch } from './record-batch-builder';
import { decodeRecordBatch, decodeRecordBatches } from './record-batch-decoder';
import fixtures from './testing/fixtures/kafka-python.json';
import { prng, randInt, sampleRecords } from './testing/samples';

const SEED = Number(process.env.FUZZ_SEED ?? 20240601);
const ITERATIONS = 24_000;
const MAX_DECOMPRESSED = 1 << 20;
const INTERESTING_INT32 = [0, 1, -1, 7, 48, 49, 61, 0x7f, 0x80, 0xff, 0x7fff, 0xffff, 0x7fffffff, -0x80000000, 1 << 20];

interface Seed {
  kind: 'v2' | 'legacy' | 'codec';
  codec: number;
  bytes: Buffer;
}

async function corpus(): Promise<Seed[]> {
  const seeds: Seed[] = [];
  const codecs = [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];
  for (const codec of codecs) {
    const records = sampleRecords(codec + 1, 6);
    const a = await encodeRecordBatch({ records, compression: codec, producerId: 1n, producerEpoch: 0, baseSequence: 0 });
    const b = await encodeRecordBatch({ records: records.slice(0, 2), compression: codec, baseOffset: 6 });
    seeds.push({ kind: 'v2', codec, bytes: a }, { kind: 'v2', codec, bytes: Buffer.concat([a, b]) });
    const plain = Buffer.concat(records.map((r) => r.value ?? Buffer.alloc(0)));
    seeds.push({ kind: 'codec', codec, bytes: await compress(codec, plain) });
  }
  seeds.push({
    kind: 'v2',
    codec: 0,
    bytes: encodeEndTransactionMarker({ type: ControlRecordType.Abort, coordinatorEpoch: 1, producerId: 2n, producerEpoch: 0, timestamp: 5 }),
  });
  for (const magic of [0, 1] as const) {
    for (const codec of [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4]) {
      const records = sampleRecords(10 + codec, 4).map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp }));
      seeds.push({ kind: 'legacy', codec, bytes: await encodeLegacyMessageSet({ magic, compression: codec, records }) });
    }
  }
  for (const f of fixtures) {
    seeds.push({ kind: f.magic === 2 ? 'v2' : 'legacy', codec: f.compression, bytes: Buffer.from(f.hex, 'hex') });
  }
  return seeds;
}

function mutate(rand: () => number, input: Buffer, other: Buffer): Buffer {
  let buf = Buffer.from(input);
  const edits = randInt(rand, 1, 3);
  for (let e = 0; e < edits; e++) {
    const at = buf.length > 0 ? randInt(rand, 0, buf.length - 1) : 0;
    switch (randInt(rand, 0, 7)) {
      case 0: // bit flip
        if (buf.length > 0) buf[at]! ^= 1 << randInt(rand, 0, 7);
        break;
      case 1: // random byte
        if (buf.length > 0) buf[at] = randInt(rand, 0, 255);
        break;
      case 2: // interesting int32, e.g. a length or count field
        if (at + 4 <= buf.length) buf.writeInt32BE(INTERESTING_INT32[randInt(rand, 0, INTERESTING_INT32.length - 1)]!, at);
        break;
      case 3: // truncate
        buf = buf.subarray(0, at);
        break;
      case 4: // delete a run
        buf = Buffer.concat([buf.subarray(0, at), buf.subarray(at + randInt(rand, 1, 16))]);
        break;
      case 5: // insert random bytes
        buf = Buffer.concat([buf.subarray(0, at), Buffer.from(Array.from({ length: randInt(rand, 1, 8) }, () => randInt(rand, 0, 255))), buf.subarray(at)]);
        break;
      case 6: // splice with another input
        buf = Buffer.concat([buf.subarray(0, at), other.subarray(randInt(rand, 0, other.length))]);
        break;
      default: // varint-looking run of continuation bytes
        if (buf.length > 0) buf.fill(0xff, at, Math.min(buf.length, at + randInt(rand, 1, 12)));
    }
  }
  return buf;
}

/** Recomputes the first v2 batch's CRC-32C so the mutation is judged past the checksum. */
function resignV2(buf: Buffer): void {
  if (buf.length < 61) return;
  const end = Math.min(buf.length, 12 + Math.max(0, buf.readInt32BE(8)));
  if (end > 21) buf.writeUInt32BE(crc32c(buf, 21, end), 17);
}

/** Recomputes the first legacy message's CRC-32. */
function resignLegacy(buf: Buffer): void {
  if (buf.length < 26) return;
  const end = Math.min(buf.length, 12 + Math.max(0, buf.readInt32BE(8)));
  if (end > 16) buf.writeUInt32BE(crc32(buf, 16, end), 12);
}

async function outcome(fn: () => unknown): Promise<'ok' | 'rejected'> {
  try {
    await fn();
    return 'ok';
  } catch (e) {
    if (e instanceof ProtocolDecodeError) return 'rejected';
    throw e;
  }
}

describe('fuzz: mutated and truncated record buffers', () => {
  it(`only ever returns a value or throws ProtocolDecodeError (seed ${SEED}, ${ITERATIONS} inputs)`, async () => {
    const seeds = await corpus();
    const rand = prng(SEED);
    const counts = { ok: 0, rejected: 0 };
    const started = Date.now();
    for (let i = 0; i < ITERATIONS; i++) {
      const seed = seeds[randInt(rand, 0, seeds.length - 1)]!;
      const other = seeds[randInt(rand, 0, seeds.length - 1)]!.bytes;
      const buf = mutate(rand, seed.bytes, other);
      const resign = rand() < 0.5;
      const runs: (() => unknown)[] = [];
      if (seed.kind === 'v2') {
        if (resign) resignV2(buf);
        runs.push(
          () => validateBatchHeader(buf),
          () => scanRecordBatches(buf, { origin: 'log' }),
          () => decodeRecordBatches(buf, { maxDecompressedBytes: MAX_DECOMPRESSED }),
          () => decodeRecordBatch(buf, { verify: false, maxDecompressedBytes: MAX_DECOMPRESSED }),
        );
      } else if (seed.kind === 'legacy') {
        if (resign) resignLegacy(buf);
        runs.push(
          () => decodeLegacyMessageSet(buf, { maxDecompressedBytes: MAX_DECOMPRESSED }),
          () => decodeLegacyMessageSet(buf, { verifyCrc: false, maxDecompressedBytes: MAX_DECOMPRESSED }),
        );
      } else {
        runs.push(() => decompress(seed.codec, buf, { maxBytes: MAX_DECOMPRESSED, magic: resign ? 0 : 2 }));
      }
      for (const run of runs) {
        try {
          counts[await outcome(run)]++;
        } catch (e) {
          throw new Error(`seed ${SEED} iteration ${i} (${seed.kind}, codec ${seed.codec}): ${buf.toString('hex')}`, { cause: e });
        }
      }
    }
    // Both outcomes must be common, or the mutations are not reaching the parsers.
    expect(counts.ok).toBeGreaterThan(ITERATIONS / 20);
    expect(counts.rejected).toBeGreaterThan(ITERATIONS / 2);
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 90_000);

  it('rejects random bytes behind each codec magic', async () => {
    const rand = prng(SEED + 1);
    const prefixes: [number, Buffer][] = [
      [CompressionType.Gzip, Buffer.from('1f8b0800000000000003', 'hex')],
      [CompressionType.Snappy, Buffer.from('82534e41505059000000000100000001', 'hex')],
      [CompressionType.Lz4, Buffer.from('04224d186040', 'hex')],
      [CompressionType.Zstd, Buffer.from('28b52ffd', 'hex')],
    ];
    for (let i = 0; i < 4000; i++) {
      const [codec, prefix] = prefixes[i % prefixes.length]!;
      const body = Buffer.from(Array.from({ length: randInt(rand, 0, 64) }, () => randInt(rand, 0, 255)));
      await expect(outcome(() => decompress(codec, Buffer.concat([prefix, body]), { maxBytes: MAX_DECOMPRESSED }))).resolves.toBeDefined();
    }
  });
});
