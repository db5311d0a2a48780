import { ApiKey, ErrorCode, ZERO_UUID } from '../protocol';
import type { MetadataRequest } from '../protocol/generated/metadata-request';
import { MetadataCache } from '../metadata/metadata-cache';
import { TEST_TOPIC_ID, updateMetadataRequest } from '../replica/testing/replica-test-utils';
import { CLUSTER_AUTHORIZED_OPERATIONS, TOPIC_AUTHORIZED_OPERATIONS, metadataHandler, type MetadataHandlerDeps } from './metadata';
import { ApiRegistry } from './registry';
import { decodeResponse, networkRequest, requestFrame, handleWhole } from './testing/frames';

function request(topics: string[] | null, o: Partial<MetadataRequest> = {}): MetadataRequest {
  return { topics: topics === null ? null : topics.map((name) => ({ topicId: ZERO_UUID, name })), allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false, ...o };
}

describe('Metadata handler', () => {
  let cache: MetadataCache;
  let created: string[][];
  const registryWith = (deps: Partial<MetadataHandlerDeps> = {}) =>
    new ApiRegistry().register(
      metadataHandler({
        metadataCache: cache,
        clusterId: 'cluster-x',
        autoCreateTopicsEnable: true,
        autoCreateTopics: async (topics) => {
          created.push([...topics]);
          return new Map(topics.map((t) => [t, ErrorCode.NONE]));
        },
        ...deps,
      }),
    );
  const metadata = async (version: number, req: MetadataRequest, registry = registryWith()) =>
    decodeResponse(ApiKey.Metadata, version, (await handleWhole(registry, networkRequest(requestFrame(ApiKey.Metadata, version, req))))!).response;

  beforeEach(() => {
    created = [];
    cache = new MetadataCache(1);
    cache.updateMetadata(1, updateMetadataRequest([{ topic: 'a', partition: 0, leader: 1 }, { topic: 'a', partition: 1, leader: 2, replicas: [2, 1], isr: [2, 1] }, { topic: 'b', partition: 0, leader: 2 }], { aliveBrokers: [1, 2], controllerId: 2 }));
  });

  it('answers every topic for null topics (v1+) and an empty list at v0, with brokers, controller id and cluster id', async () => {
    const v9 = await metadata(9, request(null));
    expect(v9.topics.map((t) => t.name).sort()).toEqual(['a', 'b']);
    expect(v9.brokers).toEqual([{ nodeId: 1, host: 'localhost', port: 9091, rack: null }, { nodeId: 2, host: 'localhost', port: 9092, rack: null }]);
    expect(v9.controllerId).toBe(2);
    expect(v9.clusterId).toBe('cluster-x');
    expect((await metadata(0, request([]))).topics).toHaveLength(2);
    expect((await metadata(1, request([]))).topics).toHaveLength(0);
  });

  it('lists partitions with leader, leader epoch, replicas, ISR and topic id (v10)', async () => {
    const res = await metadata(10, request(['a']));
    expect(res.topics[0]).toMatchObject({ errorCode: 0, name: 'a', topicId: TEST_TOPIC_ID, isInternal: false, topicAuthorizedOperations: -2147483648 });
    expect(res.topics[0]!.partitions).toEqual([
      { errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] },
      { errorCode: 0, partitionIndex: 1, leaderId: 2, leaderEpoch: 0, replicaNodes: [2, 1], isrNodes: [2, 1], offlineReplicas: [] },
    ]);
  });

  it('auto-creates an unknown topic and answers LEADER_NOT_AVAILABLE when allowed, UNKNOWN_TOPIC_OR_PARTITION when not', async () => {
    expect((await metadata(9, request(['new']))).topics[0]).toMatchObject({ name: 'new', errorCode: ErrorCode.LEADER_NOT_AVAILABLE });
    expect(created).toEqual([['new']]);
    expect((await metadata(9, request(['new2'], { allowAutoTopicCreation: false }))).topics[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect((await metadata(9, request(['new3']), registryWith({ autoCreateTopicsEnable: false }))).topics[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(created).toEqual([['new']]);
  });

  it('answers INVALID_TOPIC_EXCEPTION for an illegal topic name without trying to create it', async () => {
    expect((await metadata(9, request(['bad name!']))).topics[0]!.errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(created).toEqual([]);
  });

  it('passes on the creation error (e.g. INVALID_REPLICATION_FACTOR)', async () => {
    const registry = registryWith({ autoCreateTopics: async (topics) => new Map(topics.map((t) => [t, ErrorCode.INVALID_REPLICATION_FACTOR])) });
    expect((await metadata(9, request(['x']), registry)).topics[0]!.errorCode).toBe(ErrorCode.INVALID_REPLICATION_FACTOR);
  });

  it('reports every supported operation when asked (v8-10 cluster, v8+ topics) since there is no authorizer', async () => {
    const res = await metadata(8, request(['a'], { includeClusterAuthorizedOperations: true, includeTopicAuthorizedOperations: true }));
    expect(res.clusterAuthorizedOperations).toBe(CLUSTER_AUTHORIZED_OPERATIONS);
    expect(res.topics[0]!.topicAuthorizedOperations).toBe(TOPIC_AUTHORIZED_OPERATIONS);
    expect(TOPIC_AUTHORIZED_OPERATIONS).toBe(3576);
  });

  it('answers LEADER_NOT_AVAILABLE and leader -1 for a partition whose leader died', async () => {
    cache.updateMetadata(2, updateMetadataRequest([], { aliveBrokers: [1] }));
    const res = await metadata(9, request(['b']));
    expect(res.topics[0]!.partitions[0]).toMatchObject({ errorCode: ErrorCode.LEADER_NOT_AVAILABLE, leaderId: -1 });
  });
});
