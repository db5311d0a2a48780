/**
 * Crash safety of the storage engine (issue 3's proof): a child process appends continuously
 * (fixtures/appender.ts) and is SIGKILLed at a seeded random moment; the log is then reopened
 * as after an unclean shutdown. Every append that returned before the kill must be there, with
 * its offsets and content; anything else present must be whole, valid batches of the workload;
 * nothing partial may remain; the indexes must agree with a full scan; and the log must take
 * appends and serve reads afterwards. SIGKILL ends the process, not the machine, so the page cache
 * survives: "written" means write(2) returned, which is when the child reports the append.
 *
 * SAMSA_CRASH_RUNS (default 24) and SAMSA_CRASH_SEED vary the runs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pino from 'pino';
import { MockScheduler } from '../../broker/src/common/scheduler';
import { MockTime } from '../../broker/src/common/time';
import { OffsetCheckpointFile, RECOVERY_POINT_CHECKPOINT_FILE } from '../../broker/src/log/checkpoints';
import { Log } from '../../broker/src/log/log';
import { LogConfig } from '../../broker/src/log/log-config';
import { decodeRecordBatch } from '../../broker/src/protocol/records';
import { waitFor } from '../helpers/wait';
import { ACKS_FILE, CRASH_TOPIC, type CrashRunConfig, buildBatch, checkBatchRecords, crashRunConfig, prng } from './fixtures/workload';
import { type ScannedSegment, checkContiguous, countNonZero, checkSegmentIndexes, decodeSegment, listSegments, nextOffsetOf, scanBatches, scanLogDir } from './helpers/log-verify';

const RUNS = Number(process.env.SAMSA_CRASH_RUNS ?? 24);
const BASE_SEED = Number(process.env.SAMSA_CRASH_SEED ?? 20210418);
const APPENDER = path.join(__dirname, 'fixtures', 'appender.ts');
const REPO_ROOT = path.resolve(__dirname, '..', '..');
const APPENDS_AFTER_RECOVERY = 40;

interface Ack {
  k: number;
  first: number;
  last: number;
}

interface RunStats {
  run: number;
  killAfterMs: number;
  onBigBatch: boolean;
  acked: number;
  batchesRecovered: number;
  unackedPresent: number;
  logEndOffset: number;
  segments: number;
  recoveryPoint: number;
  truncatedBytes: number;
  tornDataBytes: number;
}

const stats: RunStats[] = [];

/** Kill delay after "ready": a few right away, most during steady appending. */
function killDelay(seed: number): number {
  const rnd = prng(seed ^ 0x6b696c6c);
  const bucket = rnd();
  if (bucket < 0.15) return Math.floor(rnd() * 20);
  if (bucket < 0.6) return 20 + Math.floor(rnd() * 280);
  return 300 + Math.floor(rnd() * 900);
}

function readAcks(file: string): Ack[] {
  if (!fs.existsSync(file)) return [];
  const text = fs.readFileSync(file, 'utf8');
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  return complete
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [k, first, last] = l.split(' ').map(Number);
      return { k: k!, first: first!, last: last! };
    });
}

/** An appender process, started before its job is known (module loading takes most of a second). */
interface Appender {
  child: ChildProcess;
  output(): { stdout: string; stderr: string };
  exited: Promise<NodeJS.Signals | number | null>;
  /** From now on, SIGKILL the child `lagMs` after it announces a big batch ("B"). */
  killOnNextBigBatch(lagMs: number): void;
  /** Whether the kill came from a big batch's announcement. */
  killedOnBigBatch(): boolean;
}

function spawnAppender(): Appender {
  const child = spawn(process.execPath, ['--import', 'tsx', APPENDER], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'silent' },
  });
  let stdout = '';
  let stderr = '';
  let lag = -1;
  let onBig = false;
  child.stdout!.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    stdout += text;
    if (lag >= 0 && text.includes('B\n')) {
      // A sub-millisecond lag cannot come from a timer: spin. The batch's validation and write
      // take about a millisecond, so the kill lands before, inside or after the write.
      const until = performance.now() + lag;
      while (performance.now() < until);
      onBig ||= child.kill('SIGKILL');
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  // The child closes stdin once it has its job; nothing more is written.
  child.stdin!.on('error', () => undefined);
  // 'close': the process is gone and its pipes are closed (no handle outlives the suite).
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('close', (code, signal) => resolve(signal ?? code)));
  return {
    child,
    output: () => ({ stdout, stderr }),
    exited,
    killOnNextBigBatch: (lagMs) => (lag = lagMs),
    killedOnBigBatch: () => onBig,
  };
}

let spare: Appender | undefined;

/**
 * Gives the appender its job, waits until its log is open, lets it append for `delayMs`, then
 * SIGKILLs it. Returns whether the kill was aimed at a big batch being appended.
 */
