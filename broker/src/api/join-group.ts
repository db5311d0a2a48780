/**
 * JoinGroup (key 11), versions 0-7. Source: KafkaApis.handleJoinGroupRequest. v0 has no rebalance
 * timeout (the session timeout is used), v4+ gets MEMBER_ID_REQUIRED first, v5+ carries
 * group.instance.id, v7 answers the protocol type and a nullable protocol name.
 */
import { ApiKey } from '../protocol';
import type { JoinGroupResponse } from '../protocol/generated/join-group-response';
import { clientHostOf, errorCodeOf, type GroupCoordinator } from './group-common';
import type { ApiHandler } from './registry';

type JoinGroupKey = typeof ApiKey.JoinGroup;

export interface JoinGroupHandlerDeps {
  coordinator: GroupCoordinator;
}

export function joinGroupHandler(deps: JoinGroupHandlerDeps): ApiHandler<JoinGroupKey> {
  return {
    apiKey: ApiKey.JoinGroup,
    minVersion: 0,
    maxVersion: 7,
    async handle(ctx, req): Promise<JoinGroupResponse> {
      const v = ctx.apiVersion;
      const result = await deps.coordinator.handleJoinGroup({
        groupId: req.groupId,
        memberId: req.memberId,
        groupInstanceId: v >= 5 ? req.groupInstanceId : null,
        requireKnownMemberId: v >= 4,
        clientId: ctx.clientId ?? '',
        clientHost: clientHostOf(ctx),
        rebalanceTimeoutMs: v === 0 ? req.sessionTimeoutMs : req.rebalanceTimeoutMs,
        sessionTimeoutMs: req.sessionTimeoutMs,
        protocolType: req.protocolType,
        protocols: req.protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) })),
      });
      return {
        throttleTimeMs: 0,
        errorCode: errorCodeOf(result.error),
        generationId: result.generationId,
        protocolType: result.protocolType,
        protocolName: v >= 7 ? result.protocolName : (result.protocolName ?? ''),
        leader: result.leaderId,
        memberId: result.memberId,
        members: result.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata })),
      };
    },
    errorResponse(ctx, req, errorCode) {
      return errorResponse(ctx.apiVersion, req.memberId, errorCode);
    },
  };
}

function errorResponse(version: number, memberId: string, errorCode: number): JoinGroupResponse {
  return { throttleTimeMs: 0, errorCode, generationId: -1, protocolType: null, protocolName: version >= 7 ? null : '', leader: '', memberId, members: [] };
}
