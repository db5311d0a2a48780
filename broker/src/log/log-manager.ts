/**
 * Kafka's LogManager: owns the broker's log dirs (`log.dirs`) and every partition log in them.
 *
 * Startup locks each dir, checks and writes meta.properties, notes whether the last shutdown was
 * clean (`.kafka_cleanshutdown`, deleted now so a crash during this run counts as unclean), reads the
 * recovery-point and log-start-offset checkpoints and opens every `<topic>-<partition>` dir through
 * Log.load, which recovers unflushed data after an unclean shutdown. New logs go to the dir holding
 * the fewest. Background tasks on the injected Scheduler, under Kafka's names: retention, flushing,
 * both checkpoints, and removal of deleted logs. Shutdown stops the log cleaner, flushes and closes
 * every log, writes the checkpoints and the clean-shutdown marker, and releases the locks.
 *
 * The LogCleaner (log.cleaner.enable, default true) compacts logs whose cleanup.policy has compact
 * and applies their retention (compact,delete) itself; the retention job here only takes the other
 * logs, paused for the cleaner meanwhile. Truncation and deletion abort and pause a pass on the log
 * first and fix up `cleaner-offset-checkpoint`, as Kafka's LogManager does.
 *
 * High watermarks belong to the replica layer: retention asks `highWatermarkFor` (default: the log
 * end offset) and `checkpointHighWatermarks` writes what the caller passes in.
 *
 * Next door: log-manager-loading.ts (opening logs at startup and creating new ones),
 * log-manager-tasks.ts (the background tasks' lifetime), log-manager-options.ts (LogManagerOptions).
 */
import * as path from 'path';
import { type Logger, rootLogger } from '../common/logger';
import type { Scheduler } from '../common/scheduler';
import { SYSTEM_TIME, type Time } from '../common/time';
import type { LogCleaner } from './cleaner/log-cleaner';
import { LogDirCheckpoints } from './checkpoints/log-dir-checkpoints';
import { topicPartitionKey } from './checkpoints/offset-checkpoint-file';
import { FileHandlePool } from './file-handle-pool';
import type { Log } from './log';
import type { LogConfig } from './log-config';
import type { LeaderEpochFileCache } from './leader-epoch-cache';
import { LogDeletionQueue } from './log-deletion-queue';
import {
  checkAndWriteMetaProperties,
  consumeCleanShutdownMarker,
  createAndValidateLogDirs,
  LogDirLock,
  writeCleanShutdownMarker,
} from './log-dir';
import { createLogCleaner, forEachLimited, truncateWithCleaningPaused } from './log-manager-helpers';
import { createLog, type LogDirLoadContext, loadLogsInDir, type OpenLogState, openPartitionLog, readCheckpointOrEmpty } from './log-manager-loading';
import type { LogManagerOptions } from './log-manager-options';
import { LogManagerTasks } from './log-manager-tasks';
import { logDeleteDirName, type TopicPartition } from './log-names';

export type { LogManagerOptions } from './log-manager-options';

export class LogManager {
  readonly logDirs: readonly string[];
  /** Kafka's `cleaner`: undefined with log.cleaner.enable=false. */
  readonly cleaner: LogCleaner | undefined;
  private readonly time: Time;
  private readonly scheduler: Scheduler;
  private readonly parentLogger: Logger;
  private readonly logger: Logger;
  private readonly filePool: FileHandlePool;
  private readonly ownsPool: boolean;
  private readonly configFor: (topic: string) => LogConfig;
  private readonly highWatermarkFor: (topicPartition: TopicPartition, log: Log) => number;
  private readonly recoveryThreads: number;
  private readonly locks: LogDirLock[] = [];
  private readonly checkpoints = new Map<string, LogDirCheckpoints>();
  private readonly cleanShutdown = new Map<string, boolean>();
  /** Logs by `<topic>-<partition>`, and the log dir each lives in. */
  private readonly currentLogs = new Map<string, Log>();
  private readonly parentDirOf = new Map<string, string>();
  private readonly epochCaches = new Map<string, LeaderEpochFileCache>();
  /** Logs being created, with the dir chosen for them (counted when balancing the next ones). */
  private readonly creating = new Map<string, { dir: string; log: Promise<Log> }>();
  private readonly logsToBeDeleted: LogDeletionQueue;
  /** Deleted logs still open (as in Kafka, until removed), closed at shutdown if still waiting. */
  private readonly deletedLogs = new Set<Log>();
  private readonly tasks: LogManagerTasks;
  private stopped = false;

