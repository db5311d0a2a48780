import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Log } from '../log';
import { type TestLogContext, newContext, openLog, removeDir } from '../testing/log-test-utils';
import { appendBatch, appendKeys, cleanerFor, newCleaner, openCompactedLog, readRecords } from './testing/cleaner-test-utils';

describe('LogCleaner', () => {
  let ctx: TestLogContext;
  const logs: Log[] = [];
  beforeEach(async () => {
    ctx = await newContext();
  });
  afterEach(async () => {
    for (const log of logs.splice(0)) await log.close();
    await removeDir(ctx.dir);
  });
  const open = async (name: string, overrides: Record<string, string | number> = {}): Promise<Log> => {
    const [topic, p] = name.split('-');
    const log = await openLog(ctx, { 'cleanup.policy': 'compact', ...overrides }, { dir: path.join(ctx.dir, name), topicPartition: { topic: topic!, partition: Number(p) } });
    logs.push(log);
    return log;
  };
  const dirty = async (log: Log, prefix: string): Promise<void> => {
    await appendKeys(log, 10, prefix);
    await log.roll();
  };

  it('cleans the filthiest logs on the scheduler, then backs off log.cleaner.backoff.ms', async () => {
    const a = await open('a-0');
    const b = await open('b-0');
    await dirty(a, 'x');
    await dirty(a, 'y');
    await dirty(b, 'x');
    const cleaner = newCleaner(ctx, () => [a, b].map((log) => ({ log, highWatermark: log.logEndOffset })));
    const grab = jest.spyOn(cleaner.cleanerManager, 'grabFilthiestCompactedLog');
    cleaner.startup();
    await ctx.scheduler.tick(0);
    // Two passes that cleaned, one that found nothing and armed the backoff.
    expect(grab).toHaveBeenCalledTimes(3);
    expect((await readRecords(a)).map((r) => r.value)).toEqual(Array.from({ length: 10 }, (_, i) => `y${i}`));
    expect(cleaner.lastStats?.messagesRead).toBe(10);
    await ctx.scheduler.tick(14_999);
    expect(grab).toHaveBeenCalledTimes(3);
    // 20 dirty records against 10 clean ones (exactly 0.5 would not qualify: Kafka wants more than the ratio).
    await dirty(b, 'z');
    await dirty(b, 'w');
    await ctx.scheduler.tick(1);
    expect(grab).toHaveBeenCalledTimes(5);
    expect((await readRecords(b)).map((r) => r.value)).toEqual(Array.from({ length: 10 }, (_, i) => `w${i}`));
    await cleaner.shutdown();
    await ctx.scheduler.tick(60_000);
    expect(grab).toHaveBeenCalledTimes(5);
  });

  it('does nothing with log.cleaner.enable=false', async () => {
    const a = await open('a-0');
    await dirty(a, 'x');
    const cleaner = newCleaner(ctx, () => [{ log: a, highWatermark: a.logEndOffset }], { enableCleaner: false });
    const grab = jest.spyOn(cleaner.cleanerManager, 'grabFilthiestCompactedLog');
    cleaner.startup();
    await ctx.scheduler.tick(100_000);
    expect(grab).not.toHaveBeenCalled();
    await cleaner.shutdown();
  });

  it('also applies retention to cleanup.policy=compact,delete logs, and only the log start offset to compact-only ones', async () => {
    const now = ctx.time.milliseconds();
    // segment.bytes 100: one batch per segment, none merged by cleaning.
    const both = await open('both-0', { 'cleanup.policy': 'compact,delete', 'retention.ms': 60_000, 'segment.bytes': 100 });
    const compactOnly = await open('compact-0', { 'retention.ms': 60_000, 'segment.bytes': 100 });
    for (const log of [both, compactOnly]) {
      await appendBatch(log, [{ key: 'old', value: 'o', timestamp: now - 3_600_000 }]);
      await log.roll();
      await appendBatch(log, [{ key: 'new', value: 'n', timestamp: now }]);
      await log.roll();
    }
    const cleaner = newCleaner(ctx, () => [both, compactOnly].map((log) => ({ log, highWatermark: log.logEndOffset })));
    const result = await cleaner.cleanOnce(both, both.logEndOffset);
    expect(result.cleaned?.endOffset).toBe(2);
    expect(result.deletedSegments).toBe(1);
    expect(both.logStartOffset).toBe(1);
    expect((await readRecords(both)).map((r) => r.key)).toEqual(['new']);
    expect((await cleaner.cleanOnce(compactOnly, compactOnly.logEndOffset)).deletedSegments).toBe(0);
    expect((await readRecords(compactOnly)).map((r) => r.key)).toEqual(['old', 'new']);
    await compactOnly.maybeIncrementLogStartOffset(1);
    await ctx.scheduler.tick(0);
    cleaner.startup();
    await ctx.scheduler.tick(0);
    expect(compactOnly.segments[0]!.baseOffset).toBe(1);
    await cleaner.shutdown();
  });

  it('marks a partition uncleanable after an unexpected error and keeps cleaning the others', async () => {
    const bad = await open('bad-0');
    const good = await open('good-0');
    for (const log of [bad, good]) {
      await appendBatch(log, [{ key: 'k', value: 'first' }, { key: 'j', value: 'keep' }]);
      await appendBatch(log, [{ key: 'k', value: 'second' }]);
      await log.roll();
    }
    // Damage a value byte of the first batch: the map pass reads it, the rebuild refuses its CRC.
    const file = bad.segments[0]!.logFile;
    const bytes = fs.readFileSync(file);
    bytes[bytes.indexOf('keep')] = 'K'.charCodeAt(0);
    fs.writeFileSync(file, bytes);
    const cleaner = newCleaner(ctx, () => [bad, good].map((log) => ({ log, highWatermark: log.logEndOffset })));
    cleaner.startup();
    await ctx.scheduler.tick(0);
    expect(cleaner.cleanerManager.uncleanablePartitionsIn(ctx.dir)).toEqual(new Set(['bad-0']));
    // The failed pass backs off like an idle one; the next pass skips the uncleanable partition.
    await ctx.scheduler.tick(15_000);
    expect((await readRecords(good)).map((r) => r.value)).toEqual(['keep', 'second']);
    expect(fs.readFileSync(bad.segments[0]!.logFile).equals(bytes)).toBe(true);
    expect(fs.readdirSync(bad.dir).filter((f) => f.includes('.cleaned'))).toEqual([]);
    await cleaner.shutdown();
  });

  it('shutdown stops a pass in progress at its next check', async () => {
    const log = await openCompactedLog(ctx, { 'segment.bytes': 400 });
    logs.push(log);
    for (let i = 0; i < 3; i++) await dirty(log, `r${i}-`);
    const cleaner = cleanerFor(ctx, log);
    const replace = log.replaceSegments.bind(log);
    let stopping: Promise<void> | undefined;
    jest.spyOn(log, 'replaceSegments').mockImplementation(async (n, o) => {
      stopping ??= cleaner.shutdown();
      return replace(n, o);
    });
    cleaner.startup();
    await ctx.scheduler.tick(0);
    await stopping;
    // One group was swapped in before the stop; as Kafka, the pass records its start offset, not its end.
    expect(fs.readFileSync(path.join(ctx.dir, 'cleaner-offset-checkpoint'), 'utf8')).toBe('0\n1\ntopic 0 0\n');
    expect(cleaner.cleanerManager.cleaningState(log.topicPartition)).toBeUndefined();
    const values = (round: number, from: number): string[] => Array.from({ length: 10 - from }, (_, i) => `r${round}-${from + i}`);
    expect((await readRecords(log)).map((r) => r.value)).toEqual([...values(0, 5), ...values(1, 0), ...values(2, 0)]);
  });
});

