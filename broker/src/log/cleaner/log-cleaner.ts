/**
 * Kafka 2.8's LogCleaner service: a background loop that picks the filthiest compacted log, cleans
 * it, then applies retention to compacted logs (log start offset always; retention.ms/bytes too for
 * cleanup.policy=compact,delete — LogManager's retention job leaves compacted logs to the cleaner,
 * as Kafka's does), and sleeps log.cleaner.backoff.ms when there was nothing to clean.
 *
 * Kafka runs log.cleaner.threads threads; Node has one event loop, so Samsa runs one pass at a time
 * (the passes read and write in large async chunks, leaving the loop free between them). The loop
 * is driven by the injected Scheduler (one one-shot task re-armed after every pass), so shutdown
 * cancels it and waits for a running pass to stop at its next check.
 *
 * The replica and log layers use the Kafka-named pass-throughs (abortAndPauseCleaning before
 * truncating or deleting a log, maybeTruncateCheckpoint + resumeCleaning after, updateCheckpoints to
 * drop a deleted partition, alterCheckpointDir, handleLogDirFailure).
 */
import * as path from 'node:path';
import { createLogger, type Logger } from '../../common/logger';
import type { ScheduledTask, Scheduler } from '../../common/scheduler';
import type { Time } from '../../common/time';
import { KafkaProtocolError } from '../../protocol/error-codes';
import type { Log } from '../log';
import type { TopicPartition } from '../log-names';
import { Cleaner, type CleanResult } from './cleaner';
import { type CleanerConfig, cleanerConfig } from './cleaner-config';
import type { CleanerStats } from './cleaner-stats';
import { LogCleaningAbortedError, LogCleaningError, ThreadShutdownError } from './errors';
import { type CleanableLog, LogCleanerManager, type LogToClean } from './log-cleaner-manager';

export interface LogCleanerOptions {
  config?: Partial<CleanerConfig>;
  /** Every log the broker hosts, with the offset cleaning must stay below (min of HW and LSO). */
  logs: () => Iterable<CleanableLog>;
  time: Time;
  scheduler: Scheduler;
  logger?: Logger;
  /** Kafka's LogDirFailureChannel: an I/O error while cleaning takes the log dir offline. */
  onLogDirFailure?: (dir: string, err: Error) => void;
}

export interface CleanOnceResult {
  /** The pass's end offset and stats, or null when the log did not qualify (or was busy / paused). */
  cleaned: CleanResult | null;
  /** Segments removed by the retention that follows cleaning. */
  deletedSegments: number;
}

const THREAD_NAME = 'kafka-log-cleaner-thread-0';
const parentDir = (log: Log): string => path.dirname(log.dir);

function isSystemError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && typeof (err as NodeJS.ErrnoException).syscall === 'string';
}

