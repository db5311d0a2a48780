/**
 * api/: one handler file per API, the registry that dispatches to them (and builds ApiVersions from
 * its registrations), and toErrorCode, the only place exceptions become wire error codes.
 */
export { ApiRegistry } from './registry';
export type { ApiHandler, ApiKeyOf, RequestContext, RequestOf, ResponseOf, VersionedResponse } from './registry';
export { apiVersionsHandler, isValidApiVersionsRequest } from './api-versions';
export { toErrorCode } from './errors';
