import { promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';
import pino from 'pino';
import { Writable } from 'stream';
import type { Logger } from '../common/logger';
import { MockScheduler, TimerScheduler } from '../common/scheduler';
import { MockTime } from '../common/time';
import { LogConfig } from './log-config';
import { InconsistentClusterIdException, LogDirLockedException, readMetaProperties } from './log-dir';
import { LogManager, type LogManagerOptions } from './log-manager';
import { batch } from './testing/log-test-utils';

let root: string;
let dirA: string;
let dirB: string;
let time: MockTime;
let scheduler: MockScheduler;
let lines: { msg: string; component?: string }[];
let logger: Logger;
const managers: LogManager[] = [];

const SMALL_SEGMENTS = { 'segment.bytes': 700, 'index.interval.bytes': 0 };

function options(overrides: Partial<LogManagerOptions> = {}): LogManagerOptions {
  return {
    logDirs: [dirA, dirB],
    brokerId: 1,
    clusterId: 'cluster-1',
    configFor: () => new LogConfig(SMALL_SEGMENTS),
    scheduler,
    time,
    logger,
    ...overrides,
  };
}

async function start(overrides: Partial<LogManagerOptions> = {}): Promise<LogManager> {
  const manager = await LogManager.startup(options(overrides));
  managers.push(manager);
  return manager;
}

/** Appends n single-record batches of ~200 bytes (3 per 700-byte segment) as leader in epoch 0. */
async function fill(manager: LogManager, topic: string, partition: number, n: number): Promise<void> {
  const log = await manager.getOrCreateLog({ topic, partition });
  for (let i = 0; i < n; i++) await log.appendAsLeader(batch({ valueSize: 150, timestamp: time.milliseconds() }), 0);
}

const read = (file: string): Promise<string> => fsp.readFile(file, 'utf8');
const messages = (text: string): string[] => lines.filter((l) => l.msg.includes(text)).map((l) => l.msg);

beforeEach(async () => {
  root = await fsp.mkdtemp(path.join(os.tmpdir(), 'samsa-logmanager-'));
  dirA = path.join(root, 'a');
  dirB = path.join(root, 'b');
  time = new MockTime(1_700_000_000_000);
  scheduler = new MockScheduler(time);
  lines = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(JSON.parse(line) as { msg: string });
      done();
    },
  });
  logger = pino({ level: 'info' }, sink);
});

afterEach(async () => {
  for (const m of managers.splice(0)) await m.shutdown();
  await fsp.rm(root, { recursive: true, force: true });
});

