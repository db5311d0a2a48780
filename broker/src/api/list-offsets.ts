/**
 * ListOffsets (key 2), versions 0-6. Source: KafkaApis.handleListOffsetRequestV0/V1AndAbove,
 * Partition.fetchOffsetForTimestamp / legacyFetchOffsetsForTimestamp.
 *  - v0: `old_style_offsets`, up to max_num_offsets segment start offsets at or before the timestamp.
 *  - v1+: one offset: -1 latest (high watermark; read_committed: last stable offset; replicas: log end),
 *    -2 earliest (log start), else the first offset with timestamp >= target (-1/-1 when none). A
 *    partition listed twice is INVALID_REQUEST. v4+ carry the leader epoch and check current_leader_epoch.
 *  - OFFSET_NOT_AVAILABLE (a new leader's high watermark behind its epoch start) is LEADER_NOT_AVAILABLE below v5.
 */
import { ApiKey, ErrorCode } from '../protocol';
import type { ListOffsetsPartition, ListOffsetsRequest } from '../protocol/generated/list-offsets-request';
import type { ListOffsetsPartitionResponse, ListOffsetsResponse } from '../protocol/generated/list-offsets-response';
import type { ReplicaManager } from '../replica/replica-manager';
import { errorCodeOf } from '../replica/types';
import type { ApiHandler } from './registry';

type ListOffsetsKey = typeof ApiKey.ListOffsets;

const CONSUMER_REPLICA_ID = -1;
const DEBUGGING_REPLICA_ID = -2;

export interface ListOffsetsHandlerDeps {
  replicaManager: ReplicaManager;
}

function errorPartition(p: ListOffsetsPartition, errorCode: number): ListOffsetsPartitionResponse {
  return { partitionIndex: p.partitionIndex, errorCode, oldStyleOffsets: [], timestamp: -1n, offset: -1n, leaderEpoch: -1 };
}

export function listOffsetsHandler(deps: ListOffsetsHandlerDeps): ApiHandler<ListOffsetsKey> {
  const rm = deps.replicaManager;
  return {
    apiKey: ApiKey.ListOffsets,
    minVersion: 0,
    maxVersion: 6,
    async handle(ctx, req: ListOffsetsRequest): Promise<ListOffsetsResponse> {
      const version = ctx.apiVersion;
      const fetchOnlyFromLeader = req.replicaId !== DEBUGGING_REPLICA_ID;
      const isClient = req.replicaId === CONSUMER_REPLICA_ID;
      const counts = new Map<string, number>();
      for (const t of req.topics) for (const p of t.partitions) counts.set(`${t.name}-${p.partitionIndex}`, (counts.get(`${t.name}-${p.partitionIndex}`) ?? 0) + 1);
      const topics = [];
      for (const t of req.topics) {
        const partitions: ListOffsetsPartitionResponse[] = [];
        for (const p of t.partitions) {
          const tp = { topic: t.name, partition: p.partitionIndex };
          if (version === 0) {
            try {
              const offsets = await rm.legacyFetchOffsetsForTimestamp(tp, Number(p.timestamp), p.maxNumOffsets, isClient, fetchOnlyFromLeader);
              partitions.push({ ...errorPartition(p, ErrorCode.NONE), oldStyleOffsets: offsets.map((o) => BigInt(o)) });
            } catch (err) {
              partitions.push(errorPartition(p, errorCodeOf(err)));
            }
            continue;
          }
          if ((counts.get(`${t.name}-${p.partitionIndex}`) ?? 0) > 1) {
            partitions.push(errorPartition(p, ErrorCode.INVALID_REQUEST));
            continue;
          }
          try {
            const found = await rm.fetchOffsetForTimestamp(tp, Number(p.timestamp), isClient ? req.isolationLevel : null, version >= 4 ? p.currentLeaderEpoch : -1, fetchOnlyFromLeader);
            if (found === null) partitions.push(errorPartition(p, ErrorCode.NONE));
            else partitions.push({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE, oldStyleOffsets: [], timestamp: BigInt(found.timestamp), offset: BigInt(found.offset), leaderEpoch: version >= 4 ? found.leaderEpoch : -1 });
          } catch (err) {
            const code = errorCodeOf(err);
            if (code === ErrorCode.UNKNOWN_SERVER_ERROR) rm.logger.error({ err }, 'Error while responding to offset request');
            partitions.push(errorPartition(p, code === ErrorCode.OFFSET_NOT_AVAILABLE && version < 5 ? ErrorCode.LEADER_NOT_AVAILABLE : code));
          }
        }
        topics.push({ name: t.name, partitions });
      }
      return { throttleTimeMs: 0, topics };
    },
    errorResponse(_ctx, req, errorCode) {
      return { throttleTimeMs: 0, topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => errorPartition(p, errorCode)) })) };
    },
  };
}
