import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Log } from './log';
import type { LeaderEpochCacheHook } from './log-types';
import { type TestLogContext, batch, batchOffsets, logDir, openLog, useTestLogContext } from './testing/log-test-utils';

/**
 * The leader append path: the synchronous fast path (lock free, no roll), the locked path it falls
 * back to, and the index entries written to their files lazily (as an mmap'd Kafka index reaches
 * the disk), made durable by flush and rebuilt by recovery when a crash loses them.
 */
describe('Log leader append path', () => {
  let ctx: TestLogContext;
  let log: Log;
  useTestLogContext((c) => (ctx = c), () => log);

  it('appends to an idle log synchronously: the log end offset moves before the caller resumes', async () => {
    log = await openLog(ctx);
    await log.appendAsLeader(batch({ count: 2 }), 0); // the first append learns the segment's state
    const pending = log.appendAsLeader(batch({ count: 3 }), 0);
    expect(log.logEndOffset).toBe(5);
    await expect(pending).resolves.toMatchObject({ firstOffset: 2, lastOffset: 4 });
  });

  it('keeps call order for pipelined appends across rolls (fast and locked paths mixed)', async () => {
    log = await openLog(ctx, { 'segment.bytes': 1500 });
    const inFlight: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i++) {
      if (inFlight.length === 2) await inFlight.shift();
      inFlight.push(log.appendAsLeader(batch({ count: 1 + (i % 3) }), 0));
    }
    await Promise.all(inFlight);
    expect(log.numberOfSegments).toBeGreaterThan(2);
    const offsets: [number, number][] = [];
    while (offsets.length < 40) {
      const from = offsets.length === 0 ? 0 : offsets[offsets.length - 1]![1] + 1;
      const read = await log.read(from, 10_000_000, { minOneMessage: true }); // one segment per read, as Kafka's
      if (read.records.length === 0) break;
      offsets.push(...batchOffsets(read.records));
    }
    expect(offsets).toHaveLength(40);
    let next = 0;
    for (const [base, last] of offsets) {
      expect(base).toBe(next);
      next = last + 1;
    }
    expect(next).toBe(log.logEndOffset);
  });

  it('completes an append queued behind a roll before the rolling caller resumes', async () => {
    log = await openLog(ctx, { 'segment.bytes': 1000 });
    await log.appendAsLeader(batch({ count: 3, valueSize: 200 }), 0);
    const rolling = log.appendAsLeader(batch({ count: 3, valueSize: 200 }), 0); // does not fit: rolls
    const queued = log.appendAsLeader(batch({ count: 1 }), 0);
    await rolling;
    expect(log.numberOfSegments).toBe(2);
    expect(log.logEndOffset).toBe(7); // the queued append is written already
    await expect(queued).resolves.toMatchObject({ firstOffset: 6 });
    // The lock is free again: the next append takes the fast path.
    void log.appendAsLeader(batch({ count: 1 }), 0);
    expect(log.logEndOffset).toBe(8);
  });

  it('records a new leader epoch in the cache before the data, and goes on synchronously for a known one', async () => {
    const calls: { epoch: number; startOffset: number; logEndOffsetThen: number }[] = [];
    let latest = -1;
    const cache: LeaderEpochCacheHook = {
      assign: (epoch, startOffset) => {
        calls.push({ epoch, startOffset, logEndOffsetThen: log.logEndOffset });
        if (epoch === latest) return undefined;
        latest = epoch;
        return new Promise<void>((resolve) => setTimeout(resolve, 5)); // a checkpoint write
      },
      truncateFromEnd: () => undefined,
      truncateFromStart: () => undefined,
      clearAndFlush: () => undefined,
    };
    log = await openLog(ctx, {}, { leaderEpochCache: cache });
    await log.appendAsLeader(batch({ count: 2 }), 3);
    const same = log.appendAsLeader(batch({ count: 2 }), 3);
    expect(log.logEndOffset).toBe(4);
    await same;
    await log.appendAsLeader(batch({ count: 1 }), 4);
    expect(calls).toEqual([
      { epoch: 3, startOffset: 0, logEndOffsetThen: 0 },
      { epoch: 3, startOffset: 2, logEndOffsetThen: 2 },
      { epoch: 4, startOffset: 4, logEndOffsetThen: 4 },
    ]);
    expect(log.logEndOffset).toBe(5);
  });

  it('flushes before the append resolves when flush.messages is reached', async () => {
    log = await openLog(ctx, { 'flush.messages': 1 });
    await log.appendAsLeader(batch({ count: 2 }), 0);
    await log.appendAsLeader(batch({ count: 2 }), 0);
    expect(log.recoveryPoint).toBe(4);
  });

  it('writes pending index entries to the file on flush, before the recovery point moves', async () => {
    log = await openLog(ctx, { 'index.interval.bytes': 1 });
    for (let i = 0; i < 10; i++) await log.appendAsLeader(batch({ count: 2 }), 0);
    const index = log.activeSegment.offsetIndex;
    expect(index.entries).toBe(9); // the first append is never indexed (position 0)
    expect(index.pendingEntries).toBe(9);
    await log.flush();
    expect(index.pendingEntries).toBe(0);
    const raw = fs.readFileSync(index.file);
    for (let slot = 0; slot < index.entries; slot++) {
      expect(raw.readInt32BE(slot * 8)).toBe(index.entry(slot).offset);
      expect(raw.readInt32BE(slot * 8 + 4)).toBe(index.entry(slot).position);
    }
    expect(raw.readInt32BE(index.entries * 8 + 4)).toBe(0);
  });

  it('rebuilds index entries a crash kept from the file when recovering after an unclean stop', async () => {
    log = await openLog(ctx, { 'index.interval.bytes': 1 });
    for (let i = 0; i < 10; i++) await log.appendAsLeader(batch({ count: 2 }), 0);
    const expected = Array.from({ length: log.activeSegment.offsetIndex.entries }, (_, slot) => log.activeSegment.offsetIndex.entry(slot));
    // The files as a SIGKILL now would leave them: the index entries are still pending.
    const crashed = path.join(ctx.dir, 'crashed-0');
    fs.cpSync(logDir(ctx), crashed, { recursive: true });
    const recovered = await openLog(ctx, { 'index.interval.bytes': 1 }, { dir: crashed, hadCleanShutdown: false });
    try {
      const index = recovered.activeSegment.offsetIndex;
      await recovered.activeSegment.loadIndexes();
      expect(Array.from({ length: index.entries }, (_, slot) => index.entry(slot))).toEqual(expected);
      expect(recovered.logEndOffset).toBe(20);
      const read = await recovered.read(13, 1_000_000, { minOneMessage: true });
      expect(batchOffsets(read.records)[0]).toEqual([12, 13]);
    } finally {
      await recovered.close();
    }
  });
});
