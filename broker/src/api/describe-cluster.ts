/**
 * DescribeCluster (key 60), version 0. Source: KafkaApis.handleDescribeCluster. Cluster id, the
 * controller id from the metadata cache (-1 when unknown), the live brokers with an endpoint on the
 * request's listener; authorized operations when asked (no authorizer: every supported cluster
 * operation), else Int.MinValue.
 */
import { ApiKey, ErrorCode } from '../protocol';
import type { DescribeClusterResponse } from '../protocol/generated/describe-cluster-response';
import { AUTHORIZED_OPERATIONS_OMITTED, type MetadataCache } from '../metadata/metadata-cache';
import { CLUSTER_AUTHORIZED_OPERATIONS } from './metadata';
import type { ApiHandler } from './registry';

type DescribeClusterKey = typeof ApiKey.DescribeCluster;

export interface DescribeClusterHandlerDeps {
  metadataCache: MetadataCache;
  clusterId: string;
}

export function describeClusterHandler(deps: DescribeClusterHandlerDeps): ApiHandler<DescribeClusterKey> {
  return {
    apiKey: ApiKey.DescribeCluster,
    minVersion: 0,
    maxVersion: 0,
    handle(ctx, req): DescribeClusterResponse {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        clusterId: deps.clusterId,
        controllerId: deps.metadataCache.controllerId ?? -1,
        brokers: deps.metadataCache.aliveBrokerNodes(ctx.listenerName).map((n) => ({ brokerId: n.id, host: n.host, port: n.port, rack: n.rack })),
        clusterAuthorizedOperations: req.includeClusterAuthorizedOperations ? CLUSTER_AUTHORIZED_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED,
      };
    },
    errorResponse(_ctx, _req, errorCode) {
      return { throttleTimeMs: 0, errorCode, errorMessage: null, clusterId: deps.clusterId, controllerId: -1, brokers: [], clusterAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED };
    },
  };
}
