/**
 * `npm run bench:log`: the storage engine's speed figures (issue 3), each next to the machine's
 * limit measured in the same run.
 *
 * - append throughput through Log.appendAsLeader with 16 KiB and 1 MiB batches, against plain
 *   sequential writeSync of the same bytes to a file in the same directory (target >= 80%);
 *   limit and log alternate over several rounds and the medians are compared;
 * - sequential read throughput from the page cache with Log.read (1 MiB fetches, each released
 *   back to the read buffer pool as the socket server does once a response is written; target
 *   >= 1 GB/s);
 * - lookup of random offsets in a 1 GiB log (Log.read of one batch; target median < 1 ms);
 * - recovery of a 1 GiB log with a 100 MiB unflushed tail (unclean load, recovery point 100 MiB
 *   before the end);
 * - compaction of 1 GiB with 10% live keys (scripts/bench/log-cleaner.bench.ts, when present);
 * - memory (measured first): RSS while appending 10 GiB (retention keeps the disk use bounded; the
 *   appends are real file writes).
 *
 * SAMSA_BENCH_SCALE scales every size (0.05 for a quick run); SAMSA_BENCH_DIR picks the directory;
 * SAMSA_BENCH_ONLY runs some parts only (comma-separated: memory, append16k, append1m, read,
 * lookup, recovery, compaction).
 */
import * as fs from 'node:fs';
import { cpus } from 'node:os';
import * as path from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { SYNC_APPEND_MAX_BYTES } from '../../broker/src/log/file-io';
import { LogConfig } from '../../broker/src/log/log-config';
import { ASYNC_CRC_MIN_BYTES, prepareLeaderAppend } from '../../broker/src/log/log-validator';
import { READ_BUFFERS } from '../../broker/src/log/read-buffer-pool';
import { crc32c } from '../../broker/src/protocol/records';
import type { BenchResult } from './bench-result';
import {
  GiB,
  KiB,
  MiB,
  SCALE,
  gbPerSecond,
  makeBenchDir,
  median,
  nextOffsetAfter,
  openBenchLog,
  plainSequentialWrite,
  plainSequentialWriteAsync,
  producerBatch,
  quantile,
  removeDir,
  rssMiB,
  scaled,
  seconds,
  secondsPerCall,
  sizeLabel,
} from './log-bench-support';

const ROUNDS = 5;
const LOOKUPS = 2000;

/** Produce requests in flight per partition, as a broker sees with several producers or pipelining. */
const APPENDS_IN_FLIGHT = 2;

/**
 * Appends `total` bytes of `batch` (offsets reassigned in place each time) with APPENDS_IN_FLIGHT
 * appends outstanding, so one batch is validated while the previous one is written; returns seconds.
 */
async function appendSeconds(dir: string, batch: Buffer, total: number): Promise<number> {
  const bench = await openBenchLog(path.join(dir, 'append-0'), { 'max.message.bytes': 2 * batch.length });
  const copies = Array.from({ length: APPENDS_IN_FLIGHT }, () => Buffer.from(batch));
  try {
    const start = process.hrtime.bigint();
    const inFlight: Promise<unknown>[] = [];
    let n = 0;
    for (let written = 0; written < total; written += batch.length, n++) {
      if (inFlight.length === APPENDS_IN_FLIGHT) await inFlight.shift();
      inFlight.push(bench.log.appendAsLeader(copies[n % APPENDS_IN_FLIGHT]!, 0));
    }
    await Promise.all(inFlight);
    return seconds(start);
  } finally {
    await bench.close();
    removeDir(path.join(dir, 'append-0'));
  }
}

/** Bytes per slice in pairedSliceRatios. */
const SLICE_BYTES = 16 * MiB;

/**
 * The same comparison in fine grain, for a machine whose load swings within seconds (other jobs
 * on the same cores): plain writeSync and Log appends alternate in SLICE_BYTES slices (the file
 * and the log keep growing across slices), and each log slice is compared with the plain slice
 * just before it. Returns the per-slice ratios (%).
 */
