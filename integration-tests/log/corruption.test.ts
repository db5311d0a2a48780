/**
 * Damage found on disk at startup (issue 3's corruption proofs), beyond the single cases in
 * broker/src/log/log-recovery.test.ts: the last batch cut at every kind of boundary, a flip in
 * every CRC-covered field of the last batch (and in the base offset, which the CRC does not
 * cover), and zeroed index regions on segments that recovery does not re-read. Each time, no batch
 * before the damage may be lost, the damaged bytes must be gone, and the independent scan of the
 * directory (helpers/log-verify.ts) must agree with what Log.read serves.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pino from 'pino';
import { MockScheduler } from '../../broker/src/common/scheduler';
import { MockTime } from '../../broker/src/common/time';
import { FileHandlePool } from '../../broker/src/log/file-handle-pool';
import { Log } from '../../broker/src/log/log';
import { LogConfig } from '../../broker/src/log/log-config';
import { CompressionType, encodeRecordBatch } from '../../broker/src/protocol/records';
import {
  type ScannedBatch,
  type ScannedSegment,
  checkContiguous,
  checkSegmentIndexes,
  nextOffsetOf,
  readOffsetIndexFile,
  scanBatches,
  scanLogDir,
  segmentFileName,
} from './helpers/log-verify';

const CONFIG = { 'segment.bytes': 16 * 1024, 'index.interval.bytes': 256, 'segment.index.bytes': 4096 };
const BATCHES = 120;

let root: string;
let dir: string;
let time: MockTime;
let pool: FileHandlePool | undefined;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'samsa-corrupt-'));
  dir = path.join(root, 'topic-0');
  time = new MockTime(1_700_000_000_000);
});
afterEach(async () => {
  await pool?.close();
  pool = undefined;
  fs.rmSync(root, { recursive: true, force: true });
});

async function open(hadCleanShutdown: boolean, recoveryPoint = 0): Promise<Log> {
  pool = new FileHandlePool({ maxOpen: 32 });
  return Log.load({
    dir,
    topicPartition: { topic: 'topic', partition: 0 },
    config: new LogConfig(CONFIG),
    recoveryPoint,
    logStartOffset: 0,
    hadCleanShutdown,
    time,
    scheduler: new MockScheduler(time),
    logger: pino({ level: 'silent' }),
    filePool: pool,
  });
}

/** The process dies: descriptors go, nothing is trimmed or flushed by the log. */
async function crash(): Promise<void> {
  await pool?.close();
  pool = undefined;
}

/** Batch i: 1-12 records of 20-200 bytes; every fourth gzip, every seventh lz4. */
async function batchOf(i: number): Promise<Buffer> {
  const count = 1 + (i % 12);
  const records = Array.from({ length: count }, (_, j) => ({
    key: Buffer.from(`k${i}-${j}`),
    value: Buffer.alloc(20 + ((i * 37 + j * 11) % 180), i % 251),
    timestamp: 1_700_000_000_000 + i * 10 + j,
  }));
  const compression = i % 4 === 3 ? CompressionType.Gzip : i % 7 === 6 ? CompressionType.Lz4 : CompressionType.None;
  return encodeRecordBatch({ records, compression });
}

/** A log of BATCHES batches over several segments, left as a crash leaves it. */
async function writeAndCrash(): Promise<ScannedSegment[]> {
  const log = await open(true);
  for (let i = 0; i < BATCHES; i++) await log.appendAsLeader(await batchOf(i), 0);
  expect(log.numberOfSegments).toBeGreaterThan(4);
  await crash();
  return scanLogDir(dir, false);
}

function lastBatchOf(segments: readonly ScannedSegment[]): { seg: ScannedSegment; batch: ScannedBatch } {
  const seg = segments[segments.length - 1]!;
  return { seg, batch: seg.batches[seg.batches.length - 1]! };
}

/** Reads every offset through the log and compares with the independent scan. */
async function expectReadsMatchScan(log: Log, segments: readonly ScannedSegment[]): Promise<void> {
  const want = segments.flatMap((s) => s.batches.map((b) => `${b.baseOffset}-${b.lastOffset}`));
  const got: string[] = [];
  for (let offset = 0; offset < log.logEndOffset; ) {
    const batches = scanBatches((await log.read(offset, 4096, { minOneMessage: true })).records, `read at ${offset}`);
    for (const b of batches) got.push(`${b.baseOffset}-${b.lastOffset}`);
    offset = batches[batches.length - 1]!.lastOffset + 1;
  }
  expect(got).toEqual(want);
}

