/**
 * Kafka's DelayedDeleteRecords: each partition waits until its low watermark (the smallest log start
 * offset over the leader and its live replicas) reaches the requested offset; on timeout the ones
 * still waiting answer REQUEST_TIMED_OUT.
 */
import { ErrorCode } from '../../protocol';
import { type DeleteRecordsPartitionResult, errorCodeOf } from '../types';
import { DelayedPartitionsOperation, type DelayedPartitionStatus, type PartitionOrError } from './delayed-partitions-operation';

export type DeleteRecordsPartitionStatus = DelayedPartitionStatus<DeleteRecordsPartitionResult>;

export class DelayedDeleteRecords extends DelayedPartitionsOperation<DeleteRecordsPartitionResult> {
  protected checkPartition(p: PartitionOrError, s: DeleteRecordsPartitionStatus): DeleteRecordsPartitionResult | undefined {
    if (!('lowWatermarkIfLeader' in p)) return { lowWatermark: -1, errorCode: p.errorCode };
    try {
      const low = p.lowWatermarkIfLeader();
      return low >= s.requiredOffset ? { lowWatermark: low, errorCode: ErrorCode.NONE } : undefined;
    } catch (err) {
      return { lowWatermark: -1, errorCode: errorCodeOf(err) };
    }
  }
}
