/**
 * Independent reading of what Samsa writes to disk: every `.log` file decodes batch by batch with
 * kafkajs 2.2.4's own RecordBatch decoder (kafkajs frames the batches itself, from one Decoder
 * over the whole file), CRC-32C is recomputed with a table implementation written here, and the
 * raw `.index` / `.timeindex` bytes agree with a scan of the `.log`: trimmed to their entries
 * after roll and close, preallocated to segment.index.bytes for the active segment, as Kafka
 * leaves them. (No kafka-dump-log tool exists in the repository yet, so there is no comparison
 * with it.)
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { CompressionType, type SimpleRecord, encodeRecordBatch } from '../protocol/records';
import type { Log } from './log';
import { type TestLogContext, logDir, newContext, openLog, removeDir } from './testing/log-test-utils';

interface KafkajsDecoder {
  offset: number;
  buffer: Buffer;
}
interface KafkajsRecord {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | Buffer[] | null>;
}
interface KafkajsBatch {
  firstOffset: string;
  partitionLeaderEpoch: number;
  lastOffsetDelta: number;
  maxTimestamp: string;
  records: KafkajsRecord[];
}

const load = createRequire(__filename);
const KafkajsDecoderClass = load('kafkajs/src/protocol/decoder') as new (buffer: Buffer) => KafkajsDecoder;
const decodeKafkajsBatch = load('kafkajs/src/protocol/recordBatch/v0/decoder') as (decoder: KafkajsDecoder) => Promise<KafkajsBatch>;

/** CRC-32C, one byte at a time from a table (slow, and shares no code with Samsa's). */
const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();
function crc32cTable(buf: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of buf) crc = CRC32C_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const EPOCH = 5;
const SEGMENT_BYTES = 32 * 1024;
const INDEX_INTERVAL = 1024;
const SEGMENT_INDEX_BYTES = 10 * 1024 * 1024;

/** Batch i of the test: 1-30 records with headers; every third batch gzip (kafkajs's built-in codec). */
function recordsOf(i: number, firstOffset: number): SimpleRecord[] {
  const count = 1 + ((i * 7) % 30);
  return Array.from({ length: count }, (_, j) => ({
    key: j % 5 === 4 ? null : Buffer.from(`k-${firstOffset + j}`),
    value: Buffer.alloc(20 + ((i * 13 + j * 29) % 400), `v${firstOffset + j};`),
    headers: [{ key: 'h', value: Buffer.from(String(firstOffset + j)) }],
    timestamp: 1_700_000_000_000 + firstOffset + j,
  }));
}

interface LogEntry {
  baseOffset: number;
  lastOffset: number;
  position: number;
}

/** Decodes a whole .log with kafkajs, checking each batch's CRC and records; returns where each batch was. */
async function kafkajsScan(file: string, expectRecords: (offset: number) => SimpleRecord): Promise<LogEntry[]> {
  const buf = fs.readFileSync(file);
  const decoder = new KafkajsDecoderClass(buf);
  const out: LogEntry[] = [];
  while (decoder.offset < buf.length) {
    const position = decoder.offset;
    const batch = await decodeKafkajsBatch(decoder);
    const size = decoder.offset - position;
    expect(buf.readInt32BE(position + 8) + 12).toBe(size);
    expect(buf.readUInt32BE(position + 17)).toBe(crc32cTable(buf.subarray(position + 21, position + size)));
    expect(batch.partitionLeaderEpoch).toBe(EPOCH);
    const base = Number(batch.firstOffset);
    expect(batch.records.map((r) => Number(r.offset))).toEqual(Array.from({ length: batch.lastOffsetDelta + 1 }, (_, j) => base + j));
    // Compared as hex: jest's deep equality walks Buffers byte by byte, far too slowly for thousands.
    const hex = (b: Buffer | Buffer[] | null | undefined): string | null => (b == null ? null : Buffer.isBuffer(b) ? b.toString('hex') : 'array');
    const got = batch.records.map((r) => [r.offset, r.timestamp, hex(r.key), hex(r.value), hex(r.headers.h)]);
    const want = batch.records.map((r) => {
      const w = expectRecords(Number(r.offset));
      return [r.offset, String(w.timestamp), hex(w.key), hex(w.value), hex(w.headers![0]!.value)];
    });
    expect(got).toEqual(want);
    out.push({ baseOffset: base, lastOffset: base + batch.lastOffsetDelta, position });
  }
  return out;
}

function rawOffsetIndex(file: string, baseOffset: number): { offset: number; position: number }[] {
  const buf = fs.readFileSync(file);
  const out: { offset: number; position: number }[] = [];
  for (let pos = 0; pos + 8 <= buf.length; pos += 8) {
    if (buf.readInt32BE(pos) === 0 && buf.readInt32BE(pos + 4) === 0) break;
    out.push({ offset: baseOffset + buf.readInt32BE(pos), position: buf.readInt32BE(pos + 4) });
  }
  return out;
}

