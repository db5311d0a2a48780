/**
 * Kafka 2.8's ReplicaFetcherThread (+ AbstractFetcherThread) for one source broker: a loop that sends
 * one Fetch v12 (replica_id = this broker) for every partition it follows from that leader, appends
 * the leader's batches as they are (Log.appendAsFollower), takes the leader's high watermark and log
 * start offset, and truncates the way IBP 2.8 does (truncation on fetch, KIP-595's diverging_epoch):
 *  - a partition whose log has no leader epochs starts Truncating: truncated to the high watermark
 *    (its initial fetch offset), then fetched;
 *  - a diverging_epoch {epoch, end_offset} truncates to min(leader's end offset, our end offset for that
 *    epoch); when we do not know that epoch, to the end of our largest smaller epoch, and the next fetch
 *    tells us more;
 *  - OFFSET_OUT_OF_RANGE (handleOutOfRangeError): ahead of the leader's log end offset → truncate to it;
 *    else fell behind its log start → truncateFullyAndStartAt(leader's log start offset);
 *  - FENCED_LEADER_EPOCH drops the partition until the next LeaderAndIsr; UNKNOWN_LEADER_EPOCH,
 *    NOT_LEADER_OR_FOLLOWER and UNKNOWN_TOPIC_OR_PARTITION (a leader still applying its LeaderAndIsr)
 *    retry after 50 ms, doubling up to replica.fetch.backoff.ms (Kafka waits the full backoff at once);
 *    other errors back off for replica.fetch.backoff.ms.
 * Requests are sessionless full fetches (session id 0, epoch -1): correct, only larger than Kafka's
 * incremental fetch sessions. Removing partitions waits for the response being applied (Kafka's
 * partitionMapLock), so a partition never gets appended to after its fetcher let go of it. Partitions
 * added while a fetch is parked at the leader are fetched at once over a second connection (catch-up)
 * until the next fetch takes them in; Kafka's thread would wait out replica.fetch.wait.max.ms.
 */
import type { BufferPool } from '../../common/buffer-pool';
import { forEachConcurrent } from '../../common/concurrency';
import { type Logger, createLogger } from '../../common/logger';
import { partitionLeaderEpochAt } from '../../log/batch-scan';
import type { TopicPartition } from '../../log/log-names';
import { UnexpectedAppendOffsetError } from '../../log/log-validator';
import { ApiKey, ErrorCode, KafkaProtocolError } from '../../protocol';
import type { FetchablePartitionResponse, FetchResponse } from '../../protocol/generated/fetch-response';
import { errorCodeOf, tpKey } from '../types';
import type { FollowerReplicas, InitialFetchState, LeaderConnection, PartitionFetchState, ReplicaFetchSettings } from './fetcher-types';
import { buildReplicaFetchRequest } from './replica-fetch-request';

export const REPLICA_FETCH_VERSION = 12;
/** First retry after a leader answered that it is not (yet) leader in our epoch. */
export const LEADER_NOT_READY_RETRY_MS = 50;
export const LIST_OFFSETS_VERSION = 6;
/**
 * Partitions of one fetch response applied at once. Each is independent (its own log, state and high
 * watermark), and an append may wait on a file: the first batch of a new leader epoch writes the
 * fsynced leader-epoch-checkpoint. After a failover one response brings a new epoch for hundreds of
 * partitions; applied one after another that took 0.4–1 s under load (Kafka's single fetcher thread
 * does them in turn, but its fsyncs are not queued behind a 4-thread pool).
 */
const PARTITION_APPLY_PARALLELISM = 32;
const LATEST_TIMESTAMP = -1n;
const EARLIEST_TIMESTAMP = -2n;

