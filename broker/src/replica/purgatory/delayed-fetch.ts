/**
 * Kafka's DelayedFetch: a fetch that found less than min_bytes waits until, for the partitions it
 * reads, enough bytes lie between the fetch offsets and the bound it may read to (log end for
 * followers, high watermark for consumers, last stable offset for read_committed), or until something
 * makes waiting pointless: leadership lost or the partition gone (A-C), a storage error (D), a fenced
 * leader epoch (E), or the fetch offset and the bound on different segments (F: truncation or roll).
 * Then, or at max_wait_ms, it reads again and answers with whatever is there.
 */
import type { FetchIsolation, LogOffsetMetadata, Partition } from '../../cluster/partition';
import type { FetchPartitionRequest, LogReadResult } from '../types';
import { DelayedOperation } from './delayed-operation';

export interface FetchPartitionStatus {
  key: string;
  startOffsetMetadata: LogOffsetMetadata;
  fetchInfo: FetchPartitionRequest;
}

export class DelayedFetch extends DelayedOperation {
  constructor(
    delayMs: number,
    private readonly minBytes: number,
    private readonly fetchOnlyFromLeader: boolean,
    private readonly isolation: FetchIsolation,
    private readonly statuses: readonly FetchPartitionStatus[],
    private readonly partitionOf: (key: string) => Partition | { errorCode: number },
    private readonly read: () => Promise<LogReadResult[]>,
    private readonly respond: (results: Promise<LogReadResult[]>) => void,
  ) {
    super(delayMs);
  }

  tryComplete(): boolean {
    let accumulated = 0;
    for (const { key, startOffsetMetadata: fetchOffset, fetchInfo } of this.statuses) {
      if (fetchOffset.offset < 0) continue;
      const p = this.partitionOf(key);
      if (!('fetchOffsetSnapshot' in p)) return this.forceComplete();
      let end: LogOffsetMetadata;
      try {
        const snap = p.fetchOffsetSnapshot(fetchInfo.currentLeaderEpoch, this.fetchOnlyFromLeader);
        end = this.isolation === 'logEnd' ? snap.logEndOffset : this.isolation === 'highWatermark' ? snap.highWatermark : snap.lastStableOffset;
      } catch {
        return this.forceComplete();
      }
      if (end.offset === fetchOffset.offset) continue;
      if (end.position < 0 || fetchOffset.position < 0) {
        // Kafka would resolve the positions from the log; here it is enough to know data is there.
        if (fetchOffset.offset < end.offset) return this.forceComplete();
        continue;
      }
      if (end.segmentBaseOffset < fetchOffset.segmentBaseOffset) return this.forceComplete();
      if (fetchOffset.segmentBaseOffset < end.segmentBaseOffset) return this.forceComplete();
      if (fetchOffset.offset < end.offset) accumulated += Math.min(end.position - fetchOffset.position, fetchInfo.maxBytes);
    }
    if (accumulated >= this.minBytes) return this.forceComplete();
    return false;
  }

  protected onComplete(): void {
    this.respond(this.read());
  }
}
