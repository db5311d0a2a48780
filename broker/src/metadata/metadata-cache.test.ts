import { ErrorCode, ZERO_UUID } from '../protocol';
import { defaultUpdateMetadataRequest } from '../protocol/generated/update-metadata-request';
import { TEST_TOPIC_ID, updateMetadataRequest } from '../replica/testing/replica-test-utils';
import { MetadataCache } from './metadata-cache';

describe('MetadataCache', () => {
  it('keeps partition states not mentioned by a later UpdateMetadata (partial updates) and replaces live brokers', () => {
    const cache = new MetadataCache(1);
    cache.updateMetadata(1, updateMetadataRequest([{ topic: 'a', partition: 0, leader: 1 }], { aliveBrokers: [1, 2] }));
    cache.updateMetadata(2, updateMetadataRequest([{ topic: 'b', partition: 0, leader: 2 }], { aliveBrokers: [2] }));
    expect(cache.allTopics().sort()).toEqual(['a', 'b']);
    expect(cache.aliveBrokers().map((b) => b.id)).toEqual([2]);
    expect(cache.controllerId).toBe(1);
    expect(cache.topicId('a')).toBe(TEST_TOPIC_ID);
    expect(cache.topicId('zzz')).toBe(ZERO_UUID);
    expect(cache.partitionCount('a')).toBe(1);
  });

  it('removes partitions whose leader is LeaderDuringDelete (-2), the topic and its id with the last one, and reports them', () => {
    const cache = new MetadataCache(1);
    cache.updateMetadata(1, updateMetadataRequest([{ topic: 'a', partition: 0, leader: 1 }, { topic: 'a', partition: 1, leader: 1 }]));
    const deleted = cache.updateMetadata(2, updateMetadataRequest([{ topic: 'a', partition: 0, leader: -2 }, { topic: 'a', partition: 1, leader: -2 }]));
    expect(deleted).toEqual([{ topic: 'a', partition: 0 }, { topic: 'a', partition: 1 }]);
    expect(cache.contains('a')).toBe(false);
    expect(cache.topicId('a')).toBe(ZERO_UUID);
  });

  it('answers LEADER_NOT_AVAILABLE with leader -1 when the leader is not alive', () => {
    const cache = new MetadataCache(1);
    cache.updateMetadata(1, updateMetadataRequest([{ topic: 'a', partition: 0, leader: 2, replicas: [2, 1], isr: [2, 1] }], { aliveBrokers: [1] }));
    const [topic] = cache.getTopicMetadata(['a'], 'PLAINTEXT', false, true);
    expect(topic!.partitions[0]).toMatchObject({ errorCode: ErrorCode.LEADER_NOT_AVAILABLE, leaderId: -1, replicaNodes: [2, 1], isrNodes: [2, 1] });
  });

  it('answers LISTENER_NOT_FOUND (v6+) or LEADER_NOT_AVAILABLE (older) when the live leader lacks the listener', () => {
    const cache = new MetadataCache(1);
    cache.updateMetadata(1, updateMetadataRequest([{ topic: 'a', partition: 0, leader: 1 }], { listeners: ['PLAINTEXT'] }));
    expect(cache.getTopicMetadata(['a'], 'SSL', false, true)[0]!.partitions[0]!.errorCode).toBe(ErrorCode.LISTENER_NOT_FOUND);
    expect(cache.getTopicMetadata(['a'], 'SSL', false, false)[0]!.partitions[0]!.errorCode).toBe(ErrorCode.LEADER_NOT_AVAILABLE);
  });

  it('filters dead replicas and answers REPLICA_NOT_AVAILABLE only for v0 (errorUnavailableEndpoints)', () => {
    const cache = new MetadataCache(1);
    cache.updateMetadata(1, updateMetadataRequest([{ topic: 'a', partition: 0, leader: 1, replicas: [1, 3], isr: [1, 3] }], { aliveBrokers: [1] }));
    expect(cache.getTopicMetadata(['a'], 'PLAINTEXT', true, false)[0]!.partitions[0]).toMatchObject({ errorCode: ErrorCode.REPLICA_NOT_AVAILABLE, leaderId: 1, replicaNodes: [1], isrNodes: [1] });
    expect(cache.getTopicMetadata(['a'], 'PLAINTEXT', false, true)[0]!.partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, replicaNodes: [1, 3], isrNodes: [1, 3] });
  });

  it('reads v0 brokers (one PLAINTEXT host/port) and v0-4 ungrouped partition states', () => {
    const cache = new MetadataCache(1);
    const req = defaultUpdateMetadataRequest();
    req.controllerId = 1;
    req.liveBrokers = [{ id: 1, v0Host: 'h', v0Port: 9092, endpoints: [], rack: null }];
    req.ungroupedPartitionStates = [{ topicName: 'x', partitionIndex: 0, controllerEpoch: 1, leader: 1, leaderEpoch: 0, isr: [1], zkVersion: 0, replicas: [1], offlineReplicas: [] }];
    cache.updateMetadata(1, req);
    expect(cache.aliveBrokerNodes('PLAINTEXT')).toEqual([{ id: 1, host: 'h', port: 9092, rack: null }]);
    expect(cache.partitionState('x', 0)?.leader).toBe(1);
  });

  it('tells onUpdate listeners after each update until they unsubscribe', () => {
    const cache = new MetadataCache(1);
    const seen: number[] = [];
    const off = cache.onUpdate(() => seen.push(cache.allTopics().length));
    cache.updateMetadata(1, updateMetadataRequest([{ topic: 'a', partition: 0, leader: 1 }]));
    off();
    cache.updateMetadata(2, updateMetadataRequest([{ topic: 'b', partition: 0, leader: 1 }]));
    expect(seen).toEqual([1]);
  });
});