export class LogCleaner {
  readonly config: CleanerConfig;
  readonly cleanerManager: LogCleanerManager;
  /** Stats of the last completed pass (Kafka's lastStats). */
  lastStats: CleanerStats | undefined;
  private readonly cleaner: Cleaner;
  private readonly logger: Logger;
  private task: ScheduledTask | undefined;
  private current: Promise<void> | undefined;
  private running = false;
  private shuttingDown = false;
  /** Passes share one offset map: the loop's and cleanOnce's passes run one after another. */
  private passTail: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: LogCleanerOptions) {
    this.config = cleanerConfig(options.config);
    this.logger = options.logger ?? createLogger('LogCleaner');
    this.cleanerManager = new LogCleanerManager({ logs: options.logs, time: options.time, logger: this.logger });
    this.cleaner = new Cleaner(0, this.config, options.time, this.logger, (tp) => this.checkDone(tp));
  }

  /** Starts the cleaning loop (no-op with log.cleaner.enable=false). */
  startup(): void {
    if (!this.config.enableCleaner) {
      this.logger.info('Log cleaner is disabled (log.cleaner.enable=false)');
      return;
    }
    if (this.running) return;
    this.logger.info('Starting the log cleaner');
    this.running = true;
    this.shuttingDown = false;
    this.arm(0);
  }

  /** Stops the loop: cancels the next pass and waits for a running one to stop. */
  async shutdown(): Promise<void> {
    this.logger.info('Shutting down the log cleaner.');
    this.running = false;
    this.shuttingDown = true;
    this.task?.cancel();
    this.task = undefined;
    await this.current;
  }

  private arm(delayMs: number): void {
    this.task = this.options.scheduler.schedule(THREAD_NAME, () => this.runPass(), delayMs);
  }

  private async runPass(): Promise<void> {
    if (!this.running) return;
    let cleaned = false;
    const pass = (async () => {
      try {
        cleaned = await this.doWork();
      } catch (err) {
        if (!(err instanceof ThreadShutdownError)) this.logger.error({ err }, 'Unexpected error in the log cleaner');
      }
    })();
    this.current = pass;
    await pass;
    this.current = undefined;
    if (this.running) this.arm(cleaned ? 0 : this.config.backOffMs);
  }

  /** Kafka's CleanerThread.doWork: one pass; false when there was nothing to clean (back off). */
  async doWork(): Promise<boolean> {
    let cleaned = false;
    try {
      cleaned = await this.cleanFilthiestLog();
    } catch (err) {
      if (!(err instanceof LogCleaningError)) throw err;
      this.logger.warn({ err: err.cause ?? err, log: err.log.name }, `Unexpected exception thrown when cleaning log ${err.log.name}. Marking its partition (${err.log.name}) as uncleanable`);
      this.cleanerManager.markPartitionUncleanable(parentDir(err.log), err.log.topicPartition);
    }
    this.cleanerManager.maintainUncleanablePartitions();
    return cleaned;
  }

  private async cleanFilthiestLog(): Promise<boolean> {
    const ltc = await this.cleanerManager.grabFilthiestCompactedLog();
    if (ltc !== null) {
      try {
        await this.cleanLog(ltc);
      } catch (err) {
        if (err instanceof ThreadShutdownError) throw err;
        throw new LogCleaningError(ltc.log, err instanceof Error ? err.message : String(err), { cause: err });
      }
    }
    const deletable = this.cleanerManager.deletableLogs();
    try {
      for (const { log, highWatermark } of deletable) {
        try {
          await log.deleteOldSegments(highWatermark);
        } catch (err) {
          throw new LogCleaningError(log, err instanceof Error ? err.message : String(err), { cause: err });
        }
      }
    } finally {
      this.cleanerManager.doneDeleting(deletable.map(({ log }) => log.topicPartition));
    }
    return ltc !== null;
  }

  /** Kafka's cleanLog: one pass, then the new first dirty offset is checkpointed (unless aborted). */
  private async cleanLog(cleanable: LogToClean): Promise<CleanResult | null> {
    const { log } = cleanable;
    let endOffset = cleanable.firstDirtyOffset;
    let result: CleanResult | null = null;
    try {
      const pass = this.passTail.then(() => this.cleaner.clean(cleanable));
      this.passTail = pass.catch(() => undefined);
      result = await pass;
      endOffset = result.endOffset;
      this.recordStats(log.name, cleanable.firstDirtyOffset, endOffset, result.stats);
    } catch (err) {
      if (err instanceof LogCleaningAbortedError) {
        this.logger.info({ log: log.name }, `Cleaning of ${log.name} aborted`);
      } else if (err instanceof KafkaProtocolError && err.name === 'KAFKA_STORAGE_ERROR') {
        // The partition is already offline (the log reported its dir): let it go.
      } else if (isSystemError(err)) {
        const msg = `Failed to clean up log for ${log.name} in dir ${parentDir(log)} due to IOException`;
        this.logger.error({ err }, msg);
        this.options.onLogDirFailure?.(parentDir(log), err);
      } else {
        throw err;
      }
    } finally {
      await this.cleanerManager.doneCleaning(log.topicPartition, parentDir(log), endOffset);
    }
    return result;
  }

  private recordStats(name: string, from: number, to: number, stats: CleanerStats): void {
    this.lastStats = stats;
    const { message, fields } = stats.summary(this.cleaner.id, name, from, to);
    this.logger.info(fields, message);
  }

  /**
   * Cleans `log` now if it qualifies (compacted, not busy or paused, dirty ratio or max lag), then
   * applies retention to it as the loop would. For tests, benchmarks and tools; errors propagate.
   */
  async cleanOnce(log: Log, highWatermark: number): Promise<CleanOnceResult> {
    const out: CleanOnceResult = { cleaned: null, deletedSegments: 0 };
    if (!log.config.compact) return out;
    const tp = log.topicPartition;
    const manager = this.cleanerManager;
    if (manager.tryClaim(tp)) {
      let ltc: LogToClean;
      try {
        const lastClean = (await manager.allCleanerCheckpoints([parentDir(log)])).get(log.name);
        ltc = await manager.logToClean({ log, highWatermark }, lastClean, this.options.time.milliseconds());
      } catch (err) {
        manager.release(tp);
        throw err;
      }
      if (ltc.totalBytes > 0 && LogCleanerManager.qualifies(ltc)) out.cleaned = await this.cleanLog(ltc);
      else manager.release(tp);
    }
    if (manager.tryClaim(tp)) {
      try {
        out.deletedSegments = await log.deleteOldSegments(highWatermark);
      } finally {
        manager.doneDeleting([tp]);
      }
    }
    return out;
  }

  private checkDone(tp: TopicPartition): void {
    if (this.shuttingDown) throw new ThreadShutdownError();
    this.cleanerManager.checkCleaningAborted(tp);
  }

  // Kafka's LogCleaner pass-throughs to the manager.

  abortCleaning(tp: TopicPartition): Promise<void> {
    return this.cleanerManager.abortCleaning(tp);
  }

  abortAndPauseCleaning(tp: TopicPartition): Promise<void> {
    return this.cleanerManager.abortAndPauseCleaning(tp);
  }

  resumeCleaning(tps: Iterable<TopicPartition>): void {
    this.cleanerManager.resumeCleaning(tps);
  }

  pauseCleaningForNonCompactedPartitions(): CleanableLog[] {
    return this.cleanerManager.pauseCleaningForNonCompactedPartitions();
  }

  updateCheckpoints(dataDir: string, update?: [TopicPartition, number], remove?: TopicPartition): Promise<void> {
    return this.cleanerManager.updateCheckpoints(dataDir, update, remove);
  }

  alterCheckpointDir(tp: TopicPartition, sourceLogDir: string, destLogDir: string): Promise<void> {
    return this.cleanerManager.alterCheckpointDir(tp, sourceLogDir, destLogDir);
  }

  handleLogDirFailure(dir: string): void {
    this.cleanerManager.handleLogDirFailure(dir);
  }

  maybeTruncateCheckpoint(dataDir: string, tp: TopicPartition, offset: number): Promise<void> {
    return this.cleanerManager.maybeTruncateCheckpoint(dataDir, tp, offset);
  }
}