  private constructor(private readonly options: LogManagerOptions, logDirs: string[]) {
    this.logDirs = logDirs;
    this.time = options.time ?? SYSTEM_TIME;
    this.scheduler = options.scheduler;
    this.parentLogger = options.logger ?? rootLogger();
    this.logger = this.parentLogger.child({ component: 'LogManager' });
    this.ownsPool = options.filePool === undefined;
    this.filePool = options.filePool ?? new FileHandlePool({ scheduler: options.scheduler, time: this.time, logger: this.logger });
    this.configFor = options.configFor;
    this.highWatermarkFor = options.highWatermarkFor ?? ((_tp, log) => log.logEndOffset);
    this.tasks = new LogManagerTasks(this.scheduler, this.logger, options.initialTaskDelayMs ?? 30_000);
    this.logsToBeDeleted = new LogDeletionQueue(this.scheduler, this.time, options.fileDeleteDelayMs ?? 60_000, this.logger, (run) => this.tasks.track(run));
    this.recoveryThreads = options.recoveryThreadsPerDataDir ?? 1;
    for (const dir of logDirs) this.checkpoints.set(dir, new LogDirCheckpoints(dir));
    this.cleaner = createLogCleaner(options.cleanerConfig, {
      // No transaction index yet to give the last stable offset: the cleaner stops at open transactions itself.
      logs: () => this.allLogs.map((log) => ({ log, highWatermark: this.highWatermarkFor(log.topicPartition, log) })),
      time: this.time,
      scheduler: this.scheduler,
      logger: this.parentLogger.child({ component: 'LogCleaner' }),
    });
  }

  /** Creates and validates the dirs, locks them, checks meta.properties, loads every log, starts the tasks. */
  static async startup(options: LogManagerOptions): Promise<LogManager> {
    const dirs = await createAndValidateLogDirs(options.logDirs);
    const manager = new LogManager(options, dirs);
    try {
      for (const dir of dirs) manager.locks.push(await LogDirLock.acquire(dir));
      await checkAndWriteMetaProperties(dirs, options.brokerId, options.clusterId);
      await manager.loadLogs();
    } catch (err) {
      await Promise.allSettled([...manager.currentLogs.values()].map((log) => log.close()));
      await Promise.allSettled(manager.locks.map((lock) => lock.release()));
      if (manager.ownsPool) await manager.filePool.close();
      throw err;
    }
    manager.startTasks();
    return manager;
  }

  private async loadLogs(): Promise<void> {
    this.logger.info(`Loading logs from log dirs ${this.logDirs.join(', ')}`);
    const startMs = this.time.hiResMilliseconds();
    // Settle every dir before failing, so startup's cleanup sees every log that was opened.
    const results = await Promise.allSettled(this.logDirs.map((dir) => this.loadLogsInDir(dir)));
    for (const r of results) if (r.status === 'rejected') throw r.reason;
    this.logger.info(`Loaded ${this.currentLogs.size} logs in ${Math.round(this.time.hiResMilliseconds() - startMs)}ms.`);
  }

  private async loadLogsInDir(dir: string): Promise<void> {
    const hadCleanShutdown = await consumeCleanShutdownMarker(dir);
    this.cleanShutdown.set(dir, hadCleanShutdown);
    await loadLogsInDir(dir, hadCleanShutdown, this.checkpoints.get(dir) as LogDirCheckpoints, this.loadContext());
  }

  /** How loading and creating logs (log-manager-loading.ts) reach this manager. */
  private loadContext(): LogDirLoadContext {
    return {
      logger: this.logger,
      time: this.time,
      recoveryThreads: this.recoveryThreads,
      logsToBeDeleted: this.logsToBeDeleted,
      configFor: this.configFor,
      openLog: (partitionDir, tp, config, state) => this.openLog(partitionDir, tp, config, state),
      dirOf: (key) => this.parentDirOf.get(key),
      register: (key, log, logDir) => this.register(key, log, logDir),
    };
  }