async function pairedSliceRatios(dir: string, batch: Buffer, total: number): Promise<number[]> {
  const bench = await openBenchLog(path.join(dir, 'paired-0'), { 'max.message.bytes': 2 * batch.length });
  const copies = Array.from({ length: APPENDS_IN_FLIGHT }, () => Buffer.from(batch));
  const file = path.join(dir, 'paired-plain.bin');
  const fd = fs.openSync(file, 'w');
  const ratios: number[] = [];
  let plainPos = 0;
  let n = 0;
  try {
    for (let done = 0; done < total; done += SLICE_BYTES) {
      const plainStart = process.hrtime.bigint();
      for (let w = 0; w < SLICE_BYTES; w += batch.length, plainPos += batch.length) fs.writeSync(fd, batch, 0, batch.length, plainPos);
      const plainSeconds = seconds(plainStart);
      const logStart = process.hrtime.bigint();
      const inFlight: Promise<unknown>[] = [];
      for (let w = 0; w < SLICE_BYTES; w += batch.length, n++) {
        if (inFlight.length === APPENDS_IN_FLIGHT) await inFlight.shift();
        inFlight.push(bench.log.appendAsLeader(copies[n % APPENDS_IN_FLIGHT]!, 0));
      }
      await Promise.all(inFlight);
      ratios.push((100 * plainSeconds) / seconds(logStart));
    }
    return ratios;
  } finally {
    fs.closeSync(fd);
    fs.unlinkSync(file);
    await bench.close();
    removeDir(path.join(dir, 'paired-0'));
  }
}

const rounds = (values: readonly number[]): string => `GB/s (rounds: ${values.map((v) => v.toFixed(2)).join(', ')})`;

/**
 * Plain writes and Log appends alternate, ROUNDS times, so both see the same machine. Two
 * diagnostics go with them: async plain writes (the log's path above SYNC_APPEND_MAX_BYTES) and the batch
 * validation alone (the leader append's own: header checks and CRC-32C over the batch, as Kafka's).
 */
async function benchAppend(dir: string, batchBytes: number): Promise<BenchResult[]> {
  const batch = producerBatch(batchBytes);
  const total = scaled(GiB);
  const asyncPath = batch.length > SYNC_APPEND_MAX_BYTES;
  const limits: number[] = [];
  const asyncLimits: number[] = [];
  const appends: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    limits.push(gbPerSecond(total, plainSequentialWrite(dir, batch, total)));
    if (asyncPath) asyncLimits.push(gbPerSecond(total, await plainSequentialWriteAsync(dir, batch, total)));
    appends.push(gbPerSecond(total, await appendSeconds(dir, batch, total)));
  }
  const paired = await pairedSliceRatios(dir, batch, total);
  const validate = { config: new LogConfig({ 'max.message.bytes': 2 * batch.length }), topicPartition: 'bench-0', leaderEpoch: 0, now: Date.now() };
  // From ASYNC_CRC_MIN_BYTES the append checksums on the thread pool (prepareLeaderAppend returns a
  // Promise): the diagnostic is then the checksum's own speed on one core.
  const crcOffThread = batch.length >= ASYNC_CRC_MIN_BYTES;
  const validateOnce = crcOffThread ? (): number => crc32c(batch) : (): unknown => prepareLeaderAppend(batch, validate);
  const validation = gbPerSecond(batch.length, secondsPerCall(validateOnce, Math.max(20, Math.round((64 * MiB) / batch.length))));
  const label = `${sizeLabel(batchBytes)} batches (${batch.length} B), ${sizeLabel(total)} per round, median of ${ROUNDS}`;
  const limit = median(limits);
  const append = median(appends);
  const results: BenchResult[] = [
    { name: `machine limit: plain sequential writeSync, ${label}`, value: limit, unit: rounds(limits) },
    { name: `Log.appendAsLeader, ${label}`, value: append, unit: rounds(appends) },
    { name: `Log.appendAsLeader / machine limit, ${sizeLabel(batchBytes)} batches (target >= 80%)`, value: (100 * append) / limit, unit: '%' },
    {
      // Each round's append against the limit measured just before it: how much the ratio moves with the machine's load.
      name: `  diagnostic: append / limit per round, ${sizeLabel(batchBytes)} batches`,
      value: median(appends.map((a, i) => (100 * a) / limits[i]!)),
      unit: `% median (rounds: ${appends.map((a, i) => ((100 * a) / limits[i]!).toFixed(1)).join(', ')})`,
    },
    {
      name: `  diagnostic: append / limit in alternating ${sizeLabel(SLICE_BYTES)} slices, ${sizeLabel(batchBytes)} batches, ${sizeLabel(total)}`,
      value: median(paired),
      unit: `% median (p25 ${quantile(paired, 0.25).toFixed(1)}, p75 ${quantile(paired, 0.75).toFixed(1)}, ${paired.length} slices)`,
    },
  ];
  if (asyncPath) results.push({ name: `  diagnostic: plain sequential async fs.write, ${label}`, value: median(asyncLimits), unit: rounds(asyncLimits) });
  results.push(
    crcOffThread
      ? { name: `  diagnostic: CRC-32C alone, ${sizeLabel(batchBytes)} batch, in memory (the append computes it on the thread pool, beside the previous write)`, value: validation, unit: 'GB/s' }
      : { name: `  diagnostic: leader-append validation alone (header checks, CRC-32C), ${sizeLabel(batchBytes)} batch, in memory`, value: validation, unit: 'GB/s' },
    {
      name: `  diagnostic: ceiling for append / limit if an append cost write + ${crcOffThread ? 'CRC-32C' : 'validation'} one after the other`,
      value: (100 * (1 / limit)) / (1 / limit + 1 / validation),
      unit: '%',
    },
  );
  return results;
}

