/**
 * ListGroups (key 16), versions 0-4. Source: KafkaApis.handleListGroupsRequest: the groups this broker
 * coordinates (COORDINATOR_LOAD_IN_PROGRESS while a partition is loading), filtered by state in v4.
 */
import { ApiKey } from '../protocol';
import { errorCodeOf, type GroupCoordinator } from './group-common';
import type { ApiHandler } from './registry';

type ListGroupsKey = typeof ApiKey.ListGroups;

export interface ListGroupsHandlerDeps {
  coordinator: GroupCoordinator;
}

export function listGroupsHandler(deps: ListGroupsHandlerDeps): ApiHandler<ListGroupsKey> {
  return {
    apiKey: ApiKey.ListGroups,
    minVersion: 0,
    maxVersion: 4,
    handle(ctx, req) {
      const { error, groups } = deps.coordinator.handleListGroups(ctx.apiVersion >= 4 ? req.statesFilter : []);
      return { throttleTimeMs: 0, errorCode: errorCodeOf(error), groups: groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, groupState: g.state })) };
    },
    errorResponse(_ctx, _req, errorCode) {
      return { throttleTimeMs: 0, errorCode, groups: [] };
    },
  };
}
