/**
 * The read side of the ReplicaManager (Kafka's fetchMessages/readFromLocalLog, fetchOffsetForTimestamp,
 * legacyFetchOffsetsForTimestamp, describeLogDirs), apart so replica-manager.ts stays about state.
 *
 * Fetch: partitions are read in request order, each up to min(its max_bytes, what is left of the
 * request's max_bytes); the first non-empty partition may return one batch larger than that (KIP-74)
 * unless the request is v0-2 (`hardMaxBytesLimit`). Consumers read below the high watermark (or the
 * last stable offset for read_committed), followers to the log end. Less than min_bytes with no error
 * and max_wait_ms > 0 waits in the fetch purgatory. Records are passed on as the log's bytes.
 */
import * as path from 'node:path';
import { type FetchIsolation, IsolationLevel, UNKNOWN_OFFSET_METADATA } from '../cluster/partition';
import { EMPTY_BUFFER, ErrorCode } from '../protocol';
import type { OffsetForLeaderTopic } from '../protocol/generated/offset-for-leader-epoch-request';
import type { OffsetForLeaderTopicResult } from '../protocol/generated/offset-for-leader-epoch-response';
import { DelayedFetch, type FetchPartitionStatus } from './purgatory/delayed-fetch';
import type { ReplicaManager } from './replica-manager';
import { type FetchParams, type FetchPartitionRequest, type LogReadResult, errorCodeOf, tpKey } from './types';

/** Kafka's Request.isValidBrokerId: follower fetches carry the follower's broker id. */
export function isFollowerReplicaId(replicaId: number): boolean {
  return replicaId >= 0;
}

const FUTURE_LOCAL_REPLICA_ID = -3;

function isolationFor(replicaId: number, isolationLevel: number): FetchIsolation {
  const isFromConsumer = !(isFollowerReplicaId(replicaId) || replicaId === FUTURE_LOCAL_REPLICA_ID);
  if (!isFromConsumer) return 'logEnd';
  return isolationLevel === IsolationLevel.READ_COMMITTED ? 'txnCommitted' : 'highWatermark';
}

function errorResult(req: FetchPartitionRequest, errorCode: number): LogReadResult {
  return {
    topicPartition: req.topicPartition,
    errorCode,
    records: EMPTY_BUFFER,
    highWatermark: -1,
    lastStableOffset: -1,
    logStartOffset: -1,
    logEndOffset: -1,
    fetchOffsetMetadata: { ...UNKNOWN_OFFSET_METADATA },
    abortedTransactions: null,
  };
}

/** Kafka's readFromLocalLog: one LogReadResult per requested partition, in order. */
export async function readFromLocalLog(rm: ReplicaManager, params: FetchParams, fetchOnlyFromLeader: boolean): Promise<LogReadResult[]> {
  const isolation = isolationFor(params.replicaId, params.isolationLevel);
  let limitBytes = params.maxBytes;
  let minOneMessage = !params.hardMaxBytesLimit;
  const out: LogReadResult[] = [];
  for (const req of params.partitions) {
    let result: LogReadResult;
    try {
      const partition = rm.getPartitionOrException(req.topicPartition);
      const read = await partition.readRecords({
        fetchOffset: req.fetchOffset,
        currentLeaderEpoch: req.currentLeaderEpoch,
        lastFetchedEpoch: req.lastFetchedEpoch,
        maxBytes: Math.min(req.maxBytes, limitBytes),
        isolation,
        fetchOnlyFromLeader,
        minOneMessage,
      });
      // v3+: a first batch too big for a later partition's share is left for the next fetch.
      const records = !params.hardMaxBytesLimit && read.fetched.firstEntryIncomplete ? EMPTY_BUFFER : read.fetched.records;
      result = {
        topicPartition: req.topicPartition,
        errorCode: ErrorCode.NONE,
        records,
        highWatermark: read.highWatermark,
        lastStableOffset: read.lastStableOffset,
        logStartOffset: read.logStartOffset,
        logEndOffset: read.logEndOffset,
        fetchOffsetMetadata: read.fetchOffsetMetadata,
        divergingEpoch: read.divergingEpoch,
        abortedTransactions: isolation === 'txnCommitted' ? [] : null,
      };
    } catch (err) {
      const code = errorCodeOf(err);
      if (code === ErrorCode.UNKNOWN_SERVER_ERROR) rm.logger.error({ err }, `Error processing fetch with max size ${req.maxBytes} from replica ${params.replicaId} on partition ${tpKey(req.topicPartition)}`);
      result = errorResult(req, code);
    }
    if (result.records.length > 0) minOneMessage = false;
    limitBytes = Math.max(0, limitBytes - result.records.length);
    out.push(result);
  }
  return out;
}

/**
 * A follower's fetch moves the leader's view of it (and maybe the high watermark). Not when the read
 * failed, nor when the follower's log diverged: its fetch offset then names records the leader does
 * not have, and counting them could move the high watermark over them.
 */
function updateFollowerFetchState(rm: ReplicaManager, replicaId: number, results: LogReadResult[], params: FetchParams): void {
  const now = rm.time.milliseconds();
  results.forEach((r, i) => {
    if (r.errorCode !== ErrorCode.NONE || r.divergingEpoch !== undefined) return;
    const req = params.partitions[i]!;
    const p = rm.getPartition(req.topicPartition);
    if (p === undefined) return;
    const fetchOffset = r.fetchOffsetMetadata.offset === req.fetchOffset ? r.fetchOffsetMetadata : { offset: req.fetchOffset, segmentBaseOffset: -1, position: -1 };
    if (p.updateFollowerFetchState(replicaId, fetchOffset, req.logStartOffset, now, r.logEndOffset)) rm.tryCompleteDelayedRequests(req.topicPartition);
  });
}

