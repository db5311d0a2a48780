/**
 * UpdateMetadata (key 6), versions 0-7: the controller's view of live brokers and partition states
 * for the MetadataCache. Source: KafkaApis.handleUpdateMetadataRequest,
 * ReplicaManager.maybeUpdateMetadataCache. A stale broker epoch answers STALE_BROKER_EPOCH without
 * applying anything; an older controller epoch is STALE_CONTROLLER_EPOCH. Partitions the update
 * deleted go to `onDeletedPartitions` (the group coordinator's cleanup, later).
 */
import { ApiKey, ErrorCode } from '../protocol';
import type { TopicPartition } from '../log/log-names';
import type { ReplicaManager } from '../replica/replica-manager';
import { isBrokerEpochStale } from '../replica/control-requests';
import type { ApiHandler } from './registry';

type UpdateMetadataKey = typeof ApiKey.UpdateMetadata;

export interface UpdateMetadataHandlerDeps {
  replicaManager: ReplicaManager;
  brokerEpoch: () => bigint;
  onDeletedPartitions?: (partitions: TopicPartition[]) => void;
}

export function updateMetadataHandler(deps: UpdateMetadataHandlerDeps): ApiHandler<UpdateMetadataKey> {
  return {
    apiKey: ApiKey.UpdateMetadata,
    minVersion: 0,
    maxVersion: 7,
    handle(ctx, req) {
      if (isBrokerEpochStale(req.brokerEpoch, deps.brokerEpoch())) {
        deps.replicaManager.logger.info(`Received update metadata request with broker epoch ${req.brokerEpoch} smaller than the current broker epoch ${deps.brokerEpoch()}`);
        return { errorCode: ErrorCode.STALE_BROKER_EPOCH };
      }
      const deleted = deps.replicaManager.maybeUpdateMetadataCache(ctx.correlationId, req);
      if (deleted.length > 0) deps.onDeletedPartitions?.(deleted);
      return { errorCode: ErrorCode.NONE };
    },
    errorResponse(_ctx, _req, errorCode) {
      return { errorCode };
    },
  };
}
