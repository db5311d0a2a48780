/**
 * Crashes between the swap steps (`.cleaned` written -> renamed `.swap` -> old segments `.deleted`
 * -> `.swap` renamed live), simulated by leaving the files such a crash leaves: the same log is
 * built twice, one copy is cleaned, and its output is planted in the other copy under the suffix
 * of the step the crash interrupted. Reloading must give either the old log or the cleaned one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Log } from '../log';
import { type TestLogContext, logDir, newContext, openLog, removeDir } from '../testing/log-test-utils';
import { type ReadRecord, appendBatch, cleanerFor, readRecords } from './testing/cleaner-test-utils';

const name = (base: number, ext: string): string => `${String(base).padStart(20, '0')}.${ext}`;

describe('Cleaner crash recovery', () => {
  let ctx: TestLogContext;
  let uncleaned: string;
  let original: ReadRecord[];
  let cleaned: ReadRecord[];
  let cleanedBases: number[];

  /** segment.bytes 100: one batch per segment and no merging, so every group is one segment. */
  const open = (dir: string, hadCleanShutdown = true): Promise<Log> =>
    openLog(ctx, { 'cleanup.policy': 'compact', 'segment.bytes': 100 }, { dir, hadCleanShutdown });

  beforeEach(async () => {
    ctx = await newContext();
    const log = await open(logDir(ctx));
    for (const [key, value] of [['k', 'a'], ['j', 'keep'], ['k', 'b'], ['k', 'c'], ['x', 'x']]) await appendBatch(log, [{ key, value }]);
    original = await readRecords(log);
    await log.close();
    uncleaned = path.join(ctx.dir, 'topic-1');
    fs.cpSync(logDir(ctx), uncleaned, { recursive: true });
    const again = await open(logDir(ctx));
    await cleanerFor(ctx, again).cleanOnce(again, again.logEndOffset);
    cleaned = await readRecords(again);
    cleanedBases = again.segments.map((s) => s.baseOffset);
    await again.close();
    await ctx.scheduler.tick(120_000);
  });
  afterEach(async () => {
    await removeDir(ctx.dir);
  });

  /** Copies segment `base` of the cleaned log into the uncleaned copy with `suffix`. */
  const plant = (base: number, suffix: string): void => {
    for (const ext of ['log', 'index', 'timeindex']) {
      const from = path.join(logDir(ctx), name(base, ext));
      if (fs.existsSync(from)) fs.copyFileSync(from, path.join(uncleaned, name(base, ext) + suffix));
    }
  };

  const reload = async (): Promise<{ records: ReadRecord[]; bases: number[]; files: string[] }> => {
    const log = await open(uncleaned, false);
    const records = await readRecords(log);
    const bases = log.segments.map((s) => s.baseOffset);
    await log.close();
    const files = fs.readdirSync(uncleaned).filter((f) => /\.(cleaned|swap|deleted)$/.test(f));
    return { records, bases, files };
  };

  it('the cleaned log differs from the original (the scenario is meaningful)', () => {
    expect(original.map((r) => r.value)).toEqual(['a', 'keep', 'b', 'c', 'x']);
    expect(cleaned.map((r) => r.value)).toEqual(['keep', 'c', 'x']);
    expect(cleanedBases).toEqual([0, 1, 2, 3, 4]);
  });

  it('a crash before the swap (.cleaned files left) reloads the old log and removes the leftovers', async () => {
    plant(1, '.cleaned');
    plant(2, '.cleaned');
    const { records, files } = await reload();
    expect(records).toEqual(original);
    expect(files).toEqual([]);
  });

  it('a crash after the rename to .swap completes the swap on reload', async () => {
    plant(1, '.swap');
    const { records, files } = await reload();
    expect(records.map((r) => r.value)).toEqual(['a', 'keep', 'b', 'c', 'x']);
    expect(files).toEqual([]);
  });

  it('a crash after some old segments went .deleted completes the swap', async () => {
    plant(2, '.swap');
    for (const ext of ['log', 'index', 'timeindex']) fs.renameSync(path.join(uncleaned, name(2, ext)), path.join(uncleaned, `${name(2, ext)}.deleted`));
    const { records, files } = await reload();
    // Segment 2's cleaned copy is empty ('b' was superseded): the swap leaves an empty segment.
    expect(records.map((r) => r.value)).toEqual(['a', 'keep', 'c', 'x']);
    expect(files).toEqual([]);
  });

  it('a crash mid-swap of a segment cleaned down to nothing reloads without a duplicate segment', async () => {
    plant(0, '.swap');
    const { records, bases, files } = await reload();
    expect(records.map((r) => r.value)).toEqual(['keep', 'b', 'c', 'x']);
    expect(bases).toEqual([0, 1, 2, 3, 4]);
    expect(files).toEqual([]);
  });

  it('a swap half-renamed (log .swap, indexes still .cleaned) is discarded: the old log stays', async () => {
    plant(0, '.swap');
    fs.renameSync(path.join(uncleaned, `${name(0, 'index')}.swap`), path.join(uncleaned, `${name(0, 'index')}.cleaned`));
    const { records, files } = await reload();
    expect(records).toEqual(original);
    expect(files).toEqual([]);
  });
});
