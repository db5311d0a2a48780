/**
 * Log compaction throughput, the figure: "compaction of 1 GiB with 10% live keys (MB/s)".
 *
 * Builds a compacted log of `totalBytes` (128 MiB segments, the last one rolled so all of it is
 * cleanable) from 100-record uncompressed batches of 12-byte keys and 100-byte values, each record's
 * key drawn uniformly from totalRecords / 10 keys, so about 10% of the records are the latest for
 * their key. Then one LogCleaner.cleanOnce with Kafka's default cleaner settings (128 MiB dedupe
 * buffer, 512 KiB I/O buffers), timed end to end: the producer-state scan, the offset map over the
 * whole log, the recopy, the swaps. MB/s = log bytes processed / elapsed, as Kafka's cleaner logs it.
 *
 * Run: npx tsx scripts/bench/log-cleaner.bench.ts [MiB]   (or CLEANER_BENCH_MIB=64; default 1024)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TimerScheduler } from '../../broker/src/common/scheduler';
import { SYSTEM_TIME } from '../../broker/src/common/time';
import { LogCleaner } from '../../broker/src/log/cleaner';
import { Log } from '../../broker/src/log/log';
import { LogConfig } from '../../broker/src/log/log-config';
import { type SimpleRecord, encodeRecordBatchSync } from '../../broker/src/protocol/records';
import type { BenchResult } from './bench-result';
import { prng as random } from '../../broker/src/protocol/testing/prng';

const MiB = 1024 * 1024;
const RECORDS_PER_BATCH = 100;
const VALUE_BYTES = 100;
const LIVE_FRACTION = 0.1;
/** Batches concatenated per append (about 1.3 MiB). */
const BATCHES_PER_APPEND = 100;

export interface CleanerBenchOptions {
  totalBytes?: number;
  /** Where the temporary log goes (default: the OS temp dir). */
  dir?: string;
}

async function buildLog(log: Log, totalBytes: number): Promise<{ records: number; keys: number }> {
  const probe = encodeRecordBatchSync({ records: Array.from({ length: RECORDS_PER_BATCH }, () => ({ key: Buffer.alloc(12), value: Buffer.alloc(VALUE_BYTES), timestamp: 0 })) });
  const batches = Math.max(1, Math.round(totalBytes / probe.length));
  const records = batches * RECORDS_PER_BATCH;
  const keys = Math.max(1, Math.round(records * LIVE_FRACTION));
  const next = random(42);
  const value = Buffer.alloc(VALUE_BYTES, 'v');
  const now = Date.now();
  let offset = 0;
  for (let b = 0; b < batches; b += BATCHES_PER_APPEND) {
    const parts: Buffer[] = [];
    for (let i = b; i < Math.min(batches, b + BATCHES_PER_APPEND); i++) {
      const batchRecords: SimpleRecord[] = [];
      for (let r = 0; r < RECORDS_PER_BATCH; r++) {
        const key = Buffer.from(`key-${String(Math.floor(next() * keys)).padStart(8, '0')}`);
        batchRecords.push({ key, value, timestamp: now });
      }
      parts.push(encodeRecordBatchSync({ records: batchRecords, baseOffset: offset, partitionLeaderEpoch: 0 }));
      offset += RECORDS_PER_BATCH;
    }
    await log.appendAsFollower(Buffer.concat(parts));
  }
  await log.roll();
  return { records, keys };
}

export async function benchCleaner(options: CleanerBenchOptions = {}): Promise<BenchResult[]> {
  const totalBytes = options.totalBytes ?? 1024 * MiB;
  const root = await fs.promises.mkdtemp(path.join(options.dir ?? os.tmpdir(), 'samsa-cleaner-bench-'));
  const scheduler = new TimerScheduler((name, err) => console.error(`task ${name} failed`, err));
  let log: Log | undefined;
  try {
    log = await Log.load({
      dir: path.join(root, 'bench-0'),
      topicPartition: { topic: 'bench', partition: 0 },
      config: new LogConfig({ 'cleanup.policy': 'compact', 'segment.bytes': 128 * MiB, 'file.delete.delay.ms': 0 }),
      recoveryPoint: 0,
      logStartOffset: 0,
      hadCleanShutdown: true,
      time: SYSTEM_TIME,
      scheduler,
    });
    const target = log;
    const built = await buildLog(target, totalBytes);
    const sizeBefore = target.size;
    const cleaner = new LogCleaner({ logs: () => [{ log: target, highWatermark: target.logEndOffset }], time: SYSTEM_TIME, scheduler });
    const start = process.hrtime.bigint();
    const result = await cleaner.cleanOnce(target, target.logEndOffset);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const stats = result.cleaned?.stats;
    if (!stats) throw new Error('the log did not qualify for cleaning');
    const mb = (bytes: number): number => bytes / MiB;
    const label = `${(totalBytes / MiB).toFixed(0)} MiB, 10% live keys`;
    return [
      { name: `compaction of ${label}: throughput (log bytes / wall time)`, value: mb(sizeBefore) / seconds, unit: 'MB/s' },
      { name: `compaction of ${label}: wall time`, value: seconds, unit: 's' },
      { name: `compaction of ${label}: offset map phase`, value: mb(stats.mapBytesRead) / Math.max(stats.elapsedIndexSecs, 1e-9), unit: 'MB/s' },
      { name: `compaction of ${label}: recopy phase`, value: mb(stats.bytesRead) / Math.max(stats.elapsedSecs - stats.elapsedIndexSecs, 1e-9), unit: 'MB/s' },
      { name: `compaction of ${label}: size after / before`, value: (100 * target.size) / sizeBefore, unit: '%' },
      { name: `compaction of ${label}: records kept`, value: stats.messagesWritten, unit: `of ${built.records} (${built.keys} keys)` },
    ];
  } finally {
    await log?.close();
    await scheduler.shutdown();
    await fs.promises.rm(root, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const arg = process.argv[2] ?? process.env.CLEANER_BENCH_MIB;
  const totalBytes = arg !== undefined && arg !== '' ? Number(arg) * MiB : undefined;
  benchCleaner({ totalBytes }).then(
    (results) => {
      for (const r of results) console.log(`${r.name}: ${r.value.toFixed(2)} ${r.unit}`);
    },
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
