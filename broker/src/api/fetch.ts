/**
 * Fetch (key 1), versions 0-12. Source: KafkaApis.handleFetchRequest, FetchManager.newContext,
 * ReplicaManager.fetchMessages.
 *  - Fetch sessions (KIP-227, v7+) through the FetchSessionCache (replica/fetch-session.ts): epoch 0
 *    may open one, incremental fetches answer only partitions with news; session errors answer
 *    with the top-level error and no partitions. Without a cache (or with it full) a full fetch is
 *    answered with session id 0, which tells clients to keep sending full requests.
 *  - Partitions unknown to the metadata cache: UNKNOWN_TOPIC_OR_PARTITION (listed after the others, as
 *    Kafka builds the response).
 *  - max_bytes is capped by fetch.max.bytes; min_bytes by max_bytes.
 *  - v0-3 get v2 batches down-converted to magic 0 (v0-1) or 1 (v2-3) unless message.downconversion.enable
 *    is off (UNSUPPORTED_VERSION); zstd data cannot be (UNSUPPORTED_COMPRESSION_TYPE), nor can a zstd
 *    topic be read below v10. KAFKA_STORAGE_ERROR is NOT_LEADER_OR_FOLLOWER for v0-5 clients.
 */
import { ApiKey, ByteWriter, ErrorCode } from '../protocol';
import { CompressionType, decodeRecordBatches, downConvertToMessageSet } from '../protocol/records';
import type { FetchRequest } from '../protocol/generated/fetch-request';
import type { FetchResponse, FetchablePartitionResponse, FetchableTopicResponse } from '../protocol/generated/fetch-response';
import type { MetadataCache } from '../metadata/metadata-cache';
import type { ReplicaManager } from '../replica/replica-manager';
import { isFollowerReplicaId } from '../replica/replica-reads';
import { FetchSessionCache, type SessionResponseData } from '../replica/fetch-session';
import { SYSTEM_TIME } from '../common/time';
import { fetchPartitionRequests, type FetchPartitionRequest, type LogReadResult } from '../replica/types';
import type { TopicPartition } from '../log/log-names';
import type { ApiHandler } from './registry';

type FetchKey = typeof ApiKey.Fetch;

export interface FetchHandlerDeps {
  replicaManager: ReplicaManager;
  metadataCache: MetadataCache;
  /** fetch.max.bytes (57671680). */
  fetchMaxBytes: number;
  /** Incremental fetch sessions (max.incremental.fetch.session.cache.slots); none: every fetch is sessionless. */
  fetchSessionCache?: FetchSessionCache;
}

function partitionResponse(partition: number, errorCode: number, r?: LogReadResult, records?: Buffer): FetchablePartitionResponse {
  return {
    partition,
    errorCode,
    highWatermark: BigInt(r?.highWatermark ?? -1),
    lastStableOffset: BigInt(r?.lastStableOffset ?? -1),
    logStartOffset: BigInt(r?.logStartOffset ?? -1),
    divergingEpoch: { epoch: r?.divergingEpoch?.epoch ?? -1, endOffset: BigInt(r?.divergingEpoch?.endOffset ?? -1) },
    currentLeader: { leaderId: -1, leaderEpoch: -1 },
    snapshotId: { endOffset: -1n, epoch: -1 },
    abortedTransactions: r?.abortedTransactions?.map((a) => ({ producerId: BigInt(a.producerId), firstOffset: BigInt(a.firstOffset) })) ?? null,
    preferredReadReplica: -1,
    recordSet: records ?? Buffer.alloc(0),
  };
}

