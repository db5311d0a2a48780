/** replica/fetcher/: the follower side — ReplicaFetcherManager and its per-leader ReplicaFetchers. */
export { ReplicaFetcherManager, type ReplicaFetcherManagerOptions } from './replica-fetcher-manager';
export { ReplicaFetcher, type ReplicaFetcherOptions, REPLICA_FETCH_VERSION, LIST_OFFSETS_VERSION } from './replica-fetcher';
export * from './fetcher-types';
