/** LogManager with its LogCleaner: compaction on the scheduler, retention split, truncation, deletion, shutdown. */
import { promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';
import pino from 'pino';
import { Writable } from 'stream';
import type { Logger } from '../common/logger';
import { MockScheduler, type ScheduledTask, type Scheduler, type Task, TimerScheduler } from '../common/scheduler';
import { MockTime } from '../common/time';
import { cleanerConfigFromProps } from './cleaner/cleaner-config';
import { appendBatch, appendKeys, readRecords } from './cleaner/testing/cleaner-test-utils';
import type { Log } from './log';
import { type ConfigInput, LogConfig } from './log-config';
import { LogManager, type LogManagerOptions } from './log-manager';

let root: string;
let dirA: string;
let dirB: string;
let time: MockTime;
let scheduler: MockScheduler;
let lines: { msg: string }[];
let logger: Logger;
const managers: LogManager[] = [];

const COMPACT: ConfigInput = { 'cleanup.policy': 'compact' };
const tp = { topic: 't', partition: 0 };

function options(overrides: Partial<LogManagerOptions> = {}): LogManagerOptions {
  return { logDirs: [dirA], brokerId: 1, clusterId: 'cluster-1', configFor: () => new LogConfig(COMPACT), scheduler, time, logger, ...overrides };
}

async function start(overrides: Partial<LogManagerOptions> = {}): Promise<LogManager> {
  const manager = await LogManager.startup(options(overrides));
  managers.push(manager);
  return manager;
}

/** One round: key0..key9 with values `${prefix}0..9`, then a roll so the round is cleanable. */
async function round(log: Log, prefix: string): Promise<void> {
  await appendKeys(log, 10, prefix);
  await log.roll();
}

const values = (prefix: string, from = 0, to = 10): string[] => Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}`);
const valuesOf = async (log: Log): Promise<(string | null)[]> => (await readRecords(log)).map((r) => r.value);
const cleanerCheckpoint = async (dir: string): Promise<string | undefined> =>
  fsp.readFile(path.join(dir, 'cleaner-offset-checkpoint'), 'utf8').catch(() => undefined);
const messages = (text: string): string[] => lines.filter((l) => l.msg.includes(text)).map((l) => l.msg);
const leftovers = async (dir: string): Promise<string[]> => (await fsp.readdir(dir)).filter((f) => f.endsWith('.cleaned') || f.endsWith('.swap'));

/** Latest value per key, as a consumer reading the whole log would end up with. */
async function latestByKey(log: Log): Promise<Map<string | null, string | null>> {
  const records = await readRecords(log);
  const offsets = records.map((r) => r.offset);
  expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
  expect(new Set(offsets).size).toBe(offsets.length);
  return new Map(records.map((r) => [r.key, r.value]));
}

beforeEach(async () => {
  root = await fsp.mkdtemp(path.join(os.tmpdir(), 'samsa-logmanager-cleaner-'));
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
  jest.restoreAllMocks();
  for (const m of managers.splice(0)) await m.shutdown();
  await fsp.rm(root, { recursive: true, force: true });
});

describe('LogManager with the log cleaner', () => {
  it('compacts a compacted topic on the scheduler and writes cleaner-offset-checkpoint in its log dir', async () => {
    const manager = await start({ logDirs: [dirA, dirB], configFor: (topic) => new LogConfig(topic === 't' ? COMPACT : {}) });
    const plain = await manager.getOrCreateLog({ topic: 'plain', partition: 0 });
    const log = await manager.getOrCreateLog(tp);
    expect(manager.logDirOf(tp)).toBe(dirB);
    for (const l of [plain, log]) {
      await round(l, 'a');
      await round(l, 'b');
    }
    expect(await valuesOf(log)).toHaveLength(20);
    await scheduler.tick(0);
    expect(await valuesOf(log)).toEqual(values('b'));
    expect(await valuesOf(plain)).toEqual([...values('a'), ...values('b')]);
    expect(await cleanerCheckpoint(dirB)).toBe('0\n1\nt 0 20\n');
    expect(await cleanerCheckpoint(dirA)).toBeUndefined();
    // Truncating fully pulls the first dirty offset back with the log.
    await manager.truncateFullyAndStartAt(tp, 7);
    expect(await cleanerCheckpoint(dirB)).toBe('0\n1\nt 0 7\n');
    expect(manager.cleaner?.cleanerManager.cleaningState(tp)).toBeUndefined();
  });

  it('has no cleaner with log.cleaner.enable=false', async () => {
    const manager = await start({ cleanerConfig: cleanerConfigFromProps({ 'log.cleaner.enable': 'false' }) });
    expect(manager.cleaner).toBeUndefined();
    const log = await manager.getOrCreateLog(tp);
    await round(log, 'a');
    await round(log, 'b');
    await scheduler.tick(600_000);
    expect(await valuesOf(log)).toHaveLength(20);
    expect(await cleanerCheckpoint(dirA)).toBeUndefined();
    await manager.truncateTo(new Map([['t-0', 5]]));
    expect(log.logEndOffset).toBe(5);
  });

  it('leaves compact,delete retention to the cleaner and pauses cleaning on the logs its own retention takes', async () => {
    const configs: Record<string, ConfigInput> = {
      // One batch per segment, so cleaning merges none and retention.ms sees the old one alone.
      both: { 'cleanup.policy': 'compact,delete', 'retention.ms': 60_000, 'segment.bytes': 100 },
      plain: { 'retention.ms': 60_000 },
    };
    const manager = await start({ configFor: (topic) => new LogConfig(configs[topic]) });
    const both = await manager.getOrCreateLog({ topic: 'both', partition: 0 });
    const plain = await manager.getOrCreateLog({ topic: 'plain', partition: 0 });
    const now = time.milliseconds();
    for (const log of [both, plain]) {
      await appendBatch(log, [{ key: 'old', value: 'o', timestamp: now - 3_600_000 }]);
      await log.roll();
      await appendBatch(log, [{ key: 'new', value: 'n', timestamp: now }]);
      await log.roll();
    }
    const cleaningStates: unknown[] = [];
    const bothRetention = jest.spyOn(both, 'deleteOldSegments');
    const plainDelete = plain.deleteOldSegments.bind(plain);
    const plainRetention = jest.spyOn(plain, 'deleteOldSegments').mockImplementation((hw) => {
      cleaningStates.push(manager.cleaner?.cleanerManager.cleaningState(plain.topicPartition));
      return plainDelete(hw);
    });

    expect(await manager.cleanupLogs()).toBe(1);
    expect(plain.logStartOffset).toBe(1);
    expect(cleaningStates).toEqual([{ kind: 'paused', count: 1 }]);
    expect(manager.cleaner?.cleanerManager.cleaningState(plain.topicPartition)).toBeUndefined();
    expect(bothRetention).not.toHaveBeenCalled();
    expect(both.logStartOffset).toBe(0);

    // One cleaner pass: cleaning, then retention of the compacted logs only.
    await scheduler.tick(0);
    expect(bothRetention).toHaveBeenCalled();
    expect(both.logStartOffset).toBe(1);
    expect((await readRecords(both)).map((r) => r.key)).toEqual(['new']);
    expect(plainRetention).toHaveBeenCalledTimes(1);
    // The retention job, on its schedule, still leaves the compacted log alone.
    bothRetention.mockClear();
    await scheduler.tick(30_000);
    expect(plainRetention).toHaveBeenCalledTimes(2);
    expect(bothRetention.mock.calls.length).toBeGreaterThan(0);
    bothRetention.mockClear();
    expect(await manager.cleanupLogs()).toBe(0);
    expect(bothRetention).not.toHaveBeenCalled();
  });

  it('truncating during a pass aborts it first and leaves a consistent log the next pass cleans', async () => {
    const config = (): LogConfig => new LogConfig({ ...COMPACT, 'segment.bytes': 400, 'min.cleanable.dirty.ratio': 0.01 });
    const manager = await start({ configFor: config });
    const log = await manager.getOrCreateLog(tp);
    for (const r of [0, 1, 2]) await round(log, `r${r}-`);
    expect(log.numberOfSegments).toBeGreaterThan(4);
    const statesAtTruncation: unknown[] = [];
    const truncate = log.truncateTo.bind(log);
    jest.spyOn(log, 'truncateTo').mockImplementation((offset) => {
      statesAtTruncation.push(manager.cleaner?.cleanerManager.cleaningState(tp));
      return truncate(offset);
    });
    const replace = log.replaceSegments.bind(log);
    let truncation: Promise<void> | undefined;
    jest.spyOn(log, 'replaceSegments').mockImplementation((newSegments, oldSegments) => {
      // The follower truncates into round 2 while the first cleaned group is being swapped in.
      truncation ??= manager.truncateTo(new Map([['t-0', 25]]));
      return replace(newSegments, oldSegments);
    });

    await scheduler.tick(0);
    await truncation;
    expect(messages('Cleaning of t-0 aborted')).toHaveLength(1);
    expect(statesAtTruncation).toEqual([{ kind: 'paused', count: 1 }]);
    expect(log.logEndOffset).toBe(25);
    const expected = new Map([...values('r2-', 0, 5).map((v, i) => [`key${i}`, v] as const), ...values('r1-', 5).map((v, i) => [`key${i + 5}`, v] as const)]);
    expect(await latestByKey(log)).toEqual(expected);
    expect(await leftovers(log.dir)).toEqual([]);
    expect(manager.cleaner?.cleanerManager.cleaningState(tp)).toBeUndefined();

    // Cleaning resumed: the next pass cleans the truncated log up to its (new) active segment.
    await log.roll();
    await scheduler.tick(15_000);
    expect(await valuesOf(log)).toEqual([...values('r1-', 5), ...values('r2-', 0, 5)]);
    expect(await cleanerCheckpoint(dirA)).toBe('0\n1\nt 0 25\n');

    // Truncating below the cleaned point pulls the checkpoint back to the new active segment's base.
    await manager.truncateTo(new Map([['t-0', 18]]));
    expect(log.activeSegment.baseOffset).toBeLessThanOrEqual(18);
    expect(await cleanerCheckpoint(dirA)).toBe(`0\n1\nt 0 ${log.activeSegment.baseOffset}\n`);

    // What is on disk is what was read: a restart loads the same records.
    const before = await readRecords(log);
    await manager.shutdown();
    const again = await start({ configFor: config });
    const reloaded = again.getLog(tp)!;
    expect(reloaded.logEndOffset).toBe(18);
    expect(await readRecords(reloaded)).toEqual(before);
  });

  it('asyncDelete removes the partition from cleaner-offset-checkpoint, after stopping a pass on it', async () => {
    const manager = await start({ configFor: () => new LogConfig({ ...COMPACT, 'segment.bytes': 400 }) });
    const logs = [0, 1].map(async (partition) => {
      const log = await manager.getOrCreateLog({ topic: 't', partition });
      await round(log, 'a');
      await round(log, 'b');
      return log;
    });
    const [, second] = await Promise.all(logs);
    await scheduler.tick(0);
    const entries = async (): Promise<string[]> => ((await cleanerCheckpoint(dirA)) ?? '').split('\n').slice(2).filter((l) => l !== '').sort();
    expect(await entries()).toEqual(['t 0 20', 't 1 20']);

    await manager.asyncDelete(tp);
    expect(await entries()).toEqual(['t 1 20']);

    // A deletion while a pass runs on the log waits for it, and the pass leaves nothing behind.
    await round(second!, 'c');
    await round(second!, 'd');
    const replace = second!.replaceSegments.bind(second!);
    let deletion: Promise<Log | undefined> | undefined;
    jest.spyOn(second!, 'replaceSegments').mockImplementation((newSegments, oldSegments) => {
      deletion ??= manager.asyncDelete(second!.topicPartition);
      return replace(newSegments, oldSegments);
    });
    await scheduler.tick(15_000);
    const removed = await deletion;
    expect(removed).toBe(second);
    expect(await entries()).toEqual([]);
    expect(await leftovers(removed!.dir)).toEqual([]);
    expect(messages('Unexpected error in the log cleaner')).toEqual([]);
    expect(manager.cleaner?.cleanerManager.cleaningState(second!.topicPartition)).toBeUndefined();
    await scheduler.tick(60_000);
    expect((await fsp.readdir(dirA)).filter((n) => n.endsWith('-delete'))).toEqual([]);
  });

  it('shutdown stops a running pass before closing the logs, and no cleaner pass runs afterwards', async () => {
    const manager = await start({ configFor: () => new LogConfig({ ...COMPACT, 'segment.bytes': 400 }) });
    const log = await manager.getOrCreateLog(tp);
    for (const r of [0, 1, 2]) await round(log, `r${r}-`);
    const grab = jest.spyOn(manager.cleaner!.cleanerManager, 'grabFilthiestCompactedLog');
    const events: string[] = [];
    const cleaner = manager.cleaner!;
    const stopCleaner = cleaner.shutdown.bind(cleaner);
    jest.spyOn(cleaner, 'shutdown').mockImplementation(async () => {
      await stopCleaner();
      events.push('cleaner stopped');
    });
    const close = log.close.bind(log);
    jest.spyOn(log, 'close').mockImplementation(() => {
      events.push('log closing');
      return close();
    });
    const replace = log.replaceSegments.bind(log);
    let stopping: Promise<void> | undefined;
    jest.spyOn(log, 'replaceSegments').mockImplementation((newSegments, oldSegments) => {
      stopping ??= manager.shutdown();
      return replace(newSegments, oldSegments);
    });
    await scheduler.tick(0);
    await stopping;
    expect(events).toEqual(['cleaner stopped', 'log closing']);
    expect(log.isClosed).toBe(true);
    const passes = grab.mock.calls.length;
    await scheduler.tick(600_000);
    expect(grab).toHaveBeenCalledTimes(passes);
    expect(await leftovers(log.dir)).toEqual([]);
    // The interrupted pass lost nothing: every key still has its latest value after a restart.
    const again = await start();
    expect(await latestByKey(again.getLog(tp)!)).toEqual(new Map(values('r2-').map((v, i) => [`key${i}`, v])));
  });

  it('runs the cleaner on real timers and leaves no scheduled task after shutdown', async () => {
    const timers = new TimerScheduler(() => undefined);
    const live = new Set<string>();
    let next = 0;
    // Counts every task scheduled and not yet run (one-shot) or cancelled.
    const counting: Scheduler = {
      schedule(name: string, task: Task, delayMs: number, periodMs = 0): ScheduledTask {
        const id = `${name}#${next++}`;
        live.add(id);
        const handle = timers.schedule(name, () => {
          if (!(periodMs > 0)) live.delete(id);
          return task();
        }, delayMs, periodMs);
        return {
          cancel: () => {
            live.delete(id);
            handle.cancel();
          },
        };
      },
      shutdown: () => timers.shutdown(),
    };
    const manager = await LogManager.startup(
      options({ scheduler: counting, time: undefined, cleanerConfig: cleanerConfigFromProps({ 'log.cleaner.backoff.ms': '10' }) }),
    );
    try {
      const log = await manager.getOrCreateLog(tp);
      await round(log, 'a');
      await round(log, 'b');
      const cleanerArmed = (): boolean => [...live].some((id) => id.startsWith('kafka-log-cleaner-thread-0'));
      const deadline = Date.now() + 10_000;
      while (((await cleanerCheckpoint(dirA)) === undefined || !cleanerArmed()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(await valuesOf(log)).toEqual(values('b'));
      expect(cleanerArmed()).toBe(true);
    } finally {
      await manager.shutdown();
    }
    expect([...live]).toEqual([]);
    await timers.shutdown();
  });
});