  /** Opens one partition dir (log-manager-loading.ts) and keeps its leader epoch cache. */
  private async openLog(partitionDir: string, tp: TopicPartition, config: LogConfig, state: OpenLogState): Promise<Log> {
    const deps = { parentLogger: this.parentLogger, time: this.time, scheduler: this.scheduler, filePool: this.filePool };
    const { log, cache } = await openPartitionLog(partitionDir, tp, config, state, deps);
    this.epochCaches.set(topicPartitionKey(tp), cache);
    return log;
  }

  private register(key: string, log: Log, dir: string): void {
    this.currentLogs.set(key, log);
    this.parentDirOf.set(key, dir);
  }

  // -------------------------------------------------------------------------------------------------
  // Lookup and creation

  getLog(topicPartition: TopicPartition): Log | undefined {
    return this.currentLogs.get(topicPartitionKey(topicPartition));
  }

  /** The partition's leader epoch cache (persisted in its leader-epoch-checkpoint). */
  leaderEpochCache(topicPartition: TopicPartition): LeaderEpochFileCache | undefined {
    return this.epochCaches.get(topicPartitionKey(topicPartition));
  }

  get allLogs(): Log[] {
    return [...this.currentLogs.values()];
  }

  /** The log dir (one of `logDirs`) holding the partition. */
  logDirOf(topicPartition: TopicPartition): string | undefined {
    return this.parentDirOf.get(topicPartitionKey(topicPartition));
  }

  /** Whether `dir` had `.kafka_cleanshutdown` at startup (no recovery was needed). */
  hadCleanShutdown(dir: string): boolean {
    return this.cleanShutdown.get(path.resolve(dir)) ?? false;
  }

  /** The partition's log, created (empty, in the dir with the fewest logs) if it has none. */
  getOrCreateLog(topicPartition: TopicPartition, config?: LogConfig): Promise<Log> {
    const key = topicPartitionKey(topicPartition);
    const existing = this.currentLogs.get(key);
    if (existing) return Promise.resolve(existing);
    const pending = this.creating.get(key);
    if (pending) return pending.log;
    if (this.stopped) return Promise.reject(new Error(`Cannot create log for ${key}: the log manager is shut down`));
    const dirs = this.nextLogDirs();
    const log = createLog(topicPartition, dirs, config ?? this.configFor(topicPartition.topic), this.loadContext()).finally(() => this.creating.delete(key));
    this.creating.set(key, { dir: dirs[0] as string, log });
    return log;
  }

  /** Dirs ordered by how many logs they hold (being created included), fewest first; ties keep log.dirs order. */
  private nextLogDirs(): string[] {
    const counts = new Map(this.logDirs.map((dir) => [dir, 0]));
    for (const dir of this.parentDirOf.values()) counts.set(dir, (counts.get(dir) ?? 0) + 1);
    for (const { dir } of this.creating.values()) counts.set(dir, (counts.get(dir) ?? 0) + 1);
    return [...this.logDirs].sort((a, b) => (counts.get(a) ?? 0) - (counts.get(b) ?? 0));
  }

  // -------------------------------------------------------------------------------------------------
  // Deletion

  /**
   * Removes the partition's log: renames its dir to `<topic>-<p>.<uuid>-delete`, rewrites the dir's
   * checkpoints (cleaner-offset-checkpoint too) without it, and deletes the files after
   * log.segment.delete.delay.ms. A cleaning pass on it is aborted and waited for first.
   */
  async asyncDelete(topicPartition: TopicPartition, checkpoint = true): Promise<Log | undefined> {
    const key = topicPartitionKey(topicPartition);
    await this.creating.get(key)?.log.catch(() => undefined);
    const log = this.currentLogs.get(key);
    const dir = this.parentDirOf.get(key);
    if (log === undefined || dir === undefined) return undefined;
    this.currentLogs.delete(key);
    this.parentDirOf.delete(key);
    this.epochCaches.delete(key);
    if (this.cleaner !== undefined) {
      // A pass on the log stops (and is waited for) before its files move.
      await this.cleaner.abortCleaning(topicPartition);
      if (checkpoint) await this.cleaner.updateCheckpoints(dir, undefined, topicPartition);
    }
    await log.renameDir(logDeleteDirName(topicPartition));
    if (checkpoint) {
      await this.checkpointRecoveryOffsetsInDir(dir);
      await this.checkpointLogStartOffsetsInDir(dir);
    }
    this.deletedLogs.add(log);
    this.logsToBeDeleted.add(log.dir, () => {
      this.deletedLogs.delete(log);
      return log.delete();
    });
    this.logger.info(`Log for partition ${key} is renamed to ${log.dir} and is scheduled for deletion`);
    return log;
  }

