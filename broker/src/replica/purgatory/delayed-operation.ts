/**
 * Kafka's DelayedOperation and DelayedOperationPurgatory, for one event loop: an operation waits,
 * watched under keys (partitions), until `tryComplete` says it can finish, something forces it, or
 * its timeout fires. Completion happens once: `forceComplete` cancels the timer and runs
 * `onComplete`. Without threads there is no lock; timers come from the injected Scheduler, and
 * `shutdown` cancels every one of them (their operations are completed as on expiry).
 */
import type { Logger } from '../../common/logger';
import type { ScheduledTask, Scheduler } from '../../common/scheduler';

export abstract class DelayedOperation {
  private completed = false;
  /** @internal set by the purgatory */
  timer: ScheduledTask | undefined;

  constructor(readonly delayMs: number) {}

  get isCompleted(): boolean {
    return this.completed;
  }

  /** Checks whether the operation can complete now, and if so calls forceComplete. Must not throw. */
  abstract tryComplete(): boolean;
  /** Produces the result (called exactly once). */
  protected abstract onComplete(): void;
  /** Called before onComplete when the operation timed out. */
  protected onExpiration(): void {}

  /** Completes the operation unless it already was; true when this call completed it. */
  forceComplete(): boolean {
    if (this.completed) return false;
    this.completed = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.onComplete();
    return true;
  }

  /** @internal the timeout fired */
  expire(): void {
    if (this.completed) return;
    this.onExpiration();
    this.forceComplete();
  }
}

export class DelayedOperationPurgatory<T extends DelayedOperation> {
  private readonly watchers = new Map<string, Set<T>>();
  /** Waiting operations and the keys each is watched under. */
  private readonly pending = new Map<T, readonly string[]>();
  private stopped = false;

  constructor(
    readonly name: string,
    private readonly scheduler: Scheduler,
    private readonly logger?: Logger,
  ) {}

  /** Operations waiting (not completed). */
  get delayed(): number {
    for (const op of [...this.pending.keys()]) if (op.isCompleted) this.remove(op);
    return this.pending.size;
  }

  /** Number of waiting operations watched under `key`. */
  watched(key: string): number {
    let n = 0;
    for (const op of this.watchers.get(key) ?? []) if (!op.isCompleted) n++;
    return n;
  }

  /**
   * Kafka's tryCompleteElseWatch: completes the operation now if it can; otherwise watches it under
   * every key and arms its timeout. Returns whether it completed right away.
   */
  tryCompleteElseWatch(op: T, keys: readonly string[]): boolean {
    if (this.safeTryComplete(op)) return true;
    if (this.stopped) {
      op.expire();
      return true;
    }
    for (const key of keys) {
      let set = this.watchers.get(key);
      if (set === undefined) this.watchers.set(key, (set = new Set()));
      set.add(op);
    }
    this.pending.set(op, keys);
    op.timer = this.scheduler.schedule(`${this.name}-expiration`, () => {
      this.remove(op);
      op.expire();
    }, Math.max(0, op.delayMs));
    return false;
  }

  /** Kafka's checkAndComplete: tries every operation watched under `key`; returns how many completed. */
  checkAndComplete(key: string): number {
    const set = this.watchers.get(key);
    if (set === undefined) return 0;
    let completed = 0;
    for (const op of [...set]) {
      if (op.isCompleted) {
        this.remove(op);
      } else if (this.safeTryComplete(op)) {
        completed++;
        this.remove(op);
      }
    }
    return completed;
  }

  private remove(op: T): void {
    const keys = this.pending.get(op) ?? [];
    this.pending.delete(op);
    for (const key of keys) {
      const set = this.watchers.get(key);
      if (set === undefined) continue;
      set.delete(op);
      if (set.size === 0) this.watchers.delete(key);
    }
  }

  private safeTryComplete(op: T): boolean {
    try {
      return op.tryComplete();
    } catch (err) {
      this.logger?.error({ err, purgatory: this.name }, 'delayed operation check failed; completing it');
      op.forceComplete();
      return true;
    }
  }

  /** Cancels every timer and completes what is still waiting (as its expiry would). */
  shutdown(): void {
    this.stopped = true;
    const ops = [...this.pending.keys()];
    this.pending.clear();
    this.watchers.clear();
    for (const op of ops) op.expire();
  }
}
