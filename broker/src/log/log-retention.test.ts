import * as fs from 'node:fs';
import { KafkaProtocolError } from '../protocol/error-codes';
import type { Log } from './log';
import { type TestLogContext, batch, logDir, useTestLogContext, openLog } from './testing/log-test-utils';

/** One ~200-byte single-record batch per append; segment.bytes 700 holds three. */
const SMALL = { 'segment.bytes': 700 };

describe('Log retention and log start offset', () => {
  let ctx: TestLogContext;
  let log: Log;
  useTestLogContext((c) => (ctx = c), () => log);

  async function fill(n: number, timestamp: (i: number) => number = () => ctx.time.milliseconds()): Promise<void> {
    for (let i = 0; i < n; i++) await log.appendAsLeader(batch({ valueSize: 150, timestamp: timestamp(i) }), 0);
  }
  const deletedFiles = (): string[] => fs.readdirSync(logDir(ctx)).filter((f) => f.endsWith('.deleted'));

  it('deletes segments whose largest record timestamp is older than retention.ms, only below the high watermark', async () => {
    const now = ctx.time.milliseconds();
    log = await openLog(ctx, { ...SMALL, 'retention.ms': 10_000 });
    // Segments [0,3) and [3,6) are old, [6,9) recent, [9] recent.
    await fill(10, (i) => (i < 6 ? now - 60_000 : now));
    expect(log.segments.map((s) => s.baseOffset)).toEqual([0, 3, 6, 9]);
    expect(await log.deleteOldSegments(4)).toBe(1); // [3,6) ends at 6 > HW 4
    expect(log.segments.map((s) => s.baseOffset)).toEqual([3, 6, 9]);
    expect(log.logStartOffset).toBe(3);
    expect(await log.deleteOldSegments(10)).toBe(1);
    expect(log.segments.map((s) => s.baseOffset)).toEqual([6, 9]);
    expect(log.logStartOffset).toBe(6);
  });

  it('deletes the oldest segments while the log stays at or above retention.bytes without them', async () => {
    log = await openLog(ctx, SMALL);
    await fill(10);
    const segSize = log.segments[0]!.size;
    log.updateConfig(log.config.withOverrides({ 'retention.bytes': log.size - 2 * segSize }));
    expect(await log.deleteOldSegments(10)).toBe(2);
    expect(log.segments.map((s) => s.baseOffset)).toEqual([6, 9]);
    expect(await log.deleteOldSegments(10)).toBe(0);
  });

  it('deletes segments wholly below the log start offset after DeleteRecords, even for compact-only topics', async () => {
    log = await openLog(ctx, { ...SMALL, 'cleanup.policy': 'compact', 'retention.ms': 1, 'retention.bytes': 1 });
    await fill(10);
    expect(await log.maybeIncrementLogStartOffset(7, 8)).toBe(true);
    expect(log.logStartOffset).toBe(7);
    expect(await log.deleteOldSegments(10)).toBe(2);
    expect(log.segments.map((s) => s.baseOffset)).toEqual([6, 9]);
    // Segment [6,9) holds the start offset: kept. Reads below the start offset are out of range.
    expect(log.logStartOffset).toBe(7);
    await expect(log.read(6, 1000, { minOneMessage: true })).rejects.toThrow(KafkaProtocolError);
  });

  it('never moves the log start offset past the high watermark or backwards', async () => {
    log = await openLog(ctx, SMALL);
    await fill(5);
    await expect(log.maybeIncrementLogStartOffset(4, 3)).rejects.toMatchObject({ name: 'OFFSET_OUT_OF_RANGE' });
    await expect(log.maybeIncrementLogStartOffset(6)).rejects.toMatchObject({ name: 'OFFSET_OUT_OF_RANGE' });
    expect(await log.maybeIncrementLogStartOffset(3)).toBe(true);
    expect(await log.maybeIncrementLogStartOffset(2)).toBe(false);
    expect(log.logStartOffset).toBe(3);
  });

  it('renames deleted segments .deleted and removes them after file.delete.delay.ms', async () => {
    log = await openLog(ctx, { ...SMALL, 'retention.bytes': 0, 'file.delete.delay.ms': 30_000 });
    await fill(7);
    // HW 6: the last segment [6, 7) is not wholly below it, so two of the three go.
    expect(await log.deleteOldSegments(6)).toBe(2);
    expect(deletedFiles().sort()).toEqual([
      '00000000000000000000.index.deleted',
      '00000000000000000000.log.deleted',
      '00000000000000000000.timeindex.deleted',
      '00000000000000000003.index.deleted',
      '00000000000000000003.log.deleted',
      '00000000000000000003.timeindex.deleted',
    ]);
    await ctx.scheduler.tick(29_999);
    expect(deletedFiles().length).toBe(6);
    await ctx.scheduler.tick(1);
    expect(deletedFiles()).toEqual([]);
  });

  it('rolls a new empty segment before deleting every segment, and never deletes an empty last segment', async () => {
    log = await openLog(ctx, { ...SMALL, 'retention.ms': 1000 });
    await fill(4, () => ctx.time.milliseconds() - 5000);
    expect(await log.deleteOldSegments(4)).toBe(2);
    expect(log.segments.map((s) => [s.baseOffset, s.size])).toEqual([[4, 0]]);
    expect(log.logStartOffset).toBe(4);
    expect(log.logEndOffset).toBe(4);
    expect(await log.deleteOldSegments(4)).toBe(0);
    expect((await log.appendAsLeader(batch(), 0)).firstOffset).toBe(4);
  });

  it('keeps a last segment that is not wholly below the high watermark', async () => {
    log = await openLog(ctx, { ...SMALL, 'retention.ms': 1000 });
    await fill(4, () => ctx.time.milliseconds() - 5000);
    expect(await log.deleteOldSegments(3)).toBe(1);
    expect(log.segments.map((s) => s.baseOffset)).toEqual([3]);
  });

  it('falls back to the segment file mtime when records carry no timestamps', async () => {
    log = await openLog(ctx, { ...SMALL, 'retention.ms': 60_000 });
    await fill(7, () => -1);
    const now = ctx.time.milliseconds();
    await log.segments[0]!.setLastModified(now - 120_000);
    await log.segments[1]!.setLastModified(now);
    expect(await log.deleteOldSegments(7)).toBe(1);
    expect(log.segments[0]!.baseOffset).toBe(3);
  });

  it('deletes nothing by time or size when retention is unlimited (-1)', async () => {
    log = await openLog(ctx, { ...SMALL, 'retention.ms': -1, 'retention.bytes': -1 });
    await fill(10, () => 1);
    expect(await log.deleteOldSegments(10)).toBe(0);
  });
});

