/** The ReplicaManager's request and result shapes (Kafka's PartitionResponse, LogReadResult, ...). */
import type { LogOffsetMetadata } from '../cluster/partition';
import type { TopicPartition } from '../log/log-names';
import type { RecordError } from '../log/record-validation-error';
import { ErrorCode, KafkaProtocolError } from '../protocol';
import type { FetchRequest } from '../protocol/generated/fetch-request';

export interface ProducePartitionResult {
  errorCode: number;
  /** First offset appended, -1 on error. */
  baseOffset: number;
  /** Broker append time for LogAppendTime topics, else -1. */
  logAppendTimeMs: number;
  logStartOffset: number;
  errorMessage: string | null;
  /** Records of the batch that failed validation (Produce v8+ record_errors). */
  recordErrors?: readonly RecordError[];
}

export interface FetchPartitionRequest {
  topicPartition: TopicPartition;
  fetchOffset: number;
  /** The follower's log start offset (-1 from consumers). */
  logStartOffset: number;
  /** partition_max_bytes. */
  maxBytes: number;
  /** -1: not given. */
  currentLeaderEpoch: number;
  /** -1: not given (Fetch v12 followers send it). */
  lastFetchedEpoch: number;
}

/** The partitions a Fetch request asks for, as ReplicaManager.fetchMessages takes them. */
export function fetchPartitionRequests(req: FetchRequest): FetchPartitionRequest[] {
  return req.topics.flatMap((t) =>
    t.partitions.map((p) => ({
      topicPartition: { topic: t.topic, partition: p.partition },
      fetchOffset: Number(p.fetchOffset),
      logStartOffset: Number(p.logStartOffset),
      maxBytes: p.partitionMaxBytes,
      currentLeaderEpoch: p.currentLeaderEpoch,
      lastFetchedEpoch: p.lastFetchedEpoch,
    })),
  );
}

export interface FetchParams {
  /** max_wait_ms. */
  maxWaitMs: number;
  /** -1 consumers, >= 0 follower broker ids, -2 debug, -3 future local replica. */
  replicaId: number;
  minBytes: number;
  maxBytes: number;
  /** Fetch v0-2: no KIP-74 first-batch exception. */
  hardMaxBytesLimit: boolean;
  /** 0 read_uncommitted, 1 read_committed. */
  isolationLevel: number;
  partitions: readonly FetchPartitionRequest[];
}

/** One partition's read (Kafka's LogReadResult / FetchPartitionData). */
export interface LogReadResult {
  topicPartition: TopicPartition;
  errorCode: number;
  records: Buffer;
  highWatermark: number;
  /** -1 when not known (errors). */
  lastStableOffset: number;
  logStartOffset: number;
  logEndOffset: number;
  fetchOffsetMetadata: LogOffsetMetadata;
  divergingEpoch?: { epoch: number; endOffset: number };
  /** Empty for read_committed consumer reads (no transactions yet), null otherwise. */
  abortedTransactions: { producerId: number; firstOffset: number }[] | null;
}

export interface DeleteRecordsPartitionResult {
  lowWatermark: number;
  errorCode: number;
}

export interface PartitionError {
  topicPartition: TopicPartition;
  errorCode: number;
}

/** The error code an exception carries (KafkaProtocolError), UNKNOWN_SERVER_ERROR otherwise. */
export function errorCodeOf(err: unknown): number {
  return err instanceof KafkaProtocolError ? err.code : ErrorCode.UNKNOWN_SERVER_ERROR;
}

export function tpKey(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`;
}