/** Recovery kept exactly the batches before the damaged one, and everything agrees. */
async function expectRecoveredTo(log: Log, before: readonly ScannedSegment[], keptBatches: number): Promise<void> {
  const after = scanLogDir(dir, false);
  const all = (segs: readonly ScannedSegment[]): string[] => segs.flatMap((s) => s.batches.map((b) => `${b.baseOffset}-${b.lastOffset}@${b.position}`));
  expect(all(after)).toEqual(all(before).slice(0, keptBatches));
  expect(checkContiguous(after)).toEqual([]);
  expect(log.logEndOffset).toBe(nextOffsetOf(after));
  // Reads first: they load (and rebuild, where broken) the indexes of segments recovery did not touch.
  await expectReadsMatchScan(log, after);
  const config = new LogConfig(CONFIG);
  const problems = after.flatMap((seg, i) =>
    checkSegmentIndexes(seg, { indexInterval: config.indexInterval, maxIndexSize: config.maxIndexSize, closed: i < after.length - 1, exact: true }),
  );
  expect(problems).toEqual([]);
  // And the log goes on: the next append lands right after the kept data.
  const info = await log.appendAsLeader(await batchOf(0), 0);
  expect(info.firstOffset).toBe(nextOffsetOf(after));
  await log.close();
}

describe('a torn last batch', () => {
  // Cut points: inside the offset/length prefix, before the magic, inside the 61-byte header, in
  // the records, and one byte short of whole.
  it.each([1, 11, 16, 17, 40, 60, 61, 62, -50, -1])('is cut off when the file ends %i bytes into it (negative: from its end)', async (cut) => {
    const before = await writeAndCrash();
    const { seg, batch } = lastBatchOf(before);
    const keep = cut > 0 ? cut : batch.size + cut;
    fs.truncateSync(seg.logFile, batch.position + keep);
    const log = await open(false);
    expect(fs.statSync(seg.logFile).size).toBe(batch.position);
    await expectRecoveredTo(log, before, before.flatMap((s) => s.batches).length - 1);
  });

  it('is cut off in a segment below the recovery point only when that segment is re-read (an unclean open re-reads from the recovery point on)', async () => {
    const before = await writeAndCrash();
    const { seg, batch } = lastBatchOf(before);
    fs.truncateSync(seg.logFile, batch.position + 30);
    // Recovery point at the start of the last segment: that segment is still re-validated.
    const log = await open(false, seg.baseOffset);
    await expectRecoveredTo(log, before, before.flatMap((s) => s.batches).length - 1);
  });
});

