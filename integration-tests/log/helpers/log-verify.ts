/**
 * An independent reader of a partition directory, for the storage proofs: it parses `.log`,
 * `.index` and `.timeindex` files from their raw bytes (reference §4.2-4.3) without going
 * through broker/src/log, validates every batch (magic, length, CRC-32C, counts), and checks
 * that the indexes agree with a full scan of the log as Kafka defines them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  type DecodedRecordBatch,
  LOG_OVERHEAD,
  MAGIC_VALUE_V2,
  RECORD_BATCH_OVERHEAD,
  decodeRecordBatch,
  validateBatchHeader,
} from '../../../broker/src/protocol/records';

export interface ScannedBatch {
  baseOffset: number;
  lastOffset: number;
  position: number;
  size: number;
  maxTimestamp: number;
  compression: number;
}

export interface ScannedSegment {
  baseOffset: number;
  logFile: string;
  indexFile: string;
  timeIndexFile: string;
  size: number;
  batches: ScannedBatch[];
}

export interface OffsetEntry {
  offset: number;
  position: number;
}

export interface TimeEntry {
  timestamp: number;
  offset: number;
}

export interface RawIndex<E> {
  entries: E[];
  fileSize: number;
  /** Bytes after the entries, all zero (a preallocated index that has not been trimmed). */
  zeroTailBytes: number;
}

/** A byte of the log that cannot be part of a valid batch. */
export class LogScanError extends Error {
  override readonly name = 'LogScanError';
}

const LOG_NAME = /^(\d{20})\.log$/;

let zeros = Buffer.alloc(0);
/** Whether every byte is zero (memcmp against zeros: preallocated files run to megabytes). */
export function isAllZero(buf: Buffer): boolean {
  if (zeros.length < buf.length) zeros = Buffer.alloc(buf.length);
  return buf.equals(zeros.subarray(0, buf.length));
}

/** Bytes of `buf` that are not zero. */
export function countNonZero(buf: Buffer): number {
  if (isAllZero(buf)) return 0;
  let n = 0;
  for (let i = 0; i < buf.length; i++) if (buf[i] !== 0) n++;
  return n;
}

export function segmentFileName(baseOffset: number, suffix: string): string {
  return `${String(baseOffset).padStart(20, '0')}${suffix}`;
}

/** Live segments of a partition dir (no `.deleted`/`.cleaned`/`.swap`), by base offset. */
export function listSegments(dir: string): { baseOffset: number; logFile: string }[] {
  return fs
    .readdirSync(dir)
    .map((name) => LOG_NAME.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ baseOffset: Number(m[1]), logFile: path.join(dir, m[0]) }))
    .sort((a, b) => a.baseOffset - b.baseOffset);
}

/**
 * Walks `buf` batch by batch; throws LogScanError at the first byte that does not start a whole,
 * valid v2 batch (torn tail, zeros, flipped bits), so a scan that returns saw nothing else.
 */
export function scanBatches(buf: Buffer, file: string, preallocated = false): ScannedBatch[] {
  const batches: ScannedBatch[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const remaining = buf.length - pos;
    if (preallocated && buf.readInt32BE(pos + 8) === 0) {
      // An active segment under log.preallocate: the data ends where the preallocated zeros begin.
      if (!isAllZero(buf.subarray(pos))) throw new LogScanError(`${file} at byte ${pos}: non-zero bytes in the preallocated tail`);
      break;
    }
    const where = `${file} at byte ${pos}`;
    if (remaining < RECORD_BATCH_OVERHEAD) throw new LogScanError(`${where}: ${remaining} trailing bytes, fewer than a batch header`);
    const magic = buf.readInt8(pos + 16);
    if (magic !== MAGIC_VALUE_V2) throw new LogScanError(`${where}: magic ${magic}`);
    const size = buf.readInt32BE(pos + 8) + LOG_OVERHEAD;
    if (size < RECORD_BATCH_OVERHEAD || size > remaining) throw new LogScanError(`${where}: batch size ${size} with ${remaining} bytes left`);
    let view;
    try {
      view = validateBatchHeader(buf, pos, { origin: 'log' });
    } catch (err) {
      throw new LogScanError(`${where}: ${err instanceof Error ? err.message : String(err)}`);
    }
    batches.push({
      baseOffset: Number(view.baseOffset),
      lastOffset: Number(view.lastOffset),
      position: pos,
      size,
      maxTimestamp: Number(view.maxTimestamp),
      compression: view.compression,
    });
    pos += size;
  }
  return batches;
}

/** `preallocated`: the segment is active under log.preallocate (its file runs on in zeros after the data). */
export function scanSegment(logFile: string, baseOffset: number, preallocated = false): ScannedSegment {
  const buf = fs.readFileSync(logFile);
  const batches = scanBatches(buf, logFile, preallocated);
  const last = batches[batches.length - 1];
  const dir = path.dirname(logFile);
  return {
    baseOffset,
    logFile,
    indexFile: path.join(dir, segmentFileName(baseOffset, '.index')),
    timeIndexFile: path.join(dir, segmentFileName(baseOffset, '.timeindex')),
    size: last === undefined ? 0 : last.position + last.size,
    batches,
  };
}