describe('LogManager', () => {
  it('locks each dir and writes meta.properties at startup, and releases the locks at shutdown', async () => {
    const manager = await start();
    for (const dir of [dirA, dirB]) {
      expect(await read(path.join(dir, '.lock'))).toBe(`${process.pid}\n`);
      expect(await readMetaProperties(dir)).toMatchObject({ brokerId: 1, clusterId: 'cluster-1', version: 0 });
    }
    await manager.shutdown();
    for (const dir of [dirA, dirB]) expect((await fsp.readdir(dir)).sort()).not.toContain('.lock');
  });

  it('refuses a dir locked by another running LogManager, and releases its own locks when refused', async () => {
    await start({ logDirs: [dirA] });
    await expect(LogManager.startup(options({ logDirs: [dirB, dirA] }))).rejects.toThrow(LogDirLockedException);
    expect(await fsp.readdir(dirB)).not.toContain('.lock');
  });

  it('refuses dirs of another cluster and leaves them unlocked', async () => {
    await (await start()).shutdown();
    await expect(LogManager.startup(options({ clusterId: 'other' }))).rejects.toThrow(InconsistentClusterIdException);
    await start();
  });

  it('creates logs across two dirs, putting each new partition in the dir with the fewest', async () => {
    const manager = await start();
    await Promise.all([0, 1, 2, 3].map((p) => manager.getOrCreateLog({ topic: 'my.topic-x', partition: p })));
    await manager.getOrCreateLog({ topic: 'other', partition: 0 });
    const inA = (await fsp.readdir(dirA)).filter((n) => n.includes('-') && !n.includes('checkpoint'));
    const inB = (await fsp.readdir(dirB)).filter((n) => n.includes('-') && !n.includes('checkpoint'));
    expect(inA.length + inB.length).toBe(5);
    expect(Math.abs(inA.length - inB.length)).toBe(1);
    expect(manager.logDirOf({ topic: 'my.topic-x', partition: 0 })).toBe(dirA);
    expect(manager.logDirOf({ topic: 'my.topic-x', partition: 1 })).toBe(dirB);
    const log = manager.getLog({ topic: 'my.topic-x', partition: 2 });
    expect(log).toBe(await manager.getOrCreateLog({ topic: 'my.topic-x', partition: 2 }));
    expect(await fsp.readdir(log!.dir)).toContain('leader-epoch-checkpoint');
  });

  it('loads every partition dir across both dirs on restart, with leader epochs', async () => {
    const first = await start();
    await fill(first, 't', 0, 4);
    await fill(first, 't', 1, 2);
    await first.shutdown();
    const second = await start();
    expect(second.allLogs.map((l) => l.name).sort()).toEqual(['t-0', 't-1']);
    expect(second.getLog({ topic: 't', partition: 0 })!.logEndOffset).toBe(4);
    expect(second.getLog({ topic: 't', partition: 1 })!.logEndOffset).toBe(2);
    expect(second.leaderEpochCache({ topic: 't', partition: 0 })!.epochEntries).toEqual([{ epoch: 0, startOffset: 0 }]);
  });

  it('writes the recovery-point checkpoint every log.flush.offset.checkpoint.interval.ms', async () => {
    const manager = await start({ logDirs: [dirA], flushRecoveryOffsetCheckpointMs: 60_000 });
    await fill(manager, 't', 0, 3);
    await fill(manager, 'u', 0, 1);
    await manager.getLog({ topic: 't', partition: 0 })!.flush();
    await scheduler.tick(30_000);
    expect(await read(path.join(dirA, 'recovery-point-offset-checkpoint'))).toBe('0\n2\nt 0 3\nu 0 0\n');
    await manager.getLog({ topic: 'u', partition: 0 })!.flush();
    await scheduler.tick(59_999);
    expect(await read(path.join(dirA, 'recovery-point-offset-checkpoint'))).toBe('0\n2\nt 0 3\nu 0 0\n');
    await scheduler.tick(1);
    expect(await read(path.join(dirA, 'recovery-point-offset-checkpoint'))).toBe('0\n2\nt 0 3\nu 0 1\n');
  });

  it('checkpoints only log start offsets above the first segment\'s base offset', async () => {
    const manager = await start({ logDirs: [dirA] });
    await fill(manager, 't', 0, 5);
    await fill(manager, 'u', 0, 5);
    await manager.getLog({ topic: 't', partition: 0 })!.maybeIncrementLogStartOffset(4);
    await scheduler.tick(30_000);
    expect(await read(path.join(dirA, 'log-start-offset-checkpoint'))).toBe('0\n1\nt 0 4\n');
  });

  it('writes replication-offset-checkpoint per dir from the high watermarks it is given', async () => {
    const manager = await start();
    await manager.getOrCreateLog({ topic: 't', partition: 0 });
    await manager.getOrCreateLog({ topic: 't', partition: 1 });
    await manager.checkpointHighWatermarks(new Map([['t-0', 7], ['t-1', 9], ['gone-0', 3]]));
    expect(await read(path.join(dirA, 'replication-offset-checkpoint'))).toBe('0\n1\nt 0 7\n');
    expect(await read(path.join(dirB, 'replication-offset-checkpoint'))).toBe('0\n1\nt 1 9\n');
    expect(await manager.readHighWatermarks()).toEqual(new Map([['t-0', 7], ['t-1', 9]]));
  });

  it('runs retention every log.retention.check.interval.ms below the high watermark the caller supplies', async () => {
    let hw = 0;
    const manager = await start({
      logDirs: [dirA],
      retentionCheckMs: 300_000,
      configFor: () => new LogConfig({ ...SMALL_SEGMENTS, 'retention.ms': 1000 }),
      highWatermarkFor: () => hw,
    });
    await fill(manager, 't', 0, 9);
    const log = manager.getLog({ topic: 't', partition: 0 })!;
    const segments = log.numberOfSegments;
    expect(segments).toBeGreaterThan(1);
    await scheduler.tick(30_000);
    expect(log.numberOfSegments).toBe(segments);
    hw = log.logEndOffset;
    await scheduler.tick(300_000);
    expect(log.logStartOffset).toBeGreaterThan(0);
    expect(log.numberOfSegments).toBeLessThan(segments);
  });

  it('skips compacted logs in retention (the log cleaner owns them)', async () => {
    const manager = await start({
      logDirs: [dirA],
      configFor: () => new LogConfig({ ...SMALL_SEGMENTS, 'retention.ms': 1000, 'cleanup.policy': 'compact' }),
    });
    await fill(manager, 't', 0, 9);
    time.sleep(10_000);
    expect(await manager.cleanupLogs()).toBe(0);
  });

  it('flushes logs whose flush.ms has passed when a flush interval is set', async () => {
    const manager = await start({ logDirs: [dirA], flushCheckMs: 1000, configFor: () => new LogConfig({ ...SMALL_SEGMENTS, 'flush.ms': 5000 }) });
    await fill(manager, 't', 0, 2);
    const log = manager.getLog({ topic: 't', partition: 0 })!;
    await scheduler.tick(30_000);
    expect(log.recoveryPoint).toBe(2);
  });

  it('writes checkpoints and .kafka_cleanshutdown at shutdown; a restart then skips recovery', async () => {
    const first = await start();
    await fill(first, 't', 0, 7);
    await first.shutdown();
    for (const dir of [dirA, dirB]) expect(await fsp.readdir(dir)).toContain('.kafka_cleanshutdown');
    expect(await read(path.join(dirA, 'recovery-point-offset-checkpoint'))).toBe('0\n1\nt 0 7\n');
    expect(await read(path.join(dirB, 'recovery-point-offset-checkpoint'))).toBe('0\n0\n');
    lines = [];
    const second = await start();
    expect(second.hadCleanShutdown(dirA)).toBe(true);
    for (const dir of [dirA, dirB]) expect(await fsp.readdir(dir)).not.toContain('.kafka_cleanshutdown');
    expect(messages(`Skipping recovery for all logs in ${dirA} since clean shutdown file was found`)).toHaveLength(1);
    expect(messages('Recovering unflushed segment')).toEqual([]);
    expect(second.getLog({ topic: 't', partition: 0 })!.logEndOffset).toBe(7);
  });

  it('recovers on a restart without the clean-shutdown marker, truncating a torn tail', async () => {
    const first = await start({ logDirs: [dirA] });
    await fill(first, 't', 0, 2);
    const activeLog = first.getLog({ topic: 't', partition: 0 })!.activeSegment.logFile;
    await first.shutdown();
    // A crash: the marker never got written, and the last write was torn.
    await fsp.rm(path.join(dirA, '.kafka_cleanshutdown'));
    const size = (await fsp.stat(activeLog)).size;
    await fsp.appendFile(activeLog, batch({ valueSize: 150 }).subarray(0, 40));
    lines = [];
    const second = await start({ logDirs: [dirA] });
    expect(second.hadCleanShutdown(dirA)).toBe(false);
    expect(messages(`Attempting recovery for all logs in ${dirA} since no clean shutdown file was found`)).toHaveLength(1);
    expect(messages('Recovering unflushed segment').length).toBeGreaterThan(0);
    expect((await fsp.stat(activeLog)).size).toBe(size);
    expect(second.getLog({ topic: 't', partition: 0 })!.logEndOffset).toBe(2);
  });

  it('deletes a log asynchronously: renamed to -delete, dropped from checkpoints, removed after the delay', async () => {
    const manager = await start({ logDirs: [dirA], fileDeleteDelayMs: 60_000 });
    await fill(manager, 'to-go', 3, 2);
    await fill(manager, 'stays', 0, 1);
    await manager.checkpointLogRecoveryOffsets();
    expect(await read(path.join(dirA, 'recovery-point-offset-checkpoint'))).toContain('to-go 3 ');
    const removed = await manager.asyncDelete({ topic: 'to-go', partition: 3 });
    expect(removed).toBeDefined();
    expect(path.basename(removed!.dir)).toMatch(/^to-go-3\.[0-9a-f]{32}-delete$/);
    expect(manager.getLog({ topic: 'to-go', partition: 3 })).toBeUndefined();
    expect(await read(path.join(dirA, 'recovery-point-offset-checkpoint'))).not.toContain('to-go');
    expect(await fsp.readdir(dirA)).toContain(path.basename(removed!.dir));
    await scheduler.tick(59_999);
    expect(await fsp.readdir(dirA)).toContain(path.basename(removed!.dir));
    await scheduler.tick(1);
    expect((await fsp.readdir(dirA)).filter((n) => n.endsWith('-delete'))).toEqual([]);
    expect(await manager.asyncDelete({ topic: 'to-go', partition: 3 })).toBeUndefined();
  });

  it('removes -delete dirs left by the previous run instead of loading them', async () => {
    await fsp.mkdir(path.join(dirA, 'old-0.0123456789abcdef0123456789abcdef-delete'), { recursive: true });
    await fsp.writeFile(path.join(dirA, 'old-0.0123456789abcdef0123456789abcdef-delete', '00000000000000000000.log'), '');
    const manager = await start({ logDirs: [dirA] });
    expect(manager.allLogs).toEqual([]);
    await scheduler.tick(60_000);
    expect((await fsp.readdir(dirA)).filter((n) => n.endsWith('-delete'))).toEqual([]);
  });

  it('refuses to start on a dir that is not a topic-partition, as Kafka does', async () => {
    await fsp.mkdir(path.join(dirA, 'lost+found'), { recursive: true });
    await expect(LogManager.startup(options({ logDirs: [dirA] }))).rejects.toThrow(/is not in the form of topic-partition/);
    expect(await fsp.readdir(dirA)).not.toContain('.lock');
  });

  it('refuses the same dir listed twice', async () => {
    await expect(LogManager.startup(options({ logDirs: [dirA, `${dirA}/`] }))).rejects.toThrow(/Duplicate log directory found/);
  });

  it('closes logs still waiting for deletion at shutdown and removes their -delete dirs on the next start', async () => {
    const first = await start({ logDirs: [dirA] });
    await fill(first, 'gone', 0, 1);
    const removed = (await first.asyncDelete({ topic: 'gone', partition: 0 }))!;
    await first.shutdown();
    expect(removed.isClosed).toBe(true);
    expect(await fsp.readdir(dirA)).toContain(path.basename(removed.dir));
    const second = await start({ logDirs: [dirA] });
    expect(second.allLogs).toEqual([]);
    await scheduler.tick(60_000);
    expect((await fsp.readdir(dirA)).filter((n) => n.endsWith('-delete'))).toEqual([]);
  });

  it('starts with a damaged recovery-point checkpoint, warning and recovering from offset 0', async () => {
    const first = await start({ logDirs: [dirA] });
    await fill(first, 't', 0, 2);
    await first.shutdown();
    await fsp.writeFile(path.join(dirA, 'recovery-point-offset-checkpoint'), '0\n1\nt zero 2\n');
    await fsp.rm(path.join(dirA, '.kafka_cleanshutdown'));
    lines = [];
    const second = await start({ logDirs: [dirA] });
    expect(messages(`Error occurred while reading recovery-point-offset-checkpoint file of directory ${dirA}`)).toHaveLength(1);
    expect(second.getLog({ topic: 't', partition: 0 })!.logEndOffset).toBe(2);
  });

  it('runs on real timers with Kafka\'s default intervals (Long.MAX flush interval never scheduled) and stops cleanly', async () => {
    const timers = new TimerScheduler(() => undefined);
    const manager = await LogManager.startup(options({ scheduler: timers, time: undefined, flushCheckMs: 2 ** 63 }));
    await manager.getOrCreateLog({ topic: 't', partition: 0 });
    await manager.shutdown();
    await timers.shutdown();
    expect(await fsp.readdir(dirA)).toContain('.kafka_cleanshutdown');
  });
});
