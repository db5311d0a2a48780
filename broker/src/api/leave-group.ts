/**
 * LeaveGroup (key 13), versions 0-4. Source: KafkaApis.handleLeaveGroupRequest and LeaveGroupResponse:
 * v0-2 name one member and answer one error (the top-level one, else the member's); v3+ leave a batch
 * of members (by member id or group.instance.id) and answer per member.
 */
import { ApiKey, ErrorCode } from '../protocol';
import type { LeaveGroupResponse } from '../protocol/generated/leave-group-response';
import { errorCodeOf, type GroupCoordinator } from './group-common';
import type { ApiHandler } from './registry';

type LeaveGroupKey = typeof ApiKey.LeaveGroup;

export interface LeaveGroupHandlerDeps {
  coordinator: GroupCoordinator;
}

export function leaveGroupHandler(deps: LeaveGroupHandlerDeps): ApiHandler<LeaveGroupKey> {
  return {
    apiKey: ApiKey.LeaveGroup,
    minVersion: 0,
    maxVersion: 4,
    handle(ctx, req): LeaveGroupResponse {
      const v = ctx.apiVersion;
      const leaving = v >= 3 ? req.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId })) : [{ memberId: req.memberId, groupInstanceId: null }];
      const result = deps.coordinator.handleLeaveGroup(req.groupId, leaving);
      const members = result.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: errorCodeOf(m.error) }));
      if (v >= 3) return { throttleTimeMs: 0, errorCode: errorCodeOf(result.error), members };
      const top = result.error !== 'NONE' ? errorCodeOf(result.error) : (members[0]?.errorCode ?? ErrorCode.NONE);
      return { throttleTimeMs: 0, errorCode: top, members: [] };
    },
    errorResponse(_ctx, _req, errorCode) {
      return { throttleTimeMs: 0, errorCode, members: [] };
    },
  };
}
