/**
 * The produce path of Kafka 2.8's ReplicaManager (appendRecords, appendToLocalLog): each partition's
 * records go to its leader's log, and acks=-1 waits in the produce purgatory (DelayedProduce) for the
 * high watermark. Apart from replica-manager.ts for size, as replica-reads.ts is for the read side.
 */
import { RecordValidationError } from '../log/record-validation-error';
import type { TopicPartition } from '../log/log-names';
import { isInternalTopic } from '../metadata/topic';
import { ErrorCode, KafkaProtocolError } from '../protocol';
import { DelayedProduce, type ProducePartitionStatus } from './purgatory/delayed-produce';
import type { ReplicaManager } from './replica-manager';
import { type ProducePartitionResult, errorCodeOf } from './types';

/**
 * Kafka's appendRecords. acks must be -1, 0 or 1 (else INVALID_REQUIRED_ACKS everywhere). Internal
 * topics take client appends only when `internalTopicsAllowed`. acks=-1 waits in the produce
 * purgatory for the high watermark unless every append failed; keys of `entries` are `<topic>-<p>`.
 */
export async function appendRecords(
  rm: ReplicaManager,
  o: {
    timeoutMs: number;
    requiredAcks: number;
    internalTopicsAllowed: boolean;
    entries: ReadonlyMap<string, { topicPartition: TopicPartition; records: Buffer }>;
  },
): Promise<Map<string, ProducePartitionResult>> {
  const results = new Map<string, ProducePartitionResult>();
  if (o.requiredAcks !== -1 && o.requiredAcks !== 0 && o.requiredAcks !== 1) {
    for (const key of o.entries.keys()) results.set(key, { errorCode: ErrorCode.INVALID_REQUIRED_ACKS, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, errorMessage: null });
    return results;
  }
  const appended = await Promise.all([...o.entries].map(async ([key, e]) => [key, await appendToLocalLog(rm, key, e.topicPartition, e.records, o)] as const));
  const status = new Map<string, ProducePartitionStatus>();
  let anySuccess = false;
  for (const [key, { result, lastOffset }] of appended) {
    results.set(key, result);
    status.set(key, { requiredOffset: lastOffset + 1, acksPending: false, result });
    if (result.errorCode === ErrorCode.NONE) anySuccess = true;
  }
  if (o.requiredAcks !== -1 || o.entries.size === 0 || !anySuccess) return results;
  return new Promise((resolve) => {
    const op = new DelayedProduce(o.timeoutMs, status, (key) => rm.partitionOrError(key, o.entries.get(key)!.topicPartition), resolve);
    rm.delayedProducePurgatory.tryCompleteElseWatch(op, [...o.entries.keys()]);
  });
}

async function appendToLocalLog(rm: ReplicaManager, key: string, tp: TopicPartition, records: Buffer, o: { requiredAcks: number; internalTopicsAllowed: boolean }): Promise<{ result: ProducePartitionResult; lastOffset: number }> {
  const failed = (err: unknown, logStartOffset: number): { result: ProducePartitionResult; lastOffset: number } => ({
    result: {
      errorCode: errorCodeOf(err),
      baseOffset: -1,
      logAppendTimeMs: -1,
      logStartOffset,
      errorMessage: err instanceof Error ? err.message : null,
      ...(err instanceof RecordValidationError ? { recordErrors: err.recordErrors } : {}),
    },
    lastOffset: -1,
  });
  if (isInternalTopic(tp.topic) && !o.internalTopicsAllowed) {
    return failed(new KafkaProtocolError('INVALID_TOPIC_EXCEPTION', `Cannot append to internal topic ${tp.topic}`), -1);
  }
  try {
    const p = rm.getPartitionOrException(tp);
    const { info, highWatermarkIncremented } = await p.appendRecordsToLeader(records, o.requiredAcks);
    if (highWatermarkIncremented) rm.tryCompleteDelayedRequests(tp);
    else rm.delayedFetchPurgatory.checkAndComplete(key);
    return {
      result: { errorCode: ErrorCode.NONE, baseOffset: info.firstOffset, logAppendTimeMs: info.logAppendTime, logStartOffset: info.logStartOffset, errorMessage: null },
      lastOffset: info.lastOffset,
    };
  } catch (err) {
    const code = errorCodeOf(err);
    if (code === ErrorCode.UNKNOWN_SERVER_ERROR) rm.logger.error({ err }, `Error processing append operation on partition ${key}`);
    const bare = [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.MESSAGE_TOO_LARGE, ErrorCode.RECORD_LIST_TOO_LARGE, ErrorCode.CORRUPT_MESSAGE, ErrorCode.KAFKA_STORAGE_ERROR] as number[];
    return failed(err, bare.includes(code) ? -1 : (rm.getPartition(tp)?.log?.logStartOffset ?? -1));
  }
}
