/**
 * Kafka's LeaderEpochFileCache: per-partition (leader epoch → first offset of that epoch) entries,
 * strictly increasing in both epoch and start offset, persisted to the partition's
 * `leader-epoch-checkpoint` after every change. Followers use it to find where their log diverges from
 * the leader's (OffsetsForLeaderEpoch, Fetch's diverging_epoch); the leader answers with `endOffsetFor`.
 *
 * State changes happen synchronously (the broker has one event loop, so readers always see a
 * consistent cache); each mutating call returns the promise of the checkpoint write that covers it.
 * Writes are coalesced: a write that has not started yet picks up every change made before it starts.
 */
import { createLogger, Logger } from '../common/logger';
import { EpochEntry, LeaderEpochCheckpoint } from './checkpoints/leader-epoch-checkpoint-file';
import { TopicPartition, topicPartitionKey } from './checkpoints/offset-checkpoint-file';

/** OffsetsForLeaderEpochResponse.UNDEFINED_EPOCH / UNDEFINED_EPOCH_OFFSET. */
export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1;

export interface EpochEndOffset {
  readonly epoch: number;
  readonly endOffset: number;
}

const UNDEFINED: EpochEndOffset = { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };

function formatEntries(entries: readonly EpochEntry[]): string {
  return `[${entries.map((e) => `EpochEntry(epoch=${e.epoch}, startOffset=${e.startOffset})`).join(', ')}]`;
}

export class LeaderEpochFileCache {
  /** Sorted by epoch (and therefore by start offset); small, so plain arrays beat a tree. */
  private epochs: EpochEntry[] = [];
  private readonly logger: Logger;
  /** The checkpoint write in progress, and the one queued behind it (not started, so still coalescing). */
  private writing: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(
    readonly topicPartition: TopicPartition,
    private readonly checkpoint: LeaderEpochCheckpoint,
    logger?: Logger,
  ) {
    this.logger = logger ?? createLogger('LeaderEpochCache', { topicPartition: topicPartitionKey(topicPartition) });
  }

  /**
   * Builds the cache from the checkpoint's current content, as Kafka's constructor does (entries are
   * re-assigned, so a hand-edited non-monotonic file is cleaned up in memory; nothing is written).
   */
  static async load(topicPartition: TopicPartition, checkpoint: LeaderEpochCheckpoint, logger?: Logger): Promise<LeaderEpochFileCache> {
    const cache = new LeaderEpochFileCache(topicPartition, checkpoint, logger);
    for (const entry of await checkpoint.read()) cache.assignEntry(entry);
    return cache;
  }

  /**
   * Records that `epoch` starts at `startOffset`. Once an epoch has an entry, a later assignment of the
   * same epoch at a larger offset is ignored (the common case: every batch of the epoch calls this).
   * An entry that breaks monotonicity wins: entries with an epoch ≥ its epoch or a start offset ≥ its
   * start offset are removed first, with a warning when that drops real history.
   */
  assign(epoch: number, startOffset: number): Promise<void> | undefined {
    // Nothing to write: no Promise, so the append path can go on synchronously.
    if (!this.assignEntry({ epoch, startOffset })) return undefined;
    this.logger.debug(`Appended new epoch entry ${formatEntries([{ epoch, startOffset }])}. Cache now contains ${this.epochs.length} entries.`);
    return this.flush();
  }

  private assignEntry(entry: EpochEntry): boolean {
    if (entry.epoch < 0 || entry.startOffset < 0) {
      throw new RangeError(`Received invalid partition leader epoch entry ${formatEntries([entry])}`);
    }
    const last = this.latestEntry;
    const updateNeeded = last === undefined || entry.epoch !== last.epoch || entry.startOffset < last.startOffset;
    if (!updateNeeded) return false;
    const removed = this.removeFromEnd((e) => e.epoch >= entry.epoch || e.startOffset >= entry.startOffset);
    // Replacing an entry at the same start offset only means no data was written in it: expected, no warning.
    if (removed.length > 1 || (removed.length === 1 && removed[0].startOffset !== entry.startOffset)) {
      this.logger.warn(
        `New epoch entry ${formatEntries([entry])} caused truncation of conflicting entries ${formatEntries(removed)}. ` +
          `Cache now contains ${this.epochs.length} entries.`,
      );
    }
    this.epochs.push({ epoch: entry.epoch, startOffset: entry.startOffset });
    return true;
  }

  /** Removes trailing entries while `predicate` holds; returns them newest first, as Kafka does. */
  private removeFromEnd(predicate: (e: EpochEntry) => boolean): EpochEntry[] {
    const removed: EpochEntry[] = [];
    while (this.epochs.length > 0 && predicate(this.epochs[this.epochs.length - 1])) {
      removed.push(this.epochs.pop() as EpochEntry);
    }
    return removed;
  }

  private removeFromStart(predicate: (e: EpochEntry) => boolean): EpochEntry[] {
    let n = 0;
    while (n < this.epochs.length && predicate(this.epochs[n])) n++;
    return this.epochs.splice(0, n);
  }