export interface ReplicaFetcherOptions {
  /** This broker (the follower). */
  brokerId: number;
  sourceBrokerId: number;
  /** `ReplicaFetcherThread-<fetcherId>-<sourceBrokerId>`. */
  name: string;
  leader: LeaderConnection;
  /** A second connection to the same leader, for catch-up fetches (see startCatchUp); none: no catch-up. */
  openCatchUpConnection?: () => LeaderConnection;
  replicas: FollowerReplicas;
  settings: ReplicaFetchSettings;
  /**
   * The pool the connections' large response frames come from: each response is given back once
   * its records are appended (follower appends keep no view of them, see Log.appendAsFollower).
   */
  responseBuffers?: BufferPool;
  logger?: Logger;
}

interface Sent {
  key: string;
  topicPartition: TopicPartition;
  fetchOffset: number;
  currentLeaderEpoch: number;
}

/** A followed partition by key, as the fetcher holds it. */
type FetchEntry = [string, { topicPartition: TopicPartition; state: PartitionFetchState }];

/** The first non-empty record set of a response (all are views of its frame), if any. */
function firstRecordSet(response: FetchResponse): Buffer | undefined {
  for (const t of response.responses) for (const p of t.partitionResponses) if (p.recordSet && p.recordSet.length > 0) return p.recordSet;
  return undefined;
}

function toSent(ready: readonly FetchEntry[]): Sent[] {
  return ready.map(([key, s]) => ({ key, topicPartition: s.topicPartition, fetchOffset: s.state.fetchOffset, currentLeaderEpoch: s.state.currentLeaderEpoch }));
}

export class ReplicaFetcher {
  readonly sourceBrokerId: number;
  readonly name: string;
  private readonly o: ReplicaFetcherOptions;
  private readonly logger: Logger;
  private readonly states = new Map<string, { topicPartition: TopicPartition; state: PartitionFetchState }>();
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private wake: (() => void) | undefined;
  private waitTimer: NodeJS.Timeout | undefined;
  /** Changes to the partition states and their logs run one at a time (Kafka's partitionMapLock). */
  private lockTail: Promise<unknown> = Promise.resolve();
  /** Resolves on shutdown, so a long poll in flight does not hold the shutdown up. */
  private stopSignal: Promise<undefined> = Promise.resolve(undefined);
  private signalStop: () => void = () => undefined;
  /** The partitions of the fetch in flight on the main connection; undefined when none is. */
  private polled: ReadonlySet<string> | undefined;
  private catchUpLeader: LeaderConnection | undefined;
  private catchUp: Promise<void> | undefined;

  constructor(o: ReplicaFetcherOptions) {
    this.o = o;
    this.sourceBrokerId = o.sourceBrokerId;
    this.name = o.name;
    this.logger = (o.logger ?? createLogger('ReplicaFetcher')).child({ fetcher: o.name, leaderId: o.sourceBrokerId });
  }

  get partitionCount(): number {
    return this.states.size;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** The fetch state of a partition (tests, ISR-lag diagnostics). */
  fetchState(tp: TopicPartition): Readonly<PartitionFetchState> | undefined {
    return this.states.get(tpKey(tp))?.state;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopSignal = new Promise((resolve) => (this.signalStop = () => resolve(undefined)));
    this.loop = this.run().catch((err: unknown) => this.logger.error({ err }, 'Replica fetcher stopped by an unexpected error'));
  }

  /** Stops the loop, waits for it, and closes the connection to the leader. */
  async shutdown(): Promise<void> {
    this.running = false;
    this.signalStop();
    this.wakeUp();
    await this.o.leader.close().catch(() => undefined);
    await this.catchUpLeader?.close().catch(() => undefined);
    await this.loop;
    await this.catchUp;
  }

  private withLock<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lockTail.then(fn);
    this.lockTail = run.catch(() => undefined);
    return run;
  }