/** Every live segment; `preallocatedActive` when the log runs with log.preallocate and is open. */
export function scanLogDir(dir: string, preallocatedActive = false): ScannedSegment[] {
  const segments = listSegments(dir);
  return segments.map((s, i) => scanSegment(s.logFile, s.baseOffset, preallocatedActive && i === segments.length - 1));
}

/** Decodes every batch of a segment (decompressing, record by record) in file order. */
export async function decodeSegment(seg: ScannedSegment, onBatch: (batch: ScannedBatch, decoded: DecodedRecordBatch) => void): Promise<void> {
  const buf = fs.readFileSync(seg.logFile);
  for (const b of seg.batches) onBatch(b, await decodeRecordBatch(buf.subarray(b.position, b.position + b.size)));
}

/** Problems with offsets: each segment starts at its name's offset, batches follow with no gap or overlap. */
export function checkContiguous(segments: readonly ScannedSegment[], startOffset = 0): string[] {
  const problems: string[] = [];
  let next = startOffset;
  for (const seg of segments) {
    if (seg.baseOffset !== next) problems.push(`segment ${seg.baseOffset} starts at ${seg.baseOffset}, expected ${next}`);
    for (const b of seg.batches) {
      if (b.baseOffset !== next) problems.push(`${seg.logFile}: batch at byte ${b.position} has base offset ${b.baseOffset}, expected ${next}`);
      if (b.lastOffset < b.baseOffset) problems.push(`${seg.logFile}: batch at byte ${b.position} ends before it starts`);
      next = b.lastOffset + 1;
    }
  }
  return problems;
}

export function nextOffsetOf(segments: readonly ScannedSegment[], startOffset = 0): number {
  for (let i = segments.length - 1; i >= 0; i--) {
    const batches = segments[i]!.batches;
    if (batches.length > 0) return batches[batches.length - 1]!.lastOffset + 1;
  }
  return segments.length > 0 ? segments[segments.length - 1]!.baseOffset : startOffset;
}

function readRawIndex<E>(file: string, entrySize: number, parse: (buf: Buffer, pos: number) => E): RawIndex<E> {
  const buf = fs.readFileSync(file);
  const entries: E[] = [];
  let pos = 0;
  // An all-zero slot ends the entries: Kafka never indexes position 0 or writes a zero timestamp.
  for (; pos + entrySize <= buf.length; pos += entrySize) {
    if (isAllZero(buf.subarray(pos, pos + entrySize))) break;
    entries.push(parse(buf, pos));
  }
  const tail = buf.subarray(pos);
  if (!isAllZero(tail)) throw new LogScanError(`${file}: non-zero bytes after an empty slot at byte ${pos}`);
  return { entries, fileSize: buf.length, zeroTailBytes: tail.length };
}

/** Raw `.index`: int32 relative offset | int32 position. */
export function readOffsetIndexFile(file: string, baseOffset: number): RawIndex<OffsetEntry> {
  return readRawIndex(file, 8, (buf, pos) => ({ offset: baseOffset + buf.readInt32BE(pos), position: buf.readInt32BE(pos + 4) }));
}

/** Raw `.timeindex`: int64 timestamp | int32 relative offset. */
export function readTimeIndexFile(file: string, baseOffset: number): RawIndex<TimeEntry> {
  return readRawIndex(file, 12, (buf, pos) => ({ timestamp: Number(buf.readBigInt64BE(pos)), offset: baseOffset + buf.readInt32BE(pos + 8) }));
}

/**
 * The offset index Kafka's rule produces from a scan when every append was one batch: an entry
 * (last offset of the batch, its position) for a batch that starts more than indexInterval bytes
 * after the batch of the previous entry (the first entry: after the segment start).
 */
export function expectedOffsetIndex(seg: ScannedSegment, indexInterval: number): OffsetEntry[] {
  const out: OffsetEntry[] = [];
  let since = 0;
  for (const b of seg.batches) {
    if (since > indexInterval) {
      out.push({ offset: b.lastOffset, position: b.position });
      since = 0;
    }
    since += b.size;
  }
  return out;
}

/**
 * Kafka's meaning of offset index entries: each points at the start of a batch that holds the
 * indexed offset, offsets and positions strictly increase, and all lie inside the segment.
 */