interface BuiltLog {
  dir: string;
  logEndOffset: number;
  /** Offset of the batch starting `tail` bytes before the end. */
  tailStartOffset: number;
  bytes: number;
  segments: number;
  config: { 'segment.bytes': number };
}

/** A log of `total` bytes of 16 KiB batches in 64 MiB segments, closed cleanly. */
async function buildLog(root: string, total: number, tail: number): Promise<BuiltLog> {
  const dir = path.join(root, 'big-0');
  const config = { 'segment.bytes': 64 * MiB };
  const batch = producerBatch(16 * KiB);
  const bench = await openBenchLog(dir, config);
  let tailStartOffset = 0;
  for (let written = 0; written < total; written += batch.length) {
    const info = await bench.log.appendAsLeader(batch, 0);
    if (written < total - tail) tailStartOffset = info.lastOffset + 1;
    if (written % (64 * MiB) < batch.length) await yieldToLoop(); // roll flushes run, as in a broker
  }
  const built = { dir, logEndOffset: bench.log.logEndOffset, tailStartOffset, bytes: bench.log.size, segments: bench.log.numberOfSegments, config };
  await bench.close();
  return built;
}

/**
 * The machine's limit for the read: the same .log files read sequentially in 1 MiB preads, into a
 * fresh buffer each (async) and into one reused buffer (sync; Log.read's large reads reuse pooled
 * buffers once released, log/read-buffer-pool).
 */
async function plainReadLimits(built: BuiltLog): Promise<BenchResult[]> {
  const files = fs.readdirSync(built.dir).filter((f) => f.endsWith('.log')).map((f) => path.join(built.dir, f));
  const readFile = async (file: string, fresh: boolean): Promise<number> => {
    const fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    const reused = Buffer.allocUnsafe(MiB);
    for (let pos = 0; pos < size; pos += MiB) {
      if (fresh) {
        const buf = Buffer.allocUnsafe(Math.min(MiB, size - pos));
        await new Promise<number>((resolve, reject) => fs.read(fd, buf, 0, buf.length, pos, (err, n) => (err ? reject(err) : resolve(n))));
      } else {
        fs.readSync(fd, reused, 0, Math.min(MiB, size - pos), pos);
      }
    }
    fs.closeSync(fd);
    return size;
  };
  const out: BenchResult[] = [];
  for (const [fresh, label] of [[true, 'async fs.read into a new 1 MiB Buffer each'], [false, 'readSync into one reused 1 MiB Buffer']] as const) {
    const start = process.hrtime.bigint();
    let bytes = 0;
    for (const file of files) bytes += await readFile(file, fresh);
    out.push({ name: `machine limit: plain sequential read of the same .log files, ${label}`, value: gbPerSecond(bytes, seconds(start)), unit: 'GB/s' });
  }
  return out;
}

async function benchRead(built: BuiltLog): Promise<BenchResult[]> {
  const results = await plainReadLimits(built);
  const bench = await openBenchLog(built.dir, built.config);
  try {
    for (const pass of [1, 2]) {
      let bytes = 0;
      const start = process.hrtime.bigint();
      for (let offset = 0; offset < bench.log.logEndOffset; ) {
        const r = await bench.log.read(offset, MiB, { minOneMessage: true });
        bytes += r.records.length;
        offset = nextOffsetAfter(r.records);
        // Done with the bytes, as the broker's socket server is once a fetch response is written.
        READ_BUFFERS.release(r.records);
      }
      const secs = seconds(start);
      results.push({
        name: `sequential Log.read from the page cache, 1 MiB fetches, ${sizeLabel(built.bytes)} log, pass ${pass}${pass === 1 ? ' (indexes loaded on the way)' : ''} (target >= 1 GB/s)`,
        value: gbPerSecond(bytes, secs),
        unit: 'GB/s',
      });
    }
  } finally {
    await bench.close();
  }
  return results;
}

