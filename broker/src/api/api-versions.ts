/**
 * ApiVersions (key 18), versions 0-3 (v3: KIP-511 client software name/version, KIP-584 feature tags).
 *
 * Source: Kafka 2.8 KafkaApis.handleApiVersionsRequest, ApiVersionsRequest.isValid/getErrorResponse,
 * RequestContext.isUnsupportedApiVersionsRequest.
 *  - The list is the registry's registrations, so it advertises exactly what the broker dispatches.
 *    It is answered before authentication too (Kafka does the same).
 *  - v3: client_software_name and client_software_version must both match
 *    `[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?` (whole string), else INVALID_REQUEST (42). Kafka's
 *    getErrorResponse fills api_keys only for UNSUPPORTED_VERSION, so this error carries an empty list.
 *  - A version above 3 (or below 0) is not decoded: Kafka treats it as v0 and answers in the v0
 *    format (response header v0) with UNSUPPORTED_VERSION and, since 2.4 (KIP-511), api_keys holding
 *    only ApiVersions' own range — not the full list — so the client can retry at a version it knows.
 *  - throttle_time_ms is 0 (no quotas yet). v3 feature tags stay at their defaults: no supported
 *    features, finalized_features_epoch -1, no finalized features (a 2.8 ZK broker with no features
 *    finalized in /feature sends the same).
 */
import { ApiKey, ErrorCode } from '../protocol';
import {
  defaultApiVersionsResponse,
  type ApiVersionsResponse,
} from '../protocol/generated/api-versions-response';
import type { ApiVersionsRequest } from '../protocol/generated/api-versions-request';
import type { ApiHandler, ApiRegistry, RequestContext, VersionedResponse } from './registry';

type ApiVersionsKey = typeof ApiKey.ApiVersions;

/** Kafka's ApiVersionsRequest.SOFTWARE_NAME_VERSION_PATTERN, anchored as Java's Matcher.matches() is. */
const SOFTWARE_NAME_VERSION_PATTERN = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

/** Kafka's ApiVersionsRequest.isValid: v3+ requires a well-formed client software name and version. */
export function isValidApiVersionsRequest(request: ApiVersionsRequest, version: number): boolean {
  if (version < 3) return true;
  return SOFTWARE_NAME_VERSION_PATTERN.test(request.clientSoftwareName) && SOFTWARE_NAME_VERSION_PATTERN.test(request.clientSoftwareVersion);
}

function errorResponse(errorCode: number): ApiVersionsResponse {
  return { ...defaultApiVersionsResponse(), errorCode, throttleTimeMs: 0 };
}

/** The ApiVersions handler, answering from `registry`'s registrations. */
export function apiVersionsHandler(registry: ApiRegistry, range: { minVersion: number; maxVersion: number } = { minVersion: 0, maxVersion: 3 }): ApiHandler<ApiVersionsKey> {
  return {
    apiKey: ApiKey.ApiVersions,
    minVersion: range.minVersion,
    maxVersion: range.maxVersion,

    handle(ctx: RequestContext, request: ApiVersionsRequest): ApiVersionsResponse {
      if (!isValidApiVersionsRequest(request, ctx.apiVersion)) return errorResponse(ErrorCode.INVALID_REQUEST);
      return { ...defaultApiVersionsResponse(), errorCode: ErrorCode.NONE, apiKeys: registry.apiVersionsResponseKeys(), throttleTimeMs: 0 };
    },

    errorResponse(_ctx: RequestContext, _request: ApiVersionsRequest, errorCode: number): ApiVersionsResponse {
      return errorResponse(errorCode);
    },

    unsupportedVersion(): VersionedResponse<ApiVersionsKey> {
      const response = errorResponse(ErrorCode.UNSUPPORTED_VERSION);
      const own = registry.versionRange(ApiKey.ApiVersions) ?? range;
      response.apiKeys = [{ apiKey: ApiKey.ApiVersions, minVersion: own.minVersion, maxVersion: own.maxVersion }];
      return { version: 0, response };
    },
  };
}