async function runChildUntilKilled(dir: string, cfg: CrashRunConfig, delayMs: number): Promise<boolean> {
  const appender = spare ?? spawnAppender();
  spare = undefined;
  const { child } = appender;
  try {
    child.stdin!.write(`${JSON.stringify({ dir, cfg })}\n`);
    await waitFor(() => appender.output().stdout.includes('ready\n') || child.exitCode !== null, 'the appender to open its log', 60_000, 2);
    if (child.exitCode !== null) throw new Error(`appender exited with ${child.exitCode} before it was ready: ${appender.output().stderr}`);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (cfg.bigBatches) {
      // Aim at a write in flight: kill when the child announces its next big batch (or after 3 s).
      appender.killOnNextBigBatch(prng(cfg.seed ^ 0x6c6167)() * 8);
      await Promise.race([appender.exited, new Promise((resolve) => setTimeout(resolve, 3_000))]);
    }
  } finally {
    child.kill('SIGKILL');
  }
  const how = await appender.exited;
  const { stdout, stderr } = appender.output();
  if (how !== 'SIGKILL') throw new Error(`appender ended with ${String(how)} instead of being killed: ${stderr}`);
  if (stdout.includes('done')) throw new Error('appender reached its size limit before the kill');
  // The next run's appender loads its modules while this run is verified.
  spare = spawnAppender();
  return appender.killedOnBigBatch();
}

function logConfigOf(cfg: CrashRunConfig): LogConfig {
  return new LogConfig(cfg.logConfig);
}

async function openLog(dir: string, cfg: CrashRunConfig, time: MockTime, hadCleanShutdown: boolean, recoveryPoint: number): Promise<Log> {
  return Log.load({
    dir: path.join(dir, `${CRASH_TOPIC}-0`),
    topicPartition: { topic: CRASH_TOPIC, partition: 0 },
    config: logConfigOf(cfg),
    recoveryPoint,
    logStartOffset: 0,
    hadCleanShutdown,
    time,
    scheduler: new MockScheduler(time),
    logger: pino({ level: 'silent' }),
  });
}

/**
 * Checks the scanned batches against the workload (batch k of the log is the child's k-th append),
 * decoding every record; segments holding only batches below `fromK` are skipped (already checked).
 */
async function checkContent(cfg: CrashRunConfig, segments: readonly ScannedSegment[], fromK = 0): Promise<string[]> {
  const problems: string[] = [];
  let k = 0;
  for (const seg of segments) {
    if (k + seg.batches.length <= fromK) {
      k += seg.batches.length;
      continue;
    }
    await decodeSegment(seg, (b, decoded) => {
      const problem = checkBatchRecords(cfg, k++, b.baseOffset, decoded.compression, decoded.records);
      if (problem) problems.push(problem);
    });
  }
  return problems;
}

function indexProblems(cfg: CrashRunConfig, segments: readonly ScannedSegment[], allClosed: boolean): string[] {
  const config = logConfigOf(cfg);
  return segments.flatMap((seg, i) =>
    checkSegmentIndexes(seg, {
      indexInterval: config.indexInterval,
      maxIndexSize: config.maxIndexSize,
      closed: allClosed || i < segments.length - 1,
      exact: true,
    }),
  );
}

/** Reads the whole log through Log.read and checks it is exactly the scanned batches. */
async function readEverything(log: Log, expected: readonly ScannedSegment[]): Promise<void> {
  const want = expected.flatMap((s) => s.batches.map((b) => [b.baseOffset, b.lastOffset]));
  const got: number[][] = [];
  let offset = 0;
  while (offset < log.logEndOffset) {
    const r = await log.read(offset, 256 * 1024, { minOneMessage: true });
    const batches = scanBatches(r.records, `read at ${offset}`);
    expect(batches.length).toBeGreaterThan(0);
    for (const b of batches) got.push([b.baseOffset, b.lastOffset]);
    offset = batches[batches.length - 1]!.lastOffset + 1;
  }
  expect(got).toEqual(want);
}

async function randomReads(log: Log, seed: number): Promise<void> {
  const rnd = prng(seed ^ 0x72656164);
  for (let i = 0; i < 50; i++) {
    const offset = Math.floor(rnd() * log.logEndOffset);
    const r = await log.read(offset, 1, { minOneMessage: true });
    const [first] = scanBatches(r.records, `read at ${offset}`);
    expect(first!.baseOffset <= offset && offset <= first!.lastOffset).toBe(true);
    await decodeRecordBatch(r.records.subarray(0, first!.size));
  }
}