  // -------------------------------------------------------------------------------------------------
  // Truncation (follower), which moves recovery points

  /** Truncates each log to its offset (keys `<topic>-<partition>`), then checkpoints the affected dirs. */
  async truncateTo(offsets: ReadonlyMap<string, number>): Promise<void> {
    const affected = new Set<string>();
    for (const [key, offset] of offsets) {
      const log = this.currentLogs.get(key);
      const dir = this.parentDirOf.get(key);
      if (log === undefined || dir === undefined) continue;
      // Only truncation below the active segment reaches what the cleaner works on (Kafka's needToStopCleaner).
      const cleaner = offset < log.activeSegment.baseOffset ? this.cleaner : undefined;
      if (await truncateWithCleaningPaused(cleaner, log, dir, () => log.truncateTo(offset))) affected.add(dir);
    }
    for (const dir of affected) await this.checkpointRecoveryOffsetsInDir(dir);
  }

  async truncateFullyAndStartAt(topicPartition: TopicPartition, newOffset: number): Promise<void> {
    const key = topicPartitionKey(topicPartition);
    const log = this.currentLogs.get(key);
    const dir = this.parentDirOf.get(key);
    if (log === undefined || dir === undefined) return;
    await truncateWithCleaningPaused(this.cleaner, log, dir, () => log.truncateFullyAndStartAt(newOffset));
    await this.checkpointRecoveryOffsetsInDir(dir);
  }

  // -------------------------------------------------------------------------------------------------
  // Periodic work

  private startTasks(): void {
    const o = this.options;
    this.logger.info(`Starting log cleanup with a period of ${o.retentionCheckMs ?? 300_000} ms.`);
    this.tasks.schedulePeriodic('kafka-log-retention', () => this.cleanupLogs().then(() => undefined), o.retentionCheckMs ?? 300_000);
    this.tasks.schedulePeriodic('kafka-log-flusher', () => this.flushDirtyLogs(), o.flushCheckMs ?? Number.POSITIVE_INFINITY);
    this.tasks.schedulePeriodic('kafka-recovery-point-checkpoint', () => this.checkpointLogRecoveryOffsets(), o.flushRecoveryOffsetCheckpointMs ?? 60_000);
    this.tasks.schedulePeriodic('kafka-log-start-offset-checkpoint', () => this.checkpointLogStartOffsets(), o.flushStartOffsetCheckpointMs ?? 60_000);
    this.cleaner?.startup();
  }

  /**
   * Retention for every log not compacted, paused for the cleaner meanwhile so a cleanup.policy
   * change cannot give one log to both. Compacted logs (compact,delete too) get retention from the
   * cleaner after its passes; without a cleaner they get none, as in Kafka. Returns segments deleted.
   */
  async cleanupLogs(): Promise<number> {
    const startMs = this.time.milliseconds();
    let total = 0;
    const deletable = this.cleaner?.pauseCleaningForNonCompactedPartitions().map((l) => l.log) ?? this.allLogs.filter((log) => !log.config.compact);
    try {
      for (const log of deletable) {
        const key = topicPartitionKey(log.topicPartition);
        if (this.currentLogs.get(key) !== log) continue;
        try {
          total += await log.deleteOldSegments(this.highWatermarkFor(log.topicPartition, log));
        } catch (err) {
          this.logger.error({ err }, `Error while running retention on ${key}`);
        }
      }
    } finally {
      this.cleaner?.resumeCleaning(deletable.map((log) => log.topicPartition));
    }
    this.logger.debug(`Log cleanup completed. ${total} files deleted in ${(this.time.milliseconds() - startMs) / 1000} seconds`);
    return total;
  }