export function checkOffsetIndexEntries(seg: ScannedSegment, entries: readonly OffsetEntry[]): string[] {
  const problems: string[] = [];
  const byPosition = new Map(seg.batches.map((b) => [b.position, b]));
  let prev: OffsetEntry | undefined;
  for (const [i, e] of entries.entries()) {
    const at = `${seg.indexFile} entry ${i} (offset ${e.offset}, position ${e.position})`;
    const b = byPosition.get(e.position);
    if (b === undefined) problems.push(`${at}: no batch starts at that position`);
    else if (e.offset < b.baseOffset || e.offset > b.lastOffset) problems.push(`${at}: the batch there holds offsets ${b.baseOffset}..${b.lastOffset}`);
    if (prev && (e.offset <= prev.offset || e.position <= prev.position)) problems.push(`${at}: not after the previous entry`);
    prev = e;
  }
  return problems;
}

/**
 * Kafka's meaning of time index entries: (T, O) says the largest timestamp up to offset O is T and
 * the batch ending at O holds it; timestamps strictly increase and offsets never decrease. A segment
 * that was rolled or closed ends with its max timestamp (the entry forced on roll/close).
 */
export function checkTimeIndexEntries(seg: ScannedSegment, entries: readonly TimeEntry[], closed: boolean): string[] {
  const problems: string[] = [];
  const maxUpTo = new Map<number, TimeEntry>();
  let max: TimeEntry = { timestamp: -1, offset: seg.baseOffset };
  for (const b of seg.batches) {
    if (b.maxTimestamp > max.timestamp) max = { timestamp: b.maxTimestamp, offset: b.lastOffset };
    maxUpTo.set(b.lastOffset, max);
  }
  let prev: TimeEntry | undefined;
  for (const [i, e] of entries.entries()) {
    const at = `${seg.timeIndexFile} entry ${i} (timestamp ${e.timestamp}, offset ${e.offset})`;
    const m = maxUpTo.get(e.offset);
    if (m === undefined) problems.push(`${at}: no batch ends at that offset`);
    else if (m.timestamp !== e.timestamp || m.offset !== e.offset) problems.push(`${at}: the max timestamp up to there is ${m.timestamp} at offset ${m.offset}`);
    if (prev && (e.timestamp <= prev.timestamp || e.offset < prev.offset)) problems.push(`${at}: not after the previous entry`);
    prev = e;
  }
  if (closed && seg.batches.length > 0 && max.timestamp >= 0) {
    const last = entries[entries.length - 1];
    if (last === undefined || last.timestamp !== max.timestamp || last.offset !== max.offset) {
      problems.push(`${seg.timeIndexFile}: last entry ${JSON.stringify(last)} is not the segment's max (${max.timestamp} at ${max.offset})`);
    }
  }
  return problems;
}

export interface IndexCheckOptions {
  indexInterval: number;
  /** Rolled or closed: index files trimmed to their entries, the final time entry present. */
  closed: boolean;
  /** segment.index.bytes: the preallocated size of an active segment's index files. */
  maxIndexSize: number;
  /** Also require the exact entries Kafka's append rule produces (one batch per append). */
  exact: boolean;
}

/** Every index problem of one segment, from the raw files. */
export function checkSegmentIndexes(seg: ScannedSegment, o: IndexCheckOptions): string[] {
  const problems: string[] = [];
  const offsets = readOffsetIndexFile(seg.indexFile, seg.baseOffset);
  const times = readTimeIndexFile(seg.timeIndexFile, seg.baseOffset);
  if (o.closed) {
    if (offsets.zeroTailBytes !== 0) problems.push(`${seg.indexFile}: ${offsets.zeroTailBytes} bytes of preallocation left after roll/close`);
    if (times.zeroTailBytes !== 0) problems.push(`${seg.timeIndexFile}: ${times.zeroTailBytes} bytes of preallocation left after roll/close`);
  } else {
    if (offsets.fileSize !== Math.floor(o.maxIndexSize / 8) * 8) problems.push(`${seg.indexFile}: ${offsets.fileSize} bytes, expected preallocated ${o.maxIndexSize}`);
    if (times.fileSize !== Math.floor(o.maxIndexSize / 12) * 12) problems.push(`${seg.timeIndexFile}: ${times.fileSize} bytes, expected preallocated ${o.maxIndexSize}`);
  }
  problems.push(...checkOffsetIndexEntries(seg, offsets.entries));
  problems.push(...checkTimeIndexEntries(seg, times.entries, o.closed));
  if (o.exact) {
    const expected = expectedOffsetIndex(seg, o.indexInterval);
    if (JSON.stringify(expected) !== JSON.stringify(offsets.entries)) {
      const i = expected.findIndex((e, j) => JSON.stringify(e) !== JSON.stringify(offsets.entries[j]));
      const at = i < 0 ? offsets.entries.length : i;
      problems.push(
        `${seg.indexFile}: ${offsets.entries.length} entries, Kafka's rule gives ${expected.length}; first difference at entry ${at}: ` +
          `${JSON.stringify(offsets.entries[at])} vs ${JSON.stringify(expected[at])}`,
      );
    }
  }
  return problems;
}