async function crashAndRecover(run: number): Promise<void> {
  const cfg = crashRunConfig(run, BASE_SEED);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `samsa-crash-${run}-`));
  const partitionDir = path.join(dir, `${CRASH_TOPIC}-0`);
  const opened: Log[] = [];
  try {
    const delay = killDelay(cfg.seed);
    const onBigBatch = await runChildUntilKilled(dir, cfg, delay);
    const acks = readAcks(path.join(dir, ACKS_FILE));
    acks.forEach((a, i) => expect(a.k).toBe(i));
    const checkpointed = (await new OffsetCheckpointFile(path.join(dir, RECOVERY_POINT_CHECKPOINT_FILE)).read()).get(`${CRASH_TOPIC}-0`) ?? 0;

    // What the kill left: sizes, and the last segment's bytes (to tell torn data from preallocated zeros).
    const before = fs.existsSync(partitionDir) ? listSegments(partitionDir) : [];
    const sizesBefore = new Map(before.map((s) => [s.baseOffset, fs.statSync(s.logFile).size]));
    const lastBefore = before.length > 0 ? fs.readFileSync(before[before.length - 1]!.logFile) : Buffer.alloc(0);

    const time = new MockTime(Date.now());
    const log = await openLog(dir, cfg, time, false, checkpointed);
    opened.push(log);
    const segments = scanLogDir(partitionDir);
    const context = `run ${run} (seed ${cfg.seed}, kill after ${delay} ms, ${acks.length} acks, recovery point ${checkpointed})`;
    const problems = [...checkContiguous(segments), ...(await checkContent(cfg, segments)), ...indexProblems(cfg, segments, false)];
    expect({ context, problems }).toEqual({ context, problems: [] });

    // Every acknowledged append is there, where the child was told it went.
    const batches = segments.flatMap((s) => s.batches);
    expect(batches.length).toBeGreaterThanOrEqual(acks.length);
    for (const a of acks) expect({ context, k: a.k, at: [batches[a.k]?.baseOffset, batches[a.k]?.lastOffset] }).toEqual({ context, k: a.k, at: [a.first, a.last] });
    expect(log.logEndOffset).toBe(nextOffsetOf(segments));
    expect(log.recoveryPoint).toBeLessThanOrEqual(log.logEndOffset);

    let truncated = 0;
    for (const s of segments) truncated += (sizesBefore.get(s.baseOffset) ?? 0) - s.size;
    const lastAfter = segments.find((s) => s.baseOffset === before[before.length - 1]?.baseOffset);
    const torn = lastAfter ? countNonZero(lastBefore.subarray(lastAfter.size)) : 0;
    stats.push({
      run,
      killAfterMs: delay,
      onBigBatch,
      acked: acks.length,
      batchesRecovered: batches.length,
      unackedPresent: batches.length - acks.length,
      logEndOffset: log.logEndOffset,
      segments: segments.length,
      recoveryPoint: checkpointed,
      truncatedBytes: truncated,
      tornDataBytes: torn,
    });

    // The recovered log takes appends and serves every batch.
    let next = log.logEndOffset;
    for (let k = batches.length; k < batches.length + APPENDS_AFTER_RECOVERY; k++) {
      const info = await log.appendAsLeader(await buildBatch(cfg, k, next), 1);
      expect(info.firstOffset).toBe(next);
      next = info.lastOffset + 1;
    }
    const grown = scanLogDir(partitionDir, cfg.logConfig.preallocate === true);
    await readEverything(log, grown);
    await randomReads(log, cfg.seed);
    await log.close();

    // Closed: every index trimmed and still in agreement; a clean reopen sees the same log.
    const closed = scanLogDir(partitionDir);
    const afterClose = [...checkContiguous(closed), ...(await checkContent(cfg, closed, batches.length)), ...indexProblems(cfg, closed, true)];
    expect({ context, afterClose }).toEqual({ context, afterClose: [] });
    const again = await openLog(dir, cfg, time, true, 0);
    opened.push(again);
    expect(again.logEndOffset).toBe(next);
    await readEverything(again, closed);
    await again.close();
  } finally {
    // After a failed expectation too: no descriptor outlives the run.
    for (const log of opened) if (!log.isClosed) await log.close().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('log crash recovery after SIGKILL of an appending process', () => {
  afterAll(async () => {
    if (spare) {
      spare.child.kill('SIGKILL');
      await spare.exited;
      spare = undefined;
    }
    if (stats.length === 0) return;
    const sum = (f: (s: RunStats) => number): number => stats.reduce((n, s) => n + f(s), 0);
    const lines = stats.map(
      (s) =>
        `run ${String(s.run).padStart(2)}: kill +${String(s.killAfterMs).padStart(4)} ms${s.onBigBatch ? ' at a big batch' : ''}, acked ${s.acked}, recovered ${s.batchesRecovered} ` +
        `(+${s.unackedPresent} unacked), LEO ${s.logEndOffset}, ${s.segments} segments, recovery point ${s.recoveryPoint}, ` +
        `truncated ${s.truncatedBytes} B (${s.tornDataBytes} B non-zero)`,
    );
    lines.push(
      `${stats.length} runs: ${sum((s) => s.acked)} acked batches, ${sum((s) => s.batchesRecovered)} recovered, ` +
        `${sum((s) => s.unackedPresent)} unacked-but-whole kept, ${stats.filter((s) => s.tornDataBytes > 0).length} runs with a torn tail, ` +
        `${stats.filter((s) => s.onBigBatch).length} kills aimed at a big batch`,
    );
    process.stdout.write(`${lines.join('\n')}\n`);
  });

  it.each(Array.from({ length: RUNS }, (_, i) => i))('run %i: every acknowledged batch survives, nothing partial remains', async (run) => {
    await crashAndRecover(run);
  });
});
