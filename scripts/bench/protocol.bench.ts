/**
 * `npm run bench:protocol`: the foundation's speed figures in one run — CRC-32C and RecordBatch v2
 * validation on 1 MiB (target ≥ 1 GB/s each), record decode for scale, and decode + encode of a
 * Produce request with 100 partitions × 16 KiB batches.
 */
import { cpus } from 'node:os';
import type { BenchResult } from './bench-result';
import { benchProduceCodec } from './produce-codec.bench';
import { benchRecords } from './records.bench';

function print(rows: BenchResult[]): void {
  for (const r of rows) {
    const digits = r.value >= 100 ? 0 : r.value >= 10 ? 1 : 2;
    process.stdout.write(`${r.name.padEnd(90)} ${r.value.toFixed(digits).padStart(10)} ${r.unit}\n`);
  }
}

async function main(): Promise<void> {
  process.stdout.write(`node ${process.version}, ${cpus().length} cores\n`);
  print(await benchRecords());
  print(benchProduceCodec(7));
  print(benchProduceCodec(9));
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
