/**
 * Kafka 2.8's LogCleanerManager: which log to clean next, the cleaning state of every partition, and
 * the `cleaner-offset-checkpoint` file of each log dir (first dirty offset per compacted partition).
 *
 * - The filthiest log goes first: dirty ratio = cleanable bytes / (clean + cleanable bytes), where
 *   the cleanable range is [first dirty offset, first uncleanable offset) — the first dirty offset
 *   comes from the checkpoint (reset to the log start when out of range) and the first uncleanable
 *   offset is the smallest of the active segment's base, the first segment whose largest timestamp is
 *   younger than min.compaction.lag.ms, and the caller's high watermark / last stable offset, rounded
 *   down to its segment's base. A log qualifies when its ratio exceeds min.cleanable.dirty.ratio (as
 *   Kafka: strictly greater) or a dirty segment's first batch is older than max.compaction.lag.ms.
 * - States (Kafka's LogCleaningState): in progress, aborted (the pass stops at its next check),
 *   paused(n) (nested pauses, e.g. truncation while a deletion is pending). abortAndPauseCleaning
 *   resolves once no pass runs on the partition, so truncation and deletion never race a clean.
 * - Kafka guards all of this with a lock; here state changes are synchronous between awaits, and
 *   every async step re-checks the state it depends on afterwards.
 */
import * as path from 'node:path';
import type { Logger } from '../../common/logger';
import type { Time } from '../../common/time';
import { CLEANER_OFFSET_CHECKPOINT_FILE, OffsetCheckpointFile, topicPartitionKey } from '../checkpoints';
import type { Log } from '../log';
import type { TopicPartition } from '../log-names';
import { logSegments } from './cleaner';
import { LogCleaningAbortedError } from './errors';

/** A log the cleaner may work on, with the offset it must not clean beyond (min of HW and LSO). */
export interface CleanableLog {
  log: Log;
  highWatermark: number;
}

export type LogCleaningState = { kind: 'in-progress' } | { kind: 'aborted' } | { kind: 'paused'; count: number };

/** Kafka's LogToClean. */
export interface LogToClean {
  topicPartition: TopicPartition;
  log: Log;
  highWatermark: number;
  firstDirtyOffset: number;
  /** Rounded down to a segment base (Kafka's calculateCleanableBytes). */
  firstUncleanableOffset: number;
  needCompactionNow: boolean;
  cleanBytes: number;
  cleanableBytes: number;
  totalBytes: number;
  cleanableRatio: number;
}

/** Kafka's OffsetsToClean. */
export interface OffsetsToClean {
  firstDirtyOffset: number;
  firstUncleanableDirtyOffset: number;
  forceUpdateCheckpoint: boolean;
}

export interface LogCleanerManagerOptions {
  /** Every log the broker hosts (Kafka's `logs` pool), with its cleaning bound. */
  logs: () => Iterable<CleanableLog>;
  time: Time;
  logger: Logger;
}

const parentDir = (log: Log): string => path.dirname(log.dir);

export class LogCleanerManager {
  private readonly inProgress = new Map<string, LogCleaningState>();
  private readonly pausedWaiters = new Map<string, (() => void)[]>();
  /** Partitions whose abort doneCleaning/doneDeleting turned into paused(1), not yet taken by a waiter. */
  private readonly claimedPause = new Set<string>();
  private readonly uncleanablePartitions = new Map<string, Set<string>>();
  private readonly checkpoints = new Map<string, OffsetCheckpointFile>();
  private readonly offlineDirs = new Set<string>();
  /** Kafka's max-dirty-percent gauge input and time-since-last-run-ms. */
  dirtiestLogCleanableRatio = 0;
  timeOfLastRun: number;

  constructor(private readonly options: LogCleanerManagerOptions) {
    this.timeOfLastRun = options.time.milliseconds();
  }

  private get logger(): Logger {
    return this.options.logger;
  }

  private currentLogs(): Map<string, CleanableLog> {
    const out = new Map<string, CleanableLog>();
    for (const entry of this.options.logs()) out.set(topicPartitionKey(entry.log.topicPartition), entry);
    return out;
  }

