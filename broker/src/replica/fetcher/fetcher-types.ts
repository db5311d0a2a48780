/** The shapes the replica fetchers share (Kafka's PartitionFetchState, InitialFetchState, fetch settings). */
import type { Partition } from '../../cluster/partition';
import type { LeaderEpochFileCache } from '../../log/leader-epoch-cache';
import type { TopicPartition } from '../../log/log-names';
import type { ApiMessages } from '../../protocol';

/** The replica.fetch.* settings a follower fetches with (Kafka defaults in FETCH_SETTINGS_DEFAULTS). */
export interface ReplicaFetchSettings {
  /** replica.fetch.wait.max.ms. */
  maxWaitMs: number;
  /** replica.fetch.min.bytes. */
  minBytes: number;
  /** replica.fetch.max.bytes (per partition). */
  maxBytes: number;
  /** replica.fetch.response.max.bytes. */
  responseMaxBytes: number;
  /** replica.fetch.backoff.ms: how long a partition (or the fetcher) waits after an error. */
  backoffMs: number;
  /** replica.socket.timeout.ms: the request timeout of the connection to the leader. */
  socketTimeoutMs: number;
}

export const FETCH_SETTINGS_DEFAULTS: Readonly<ReplicaFetchSettings> = {
  maxWaitMs: 500,
  minBytes: 1,
  maxBytes: 1_048_576,
  responseMaxBytes: 10_485_760,
  backoffMs: 1000,
  socketTimeoutMs: 30_000,
};

/** The connection to one leader (BrokerClient satisfies it; tests inject their own). */
export interface LeaderConnection {
  send<K extends keyof ApiMessages>(apiKey: K, version: number, request: ApiMessages[K]['request']): Promise<ApiMessages[K]['response']>;
  close(): Promise<void>;
}

/** Where the leader is reached: its id and its endpoint on the inter-broker listener. */
export interface LeaderEndpoint {
  brokerId: number;
  host: string;
  port: number;
}

/** What the fetchers need of the follower's side (the ReplicaManager satisfies it). */
export interface FollowerReplicas {
  getPartition(tp: TopicPartition): Partition | undefined;
  readonly logManager: { leaderEpochCache(tp: TopicPartition): LeaderEpochFileCache | undefined };
}

/** A follower partition to start fetching (Kafka's InitialFetchState). */
export interface InitialFetchState {
  topicPartition: TopicPartition;
  leaderId: number;
  /** The leader epoch this broker learnt from LeaderAndIsr (sent as current_leader_epoch). */
  currentLeaderEpoch: number;
  /** Where to start: the log end offset when the log has leader epochs, else the high watermark. */
  fetchOffset: number;
}

/**
 * Kafka's PartitionFetchState. Truncating: no leader epochs in the local log, so it is truncated to
 * the high watermark (the fetch offset) before fetching; Fetching: fetched with last_fetched_epoch
 * and truncated when the leader answers with a diverging epoch.
 */
export interface PartitionFetchState {
  fetchOffset: number;
  currentLeaderEpoch: number;
  state: 'Truncating' | 'Fetching';
  /** The epoch of the last batch fetched (the latest in the local leader epoch cache); -1: none. */
  lastFetchedEpoch: number;
  /** Not fetched before this time (Date.now()) after an error. */
  delayUntilMs: number;
  /** Consecutive answers saying the leader is not (yet) leader in our epoch; spaces the retries out. */
  leaderNotReadyRetries: number;
}

/** The follower fetch settings from which the ReplicaManager builds its ReplicaFetcherManager. */
export interface ReplicaFetcherConfig {
  /** inter.broker.listener.name: the leader's endpoint fetched from. */
  interBrokerListenerName: string;
  /** replica.fetch.* and replica.socket.timeout.ms (Kafka defaults when absent). */
  settings?: Partial<ReplicaFetchSettings>;
  /** How to reach a leader (default: a BrokerClient). */
  clientFactory?: (endpoint: LeaderEndpoint, clientId: string) => LeaderConnection;
}
