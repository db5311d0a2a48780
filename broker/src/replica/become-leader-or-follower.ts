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
export const STATE_CHANGE_PARALLELISM = 128;

/**
 * Partitions already led here whose LeaderAndIsr only moves the leader epoch on (the controller
 * shrinking a dead broker out of their ISRs, right after the elections that moved its leaderships
 * away) change state this many at a time: Kafka applies them one by one. Each writes an fsynced
 * leader-epoch checkpoint, as do the new leaders' followers on their first append in the new epoch;
 * 128 at once filled the thread pool and the disk ahead of those appends, which every acks=all write
 * to a moved partition waits for. Failover bench, max from deregistration to the last moved
 * partition's first acks=all write: 1.2-1.7 s at 8 against 1.7-2.2 s at 128 (5 runs each).
 */
export const LEADER_EPOCH_BUMP_PARALLELISM = 8;

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

/**
 * Kafka's makeLeaders: failures are recorded in `errors` per partition. New leaderships and epoch
 * bumps of partitions led here already run side by side, each with its own parallelism.
 */
export async function makeLeaders(rm: ReplicaManager, hooks: ReplicaFetcherHooks | undefined, toLeader: readonly PartitionStateChange[], errors: Map<string, PartitionError>): Promise<void> {
  await hooks?.removeFetcherForPartitions(toLeader.map(({ p }) => p.topicPartition));
  const makeLeader = async ({ p, state, topicId }: PartitionStateChange): Promise<void> => {
    try {
      const { highWatermarkIncremented } = await p.makeLeader(state, topicId);
      if (highWatermarkIncremented) rm.tryCompleteDelayedRequests(p.topicPartition);
    } catch (err) {
      rm.logger.error({ err }, `Skipped the become-leader state change for ${tpKey(p.topicPartition)}: error while opening its log`);
      errors.set(tpKey(p.topicPartition), { topicPartition: p.topicPartition, errorCode: stateChangeErrorCode(err) });
    }
  };
  const newLeaders = toLeader.filter(({ p }) => !p.isLeader);
  const epochBumps = toLeader.filter(({ p }) => p.isLeader);
  await Promise.all([forEachConcurrent(newLeaders, STATE_CHANGE_PARALLELISM, makeLeader), forEachConcurrent(epochBumps, LEADER_EPOCH_BUMP_PARALLELISM, makeLeader)]);
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
