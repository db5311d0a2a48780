/**
 * The state and shared machinery of a Log (log.ts builds the operations on it): identity and
 * configuration, the copy-on-write segment list, log start/end offsets and recovery point, the
 * promise-chain "lock" that serializes every mutation, rolling, segment removal (async `.deleted`
 * deletion), flushing, and the mapping of I/O failures to KAFKA_STORAGE_ERROR.
 */
import * as path from 'node:path';
import { createLogger, type Logger } from '../common/logger';
import type { ScheduledTask, Scheduler } from '../common/scheduler';
import type { Time } from '../common/time';
import { KafkaProtocolError } from '../protocol/error-codes';
import type { FileHandlePool } from './file-handle-pool';
import type { LogConfig } from './log-config';
import { type TopicPartition, logDirName } from './log-names';
import { floorIndex } from './log-read';
import { LogSegment } from './log-segment';
import type { LeaderEpochCacheHook, LogEndOffsetMetadata, LogLoadOptions } from './log-types';
import { SegmentDeleter } from './segment-deleter';

/** Indexes of this many recently read inactive segments stay in memory per log. */
const MAX_LOADED_INACTIVE_SEGMENTS = 4;
export const noop = (): void => undefined;

export abstract class LogCore {
  readonly topicPartition: TopicPartition;
  protected readonly _name: string;
  /** Set by the partition when it has one; the log keeps it in step with appends and truncation. */
  leaderEpochCache: LeaderEpochCacheHook | undefined;
  protected _dir: string;
  protected _config: LogConfig;
  protected readonly time: Time;
  protected readonly scheduler: Scheduler;
  protected readonly logger: Logger;
  protected readonly pool: FileHandlePool;
  protected readonly ownsPool: boolean;
  protected readonly onStorageError: ((err: Error) => void) | undefined;
  /** Ordered by base offset; replaced, never mutated, so readers can hold a snapshot. */
  protected segs: readonly LogSegment[] = [];
  protected _logStartOffset = 0;
  protected _recoveryPoint = 0;
  protected leo: LogEndOffsetMetadata = { offset: 0, segmentBaseOffset: 0, position: 0 };
  protected _lastFlushTime: number;
  /** Whether a withLock call is running or about to; the ones waiting behind it are in lockQueue. */
  private lockHeld = false;
  private readonly lockQueue: (() => void)[] = [];
  protected readonly tasks = new Set<ScheduledTask>();
  protected readonly deleter: SegmentDeleter;
  protected loadedInactive: LogSegment[] = [];
  protected closed = false;

  protected constructor(o: LogLoadOptions, pool: FileHandlePool, ownsPool: boolean) {
    this._dir = o.dir;
    this.topicPartition = { topic: o.topicPartition.topic, partition: o.topicPartition.partition };
    this._name = logDirName(this.topicPartition);
    this._config = o.config;
    this.time = o.time;
    this.scheduler = o.scheduler;
    this.logger = o.logger ?? createLogger('log', { topic: o.topicPartition.topic, partition: o.topicPartition.partition });
    this.pool = pool;
    this.ownsPool = ownsPool;
    this.onStorageError = o.onStorageError;
    this.leaderEpochCache = o.leaderEpochCache;
    this._lastFlushTime = o.time.milliseconds();
    this.deleter = new SegmentDeleter(o.scheduler, this.logger);
  }

  /** `<topic>-<partition>`. */
  get name(): string {
    return this._name;
  }
  get dir(): string {
    return this._dir;
  }
  get config(): LogConfig {
    return this._config;
  }
  get logStartOffset(): number {
    return this._logStartOffset;
  }
  get logEndOffset(): number {
    return this.leo.offset;
  }
  /** The log end offset with the segment and byte position it falls at. */
  get logEndOffsetMetadata(): Readonly<LogEndOffsetMetadata> {
    return this.leo;
  }
  get recoveryPoint(): number {
    return this._recoveryPoint;
  }
  get lastFlushTime(): number {
    return this._lastFlushTime;
  }
  get unflushedMessages(): number {
    return this.leo.offset - this._recoveryPoint;
  }
  get segments(): readonly LogSegment[] {
    return this.segs;
  }
  get activeSegment(): LogSegment {
    return this.segs[this.segs.length - 1]!;
  }
  get numberOfSegments(): number {
    return this.segs.length;
  }
  /** Bytes in all segments. */
  get size(): number {
    let total = 0;
    for (const s of this.segs) total += s.size;
    return total;
  }
  get isClosed(): boolean {
    return this.closed;
  }