  /** Flushes each log whose flush.ms has passed since its last flush. */
  async flushDirtyLogs(): Promise<void> {
    for (const [key, log] of [...this.currentLogs]) {
      if (this.time.milliseconds() - log.lastFlushTime < log.config.flushMs) continue;
      try {
        await log.flush();
      } catch (err) {
        this.logger.error({ err }, `Error flushing topic ${log.topicPartition.topic} (${key})`);
      }
    }
  }

  private logsInDir(dir: string): [string, Log][] {
    return [...this.currentLogs].filter(([key]) => this.parentDirOf.get(key) === dir);
  }

  /** Writes every dir's recovery-point-offset-checkpoint. */
  async checkpointLogRecoveryOffsets(): Promise<void> {
    for (const dir of this.logDirs) await this.checkpointRecoveryOffsetsInDir(dir);
  }

  /** Writes every dir's log-start-offset-checkpoint. */
  async checkpointLogStartOffsets(): Promise<void> {
    for (const dir of this.logDirs) await this.checkpointLogStartOffsetsInDir(dir);
  }

  private async checkpointRecoveryOffsetsInDir(dir: string): Promise<void> {
    await this.checkpoints.get(dir)?.writeRecoveryPoints(this.logsInDir(dir));
  }

  private async checkpointLogStartOffsetsInDir(dir: string): Promise<void> {
    await this.checkpoints.get(dir)?.writeLogStartOffsets(this.logsInDir(dir));
  }

  /**
   * Writes each dir's replication-offset-checkpoint from `highWatermarks` (keys `<topic>-<partition>`):
   * every dir gets the entries of the logs it holds. The replica layer calls this periodically.
   */
  async checkpointHighWatermarks(highWatermarks: ReadonlyMap<string, number>): Promise<void> {
    for (const dir of this.logDirs) {
      const entries = this.logsInDir(dir)
        .filter(([key]) => highWatermarks.has(key))
        .map(([key]) => [key, highWatermarks.get(key) as number] as const);
      await this.checkpoints.get(dir)?.highWatermarks.write(entries);
    }
  }

  /** Every dir's replication-offset-checkpoint merged (the replica layer's initial high watermarks). */
  async readHighWatermarks(): Promise<Map<string, number>> {
    const merged = new Map<string, number>();
    for (const dir of this.logDirs) {
      const file = (this.checkpoints.get(dir) as LogDirCheckpoints).highWatermarks;
      const hws = await readCheckpointOrEmpty(file, dir, 'using no high watermarks from it', this.logger);
      for (const [key, hw] of hws) if (this.parentDirOf.get(key) === dir) merged.set(key, hw);
    }
    return merged;
  }

  // -------------------------------------------------------------------------------------------------
  // Shutdown

  /**
   * Stops the tasks and the cleaner, flushes and closes every log; for each dir whose logs all closed
   * cleanly, writes the checkpoints and `.kafka_cleanshutdown`. Locks are released whatever happens.
   */
  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.logger.info('Shutting down.');
    this.stopped = true;
    this.tasks.stop();
    this.logsToBeDeleted.stop();
    // The cleaner first, as Kafka: a running pass stops before the logs it reads close.
    await this.cleaner?.shutdown().catch((err: unknown) => this.logger.warn({ err }, 'Error while shutting down the log cleaner'));
    // Their `-delete` dirs stay; the next startup removes them.
    await Promise.allSettled([...this.deletedLogs].map((log) => log.close()));
    await this.tasks.settle();
    await Promise.allSettled([...this.creating.values()].map((c) => c.log));
    try {
      await Promise.all(
        this.logDirs.map(async (dir) => {
          const logs = this.logsInDir(dir).map(([, log]) => log);
          try {
            await forEachLimited(logs, this.recoveryThreads, async (log) => {
              // Flush first so the recovery point written below covers everything.
              await log.flush();
              await log.close();
            });
          } catch (err) {
            this.logger.warn({ err }, `There was an error in one of the threads during LogManager shutdown of ${dir}`);
            return;
          }
          await this.checkpointRecoveryOffsetsInDir(dir);
          await this.checkpointLogStartOffsetsInDir(dir);
          await writeCleanShutdownMarker(dir);
        }),
      );
    } finally {
      await Promise.allSettled(this.locks.map((lock) => lock.release()));
      if (this.ownsPool) await this.filePool.close();
    }
    this.logger.info('Shutdown complete.');
  }
}
