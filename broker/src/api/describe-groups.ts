/**
 * DescribeGroups (key 15), versions 0-5. Source: KafkaApis.handleDescribeGroupRequest. An unknown group
 * is described as Dead with no members; member metadata and assignment only in Stable; v3+ authorized
 * operations when asked (no authorizer: every group operation), v4+ group.instance.id.
 */
import { ApiKey } from '../protocol';
import type { DescribedGroup } from '../protocol/generated/describe-groups-response';
import { AUTHORIZED_OPERATIONS_OMITTED } from '../metadata/metadata-cache';
import { errorCodeOf, GROUP_AUTHORIZED_OPERATIONS, type GroupCoordinator } from './group-common';
import type { ApiHandler } from './registry';

type DescribeGroupsKey = typeof ApiKey.DescribeGroups;

export interface DescribeGroupsHandlerDeps {
  coordinator: GroupCoordinator;
}

export function describeGroupsHandler(deps: DescribeGroupsHandlerDeps): ApiHandler<DescribeGroupsKey> {
  return {
    apiKey: ApiKey.DescribeGroups,
    minVersion: 0,
    maxVersion: 5,
    handle(_ctx, req) {
      const groups = req.groups.map((groupId): DescribedGroup => {
        const { error, summary } = deps.coordinator.handleDescribeGroup(groupId);
        return {
          errorCode: errorCodeOf(error),
          groupId,
          groupState: summary.state,
          protocolType: summary.protocolType,
          protocolData: summary.protocol,
          members: summary.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost, memberMetadata: m.metadata, memberAssignment: m.assignment })),
          authorizedOperations: req.includeAuthorizedOperations ? GROUP_AUTHORIZED_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED,
        };
      });
      return { throttleTimeMs: 0, groups };
    },
    errorResponse(_ctx, req, errorCode) {
      return {
        throttleTimeMs: 0,
        groups: req.groups.map((groupId) => ({ errorCode, groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED })),
      };
    },
  };
}
