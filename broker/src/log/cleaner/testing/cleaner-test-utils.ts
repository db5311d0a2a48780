/** Helpers for the cleaner's tests: compacted logs built through the core's appends, read back decoded. */
import {
  type CompressionType,
  ControlRecordType,
  type DecodedRecordBatch,
  TimestampType,
  decodeRecordBatches,
  encodeEndTransactionMarker,
  encodeRecordBatch,
} from '../../../protocol/records';
import type { ConfigInput } from '../../log-config';
import type { Log } from '../../log';
import { type TestLogContext, openLog } from '../../testing/log-test-utils';
import { LogCleaner } from '../log-cleaner';
import type { CleanerConfig } from '../cleaner-config';

export interface KV {
  key: string | null;
  /** null: a tombstone. */
  value: string | null;
  timestamp?: number;
  /** Offset delta inside the batch (default: the record's index). */
  offsetDelta?: number;
}

export interface AppendOptions {
  compression?: CompressionType;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  isTransactional?: boolean;
  partitionLeaderEpoch?: number;
  logAppendTime?: number;
  /** Offsets the batch spans beyond its records (a batch already compacted upstream). */
  lastOffsetDelta?: number;
}

export const T0 = 1_700_000_000_000;

/** Compacted by default; small segments so tests see several. */
export async function openCompactedLog(ctx: TestLogContext, overrides: ConfigInput = {}): Promise<Log> {
  return openLog(ctx, { 'cleanup.policy': 'compact', 'segment.bytes': 1024 * 1024, ...overrides });
}

/** Appends one batch at the log end offset, as a follower would (so producer fields and timestamps are exact). */
export async function appendBatch(log: Log, records: readonly KV[], o: AppendOptions = {}): Promise<{ base: number; last: number }> {
  const base = log.logEndOffset;
  const buf = await encodeRecordBatch({
    records: records.map((r, i) => ({
      key: r.key === null ? null : Buffer.from(r.key),
      value: r.value === null ? null : Buffer.from(r.value),
      timestamp: r.timestamp ?? T0 + i,
      offsetDelta: r.offsetDelta ?? i,
    })),
    baseOffset: base,
    compression: o.compression,
    producerId: o.producerId,
    producerEpoch: o.producerId !== undefined ? (o.producerEpoch ?? 0) : undefined,
    baseSequence: o.baseSequence,
    isTransactional: o.isTransactional,
    partitionLeaderEpoch: o.partitionLeaderEpoch ?? 0,
    timestampType: o.logAppendTime !== undefined ? TimestampType.LogAppendTime : TimestampType.CreateTime,
    maxTimestamp: o.logAppendTime,
    lastOffsetDelta: o.lastOffsetDelta,
  });
  const info = await log.appendAsFollower(buf);
  return { base, last: info.lastOffset };
}

/** Appends `count` single-record batches key0..key{n-1} (value = `${prefix}${i}`). */
export async function appendKeys(log: Log, count: number, prefix: string, keyOf: (i: number) => string = (i) => `key${i}`): Promise<void> {
  for (let i = 0; i < count; i++) await appendBatch(log, [{ key: keyOf(i), value: `${prefix}${i}` }]);
}

export async function appendMarker(log: Log, producerId: number, type: 'commit' | 'abort', producerEpoch = 0): Promise<number> {
  const base = log.logEndOffset;
  await log.appendAsFollower(
    encodeEndTransactionMarker({
      type: type === 'commit' ? ControlRecordType.Commit : ControlRecordType.Abort,
      coordinatorEpoch: 0,
      producerId,
      producerEpoch,
      baseOffset: base,
      partitionLeaderEpoch: 0,
      timestamp: T0,
    }),
  );
  return base;
}

/** Every batch from `from` to the log end, raw, read through Log.read as a consumer would. */
export async function readRaw(log: Log, from = log.logStartOffset): Promise<Buffer> {
  const parts: Buffer[] = [];
  let next = from;
  while (next < log.logEndOffset) {
    const read = await log.read(next, 1024 * 1024, { minOneMessage: true });
    if (read.records.length === 0) break;
    parts.push(Buffer.from(read.records));
    const batches = await decodeRecordBatches(read.records);
    const last = batches.batches[batches.batches.length - 1]!;
    next = Number(last.baseOffset) + last.lastOffsetDelta + 1;
  }
  return Buffer.concat(parts);
}

export interface ReadRecord {
  offset: number;
  key: string | null;
  value: string | null;
}

export async function readBatches(log: Log, from?: number): Promise<DecodedRecordBatch[]> {
  return (await decodeRecordBatches(await readRaw(log, from))).batches;
}

/** Data records (control batches left out) from `from` on, as a consumer sees them. */
export async function readRecords(log: Log, from?: number): Promise<ReadRecord[]> {
  const out: ReadRecord[] = [];
  for (const b of await readBatches(log, from)) {
    if (b.isControl) continue;
    for (const r of b.records) {
      if (from !== undefined && Number(r.offset) < from) continue;
      out.push({ offset: Number(r.offset), key: r.key?.toString() ?? null, value: r.value?.toString() ?? null });
    }
  }
  return out;
}

export function newCleaner(ctx: TestLogContext, logs: () => { log: Log; highWatermark: number }[], config: Partial<CleanerConfig> = {}): LogCleaner {
  return new LogCleaner({ logs, time: ctx.time, scheduler: ctx.scheduler, config });
}

/** A cleaner over one log whose high watermark is its log end offset. */
export function cleanerFor(ctx: TestLogContext, log: Log, config: Partial<CleanerConfig> = {}): LogCleaner {
  return newCleaner(ctx, () => [{ log, highWatermark: log.logEndOffset }], config);
}
