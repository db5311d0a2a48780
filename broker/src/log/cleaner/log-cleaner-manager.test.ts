import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Log } from '../log';
import { type TestLogContext, newContext, openLog, removeDir } from '../testing/log-test-utils';
import { LogCleanerManager } from './log-cleaner-manager';
import { T0, appendBatch, appendKeys, cleanerFor, newCleaner, openCompactedLog, readRecords } from './testing/cleaner-test-utils';

describe('LogCleanerManager', () => {
  let ctx: TestLogContext;
  const logs: Log[] = [];
  beforeEach(async () => {
    ctx = await newContext();
  });
  afterEach(async () => {
    for (const log of logs.splice(0)) await log.close();
    await removeDir(ctx.dir);
  });
  const compacted = async (overrides = {}): Promise<Log> => {
    const log = await openCompactedLog(ctx, overrides);
    logs.push(log);
    return log;
  };
  const checkpointFile = (): string => path.join(ctx.dir, 'cleaner-offset-checkpoint');

  it('does not clean while the dirty ratio is at or below min.cleanable.dirty.ratio', async () => {
    const log = await compacted();
    await appendKeys(log, 20, 'a');
    await log.roll();
    const cleaner = cleanerFor(ctx, log);
    expect((await cleaner.cleanOnce(log, log.logEndOffset)).cleaned?.endOffset).toBe(20);
    // 5 dirty records against 20 clean ones: ratio 0.2.
    await appendKeys(log, 5, 'b');
    await log.roll();
    expect((await cleaner.cleanOnce(log, log.logEndOffset)).cleaned).toBeNull();
    expect((await readRecords(log)).length).toBe(25);
    // 25 dirty against 20 clean: ratio 0.56.
    await appendKeys(log, 20, 'c');
    await log.roll();
    expect((await cleaner.cleanOnce(log, log.logEndOffset)).cleaned?.endOffset).toBe(45);
    expect((await readRecords(log)).map((r) => r.value)).toEqual(Array.from({ length: 20 }, (_, i) => `c${i}`));
  });

  it('leaves segments younger than min.compaction.lag.ms uncleaned until they age', async () => {
    const log = await compacted({ 'min.compaction.lag.ms': 60_000 });
    const now = ctx.time.milliseconds();
    await appendBatch(log, [{ key: 'k', value: 'old', timestamp: now - 120_000 }]);
    await log.roll();
    await appendBatch(log, [{ key: 'k', value: 'young', timestamp: now - 1_000 }]);
    await appendBatch(log, [{ key: 'k', value: 'younger', timestamp: now - 500 }]);
    await log.roll();
    await appendBatch(log, [{ key: 'x', value: 'x', timestamp: now }]);
    const cleaner = cleanerFor(ctx, log);
    // Only the first segment is cleanable; the younger copies are not even mapped.
    expect((await cleaner.cleanOnce(log, log.logEndOffset)).cleaned?.endOffset).toBe(1);
    expect((await readRecords(log)).map((r) => r.value)).toEqual(['old', 'young', 'younger', 'x']);
    ctx.time.sleep(60_000);
    expect((await cleaner.cleanOnce(log, log.logEndOffset)).cleaned?.endOffset).toBe(3);
    expect((await readRecords(log)).map((r) => r.value)).toEqual(['younger', 'x']);
  });

  it('cleans below the dirty ratio when a dirty segment is older than max.compaction.lag.ms', async () => {
    const log = await compacted({ 'min.cleanable.dirty.ratio': 0.99, 'max.compaction.lag.ms': 60_000 });
    await appendKeys(log, 20, 'a');
    await log.roll();
    const cleaner = cleanerFor(ctx, log);
    await cleaner.cleanOnce(log, log.logEndOffset);
    await appendBatch(log, [{ key: 'key0', value: 'fresh', timestamp: ctx.time.milliseconds() }]);
    await log.roll();
    expect((await cleaner.cleanOnce(log, log.logEndOffset)).cleaned).toBeNull();
    ctx.time.sleep(61_000);
    expect((await cleaner.cleanOnce(log, log.logEndOffset)).cleaned?.endOffset).toBe(21);
    expect((await readRecords(log)).find((r) => r.key === 'key0')?.value).toBe('fresh');
  });

  it('never cleans at or past the high watermark (rounded down to its segment)', async () => {
    const log = await compacted();
    await appendKeys(log, 5, 'a');
    await log.roll();
    await appendKeys(log, 5, 'b');
    await log.roll();
    await appendKeys(log, 5, 'c');
    await log.roll();
    const cleaner = cleanerFor(ctx, log);
    expect((await cleaner.cleanOnce(log, 12)).cleaned?.endOffset).toBe(10);
    expect((await readRecords(log)).map((r) => r.value)).toEqual(['b0', 'b1', 'b2', 'b3', 'b4', 'c0', 'c1', 'c2', 'c3', 'c4']);
  });

  it('writes the first dirty offset to cleaner-offset-checkpoint in the log dir', async () => {
    const log = await compacted();
    const other = await openLog({ ...ctx }, { 'cleanup.policy': 'compact' }, { dir: path.join(ctx.dir, 'other-3'), topicPartition: { topic: 'other', partition: 3 } });
    logs.push(other);
    await appendKeys(log, 7, 'a');
    await log.roll();
    await appendKeys(other, 3, 'a');
    await other.roll();
    const cleaner = newCleaner(ctx, () => [log, other].map((l) => ({ log: l, highWatermark: l.logEndOffset })));
    await cleaner.cleanOnce(log, log.logEndOffset);
    expect(fs.readFileSync(checkpointFile(), 'utf8')).toBe('0\n1\ntopic 0 7\n');
    await cleaner.cleanOnce(other, other.logEndOffset);
    expect(fs.readFileSync(checkpointFile(), 'utf8')).toBe('0\n2\ntopic 0 7\nother 3 3\n');
    // Entries of logs no longer hosted are dropped on the next write.
    await cleaner.updateCheckpoints(ctx.dir, undefined, { topic: 'other', partition: 3 });
    expect(fs.readFileSync(checkpointFile(), 'utf8')).toBe('0\n1\ntopic 0 7\n');
  });

  it('restarts from the log start offset when the checkpoint is out of range', async () => {
    const log = await compacted();
    await appendKeys(log, 10, 'a');
    await log.roll();
    expect(await LogCleanerManager.cleanableOffsets(log, 50, T0, 10)).toEqual({ firstDirtyOffset: 0, firstUncleanableDirtyOffset: 10, forceUpdateCheckpoint: true });
    await log.maybeIncrementLogStartOffset(4);
    expect(await LogCleanerManager.cleanableOffsets(log, 2, T0, 10)).toEqual({ firstDirtyOffset: 4, firstUncleanableDirtyOffset: 10, forceUpdateCheckpoint: true });
    expect(await LogCleanerManager.cleanableOffsets(log, 6, T0, 10)).toEqual({ firstDirtyOffset: 6, firstUncleanableDirtyOffset: 10, forceUpdateCheckpoint: false });
  });

  it('abortAndPauseCleaning stops a running pass, leaves the log consistent, and holds cleaning off until resumed', async () => {
    const log = await compacted({ 'segment.bytes': 400 });
    for (let i = 0; i < 4; i++) {
      await appendKeys(log, 5, `r${i}-`);
      await log.roll();
    }
    const before = await readRecords(log);
    const cleaner = cleanerFor(ctx, log);
    const tp = log.topicPartition;
    // Abort while the first group is being swapped in: the next group must not be cleaned.
    const replace = log.replaceSegments.bind(log);
    let paused: Promise<void> | undefined;
    const spy = jest.spyOn(log, 'replaceSegments').mockImplementation(async (n, o) => {
      paused ??= cleaner.abortAndPauseCleaning(tp);
      return replace(n, o);
    });
    const result = await cleaner.cleanOnce(log, log.logEndOffset);
    await paused;
    spy.mockRestore();
    expect(result.cleaned).toBeNull();
    expect(cleaner.cleanerManager.isCleaningInStatePaused(tp)).toBe(true);
    expect(fs.existsSync(checkpointFile())).toBe(false);
    expect(fs.readdirSync(log.dir).filter((f) => f.endsWith('.cleaned') || f.endsWith('.swap'))).toEqual([]);
    // The swapped group dropped its superseded records only; everything a consumer reads is still there, in order.
    const after = await readRecords(log);
    expect(after.map((r) => r.value)).toEqual(before.filter((r) => after.some((a) => a.offset === r.offset)).map((r) => r.value));
    expect(after.slice(-5).map((r) => r.value)).toEqual(['r3-0', 'r3-1', 'r3-2', 'r3-3', 'r3-4']);

    expect((await cleaner.cleanOnce(log, log.logEndOffset)).cleaned).toBeNull();
    cleaner.resumeCleaning([tp]);
    expect((await cleaner.cleanOnce(log, log.logEndOffset)).cleaned?.endOffset).toBe(20);
    expect((await readRecords(log)).map((r) => r.value)).toEqual(['r3-0', 'r3-1', 'r3-2', 'r3-3', 'r3-4']);
  });

  it('nests pauses and refuses to resume a partition that is not paused', async () => {
    const log = await compacted();
    const cleaner = cleanerFor(ctx, log);
    const tp = log.topicPartition;
    await cleaner.abortAndPauseCleaning(tp);
    await cleaner.abortAndPauseCleaning(tp);
    expect(cleaner.cleanerManager.cleaningState(tp)).toEqual({ kind: 'paused', count: 2 });
    cleaner.resumeCleaning([tp]);
    cleaner.resumeCleaning([tp]);
    expect(cleaner.cleanerManager.cleaningState(tp)).toBeUndefined();
    expect(() => cleaner.resumeCleaning([tp])).toThrow(/not paused/);
    await cleaner.abortCleaning(tp);
    expect(cleaner.cleanerManager.cleaningState(tp)).toBeUndefined();
  });

  it('moves the checkpoint back after truncation (maybeTruncateCheckpoint)', async () => {
    const log = await compacted();
    await appendKeys(log, 10, 'a');
    await log.roll();
    const cleaner = cleanerFor(ctx, log);
    await cleaner.cleanOnce(log, log.logEndOffset);
    await cleaner.abortAndPauseCleaning(log.topicPartition);
    await log.truncateTo(6);
    await cleaner.maybeTruncateCheckpoint(ctx.dir, log.topicPartition, 6);
    cleaner.resumeCleaning([log.topicPartition]);
    expect(fs.readFileSync(checkpointFile(), 'utf8')).toBe('0\n1\ntopic 0 6\n');
  });

  it('picks the filthiest compacted log, skipping others that are paused, uncleanable or not compacted', async () => {
    const mk = async (name: string, overrides: Record<string, string | number> = {}): Promise<Log> => {
      const [topic, p] = name.split('-');
      const log = await openLog(ctx, { 'cleanup.policy': 'compact', ...overrides }, { dir: path.join(ctx.dir, name), topicPartition: { topic: topic!, partition: Number(p) } });
      logs.push(log);
      return log;
    };
    const a = await mk('a-0');
    const b = await mk('b-0');
    const c = await mk('c-0', { 'cleanup.policy': 'delete' });
    for (const log of [a, b, c]) {
      await appendKeys(log, 10, 'x');
      await log.roll();
    }
    const cleaner = newCleaner(ctx, () => [a, b, c].map((log) => ({ log, highWatermark: log.logEndOffset })));
    await cleaner.cleanOnce(b, b.logEndOffset);
    await appendKeys(b, 30, 'y');
    await b.roll();
    // a: ratio 1; b: 30 dirty of 40 records. The higher ratio wins.
    const manager = cleaner.cleanerManager;
    const first = await manager.grabFilthiestCompactedLog();
    expect(first?.log).toBe(a);
    expect(first?.cleanableRatio).toBe(1);
    // a is now in progress: b is next; with b paused, nothing.
    await cleaner.abortAndPauseCleaning(b.topicPartition);
    expect(await manager.grabFilthiestCompactedLog()).toBeNull();
    cleaner.resumeCleaning([b.topicPartition]);
    manager.markPartitionUncleanable(ctx.dir, b.topicPartition);
    expect(await manager.grabFilthiestCompactedLog()).toBeNull();
    await manager.doneCleaning(a.topicPartition, ctx.dir, 0);
  });
});
