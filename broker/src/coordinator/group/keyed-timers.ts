/**
 * The coordinator's delayed operations (Kafka's DelayedJoin / DelayedHeartbeat / DelayedSync purgatory
 * entries) as one timer per key on the injected Scheduler: setting a key replaces its timer, and a
 * timer forgets itself before it runs so the callback may set the same key again.
 */
import type { ScheduledTask, Scheduler } from '../../common/scheduler';

export class KeyedTimers {
  private readonly tasks = new Map<string, ScheduledTask>();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly name: string,
  ) {}

  set(key: string, delayMs: number, run: () => void): void {
    this.cancel(key);
    const task = this.scheduler.schedule(`${this.name}-${key}`, () => {
      this.tasks.delete(key);
      run();
    }, delayMs);
    this.tasks.set(key, task);
  }

  has(key: string): boolean {
    return this.tasks.has(key);
  }

  cancel(key: string): void {
    this.tasks.get(key)?.cancel();
    this.tasks.delete(key);
  }

  cancelAll(): void {
    for (const task of this.tasks.values()) task.cancel();
    this.tasks.clear();
  }
}
