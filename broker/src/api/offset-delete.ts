/**
 * OffsetDelete (key 47), version 0 (KIP-496). Source: KafkaApis.handleOffsetDeleteRequest. Only offsets
 * of topics no active member subscribes to are deleted (GROUP_SUBSCRIBED_TO_TOPIC otherwise); unknown
 * partitions answer UNKNOWN_TOPIC_OR_PARTITION.
 */
import type { MetadataCache } from '../metadata/metadata-cache';
import { ApiKey, ErrorCode } from '../protocol';
import type { OffsetDeleteResponse } from '../protocol/generated/offset-delete-response';
import { errorCodeOf, type GroupCoordinator } from './group-common';
import type { ApiHandler } from './registry';

type OffsetDeleteKey = typeof ApiKey.OffsetDelete;

export interface OffsetDeleteHandlerDeps {
  coordinator: GroupCoordinator;
  metadataCache: MetadataCache;
}

export function offsetDeleteHandler(deps: OffsetDeleteHandlerDeps): ApiHandler<OffsetDeleteKey> {
  return {
    apiKey: ApiKey.OffsetDelete,
    minVersion: 0,
    maxVersion: 0,
    async handle(_ctx, req): Promise<OffsetDeleteResponse> {
      const errors = new Map<string, number>();
      const key = (topic: string, p: number): string => `${topic}\u0000${p}`;
      const known: Array<{ topic: string; partition: number }> = [];
      for (const t of req.topics) {
        for (const p of t.partitions) {
          if (deps.metadataCache.partitionState(t.name, p.partitionIndex) === undefined) errors.set(key(t.name, p.partitionIndex), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          else known.push({ topic: t.name, partition: p.partitionIndex });
        }
      }
      const result = await deps.coordinator.handleDeleteOffsets(req.groupId, known);
      if (result.error !== 'NONE') return { errorCode: errorCodeOf(result.error), throttleTimeMs: 0, topics: [] };
      for (const p of result.partitions) errors.set(key(p.topic, p.partition), errorCodeOf(p.error));
      return {
        errorCode: ErrorCode.NONE,
        throttleTimeMs: 0,
        topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: errors.get(key(t.name, p.partitionIndex)) ?? ErrorCode.NONE })) })),
      };
    },
    errorResponse(_ctx, _req, errorCode) {
      return { errorCode, throttleTimeMs: 0, topics: [] };
    },
  };
}
