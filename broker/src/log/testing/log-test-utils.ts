/** Shared helpers for the log tests: temp directories, batches, configs, logs on a MockScheduler. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MockScheduler } from '../../common/scheduler';
import { MockTime } from '../../common/time';
import { type CompressionType, type SimpleRecord, TimestampType, encodeRecordBatch, encodeRecordBatchSync } from '../../protocol/records';
import { FileHandlePool } from '../file-handle-pool';
import { type ConfigInput, LogConfig } from '../log-config';
import { Log, type LogLoadOptions } from '../log';

export async function makeTempDir(prefix = 'samsa-log-'): Promise<string> {
  return fs.promises.mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await fs.promises.rm(dir, { recursive: true, force: true });
}

export interface BatchOptions {
  count?: number;
  valueSize?: number;
  /** Timestamp of every record (default 1000). */
  timestamp?: number;
  /** Per-record timestamps (overrides timestamp). */
  timestamps?: number[];
  baseOffset?: number;
  partitionLeaderEpoch?: number;
  key?: Buffer | null;
  isControl?: boolean;
  producerId?: number;
  baseSequence?: number;
  timestampType?: typeof TimestampType.CreateTime | typeof TimestampType.LogAppendTime;
}

function recordsFor(o: BatchOptions): SimpleRecord[] {
  const count = o.timestamps?.length ?? o.count ?? 1;
  const out: SimpleRecord[] = [];
  for (let i = 0; i < count; i++) {
    out.push({
      key: o.key === undefined ? Buffer.from(`k${i}`) : o.key,
      value: Buffer.alloc(o.valueSize ?? 10, 0x61 + (i % 26)),
      timestamp: o.timestamps?.[i] ?? o.timestamp ?? 1000,
    });
  }
  return out;
}

/** An uncompressed v2 batch as a producer would send it (base offset 0, epoch -1) unless overridden. */
export function batch(o: BatchOptions = {}): Buffer {
  return encodeRecordBatchSync({
    records: recordsFor(o),
    baseOffset: o.baseOffset ?? 0,
    partitionLeaderEpoch: o.partitionLeaderEpoch ?? -1,
    isControl: o.isControl,
    producerId: o.producerId,
    baseSequence: o.baseSequence,
    producerEpoch: o.producerId !== undefined ? 0 : undefined,
    timestampType: o.timestampType,
  });
}

export async function compressedBatch(compression: CompressionType, o: BatchOptions = {}): Promise<Buffer> {
  return encodeRecordBatch({ records: recordsFor(o), baseOffset: o.baseOffset ?? 0, compression });
}

export function testConfig(overrides: ConfigInput = {}): LogConfig {
  return new LogConfig(overrides);
}

export interface TestLogContext {
  dir: string;
  time: MockTime;
  scheduler: MockScheduler;
  pool?: FileHandlePool;
}

export async function newContext(): Promise<TestLogContext> {
  const time = new MockTime(1_700_000_000_000);
  return { dir: await makeTempDir(), time, scheduler: new MockScheduler(time) };
}

export function logDir(ctx: TestLogContext, name = 'topic-0'): string {
  return path.join(ctx.dir, name);
}

export async function openLog(ctx: TestLogContext, overrides: ConfigInput = {}, extra: Partial<LogLoadOptions> = {}): Promise<Log> {
  return Log.load({
    dir: logDir(ctx),
    topicPartition: { topic: 'topic', partition: 0 },
    config: testConfig(overrides),
    recoveryPoint: 0,
    logStartOffset: 0,
    hadCleanShutdown: true,
    time: ctx.time,
    scheduler: ctx.scheduler,
    filePool: ctx.pool,
    ...extra,
  });
}

/** Offsets of every batch in a records buffer, as [base, last] pairs. */
export function batchOffsets(records: Buffer): [number, number][] {
  const out: [number, number][] = [];
  let pos = 0;
  while (pos + 12 <= records.length) {
    const size = records.readInt32BE(pos + 8) + 12;
    const base = Number(records.readBigInt64BE(pos));
    const last = records[pos + 16]! >= 2 ? base + records.readInt32BE(pos + 23) : base;
    out.push([base, last]);
    pos += size;
  }
  return out;
}

export function fileSize(file: string): number {
  return fs.statSync(file).size;
}

/**
 * Gives each test of the enclosing describe a fresh temp context, and afterwards closes the log the
 * test left in `getLog()` (if any) and removes the directory.
 */
export function useTestLogContext(setContext: (ctx: TestLogContext) => void, getLog: () => Log | undefined): void {
  let current: TestLogContext | undefined;
  beforeEach(async () => {
    current = await newContext();
    setContext(current);
  });
  afterEach(async () => {
    try {
      await getLog()?.close();
    } finally {
      if (current) await removeDir(current.dir);
    }
  });
}
