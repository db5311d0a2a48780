import * as fs from 'node:fs';
import { CompressionType, decodeRecordBatches, validateBatchHeader } from '../../protocol/records';
import type { Log } from '../log';
import { type TestLogContext, useTestLogContext } from '../testing/log-test-utils';
import { groupSegmentsBySize } from './cleaner';
import {
  T0,
  appendBatch,
  appendKeys,
  appendMarker,
  cleanerFor,
  openCompactedLog,
  readBatches,
  readRaw,
  readRecords,
} from './testing/cleaner-test-utils';

describe('Cleaner', () => {
  let ctx: TestLogContext;
  let log: Log;
  useTestLogContext((c) => (ctx = c), () => log);

  const clean = async (l: Log = log, config = {}): Promise<number | undefined> =>
    (await cleanerFor(ctx, l, config).cleanOnce(l, l.logEndOffset)).cleaned?.endOffset;

  it('keeps only the latest value of each key', async () => {
    log = await openCompactedLog(ctx);
    await appendKeys(log, 5, 'a');
    await log.roll();
    await appendKeys(log, 3, 'b');
    await appendBatch(log, [{ key: 'key0', value: 'c0' }]);
    await log.roll();
    await appendBatch(log, [{ key: 'active', value: 'x' }]);
    expect(await clean()).toBe(9);
    expect(await readRecords(log)).toEqual([
      { offset: 3, key: 'key3', value: 'a3' },
      { offset: 4, key: 'key4', value: 'a4' },
      { offset: 6, key: 'key1', value: 'b1' },
      { offset: 7, key: 'key2', value: 'b2' },
      { offset: 8, key: 'key0', value: 'c0' },
      { offset: 9, key: 'active', value: 'x' },
    ]);
    expect(log.logEndOffset).toBe(10);
  });

  it('never touches the active segment', async () => {
    log = await openCompactedLog(ctx);
    await appendKeys(log, 4, 'a');
    await log.roll();
    await appendKeys(log, 4, 'b');
    await appendKeys(log, 4, 'c');
    const active = log.activeSegment;
    const before = fs.readFileSync(active.logFile);
    // Only the first segment is cleanable, and the active segment's keys are not in the map.
    expect(await clean()).toBe(4);
    expect(log.activeSegment).toBe(active);
    expect(fs.readFileSync(active.logFile).equals(before)).toBe(true);
    // Superseded copies inside the active segment stay until it rolls.
    expect((await readRecords(log)).map((r) => r.value)).toEqual(['a0', 'a1', 'a2', 'a3', 'b0', 'b1', 'b2', 'b3', 'c0', 'c1', 'c2', 'c3']);
  });

  it('preserves offsets: gaps appear and a read from any offset returns the next surviving record', async () => {
    log = await openCompactedLog(ctx);
    const keys = ['a', 'b', 'a', 'c', 'b', 'a', 'd', 'c'];
    for (const [i, k] of keys.entries()) await appendBatch(log, [{ key: k, value: `${k}${i}` }]);
    await log.roll();
    await appendBatch(log, [{ key: 'z', value: 'z' }]);
    await clean();
    const surviving = (await readRecords(log)).map((r) => r.offset);
    expect(surviving).toEqual([4, 5, 6, 7, 8]);
    for (let from = 0; from < log.logEndOffset; from++) {
      const first = (await readRecords(log, from))[0]!;
      expect(first.offset).toBe(surviving.find((o) => o >= from));
    }
  });

  it('keeps base offset, lastOffsetDelta, producer id, epoch, base sequence and leader epoch of a partly cleaned batch', async () => {
    log = await openCompactedLog(ctx);
    await appendBatch(
      log,
      [
        { key: 'k1', value: 'old1' },
        { key: 'k2', value: 'keep2' },
        { key: 'k3', value: 'old3' },
        { key: 'k4', value: 'old4' },
      ],
      { producerId: 42, producerEpoch: 3, baseSequence: 100, partitionLeaderEpoch: 7 },
    );
    await appendBatch(log, [{ key: 'k1', value: 'new1' }, { key: 'k3', value: 'new3' }, { key: 'k4', value: 'new4' }], { producerId: 42, producerEpoch: 3, baseSequence: 104 });
    await log.roll();
    await appendBatch(log, [{ key: 'x', value: 'x' }]);
    await clean();
    const [first] = await readBatches(log);
    expect(first).toMatchObject({
      baseOffset: 0n,
      lastOffsetDelta: 3,
      producerId: 42n,
      producerEpoch: 3,
      baseSequence: 100,
      partitionLeaderEpoch: 7,
      recordsCount: 1,
    });
    expect(first!.records.map((r) => [Number(r.offset), r.key!.toString(), r.value!.toString(), Number(r.timestamp)])).toEqual([[1, 'k2', 'keep2', T0 + 1]]);
    // firstTimestamp becomes the first kept record's, as Kafka's builder writes it.
    expect(first!.firstTimestamp).toBe(BigInt(T0 + 1));
    expect(first!.maxTimestamp).toBe(BigInt(T0 + 1));
  });

  it('keeps an empty batch where a producer id has its last sequence, and drops its earlier emptied batches', async () => {
    log = await openCompactedLog(ctx);
    await appendBatch(log, [{ key: 'k', value: 'p1' }], { producerId: 9, baseSequence: 0 });
    await appendBatch(log, [{ key: 'k', value: 'p2' }], { producerId: 9, baseSequence: 1 });
    await appendBatch(log, [{ key: 'k', value: 'plain' }]);
    await log.roll();
    await appendBatch(log, [{ key: 'other', value: 'x' }]);
    await clean();
    const batches = await readBatches(log);
    expect(batches.map((b) => [Number(b.baseOffset), b.recordsCount, Number(b.producerId), b.baseSequence])).toEqual([
      [1, 0, 9, 1],
      [2, 1, -1, -1],
      [3, 1, -1, -1],
    ]);
    const empty = batches[0]!;
    expect(empty.compression).toBe(CompressionType.None);
    expect(empty.firstTimestamp).toBe(empty.maxTimestamp);
    // The empty header is a valid batch as stored in a log (CRC and count rules).
    expect(validateBatchHeader(await readRaw(log), 0, { origin: 'log' }).recordsCount).toBe(0);
  });

  it.each([CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd])('recompresses a partly cleaned batch with its own codec (%d)', async (codec) => {
    log = await openCompactedLog(ctx);
    const records = Array.from({ length: 20 }, (_, i) => ({ key: `k${i % 10}`, value: `v${i}`.repeat(20) }));
    await appendBatch(log, records, { compression: codec });
    await log.roll();
    await appendBatch(log, [{ key: 'x', value: 'x' }]);
    await clean();
    const [first] = await readBatches(log);
    expect(first!.compression).toBe(codec);
    expect(first!.lastOffsetDelta).toBe(19);
    expect(first!.records.map((r) => [Number(r.offset), r.value!.toString()])).toEqual(records.slice(10).map((r, i) => [10 + i, r.value]));
  });

  it('copies a batch whose records all survive byte for byte', async () => {
    log = await openCompactedLog(ctx);
    await appendBatch(log, [{ key: 'a', value: '1' }, { key: 'b', value: '2' }], { compression: CompressionType.Gzip, producerId: 5 });
    const original = await readRaw(log);
    await log.roll();
    await appendBatch(log, [{ key: 'x', value: 'x' }]);
    await appendBatch(log, [{ key: 'y', value: 'y' }]);
    await clean();
    expect((await readRaw(log)).subarray(0, original.length).equals(original)).toBe(true);
  });

  it('keeps LogAppendTime batches stamped with the append time', async () => {
    log = await openCompactedLog(ctx);
    await appendBatch(log, [{ key: 'a', value: '1' }, { key: 'b', value: '2' }], { logAppendTime: T0 + 500 });
    await appendBatch(log, [{ key: 'a', value: '3' }]);
    await log.roll();
    await appendBatch(log, [{ key: 'x', value: 'x' }]);
    await clean();
    const [first] = await readBatches(log);
    expect(first).toMatchObject({ timestampType: 1, maxTimestamp: BigInt(T0 + 500), firstTimestamp: BigInt(T0 + 500), recordsCount: 1 });
    expect(Number(first!.records[0]!.timestamp)).toBe(T0 + 500);
  });

  it.each([
    [1024 * 1024, [0, 60]],
    [4000, [0, 50, 60]],
  ])('groups small cleaned segments into one, within segment.bytes (%d)', async (segmentBytes, bases) => {
    log = await openCompactedLog(ctx, { 'segment.bytes': segmentBytes });
    for (let s = 0; s < 6; s++) {
      await appendKeys(log, 10, `s${s}-`, (i) => `key${i}`);
      await log.roll();
    }
    await appendBatch(log, [{ key: 'x', value: 'x' }]);
    expect(log.numberOfSegments).toBe(7);
    const sizes = log.segments.slice(0, 6).map((s) => s.size);
    expect(sizes.every((size) => size > 700 && size < 800)).toBe(true);
    await clean();
    // Six segments become one (or as many as segment.bytes allows: five 760-byte segments per group).
    expect(log.segments.map((s) => s.baseOffset)).toEqual(bases);
    expect((await readRecords(log)).map((r) => r.value)).toEqual([...Array.from({ length: 10 }, (_, i) => `s5-${i}`), 'x']);
  });

  it('splits groups by segment.bytes, index size and int32 offset range', () => {
    const seg = (baseOffset: number, size: number, index = 0): { baseOffset: number; size: number; offsetIndexSize: number; timeIndexSize: number } => ({
      baseOffset,
      size,
      offsetIndexSize: index,
      timeIndexSize: index,
    });
    const bases = (groups: { baseOffset: number }[][]): number[][] => groups.map((g) => g.map((s) => s.baseOffset));
    expect(bases(groupSegmentsBySize([seg(0, 400), seg(10, 400), seg(20, 400), seg(30, 100)], 1000, 1000, 40))).toEqual([[0, 10], [20, 30]]);
    expect(bases(groupSegmentsBySize([seg(0, 10, 600), seg(10, 10, 600)], 1000, 1000, 20))).toEqual([[0], [10]]);
    expect(bases(groupSegmentsBySize([seg(0, 10), seg(2 ** 31, 10)], 1000, 1000, 2 ** 31 + 5))).toEqual([[0], [2 ** 31]]);
    // An empty segment is exempt from the offset check (Kafka: no empty segment left every 2^31 offsets).
    expect(bases(groupSegmentsBySize([seg(0, 10), seg(5, 0), seg(2 ** 31 + 10, 10)], 1000, 1000, 2 ** 31 + 20))).toEqual([[0, 5], [2 ** 31 + 10]]);
  });

  it('keeps tombstones on the first clean, and drops them once delete.retention.ms has passed', async () => {
    // One single-record batch per segment, and no two merged by the cleaner.
    log = await openCompactedLog(ctx, { 'segment.bytes': 100, 'delete.retention.ms': 10_000, 'min.cleanable.dirty.ratio': 0.01 });
    for (const [key, value] of [['k1', 'v1'], ['k2', 'v2'], ['k1', null], ['k3', 'v3']] as const) await appendBatch(log, [{ key, value }]);
    await log.roll();
    expect(log.segments.map((s) => s.baseOffset)).toEqual([0, 1, 2, 3, 4]);
    expect(await clean()).toBe(4);
    expect((await readRecords(log)).map((r) => [r.key, r.value])).toEqual([['k2', 'v2'], ['k1', null], ['k3', 'v3']]);

    // The horizon is delete.retention.ms before the last clean segment's last-modified time.
    const setAges = async (tombstoneAgeMs: number, lastCleanBase: number): Promise<void> => {
      const now = Date.now();
      for (const s of log.segments.slice(0, -1)) await s.setLastModified(now - 100_000);
      await log.segments.find((s) => s.baseOffset === 2)!.setLastModified(now - tombstoneAgeMs);
      await log.segments.find((s) => s.baseOffset === lastCleanBase)!.setLastModified(now);
    };
    await appendBatch(log, [{ key: 'k4', value: 'v4' }]);
    await log.roll();
    await setAges(5_000, 3);
    expect(await clean()).toBe(5);
    expect((await readRecords(log)).map((r) => r.key)).toContain('k1');

    await appendBatch(log, [{ key: 'k5', value: 'v5' }]);
    await log.roll();
    await setAges(20_000, 4);
    expect(await clean()).toBe(6);
    expect((await readRecords(log)).map((r) => [r.key, r.value])).toEqual([['k2', 'v2'], ['k3', 'v3'], ['k4', 'v4'], ['k5', 'v5']]);
  });

  it('drops records without a key (they cannot be compacted)', async () => {
    log = await openCompactedLog(ctx);
    await appendBatch(log, [{ key: null, value: 'nokey' }, { key: 'a', value: '1' }]);
    await log.roll();
    await appendBatch(log, [{ key: 'x', value: 'x' }]);
    await clean();
    expect((await readRecords(log)).map((r) => r.value)).toEqual(['1', 'x']);
  });

  it('stops the dirty scan when the offset map is full and continues from there next time', async () => {
    log = await openCompactedLog(ctx, { 'min.cleanable.dirty.ratio': 0.01 });
    for (let i = 0; i < 40; i++) await appendBatch(log, [{ key: `key${i}`, value: 'a' }]);
    for (let i = 0; i < 40; i++) await appendBatch(log, [{ key: `key${i}`, value: 'b' }]);
    await log.roll();
    await appendBatch(log, [{ key: 'x', value: 'x' }]);
    // 32 slots of 24 bytes at load factor 0.625: room for 20 keys, so the first pass maps offsets [0, 20) only.
    const config = { dedupeBufferSize: 32 * 24, dedupeBufferLoadFactor: 0.625 };
    expect(await clean(log, config)).toBe(20);
    expect((await readRecords(log)).length).toBe(81);
    const end = await clean(log, config);
    expect(end).toBe(40);
    while ((await clean(log, config)) !== undefined);
    expect((await readRecords(log)).map((r) => r.value).join('')).toBe(`${'b'.repeat(40)}x`);
  });

  it('removes aborted transactional records, keeps committed ones, and keeps markers while they mark something', async () => {
    log = await openCompactedLog(ctx);
    await appendBatch(log, [{ key: 'k', value: 'committed' }], { producerId: 1, isTransactional: true, baseSequence: 0 });
    await appendBatch(log, [{ key: 'k', value: 'aborted' }], { producerId: 2, isTransactional: true, baseSequence: 0 });
    await appendMarker(log, 1, 'commit');
    await appendMarker(log, 2, 'abort');
    await appendBatch(log, [{ key: 'j', value: 'plain' }]);
    await log.roll();
    await appendBatch(log, [{ key: 'x', value: 'x' }]);
    await clean();
    const batches = await readBatches(log);
    const data = batches.filter((b) => !b.isControl && b.recordsCount > 0).flatMap((b) => b.records.map((r) => r.value!.toString()));
    // The aborted value never shadows the committed one.
    expect(data).toEqual(['committed', 'plain', 'x']);
    // Producer 2's aborted batch is its last: kept as an empty header, so its ABORT marker stays too.
    expect(batches.map((b) => [Number(b.baseOffset), b.isControl, b.recordsCount])).toEqual([
      [0, false, 1],
      [1, false, 0],
      [2, true, 1],
      [3, true, 1],
      [4, false, 1],
      [5, false, 1],
    ]);
  });

  it('never cleans past an open transaction', async () => {
    log = await openCompactedLog(ctx);
    await appendBatch(log, [{ key: 'k', value: 'v1' }]);
    await appendBatch(log, [{ key: 'k', value: 'v2' }]);
    await log.roll();
    await appendBatch(log, [{ key: 'k', value: 'open' }], { producerId: 3, isTransactional: true });
    await appendBatch(log, [{ key: 'k', value: 'v3' }]);
    await log.roll();
    await appendBatch(log, [{ key: 'x', value: 'x' }]);
    expect(await clean()).toBe(2);
    expect((await readRecords(log)).map((r) => r.value)).toEqual(['v2', 'open', 'v3', 'x']);
  });

  it('writes valid batches: every stored batch passes the CRC and count checks', async () => {
    log = await openCompactedLog(ctx);
    for (let round = 0; round < 3; round++) {
      await appendBatch(log, Array.from({ length: 10 }, (_, i) => ({ key: `k${(i * 7 + round) % 6}`, value: `${round}-${i}` })), { compression: round === 1 ? CompressionType.Lz4 : CompressionType.None, producerId: 11, baseSequence: round * 10 });
    }
    await log.roll();
    await appendBatch(log, [{ key: 'x', value: 'x' }]);
    await clean();
    const raw = await readRaw(log);
    const decoded = await decodeRecordBatches(raw, { origin: 'log' });
    expect(decoded.partialBytes).toBe(0);
    expect(decoded.batches.length).toBeGreaterThan(0);
  });
});
