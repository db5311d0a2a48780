/**
 * A watch that stays armed. ZooKeeper watches fire once; after each firing this re-reads the znode with
 * a fresh watch and hands the listener what it found. The client re-arms every watch on a new session.
 * Binding-free: the client passes the watched reads in.
 */
import type { Logger } from '../common/logger';

/** What the client hands a one-shot watch: called once per ZooKeeper event (session events excluded). */
export type WatchTrigger = () => void;

/** One read: the value seen and a key that changes whenever the value may have (e.g. czxid:mzxid). */
export interface Observation<T> {
  readonly value: T;
  readonly key: string;
}

export interface WatchReads<T> {
  /** Reads the znode and sets a watch; null when it does not exist (ZooKeeper then sets no watch). */
  readAndWatch(trigger: WatchTrigger): Promise<Observation<T> | null>;
  /** exists() with a watch, which ZooKeeper does set on a missing znode; true when it exists. */
  existsAndWatch(trigger: WatchTrigger): Promise<boolean>;
  /** The value handed out while the znode does not exist. */
  readonly absent: T;
}

export type WatchListener<T> = (value: T) => void | Promise<void>;

/** A registered watch. `value` is the latest value seen; close() stops listening. */
export interface ZkWatch<T> {
  readonly path: string;
  readonly value: T;
  close(): void;
}

/** The client's view of a watch, whatever its value type. */
export interface RearmableWatch {
  readonly closed: boolean;
  /** True when re-arming failed (e.g. connection lost) and must be retried on reconnect. */
  readonly needsRearm: boolean;
  rearm(): void;
  close(): void;
}

const ABSENT_KEY = 'absent';

export class ZNodeWatch<T> implements ZkWatch<T>, RearmableWatch {
  private generation = 0;
  private lastKey: string | undefined;
  private current: T;
  closed = false;
  needsRearm = false;

  constructor(
    readonly path: string,
    private readonly reads: WatchReads<T>,
    private readonly listener: WatchListener<T>,
    private readonly logger: Logger,
    private readonly onClose: (watch: ZNodeWatch<T>) => void,
  ) {
    this.current = reads.absent;
  }

  get value(): T {
    return this.current;
  }

  /** First read: records the value without calling the listener. */
  async start(): Promise<void> {
    const { seen, generation } = await this.arm();
    if (generation === this.generation && this.lastKey === undefined) {
      this.lastKey = seen.key;
      this.current = seen.value;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose(this);
  }

  rearm(): void {
    if (this.closed) return;
    this.needsRearm = false;
    void this.rearmAndDeliver();
  }

  private async rearmAndDeliver(): Promise<void> {
    try {
      const { seen, generation } = await this.arm();
      // A newer arm is in flight: it will deliver a value at least as fresh.
      if (this.closed || generation !== this.generation) return;
      this.deliver(seen);
    } catch (err) {
      if (this.closed) return;
      // The client re-arms on the next (re)connection or new session.
      this.needsRearm = true;
      this.logger.warn({ err, path: this.path }, 'could not re-arm ZooKeeper watch; retrying on reconnect');
    }
  }

  private async arm(): Promise<{ seen: Observation<T>; generation: number }> {
    for (;;) {
      const readGeneration = ++this.generation;
      const seen = await this.reads.readAndWatch(this.trigger(readGeneration));
      if (seen !== null) return { seen, generation: readGeneration };
      // No such znode, so no watch was set by the read: watch for its creation instead.
      const existsGeneration = ++this.generation;
      const exists = await this.reads.existsAndWatch(this.trigger(existsGeneration));
      if (!exists) return { seen: { value: this.reads.absent, key: ABSENT_KEY }, generation: existsGeneration };
      // Created in between: read again (the exists watch just set goes stale; its firing is ignored).
    }
  }

  /** Only the watch set by the latest arm counts; older ones still fire once and are ignored. */
  private trigger(generation: number): WatchTrigger {
    return () => {
      if (this.closed || generation !== this.generation) return;
      this.rearm();
    };
  }

  private deliver(seen: Observation<T>): void {
    // ZooKeeper may fold several changes into one event, and a new session re-reads unchanged nodes:
    // listeners hear about each state they have not seen, once.
    if (seen.key === this.lastKey) return;
    this.lastKey = seen.key;
    this.current = seen.value;
    const value = seen.value;
    void Promise.resolve()
      .then(() => this.listener(value))
      .catch((err: unknown) => this.logger.error({ err, path: this.path }, 'ZooKeeper watch listener failed'));
  }
}
