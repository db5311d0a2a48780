/** replica/: the ReplicaManager, its purgatories, and the shapes of its requests and results. */
export { ReplicaManager, type ReplicaFetcherHooks, type ReplicaManagerOptions, type StopReplicaPartition } from './replica-manager';
export * from './fetcher';
export { isFollowerReplicaId } from './replica-reads';
export { DelayedOperation, DelayedOperationPurgatory } from './purgatory/delayed-operation';
export { DelayedFetch } from './purgatory/delayed-fetch';
export { DelayedProduce } from './purgatory/delayed-produce';
export { DelayedDeleteRecords } from './purgatory/delayed-delete-records';
export * from './types';
export { isBrokerEpochStale } from './control-requests';
export { FetchSessionCache, FetchSession, INVALID_SESSION_ID, INITIAL_EPOCH, FINAL_EPOCH, nextEpoch, type FetchContext, type FetchSessionCacheOptions, type SessionResponseData } from './fetch-session';
