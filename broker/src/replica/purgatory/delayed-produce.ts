/**
 * Kafka's DelayedProduce (acks=-1): each appended partition waits until its high watermark reaches
 * the append's last offset + 1 (Partition.checkEnoughReplicasReachOffset); on timeout the ones still
 * waiting answer REQUEST_TIMED_OUT.
 */
import { ErrorCode } from '../../protocol';
import type { Partition } from '../../cluster/partition';
import type { ProducePartitionResult } from '../types';
import { DelayedOperation } from './delayed-operation';

export interface ProducePartitionStatus {
  requiredOffset: number;
  acksPending: boolean;
  result: ProducePartitionResult;
}

export class DelayedProduce extends DelayedOperation {
  constructor(
    delayMs: number,
    private readonly status: Map<string, ProducePartitionStatus>,
    private readonly partitionOf: (key: string) => Partition | { errorCode: number },
    private readonly respond: (results: Map<string, ProducePartitionResult>) => void,
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
      const { done, errorCode } = 'checkEnoughReplicasReachOffset' in p ? p.checkEnoughReplicasReachOffset(s.requiredOffset) : { done: true, errorCode: p.errorCode };
      if (done) {
        s.acksPending = false;
        s.result = { ...s.result, errorCode };
      }
    }
    for (const s of this.status.values()) if (s.acksPending) return false;
    return this.forceComplete();
  }

  protected onComplete(): void {
    const out = new Map<string, ProducePartitionResult>();
    for (const [key, s] of this.status) out.set(key, s.result);
    this.respond(out);
  }
}
