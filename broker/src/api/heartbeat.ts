/**
 * Heartbeat (key 12), versions 0-4. Source: KafkaApis.handleHeartbeatRequest; v3+ carries
 * group.instance.id.
 */
import { ApiKey } from '../protocol';
import { errorCodeOf, type GroupCoordinator } from './group-common';
import type { ApiHandler } from './registry';

type HeartbeatKey = typeof ApiKey.Heartbeat;

export interface HeartbeatHandlerDeps {
  coordinator: GroupCoordinator;
}

export function heartbeatHandler(deps: HeartbeatHandlerDeps): ApiHandler<HeartbeatKey> {
  return {
    apiKey: ApiKey.Heartbeat,
    minVersion: 0,
    maxVersion: 4,
    handle(ctx, req) {
      const error = deps.coordinator.handleHeartbeat(req.groupId, req.memberId, ctx.apiVersion >= 3 ? req.groupInstanceId : null, req.generationId);
      return { throttleTimeMs: 0, errorCode: errorCodeOf(error) };
    },
    errorResponse(_ctx, _req, errorCode) {
      return { throttleTimeMs: 0, errorCode };
    },
  };
}
