/**
 * Record-format benchmarks: the produce hot path (CRC-32C, batch validation without decoding
 * records, in-place offset assignment) against the ≥ 1 GB/s target, plus full decode for scale.
 * Run: npx tsx scripts/bench/records.bench.ts   (or import benchRecords from a combined bench)
 */
import { CRC32C_IMPLEMENTATION } from '../../broker/src/protocol/records/crc32c';
import {
  CompressionType,
  type SimpleRecord,
  crc32c,
  decodeRecordBatch,
  encodeRecordBatch,
  encodeRecordBatchSync,
  scanRecordBatches,
  validateBatchHeader,
} from '../../broker/src/protocol/records';

import type { BenchResult } from './bench-result';

const MiB = 1024 * 1024;

/** Median over `rounds` timed rounds of `iterations` calls, in seconds per call. */
function timePerCall(fn: () => unknown, iterations: number, rounds = 7): number {
  for (let i = 0; i < iterations; i++) fn(); // warm-up: JIT, caches
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e9 / iterations);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1]!;
}

async function timePerCallAsync(fn: () => Promise<unknown>, iterations: number, rounds = 5): Promise<number> {
  for (let i = 0; i < iterations; i++) await fn();
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e9 / iterations);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1]!;
}

/** 100-byte values, the record size of Kafka's published benchmarks. */
function records(count: number, valueSize = 100): SimpleRecord[] {
  const value = Buffer.alloc(valueSize, 'x');
  return Array.from({ length: count }, (_, i) => ({ key: null, value, timestamp: 1_700_000_000_000 + i }));
}

/** An uncompressed batch of about `bytes` bytes. */
function batchOfSize(bytes: number): Buffer {
  const perRecord = 100 + 8; // value + record overhead at these sizes
  return encodeRecordBatchSync({ records: records(Math.floor((bytes - 61) / perRecord)) });
}

export async function benchRecords(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const gbps = (bytes: number, seconds: number): number => bytes / seconds / 1e9;

  const buf = Buffer.alloc(MiB, 0xa5);
  results.push({ name: `crc32c 1 MiB (${CRC32C_IMPLEMENTATION})`, value: gbps(MiB, timePerCall(() => crc32c(buf), 2000)), unit: 'GB/s' });
  const batch16k = Buffer.alloc(15346, 0xa5);
  results.push({ name: `crc32c 15,346 B (a 16 KiB producer batch; ${CRC32C_IMPLEMENTATION})`, value: gbps(batch16k.length, timePerCall(() => crc32c(batch16k), 20000)), unit: 'GB/s' });

  const batch = batchOfSize(MiB);
  results.push({
    name: 'RecordBatch v2 validate (header + CRC, records not decoded), 1 MiB uncompressed',
    value: gbps(batch.length, timePerCall(() => validateBatchHeader(batch), 2000)),
    unit: 'GB/s',
  });

  const many = Buffer.concat(Array.from({ length: 64 }, () => batchOfSize(16 * 1024)));
  results.push({
    name: 'RecordBatch v2 iterate + validate, 64 x 16 KiB batches',
    value: gbps(many.length, timePerCall(() => scanRecordBatches(many), 1000)),
    unit: 'GB/s',
  });

  const small = batchOfSize(1024);
  results.push({
    name: 'produce path per 1 KiB batch: validate + set baseOffset + set leader epoch',
    value:
      timePerCall(() => {
        const view = validateBatchHeader(small);
        view.setBaseOffset(123456);
        view.setPartitionLeaderEpoch(7);
      }, 200_000) * 1e9,
    unit: 'ns/batch',
  });

  const decodeBatch = batchOfSize(MiB);
  const count = validateBatchHeader(decodeBatch).recordsCount;
  const decodeSeconds = await timePerCallAsync(() => decodeRecordBatch(decodeBatch), 10);
  results.push({ name: 'full decode of records (tools path, not hot), 1 MiB, 100 B values', value: count / decodeSeconds / 1e6, unit: 'M records/s' });

  for (const codec of [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) {
    const compressed = await encodeRecordBatch({ records: records(9000), compression: codec });
    const seconds = await timePerCallAsync(() => decodeRecordBatch(compressed), 10);
    results.push({ name: `decompress + decode 9000 records, codec ${codec}`, value: 9000 / seconds / 1e6, unit: 'M records/s' });
  }
  return results;
}

if (require.main === module) {
  benchRecords().then(
    (results) => {
      for (const r of results) console.log(`${r.name}: ${r.value.toFixed(2)} ${r.unit}`);
    },
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
