/**
 * The Fetch request a follower's fetcher sends its leader (Kafka's ReplicaFetcherThread.buildFetch):
 * replica_id = this broker, every given partition at its fetch offset and leader epoch, sessionless.
 */
import type { TopicPartition } from '../../log/log-names';
import type { FetchRequest } from '../../protocol/generated/fetch-request';
import type { FollowerReplicas, PartitionFetchState, ReplicaFetchSettings } from './fetcher-types';

export function buildReplicaFetchRequest(
  o: { brokerId: number; replicas: FollowerReplicas; settings: ReplicaFetchSettings },
  parts: readonly { topicPartition: TopicPartition; state: PartitionFetchState }[],
): FetchRequest {
  const topics = new Map<string, FetchRequest['topics'][number]>();
  for (const { topicPartition: tp, state } of parts) {
    let t = topics.get(tp.topic);
    if (t === undefined) topics.set(tp.topic, (t = { topic: tp.topic, partitions: [] }));
    t.partitions.push({
      partition: tp.partition,
      currentLeaderEpoch: state.currentLeaderEpoch,
      fetchOffset: BigInt(state.fetchOffset),
      lastFetchedEpoch: state.lastFetchedEpoch,
      logStartOffset: BigInt(o.replicas.getPartition(tp)?.log?.logStartOffset ?? -1),
      partitionMaxBytes: o.settings.maxBytes,
    });
  }
  return {
    clusterId: null,
    replicaId: o.brokerId,
    maxWaitMs: o.settings.maxWaitMs,
    minBytes: o.settings.minBytes,
    maxBytes: o.settings.responseMaxBytes,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [...topics.values()],
    forgottenTopicsData: [],
    rackId: '',
  };
}