describe('Log truncation', () => {
  let ctx: TestLogContext;
  let log: Log;
  useTestLogContext((c) => (ctx = c), () => log);

  it('truncates to an offset: later segments deleted, the segment holding it cut, the log end offset moved', async () => {
    log = await openLog(ctx, SMALL);
    for (let i = 0; i < 10; i++) await log.appendAsLeader(batch({ valueSize: 150 }), 0);
    await log.flush();
    expect(log.recoveryPoint).toBe(10);
    expect(await log.truncateTo(4)).toBe(true);
    expect(log.segments.map((s) => s.baseOffset)).toEqual([0, 3]);
    expect(log.logEndOffset).toBe(4);
    expect(log.recoveryPoint).toBe(4);
    expect(await log.truncateTo(4)).toBe(false);
    expect((await log.appendAsLeader(batch(), 0)).firstOffset).toBe(4);
    expect(log.activeSegment.offsetIndex.sizeOnDisk).toBe(10485760);
  });

  it('cuts a whole batch when the offset falls inside it, leaving the log end at the batch start', async () => {
    log = await openLog(ctx);
    await log.appendAsLeader(batch({ count: 5 }), 0);
    await log.appendAsLeader(batch({ count: 5 }), 0);
    await log.truncateTo(7);
    expect(log.logEndOffset).toBe(5);
  });

  it('truncates fully and starts at a new offset (follower out of range)', async () => {
    log = await openLog(ctx, SMALL);
    for (let i = 0; i < 5; i++) await log.appendAsLeader(batch({ valueSize: 150 }), 0);
    await log.truncateFullyAndStartAt(100);
    expect(log.segments.map((s) => s.baseOffset)).toEqual([100]);
    expect([log.logStartOffset, log.logEndOffset, log.recoveryPoint]).toEqual([100, 100, 100]);
    expect(fs.readdirSync(logDir(ctx)).filter((f) => f.endsWith('.log.deleted')).length).toBe(2);
    const info = await log.appendAsFollower(batch({ baseOffset: 100, count: 2 }));
    expect(info.lastOffset).toBe(101);
  });

  it('truncating below the first segment starts the log over at that offset', async () => {
    log = await openLog(ctx);
    await log.truncateFullyAndStartAt(50);
    await log.appendAsLeader(batch({ count: 3 }), 0);
    expect(await log.truncateTo(10)).toBe(true);
    expect(log.segments.map((s) => s.baseOffset)).toEqual([10]);
    expect(log.logEndOffset).toBe(10);
  });
});
