/**
 * OffsetForLeaderEpoch (key 23), versions 0-4 (v4 flexible), as a 2.8 broker serves it. Source:
 * KafkaApis.handleOffsetForLeaderEpochRequest, ReplicaManager.lastOffsetForLeaderEpoch,
 * Partition.lastOffsetForLeaderEpoch. Per partition: the largest leader epoch ≤ leader_epoch and the
 * offset it ends at (the start of the next epoch, or the log end for the latest), -1/-1 when unknown.
 *  - v2+ current_leader_epoch is checked (FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH); only the
 *    leader answers (NOT_LEADER_OR_FOLLOWER); unknown partitions are UNKNOWN_TOPIC_OR_PARTITION.
 *  - v3+ replica_id (followers: their broker id, consumers -1) does not change the answer in 2.8.
 */
import { ApiKey } from '../protocol';
import type { OffsetForLeaderEpochRequest } from '../protocol/generated/offset-for-leader-epoch-request';
import type { OffsetForLeaderEpochResponse } from '../protocol/generated/offset-for-leader-epoch-response';
import type { ReplicaManager } from '../replica/replica-manager';
import type { ApiHandler } from './registry';

type OffsetForLeaderEpochKey = typeof ApiKey.OffsetForLeaderEpoch;

export interface OffsetForLeaderEpochHandlerDeps {
  replicaManager: ReplicaManager;
}

export function offsetForLeaderEpochHandler(deps: OffsetForLeaderEpochHandlerDeps): ApiHandler<OffsetForLeaderEpochKey> {
  return {
    apiKey: ApiKey.OffsetForLeaderEpoch,
    minVersion: 0,
    maxVersion: 4,
    handle(ctx, req: OffsetForLeaderEpochRequest): Promise<OffsetForLeaderEpochResponse> {
      // v0-1 have no current_leader_epoch: the codec leaves it at -1 (not checked).
      const topics = ctx.apiVersion >= 2 ? req.topics : req.topics.map((t) => ({ ...t, partitions: t.partitions.map((p) => ({ ...p, currentLeaderEpoch: -1 })) }));
      return Promise.resolve({ throttleTimeMs: 0, topics: deps.replicaManager.lastOffsetForLeaderEpoch(topics) });
    },
    errorResponse(_ctx, req, errorCode) {
      return {
        throttleTimeMs: 0,
        topics: req.topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => ({ errorCode, partition: p.partition, leaderEpoch: -1, endOffset: -1n })) })),
      };
    },
  };
}
