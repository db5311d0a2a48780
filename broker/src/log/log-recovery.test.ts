import * as fs from 'node:fs';
import * as path from 'node:path';
import { MockScheduler } from '../common/scheduler';
import { FileHandlePool } from './file-handle-pool';
import type { Log, LeaderEpochCacheHook } from './log';
import { type TestLogContext, batch, batchOffsets, fileSize, logDir, newContext, openLog, removeDir } from './testing/log-test-utils';

/** Appends n single-record batches of ~200 bytes; with segment.bytes 700 that is 3 batches per segment. */
async function fill(log: Log, n: number, epoch = 0): Promise<void> {
  for (let i = 0; i < n; i++) await log.appendAsLeader(batch({ valueSize: 150, timestamp: 1000 + i }), epoch);
}

const SMALL = { 'segment.bytes': 700, 'index.interval.bytes': 0 };

describe('Log load and recovery', () => {
  let ctx: TestLogContext;
  const pools: FileHandlePool[] = [];
  beforeEach(async () => {
    ctx = await newContext();
  });
  afterEach(async () => {
    try {
      for (const p of pools.splice(0)) await p.close();
    } finally {
      await removeDir(ctx.dir);
    }
  });

  /** A log on its own pool; "crashing" it closes the pool without closing the log (nothing trimmed). */
  async function open(hadCleanShutdown: boolean, extra: Parameters<typeof openLog>[2] = {}, overrides = SMALL): Promise<Log> {
    const pool = new FileHandlePool({ maxOpen: 64 });
    pools.push(pool);
    return openLog({ ...ctx, pool }, overrides, { hadCleanShutdown, ...extra });
  }
  async function crash(): Promise<void> {
    for (const p of pools.splice(0)) await p.close();
    // The dead process's timers die with it.
    ctx.scheduler = new MockScheduler(ctx.time);
  }
  const files = (): string[] => fs.readdirSync(logDir(ctx)).sort();
  const segmentLog = (base: number): string => path.join(logDir(ctx), `${String(base).padStart(20, '0')}.log`);

  it('restores the log end offset, log start offset and recovery point on a clean reopen', async () => {
    const log = await open(true);
    await fill(log, 10);
    await log.flush();
    await log.close();
    const again = await open(true, { recoveryPoint: 10, logStartOffset: 0 });
    expect(again.logEndOffset).toBe(10);
    expect(again.numberOfSegments).toBe(4);
    expect(again.recoveryPoint).toBe(10);
    const read = await again.read(4, 100000, { minOneMessage: true });
    expect(batchOffsets(read.records)[0]).toEqual([4, 4]);
    await again.close();
  });

  it('truncates a torn tail on recovery and keeps every whole batch before it', async () => {
    const log = await open(true);
    await fill(log, 10);
    const last = log.activeSegment;
    const lastSize = last.size;
    await crash();
    fs.truncateSync(last.logFile, lastSize - 25);
    const again = await open(false, { recoveryPoint: 0 });
    expect(again.logEndOffset).toBe(9);
    expect(again.activeSegment.size).toBe(0);
    expect(fileSize(last.logFile)).toBe(0);
    for (let offset = 0; offset < 9; offset++) {
      const r = await again.read(offset, 100000, { minOneMessage: true });
      expect(batchOffsets(r.records)[0]).toEqual([offset, offset]);
    }
    await again.appendAsLeader(batch(), 0);
    expect(again.logEndOffset).toBe(10);
    await again.close();
  });

  it('truncates the last batch when one of its bytes is flipped', async () => {
    const log = await open(true, {}, { 'segment.bytes': 100000, 'index.interval.bytes': 0 });
    await fill(log, 5);
    const file = log.activeSegment.logFile;
    await crash();
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 3] ^= 0x40;
    fs.writeFileSync(file, bytes);
    const again = await open(false, { recoveryPoint: 0 }, { 'segment.bytes': 100000, 'index.interval.bytes': 0 });
    expect(again.logEndOffset).toBe(4);
    expect(fileSize(file)).toBe(bytes.length - batch({ valueSize: 150 }).length);
    await again.close();
  });

  it('truncates at an impossible batch length and deletes every segment after the damaged one', async () => {
    const log = await open(true);
    await fill(log, 10);
    const bases = log.segments.map((s) => s.baseOffset);
    expect(bases).toEqual([0, 3, 6, 9]);
    await crash();
    const second = segmentLog(3);
    const bytes = fs.readFileSync(second);
    const at = bytes.readInt32BE(8) + 12;
    bytes.writeInt32BE(-7, at + 8);
    fs.writeFileSync(second, bytes);
    const again = await open(false, { recoveryPoint: 3 });
    expect(again.segments.map((s) => s.baseOffset)).toEqual([0, 3]);
    expect(again.logEndOffset).toBe(4);
    expect(files().filter((f) => f.endsWith('.deleted')).length).toBeGreaterThan(0);
    await ctx.scheduler.tick(60000);
    expect(files().filter((f) => f.endsWith('.deleted'))).toEqual([]);
    expect(fs.existsSync(segmentLog(6))).toBe(false);
    await again.close();
  });

  it('re-validates only the segments from the one holding the recovery point', async () => {
    const log = await open(true);
    await fill(log, 10, 3);
    await crash();
    const seen: number[] = [];
    const epochs: [number, number][] = [];
    const cache: LeaderEpochCacheHook = {
      assign: (epoch, start) => { epochs.push([epoch, start]); },
      truncateFromEnd: () => undefined,
      truncateFromStart: () => undefined,
      clearAndFlush: () => undefined,
    };
    const again = await open(false, { recoveryPoint: 7, onRecoveredBatch: (b) => { seen.push(b.baseOffset); }, leaderEpochCache: cache });
    expect(seen).toEqual([6, 7, 8, 9]);
    expect(epochs[0]).toEqual([3, 6]);
    expect(again.recoveryPoint).toBe(7);
    await again.close();
  });

  it('rebuilds a zeroed preallocated offset index found at load', async () => {
    const log = await open(true, {}, { 'segment.bytes': 100000, 'index.interval.bytes': 0 });
    await fill(log, 8);
    const index = log.activeSegment.offsetIndex.file;
    await log.close();
    const entries = fileSize(index) / 8;
    expect(entries).toBe(7);
    // As an unclean stop leaves it: the valid entries followed by the zeroed preallocated region.
    fs.appendFileSync(index, Buffer.alloc(8 * 1000));
    const again = await open(true, {}, { 'segment.bytes': 100000, 'index.interval.bytes': 0 });
    expect(again.activeSegment.offsetIndex.entries).toBe(7);
    const read = await again.read(5, 100000, { minOneMessage: true });
    expect(batchOffsets(read.records)[0]).toEqual([5, 5]);
    await again.close();
    expect(fileSize(index)).toBe(7 * 8);
  });

  it('rebuilds missing index files of an inactive segment', async () => {
    const log = await open(true);
    await fill(log, 10);
    await log.close();
    fs.unlinkSync(path.join(logDir(ctx), '00000000000000000003.index'));
    fs.unlinkSync(path.join(logDir(ctx), '00000000000000000003.timeindex'));
    const again = await open(true);
    const read = await again.read(4, 100000, { minOneMessage: true });
    expect(batchOffsets(read.records)[0]).toEqual([4, 4]);
    expect(fs.existsSync(path.join(logDir(ctx), '00000000000000000003.index'))).toBe(true);
    expect(await again.fetchOffsetByTimestamp(1004)).toMatchObject({ offset: 4 });
    await again.close();
  });

  it('trims preallocated index files (and a preallocated .log) on close, as Kafka leaves them on disk', async () => {
    const log = await open(true, {}, { 'segment.bytes': 100000, preallocate: true } as never);
    const active = log.activeSegment;
    expect(fileSize(active.logFile)).toBe(100000);
    expect(fileSize(active.offsetIndex.file)).toBe(10485760);
    expect(fileSize(active.timeIndex.file)).toBe(10485756);
    await fill(log, 30);
    await log.close();
    expect(fileSize(active.logFile)).toBe(active.size);
    expect(fileSize(active.offsetIndex.file)).toBe(active.offsetIndex.entries * 8);
    expect(fileSize(active.timeIndex.file)).toBe(active.timeIndex.entries * 12);
    const again = await open(true, {}, { 'segment.bytes': 100000, preallocate: true } as never);
    expect(again.logEndOffset).toBe(30);
    expect(fileSize(active.offsetIndex.file)).toBe(10485760);
    await again.close();
  });

  it('removes leftover .deleted and .cleaned files and orphaned indexes at load', async () => {
    const dir = logDir(ctx);
    fs.mkdirSync(dir, { recursive: true });
    for (const name of ['00000000000000000000.log.deleted', '00000000000000000000.index.deleted', '00000000000000000005.log.cleaned', '00000000000000000042.index']) {
      fs.writeFileSync(path.join(dir, name), 'x');
    }
    const log = await open(true);
    expect(files()).toEqual(['00000000000000000000.index', '00000000000000000000.log', '00000000000000000000.timeindex']);
    await log.close();
  });

  it('completes an interrupted swap: the .swap segment replaces the segments it covers', async () => {
    const log = await open(true);
    await fill(log, 10);
    // A "cleaned" copy of segments 0 and 3 (offsets 0..5) written as one .swap file.
    const merged = Buffer.concat([fs.readFileSync(segmentLog(0)), fs.readFileSync(segmentLog(3))]);
    await log.close();
    fs.writeFileSync(`${segmentLog(0)}.swap`, merged);
    const again = await open(true);
    expect(again.segments.map((s) => s.baseOffset)).toEqual([0, 6, 9]);
    expect(fs.existsSync(`${segmentLog(0)}.swap`)).toBe(false);
    expect(files().filter((f) => f.endsWith('.deleted'))).toContain('00000000000000000003.log.deleted');
    const read = await again.read(4, 100000, { minOneMessage: true });
    expect(batchOffsets(read.records)[0]).toEqual([4, 4]);
    await again.close();
    expect(files().some((f) => f.endsWith('.deleted'))).toBe(false);
  });

  it('starts an empty log at the log start offset when the data ends below it', async () => {
    const log = await open(true);
    await fill(log, 4);
    await log.close();
    const again = await open(true, { logStartOffset: 50 });
    expect(again.logStartOffset).toBe(50);
    expect(again.logEndOffset).toBe(50);
    expect(again.segments.map((s) => s.baseOffset)).toEqual([50]);
    expect((await again.appendAsLeader(batch(), 0)).firstOffset).toBe(50);
    await again.close();
  });
});
