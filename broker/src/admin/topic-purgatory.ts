/**
 * The waiting half of Kafka's topic purgatory (DelayedCreatePartitions / DelayedDeleteTopics): a
 * condition over the metadata cache is re-checked after every applied UpdateMetadata (Kafka's
 * tryCompleteDelayedTopicOperations) until it holds or the timeout passes. Timers are cleared on
 * completion and on shutdown.
 */
interface Waiter {
  readonly check: () => boolean;
  readonly resolve: (done: boolean) => void;
  readonly timer: NodeJS.Timeout;
}

export class TopicPurgatory {
  private readonly waiters = new Set<Waiter>();
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly metadata: { onUpdate(listener: () => void): () => void }) {}

  /** Resolves true once `check()` holds, false when timeoutMs passes first (or on shutdown). */
  waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
    if (check()) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        check,
        resolve,
        timer: setTimeout(() => this.complete(waiter, waiter.check()), timeoutMs),
      };
      this.waiters.add(waiter);
      this.unsubscribe ??= this.metadata.onUpdate(() => this.checkAll());
    });
  }

  get numDelayed(): number {
    return this.waiters.size;
  }

  shutdown(): void {
    for (const w of [...this.waiters]) this.complete(w, w.check());
  }

  private checkAll(): void {
    for (const w of [...this.waiters]) if (w.check()) this.complete(w, true);
  }

  private complete(waiter: Waiter, done: boolean): void {
    if (!this.waiters.delete(waiter)) return;
    clearTimeout(waiter.timer);
    waiter.resolve(done);
    if (this.waiters.size === 0 && this.unsubscribe !== null) {
      this.unsubscribe();
      this.unsubscribe = null;
    }
  }
}
