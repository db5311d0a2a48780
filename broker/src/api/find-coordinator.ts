/**
 * FindCoordinator (key 10), versions 0-3. Source: KafkaApis.handleFindCoordinatorRequest. A group's
 * coordinator is the leader of its __consumer_offsets partition; the topic is created on first use
 * (COORDINATOR_NOT_AVAILABLE until it exists with a leader). Kafka answers error_message with the
 * error's message, "NONE" on success. Samsa has no transaction coordinator: key type 1 answers
 * COORDINATOR_NOT_AVAILABLE, other key types INVALID_REQUEST.
 */
import { ApiKey, ErrorCode, errorForCode } from '../protocol';
import type { FindCoordinatorResponse } from '../protocol/generated/find-coordinator-response';
import type { MetadataCache } from '../metadata/metadata-cache';
import type { ApiHandler } from './registry';

type FindCoordinatorKey = typeof ApiKey.FindCoordinator;

export const COORDINATOR_TYPE_GROUP = 0;
export const COORDINATOR_TYPE_TRANSACTION = 1;
const OFFSETS_TOPIC = '__consumer_offsets';

export interface FindCoordinatorHandlerDeps {
  metadataCache: MetadataCache;
  /** The group's __consumer_offsets partition (Kafka's partitionFor). */
  partitionForGroup(groupId: string): number;
  /** Creates __consumer_offsets when missing; the error code of that attempt (NONE when written). */
  createOffsetsTopic(): Promise<number>;
}

function response(errorCode: number, node: { id: number; host: string; port: number }, message?: string): FindCoordinatorResponse {
  const info = errorForCode(errorCode);
  return { throttleTimeMs: 0, errorCode, errorMessage: message ?? (errorCode === ErrorCode.NONE ? 'NONE' : info.message), nodeId: node.id, host: node.host, port: node.port };
}

const NO_NODE = { id: -1, host: '', port: -1 };

export function findCoordinatorHandler(deps: FindCoordinatorHandlerDeps): ApiHandler<FindCoordinatorKey> {
  return {
    apiKey: ApiKey.FindCoordinator,
    minVersion: 0,
    maxVersion: 3,
    async handle(ctx, req) {
      if (req.keyType === COORDINATOR_TYPE_TRANSACTION) return response(ErrorCode.COORDINATOR_NOT_AVAILABLE, NO_NODE, 'Transactions are not supported by this broker.');
      if (req.keyType !== COORDINATOR_TYPE_GROUP) return response(ErrorCode.INVALID_REQUEST, NO_NODE, `Unknown coordinator type: ${req.keyType}`);
      const cache = deps.metadataCache;
      if (cache.partitionCount(OFFSETS_TOPIC) === undefined) {
        await deps.createOffsetsTopic();
        return response(ErrorCode.COORDINATOR_NOT_AVAILABLE, NO_NODE);
      }
      const state = cache.partitionState(OFFSETS_TOPIC, deps.partitionForGroup(req.key));
      const leader = state === undefined || state.leader < 0 ? undefined : cache.aliveBrokerNodes(ctx.listenerName).find((n) => n.id === state.leader);
      if (leader === undefined) return response(ErrorCode.COORDINATOR_NOT_AVAILABLE, NO_NODE);
      return response(ErrorCode.NONE, leader);
    },
    errorResponse(_ctx, _req, errorCode) {
      return response(errorCode, NO_NODE);
    },
  };
}
