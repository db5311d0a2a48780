/**
 * Produce (key 0), versions 0-9. Source: KafkaApis.handleProduceRequest, ProduceRequest.validateRecords,
 * ReplicaManager.appendRecords.
 *  - Per partition: unknown to the metadata cache → UNKNOWN_TOPIC_OR_PARTITION; v3+ data must be exactly
 *    one magic-2 batch (else INVALID_RECORD), and zstd needs v7+ (UNSUPPORTED_COMPRESSION_TYPE); then the
 *    ReplicaManager appends (leader check, validation and sizes in the log, acks=-1 waits for the high
 *    watermark). v0-2 legacy message sets are up-converted by the log.
 *  - Transactional batches without a transactional id: TRANSACTIONAL_ID_AUTHORIZATION_FAILED everywhere.
 *  - Internal topics take appends only from client id `__admin_client`.
 *  - acks=0: no response (null); if any partition failed the connection is closed instead, so the
 *    producer refreshes its metadata (Kafka's closeConnection).
 *  - throttle_time_ms 0 (no quotas yet).
 */
import { ApiKey, ErrorCode, type ErrorCodeName, KafkaProtocolError } from '../protocol';
import { CompressionType, MAGIC_VALUE_V2 } from '../protocol/records';
import type { ProduceRequest } from '../protocol/generated/produce-request';
import type { PartitionProduceResponse, ProduceResponse } from '../protocol/generated/produce-response';
import { CloseConnection } from '../network/request-handler';
import type { BufferPool } from '../common/buffer-pool';
import type { MetadataCache } from '../metadata/metadata-cache';
import type { ReplicaManager } from '../replica/replica-manager';
import { type ProducePartitionResult, tpKey } from '../replica/types';
import type { TopicPartition } from '../log/log-names';
import type { ApiHandler } from './registry';

type ProduceKey = typeof ApiKey.Produce;

/** Kafka's AdminUtils.AdminClientId: the only client allowed to write internal topics. */
const ADMIN_CLIENT_ID = '__admin_client';

export interface ProduceHandlerDeps {
  replicaManager: ReplicaManager;
  metadataCache: MetadataCache;
  /**
   * The pool the socket server's large request frames come from: a request's frame is given back
   * once its records are appended (and replicated, for acks=all). The log keeps no view of them.
   */
  requestBuffers?: BufferPool;
}

/** Kafka's ProduceRequest.validateRecords; the error to answer, or null. */
export function produceRecordsError(version: number, records: Buffer | null): { code: ErrorCodeName; message: string } | null {
  if (version < 3) return null;
  const buf = records ?? Buffer.alloc(0);
  if (buf.length < 17) return { code: 'INVALID_RECORD', message: `Produce requests with version ${version} must have at least one record batch` };
  if (buf[16] !== MAGIC_VALUE_V2) return { code: 'INVALID_RECORD', message: `Produce requests with version ${version} are only allowed to contain record batches with magic version 2` };
  if (version < 7 && buf.length >= 23 && (buf[22]! & 0x07) === CompressionType.Zstd) {
    return { code: 'UNSUPPORTED_COMPRESSION_TYPE', message: `Produce requests with version ${version} are not allowed to use ZStandard compression` };
  }
  const size = buf.readInt32BE(8) + 12;
  if (buf.length > size && buf.length - size >= 12) return { code: 'INVALID_RECORD', message: `Produce requests with version ${version} are only allowed to contain exactly one record batch` };
  return null;
}

/** Whether any partition's first batch has the transactional flag (Kafka's RequestUtils.hasTransactionalRecords). */
function hasTransactionalRecords(req: ProduceRequest): boolean {
  for (const t of req.topicData) {
    for (const p of t.partitionData) {
      const r = p.records;
      if (r !== null && r.length >= 23 && r[16] === MAGIC_VALUE_V2 && (r[22]! & 0x10) !== 0) return true;
    }
  }
  return false;
}