describe('LogCleaner passes', () => {
  it('run one at a time even when cleanOnce is called for several logs at once (they share the offset map)', async () => {
    const ctx = await newContext();
    const open = (name: string): Promise<Log> =>
      openLog(ctx, { 'cleanup.policy': 'compact' }, { dir: path.join(ctx.dir, `${name}-0`), topicPartition: { topic: name, partition: 0 } });
    // The same keys at very different offsets: either log cleaned with the other's map would lose or keep the wrong records.
    const a = await open('a');
    await appendKeys(a, 50, 'pad-', (i) => `pad${i}`);
    await appendKeys(a, 10, 'a-old-');
    await appendKeys(a, 10, 'a-new-');
    await a.roll();
    const b = await open('b');
    await appendKeys(b, 10, 'b-old-');
    await appendKeys(b, 10, 'b-new-');
    await b.roll();
    const cleaner = newCleaner(ctx, () => [a, b].map((log) => ({ log, highWatermark: log.logEndOffset })));
    const results = await Promise.all([a, b].map((log) => cleaner.cleanOnce(log, log.logEndOffset)));
    expect(results.map((r) => r.cleaned?.endOffset)).toEqual([70, 20]);
    const values = (prefix: string): string[] => Array.from({ length: 10 }, (_, j) => `${prefix}${j}`);
    expect((await readRecords(a)).map((r) => r.value)).toEqual([...Array.from({ length: 50 }, (_, j) => `pad-${j}`), ...values('a-new-')]);
    expect((await readRecords(b)).map((r) => r.value)).toEqual(values('b-new-'));
    await a.close();
    await b.close();
    await removeDir(ctx.dir);
  });
});
