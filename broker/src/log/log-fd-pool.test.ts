import * as fs from 'node:fs';
import { FileHandlePool } from './file-handle-pool';
import { type TestLogContext, batch, batchOffsets, newContext, openLog, removeDir } from './testing/log-test-utils';

describe('Log file descriptors', () => {
  let ctx: TestLogContext;
  beforeEach(async () => {
    ctx = await newContext();
  });
  afterEach(async () => {
    await removeDir(ctx.dir);
  });

  it('reads a 50-segment log end to end without ever holding more than the pool limit of 8 descriptors', async () => {
    const writePool = new FileHandlePool({ maxOpen: 8 });
    const log = await openLog({ ...ctx, pool: writePool }, { 'segment.bytes': 300, 'index.interval.bytes': 0 });
    for (let i = 0; i < 50; i++) await log.appendAsLeader(batch({ valueSize: 200 }), 0);
    expect(log.numberOfSegments).toBe(50);
    expect(writePool.peakOpenCount).toBeLessThanOrEqual(8);
    await log.close();
    await writePool.close();

    const pool = new FileHandlePool({ maxOpen: 8 });
    const baseline = fs.readdirSync('/proc/self/fd').length;
    let peakProcess = 0;
    const reopened = await openLog({ ...ctx, pool }, { 'segment.bytes': 300, 'index.interval.bytes': 0 });
    const offsets: number[] = [];
    let next = 0;
    while (next < reopened.logEndOffset) {
      const r = await reopened.read(next, 100, { minOneMessage: true });
      for (const [base, last] of batchOffsets(r.records)) {
        offsets.push(base);
        next = last + 1;
      }
      peakProcess = Math.max(peakProcess, fs.readdirSync('/proc/self/fd').length - baseline);
    }
    expect(offsets).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(pool.peakOpenCount).toBeLessThanOrEqual(8);
    expect(peakProcess).toBeLessThanOrEqual(8);
    // Timestamp lookups over every segment stay within the limit too.
    expect(await reopened.fetchOffsetByTimestamp(1000)).toMatchObject({ offset: 0 });
    expect(pool.peakOpenCount).toBeLessThanOrEqual(8);
    await reopened.close();
    await pool.close();
    expect(fs.readdirSync('/proc/self/fd').length).toBe(baseline);
  });

  it('keeps the indexes of only a few inactive segments in memory while reading old data', async () => {
    const log = await openLog(ctx, { 'segment.bytes': 300, 'index.interval.bytes': 0 });
    for (let i = 0; i < 30; i++) await log.appendAsLeader(batch({ valueSize: 200 }), 0);
    await log.close();
    const reopened = await openLog(ctx, { 'segment.bytes': 300, 'index.interval.bytes': 0 });
    for (let offset = 0; offset < 30; offset++) await reopened.read(offset, 1000, { minOneMessage: true });
    const loaded = reopened.segments.filter((s) => s.indexesLoaded).length;
    expect(loaded).toBeLessThanOrEqual(5);
    await reopened.close();
  });
});
