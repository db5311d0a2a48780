/**
 * Kafka's `logsToBeDeleted` queue and its `kafka-delete-logs` task: a deleted partition's dir
 * (already renamed `<topic>-<p>.<uuid>-delete`) is removed log.segment.delete.delay.ms after it was
 * queued, so readers that still hold it finish first. Kafka re-arms the task forever; here it is armed
 * only while something waits, which leaves the same files on disk at the same times.
 */
import type { Logger } from '../common/logger';
import type { ScheduledTask, Scheduler } from '../common/scheduler';
import type { Time } from '../common/time';

interface PendingDeletion {
  readonly what: string;
  readonly queuedMs: number;
  readonly remove: () => Promise<void>;
}

export class LogDeletionQueue {
  private readonly pending: PendingDeletion[] = [];
  private task: ScheduledTask | undefined;
  private running = false;
  private stopped = false;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly time: Time,
    private readonly delayMs: number,
    private readonly logger: Logger,
    /** Wraps each run (LogManager tracks runs so shutdown can wait for them). */
    private readonly wrap: (run: () => Promise<void>) => Promise<void> = (run) => run(),
  ) {}

  get size(): number {
    return this.pending.length;
  }

  /** Queues `what` for removal by `remove` once the delay has passed. */
  add(what: string, remove: () => Promise<void>): void {
    this.pending.push({ what, queuedMs: this.time.milliseconds(), remove });
    if (this.task === undefined && !this.running) this.arm(this.delayMs);
  }

  /** Cancels the task; whatever is still queued stays on disk for the next startup to remove. */
  stop(): void {
    this.stopped = true;
    this.task?.cancel();
    this.task = undefined;
  }

  private arm(delayMs: number): void {
    if (this.stopped) return;
    this.task = this.scheduler.schedule('kafka-delete-logs', () => this.wrap(() => this.run()), Math.max(0, delayMs));
  }

  /** Removes every queued entry whose delay has passed, then re-arms for the next one. */
  private async run(): Promise<void> {
    this.task = undefined;
    this.running = true;
    try {
      while (this.pending.length > 0 && !this.stopped) {
        const head = this.pending[0] as PendingDeletion;
        const dueInMs = head.queuedMs + this.delayMs - this.time.milliseconds();
        if (dueInMs > 0) {
          this.arm(dueInMs);
          return;
        }
        this.pending.shift();
        try {
          await head.remove();
          this.logger.info(`Deleted log in ${head.what}.`);
        } catch (err) {
          this.logger.error({ err }, `Exception while deleting ${head.what}.`);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
