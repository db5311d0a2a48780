/**
 * Kafka's ControllerEventManager: one queue, events processed one at a time in order, so controller
 * state is only ever touched by one event (no concurrency between ZooKeeper callbacks, responses and
 * timers). A failing event is logged and the queue moves on.
 */
import type { Logger } from '../common/logger';

export interface ControllerEvent {
  /** Kafka's ControllerState name, for logs (e.g. BrokerChange, TopicChange). */
  readonly name: string;
  process(): Promise<void>;
  /** Called instead of process() when the event is dropped (expiry, shutdown), e.g. to fail a waiting caller. */
  preempt?(): void;
}

export class ControllerEventManager {
  private readonly queue: ControllerEvent[] = [];
  private running: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly log: Logger) {}

  get queueSize(): number {
    return this.queue.length;
  }

  put(event: ControllerEvent): void {
    if (this.closed) {
      event.preempt?.();
      return;
    }
    this.queue.push(event);
    this.running ??= this.drain();
  }

  /** Drops queued events (Kafka clearAndPut for expiry / shutdown) and adds this one. */
  clearAndPut(event: ControllerEvent): void {
    this.preemptQueued();
    this.put(event);
  }

  /** Stops taking events and waits for the one in progress. */
  async close(): Promise<void> {
    this.closed = true;
    this.preemptQueued();
    await this.running;
  }

  /** Resolves once every event queued so far has been processed. */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  private preemptQueued(): void {
    for (const e of this.queue.splice(0)) e.preempt?.();
  }

  /**
   * Runs queued events until the queue is empty. `running` is cleared in the same step that finds the
   * queue empty, so an event put after that starts a new drain instead of waiting on a finished one.
   * (The queue is non-empty on entry, so the first await comes before the finally: put() has stored
   * this promise by then.)
   */
  private async drain(): Promise<void> {
    try {
      for (let event = this.queue.shift(); event !== undefined; event = this.queue.shift()) {
        try {
          await event.process();
        } catch (err) {
          this.log.error({ err, event: event.name }, 'error processing controller event');
        }
      }
    } finally {
      this.running = null;
    }
  }
}
