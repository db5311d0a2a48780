import { ApiKey } from '../protocol';
import { MetadataCache } from '../metadata/metadata-cache';
import { updateMetadataRequest } from '../replica/testing/replica-test-utils';
import { describeClusterHandler } from './describe-cluster';
import { CLUSTER_AUTHORIZED_OPERATIONS } from './metadata';
import { ApiRegistry } from './registry';
import { decodeResponse, networkRequest, requestFrame, handleWhole } from './testing/frames';

describe('DescribeCluster handler', () => {
  it('answers the cluster id, controller id and live brokers on the listener', async () => {
    const cache = new MetadataCache(1);
    cache.updateMetadata(1, updateMetadataRequest([], { aliveBrokers: [1, 3], controllerId: 3 }));
    const registry = new ApiRegistry().register(describeClusterHandler({ metadataCache: cache, clusterId: 'c1' }));
    const frame = await handleWhole(registry, networkRequest(requestFrame(ApiKey.DescribeCluster, 0, { includeClusterAuthorizedOperations: true })));
    const res = decodeResponse(ApiKey.DescribeCluster, 0, frame!).response;
    expect(res).toMatchObject({ errorCode: 0, clusterId: 'c1', controllerId: 3, clusterAuthorizedOperations: CLUSTER_AUTHORIZED_OPERATIONS });
    expect(res.brokers.map((b) => [b.brokerId, b.port])).toEqual([[1, 9091], [3, 9093]]);
  });

  it('answers controller id -1 before any UpdateMetadata, and Int.MinValue operations when not asked', async () => {
    const registry = new ApiRegistry().register(describeClusterHandler({ metadataCache: new MetadataCache(1), clusterId: 'c1' }));
    const frame = await handleWhole(registry, networkRequest(requestFrame(ApiKey.DescribeCluster, 0, { includeClusterAuthorizedOperations: false })));
    expect(decodeResponse(ApiKey.DescribeCluster, 0, frame!).response).toMatchObject({ controllerId: -1, brokers: [], clusterAuthorizedOperations: -2147483648 });
  });
});
