/**
 * The two halves of Kafka 2.8's ReplicaManager.becomeLeaderOrFollower that change partition state:
 * makeLeaders (stop fetching, become leader, wake waiting requests) and makeFollowers (become
 * follower of a live leader, then fetch from it at Kafka's initial fetch offset). They are apart from
 * replica-manager.ts for size; that file keeps the request's validation, the controller epoch and
 * the state-change lock, and calls these under it.
 */
import { forEachConcurrent } from '../common/concurrency';
import type { Partition } from '../cluster/partition';
import { ErrorCode, KafkaProtocolError } from '../protocol';
import type { LeaderAndIsrPartitionState } from '../protocol/generated/leader-and-isr-request';
import type { ReplicaFetcherHooks, ReplicaManager } from './replica-manager';
import { type PartitionError, tpKey } from './types';

/**
 * Partitions of one LeaderAndIsr request changing state at once (their log opens and fsynced
 * leader-epoch checkpoints overlap). In the failover bench, about 166 become-leader changes took
 * 600–700 ms at 16 and 150–350 ms at 128: with more fsyncs waiting, the file system commits them together.
 */
const STATE_CHANGE_PARALLELISM = 128;

/** A failed become-leader/follower: INCONSISTENT_TOPIC_ID from the log's partition.metadata, else a storage error. */
function stateChangeErrorCode(err: unknown): number {
  return err instanceof KafkaProtocolError && err.code === ErrorCode.INCONSISTENT_TOPIC_ID ? err.code : ErrorCode.KAFKA_STORAGE_ERROR;
}

/** One partition of a LeaderAndIsr request that passed validation, with the topic id it brought. */
export interface PartitionStateChange {
  p: Partition;
  state: LeaderAndIsrPartitionState;
  topicId: string | undefined;
}

/** Kafka's makeLeaders: failures are recorded in `errors` per partition. */
export async function makeLeaders(rm: ReplicaManager, hooks: ReplicaFetcherHooks | undefined, toLeader: readonly PartitionStateChange[], errors: Map<string, PartitionError>): Promise<void> {
  await hooks?.removeFetcherForPartitions(toLeader.map(({ p }) => p.topicPartition));
  await forEachConcurrent(toLeader, STATE_CHANGE_PARALLELISM, async ({ p, state, topicId }) => {
    try {
      const { highWatermarkIncremented } = await p.makeLeader(state, topicId);
      if (highWatermarkIncremented) rm.tryCompleteDelayedRequests(p.topicPartition);
    } catch (err) {
      rm.logger.error({ err }, `Skipped the become-leader state change for ${tpKey(p.topicPartition)}: error while opening its log`);
      errors.set(tpKey(p.topicPartition), { topicPartition: p.topicPartition, errorCode: stateChangeErrorCode(err) });
    }
  });
}

/** Kafka's makeFollowers: failures are recorded in `errors`; no fetcher is added once `isStopped()`. */
export async function makeFollowers(
  rm: ReplicaManager,
  hooks: ReplicaFetcherHooks | undefined,
  toFollower: readonly PartitionStateChange[],
  errors: Map<string, PartitionError>,
  isStopped: () => boolean,
): Promise<void> {
  const changed: Partition[] = [];
  await forEachConcurrent(toFollower, STATE_CHANGE_PARALLELISM, async ({ p, state, topicId }) => {
    try {
      if (rm.metadataCache.hasAliveBroker(state.leader)) {
        if (await p.makeFollower(state, topicId)) changed.push(p);
      } else {
        // As Kafka: keep the replica (and its high watermark in the checkpoint) even without a live leader.
        rm.logger.error(`Received LeaderAndIsr request for ${tpKey(p.topicPartition)} whose leader ${state.leader} is not alive; not starting to follow`);
        await p.createLogIfNotExists();
      }
    } catch (err) {
      rm.logger.error({ err }, `Skipped the become-follower state change for ${tpKey(p.topicPartition)}: error while opening its log`);
      errors.set(tpKey(p.topicPartition), { topicPartition: p.topicPartition, errorCode: stateChangeErrorCode(err) });
    }
  });
  await hooks?.removeFetcherForPartitions(changed.map((p) => p.topicPartition));
  for (const p of changed) rm.completeDelayedFetchOrProduceRequests(p.topicPartition);
  if (!isStopped()) {
    await hooks?.addFetcherForPartitions(
      changed.map((p) => ({ topicPartition: p.topicPartition, leaderId: p.leaderReplicaId ?? -1, currentLeaderEpoch: p.leaderEpoch, fetchOffset: initialFetchOffset(rm, p) })),
    );
  }
}

/**
 * Kafka's initialFetchOffset with IBP 2.8 (truncation on fetch): a log with leader epochs fetches from
 * its end and lets the leader's diverging_epoch say where it diverged; a log without them starts at
 * the high watermark (the fetcher truncates to it first).
 */
function initialFetchOffset(rm: ReplicaManager, p: Partition): number {
  const log = p.log;
  if (log === undefined) return p.highWatermark;
  return rm.logManager.leaderEpochCache(p.topicPartition)?.latestEpoch !== undefined ? log.logEndOffset : p.highWatermark;
}
