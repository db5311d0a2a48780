/**
 * AlterConfigs (key 33), versions 0-2: each resource's configs replace what is stored.
 *
 * Source: Kafka 2.8 KafkaApis.handleAlterConfigsRequest + ZkAdminManager.alterConfigs.
 *  - BROKER_LOGGER ("AlterConfigs is deprecated ...") or any type but TOPIC / BROKER fails the whole
 *    request with INVALID_REQUEST.
 *  - A resource named twice counts once, with its last configs (Kafka builds a map).
 *  - Topics: unknown -> UNKNOWN_TOPIC_OR_PARTITION, unknown config name -> INVALID_CONFIG, bad value ->
 *    INVALID_REQUEST "Invalid config value for resource ...". Brokers: "" = cluster default, else this
 *    broker's id; only dynamic configs. validate_only checks without writing.
 */
import { ApiKey, ErrorCode } from '../protocol';
import type { AlterConfigsRequest } from '../protocol/generated/alter-configs-request';
import type { AlterConfigsResponse } from '../protocol/generated/alter-configs-response';
import type { IncrementalAlterConfigsResponse } from '../protocol/generated/incremental-alter-configs-response';
import { apiError, ConfigResourceType, resourceTypeName, type AdminManager, type ApiError } from '../admin';
import type { ApiHandler, RequestContext } from './registry';

type AlterConfigsKey = typeof ApiKey.AlterConfigs;

export interface AlterConfigsHandlerDeps {
  readonly adminManager: Pick<AdminManager, 'alterConfigs'>;
}

/** Every resource answered with one error (AlterConfigs and IncrementalAlterConfigs getErrorResponse). */
export function errorResponse(
  request: { resources: readonly { resourceType: number; resourceName: string }[] },
  error: ApiError,
): AlterConfigsResponse & IncrementalAlterConfigsResponse {
  return {
    throttleTimeMs: 0,
    responses: request.resources.map((r) => ({ errorCode: error.errorCode, errorMessage: error.errorMessage, resourceType: r.resourceType, resourceName: r.resourceName })),
  };
}

/** Each resource answered with its own result (errors[i] for resources[i]), as both handlers reply. */
export function resourceResponses(
  resources: readonly { resourceType: number; resourceName: string }[],
  errors: readonly ApiError[],
): AlterConfigsResponse & IncrementalAlterConfigsResponse {
  return {
    throttleTimeMs: 0,
    responses: resources.map((r, i) => ({
      errorCode: errors[i]?.errorCode ?? 0,
      errorMessage: errors[i]?.errorMessage ?? null,
      resourceType: r.resourceType,
      resourceName: r.resourceName,
    })),
  };
}

/** Kafka's `.toMap` over (ConfigResource -> config): one entry per resource, the last one given. */
export function lastPerResource<R extends { resourceType: number; resourceName: string }>(resources: readonly R[]): R[] {
  const byKey = new Map<string, R>();
  for (const r of resources) {
    const key = `${r.resourceType}:${r.resourceName}`;
    byKey.delete(key);
    byKey.set(key, r);
  }
  return [...byKey.values()];
}

export function alterConfigsHandler(deps: AlterConfigsHandlerDeps): ApiHandler<AlterConfigsKey> {
  return {
    apiKey: ApiKey.AlterConfigs,
    minVersion: 0,
    maxVersion: 2,

    async handle(_ctx: RequestContext, request: AlterConfigsRequest): Promise<AlterConfigsResponse> {
      const resources = lastPerResource(request.resources);
      for (const r of resources) {
        // AlterConfigsRequest.getErrorResponse: the error, with its message, for every resource
        if (r.resourceType === ConfigResourceType.BROKER_LOGGER) {
          return errorResponse(request, apiError(ErrorCode.INVALID_REQUEST, 'AlterConfigs is deprecated and does not support the resource type BROKER_LOGGER'));
        }
        if (r.resourceType !== ConfigResourceType.TOPIC && r.resourceType !== ConfigResourceType.BROKER) {
          return errorResponse(request, apiError(ErrorCode.INVALID_REQUEST, `Unexpected resource type ${resourceTypeName(r.resourceType)}`));
        }
      }
      const errors = await deps.adminManager.alterConfigs(resources, request.validateOnly);
      return resourceResponses(resources, errors);
    },

    errorResponse(_ctx: RequestContext, request: AlterConfigsRequest, errorCode: number): AlterConfigsResponse {
      return errorResponse(request, apiError(errorCode));
    },
  };
}
