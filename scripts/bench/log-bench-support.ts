/**
 * Shared pieces of the storage benchmarks (log.bench.ts): sizes scaled by SAMSA_BENCH_SCALE,
 * temp directories, producer-like batches, logs on the real clock and timers, the plain-file
 * write that measures the machine's limit, statistics.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pino from 'pino';
import { TimerScheduler } from '../../broker/src/common/scheduler';
import { SYSTEM_TIME } from '../../broker/src/common/time';
import { Log } from '../../broker/src/log/log';
import { type ConfigInput, LogConfig } from '../../broker/src/log/log-config';
import { type SimpleRecord, encodeRecordBatchSync } from '../../broker/src/protocol/records';

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

/** SAMSA_BENCH_SCALE=0.05 for a quick run; figures to report come from the default, 1. */
export const SCALE = Number(process.env.SAMSA_BENCH_SCALE ?? 1);
if (!(SCALE > 0)) throw new Error(`SAMSA_BENCH_SCALE must be a positive number, not ${process.env.SAMSA_BENCH_SCALE}`);

export function scaled(bytes: number): number {
  return Math.max(MiB, Math.round(bytes * SCALE));
}

export function sizeLabel(bytes: number): string {
  if (bytes >= GiB && bytes % (GiB / 4) === 0) return `${bytes / GiB} GiB`;
  if (bytes >= MiB) return `${Math.round(bytes / MiB)} MiB`;
  return `${Math.round(bytes / KiB)} KiB`;
}

/** Where the benchmark writes: SAMSA_BENCH_DIR or the OS temp dir. */
export function makeBenchDir(prefix: string): string {
  return fs.mkdtempSync(path.join(process.env.SAMSA_BENCH_DIR ?? os.tmpdir(), `samsa-${prefix}-`));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * An uncompressed v2 batch of about `bytes` bytes as a producer sends it: 1 KiB records (a
 * 10-byte key, a value filling the rest), CreateTime now. appendAsLeader assigns offsets in place,
 * so one buffer can be appended again and again.
 */
export function producerBatch(bytes: number): Buffer {
  const perRecord = 1024;
  const count = Math.max(1, Math.floor((bytes - 61) / perRecord));
  const overhead = 14; // record length, attributes, deltas, key/value lengths, header count (varints at this size)
  const value = Buffer.alloc(perRecord - 10 - overhead, 'v');
  const now = Date.now();
  const records: SimpleRecord[] = Array.from({ length: count }, (_, i) => ({ key: Buffer.from(`key-${String(i).padStart(6, '0')}`), value, timestamp: now }));
  return encodeRecordBatchSync({ records });
}

export interface BenchLog {
  log: Log;
  scheduler: TimerScheduler;
  close(): Promise<void>;
}

/** A log on the real clock and timers (roll flushes, deletions happen as in a broker), logging silenced. */
export async function openBenchLog(dir: string, config: ConfigInput, o: { hadCleanShutdown?: boolean; recoveryPoint?: number } = {}): Promise<BenchLog> {
  const scheduler = new TimerScheduler((name, err) => process.stderr.write(`task ${name} failed: ${String(err)}\n`));
  const log = await Log.load({
    dir,
    topicPartition: { topic: 'bench', partition: 0 },
    config: new LogConfig(config),
    recoveryPoint: o.recoveryPoint ?? 0,
    logStartOffset: 0,
    hadCleanShutdown: o.hadCleanShutdown ?? true,
    time: SYSTEM_TIME,
    scheduler,
    logger: pino({ level: 'silent' }),
  });
  return {
    log,
    scheduler,
    close: async () => {
      await log.close();
      await scheduler.shutdown();
    },
  };
}

/** The machine's limit: `total` bytes of `chunk` written sequentially with plain writeSync calls to a new file in `dir`. */
export function plainSequentialWrite(dir: string, chunk: Buffer, total: number): number {
  const file = path.join(dir, 'plain-write.bin');
  const fd = fs.openSync(file, 'w');
  const start = process.hrtime.bigint();
  for (let pos = 0; pos < total; pos += chunk.length) fs.writeSync(fd, chunk, 0, chunk.length, pos);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  fs.closeSync(fd);
  fs.unlinkSync(file);
  return seconds;
}

/** The same, with async fs.write calls (one in flight at a time), as the log does above 128 KiB. */
export async function plainSequentialWriteAsync(dir: string, chunk: Buffer, total: number): Promise<number> {
  const file = path.join(dir, 'plain-write.bin');
  const fd = fs.openSync(file, 'w');
  const start = process.hrtime.bigint();
  for (let pos = 0; pos < total; pos += chunk.length) {
    await new Promise<number>((resolve, reject) => fs.write(fd, chunk, 0, chunk.length, pos, (err, n) => (err ? reject(err) : resolve(n))));
  }
  const secs = seconds(start);
  fs.closeSync(fd);
  fs.unlinkSync(file);
  return secs;
}

/** Median time of `fn` over `rounds` rounds after a warm-up, in seconds per call. */
export function secondsPerCall(fn: () => unknown, iterations: number, rounds = 5): number {
  for (let i = 0; i < iterations; i++) fn();
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn();
    samples.push(seconds(start) / iterations);
  }
  return median(samples);
}

export function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export const gbPerSecond = (bytes: number, secs: number): number => bytes / secs / 1e9;

export function rssMiB(): number {
  return process.memoryUsage.rss() / MiB;
}

/** Offset after the last whole batch in `records` (a consumer's next fetch offset), or -1 if none. */
export function nextOffsetAfter(records: Buffer): number {
  let next = -1;
  for (let pos = 0; pos + 61 <= records.length; ) {
    const size = records.readInt32BE(pos + 8) + 12;
    if (pos + size > records.length) break;
    next = Number(records.readBigInt64BE(pos)) + records.readInt32BE(pos + 23) + 1;
    pos += size;
  }
  return next;
}
