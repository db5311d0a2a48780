/**
 * Kafka's ReplicaManager.deleteRecords (kept apart from replica-manager.ts for size): each leader's log
 * start offset moves, then the request waits in the DeleteRecords purgatory (DelayedDeleteRecords)
 * until the low watermark over the live replicas reaches it. Internal topics are refused.
 */
import type { TopicPartition } from '../log/log-names';
import { isInternalTopic } from '../metadata/topic';
import { ErrorCode } from '../protocol';
import { DelayedDeleteRecords, type DeleteRecordsPartitionStatus } from './purgatory/delayed-delete-records';
import type { ReplicaManager } from './replica-manager';
import { type DeleteRecordsPartitionResult, errorCodeOf } from './types';

export async function deleteRecords(
  rm: ReplicaManager,
  timeoutMs: number,
  offsets: ReadonlyMap<string, { topicPartition: TopicPartition; offset: number }>,
): Promise<Map<string, DeleteRecordsPartitionResult>> {
  const status = new Map<string, DeleteRecordsPartitionStatus>();
  let anySuccess = false;
  for (const [key, { topicPartition: tp, offset }] of offsets) {
    let requiredOffset = -1;
    let result: DeleteRecordsPartitionResult;
    if (isInternalTopic(tp.topic)) {
      result = { lowWatermark: -1, errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION };
    } else {
      try {
        const r = await rm.getPartitionOrException(tp).deleteRecordsOnLeader(offset);
        requiredOffset = r.requestedOffset;
        result = { lowWatermark: r.lowWatermark, errorCode: ErrorCode.NONE };
        anySuccess = true;
      } catch (err) {
        if (errorCodeOf(err) === ErrorCode.UNKNOWN_SERVER_ERROR) rm.logger.error({ err }, `Error processing delete records operation on partition ${key}`);
        result = { lowWatermark: -1, errorCode: errorCodeOf(err) };
      }
    }
    status.set(key, { requiredOffset, acksPending: false, result });
  }
  if (!anySuccess) return new Map([...status].map(([k, s]) => [k, s.result]));
  return new Promise((resolve) => {
    const op = new DelayedDeleteRecords(timeoutMs, status, (key) => rm.partitionOrError(key, offsets.get(key)!.topicPartition), resolve);
    rm.delayedDeleteRecordsPurgatory.tryCompleteElseWatch(op, [...offsets.keys()]);
  });
}