  /** Segments overlapping offsets [from, to) (Kafka's logSegments(from, to)). */
  logSegments(from: number, to: number): LogSegment[] {
    const segs = this.segs;
    const start = Math.max(0, floorIndex(segs, from));
    const out: LogSegment[] = [];
    for (let i = start; i < segs.length && segs[i]!.baseOffset < to; i++) out.push(segs[i]!);
    return out;
  }

  /** Swaps in a new LogConfig (dynamic topic config); new segments pick up segment-level settings. */
  updateConfig(config: LogConfig): void {
    this._config = config;
  }

  protected async rollLocked(expectedNextOffset = 0): Promise<LogSegment> {
    const start = this.time.hiResMilliseconds();
    const newOffset = Math.max(expectedNextOffset, this.leo.offset);
    const active = this.activeSegment;
    if (this.segs.some((s) => s.baseOffset === newOffset)) {
      if (active.baseOffset === newOffset && active.size === 0) {
        // KAFKA-6388: an empty active segment whose index reports full (e.g. segment.index.bytes too small).
        this.logger.warn({ newOffset }, 'Trying to roll a new log segment with the start offset of the empty active segment; replacing it');
        await this.removeAndDeleteSegments([active], true);
      } else {
        throw new Error(`Trying to roll a new log segment for ${this.name} with start offset ${newOffset} while it already exists`);
      }
    } else if (this.segs.length > 0 && newOffset < active.baseOffset) {
      throw new Error(`Trying to roll a new log segment for ${this.name} with start offset ${newOffset} lower than start offset of the active segment ${active.baseOffset}`);
    } else {
      await active.onBecomeInactiveSegment();
      this.touchInactive(active);
    }
    const segment = await this.newSegment(newOffset);
    this.segs = [...this.segs, segment];
    this.leo = { offset: this.leo.offset, segmentBaseOffset: newOffset, position: 0 };
    // The old segment's data is flushed in the background, as Kafka schedules "flush-log".
    this.scheduleTask('flush-log', () => this.flush(newOffset), 0);
    this.logger.info({ baseOffset: newOffset, ms: this.time.hiResMilliseconds() - start }, `Rolled new log segment at offset ${newOffset}`);
    return segment;
  }

  protected async incrementLogStartOffset(offset: number): Promise<boolean> {
    if (offset <= this._logStartOffset) return false;
    this.logger.info({ logStartOffset: offset }, `Incremented log start offset of ${this.name} to ${offset}`);
    this._logStartOffset = offset;
    await this.leaderEpochCache?.truncateFromStart(offset);
    return true;
  }

  /**
   * fsyncs the segments holding offsets [recoveryPoint, upToOffset) and moves the recovery point
   * there. Not on the append lock: appends go on while the disk catches up.
   */
  async flush(upToOffset: number = this.leo.offset): Promise<void> {
    const offset = Math.min(upToOffset, this.leo.offset);
    // A closed log was trimmed and fsynced by close(); nothing is left to flush.
    if (offset <= this._recoveryPoint || this.closed) return;
    const segments = this.logSegments(this._recoveryPoint, offset);
    await this.io('flushing', async () => {
      for (const segment of segments) {
        try {
          await segment.flush();
        } catch (err) {
          // A segment deleted meanwhile has nothing left to flush.
          if (this.segs.includes(segment)) throw err;
        }
      }
    });
    if (offset > this._recoveryPoint) {
      this._recoveryPoint = Math.min(offset, this.leo.offset);
      this._lastFlushTime = this.time.milliseconds();
    }
  }

  /** Removes segments from the log and deletes their files (async: `.deleted`, then after file.delete.delay.ms). */
  protected async removeAndDeleteSegments(segments: readonly LogSegment[], asyncDelete: boolean): Promise<void> {
    if (segments.length === 0) return;
    const doomed = new Set(segments);
    this.segs = this.segs.filter((s) => !doomed.has(s));
    this.loadedInactive = this.loadedInactive.filter((s) => !doomed.has(s));
    await this.deleteSegmentFiles([...segments], asyncDelete);
  }

