/**
 * CreatePartitions (key 37), versions 0-3.
 *
 * Source: Kafka 2.8 KafkaApis.handleCreatePartitionsRequest + ZkAdminManager.createPartitions.
 *  - Not the active controller: NOT_CONTROLLER (no message) for every topic.
 *  - A topic named twice: INVALID_REQUEST "Duplicate topic in request.".
 *  - The rest go to AdminManager.createPartitions (queued for deletion -> INVALID_TOPIC_EXCEPTION,
 *    count not increasing -> INVALID_PARTITIONS, assignment checks, validate_only), which waits for
 *    leaders of the topic's partitions up to timeout_ms.
 *  - One result per distinct topic name (Kafka answers from a map).
 */
import { ApiKey, ErrorCode } from '../protocol';
import type { CreatePartitionsRequest } from '../protocol/generated/create-partitions-request';
import type { CreatePartitionsResponse } from '../protocol/generated/create-partitions-response';
import type { AdminManager } from '../admin';
import type { ApiHandler, RequestContext } from './registry';

type CreatePartitionsKey = typeof ApiKey.CreatePartitions;

export interface CreatePartitionsHandlerDeps {
  readonly adminManager: Pick<AdminManager, 'createPartitions'>;
  readonly isActiveController: () => boolean;
}

function distinctNames(request: CreatePartitionsRequest): string[] {
  return [...new Set(request.topics.map((t) => t.name))];
}

export function createPartitionsHandler(deps: CreatePartitionsHandlerDeps): ApiHandler<CreatePartitionsKey> {
  return {
    apiKey: ApiKey.CreatePartitions,
    minVersion: 0,
    maxVersion: 3,

    async handle(_ctx: RequestContext, request: CreatePartitionsRequest): Promise<CreatePartitionsResponse> {
      const names = distinctNames(request);
      if (!deps.isActiveController()) {
        return { throttleTimeMs: 0, results: names.map((name) => ({ name, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: null })) };
      }
      const counts = new Map<string, number>();
      for (const t of request.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
      const valid = request.topics.filter((t) => counts.get(t.name) === 1);
      const outcomes = await deps.adminManager.createPartitions(valid, request.timeoutMs, request.validateOnly);
      return {
        throttleTimeMs: 0,
        results: names.map((name) => {
          if ((counts.get(name) ?? 0) > 1) return { name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic in request.' };
          const e = outcomes.get(name) ?? { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: null };
          return { name, errorCode: e.errorCode, errorMessage: e.errorMessage };
        }),
      };
    },

    errorResponse(_ctx: RequestContext, request: CreatePartitionsRequest, errorCode: number): CreatePartitionsResponse {
      return { throttleTimeMs: 0, results: distinctNames(request).map((name) => ({ name, errorCode, errorMessage: null })) };
    },
  };
}
