import * as fs from 'node:fs';
import { MockTime } from '../common/time';
import { CompressionType, encodeLegacyMessageSet } from '../protocol/records';
import { FileHandlePool } from './file-handle-pool';
import type { ConfigInput } from './log-config';
import { LogSegment, LogSegmentOffsetOverflowError } from './log-segment';
import { READ_BUFFERS } from './read-buffer-pool';
import { batch, batchOffsets, compressedBatch, fileSize, makeTempDir, removeDir, testConfig } from './testing/log-test-utils';

describe('LogSegment', () => {
  let dir: string;
  let pool: FileHandlePool;
  const time = new MockTime(1_700_000_000_000);
  const segments: LogSegment[] = [];

  beforeEach(async () => {
    dir = await makeTempDir();
    pool = new FileHandlePool({ maxOpen: 32 });
  });
  afterEach(async () => {
    try {
      for (const s of segments.splice(0)) await s.closeHandlers();
      await pool.close();
    } finally {
      await removeDir(dir);
    }
  });

  async function open(baseOffset = 0, overrides: ConfigInput = {}, fileAlreadyExists = false): Promise<LogSegment> {
    const s = await LogSegment.open({ dir, baseOffset, config: testConfig(overrides), time, pool, fileAlreadyExists });
    segments.push(s);
    return s;
  }

  /** Appends `n` batches of `count` records each, one append per batch, starting at the segment base. */
  async function fill(s: LogSegment, n: number, count = 5, valueSize = 100, timestamp = (i: number) => 1000 + i): Promise<Buffer[]> {
    const out: Buffer[] = [];
    for (let i = 0; i < n; i++) {
      const base = s.baseOffset + i * count;
      const b = batch({ baseOffset: base, count, valueSize, timestamp: timestamp(i) });
      await s.append(base + count - 1, timestamp(i), base + count - 1, b);
      out.push(b);
    }
    return out;
  }

  it('writes appended batches byte for byte and reads them back whole', async () => {
    const s = await open(40);
    const written = await fill(s, 3, 5);
    expect(fs.readFileSync(s.logFile)).toEqual(Buffer.concat(written));
    const read = await s.read(40, 1_000_000);
    expect(read?.records).toEqual(Buffer.concat(written));
    expect(await s.readNextOffset()).toBe(55);
  });

  it('adds an index entry after more than index.interval.bytes, mapping the last offset of that append to where it starts', async () => {
    const s = await open(0, { 'index.interval.bytes': 1000 });
    const written = await fill(s, 12, 5, 100);
    const size = written[0]!.length; // ~720 bytes per batch
    // Entries appear at the append that starts after > 1000 bytes since the last entry.
    const entries = Array.from({ length: s.offsetIndex.entries }, (_, i) => s.offsetIndex.entry(i));
    expect(entries.length).toBeGreaterThan(2);
    for (const e of entries) {
      const batchIndex = e.position / size;
      expect(Number.isInteger(batchIndex)).toBe(true);
      expect(e.offset).toBe(batchIndex * 5 + 4);
    }
    expect(entries[0]!.position).toBe(2 * size);
  });

  it('reads from the batch containing a mid-batch start offset', async () => {
    const s = await open(0, { 'index.interval.bytes': 0 });
    await fill(s, 10, 5);
    const read = await s.read(23, 1_000_000);
    expect(batchOffsets(read!.records)[0]).toEqual([20, 24]);
  });

  it('returns only whole batches within maxSize', async () => {
    const s = await open();
    const written = await fill(s, 10, 5);
    const read = await s.read(0, written[0]!.length * 3 + 10);
    expect(batchOffsets(read!.records)).toEqual([[0, 4], [5, 9], [10, 14]]);
  });

  it('returns the first batch whole when it is larger than maxSize and minOneMessage is set', async () => {
    const s = await open();
    const written = await fill(s, 3, 5, 1000);
    const whole = await s.read(0, 100, undefined, true);
    expect(whole!.records).toEqual(written[0]);
    const none = await s.read(0, 100, undefined, false);
    expect(none!.records.length).toBe(0);
    expect(none!.firstEntryIncomplete).toBe(true);
  });

  it('stops at maxPosition and before the first batch at or beyond maxOffset', async () => {
    const s = await open();
    const written = await fill(s, 6, 5);
    const byPosition = await s.read(0, 1_000_000, written[0]!.length * 2);
    expect(batchOffsets(byPosition!.records)).toEqual([[0, 4], [5, 9]]);
    const byOffset = await s.read(0, 1_000_000, undefined, true, 12);
    expect(batchOffsets(byOffset!.records)).toEqual([[0, 4], [5, 9]]);
    const beyond = await s.read(13, 1_000_000, undefined, true, 12);
    expect(beyond!.records.length).toBe(0);
  });

  it('reads large fetches into pooled buffers: once released, the next fetch reuses the memory and holds exactly its own batches', async () => {
    const s = await open(0);
    const written = await fill(s, 40, 5, 2000); // ~10 KB per batch
    const wholeBatches = (from: number, bytes: number): Buffer => Buffer.concat(written.slice(from / 5, from / 5 + Math.floor(bytes / written[0]!.length)));
    const first = (await s.read(0, 100 * 1024))!;
    expect(first.records.length).toBeGreaterThan(64 * 1024);
    expect(first.records.equals(wholeBatches(0, 100 * 1024))).toBe(true); // (toEqual walks 100 KB byte by byte)
    expect(READ_BUFFERS.release(first.records)).toBe(true);
    const next = first.nextOffset!;
    const second = (await s.read(next, 100 * 1024))!; // continues where the first ended
    expect(second.records.buffer).toBe(first.records.buffer);
    expect(second.records.equals(wholeBatches(next, 100 * 1024))).toBe(true);
    // Not released: the following read gets other memory, and the second's bytes stay intact.
    const third = (await s.read(second.nextOffset!, 100 * 1024))!;
    expect(third.records.buffer).not.toBe(second.records.buffer);
    expect(second.records.equals(wholeBatches(next, 100 * 1024))).toBe(true);
  });

  it('returns null when the start offset is past the last batch', async () => {
    const s = await open();
    await fill(s, 2, 5);
    expect(await s.read(10, 1000)).toBeNull();
    expect(await s.translateOffset(10)).toBeNull();
    expect(await s.translateOffset(7)).toEqual({ offset: 9, position: expect.any(Number), size: expect.any(Number) });
  });

  it('finds the first record at or after a timestamp, through the time index', async () => {
    const s = await open(0, { 'index.interval.bytes': 0 });
    for (let i = 0; i < 10; i++) {
      const b = batch({ baseOffset: i * 3, timestamps: [1000 + i * 100, 1010 + i * 100, 1050 + i * 100] });
      await s.append(i * 3 + 2, 1050 + i * 100, i * 3 + 2, b);
    }
    expect(await s.findOffsetByTimestamp(1305)).toEqual({ timestamp: 1310, offset: 10 });
    expect(await s.findOffsetByTimestamp(0)).toEqual({ timestamp: 1000, offset: 0 });
    expect(await s.findOffsetByTimestamp(5000)).toBeNull();
    // Records below startingOffset do not count.
    expect(await s.findOffsetByTimestamp(0, 4)).toEqual({ timestamp: 1110, offset: 4 });
  });

  it('finds offsets by timestamp inside compressed batches', async () => {
    const s = await open();
    const b = await compressedBatch(CompressionType.Gzip, { timestamps: [100, 200, 300] });
    await s.append(2, 300, 2, b);
    expect(await s.findOffsetByTimestamp(150)).toEqual({ timestamp: 200, offset: 1 });
  });

  it('truncates from the batch holding the offset, trims the indexes and reports the bytes removed', async () => {
    const s = await open(0, { 'index.interval.bytes': 0 });
    const written = await fill(s, 10, 5);
    const before = s.size;
    const removed = await s.truncateTo(25);
    expect(removed).toBe(before - written[0]!.length * 5);
    expect(s.size).toBe(written[0]!.length * 5);
    expect(fileSize(s.logFile)).toBe(s.size);
    expect(s.offsetIndex.lastOffset).toBeLessThan(25);
    expect(await s.readNextOffset()).toBe(25);
    expect((await s.maxTimestampAndOffsetSoFar()).timestamp).toBe(1004);
    // Appends continue after the truncation point.
    await s.append(29, 2000, 29, batch({ baseOffset: 25, count: 5 }));
    expect(await s.readNextOffset()).toBe(30);
  });

  it('trims both index files on becoming inactive and forces the final time index entry', async () => {
    const s = await open(0, { 'index.interval.bytes': 100000, 'segment.index.bytes': 4096 });
    expect(fileSize(s.offsetIndex.file)).toBe(4096);
    expect(fileSize(s.timeIndex.file)).toBe(4092);
    await fill(s, 3, 5, 100, (i) => [5000, 7000, 6000][i]!);
    expect(s.timeIndex.entries).toBe(0);
    await s.onBecomeInactiveSegment();
    expect(fileSize(s.offsetIndex.file)).toBe(0);
    expect(fileSize(s.timeIndex.file)).toBe(12);
    expect(s.timeIndex.lastEntry()).toEqual({ timestamp: 7000, offset: 9 });
    expect(await s.largestTimestamp()).toBe(7000);
  });

  it('rolls by size, by record-timestamp age and when offsets would overflow int32', async () => {
    const s = await open(0, { 'segment.ms': 1000 });
    const params = { maxSegmentMs: 1000, maxSegmentBytes: 10000, maxTimestampInMessages: 0, maxOffsetInMessages: 0, messagesSize: 0, now: time.milliseconds() };
    expect(await s.shouldRoll(params)).toBe(false);
    const b = batch({ count: 1, timestamp: 5000 });
    await s.append(0, 5000, 0, b);
    expect(await s.shouldRoll({ ...params, maxTimestampInMessages: 6000 })).toBe(false);
    expect(await s.shouldRoll({ ...params, maxTimestampInMessages: 6001 })).toBe(true);
    expect(await s.shouldRoll({ ...params, maxTimestampInMessages: 5000, messagesSize: 10000 - b.length + 1 })).toBe(true);
    expect(await s.shouldRoll({ ...params, maxTimestampInMessages: 5000, maxOffsetInMessages: 2 ** 31 })).toBe(true);
    await expect(s.append(2 ** 31, 5000, 2 ** 31, batch({ baseOffset: 2 ** 31 }))).rejects.toThrow(LogSegmentOffsetOverflowError);
  });

  it('recovers a torn tail: keeps every whole batch and rebuilds the same index', async () => {
    const s = await open(0, { 'index.interval.bytes': 500 });
    const written = await fill(s, 20, 5);
    const entries = s.offsetIndex.entries;
    await s.closeHandlers();
    const full = Buffer.concat(written);
    fs.truncateSync(s.logFile, full.length - 30);
    const again = await open(0, { 'index.interval.bytes': 500 }, true);
    const result = await again.recover();
    expect(result.truncatedBytes).toBe(written[19]!.length - 30);
    expect(result.corruption).toEqual({ file: again.logFile, position: full.length - written[19]!.length, reason: expect.stringContaining('partial') });
    expect(fs.readFileSync(again.logFile)).toEqual(full.subarray(0, full.length - written[19]!.length));
    expect(await again.readNextOffset()).toBe(95);
    expect(again.offsetIndex.entries).toBeGreaterThanOrEqual(entries - 1);
    expect(fileSize(again.offsetIndex.file)).toBe(again.offsetIndex.entries * 8);
  });

  it('recovers from a flipped byte in the last batch by truncating it', async () => {
    const s = await open();
    const written = await fill(s, 4, 5);
    await s.closeHandlers();
    const bytes = fs.readFileSync(s.logFile);
    const lastStart = bytes.length - written[3]!.length;
    bytes[lastStart + 80] ^= 0xff;
    fs.writeFileSync(s.logFile, bytes);
    const again = await open(0, {}, true);
    const result = await again.recover();
    expect(result.corruption?.position).toBe(lastStart);
    expect(result.corruption?.reason).toMatch(/crc/);
    expect(again.size).toBe(lastStart);
    expect(await again.readNextOffset()).toBe(15);
  });

  it('recovers from an impossible batch length by truncating there', async () => {
    const s = await open();
    const written = await fill(s, 4, 5);
    await s.closeHandlers();
    const bytes = fs.readFileSync(s.logFile);
    const at = written[0]!.length * 2;
    bytes.writeInt32BE(3, at + 8);
    fs.writeFileSync(s.logFile, bytes);
    const again = await open(0, {}, true);
    const result = await again.recover();
    expect(result.corruption).toMatchObject({ position: at, reason: expect.stringContaining('impossible batch size') });
    expect(again.size).toBe(at);
  });

  it('rebuilds a corrupt index from the .log when it is first used', async () => {
    const s = await open(0, { 'index.interval.bytes': 0 });
    await fill(s, 10, 5);
    await s.onBecomeInactiveSegment();
    await s.close();
    fs.writeFileSync(s.offsetIndex.file, Buffer.alloc(80));
    const again = await open(0, { 'index.interval.bytes': 0 }, true);
    const read = await again.read(33, 1_000_000);
    expect(batchOffsets(read!.records)[0]).toEqual([30, 34]);
    expect(again.offsetIndex.entries).toBe(9);
  });

  it('reads and recovers legacy v0 and v1 message sets', async () => {
    const s = await open(0);
    const v0 = await encodeLegacyMessageSet({ magic: 0, baseOffset: 0, records: [{ value: Buffer.from('a') }, { value: Buffer.from('b') }] });
    const v1 = await encodeLegacyMessageSet({ magic: 1, baseOffset: 2, records: [{ value: Buffer.from('c'), timestamp: 5000 }] });
    const v1gz = await encodeLegacyMessageSet({ magic: 1, baseOffset: 3, compression: CompressionType.Gzip, records: [{ value: Buffer.from('d'), timestamp: 6000 }, { value: Buffer.from('e'), timestamp: 6100 }] });
    await s.append(1, -1, 1, v0);
    await s.append(2, 5000, 2, v1);
    await s.append(4, 6100, 4, v1gz);
    expect(await s.readNextOffset()).toBe(5);
    const read = await s.read(2, 1_000_000);
    expect(read!.records).toEqual(Buffer.concat([v1, v1gz]));
    expect(await s.findOffsetByTimestamp(6050)).toEqual({ timestamp: 6100, offset: 4 });
    await s.closeHandlers();
    const again = await open(0, {}, true);
    const result = await again.recover();
    expect(result.truncatedBytes).toBe(0);
    expect(await again.largestTimestamp()).toBe(6100);
  });
});