  protected deleteSegmentFiles(segments: LogSegment[], asyncDelete: boolean): Promise<void> {
    return this.deleter.delete(segments, asyncDelete, this._config.fileDeleteDelayMs);
  }

  protected scheduleTask(name: string, fn: () => Promise<void>, delayMs: number): void {
    const task: ScheduledTask = this.scheduler.schedule(
      name,
      async () => {
        this.tasks.delete(task);
        if (!this.closed) await fn();
      },
      delayMs,
    );
    this.tasks.add(task);
  }

  protected cancelTasks(): void {
    for (const task of this.tasks) task.cancel();
    this.tasks.clear();
  }

  protected setLogEndOffset(offset: number): void {
    const active = this.activeSegment;
    this.leo = { offset, segmentBaseOffset: active.baseOffset, position: active.size };
  }

  /** Keeps the indexes of a few recently used inactive segments in memory; unloads the rest. */
  protected readonly onInactiveRead = (segment: LogSegment): void => this.touchInactive(segment);

  protected touchInactive(segment: LogSegment): void {
    const list = this.loadedInactive.filter((s) => s !== segment);
    list.push(segment);
    while (list.length > MAX_LOADED_INACTIVE_SEGMENTS) {
      const evicted = list.shift()!;
      if (evicted !== this.activeSegment) evicted.unloadIndexes();
    }
    this.loadedInactive = list;
  }

  /**
   * Runs `fn` when every call queued before it has finished (the log's lock). A free lock still
   * starts `fn` on the next microtask, never inside this call. When a holder finishes, the next
   * queued call starts at once, before the finished caller resumes: an append waiting behind a
   * slow one (a roll) that can complete synchronously is then done by the time its caller's
   * pipeline issues the next append, which then finds the lock free again and takes the fast path.
   */
  protected withLock<T>(fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = (): void => {
        let run: Promise<T>;
        try {
          run = fn();
        } catch (err) {
          run = Promise.reject(err as Error);
        }
        run.then(
          (value) => {
            this.releaseLock();
            resolve(value);
          },
          (err: unknown) => {
            this.releaseLock();
            reject(err as Error);
          },
        );
      };
      if (this.lockHeld) {
        this.lockQueue.push(start);
      } else {
        this.lockHeld = true;
        queueMicrotask(start);
      }
    });
  }

  private releaseLock(): void {
    const next = this.lockQueue.shift();
    if (next) next();
    else this.lockHeld = false;
  }

  /**
   * Nothing holds or waits for the lock: work done synchronously now (no await) is as if done
   * under the lock, after everything queued before it (there is nothing).
   */
  protected get lockIsFree(): boolean {
    return !this.lockHeld;
  }

  /** A new, empty segment file set at `baseOffset` on this log's fd pool. */
  protected newSegment(baseOffset: number): Promise<LogSegment> {
    return LogSegment.open({
      dir: this._dir,
      baseOffset,
      config: this._config,
      time: this.time,
      pool: this.pool,
      logger: this.logger,
      fileAlreadyExists: false,
    });
  }

  protected checkOpen(): void {
    if (this.closed) throw new KafkaProtocolError('KAFKA_STORAGE_ERROR', `The log for partition ${this.name} is closed.`);
  }

  /** Runs file work; operating-system I/O failures become KAFKA_STORAGE_ERROR (Kafka's maybeHandleIOException). */
  protected async io<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.storageError(err, what);
    }
  }

  protected storageError(err: unknown, what: string): unknown {
    if (!isSystemError(err)) return err;
    const where = `${what} ${this.name} in dir ${path.dirname(this._dir)}`;
    this.logger.error({ err }, `Error while ${where}`);
    this.onStorageError?.(err);
    return new KafkaProtocolError('KAFKA_STORAGE_ERROR', `Error while ${where}: ${err.message}`, { cause: err });
  }
}

function isSystemError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && typeof (err as NodeJS.ErrnoException).syscall === 'string';
}
