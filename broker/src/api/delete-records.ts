/**
 * DeleteRecords (key 21), versions 0-2. Source: KafkaApis.handleDeleteRecordsRequest,
 * ReplicaManager.deleteRecords, Partition.deleteRecordsOnLeader. Partitions unknown to the metadata
 * cache are UNKNOWN_TOPIC_OR_PARTITION; the others move the leader's log start offset (-1: to the
 * high watermark) and wait for the low watermark, answering it (timeout: REQUEST_TIMED_OUT).
 */
import { ApiKey, ErrorCode } from '../protocol';
import type { DeleteRecordsRequest } from '../protocol/generated/delete-records-request';
import type { DeleteRecordsResponse, DeleteRecordsTopicResult } from '../protocol/generated/delete-records-response';
import type { MetadataCache } from '../metadata/metadata-cache';
import type { ReplicaManager } from '../replica/replica-manager';
import { type DeleteRecordsPartitionResult, tpKey } from '../replica/types';
import type { TopicPartition } from '../log/log-names';
import type { ApiHandler } from './registry';

type DeleteRecordsKey = typeof ApiKey.DeleteRecords;

export interface DeleteRecordsHandlerDeps {
  replicaManager: ReplicaManager;
  metadataCache: MetadataCache;
}

export function deleteRecordsHandler(deps: DeleteRecordsHandlerDeps): ApiHandler<DeleteRecordsKey> {
  return {
    apiKey: ApiKey.DeleteRecords,
    minVersion: 0,
    maxVersion: 2,
    async handle(_ctx, req: DeleteRecordsRequest): Promise<DeleteRecordsResponse> {
      const early = new Map<string, DeleteRecordsPartitionResult>();
      const offsets = new Map<string, { topicPartition: TopicPartition; offset: number }>();
      for (const t of req.topics) {
        for (const p of t.partitions) {
          const tp = { topic: t.name, partition: p.partitionIndex };
          if (!deps.metadataCache.containsPartition(tp.topic, tp.partition)) early.set(tpKey(tp), { lowWatermark: -1, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
          else offsets.set(tpKey(tp), { topicPartition: tp, offset: Number(p.offset) });
        }
      }
      const results = offsets.size === 0 ? new Map<string, DeleteRecordsPartitionResult>() : await deps.replicaManager.deleteRecords(req.timeoutMs, offsets);
      const topics: DeleteRecordsTopicResult[] = req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => {
          const key = tpKey({ topic: t.name, partition: p.partitionIndex });
          const r = early.get(key) ?? results.get(key) ?? { lowWatermark: -1, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR };
          return { partitionIndex: p.partitionIndex, lowWatermark: BigInt(r.lowWatermark), errorCode: r.errorCode };
        }),
      }));
      return { throttleTimeMs: 0, topics };
    },
    errorResponse(_ctx, req, errorCode) {
      return { throttleTimeMs: 0, topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode })) })) };
    },
  };
}