  private checkpointFor(dataDir: string): OffsetCheckpointFile | undefined {
    if (this.offlineDirs.has(dataDir)) return undefined;
    let checkpoint = this.checkpoints.get(dataDir);
    if (checkpoint === undefined) {
      checkpoint = new OffsetCheckpointFile(path.join(dataDir, CLEANER_OFFSET_CHECKPOINT_FILE));
      this.checkpoints.set(dataDir, checkpoint);
    }
    return checkpoint;
  }

  private async readCheckpoint(dataDir: string): Promise<Map<string, number>> {
    const checkpoint = this.checkpointFor(dataDir);
    if (checkpoint === undefined) return new Map();
    try {
      return await checkpoint.read();
    } catch (err) {
      this.logger.error({ err, file: checkpoint.file }, `Failed to access checkpoint file ${checkpoint.file}`);
      return new Map();
    }
  }

  /** Kafka's allCleanerCheckpoints: first dirty offsets from every dir's checkpoint. */
  async allCleanerCheckpoints(dataDirs: Iterable<string>): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const dir of new Set(dataDirs)) for (const [key, offset] of await this.readCheckpoint(dir)) out.set(key, offset);
    return out;
  }

  cleaningState(tp: TopicPartition): LogCleaningState | undefined {
    return this.inProgress.get(topicPartitionKey(tp));
  }

  /**
   * Kafka's grabFilthiestCompactedLog: the compacted log with the highest dirty ratio among those
   * that qualify, marked in progress; null when none does.
   */
  async grabFilthiestCompactedLog(): Promise<LogToClean | null> {
    const now = this.options.time.milliseconds();
    this.timeOfLastRun = now;
    const logs = [...this.currentLogs().values()].filter(({ log }) => log.config.compact && !log.isClosed);
    const lastClean = await this.allCleanerCheckpoints(logs.map(({ log }) => parentDir(log)));
    const dirtyLogs: LogToClean[] = [];
    for (const entry of logs) {
      const key = topicPartitionKey(entry.log.topicPartition);
      if (this.inProgress.has(key) || this.isUncleanablePartition(entry.log)) continue;
      const ltc = await this.logToClean(entry, lastClean.get(key), now);
      if (ltc.totalBytes > 0) dirtyLogs.push(ltc);
    }
    this.dirtiestLogCleanableRatio = dirtyLogs.reduce((max, l) => Math.max(max, l.cleanableRatio), 0);
    const cleanable = dirtyLogs.filter((l) => LogCleanerManager.qualifies(l));
    // Awaits above may have let a pause or another grab in: re-check before claiming.
    const candidates = cleanable.filter((l) => !this.inProgress.has(topicPartitionKey(l.topicPartition)) && !l.log.isClosed);
    if (candidates.length === 0) return null;
    const filthiest = candidates.reduce((a, b) => (b.cleanableRatio > a.cleanableRatio ? b : a));
    this.inProgress.set(topicPartitionKey(filthiest.topicPartition), { kind: 'in-progress' });
    return filthiest;
  }

  /** Whether a log must be cleaned now: over its dirty ratio, or holding data past max.compaction.lag.ms. */
  static qualifies(ltc: LogToClean): boolean {
    return (ltc.needCompactionNow && ltc.cleanableBytes > 0) || ltc.cleanableRatio > ltc.log.config.minCleanableRatio;
  }

  /**
   * The LogToClean of one log, not claimed (cleanOnce claims it itself). Updates the checkpoint
   * when its offset was out of range, as Kafka does.
   */
  async logToClean(entry: CleanableLog, lastCleanOffset: number | undefined, now: number): Promise<LogToClean> {
    const { log } = entry;
    const offsets = await LogCleanerManager.cleanableOffsets(log, lastCleanOffset, now, entry.highWatermark);
    if (offsets.forceUpdateCheckpoint) await this.updateCheckpoints(parentDir(log), [log.topicPartition, offsets.firstDirtyOffset]);
    const compactionDelayMs = await LogCleanerManager.maxCompactionDelay(log, offsets.firstDirtyOffset, now);
    const cleanBytes = sizeOf(logSegments(log, -1, offsets.firstDirtyOffset));
    const { firstUncleanableOffset, cleanableBytes } = LogCleanerManager.calculateCleanableBytes(log, offsets.firstDirtyOffset, offsets.firstUncleanableDirtyOffset);
    const totalBytes = cleanBytes + cleanableBytes;
    return {
      topicPartition: log.topicPartition,
      log,
      highWatermark: entry.highWatermark,
      firstDirtyOffset: offsets.firstDirtyOffset,
      firstUncleanableOffset,
      needCompactionNow: compactionDelayMs > 0,
      cleanBytes,
      cleanableBytes,
      totalBytes,
      cleanableRatio: totalBytes > 0 ? cleanableBytes / totalBytes : 0,
    };
  }

  /** Kafka's cleanableOffsets (see the file comment); `highWatermark` is the caller's HW / LSO. */
  static async cleanableOffsets(log: Log, lastCleanOffset: number | undefined, now: number, highWatermark: number): Promise<OffsetsToClean> {
    const logStartOffset = log.logStartOffset;
    const checkpointDirtyOffset = lastCleanOffset ?? logStartOffset;
    let firstDirtyOffset = checkpointDirtyOffset;
    let forceUpdateCheckpoint = false;
    // A checkpoint below the log start (retention, DeleteRecords) or past the end (lost data) restarts at the log start.
    if (checkpointDirtyOffset < logStartOffset || checkpointDirtyOffset > log.logEndOffset) {
      firstDirtyOffset = logStartOffset;
      forceUpdateCheckpoint = true;
    }
    const active = log.activeSegment;
    let firstUncleanable = Math.min(active.baseOffset, Math.max(0, highWatermark));
    const minCompactionLagMs = Math.max(log.config.compactionLagMs, 0);
    if (minCompactionLagMs > 0) {
      for (const segment of logSegments(log, firstDirtyOffset, active.baseOffset)) {
        // Data younger than min.compaction.lag.ms stays uncompacted: the segment holding any is the bound.
        if ((await segment.largestTimestamp()) > now - minCompactionLagMs) {
          firstUncleanable = Math.min(firstUncleanable, segment.baseOffset);
          break;
        }
      }
    }
    return { firstDirtyOffset, firstUncleanableDirtyOffset: Math.max(firstDirtyOffset, firstUncleanable), forceUpdateCheckpoint };
  }

  /** Kafka's maxCompactionDelay: how far past max.compaction.lag.ms the oldest dirty batch is (0 if not). */
  static async maxCompactionDelay(log: Log, firstDirtyOffset: number, now: number): Promise<number> {
    let earliest = Number.POSITIVE_INFINITY;
    for (const segment of logSegments(log, firstDirtyOffset, log.activeSegment.baseOffset)) {
      const ts = await segment.getFirstBatchTimestamp();
      if (ts > 0 && ts < earliest) earliest = ts;
    }
    const cleanUntilTime = now - Math.max(log.config.maxCompactionLagMs, 0);
    return earliest < cleanUntilTime ? cleanUntilTime - earliest : 0;
  }

  /** Kafka's calculateCleanableBytes: the bound rounded down to its segment's base, and the bytes before it. */
  static calculateCleanableBytes(log: Log, firstDirtyOffset: number, uncleanableOffset: number): { firstUncleanableOffset: number; cleanableBytes: number } {
    const firstUncleanableSegment = logSegments(log, uncleanableOffset, log.activeSegment.baseOffset)[0] ?? log.activeSegment;
    const firstUncleanableOffset = firstUncleanableSegment.baseOffset;
    const cleanableBytes = sizeOf(logSegments(log, firstDirtyOffset, Math.max(firstDirtyOffset, firstUncleanableOffset)));
    return { firstUncleanableOffset, cleanableBytes };
  }

  /** Claims `tp` for a clean started outside grabFilthiestCompactedLog (cleanOnce); false if busy or paused. */
  tryClaim(tp: TopicPartition): boolean {
    const key = topicPartitionKey(tp);
    if (this.inProgress.has(key)) return false;
    this.inProgress.set(key, { kind: 'in-progress' });
    return true;
  }

  /** Kafka's pauseCleaningForNonCompactedPartitions: pauses and returns the logs retention may now work on. */
  pauseCleaningForNonCompactedPartitions(): CleanableLog[] {
    const out: CleanableLog[] = [];
    for (const [key, entry] of this.currentLogs()) {
      if (entry.log.config.compact || this.inProgress.has(key)) continue;
      this.inProgress.set(key, { kind: 'paused', count: 1 });
      out.push(entry);
    }
    return out;
  }

  /** Kafka's deletableLogs: compacted logs free for retention (log start offset; retention too for compact,delete), marked in progress. */
  deletableLogs(): CleanableLog[] {
    const out: CleanableLog[] = [];
    for (const [key, entry] of this.currentLogs()) {
      if (this.inProgress.has(key) || !entry.log.config.compact || entry.log.isClosed || this.isUncleanablePartition(entry.log)) continue;
      this.inProgress.set(key, { kind: 'in-progress' });
      out.push(entry);
    }
    return out;
  }

  /** Kafka's abortCleaning: stops a running pass on `tp` (waits for it) and leaves the partition unpaused. */
  async abortCleaning(tp: TopicPartition): Promise<void> {
    await this.abortAndPauseCleaning(tp);
    this.resumeCleaning([tp]);
  }

  /**
   * Kafka's abortAndPauseCleaning: a running pass on `tp` is told to stop, and the returned promise
   * resolves once none runs; until resumeCleaning, no pass starts on `tp`. Pauses nest.
   */
  async abortAndPauseCleaning(tp: TopicPartition): Promise<void> {
    const key = topicPartitionKey(tp);
    for (;;) {
      const state = this.inProgress.get(key);
      if (state === undefined) {
        this.inProgress.set(key, { kind: 'paused', count: 1 });
        return;
      }
      if (state.kind === 'paused') {
        this.inProgress.set(key, { kind: 'paused', count: state.count + 1 });
        return;
      }
      // In progress (or already aborted by another caller): wait for the pass to stop, then pause on top.
      if (state.kind === 'in-progress') this.inProgress.set(key, { kind: 'aborted' });
      await new Promise<void>((resolve) => {
        const waiters = this.pausedWaiters.get(key) ?? [];
        waiters.push(resolve);
        this.pausedWaiters.set(key, waiters);
      });
      const after = this.inProgress.get(key);
      // doneCleaning turned the abort into paused(1) for the first waiter; later waiters nest on it.
      if (after?.kind === 'paused' && !this.claimedPause.delete(key)) continue;
      return;
    }
  }

  private signalPaused(key: string): void {
    this.claimedPause.add(key);
    const waiters = this.pausedWaiters.get(key) ?? [];
    this.pausedWaiters.delete(key);
    for (const resolve of waiters) resolve();
  }

  /** Kafka's resumeCleaning: undoes one pause of each partition. */
  resumeCleaning(tps: Iterable<TopicPartition>): void {
    for (const tp of tps) {
      const key = topicPartitionKey(tp);
      const state = this.inProgress.get(key);
      if (state === undefined) throw new Error(`Compaction for partition ${key} cannot be resumed since it is not paused.`);
      if (state.kind !== 'paused') throw new Error(`Compaction for partition ${key} cannot be resumed since it is in ${state.kind} state.`);
      if (state.count === 1) this.inProgress.delete(key);
      else this.inProgress.set(key, { kind: 'paused', count: state.count - 1 });
    }
  }

  isCleaningInStatePaused(tp: TopicPartition): boolean {
    return this.inProgress.get(topicPartitionKey(tp))?.kind === 'paused';
  }

  /** Kafka's checkCleaningAborted: throws LogCleaningAbortedError if the pass on `tp` was aborted. */
  checkCleaningAborted(tp: TopicPartition): void {
    if (this.inProgress.get(topicPartitionKey(tp))?.kind === 'aborted') throw new LogCleaningAbortedError();
  }

  /**
   * Kafka's updateCheckpoints: rewrites `dataDir`'s cleaner-offset-checkpoint, keeping entries of
   * logs still hosted, with `update` set and `remove` dropped.
   */
  async updateCheckpoints(dataDir: string, update?: [TopicPartition, number], remove?: TopicPartition): Promise<void> {
    const checkpoint = this.checkpointFor(dataDir);
    if (checkpoint === undefined) return;
    try {
      const hosted = this.currentLogs();
      const updated = new Map([...(await checkpoint.read())].filter(([key]) => hosted.has(key)));
      if (remove !== undefined) updated.delete(topicPartitionKey(remove));
      if (update !== undefined) updated.set(topicPartitionKey(update[0]), update[1]);
      await checkpoint.write(updated);
    } catch (err) {
      this.logger.error({ err, file: checkpoint.file }, `Failed to access checkpoint file in dir ${dataDir}`);
    }
  }

  /** Kafka's alterCheckpointDir: the partition's entry moves with it (AlterReplicaLogDirs). */
  async alterCheckpointDir(tp: TopicPartition, sourceLogDir: string, destLogDir: string): Promise<void> {
    const key = topicPartitionKey(tp);
    const offset = (await this.readCheckpoint(sourceLogDir)).get(key);
    if (offset !== undefined) {
      await this.updateCheckpoints(sourceLogDir, undefined, tp);
      await this.updateCheckpoints(destLogDir, [tp, offset]);
    }
    if (this.uncleanablePartitions.get(sourceLogDir)?.delete(key)) this.markPartitionUncleanable(destLogDir, tp);
  }

  /** Kafka's handleLogDirFailure: no more checkpoint access in `dir`. */
  handleLogDirFailure(dir: string): void {
    this.logger.warn({ dir }, `Stopping cleaning logs in dir ${dir}`);
    this.offlineDirs.add(dir);
    this.checkpoints.delete(dir);
  }

  /** Kafka's maybeTruncateCheckpoint: after truncation, a first dirty offset past `offset` comes back to it. */
  async maybeTruncateCheckpoint(dataDir: string, tp: TopicPartition, offset: number): Promise<void> {
    const entry = this.currentLogs().get(topicPartitionKey(tp));
    if (entry !== undefined && !entry.log.config.compact) return;
    const checkpoint = this.checkpointFor(dataDir);
    if (checkpoint === undefined) return;
    const existing = await this.readCheckpoint(dataDir);
    if ((existing.get(topicPartitionKey(tp)) ?? 0) > offset) {
      existing.set(topicPartitionKey(tp), offset);
      await checkpoint.write(existing);
    }
  }

  /** Kafka's doneCleaning: records the new first dirty offset unless the pass was aborted. */
  async doneCleaning(tp: TopicPartition, dataDir: string, endOffset: number): Promise<void> {
    const key = topicPartitionKey(tp);
    const state = this.inProgress.get(key);
    if (state === undefined) throw new Error(`State for partition ${key} should exist.`);
    if (state.kind === 'in-progress') await this.updateCheckpoints(dataDir, [tp, endOffset]);
    this.finish(key);
  }

  /** Ends a claim taken by tryClaim without a pass (nothing qualified). */
  release(tp: TopicPartition): void {
    this.finish(topicPartitionKey(tp));
  }

  /** Kafka's doneDeleting. */
  doneDeleting(tps: Iterable<TopicPartition>): void {
    for (const tp of tps) this.finish(topicPartitionKey(tp));
  }

  private finish(key: string): void {
    const state = this.inProgress.get(key);
    if (state?.kind === 'in-progress') {
      this.inProgress.delete(key);
    } else if (state?.kind === 'aborted') {
      this.inProgress.set(key, { kind: 'paused', count: 1 });
      this.signalPaused(key);
    } else {
      throw new Error(`In-progress partition ${key} cannot be in ${state?.kind ?? 'no'} state.`);
    }
  }

  markPartitionUncleanable(logDir: string, tp: TopicPartition): void {
    let set = this.uncleanablePartitions.get(logDir);
    if (set === undefined) this.uncleanablePartitions.set(logDir, (set = new Set()));
    set.add(topicPartitionKey(tp));
  }

  uncleanablePartitionsIn(logDir: string): ReadonlySet<string> {
    return this.uncleanablePartitions.get(logDir) ?? new Set();
  }

  isUncleanablePartition(log: Log): boolean {
    return this.uncleanablePartitions.get(parentDir(log))?.has(topicPartitionKey(log.topicPartition)) ?? false;
  }

  /** Kafka's maintainUncleanablePartitions: forgets partitions no longer hosted (deleted or re-created). */
  maintainUncleanablePartitions(): void {
    const hosted = this.currentLogs();
    for (const [dir, partitions] of this.uncleanablePartitions) {
      for (const key of partitions) {
        const entry = hosted.get(key);
        if (entry === undefined || parentDir(entry.log) !== dir) partitions.delete(key);
      }
      if (partitions.size === 0) this.uncleanablePartitions.delete(dir);
    }
  }
}

function sizeOf(segments: readonly { size: number }[]): number {
  let total = 0;
  for (const s of segments) total += s.size;
  return total;
}
