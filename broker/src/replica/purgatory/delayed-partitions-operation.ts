/**
 * What Kafka's DelayedProduce and DelayedDeleteRecords share: each partition of the request waits
 * until its own condition holds (checked by the subclass). Kafka presets every partition that is
 * waiting to REQUEST_TIMED_OUT, so a timeout simply answers with the status as it stands.
 */
import { ErrorCode } from '../../protocol';
import type { Partition } from '../../cluster/partition';
import { DelayedOperation } from './delayed-operation';

export interface DelayedPartitionStatus<R extends { errorCode: number }> {
  requiredOffset: number;
  acksPending: boolean;
  result: R;
}

/** The partition to check, or the error that stands in for it (no longer here / not leader). */
export type PartitionOrError = Partition | { errorCode: number };

export abstract class DelayedPartitionsOperation<R extends { errorCode: number }> extends DelayedOperation {
  constructor(
    delayMs: number,
    private readonly status: Map<string, DelayedPartitionStatus<R>>,
    private readonly partitionOf: (key: string) => PartitionOrError,
    private readonly respond: (results: Map<string, R>) => void,
  ) {
    super(delayMs);
    for (const s of status.values()) {
      if (s.result.errorCode === ErrorCode.NONE) {
        s.acksPending = true;
        s.result = { ...s.result, errorCode: ErrorCode.REQUEST_TIMED_OUT };
      } else {
        s.acksPending = false;
      }
    }
  }

  /** The partition's final result when its condition holds (or it failed); undefined while it waits. */
  protected abstract checkPartition(p: PartitionOrError, s: DelayedPartitionStatus<R>): R | undefined;

  tryComplete(): boolean {
    for (const [key, s] of this.status) {
      if (!s.acksPending) continue;
      const result = this.checkPartition(this.partitionOf(key), s);
      if (result !== undefined) {
        s.acksPending = false;
        s.result = result;
      }
    }
    for (const s of this.status.values()) if (s.acksPending) return false;
    return this.forceComplete();
  }

  protected onComplete(): void {
    const out = new Map<string, R>();
    for (const [key, s] of this.status) out.set(key, s.result);
    this.respond(out);
  }
}
