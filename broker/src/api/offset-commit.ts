/**
 * OffsetCommit (key 8), versions 0-8. Source: KafkaApis.handleOffsetCommitRequest. v0 stores offsets in
 * ZooKeeper (/consumers/<group>/offsets/<topic>/<partition>), as the 2.8 broker still did; v1+ go to the
 * group coordinator. Partitions unknown to the metadata cache answer UNKNOWN_TOPIC_OR_PARTITION. The
 * commit timestamp is the broker's time unless v1 sent one; v2-4 retention_time_ms (or a v1 timestamp)
 * gives the offset an explicit expire timestamp.
 */
import type { Time } from '../common/time';
import type { MetadataCache } from '../metadata/metadata-cache';
import { ApiKey, ErrorCode } from '../protocol';
import type { OffsetCommitResponse } from '../protocol/generated/offset-commit-response';
import { errorCodeOf, type GroupCoordinator } from './group-common';
import { toErrorCode } from './errors';
import type { ApiHandler } from './registry';

type OffsetCommitKey = typeof ApiKey.OffsetCommit;

/** The ZooKeeper offset store of OffsetCommit/OffsetFetch v0 (KafkaZkClient consumer offsets). */
export interface ZkConsumerOffsets {
  setConsumerOffset(group: string, topic: string, partition: number, offset: bigint): Promise<void>;
  getConsumerOffset(group: string, topic: string, partition: number): Promise<bigint | null>;
}

export interface OffsetCommitHandlerDeps {
  coordinator: GroupCoordinator;
  metadataCache: MetadataCache;
  zkOffsets: ZkConsumerOffsets;
  /** offset.metadata.max.bytes */
  offsetMetadataMaxBytes: number;
  time: Time;
}

interface Slot {
  topic: number;
  partition: number;
}

export function offsetCommitHandler(deps: OffsetCommitHandlerDeps): ApiHandler<OffsetCommitKey> {
  return {
    apiKey: ApiKey.OffsetCommit,
    minVersion: 0,
    maxVersion: 8,
    async handle(ctx, req): Promise<OffsetCommitResponse> {
      const v = ctx.apiVersion;
      const response: OffsetCommitResponse = {
        throttleTimeMs: 0,
        topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE })) })),
      };
      const setError = (s: Slot, code: number): void => {
        const entry = response.topics[s.topic]?.partitions[s.partition];
        if (entry !== undefined) entry.errorCode = code;
      };
      const now = deps.time.milliseconds();
      const toCommit: Array<{ slot: Slot; topic: string; partition: number; offset: bigint; leaderEpoch: number; metadata: string; commitTimestamp: bigint; expireTimestamp: bigint | null }> = [];
      req.topics.forEach((t, ti) =>
        t.partitions.forEach((p, pi) => {
          const slot = { topic: ti, partition: pi };
          if (deps.metadataCache.partitionState(t.name, p.partitionIndex) === undefined) return setError(slot, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          const commitTimestamp = v === 1 && p.commitTimestamp !== -1n ? p.commitTimestamp : BigInt(now);
          let expireTimestamp: bigint | null = null;
          if (v >= 2 && v <= 4 && req.retentionTimeMs !== -1n) expireTimestamp = BigInt(now) + req.retentionTimeMs;
          toCommit.push({ slot, topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: v >= 6 ? p.committedLeaderEpoch : -1, metadata: p.committedMetadata ?? '', commitTimestamp, expireTimestamp });
        }),
      );
      if (toCommit.length === 0) return response;
      if (v === 0) {
        for (const c of toCommit) {
          if (Buffer.byteLength(c.metadata, 'utf8') > deps.offsetMetadataMaxBytes) {
            setError(c.slot, ErrorCode.OFFSET_METADATA_TOO_LARGE);
            continue;
          }
          try {
            await deps.zkOffsets.setConsumerOffset(req.groupId, c.topic, c.partition, c.offset);
          } catch (err) {
            setError(c.slot, toErrorCode(err));
          }
        }
        return response;
      }
      const errors = await deps.coordinator.handleCommitOffsets(
        req.groupId,
        req.memberId,
        v >= 7 ? req.groupInstanceId : null,
        req.generationId,
        toCommit.map((c) => ({ topic: c.topic, partition: c.partition, offset: { offset: c.offset, leaderEpoch: c.leaderEpoch, metadata: c.metadata, commitTimestamp: c.commitTimestamp, expireTimestamp: c.expireTimestamp } })),
      );
      toCommit.forEach((c, i) => setError(c.slot, errorCodeOf(errors[i] ?? 'UNKNOWN_SERVER_ERROR')));
      return response;
    },
    errorResponse(_ctx, req, errorCode) {
      return { throttleTimeMs: 0, topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })) };
    },
  };
}