function lookupRandom(): () => number {
  let seed = 12345;
  return (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
}

/** The machine's floor for a lookup: a 16 KiB pread at a random position of the same files. */
function plainRandomReads(built: BuiltLog): number[] {
  const files = fs.readdirSync(built.dir).filter((f) => f.endsWith('.log')).map((f) => path.join(built.dir, f));
  const fds = files.map((f) => fs.openSync(f, 'r'));
  const sizes = fds.map((fd) => fs.fstatSync(fd).size);
  const random = lookupRandom();
  const times: number[] = [];
  for (let i = 0; i < LOOKUPS; i++) {
    const which = Math.floor(random() * fds.length);
    const position = Math.floor(random() * Math.max(1, sizes[which]! - 16 * KiB));
    const start = process.hrtime.bigint();
    fs.readSync(fds[which]!, Buffer.allocUnsafe(16 * KiB), 0, 16 * KiB, position);
    times.push(seconds(start) * 1000);
  }
  for (const fd of fds) fs.closeSync(fd);
  return times;
}

async function benchLookup(built: BuiltLog): Promise<BenchResult[]> {
  const floor = plainRandomReads(built);
  const bench = await openBenchLog(built.dir, built.config);
  try {
    const random = lookupRandom();
    const passes: number[][] = [];
    for (let pass = 0; pass < 2; pass++) {
      const times: number[] = [];
      for (let i = 0; i < LOOKUPS; i++) {
        const offset = Math.floor(random() * bench.log.logEndOffset);
        const start = process.hrtime.bigint();
        const r = await bench.log.read(offset, 1, { minOneMessage: true });
        times.push(seconds(start) * 1000);
        if (r.records.length === 0) throw new Error(`lookup of ${offset} returned nothing`);
      }
      passes.push(times);
    }
    const all = passes.flat();
    const label = `random offset lookup (Log.read of the one batch holding it) in a ${sizeLabel(built.bytes)} log of ${built.segments} segments, ${all.length} lookups`;
    const perPass = (q: number): string => `ms (per pass of ${LOOKUPS}: ${passes.map((t) => quantile(t, q).toFixed(3)).join(', ')})`;
    return [
      { name: `${label}: median (target < 1 ms)`, value: median(all), unit: perPass(0.5) },
      { name: `${label}: p99`, value: quantile(all, 0.99), unit: perPass(0.99) },
      { name: `${label}: max`, value: quantile(all, 1), unit: 'ms' },
      { name: `  machine floor: 16 KiB readSync at random positions of the same files: median`, value: median(floor), unit: 'ms' },
      { name: `  machine floor: 16 KiB readSync at random positions of the same files: p99`, value: quantile(floor, 0.99), unit: 'ms' },
    ];
  } finally {
    await bench.close();
  }
}

/** Unclean loads with the recovery point `tail` bytes before the end, three times (closed cleanly in between). */
async function benchRecovery(built: BuiltLog, tail: number): Promise<BenchResult[]> {
  const times: number[] = [];
  let revalidated = 0;
  for (let i = 0; i < 3; i++) {
    const start = process.hrtime.bigint();
    const bench = await openBenchLog(built.dir, built.config, { hadCleanShutdown: false, recoveryPoint: built.tailStartOffset });
    times.push(seconds(start));
    try {
      if (bench.log.logEndOffset !== built.logEndOffset) throw new Error(`recovery lost data: ${bench.log.logEndOffset} != ${built.logEndOffset}`);
      revalidated = bench.log.logSegments(built.tailStartOffset, Number.MAX_SAFE_INTEGER).reduce((n, s) => n + s.size, 0);
    } finally {
      await bench.close();
    }
  }
  const label = `recovery (unclean load) of a ${sizeLabel(built.bytes)} log with a ${sizeLabel(tail)} unflushed tail`;
  return [
    { name: `${label}, median of 3`, value: median(times), unit: `s (runs: ${times.map((t) => t.toFixed(2)).join(', ')})` },
    { name: `${label}: bytes re-validated (whole 64 MiB segments from the one holding the recovery point)`, value: revalidated / MiB, unit: 'MiB' },
    { name: `${label}: re-validation rate`, value: gbPerSecond(revalidated, median(times)), unit: 'GB/s' },
  ];
}

type BenchCleaner = (o: { totalBytes?: number; dir?: string }) => Promise<BenchResult[]>;

async function benchCompaction(root: string): Promise<BenchResult[]> {
  const file = path.join(__dirname, 'log-cleaner.bench.ts');
  if (!fs.existsSync(file)) return [{ name: 'compaction: scripts/bench/log-cleaner.bench.ts is not present, not measured', value: 0, unit: '' }];
  const mod = (await import(file)) as { benchCleaner?: unknown };
  if (typeof mod.benchCleaner !== 'function') return [{ name: 'compaction: log-cleaner.bench.ts exports no benchCleaner, not measured', value: 0, unit: '' }];
  return (mod.benchCleaner as BenchCleaner)({ totalBytes: scaled(GiB), dir: root });
}

/** Appends `total` bytes in 16 KiB batches to a log that retention keeps at ~1 GiB, sampling RSS. */
async function benchMemory(root: string): Promise<BenchResult[]> {
  const total = scaled(10 * GiB);
  const dir = path.join(root, 'memory-0');
  const segmentBytes = 128 * MiB;
  const bench = await openBenchLog(dir, { 'segment.bytes': segmentBytes, 'retention.bytes': 1 * GiB, 'file.delete.delay.ms': 0 });
  const batch = producerBatch(16 * KiB);
  const startRss = rssMiB();
  let maxRss = startRss;
  let maxDisk = 0;
  let secs: number;
  let endRss: number;
  try {
    const start = process.hrtime.bigint();
    for (let written = 0; written < total; written += batch.length) {
      await bench.log.appendAsLeader(batch, 0);
      if (written % (16 * MiB) < batch.length) {
        maxRss = Math.max(maxRss, rssMiB());
        maxDisk = Math.max(maxDisk, bench.log.size);
        if (written % segmentBytes < batch.length) {
          await bench.log.deleteOldSegments(bench.log.logEndOffset);
          await yieldToLoop(); // deletions and roll flushes run between appends, as in a broker
        }
      }
    }
    secs = seconds(start);
    endRss = rssMiB();
    maxRss = Math.max(maxRss, endRss);
  } finally {
    await bench.close();
    removeDir(dir);
  }
  const label = `RSS while appending ${sizeLabel(total)} in 16 KiB batches (retention.bytes 1 GiB, 128 MiB segments)`;
  return [
    { name: `${label}: start`, value: startRss, unit: 'MiB' },
    { name: `${label}: max`, value: maxRss, unit: 'MiB' },
    { name: `${label}: end`, value: endRss, unit: 'MiB' },
    { name: `${label}: growth, max - start (target < ~200 MiB)`, value: maxRss - startRss, unit: 'MiB' },
    { name: `${label}: append rate over the run`, value: gbPerSecond(total, secs), unit: 'GB/s' },
    { name: `${label}: largest log size on disk seen`, value: maxDisk / MiB, unit: 'MiB' },
  ];
}

function print(rows: readonly BenchResult[]): void {
  for (const r of rows) {
    const digits = r.value >= 100 ? 0 : r.value >= 10 ? 1 : r.value >= 0.1 ? 2 : 3;
    process.stdout.write(`${r.name.padEnd(128)} ${r.value.toFixed(digits).padStart(10)} ${r.unit}\n`);
  }
}

/** SAMSA_BENCH_ONLY=append16k,append1m (for instance) runs only those parts; unset runs all. */
const ONLY = process.env.SAMSA_BENCH_ONLY?.split(',').map((p) => p.trim()).filter((p) => p !== '');
const runs = (part: string): boolean => ONLY === undefined || ONLY.length === 0 || ONLY.includes(part);

export async function benchLog(report: (rows: readonly BenchResult[]) => void = print): Promise<void> {
  const root = makeBenchDir('log-bench');
  try {
    // First, while the heap holds nothing from the other benchmarks.
    if (runs('memory')) report(await benchMemory(root));
    if (runs('append16k')) report(await benchAppend(root, 16 * KiB));
    if (runs('append1m')) report(await benchAppend(root, MiB));
    if (runs('read') || runs('lookup') || runs('recovery')) {
      const tail = scaled(100 * MiB);
      const built = await buildLog(root, scaled(GiB), tail);
      if (runs('read')) report(await benchRead(built));
      if (runs('lookup')) report(await benchLookup(built));
      if (runs('recovery')) report(await benchRecovery(built, tail));
      removeDir(built.dir);
    }
    if (runs('compaction')) report(await benchCompaction(root));
  } finally {
    removeDir(root);
  }
}

if (require.main === module) {
  // Components the benchmark does not hand its own silent logger (the cleaner) log warnings only.
  process.env.LOG_LEVEL ??= 'warn';
  process.stdout.write(`node ${process.version}, ${cpus().length} cores, SAMSA_BENCH_SCALE=${SCALE}, dir ${process.env.SAMSA_BENCH_DIR ?? 'os.tmpdir()'}\n`);
  benchLog().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
