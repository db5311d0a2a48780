/**
 * Kafka's DelayedProduce (acks=-1): each appended partition waits until its high watermark reaches
 * the append's last offset + 1 (Partition.checkEnoughReplicasReachOffset); on timeout the ones still
 * waiting answer REQUEST_TIMED_OUT.
 */
import type { ProducePartitionResult } from '../types';
import { DelayedPartitionsOperation, type DelayedPartitionStatus, type PartitionOrError } from './delayed-partitions-operation';

export type ProducePartitionStatus = DelayedPartitionStatus<ProducePartitionResult>;

export class DelayedProduce extends DelayedPartitionsOperation<ProducePartitionResult> {
  protected checkPartition(p: PartitionOrError, s: ProducePartitionStatus): ProducePartitionResult | undefined {
    const { done, errorCode } = 'checkEnoughReplicasReachOffset' in p ? p.checkEnoughReplicasReachOffset(s.requiredOffset) : { done: true, errorCode: p.errorCode };
    return done ? { ...s.result, errorCode } : undefined;
  }
}