  get nonEmpty(): boolean {
    return this.epochs.length > 0;
  }

  get latestEntry(): EpochEntry | undefined {
    return this.epochs[this.epochs.length - 1];
  }

  /** The epoch being written to (the latest with an entry), or undefined when the cache is empty. */
  get latestEpoch(): number | undefined {
    return this.latestEntry?.epoch;
  }

  /** The epoch before the latest one, if any. */
  get previousEpoch(): number | undefined {
    return this.epochs.length >= 2 ? this.epochs[this.epochs.length - 2].epoch : undefined;
  }

  get earliestEntry(): EpochEntry | undefined {
    return this.epochs[0];
  }

  /** A copy of every entry, oldest first. */
  get epochEntries(): EpochEntry[] {
    return this.epochs.map((e) => ({ ...e }));
  }

  /**
   * The largest epoch ≤ `requestedEpoch` and its end offset: the start offset of the next larger epoch,
   * or `logEndOffset` when the latest epoch is requested. Undefined (-1, -1) for UNDEFINED_EPOCH, an
   * empty cache, or an epoch beyond the latest. An epoch older than every entry answers
   * (requestedEpoch, first entry's start offset): that history was removed with the log's head, and
   * the follower must replicate from the leader's earliest retained epoch.
   */
  endOffsetFor(requestedEpoch: number, logEndOffset: number): EpochEndOffset {
    let result: EpochEndOffset;
    if (requestedEpoch === UNDEFINED_EPOCH) {
      // A bootstrapping follower, or one on a message format without leader epochs.
      result = UNDEFINED;
    } else if (this.latestEpoch === requestedEpoch) {
      // The current epoch is still being written to, so it ends at the log end.
      result = { epoch: requestedEpoch, endOffset: logEndOffset };
    } else {
      const higherIndex = this.epochs.findIndex((e) => e.epoch > requestedEpoch);
      if (higherIndex < 0) {
        result = UNDEFINED;
      } else if (higherIndex === 0) {
        result = { epoch: requestedEpoch, endOffset: this.epochs[0].startOffset };
      } else {
        result = { epoch: this.epochs[higherIndex - 1].epoch, endOffset: this.epochs[higherIndex].startOffset };
      }
    }
    this.logger.debug(
      `Processed end offset request for epoch ${requestedEpoch} and returning epoch ${result.epoch} ` +
        `with end offset ${result.endOffset} from epoch cache of size ${this.epochs.length}`,
    );
    return result;
  }

  /** Removes every entry whose start offset is ≥ `endOffset` (the log was truncated to `endOffset`). */
  truncateFromEnd(endOffset: number): Promise<void> {
    const last = this.latestEntry;
    if (endOffset < 0 || last === undefined || last.startOffset < endOffset) return Promise.resolve();
    const removed = this.removeFromEnd((e) => e.startOffset >= endOffset);
    this.logger.debug(
      `Cleared entries ${formatEntries(removed)} from epoch cache after truncating to end offset ${endOffset}, ` +
        `leaving ${this.epochs.length} entries in the cache.`,
    );
    return this.flush();
  }

  /**
   * The log start moved to `startOffset`: entries starting at or before it are dropped, except that the
   * newest of them is kept with its start offset moved up to `startOffset`, so the epoch of the first
   * retained offset stays known. truncateFromStart(6) keeps an entry at offset 6.
   */
  truncateFromStart(startOffset: number): Promise<void> {
    const removed = this.removeFromStart((e) => e.startOffset <= startOffset);
    const newest = removed[removed.length - 1];
    if (newest === undefined) return Promise.resolve();
    const updated: EpochEntry = { epoch: newest.epoch, startOffset };
    this.epochs.unshift(updated);
    this.logger.debug(
      `Cleared entries ${formatEntries(removed)} and rewrote first entry ${formatEntries([updated])} after truncating to ` +
        `start offset ${startOffset}, leaving ${this.epochs.length} in the cache.`,
    );
    return this.flush();
  }

  /** Deletes every entry and writes the empty checkpoint. */
  clearAndFlush(): Promise<void> {
    this.epochs = [];
    return this.flush();
  }

  /** Deletes every entry in memory only (Kafka uses this before deleting the partition dir). */
  clear(): void {
    this.epochs = [];
  }

  /** Resolves when every checkpoint write started or queued so far has finished. */
  async flushed(): Promise<void> {
    await this.queued;
    await this.writing;
  }

  private flush(): Promise<void> {
    // A queued write has not read the entries yet, so it will include this change too.
    if (this.queued !== undefined) return this.queued;
    // A failed earlier write was reported to its own callers; this one still tries.
    const previous = (this.writing ?? Promise.resolve()).catch(() => undefined);
    const next: Promise<void> = previous.then(async () => {
      this.queued = undefined;
      this.writing = next;
      try {
        await this.checkpoint.write(this.epochs.map((e) => ({ ...e })));
      } finally {
        if (this.writing === next) this.writing = undefined;
      }
    });
    this.queued = next;
    return next;
  }
}
