/**
 * DeleteGroups (key 42), versions 0-2. Source: KafkaApis.handleDeleteGroupsRequest: only Empty groups
 * are deleted (NON_EMPTY_GROUP), unknown ones answer GROUP_ID_NOT_FOUND.
 */
import { ApiKey } from '../protocol';
import { errorCodeOf, type GroupCoordinator } from './group-common';
import type { ApiHandler } from './registry';

type DeleteGroupsKey = typeof ApiKey.DeleteGroups;

export interface DeleteGroupsHandlerDeps {
  coordinator: GroupCoordinator;
}

export function deleteGroupsHandler(deps: DeleteGroupsHandlerDeps): ApiHandler<DeleteGroupsKey> {
  return {
    apiKey: ApiKey.DeleteGroups,
    minVersion: 0,
    maxVersion: 2,
    async handle(_ctx, req) {
      const results = await deps.coordinator.handleDeleteGroups(req.groupsNames);
      return { throttleTimeMs: 0, results: req.groupsNames.map((groupId) => ({ groupId, errorCode: errorCodeOf(results.get(groupId) ?? 'UNKNOWN_SERVER_ERROR') })) };
    },
    errorResponse(_ctx, req, errorCode) {
      return { throttleTimeMs: 0, results: req.groupsNames.map((groupId) => ({ groupId, errorCode })) };
    },
  };
}
