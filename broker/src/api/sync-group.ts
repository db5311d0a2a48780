/**
 * SyncGroup (key 14), versions 0-5. Source: KafkaApis.handleSyncGroupRequest. v3+ carries
 * group.instance.id; v5 must name the protocol type and name (INCONSISTENT_GROUP_PROTOCOL otherwise)
 * and gets them back.
 */
import { ApiKey, ErrorCode } from '../protocol';
import type { SyncGroupResponse } from '../protocol/generated/sync-group-response';
import { errorCodeOf, type GroupCoordinator } from './group-common';
import type { ApiHandler } from './registry';

type SyncGroupKey = typeof ApiKey.SyncGroup;

export interface SyncGroupHandlerDeps {
  coordinator: GroupCoordinator;
}

const EMPTY = Buffer.alloc(0);

function errorResponse(errorCode: number): SyncGroupResponse {
  return { throttleTimeMs: 0, errorCode, protocolType: null, protocolName: null, assignment: EMPTY };
}

export function syncGroupHandler(deps: SyncGroupHandlerDeps): ApiHandler<SyncGroupKey> {
  return {
    apiKey: ApiKey.SyncGroup,
    minVersion: 0,
    maxVersion: 5,
    async handle(ctx, req): Promise<SyncGroupResponse> {
      const v = ctx.apiVersion;
      if (v >= 5 && (req.protocolType === null || req.protocolName === null)) return errorResponse(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
      const result = await deps.coordinator.handleSyncGroup({
        groupId: req.groupId,
        generationId: req.generationId,
        memberId: req.memberId,
        groupInstanceId: v >= 3 ? req.groupInstanceId : null,
        protocolType: v >= 5 ? req.protocolType : null,
        protocolName: v >= 5 ? req.protocolName : null,
        assignments: new Map(req.assignments.map((a) => [a.memberId, Buffer.from(a.assignment)] as const)),
      });
      return { throttleTimeMs: 0, errorCode: errorCodeOf(result.error), protocolType: result.protocolType, protocolName: result.protocolName, assignment: result.assignment };
    },
    errorResponse(_ctx, _req, errorCode) {
      return errorResponse(errorCode);
    },
  };
}