/** Kafka's maybeConvertFetchedData for one partition read. */
async function convertForVersion(rm: ReplicaManager, version: number, fromFollower: boolean, req: FetchPartitionRequest, r: LogReadResult): Promise<FetchablePartitionResponse> {
  const tp = req.topicPartition;
  const errorCode = r.errorCode === ErrorCode.KAFKA_STORAGE_ERROR && version <= 5 ? ErrorCode.NOT_LEADER_OR_FOLLOWER : r.errorCode;
  const config = rm.getPartition(tp)?.log?.config;
  if (config?.compressionType === 'zstd' && version < 10) return partitionResponse(tp.partition, ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
  const magic = version <= 1 ? 0 : version <= 3 ? 1 : 2;
  if (magic === 2 || r.records.length === 0) return partitionResponse(tp.partition, errorCode, r, r.records);
  if (!fromFollower && config !== undefined && !config.messageDownConversionEnable) return partitionResponse(tp.partition, ErrorCode.UNSUPPORTED_VERSION);
  try {
    const { batches } = await decodeRecordBatches(r.records, { verify: false });
    // As RecordsUtil.downConvert: records of an uncompressed batch below the fetch offset are dropped.
    const kept = batches.map((b) => (b.compression !== CompressionType.None ? b : { ...b, records: b.records.filter((rec) => rec.offset >= BigInt(req.fetchOffset)) }));
    if (kept.some((b) => b.compression === CompressionType.Zstd)) return partitionResponse(tp.partition, ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    return partitionResponse(tp.partition, errorCode, r, await downConvertToMessageSet(kept, { magic }));
  } catch (err) {
    rm.logger.error({ err }, `Error down-converting fetched data of ${tp.topic}-${tp.partition}`);
    return partitionResponse(tp.partition, ErrorCode.UNKNOWN_SERVER_ERROR);
  }
}

export function fetchHandler(deps: FetchHandlerDeps): ApiHandler<FetchKey> {
  const errorResponse = (errorCode: number): FetchResponse => ({ throttleTimeMs: 0, errorCode, sessionId: 0, responses: [] });
  // Without a cache every full fetch is answered sessionless, as Kafka does when its cache has no slots.
  const sessions = deps.fetchSessionCache ?? new FetchSessionCache({ maxEntries: 0, time: SYSTEM_TIME });
  return {
    apiKey: ApiKey.Fetch,
    minVersion: 0,
    maxVersion: 12,
    async handle(ctx, req: FetchRequest): Promise<FetchResponse> {
      const version = ctx.apiVersion;
      const fromFollower = isFollowerReplicaId(req.replicaId);
      const requested: FetchPartitionRequest[] = fetchPartitionRequests(req);
      const toForget = version >= 7 ? req.forgottenTopicsData.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition }))) : [];
      // Before v7 the decoded session fields keep their defaults (0, -1): sessionless.
      const context = sessions.newContext(req.sessionId, req.sessionEpoch, requested, toForget, fromFollower);
      if (context.kind === 'error') return errorResponse(context.errorCode);
      const interesting: FetchPartitionRequest[] = [];
      const erroneous: TopicPartition[] = [];
      for (const p of FetchSessionCache.partitionsOf(context)) {
        if (deps.metadataCache.containsPartition(p.topicPartition.topic, p.topicPartition.partition)) interesting.push(p);
        else erroneous.push(p.topicPartition);
      }
      const maxBytes = Math.min(req.maxBytes, deps.fetchMaxBytes);
      const results =
        interesting.length === 0
          ? []
          : await deps.replicaManager.fetchMessages({
              maxWaitMs: req.maxWaitMs,
              replicaId: req.replicaId,
              minBytes: Math.min(req.minBytes, maxBytes),
              maxBytes,
              hardMaxBytesLimit: version <= 2,
              isolationLevel: version >= 4 ? req.isolationLevel : 0,
              partitions: interesting,
            });
      const parts: { tp: TopicPartition; data: SessionResponseData; value: { topic: string; response: FetchablePartitionResponse } }[] = [];
      const add = (tp: TopicPartition, response: FetchablePartitionResponse, hasDivergingEpoch: boolean): void => {
        const data = { errorCode: response.errorCode, highWatermark: Number(response.highWatermark), logStartOffset: Number(response.logStartOffset), recordsSize: response.recordSet?.length ?? 0, hasDivergingEpoch };
        parts.push({ tp, data, value: { topic: tp.topic, response } });
      };
      for (let i = 0; i < interesting.length; i++) {
        const r = results[i]!;
        add(interesting[i]!.topicPartition, await convertForVersion(deps.replicaManager, version, fromFollower, interesting[i]!, r), r.divergingEpoch !== undefined);
      }
      for (const tp of erroneous) add(tp, partitionResponse(tp.partition, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION), false);
      const generated = sessions.generateResponse(context, parts);
      if (generated.errorCode !== ErrorCode.NONE) return { ...errorResponse(generated.errorCode), sessionId: generated.sessionId };
      // FetchResponse.toMessage: consecutive partitions of one topic share a topic entry.
      const responses: FetchableTopicResponse[] = [];
      for (const { topic, response } of generated.selected) {
        const last = responses[responses.length - 1];
        if (last !== undefined && last.topic === topic) last.partitionResponses.push(response);
        else responses.push({ topic, partitionResponses: [response] });
      }
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: version >= 7 ? generated.sessionId : 0, responses };
    },
    responseSizeHint(res) {
      let bytes = 64;
      for (const t of res.responses) {
        bytes += 8 + Buffer.byteLength(t.topic);
        for (const p of t.partitionResponses) {
          // Large record sets are sent as they are, not copied into the frame: the writer says which.
          bytes += 64 + ByteWriter.copiedRecordsBytes(p.recordSet?.length ?? 0) + 16 * (p.abortedTransactions?.length ?? 0);
        }
      }
      return bytes;
    },
    errorResponse(_ctx, req, errorCode) {
      // Kafka's FetchRequest.getErrorResponse: every partition with the error.
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        sessionId: 0,
        responses: req.topics.map((t) => ({ topic: t.topic, partitionResponses: t.partitions.map((p) => partitionResponse(p.partition, errorCode)) })),
      };
    },
  };
}