function failed(errorCode: number, errorMessage: string | null = null): ProducePartitionResult {
  return { errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, errorMessage };
}

export function produceHandler(deps: ProduceHandlerDeps): ApiHandler<ProduceKey> {
  return {
    apiKey: ApiKey.Produce,
    minVersion: 0,
    maxVersion: 9,
    async handle(ctx, req: ProduceRequest): Promise<ProduceResponse | null> {
      // Without an authorizer only a missing transactional id fails Kafka's transactional-id check.
      if (req.transactionalId === null && hasTransactionalRecords(req)) {
        throw new KafkaProtocolError('TRANSACTIONAL_ID_AUTHORIZATION_FAILED', 'Transactional records need a transactional id');
      }
      const order: { key: string; tp: TopicPartition }[] = [];
      const early = new Map<string, ProducePartitionResult>();
      const entries = new Map<string, { topicPartition: TopicPartition; records: Buffer }>();
      for (const topic of req.topicData) {
        for (const p of topic.partitionData) {
          const tp = { topic: topic.name, partition: p.index };
          const key = tpKey(tp);
          order.push({ key, tp });
          if (!deps.metadataCache.containsPartition(tp.topic, tp.partition)) {
            early.set(key, failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
            continue;
          }
          const invalid = produceRecordsError(ctx.apiVersion, p.records);
          if (invalid !== null) early.set(key, failed(ErrorCode[invalid.code], invalid.message));
          else entries.set(key, { topicPartition: tp, records: p.records ?? Buffer.alloc(0) });
        }
      }
      const appended =
        entries.size === 0
          ? new Map<string, ProducePartitionResult>()
          : await deps.replicaManager.appendRecords({ timeoutMs: req.timeoutMs, requiredAcks: req.acks, internalTopicsAllowed: ctx.clientId === ADMIN_CLIENT_ID, entries });
      // Every record set is a view of the one request frame: releasing one gives the frame back.
      if (deps.requestBuffers !== undefined) {
        for (const e of entries.values()) {
          if (e.records.length === 0) continue;
          deps.requestBuffers.release(e.records);
          break;
        }
      }
      const byTopic = new Map<string, PartitionProduceResponse[]>();
      const seen = new Set<string>();
      let anyError = false;
      for (const { key, tp } of order) {
        if (seen.has(key)) continue;
        seen.add(key);
        const r = early.get(key) ?? appended.get(key) ?? failed(ErrorCode.UNKNOWN_SERVER_ERROR);
        if (r.errorCode !== ErrorCode.NONE) anyError = true;
        let list = byTopic.get(tp.topic);
        if (list === undefined) byTopic.set(tp.topic, (list = []));
        list.push({
          index: tp.partition,
          errorCode: r.errorCode,
          baseOffset: BigInt(r.baseOffset),
          logAppendTimeMs: BigInt(r.logAppendTimeMs),
          logStartOffset: BigInt(r.logStartOffset),
          recordErrors: (r.recordErrors ?? []).map((e) => ({ batchIndex: e.batchIndex, batchIndexErrorMessage: e.message })),
          errorMessage: r.errorCode === ErrorCode.NONE ? null : r.errorMessage,
        });
      }
      if (req.acks === 0) {
        if (anyError) throw new CloseConnection('acks=0 produce failed: closing the connection so the producer refreshes its metadata');
        return null;
      }
      return { responses: [...byTopic].map(([name, partitionResponses]) => ({ name, partitionResponses })), throttleTimeMs: 0 };
    },
    errorResponse(_ctx, req, errorCode) {
      if (req.acks === 0) throw new CloseConnection(`acks=0 produce failed with error ${errorCode}`);
      return {
        responses: req.topicData.map((t) => ({
          name: t.name,
          partitionResponses: t.partitionData.map((p) => ({ index: p.index, errorCode, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n, recordErrors: [], errorMessage: null })),
        })),
        throttleTimeMs: 0,
      };
    },
  };
}

