/**
 * IncrementalAlterConfigs (key 44), versions 0-1: SET / DELETE / APPEND / SUBTRACT applied to what
 * is stored for a topic or a broker (one id or the cluster default "").
 *
 * Source: Kafka 2.8 KafkaApis.handleIncrementalAlterConfigsRequest + ZkAdminManager.incrementalAlterConfigs.
 *  - A resource type other than TOPIC / BROKER / BROKER_LOGGER fails the whole request (INVALID_REQUEST).
 *  - Duplicate keys in one resource, or a null value for anything but DELETE: INVALID_REQUEST.
 *  - APPEND / SUBTRACT only on list configs; the result is validated as AlterConfigs does.
 */
import { ApiKey, ErrorCode } from '../protocol';
import type { IncrementalAlterConfigsRequest } from '../protocol/generated/incremental-alter-configs-request';
import type { IncrementalAlterConfigsResponse } from '../protocol/generated/incremental-alter-configs-response';
import { apiError, ConfigResourceType, resourceTypeName, type AdminManager } from '../admin';
import { errorResponse, lastPerResource, resourceResponses } from './alter-configs';
import type { ApiHandler, RequestContext } from './registry';

type IncrementalAlterConfigsKey = typeof ApiKey.IncrementalAlterConfigs;

export interface IncrementalAlterConfigsHandlerDeps {
  readonly adminManager: Pick<AdminManager, 'incrementalAlterConfigs'>;
}

const KNOWN_TYPES: ReadonlySet<number> = new Set([ConfigResourceType.TOPIC, ConfigResourceType.BROKER, ConfigResourceType.BROKER_LOGGER]);

export function incrementalAlterConfigsHandler(deps: IncrementalAlterConfigsHandlerDeps): ApiHandler<IncrementalAlterConfigsKey> {
  return {
    apiKey: ApiKey.IncrementalAlterConfigs,
    minVersion: 0,
    maxVersion: 1,

    async handle(_ctx: RequestContext, request: IncrementalAlterConfigsRequest): Promise<IncrementalAlterConfigsResponse> {
      const resources = lastPerResource(request.resources);
      for (const r of resources) {
        if (!KNOWN_TYPES.has(r.resourceType)) {
          return errorResponse(request, apiError(ErrorCode.INVALID_REQUEST, `Unexpected resource type ${resourceTypeName(r.resourceType)}`));
        }
      }
      const errors = await deps.adminManager.incrementalAlterConfigs(resources, request.validateOnly);
      return resourceResponses(resources, errors);
    },

    errorResponse(_ctx: RequestContext, request: IncrementalAlterConfigsRequest, errorCode: number): IncrementalAlterConfigsResponse {
      return errorResponse(request, apiError(errorCode));
    },
  };
}