describe('a flipped byte in the last batch', () => {
  // Every CRC-covered field (attributes .. the last record byte) and the length and magic fields.
  const positions: [string, number][] = [
    ['batchLength high byte', 8],
    ['batchLength low byte', 11],
    ['magic', 16],
    ['crc', 18],
    ['attributes (codec bits)', 22],
    ['lastOffsetDelta', 26],
    ['firstTimestamp', 34],
    ['maxTimestamp', 42],
    ['producerId', 50],
    ['producerEpoch', 52],
    ['baseSequence', 56],
    ['recordsCount', 60],
    ['first record byte', 61],
    ['middle of the records', -40],
    ['last byte', -1],
  ];
  it.each(positions)('truncates the batch when %s is damaged', async (_field, at) => {
    const before = await writeAndCrash();
    const { seg, batch } = lastBatchOf(before);
    const bytes = fs.readFileSync(seg.logFile);
    const pos = batch.position + (at >= 0 ? at : batch.size + at);
    bytes[pos] = bytes[pos]! ^ 0x10;
    fs.writeFileSync(seg.logFile, bytes);
    const log = await open(false);
    expect(fs.statSync(seg.logFile).size).toBe(batch.position);
    await expectRecoveredTo(log, before, before.flatMap((s) => s.batches).length - 1);
  });

  // The CRC does not cover the base offset. Like Kafka's, recovery only sees offsets that go
  // backwards as a whole (last offset <= the previous batch's); a partly overlapping batch passes
  // there too.
  it('truncates a batch whose base offset (not covered by the CRC) puts it wholly at or below the previous batch', async () => {
    const before = await writeAndCrash();
    const { seg, batch } = lastBatchOf(before);
    const bytes = fs.readFileSync(seg.logFile);
    bytes.writeBigInt64BE(BigInt(batch.baseOffset - 20), batch.position);
    fs.writeFileSync(seg.logFile, bytes);
    const log = await open(false);
    await expectRecoveredTo(log, before, before.flatMap((s) => s.batches).length - 1);
  });

  // KNOWN BUG (fails until fixed): Kafka 2.8 answers a LogSegmentOffsetOverflowException during
  // load by splitting the segment (Log.retryOnOffsetOverflow / splitOverflowedSegment) and goes
  // on; Samsa's recovery throws it out of Log.load, so LogManager.startup, and the broker, fail
  // on one flipped bit the CRC does not cover. Either splitting (Kafka) or truncating the batch as
  // invalid keeps everything before the damage, which is all this test asks.
  it('loads when a flipped high bit in the base offset makes the relative offset overflow int32', async () => {
    const before = await writeAndCrash();
    const { seg, batch } = lastBatchOf(before);
    const bytes = fs.readFileSync(seg.logFile);
    bytes[batch.position + 3] ^= 0x01; // base offset + 2^32
    fs.writeFileSync(seg.logFile, bytes);
    const log = await open(false);
    const kept = before.flatMap((s) => s.batches).slice(0, -1);
    for (const b of kept) {
      const [first] = scanBatches((await log.read(b.baseOffset, 1, { minOneMessage: true })).records, `read at ${b.baseOffset}`);
      expect([first?.baseOffset, first?.lastOffset]).toEqual([b.baseOffset, b.lastOffset]);
    }
    expect(log.logEndOffset).toBeGreaterThanOrEqual(batch.baseOffset);
    await log.close();
  });

it('keeps every earlier segment when a middle segment\'s last batch is damaged, and drops the later ones', async () => {
    const before = await writeAndCrash();
    const victim = before[2]!;
    const batch = victim.batches[victim.batches.length - 1]!;
    const bytes = fs.readFileSync(victim.logFile);
    bytes[batch.position + batch.size - 5] ^= 0x01;
    fs.writeFileSync(victim.logFile, bytes);
    const log = await open(false);
    const kept = before.slice(0, 2).reduce((n, s) => n + s.batches.length, 0) + victim.batches.length - 1;
    await expectRecoveredTo(log, before, kept);
  });
});

describe('zeroed index regions', () => {
  /** A cleanly closed log whose segment `which` (-1: the last) has index files as an unclean stop leaves them. */
  async function closedLogWithZeroedIndexes(which: number, mode: 'zero-tail' | 'all-zero'): Promise<{ segments: ScannedSegment[]; victim: ScannedSegment }> {
    const log = await open(true);
    for (let i = 0; i < BATCHES; i++) await log.appendAsLeader(await batchOf(i), 0);
    await log.close();
    const segments = scanLogDir(dir, false);
    const victim = segments[which < 0 ? segments.length + which : which]!;
    for (const [file, entrySize] of [[victim.indexFile, 8], [victim.timeIndexFile, 12]] as const) {
      const length = Math.floor(CONFIG['segment.index.bytes'] / entrySize) * entrySize;
      if (mode === 'zero-tail') fs.appendFileSync(file, Buffer.alloc(length - fs.statSync(file).size));
      else fs.writeFileSync(file, Buffer.alloc(length));
    }
    return { segments, victim };
  }

  it.each([
    ['an inactive segment, entries followed by the preallocated zeros', 1, 'zero-tail'],
    ['an inactive segment, all zeros', 2, 'all-zero'],
    ['the last segment, entries followed by the preallocated zeros', -1, 'zero-tail'],
  ] as const)('rebuilds the indexes of %s on a clean open, losing nothing', async (_what, which, mode) => {
    const { segments, victim } = await closedLogWithZeroedIndexes(which, mode);
    const log = await open(true);
    await expectRecoveredTo(log, segments, segments.flatMap((s) => s.batches).length);
    expect(readOffsetIndexFile(victim.indexFile, victim.baseOffset).zeroTailBytes).toBe(0);
  });

  it('rebuilds a zeroed index of a segment below the recovery point after an unclean stop', async () => {
    const before = await writeAndCrash();
    const seg = before[1]!;
    fs.writeFileSync(seg.indexFile, Buffer.alloc(CONFIG['segment.index.bytes']));
    fs.writeFileSync(seg.timeIndexFile, Buffer.alloc(Math.floor(CONFIG['segment.index.bytes'] / 12) * 12));
    const log = await open(false, before[3]!.baseOffset);
    await expectRecoveredTo(log, before, before.flatMap((s) => s.batches).length);
    expect(fs.readdirSync(dir)).toContain(segmentFileName(seg.baseOffset, '.index'));
  });
});

