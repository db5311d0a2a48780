import * as fs from 'node:fs';
import * as path from 'node:path';
import { KafkaProtocolError } from '../protocol/error-codes';
import { CompressionType, TimestampType, decodeRecordBatch, encodeLegacyMessageSet, encodeRecordBatchSync, validateBatchHeader } from '../protocol/records';
import { RecordValidationError } from './record-validation-error';
import type { Log } from './log';
import { ASYNC_CRC_MIN_BYTES, UnexpectedAppendOffsetError } from './log-validator';
import { type TestLogContext, batch, batchOffsets, compressedBatch, logDir, useTestLogContext, openLog } from './testing/log-test-utils';

function codeOf(err: unknown): string | undefined {
  return err instanceof KafkaProtocolError ? err.name : undefined;
}

async function expectKafkaError(p: Promise<unknown>, name: string): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(codeOf(err)).toBe(name);
}

describe('Log append and read', () => {
  let ctx: TestLogContext;
  let log: Log;
  useTestLogContext((c) => (ctx = c), () => log);

  it('creates the partition directory with an empty first segment named by a 20-digit base offset', async () => {
    log = await openLog(ctx);
    expect(fs.readdirSync(logDir(ctx)).sort()).toEqual(['00000000000000000000.index', '00000000000000000000.log', '00000000000000000000.timeindex']);
    expect(log.logEndOffset).toBe(0);
    expect(log.numberOfSegments).toBe(1);
  });

  it('assigns offsets from the log end offset in place and stamps the leader epoch', async () => {
    log = await openLog(ctx);
    const first = await log.appendAsLeader(batch({ count: 3 }), 7);
    const second = await log.appendAsLeader(batch({ count: 2 }), 7);
    expect(first).toMatchObject({ firstOffset: 0, lastOffset: 2, numMessages: 3, logAppendTime: -1, maxTimestamp: 1000, offsetOfMaxTimestamp: 2 });
    expect(second).toMatchObject({ firstOffset: 3, lastOffset: 4 });
    expect(log.logEndOffset).toBe(5);
    const read = await log.read(0, 1_000_000, { minOneMessage: true });
    expect(batchOffsets(read.records)).toEqual([[0, 2], [3, 4]]);
    const stored = validateBatchHeader(read.records, 0, { origin: 'log' });
    expect(stored.partitionLeaderEpoch).toBe(7);
  });

  it('serializes concurrent appends so offsets never interleave', async () => {
    log = await openLog(ctx);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => log.appendAsLeader(batch({ count: i + 1 }), 0)));
    let next = 0;
    for (const [i, r] of results.entries()) {
      expect(r.firstOffset).toBe(next);
      next += i + 1;
    }
    expect(log.logEndOffset).toBe(next);
  });

  it('keeps appending after a rejected append', async () => {
    log = await openLog(ctx, { 'max.message.bytes': 200 });
    const bad = log.appendAsLeader(batch({ valueSize: 500 }), 0);
    const good = log.appendAsLeader(batch(), 0);
    await expectKafkaError(bad, 'MESSAGE_TOO_LARGE');
    expect((await good).firstOffset).toBe(0);
  });

  it('applies LogAppendTime: max timestamp, attribute and a recomputed CRC', async () => {
    log = await openLog(ctx, { 'message.timestamp.type': 'LogAppendTime' });
    const info = await log.appendAsLeader(batch({ count: 2, timestamp: 5 }), 0);
    expect(info.logAppendTime).toBe(ctx.time.milliseconds());
    expect(info.maxTimestamp).toBe(ctx.time.milliseconds());
    const read = await log.read(0, 10000, { minOneMessage: true });
    const b = validateBatchHeader(read.records, 0, { origin: 'log' });
    expect(b.timestampType).toBe(TimestampType.LogAppendTime);
    expect(Number(b.maxTimestamp)).toBe(ctx.time.milliseconds());
  });

  it('rejects what Kafka rejects: corrupt CRC, control batches, bad counts, oversized batches and appends', async () => {
    log = await openLog(ctx, { 'segment.bytes': 5000, 'max.message.bytes': 3000 });
    const corrupt = batch();
    corrupt[corrupt.length - 1] ^= 1;
    await expectKafkaError(log.appendAsLeader(corrupt, 0), 'CORRUPT_MESSAGE');
    await expectKafkaError(log.appendAsLeader(batch({ isControl: true }), 0), 'INVALID_RECORD');
    await expectKafkaError(log.appendAsLeader(batch({ producerId: 5, baseSequence: -1 }), 0), 'INVALID_RECORD');
    await expectKafkaError(log.appendAsLeader(batch({ timestampType: TimestampType.LogAppendTime }), 0), 'INVALID_TIMESTAMP');
    await expectKafkaError(log.appendAsLeader(batch({ valueSize: 4000 }), 0), 'MESSAGE_TOO_LARGE');
    const many = Buffer.concat(Array.from({ length: 4 }, () => batch({ count: 10, valueSize: 150 })));
    await expectKafkaError(log.appendAsLeader(many, 0), 'RECORD_LIST_TOO_LARGE');
    expect(log.logEndOffset).toBe(0);
  });

  it('checks the CRC of large produces (checksummed on the thread pool) exactly as of small ones: a corrupt batch is CORRUPT_MESSAGE and nothing is appended', async () => {
    log = await openLog(ctx, { 'max.message.bytes': 4 << 20 });
    // Two batches of 300 KiB: over ASYNC_CRC_MIN_BYTES together; the second one is corrupt.
    const good = batch({ count: 3, valueSize: 100 * 1024 });
    const bad = batch({ count: 3, valueSize: 100 * 1024 });
    bad[bad.length - 1] ^= 1;
    const both = Buffer.concat([good, bad]);
    expect(both.length).toBeGreaterThanOrEqual(ASYNC_CRC_MIN_BYTES);
    const err = await log.appendAsLeader(both, 0).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(codeOf(err)).toBe('CORRUPT_MESSAGE');
    expect((err as Error).message).toMatch(/^Record is corrupt \(stored crc = \d+, computed crc = \d+\) in topic partition /);
    expect(log.logEndOffset).toBe(0);
    const info = await log.appendAsLeader(Buffer.concat([good, batch({ count: 3, valueSize: 100 * 1024 })]), 0);
    expect(info).toMatchObject({ firstOffset: 0, lastOffset: 5 });
    expect(log.logEndOffset).toBe(6);
  });

  it('requires keys on compacted topics and bounds CreateTime timestamps when configured', async () => {
    log = await openLog(ctx, { 'cleanup.policy': 'compact', 'message.timestamp.difference.max.ms': 60000 });
    await expectKafkaError(log.appendAsLeader(batch({ key: null }), 0), 'INVALID_RECORD');
    await expectKafkaError(log.appendAsLeader(await compressedBatch(CompressionType.Gzip, { key: null }), 0), 'INVALID_RECORD');
    const now = ctx.time.milliseconds();
    await expectKafkaError(log.appendAsLeader(batch({ timestamp: now - 120000 }), 0), 'INVALID_TIMESTAMP');
    expect((await log.appendAsLeader(batch({ timestamps: [now - 1000, now + 1000] }), 0)).lastOffset).toBe(1);
  });

  it('lists every failing record of a rejected batch by index (RecordValidationException): INVALID_RECORD, or INVALID_TIMESTAMP when a timestamp failed', async () => {
    log = await openLog(ctx, { 'cleanup.policy': 'compact', 'message.timestamp.difference.max.ms': 60000 });
    const now = ctx.time.milliseconds();
    const k = Buffer.from('k');
    const mixed = encodeRecordBatchSync({ records: [{ key: k, timestamp: now }, { key: null, timestamp: now }, { key: k, timestamp: now - 120000 }, { key: null, timestamp: now - 120000 }] });
    const err = await log.appendAsLeader(mixed, 0).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RecordValidationError);
    const rve = err as RecordValidationError;
    expect({ name: rve.name, message: rve.message }).toEqual({ name: 'INVALID_TIMESTAMP', message: 'One or more records have been rejected due to invalid timestamp' });
    const noKey = 'Compacted topic cannot accept message without key in topic partition topic-0.';
    expect(rve.recordErrors).toEqual([
      { batchIndex: 1, message: noKey },
      { batchIndex: 2, message: `Timestamp ${now - 120000} of message with offset 2 is out of range. The timestamp should be within [${now - 60000}, ${now + 60000}]` },
      { batchIndex: 3, message: noKey }, // validateKey first: one error per record
    ]);
    const keyless = encodeRecordBatchSync({ records: [{ key: null, timestamp: now }, { key: k, timestamp: now }] });
    const err2 = (await log.appendAsLeader(keyless, 0).catch((e: unknown) => e)) as RecordValidationError;
    expect({ name: err2.name, message: err2.message, recordErrors: err2.recordErrors }).toEqual({ name: 'INVALID_RECORD', message: 'One or more records have been rejected', recordErrors: [{ batchIndex: 0, message: noKey }] });
    expect(log.logEndOffset).toBe(0);
  });

  it('drops a trailing partial batch from the input, as Kafka trims invalid bytes', async () => {
    log = await openLog(ctx);
    const whole = batch({ count: 2 });
    const info = await log.appendAsLeader(Buffer.concat([whole, batch().subarray(0, 30)]), 0);
    expect(info.validBytes).toBe(whole.length);
    expect(log.logEndOffset).toBe(2);
  });

  it('up-converts legacy v0 and v1 produce data to one v2 batch', async () => {
    log = await openLog(ctx);
    const v1 = await encodeLegacyMessageSet({ magic: 1, records: [{ key: Buffer.from('a'), value: Buffer.from('1'), timestamp: 111 }, { value: Buffer.from('2'), timestamp: 222 }] });
    const info = await log.appendAsLeader(v1, 3);
    expect(info).toMatchObject({ firstOffset: 0, lastOffset: 1, maxTimestamp: 222 });
    const v0 = await encodeLegacyMessageSet({ magic: 0, records: [{ value: Buffer.from('3') }] });
    expect((await log.appendAsLeader(v0, 3)).firstOffset).toBe(2);
    const read = await log.read(0, 100000, { minOneMessage: true });
    const decoded = await decodeRecordBatch(read.records.subarray(0, read.records.readInt32BE(8) + 12));
    expect(decoded.magic).toBe(2);
    expect(decoded.records.map((r) => [Number(r.offset), r.value?.toString(), Number(r.timestamp)])).toEqual([[0, '1', 111], [1, '2', 222]]);
    expect(decoded.partitionLeaderEpoch).toBe(3);
  });

  it('recompresses when compression.type names another codec', async () => {
    log = await openLog(ctx, { 'compression.type': 'gzip' });
    await log.appendAsLeader(Buffer.concat([batch({ count: 2 }), batch({ count: 3 })]), 0);
    const read = await log.read(0, 100000, { minOneMessage: true });
    const decoded = await decodeRecordBatch(read.records);
    expect(decoded.compression).toBe(CompressionType.Gzip);
    expect(decoded.records.map((r) => Number(r.offset))).toEqual([0, 1, 2, 3, 4]);
  });

  it('rolls a new segment when segment.bytes would be exceeded; the new base is the first incoming offset', async () => {
    const b = batch({ count: 4, valueSize: 200 });
    log = await openLog(ctx, { 'segment.bytes': b.length * 3 + 10 });
    for (let i = 0; i < 7; i++) await log.appendAsLeader(batch({ count: 4, valueSize: 200 }), 0);
    expect(log.segments.map((s) => s.baseOffset)).toEqual([0, 12, 24]);
    expect(log.segments.map((s) => s.size)).toEqual([b.length * 3, b.length * 3, b.length]);
    expect(fs.existsSync(path.join(logDir(ctx), '00000000000000000012.log'))).toBe(true);
  });

  it('rolls by segment.ms using record timestamps, not the wall clock', async () => {
    log = await openLog(ctx, { 'segment.ms': 1000 });
    await log.appendAsLeader(batch({ timestamp: 10_000 }), 0);
    ctx.time.sleep(1_000_000); // wall clock is irrelevant while records carry timestamps
    await log.appendAsLeader(batch({ timestamp: 10_900 }), 0);
    expect(log.numberOfSegments).toBe(1);
    await log.appendAsLeader(batch({ timestamp: 11_001 }), 0);
    expect(log.segments.map((s) => s.baseOffset)).toEqual([0, 2]);
  });

  it('rolls by segment.ms on the wall clock when records have no timestamps', async () => {
    log = await openLog(ctx, { 'segment.ms': 1000 });
    await log.appendAsLeader(batch({ timestamp: -1 }), 0);
    ctx.time.sleep(999);
    await log.appendAsLeader(batch({ timestamp: -1 }), 0);
    expect(log.numberOfSegments).toBe(1);
    ctx.time.sleep(2);
    await log.appendAsLeader(batch({ timestamp: -1 }), 0);
    expect(log.numberOfSegments).toBe(2);
  });

  it('subtracts a per-segment jitter below min(segment.jitter.ms, segment.ms) from segment.ms', async () => {
    log = await openLog(ctx, { 'segment.ms': 1000, 'segment.jitter.ms': 500 });
    const jitter = log.activeSegment.rollJitterMs;
    expect(jitter).toBeGreaterThanOrEqual(0);
    expect(jitter).toBeLessThan(500);
    await log.appendAsLeader(batch({ timestamp: 10_000 }), 0);
    await log.appendAsLeader(batch({ timestamp: 10_000 + 1000 - jitter }), 0);
    expect(log.numberOfSegments).toBe(1);
    await log.appendAsLeader(batch({ timestamp: 10_001 + 1000 - jitter }), 0);
    expect(log.numberOfSegments).toBe(2);
  });

  it('rolls when the offset index is full', async () => {
    // 36 bytes: 4 offset entries; the time index (3 slots) only ever gets one entry at a constant timestamp.
    log = await openLog(ctx, { 'index.interval.bytes': 0, 'segment.index.bytes': 36 });
    for (let i = 0; i < 7; i++) await log.appendAsLeader(batch(), 0);
    // Entries go in from the 2nd append on; 4 entries fill the index, the 6th append rolls.
    expect(log.segments.map((s) => s.baseOffset)).toEqual([0, 5]);
    expect(log.segments[0]!.offsetIndex.entries).toBe(4);
    expect(fs.statSync(log.segments[0]!.offsetIndex.file).size).toBe(32);
  });

  it('rolls when a follower batch offset would overflow the int32 relative offset', async () => {
    log = await openLog(ctx);
    await log.appendAsFollower(batch({ baseOffset: 0, partitionLeaderEpoch: 1 }));
    const far = 2 ** 31 + 10;
    await log.appendAsFollower(batch({ baseOffset: far, partitionLeaderEpoch: 1 }));
    expect(log.segments.map((s) => s.baseOffset)).toEqual([0, far]);
    expect(log.logEndOffset).toBe(far + 1);
    const read = await log.read(1, 10000, { minOneMessage: true });
    expect(batchOffsets(read.records)).toEqual([[far, far]]);
  });

  it('trims the rolled segment indexes on disk and flushes it in the background', async () => {
    log = await openLog(ctx, { 'segment.bytes': 500, 'index.interval.bytes': 0 });
    for (let i = 0; i < 5; i++) await log.appendAsLeader(batch({ valueSize: 100 }), 0);
    const [old, active] = [log.segments[0]!, log.activeSegment];
    expect(fs.statSync(old.offsetIndex.file).size).toBe(old.offsetIndex.entries * 8);
    expect(fs.statSync(old.timeIndex.file).size).toBe(old.timeIndex.entries * 12);
    expect(fs.statSync(active.offsetIndex.file).size).toBe(10485760);
    expect(log.recoveryPoint).toBe(0);
    await ctx.scheduler.tick(0);
    expect(log.recoveryPoint).toBe(active.baseOffset);
  });

  it('reads exactly at the log end offset as empty and outside [logStart, LEO] as OFFSET_OUT_OF_RANGE', async () => {
    log = await openLog(ctx);
    await log.appendAsLeader(batch({ count: 3 }), 0);
    expect((await log.read(3, 1000, { minOneMessage: true })).records.length).toBe(0);
    await expectKafkaError(log.read(4, 1000, { minOneMessage: true }), 'OFFSET_OUT_OF_RANGE');
    await log.maybeIncrementLogStartOffset(2);
    await expectKafkaError(log.read(1, 1000, { minOneMessage: true }), 'OFFSET_OUT_OF_RANGE');
  });

  it('returns the first batch whole when it is larger than maxBytes, only with minOneMessage', async () => {
    log = await openLog(ctx);
    await log.appendAsLeader(batch({ count: 3, valueSize: 500 }), 0);
    const whole = await log.read(0, 10, { minOneMessage: true });
    expect(batchOffsets(whole.records)).toEqual([[0, 2]]);
    const none = await log.read(0, 10, { minOneMessage: false });
    expect(none.records.length).toBe(0);
    expect(none.firstEntryIncomplete).toBe(true);
  });

  it('never returns a batch at or beyond maxOffset (the high watermark for consumers)', async () => {
    log = await openLog(ctx);
    for (let i = 0; i < 4; i++) await log.appendAsLeader(batch({ count: 2 }), 0);
    const read = await log.read(0, 100000, { minOneMessage: true, maxOffset: 4 });
    expect(batchOffsets(read.records)).toEqual([[0, 1], [2, 3]]);
    expect((await log.read(4, 100000, { minOneMessage: true, maxOffset: 4 })).records.length).toBe(0);
  });

  it('reads across segments, moving to the next when a segment has nothing at or after the offset', async () => {
    log = await openLog(ctx, { 'segment.bytes': 300 });
    for (let i = 0; i < 6; i++) await log.appendAsLeader(batch({ valueSize: 100 }), 0);
    expect(log.numberOfSegments).toBeGreaterThan(2);
    const offsets: number[] = [];
    let next = 0;
    while (next < log.logEndOffset) {
      const r = await log.read(next, 1000, { minOneMessage: true });
      for (const [base, last] of batchOffsets(r.records)) {
        offsets.push(base);
        next = last + 1;
      }
    }
    expect(offsets).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('answers ListOffsets: earliest, latest, and the first record at or after a timestamp', async () => {
    log = await openLog(ctx, { 'segment.bytes': 300 });
    for (let i = 0; i < 6; i++) await log.appendAsLeader(batch({ timestamp: 1000 * (i + 1), valueSize: 100 }), 4);
    expect(await log.fetchOffsetByTimestamp(-2)).toEqual({ timestamp: -1, offset: 0 });
    expect(await log.fetchOffsetByTimestamp(-1)).toEqual({ timestamp: -1, offset: 6 });
    expect(await log.fetchOffsetByTimestamp(3500)).toEqual({ timestamp: 4000, offset: 3, leaderEpoch: 4 });
    expect(await log.fetchOffsetByTimestamp(9000)).toBeNull();
  });

  it('appends follower batches as they are and rejects offsets below the log end offset', async () => {
    log = await openLog(ctx);
    const leaderBatch = batch({ baseOffset: 10, count: 3, partitionLeaderEpoch: 2 });
    await log.truncateFullyAndStartAt(10);
    const info = await log.appendAsFollower(leaderBatch);
    expect(info).toMatchObject({ firstOffset: 10, lastOffset: 12 });
    const read = await log.read(10, 10000, { minOneMessage: true });
    expect(read.records).toEqual(leaderBatch);
    await expect(log.appendAsFollower(batch({ baseOffset: 12 }))).rejects.toThrow(UnexpectedAppendOffsetError);
    const corrupt = batch({ baseOffset: 13 });
    corrupt[70] ^= 1;
    await expectKafkaError(log.appendAsFollower(corrupt), 'CORRUPT_MESSAGE');
  });

  it('keeps no view of appended bytes: a leader\'s or a follower\'s buffer reused once the append is done does not change what is read', async () => {
    log = await openLog(ctx);
    const first = batch({ baseOffset: 0, count: 4, valueSize: 5000 });
    await log.appendAsFollower(first);
    const consumed = await log.read(0, 1 << 20, { minOneMessage: true }); // leaves a read cursor at the end
    expect(consumed.records.equals(first)).toBe(true);
    const second = batch({ baseOffset: 4, count: 4, valueSize: 5000 });
    const original = Buffer.from(second);
    await log.appendAsFollower(second);
    second.fill(0); // the fetcher's response buffer, reused for the next fetch
    expect((await log.read(4, 1 << 20, { minOneMessage: true })).records.equals(original)).toBe(true);
    const third = batch({ count: 4, valueSize: 5000 });
    await log.appendAsLeader(third, 0);
    const stored = Buffer.from(third); // offsets and epoch assigned in place
    third.fill(0); // the socket server's request frame, reused for the next request
    expect((await log.read(8, 1 << 20, { minOneMessage: true })).records.equals(stored)).toBe(true);
  });

  it('leaves a log closed by a call queued ahead of a cleaned-segment swap alone', async () => {
    log = await openLog(ctx, { 'segment.bytes': 300 });
    for (let i = 0; i < 3; i++) await log.appendAsLeader(batch({ valueSize: 100 }), 0);
    const oldSegments = log.segments.slice(0, 1);
    const cleaned = await log.createCleanedSegment(0);
    const closing = log.close();
    await expectKafkaError(log.replaceSegments([cleaned], oldSegments), 'KAFKA_STORAGE_ERROR');
    await closing;
    const files = fs.readdirSync(logDir(ctx));
    expect(files.filter((f) => f.endsWith('.swap') || f.endsWith('.deleted'))).toEqual([]);
    expect(files).toContain(path.basename(oldSegments[0]!.logFile));
  });
});
