import type { Log } from './log';
import { LAST_APPEND_CACHE_BUDGET_BYTES, LastAppendCache, MIN_CACHED_APPEND_BYTES, lastAppendCacheBytes } from './last-append-cache';
import { type TestLogContext, batch, batchOffsets, useTestLogContext, openLog } from './testing/log-test-utils';

/** A batch of `count` records of 1 KiB: over MIN_CACHED_APPEND_BYTES from 17 records on. */
const big = (count = 20): Buffer => batch({ count, valueSize: 1024 });

describe('the last append, served from memory to the read that follows it', () => {
  let ctx: TestLogContext;
  let log: Log;
  useTestLogContext((c) => (ctx = c), () => log);

  it('a follower-style read continuing where the previous read ended gets the appended bytes themselves, equal to the file', async () => {
    log = await openLog(ctx);
    await log.appendAsLeader(big(), 0);
    const first = await log.read(0, 1 << 20, { minOneMessage: true }); // leaves a read cursor at offset 20
    const appended = big();
    await log.appendAsLeader(appended, 0);
    const next = await log.read(20, 1 << 20, { minOneMessage: true });
    expect(next.records).toBe(appended); // no file read, no copy
    expect(batchOffsets(next.records)).toEqual([[20, 39]]);
    expect(next).toMatchObject({ firstOffset: 20, fetchOffset: 20, firstEntryIncomplete: false, logEndOffset: 40 });
    // The same bytes as the file holds: a read that cannot use the memory copy (no cursor at 0) reads both batches from the file.
    const fromFile = await log.read(0, 1 << 20, { minOneMessage: true });
    expect(Buffer.compare(fromFile.records, Buffer.concat([first.records, appended]))).toBe(0);
  });

  it('is not used when the read is bounded below the append (max bytes, the high watermark) or covers more than the last append', async () => {
    log = await openLog(ctx);
    await log.appendAsLeader(big(), 0);
    await log.read(0, 1 << 20, { minOneMessage: true });
    const appended = big();
    await log.appendAsLeader(appended, 0);
    const small = await log.read(20, 1000, { minOneMessage: false });
    expect(small.records.length).toBe(0); // as from the file: the batch does not fit
    const belowHw = await log.read(20, 1 << 20, { minOneMessage: true, maxOffset: 30 });
    expect(belowHw.records.length).toBe(0); // the batch's last offset is past the bound
    await log.appendAsLeader(big(), 0);
    const both = await log.read(20, 1 << 20, { minOneMessage: true });
    expect(both.records).not.toBe(appended);
    expect(batchOffsets(both.records)).toEqual([[20, 39], [40, 59]]);
  });

  it('is forgotten on truncation: a read after new appends at the same position returns the new bytes', async () => {
    log = await openLog(ctx);
    await log.appendAsLeader(big(), 0);
    await log.read(0, 1 << 20, { minOneMessage: true });
    await log.appendAsLeader(big(), 0);
    await log.truncateTo(20);
    const replacement = big(30);
    await log.appendAsLeader(replacement, 1);
    const read = await log.read(20, 1 << 20, { minOneMessage: true });
    expect(batchOffsets(read.records)).toEqual([[20, 49]]);
    expect(Buffer.compare(read.records, replacement)).toBe(0);
  });

  it('keeps small appends out (their file reads are cheap)', async () => {
    log = await openLog(ctx);
    await log.appendAsLeader(batch({ count: 2 }), 0);
    await log.read(0, 1 << 20, { minOneMessage: true });
    const small = batch({ count: 2 });
    expect(small.length).toBeLessThan(MIN_CACHED_APPEND_BYTES);
    await log.appendAsLeader(small, 0);
    const read = await log.read(2, 1 << 20, { minOneMessage: true });
    expect(read.records).not.toBe(small);
    expect(Buffer.compare(read.records, small)).toBe(0);
  });
});

describe('LastAppendCache', () => {
  it('holds one append per cache and at most LAST_APPEND_CACHE_BUDGET_BYTES across the process, dropping the least recently appended', () => {
    const before = lastAppendCacheBytes();
    const size = 8 * 1024 * 1024;
    const caches = Array.from({ length: LAST_APPEND_CACHE_BUDGET_BYTES / size + 2 }, () => new LastAppendCache());
    caches.forEach((c, i) => c.remember(0, Buffer.alloc(size), i));
    expect(lastAppendCacheBytes()).toBeLessThanOrEqual(LAST_APPEND_CACHE_BUDGET_BYTES);
    expect(caches[0]!.at(0)).toBeNull();
    expect(caches[caches.length - 1]!.at(0)?.lastOffset).toBe(caches.length - 1);
    caches[caches.length - 1]!.remember(100, Buffer.alloc(size), 99); // replaces its own entry
    expect(caches[caches.length - 1]!.at(0)).toBeNull();
    expect(caches[caches.length - 1]!.at(100)?.lastOffset).toBe(99);
    for (const c of caches) c.clear();
    expect(lastAppendCacheBytes()).toBe(before);
  });
});
