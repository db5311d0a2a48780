/**
 * StopReplica (key 5), versions 0-3: stop serving (and with delete, remove) replicas. Source:
 * KafkaApis.handleStopReplicaRequest, ReplicaManager.stopReplicas, StopReplicaRequest.partitionStates.
 * v0-2 carry one delete flag for the request and no leader epochs (-1, not checked); v3 a leader
 * epoch and delete flag per partition. A stale broker epoch answers STALE_BROKER_EPOCH with no
 * partitions; an older controller epoch STALE_CONTROLLER_EPOCH.
 */
import { ApiKey, ErrorCode } from '../protocol';
import type { StopReplicaRequest } from '../protocol/generated/stop-replica-request';
import type { ReplicaManager, StopReplicaPartition } from '../replica/replica-manager';
import { isBrokerEpochStale } from '../replica/control-requests';
import type { ApiHandler } from './registry';

type StopReplicaKey = typeof ApiKey.StopReplica;

export interface StopReplicaHandlerDeps {
  replicaManager: ReplicaManager;
  brokerEpoch: () => bigint;
  /** Replicas deleted without error (Kafka then resigns the group coordinator of offsets partitions). */
  onReplicasDeleted?: (partitions: Array<{ topic: string; partition: number }>) => void;
}

export function stopReplicaPartitions(req: StopReplicaRequest, version: number): StopReplicaPartition[] {
  if (version >= 3) {
    return req.topicStates.flatMap((t) =>
      t.partitionStates.map((p) => ({ topicPartition: { topic: t.topicName, partition: p.partitionIndex }, leaderEpoch: p.leaderEpoch, deletePartition: p.deletePartition })),
    );
  }
  if (version >= 1) {
    return req.topics.flatMap((t) => t.partitionIndexes.map((partition) => ({ topicPartition: { topic: t.name, partition }, leaderEpoch: -1, deletePartition: req.deletePartitions })));
  }
  return req.ungroupedPartitions.map((p) => ({ topicPartition: { topic: p.topicName, partition: p.partitionIndex }, leaderEpoch: -1, deletePartition: req.deletePartitions }));
}

export function stopReplicaHandler(deps: StopReplicaHandlerDeps): ApiHandler<StopReplicaKey> {
  return {
    apiKey: ApiKey.StopReplica,
    minVersion: 0,
    maxVersion: 3,
    async handle(ctx, req) {
      if (isBrokerEpochStale(req.brokerEpoch, deps.brokerEpoch())) {
        deps.replicaManager.logger.info(`Received StopReplica request with broker epoch ${req.brokerEpoch} smaller than the current broker epoch ${deps.brokerEpoch()}`);
        return { errorCode: ErrorCode.STALE_BROKER_EPOCH, partitionErrors: [] };
      }
      const partitions = stopReplicaPartitions(req, ctx.apiVersion);
      const result = await deps.replicaManager.stopReplicas(ctx.correlationId, req.controllerId, req.controllerEpoch, partitions);
      if (deps.onReplicasDeleted !== undefined && result.errorCode === ErrorCode.NONE) {
        const ok = new Set(result.partitionErrors.filter((p) => p.errorCode === ErrorCode.NONE).map((p) => `${p.topicPartition.topic}\u0000${p.topicPartition.partition}`));
        deps.onReplicasDeleted(partitions.filter((p) => p.deletePartition && ok.has(`${p.topicPartition.topic}\u0000${p.topicPartition.partition}`)).map((p) => p.topicPartition));
      }
      return {
        errorCode: result.errorCode,
        partitionErrors: result.partitionErrors.map((p) => ({ topicName: p.topicPartition.topic, partitionIndex: p.topicPartition.partition, errorCode: p.errorCode })),
      };
    },
    errorResponse(ctx, req, errorCode) {
      return {
        errorCode,
        partitionErrors: stopReplicaPartitions(req, ctx.apiVersion).map((p) => ({ topicName: p.topicPartition.topic, partitionIndex: p.topicPartition.partition, errorCode })),
      };
    },
  };
}
