/**
 * OffsetFetch (key 9), versions 0-7. Source: KafkaApis.handleOffsetFetchRequest. v0 reads ZooKeeper
 * offsets; v1+ ask the group coordinator, which answers whatever the group's state. Nothing committed:
 * offset -1, metadata "". v2+ may pass null topics (every committed offset) and carry a top-level
 * error; before v2 a group-level error is repeated on each partition. Without transactions no offset is
 * ever unstable, so v7's require_stable changes nothing.
 */
import type { MetadataCache } from '../metadata/metadata-cache';
import { ApiKey, ErrorCode } from '../protocol';
import type { OffsetFetchResponse, OffsetFetchResponsePartition, OffsetFetchResponseTopic } from '../protocol/generated/offset-fetch-response';
import { errorCodeOf, type GroupCoordinator } from './group-common';
import { toErrorCode } from './errors';
import type { ZkConsumerOffsets } from './offset-commit';
import type { ApiHandler } from './registry';

type OffsetFetchKey = typeof ApiKey.OffsetFetch;

export interface OffsetFetchHandlerDeps {
  coordinator: GroupCoordinator;
  metadataCache: MetadataCache;
  zkOffsets: ZkConsumerOffsets;
}

function partition(partitionIndex: number, committedOffset: bigint, errorCode: number, metadata = '', committedLeaderEpoch = -1): OffsetFetchResponsePartition {
  return { partitionIndex, committedOffset, committedLeaderEpoch, metadata, errorCode };
}

function byTopic(entries: ReadonlyArray<{ topic: string; p: OffsetFetchResponsePartition }>): OffsetFetchResponseTopic[] {
  const topics = new Map<string, OffsetFetchResponsePartition[]>();
  for (const { topic, p } of entries) {
    const list = topics.get(topic) ?? [];
    list.push(p);
    topics.set(topic, list);
  }
  return [...topics].map(([name, partitions]) => ({ name, partitions }));
}

export function offsetFetchHandler(deps: OffsetFetchHandlerDeps): ApiHandler<OffsetFetchKey> {
  const handler: ApiHandler<OffsetFetchKey> = {
    apiKey: ApiKey.OffsetFetch,
    minVersion: 0,
    maxVersion: 7,
    async handle(ctx, req): Promise<OffsetFetchResponse> {
      const v = ctx.apiVersion;
      if (v === 0) {
        const topics: OffsetFetchResponseTopic[] = [];
        for (const t of req.topics ?? []) {
          const partitions: OffsetFetchResponsePartition[] = [];
          for (const p of t.partitionIndexes) {
            if (deps.metadataCache.partitionState(t.name, p) === undefined) {
              partitions.push(partition(p, -1n, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
              continue;
            }
            try {
              const offset = await deps.zkOffsets.getConsumerOffset(req.groupId, t.name, p);
              partitions.push(offset === null ? partition(p, -1n, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) : partition(p, offset, ErrorCode.NONE));
            } catch (err) {
              partitions.push(partition(p, -1n, toErrorCode(err)));
            }
          }
          topics.push({ name: t.name, partitions });
        }
        return { throttleTimeMs: 0, topics, errorCode: ErrorCode.NONE };
      }
      const requested = v >= 2 && req.topics === null ? null : (req.topics ?? []).flatMap((t) => t.partitionIndexes.map((p) => ({ topic: t.name, partition: p })));
      const result = deps.coordinator.handleFetchOffsets(req.groupId, requested);
      if (result.error !== 'NONE') return handler.errorResponse(ctx, req, errorCodeOf(result.error));
      const entries = result.offsets.map((o) => ({
        topic: o.topic,
        p: o.offset === null ? partition(o.partition, -1n, errorCodeOf(o.error)) : partition(o.partition, o.offset.offset, errorCodeOf(o.error), o.offset.metadata, o.offset.leaderEpoch),
      }));
      return { throttleTimeMs: 0, topics: byTopic(entries), errorCode: ErrorCode.NONE };
    },
    errorResponse(ctx, req, errorCode) {
      if (ctx.apiVersion >= 2) return { throttleTimeMs: 0, topics: [], errorCode };
      const topics = (req.topics ?? []).map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((p) => partition(p, -1n, errorCode)) }));
      return { throttleTimeMs: 0, topics, errorCode };
    },
  };
  return handler;
}
