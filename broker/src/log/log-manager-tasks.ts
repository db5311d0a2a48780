/**
 * LogManager's background work on the injected Scheduler (Kafka's kafka-log-retention,
 * kafka-log-flusher and checkpoint tasks, plus the deletion queue's runs): periodic scheduling with
 * Node's timer limit, and tracking of every run in flight so shutdown can wait for them. Kept apart
 * from log-manager.ts because it knows nothing of logs, only of tasks and their lifetime.
 */
import type { Logger } from '../common/logger';
import type { ScheduledTask, Scheduler } from '../common/scheduler';

/** Node timers overflow above 2^31-1 ms (they then fire at once); longer periods mean "never". */
const MAX_TIMER_MS = 2147483647;

export class LogManagerTasks {
  private readonly tasks: ScheduledTask[] = [];
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly logger: Logger,
    /** Delay before the first run of each periodic task (Kafka's InitialTaskDelayMs). */
    private readonly initialTaskDelayMs: number,
  ) {}

  schedulePeriodic(name: string, task: () => Promise<void>, periodMs: number): void {
    if (!(periodMs > 0) || periodMs > MAX_TIMER_MS) {
      this.logger.debug(`Not scheduling ${name}: period ${periodMs} ms means never`);
      return;
    }
    this.tasks.push(this.scheduler.schedule(name, () => this.track(task), Math.min(this.initialTaskDelayMs, MAX_TIMER_MS), periodMs));
  }

  /** Runs a background task unless shut down, remembering it so shutdown can wait for it. */
  track(task: () => Promise<void>): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const run = task();
    this.running.add(run);
    const forget = (): void => {
      this.running.delete(run);
    };
    void run.then(forget, forget);
    return run;
  }

  /** Cancels the periodic tasks; from now on no new run starts. */
  stop(): void {
    this.stopped = true;
    for (const task of this.tasks) task.cancel();
  }

  /** Resolves once every run in flight has settled (failed ones included). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }
}