function rawTimeIndex(file: string, baseOffset: number): { timestamp: number; offset: number }[] {
  const buf = fs.readFileSync(file);
  const out: { timestamp: number; offset: number }[] = [];
  for (let pos = 0; pos + 12 <= buf.length; pos += 12) {
    if (buf.readBigInt64BE(pos) === 0n) break;
    out.push({ timestamp: Number(buf.readBigInt64BE(pos)), offset: baseOffset + buf.readInt32BE(pos + 8) });
  }
  return out;
}

/** Kafka's rule, one batch per append: (last offset, start) of a batch starting > interval bytes after the previous entry's. */
function expectedIndex(entries: LogEntry[], fileSize: number): { offset: number; position: number }[] {
  const out: { offset: number; position: number }[] = [];
  let since = 0;
  entries.forEach((e, i) => {
    if (since > INDEX_INTERVAL) {
      out.push({ offset: e.lastOffset, position: e.position });
      since = 0;
    }
    since += (entries[i + 1]?.position ?? fileSize) - e.position;
  });
  return out;
}

describe('a Samsa log directory read by independent code', () => {
  let ctx: TestLogContext;
  let log: Log;
  const appended = new Map<number, SimpleRecord>();

  beforeEach(async () => {
    ctx = await newContext();
    appended.clear();
    log = await openLog(ctx, { 'segment.bytes': SEGMENT_BYTES, 'index.interval.bytes': INDEX_INTERVAL, 'segment.index.bytes': SEGMENT_INDEX_BYTES });
    for (let i = 0; i < 150; i++) {
      const first = log.logEndOffset;
      const records = recordsOf(i, first);
      records.forEach((r, j) => appended.set(first + j, r));
      const batch = await encodeRecordBatch({ records, compression: i % 3 === 2 ? CompressionType.Gzip : CompressionType.None });
      await log.appendAsLeader(batch, EPOCH);
    }
  });
  afterEach(async () => {
    await log.close();
    await removeDir(ctx.dir);
  });

  const file = (base: number, suffix: string): string => path.join(logDir(ctx), `${String(base).padStart(20, '0')}${suffix}`);
  const record = (offset: number): SimpleRecord => appended.get(offset)!;

  it('decodes every .log with kafkajs, batch by batch, offsets contiguous across segments', async () => {
    const bases = log.segments.map((s) => s.baseOffset);
    expect(bases.length).toBeGreaterThan(5);
    let next = 0;
    for (const base of bases) {
      const entries = await kafkajsScan(file(base, '.log'), record);
      for (const e of entries) {
        expect(e.baseOffset).toBe(next);
        next = e.lastOffset + 1;
      }
    }
    expect(next).toBe(log.logEndOffset);
    expect(next).toBe(appended.size);
  });

  it('has rolled segments\' .index/.timeindex trimmed and equal to a scan; the active one preallocated', async () => {
    // The active segment's index entries reach its file in batches, all of them by a flush.
    await log.flush();
    const segments = log.segments;
    for (const [i, segment] of segments.entries()) {
      const base = segment.baseOffset;
      const entries = await kafkajsScan(file(base, '.log'), record);
      const logSize = fs.statSync(file(base, '.log')).size;
      const index = rawOffsetIndex(file(base, '.index'), base);
      expect(index).toEqual(expectedIndex(entries, logSize));
      const times = rawTimeIndex(file(base, '.timeindex'), base);
      const active = i === segments.length - 1;
      if (active) {
        expect(fs.statSync(file(base, '.index')).size).toBe(SEGMENT_INDEX_BYTES);
        expect(fs.statSync(file(base, '.timeindex')).size).toBe(Math.floor(SEGMENT_INDEX_BYTES / 12) * 12);
      } else {
        expect(index.length).toBeGreaterThan(0);
        expect(fs.statSync(file(base, '.index')).size).toBe(index.length * 8);
        expect(fs.statSync(file(base, '.timeindex')).size).toBe(times.length * 12);
        // The entry forced on roll: the segment's max timestamp at the last offset holding it.
        const last = entries[entries.length - 1]!;
        expect(times[times.length - 1]).toEqual({ timestamp: record(last.lastOffset).timestamp, offset: last.lastOffset });
      }
      // Every time entry names the last offset of a batch and the max timestamp up to it.
      for (const t of times) {
        expect(entries.some((e) => e.lastOffset === t.offset)).toBe(true);
        expect(t.timestamp).toBe(record(t.offset).timestamp);
      }
    }
  });

  it('leaves every index trimmed after close, still agreeing with the .log', async () => {
    const bases = log.segments.map((s) => s.baseOffset);
    await log.close();
    for (const base of bases) {
      const entries = await kafkajsScan(file(base, '.log'), record);
      const index = rawOffsetIndex(file(base, '.index'), base);
      expect(index).toEqual(expectedIndex(entries, fs.statSync(file(base, '.log')).size));
      expect(fs.statSync(file(base, '.index')).size).toBe(index.length * 8);
      expect(fs.statSync(file(base, '.timeindex')).size).toBe(rawTimeIndex(file(base, '.timeindex'), base).length * 12);
    }
    log = await openLog(ctx, { 'segment.bytes': SEGMENT_BYTES, 'index.interval.bytes': INDEX_INTERVAL, 'segment.index.bytes': SEGMENT_INDEX_BYTES });
  });
});