/**
 * Kafka's fetchMessages: answers at once when max_wait_ms <= 0, nothing was asked, min_bytes are
 * there, a read failed or an epoch diverged; otherwise waits in the fetch purgatory.
 */
export async function fetchMessages(rm: ReplicaManager, params: FetchParams): Promise<LogReadResult[]> {
  const isFromFollower = isFollowerReplicaId(params.replicaId);
  // No preferred-read-replica logic (KIP-392): every fetch is served by the leader.
  const fetchOnlyFromLeader = true;
  const read = async (): Promise<LogReadResult[]> => {
    const results = await readFromLocalLog(rm, params, fetchOnlyFromLeader);
    if (isFromFollower) updateFollowerFetchState(rm, params.replicaId, results, params);
    return results;
  };
  const results = await read();
  let bytesReadable = 0;
  let error = false;
  let diverging = false;
  for (const r of results) {
    bytesReadable += r.records.length;
    if (r.errorCode !== ErrorCode.NONE) error = true;
    if (r.divergingEpoch !== undefined) diverging = true;
  }
  if (params.maxWaitMs <= 0 || params.partitions.length === 0 || bytesReadable >= params.minBytes || error || diverging) return results;
  const statuses: FetchPartitionStatus[] = params.partitions.map((req, i) => ({ key: tpKey(req.topicPartition), startOffsetMetadata: results[i]!.fetchOffsetMetadata, fetchInfo: req }));
  return new Promise<Promise<LogReadResult[]>>((resolve) => {
    const op = new DelayedFetch(
      params.maxWaitMs,
      params.minBytes,
      fetchOnlyFromLeader,
      isolationFor(params.replicaId, params.isolationLevel),
      statuses,
      (key) => {
        const status = statuses.find((s) => s.key === key)!;
        return rm.partitionOrError(key, status.fetchInfo.topicPartition);
      },
      read,
      resolve,
    );
    rm.delayedFetchPurgatory.tryCompleteElseWatch(op, statuses.map((s) => s.key));
  });
}

/** DescribeLogDirs: per configured log dir, the sizes and lags of the requested partitions it holds. */
export function describeLogDirs(
  rm: ReplicaManager,
  partitions: ReadonlySet<string> | null,
): { logDir: string; errorCode: number; topics: { name: string; partitions: { partitionIndex: number; partitionSize: number; offsetLag: number }[] }[] }[] {
  const out: ReturnType<typeof describeLogDirs> = [];
  const logs = rm.logManager.allLogs;
  for (const dir of rm.logManager.logDirs) {
    const absolute = path.resolve(dir);
    const inDir = logs.filter((log) => rm.logManager.logDirOf(log.topicPartition) === dir);
    const byTopic = new Map<string, { partitionIndex: number; partitionSize: number; offsetLag: number }[]>();
    for (const log of inDir) {
      let list = byTopic.get(log.topicPartition.topic);
      if (list === undefined) byTopic.set(log.topicPartition.topic, (list = []));
      if (partitions !== null && !partitions.has(tpKey(log.topicPartition))) continue;
      const hw = rm.highWatermark(log.topicPartition);
      list.push({ partitionIndex: log.topicPartition.partition, partitionSize: log.size, offsetLag: hw === undefined ? -1 : Math.max(hw - log.logEndOffset, 0) });
    }
    out.push({ logDir: absolute, errorCode: ErrorCode.NONE, topics: [...byTopic].map(([name, parts]) => ({ name, partitions: parts })) });
  }
  return out;
}

/**
 * Kafka's lastOffsetForLeaderEpoch (OffsetForLeaderEpoch): per partition the largest epoch ≤ the
 * requested one and its end offset on the leader (-1/-1 when unknown). A current_leader_epoch other
 * than -1 is checked (FENCED_LEADER_EPOCH older, UNKNOWN_LEADER_EPOCH newer); not the leader is
 * NOT_LEADER_OR_FOLLOWER; not hosted NOT_LEADER_OR_FOLLOWER for known partitions, else UNKNOWN_TOPIC_OR_PARTITION.
 */
export function lastOffsetForLeaderEpoch(rm: ReplicaManager, topics: readonly OffsetForLeaderTopic[]): OffsetForLeaderTopicResult[] {
  return topics.map((t) => ({
    topic: t.topic,
    partitions: t.partitions.map((req) => {
      const tp = { topic: t.topic, partition: req.partition };
      const answer = { errorCode: ErrorCode.NONE, partition: req.partition, leaderEpoch: -1, endOffset: -1n };
      const p = rm.partitionOrError(tpKey(tp), tp);
      if ('errorCode' in p) return { ...answer, errorCode: p.errorCode };
      try {
        const log = p.localLogWithEpochOrException(req.currentLeaderEpoch, true);
        const cache = rm.logManager.leaderEpochCache(tp);
        const found = cache?.endOffsetFor(req.leaderEpoch, log.logEndOffset);
        if (found === undefined || found.endOffset < 0) return answer;
        return { ...answer, leaderEpoch: found.epoch, endOffset: BigInt(found.endOffset) };
      } catch (err) {
        return { ...answer, errorCode: errorCodeOf(err) };
      }
    }),
  }));
}
