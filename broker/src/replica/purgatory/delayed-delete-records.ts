/**
 * Kafka's DelayedDeleteRecords: each partition waits until its low watermark (the smallest log start
 * offset over the leader and its live replicas) reaches the requested offset; on timeout the ones
 * still waiting answer REQUEST_TIMED_OUT.
 */
import { ErrorCode } from '../../protocol';
import type { Partition } from '../../cluster/partition';
import { type DeleteRecordsPartitionResult, errorCodeOf } from '../types';
import { DelayedOperation } from './delayed-operation';

export interface DeleteRecordsPartitionStatus {
  requiredOffset: number;
  acksPending: boolean;
  result: DeleteRecordsPartitionResult;
}

export class DelayedDeleteRecords extends DelayedOperation {
  constructor(
    delayMs: number,
    private readonly status: Map<string, DeleteRecordsPartitionStatus>,
    private readonly partitionOf: (key: string) => Partition | { errorCode: number },
    private readonly respond: (results: Map<string, DeleteRecordsPartitionResult>) => void,
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

  tryComplete(): boolean {
    for (const [key, s] of this.status) {
      if (!s.acksPending) continue;
      const p = this.partitionOf(key);
      if (!('lowWatermarkIfLeader' in p)) {
        s.acksPending = false;
        s.result = { lowWatermark: -1, errorCode: p.errorCode };
        continue;
      }
      try {
        const low = p.lowWatermarkIfLeader();
        if (low >= s.requiredOffset) {
          s.acksPending = false;
          s.result = { lowWatermark: low, errorCode: ErrorCode.NONE };
        }
      } catch (err) {
        s.acksPending = false;
        s.result = { lowWatermark: -1, errorCode: errorCodeOf(err) };
      }
    }
    for (const s of this.status.values()) if (s.acksPending) return false;
    return this.forceComplete();
  }

  protected onComplete(): void {
    const out = new Map<string, DeleteRecordsPartitionResult>();
    for (const [key, s] of this.status) out.set(key, s.result);
    this.respond(out);
  }
}
