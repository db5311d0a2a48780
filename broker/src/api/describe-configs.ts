/**
 * DescribeConfigs (key 32), versions 0-4.
 *
 * Source: Kafka 2.8 KafkaApis.handleDescribeConfigsRequest + ZkAdminManager.describeConfigs.
 *  - A resource type other than TOPIC / BROKER / BROKER_LOGGER fails the whole request
 *    (InvalidRequestException -> INVALID_REQUEST, with its message, for every resource).
 *  - Topics: every topic config with its value, source, sensitivity and (v1+, when asked) synonyms;
 *    v3+ config types; documentation null. Unknown topic: UNKNOWN_TOPIC_OR_PARTITION.
 *  - Brokers: "" is the cluster default (only dynamic default configs), otherwise this broker's id.
 *  - v0 has no config source: is_default is set when the source is DEFAULT_CONFIG.
 */
import { ApiKey } from '../protocol';
import type { DescribeConfigsRequest } from '../protocol/generated/describe-configs-request';
import { defaultDescribeConfigsResult, type DescribeConfigsResponse } from '../protocol/generated/describe-configs-response';
import { apiError, ConfigResourceType, ConfigSource, resourceTypeName, type AdminManager, type ApiError } from '../admin';
import { ErrorCode } from '../protocol';
import type { ApiHandler, RequestContext } from './registry';

type DescribeConfigsKey = typeof ApiKey.DescribeConfigs;

export interface DescribeConfigsHandlerDeps {
  readonly adminManager: Pick<AdminManager, 'describeConfigs'>;
}

function errorResponse(request: DescribeConfigsRequest, error: ApiError): DescribeConfigsResponse {
  return {
    throttleTimeMs: 0,
    results: request.resources.map((r) => ({
      ...defaultDescribeConfigsResult(),
      errorCode: error.errorCode,
      errorMessage: error.errorMessage,
      resourceType: r.resourceType,
      resourceName: r.resourceName,
      configs: [],
    })),
  };
}

const KNOWN_TYPES: ReadonlySet<number> = new Set([ConfigResourceType.TOPIC, ConfigResourceType.BROKER, ConfigResourceType.BROKER_LOGGER]);

export function describeConfigsHandler(deps: DescribeConfigsHandlerDeps): ApiHandler<DescribeConfigsKey> {
  return {
    apiKey: ApiKey.DescribeConfigs,
    minVersion: 0,
    maxVersion: 4,

    handle(ctx: RequestContext, request: DescribeConfigsRequest): DescribeConfigsResponse {
      const unknown = request.resources.find((r) => !KNOWN_TYPES.has(r.resourceType));
      if (unknown !== undefined) {
        // DescribeConfigsRequest.getErrorResponse: the error (with its message) for every resource
        return errorResponse(request, apiError(ErrorCode.INVALID_REQUEST, `Unexpected resource type ${resourceTypeName(unknown.resourceType)} for resource ${unknown.resourceName}`));
      }
      const results = deps.adminManager.describeConfigs(request.resources, ctx.apiVersion >= 1 && request.includeSynonyms);
      if (ctx.apiVersion === 0) {
        for (const result of results) for (const c of result.configs) c.isDefault = c.configSource === ConfigSource.DEFAULT_CONFIG;
      }
      return { throttleTimeMs: 0, results };
    },

    errorResponse(_ctx: RequestContext, request: DescribeConfigsRequest, errorCode: number): DescribeConfigsResponse {
      return errorResponse(request, apiError(errorCode));
    },
  };
}