  /**
   * Kafka's addPartitions: a partition already fetched in the same leader epoch keeps its state;
   * otherwise it starts at the given offset, Fetching when its log has leader epochs, else Truncating.
   */
  addPartitions(initial: readonly InitialFetchState[]): Promise<void> {
    return this.withLock(async () => {
      for (const s of initial) {
        const key = tpKey(s.topicPartition);
        const current = this.states.get(key);
        if (current !== undefined && current.state.currentLeaderEpoch === s.currentLeaderEpoch) continue;
        const latest = this.latestEpoch(s.topicPartition);
        this.states.set(key, {
          topicPartition: s.topicPartition,
          state: { fetchOffset: s.fetchOffset, currentLeaderEpoch: s.currentLeaderEpoch, state: latest >= 0 ? 'Fetching' : 'Truncating', lastFetchedEpoch: latest, delayUntilMs: 0, leaderNotReadyRetries: 0 },
        });
        this.logger.info(`Added ${key} at offset ${s.fetchOffset} (leader epoch ${s.currentLeaderEpoch}, last fetched epoch ${latest})`);
      }
      this.wakeUp();
      this.startCatchUp();
    });
  }

  /**
   * Partitions added while the main connection's fetch is parked at the leader would wait for it (up
   * to replica.fetch.wait.max.ms) before their first fetch; Kafka's fetcher thread waits so. After a
   * failover that wait lies on the path of every acks=all write to the partitions that moved, so a
   * second connection fetches the partitions the parked fetch lacks, until the main loop's next fetch
   * takes them in. An answer that comes after the other connection's for the same offset is stale
   * and skipped (processFetchResponse), and every fetch offset sent is one the log has reached.
   */
  private startCatchUp(): void {
    const open = this.o.openCatchUpConnection;
    if (this.catchUp !== undefined || this.polled === undefined || open === undefined) return;
    this.catchUp = this.runCatchUp(open)
      .catch((err: unknown) => this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, `Catch-up fetch from broker ${this.sourceBrokerId} failed`))
      .finally(() => {
        this.catchUp = undefined;
      });
  }

  private async runCatchUp(open: () => LeaderConnection): Promise<void> {
    for (;;) {
      if (!this.running || this.polled === undefined) return;
      await this.withLock(() => this.truncateToHighWatermark());
      const polled = this.polled;
      if (!this.running || polled === undefined) return;
      const now = Date.now();
      const ready = this.fetchable(now, polled);
      if (ready.length === 0) return;
      const sent = toSent(ready);
      this.catchUpLeader ??= open();
      const response = await Promise.race([this.sendFetch(this.catchUpLeader, ready), this.stopSignal]);
      if (!this.running || response === undefined) return;
      await this.withLock(() => this.processFetchResponse(sent, response));
    }
  }

  /** Kafka's removePartitions: resolves once no response is being applied to them. */
  removePartitions(tps: readonly TopicPartition[]): Promise<void> {
    for (const tp of tps) this.states.delete(tpKey(tp));
    return this.withLock(() => Promise.resolve());
  }

  private latestEpoch(tp: TopicPartition): number {
    return this.o.replicas.logManager.leaderEpochCache(tp)?.latestEpoch ?? -1;
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    if (this.waitTimer !== undefined) clearTimeout(this.waitTimer);
    this.waitTimer = undefined;
    wake?.();
  }

  /** Waits up to `ms`, or until partitions are added or the fetcher stops. */
  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.waitTimer = setTimeout(() => this.wakeUp(), Math.max(1, ms));
    });
  }

  private async run(): Promise<void> {
    while (this.running) {
      await this.withLock(() => this.truncateToHighWatermark());
      const now = Date.now();
      const ready = this.fetchable(now);
      if (ready.length === 0) {
        const delays = [...this.states.values()].map((s) => s.state.delayUntilMs - now).filter((d) => d > 0);
        await this.idle(delays.length > 0 ? Math.min(this.o.settings.backoffMs, ...delays) : this.o.settings.backoffMs);
        continue;
      }
      const sent = toSent(ready);
      let response: FetchResponse | undefined;
      try {
        this.polled = new Set(sent.map((s) => s.key));
        const sending = this.sendFetch(this.o.leader, ready);
        sending.catch(() => undefined); // observed just below; this only keeps a rejection during the yield "handled"
        // Yield to the event loop once per fetch, so that a leader answering at once (max_wait 0,
        // in-process) cannot starve it; done while the request is in flight, not between a response
        // and the next request, where it would add a turn of the loop to every replication round trip.
        await new Promise<void>((resolve) => setImmediate(resolve));
        response = await Promise.race([sending, this.stopSignal]);
        this.polled = undefined;
      } catch (err) {
        this.polled = undefined;
        if (!this.running) break;
        this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, `Error sending fetch request to broker ${this.sourceBrokerId}`);
        this.delay(sent.map((s) => s.key));
        await this.idle(this.o.settings.backoffMs);
        continue;
      }
      if (!this.running || response === undefined) break;
      const answer = response;
      await this.withLock(() => this.processFetchResponse(sent, answer)).catch((err: unknown) => {
        this.logger.error({ err }, `Error processing the fetch response from broker ${this.sourceBrokerId}`);
        this.delay(sent.map((s) => s.key));
      });
    }
  }

  /** One Fetch for `ready` over `leader` (the main or the catch-up connection). */
  private sendFetch(leader: LeaderConnection, ready: readonly FetchEntry[]): Promise<FetchResponse> {
    return leader.send(ApiKey.Fetch, REPLICA_FETCH_VERSION, buildReplicaFetchRequest(this.o, ready.map(([, s]) => s)));
  }

  /** Partitions in Fetching state and not backing off (leaving out `except`), in insertion order. */
  private fetchable(now: number, except?: ReadonlySet<string>): FetchEntry[] {
    return [...this.states].filter(([key, s]) => s.state.state === 'Fetching' && s.state.delayUntilMs <= now && except?.has(key) !== true);
  }

  private delay(keys: readonly string[]): void {
    const until = Date.now() + this.o.settings.backoffMs;
    for (const key of keys) {
      const s = this.states.get(key);
      if (s !== undefined) s.state.delayUntilMs = until;
    }
  }

  /** Partitions without leader epochs truncate to their initial fetch offset (the high watermark). */
  private async truncateToHighWatermark(): Promise<void> {
    for (const [key, s] of this.states) {
      if (s.state.state !== 'Truncating') continue;
      try {
        s.state.fetchOffset = await this.truncate(s.topicPartition, s.state.fetchOffset);
        s.state.state = 'Fetching';
        s.state.lastFetchedEpoch = this.latestEpoch(s.topicPartition);
      } catch (err) {
        this.logger.error({ err }, `Error truncating ${key} to its high watermark ${s.state.fetchOffset}`);
        this.delay([key]);
      }
    }
  }

  private async processFetchResponse(sent: readonly Sent[], response: FetchResponse): Promise<void> {
    await this.applyFetchResponse(sent, response);
    // Every record set is a view of the one response frame: releasing one gives the frame back.
    // (Not after a failure: an append might still be reading it; the collector takes that one.)
    const anyRecords = firstRecordSet(response);
    if (anyRecords !== undefined) this.o.responseBuffers?.release(anyRecords);
  }

  private async applyFetchResponse(sent: readonly Sent[], response: FetchResponse): Promise<void> {
    if (response.errorCode !== ErrorCode.NONE) {
      this.logger.warn(`Fetch request to broker ${this.sourceBrokerId} failed with error code ${response.errorCode}`);
      this.delay(sent.map((s) => s.key));
      return;
    }
    const byKey = new Map<string, FetchablePartitionResponse>();
    for (const t of response.responses) for (const p of t.partitionResponses) byKey.set(`${t.topic}-${p.partition}`, p);
    const errors: string[] = [];
    await forEachConcurrent(sent, PARTITION_APPLY_PARALLELISM, async (req) => {
      const current = this.states.get(req.key);
      const data = byKey.get(req.key);
      // The partition was removed, re-added or moved on while the request was out: this answer is stale.
      if (current === undefined || data === undefined) return;
      const state = current.state;
      if (state.fetchOffset !== req.fetchOffset || state.currentLeaderEpoch !== req.currentLeaderEpoch || state.state !== 'Fetching') return;
      try {
        if (!(await this.processPartition(req, state, data))) errors.push(req.key);
      } catch (err) {
        const code = errorCodeOf(err);
        if (code === ErrorCode.KAFKA_STORAGE_ERROR) {
          // Kafka's markPartitionFailed: the log dir is gone; only a new LeaderAndIsr brings it back.
          this.logger.error({ err }, `Stopped fetching ${req.key}: storage error`);
          this.states.delete(req.key);
        } else {
          this.logger.error({ err }, `Unexpected error while processing data for ${req.key} at offset ${req.fetchOffset}`);
          errors.push(req.key);
        }
      }
    });
    this.delay(errors);
  }

  /** One partition's answer; false when it must back off (Kafka's partitionsWithError). */
  private async processPartition(req: Sent, state: PartitionFetchState, data: FetchablePartitionResponse): Promise<boolean> {
    const tp = req.topicPartition;
    switch (data.errorCode) {
      case ErrorCode.NONE: {
        state.leaderNotReadyRetries = 0;
        if (data.divergingEpoch.epoch >= 0 || data.divergingEpoch.endOffset >= 0n) {
          await this.truncateOnDivergingEpoch(tp, state, data.divergingEpoch.epoch, Number(data.divergingEpoch.endOffset));
          return true;
        }
        await this.processPartitionData(tp, state, data);
        return true;
      }
      case ErrorCode.OFFSET_OUT_OF_RANGE:
        return this.handleOutOfRange(tp, state);
      case ErrorCode.FENCED_LEADER_EPOCH:
        // Our epoch is older than the leader's: wait for the LeaderAndIsr that tells us the new one.
        this.logger.info(`Partition ${req.key} has an older epoch (${state.currentLeaderEpoch}) than the current leader. Will await the new LeaderAndIsr state before resuming fetching.`);
        this.states.delete(req.key);
        return true;
      case ErrorCode.UNKNOWN_LEADER_EPOCH:
      case ErrorCode.NOT_LEADER_OR_FOLLOWER:
      case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION: {
        // After a failover the leader usually is still applying the same LeaderAndIsr (one makeLeader per
        // partition): retrying after replica.fetch.backoff.ms (Kafka's 1 s) would add up to a second to
        // every acks=all write. Retry after 50 ms, doubling per answer, up to replica.fetch.backoff.ms.
        const delayMs = Math.min(this.o.settings.backoffMs, LEADER_NOT_READY_RETRY_MS * 2 ** state.leaderNotReadyRetries);
        state.leaderNotReadyRetries = Math.min(state.leaderNotReadyRetries + 1, 20);
        state.delayUntilMs = Date.now() + delayMs;
        this.logger.debug(`Remote broker is not the leader for ${req.key} in epoch ${state.currentLeaderEpoch} (error ${data.errorCode}); retrying in ${delayMs} ms`);
        return true;
      }
      default:
        this.logger.error(`Error ${data.errorCode} for partition ${req.key} at offset ${req.fetchOffset}`);
        return false;
    }
  }

  /** Kafka's ReplicaFetcherThread.processPartitionData: append, then the leader's HW and log start. */
  private async processPartitionData(tp: TopicPartition, state: PartitionFetchState, data: FetchablePartitionResponse): Promise<void> {
    const partition = this.o.replicas.getPartition(tp);
    const log = partition?.log;
    if (partition === undefined || log === undefined) throw new KafkaProtocolError('NOT_LEADER_OR_FOLLOWER', `No local log for ${tpKey(tp)}`);
    if (log.logEndOffset !== state.fetchOffset) {
      throw new Error(`Offset mismatch for partition ${tpKey(tp)}: fetched offset = ${state.fetchOffset}, log end offset = ${log.logEndOffset}.`);
    }
    const records = data.recordSet ?? Buffer.alloc(0);
    let lastOffset = -1;
    let validBytes = 0;
    if (records.length > 0) {
      try {
        const info = await log.appendAsFollower(records);
        lastOffset = info.lastOffset;
        validBytes = info.validBytes;
      } catch (err) {
        // Kafka's appendRecordsToFollowerOrFutureReplica: an empty log fetching from a leader whose log
        // start falls inside a batch (DeleteRecords) starts over at that batch's base offset.
        const end = log.logEndOffset;
        if (!(err instanceof UnexpectedAppendOffsetError) || end !== log.logStartOffset || err.firstOffset >= end || err.lastOffset < end) throw err;
        this.logger.info(`${err.message}. Since this is the first record to be appended to the follower's log, will start the log from offset ${err.firstOffset}.`);
        await this.truncateFully(tp, err.firstOffset);
        const info = await log.appendAsFollower(records);
        lastOffset = info.lastOffset;
        validBytes = info.validBytes;
      }
    }
    partition.updateFollowerHighWatermark(Number(data.highWatermark));
    const leaderLogStart = Number(data.logStartOffset);
    if (leaderLogStart > log.logStartOffset && leaderLogStart <= partition.highWatermark) await log.maybeIncrementLogStartOffset(leaderLogStart, partition.highWatermark);
    if (validBytes > 0) {
      state.fetchOffset = lastOffset + 1;
      state.lastFetchedEpoch = lastBatchEpoch(records.subarray(0, validBytes)) ?? state.lastFetchedEpoch;
    } else {
      state.fetchOffset = log.logEndOffset;
    }
  }

  /**
   * Kafka's getOffsetTruncationState for a diverging epoch: truncate to min(leader's end offset, our
   * end offset for that epoch, our log end); when we only know smaller epochs, to the end of the
   * largest of them, and let the next fetch say more.
   */
  private async truncateOnDivergingEpoch(tp: TopicPartition, state: PartitionFetchState, leaderEpoch: number, leaderEndOffset: number): Promise<void> {
    const log = this.o.replicas.getPartition(tp)?.log;
    if (log === undefined) throw new KafkaProtocolError('NOT_LEADER_OR_FOLLOWER', `No local log for ${tpKey(tp)}`);
    const replicaEndOffset = log.logEndOffset;
    const cache = this.o.replicas.logManager.leaderEpochCache(tp);
    const ours = cache?.endOffsetFor(leaderEpoch, replicaEndOffset);
    let offset: number;
    if (leaderEndOffset < 0) offset = state.fetchOffset;
    else if (ours === undefined || ours.endOffset < 0) offset = Math.min(leaderEndOffset, replicaEndOffset);
    else if (ours.epoch !== leaderEpoch) {
      offset = Math.min(ours.endOffset, replicaEndOffset);
      this.logger.info(`Based on replica's leader epoch, leader replied with epoch ${leaderEpoch} unknown to the replica for ${tpKey(tp)}. Will truncate to ${offset} and continue`);
    } else offset = Math.min(ours.endOffset, leaderEndOffset, replicaEndOffset);
    this.logger.info(`Truncating ${tpKey(tp)} to offset ${offset} after a diverging epoch (leader epoch ${leaderEpoch} ends at ${leaderEndOffset}, log end ${replicaEndOffset})`);
    state.fetchOffset = await this.truncate(tp, offset);
    state.lastFetchedEpoch = this.latestEpoch(tp);
  }

  /** Kafka's handleOutOfRangeError / fetchOffsetAndTruncate. */
  private async handleOutOfRange(tp: TopicPartition, state: PartitionFetchState): Promise<boolean> {
    const log = this.o.replicas.getPartition(tp)?.log;
    if (log === undefined) return false;
    const replicaEndOffset = log.logEndOffset;
    let leaderEndOffset: number;
    try {
      leaderEndOffset = await this.fetchOffsetFromLeader(tp, state.currentLeaderEpoch, LATEST_TIMESTAMP);
      if (leaderEndOffset < replicaEndOffset) {
        this.logger.warn(`Reset fetch offset for partition ${tpKey(tp)} from ${replicaEndOffset} to current leader ${this.sourceBrokerId}'s latest offset ${leaderEndOffset}`);
        state.fetchOffset = await this.truncate(tp, leaderEndOffset);
      } else {
        const leaderStartOffset = await this.fetchOffsetFromLeader(tp, state.currentLeaderEpoch, EARLIEST_TIMESTAMP);
        this.logger.warn(`Reset fetch offset for partition ${tpKey(tp)} from ${replicaEndOffset} to current leader ${this.sourceBrokerId}'s start offset ${leaderStartOffset}`);
        // Only a leader whose log starts above our end makes us drop our log.
        if (leaderStartOffset > replicaEndOffset) await this.truncateFully(tp, leaderStartOffset);
        state.fetchOffset = Math.max(leaderStartOffset, replicaEndOffset);
      }
    } catch (err) {
      this.logger.error({ err: err instanceof Error ? err.message : String(err) }, `Error getting offset for partition ${tpKey(tp)} to broker ${this.sourceBrokerId}`);
      return false;
    }
    state.lastFetchedEpoch = this.latestEpoch(tp);
    return true;
  }

  /** ListOffsets v6 with replica_id = this broker: the leader's log end (-1) or log start (-2). */
  private async fetchOffsetFromLeader(tp: TopicPartition, currentLeaderEpoch: number, timestamp: bigint): Promise<number> {
    const res = await this.o.leader.send(ApiKey.ListOffsets, LIST_OFFSETS_VERSION, {
      replicaId: this.o.brokerId,
      isolationLevel: 0,
      topics: [{ name: tp.topic, partitions: [{ partitionIndex: tp.partition, currentLeaderEpoch, timestamp, maxNumOffsets: 1 }] }],
    });
    const p = res.topics.find((t) => t.name === tp.topic)?.partitions.find((x) => x.partitionIndex === tp.partition);
    if (p === undefined) throw new Error(`ListOffsets response without ${tpKey(tp)}`);
    if (p.errorCode !== ErrorCode.NONE) throw new Error(`ListOffsets for ${tpKey(tp)} failed with error code ${p.errorCode}`);
    return Number(p.offset);
  }

  /**
   * Kafka's ReplicaFetcherThread.truncate: the log, then the follower high watermark with it. Returns
   * the new log end offset, where fetching resumes (below `offset` when it fell inside a batch).
   */
  private async truncate(tp: TopicPartition, offset: number): Promise<number> {
    const partition = this.o.replicas.getPartition(tp);
    const log = partition?.log;
    if (partition === undefined || log === undefined) throw new KafkaProtocolError('NOT_LEADER_OR_FOLLOWER', `No local log for ${tpKey(tp)}`);
    if (offset < partition.highWatermark) this.logger.warn(`Truncating ${tpKey(tp)} to offset ${offset} below high watermark ${partition.highWatermark}`);
    await log.truncateTo(offset);
    partition.updateFollowerHighWatermark(partition.highWatermark);
    return log.logEndOffset;
  }

  private async truncateFully(tp: TopicPartition, offset: number): Promise<void> {
    const partition = this.o.replicas.getPartition(tp);
    const log = partition?.log;
    if (partition === undefined || log === undefined) throw new KafkaProtocolError('NOT_LEADER_OR_FOLLOWER', `No local log for ${tpKey(tp)}`);
    await log.truncateFullyAndStartAt(offset);
    // The high watermark follows the new log start up (Kafka's updateLogStartOffset).
    partition.updateFollowerHighWatermark(offset);
  }
}

/** The partitionLeaderEpoch of the last batch in `records` (v2 batches), undefined when none. */
function lastBatchEpoch(records: Buffer): number | undefined {
  let last: number | undefined;
  for (let pos = 0; pos + 17 <= records.length; pos += records.readInt32BE(pos + 8) + 12) {
    const epoch = partitionLeaderEpochAt(records, pos);
    if (epoch >= 0) last = epoch;
  }
  return last;
}
