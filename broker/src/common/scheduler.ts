/**
 * Background task scheduling (Kafka's Scheduler / KafkaScheduler / MockScheduler). Tasks are async;
 * a periodic task is not re-entered while a previous run is still going, and a failing task is
 * reported to `onError` and keeps its schedule. `shutdown()` clears every timer so processes and
 * tests end cleanly.
 */
import { MockTime } from './time';

export type Task = () => Promise<void> | void;

export interface Scheduler {
  /** Runs `task` once after `delayMs`, then every `periodMs` if given (> 0). */
  schedule(name: string, task: Task, delayMs: number, periodMs?: number): ScheduledTask;
  shutdown(): Promise<void>;
}

export interface ScheduledTask {
  cancel(): void;
}

type ErrorHandler = (name: string, err: unknown) => void;

/** The scheduler processes use: Node timers, unref'd so they never keep a process alive alone. */
export class TimerScheduler implements Scheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly onError: ErrorHandler) {}

  schedule(name: string, task: Task, delayMs: number, periodMs = 0): ScheduledTask {
    let timer: NodeJS.Timeout | undefined;
    let cancelled = false;
    const run = (): void => {
      if (timer) this.timers.delete(timer);
      if (cancelled || this.stopped) return;
      const done = (async () => {
        try {
          await task();
        } catch (err) {
          this.onError(name, err);
        }
      })();
      this.running.add(done);
      void done.finally(() => {
        this.running.delete(done);
        if (periodMs > 0 && !cancelled && !this.stopped) arm(periodMs);
      });
    };
    const arm = (ms: number): void => {
      timer = setTimeout(run, Math.max(0, ms));
      timer.unref();
      this.timers.add(timer);
    };
    arm(delayMs);
    return {
      cancel: () => {
        cancelled = true;
        if (timer) {
          clearTimeout(timer);
          this.timers.delete(timer);
        }
      },
    };
  }

  /** Cancels every timer and waits for runs already in progress. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.running]);
  }
}

interface MockEntry {
  name: string;
  task: Task;
  dueMs: number;
  periodMs: number;
  cancelled: boolean;
}

/** Runs tasks when a MockTime is advanced through `tick`, as Kafka's MockScheduler does. */
export class MockScheduler implements Scheduler {
  private entries: MockEntry[] = [];

  constructor(
    readonly time: MockTime,
    private readonly onError: ErrorHandler = (name, err) => {
      throw new Error(`scheduled task ${name} failed`, { cause: err });
    },
  ) {}

  schedule(name: string, task: Task, delayMs: number, periodMs = 0): ScheduledTask {
    const entry: MockEntry = { name, task, dueMs: this.time.milliseconds() + delayMs, periodMs, cancelled: false };
    this.entries.push(entry);
    return { cancel: () => { entry.cancelled = true; } };
  }

  /** Advances the clock by `ms`, running every task that falls due, in due order. */
  async tick(ms = 0): Promise<void> {
    const until = this.time.milliseconds() + ms;
    for (;;) {
      this.entries = this.entries.filter((e) => !e.cancelled);
      const next = this.entries.filter((e) => e.dueMs <= until).sort((a, b) => a.dueMs - b.dueMs)[0];
      if (!next) break;
      if (next.dueMs > this.time.milliseconds()) this.time.sleep(next.dueMs - this.time.milliseconds());
      if (next.periodMs > 0) next.dueMs += next.periodMs;
      else next.cancelled = true;
      try {
        await next.task();
      } catch (err) {
        this.onError(next.name, err);
      }
    }
    if (until > this.time.milliseconds()) this.time.sleep(until - this.time.milliseconds());
  }

  async shutdown(): Promise<void> {
    this.entries = [];
  }
}
