/**
 * Kafka 2.8's ReplicaManager (ZooKeeper mode): the partitions this broker hosts and what the
 * controller tells it about them (LeaderAndIsr, StopReplica, UpdateMetadata's controller epoch),
 * and the client-facing paths over them: produce (appendRecords, replica-append.ts), fetch (fetch.ts),
 * ListOffsets, DeleteRecords and DescribeLogDirs. Requests that must wait go to purgatories keyed by
 * partition: acks=-1 produce, fetch below min_bytes, DeleteRecords until the low watermark moves.
 *
 * Controller requests are applied one at a time (Kafka's replicaStateChangeLock), in arrival order.
 * High watermarks are checkpointed to replication-offset-checkpoint every
 * replica.high.watermark.checkpoint.interval.ms from the first LeaderAndIsr on, and at shutdown; a
 * partition whose log this broker opens starts from the checkpointed value.
 *
 * Followers fetch through the ReplicaFetcherManager (fetcher/), built here from `replicaFetcher` unless
 * `fetcherHooks` replaces it: becoming a follower adds the partition to its leader's fetcher at
 * Kafka 2.8's initial fetch offset (the log end offset when the log has leader epochs, so divergence is
 * found by the fetch's diverging_epoch; else the high watermark), becoming leader or StopReplica
 * removes it (makeLeaders/makeFollowers in become-leader-or-follower.ts). OffsetForLeaderEpoch is
 * answered by lastOffsetForLeaderEpoch.
 */
import { type Logger, createLogger } from '../common/logger';
import type { ScheduledTask, Scheduler } from '../common/scheduler';
import { SYSTEM_TIME, type Time } from '../common/time';
import { Partition, type TimestampAndOffsetResult } from '../cluster/partition';
import type { PartitionDeps } from '../cluster/partition-types';
import type { LogConfig } from '../log/log-config';
import type { LogManager } from '../log/log-manager';
import type { TopicPartition } from '../log/log-names';
import type { MetadataCache } from '../metadata/metadata-cache';
import type { OffsetForLeaderTopic } from '../protocol/generated/offset-for-leader-epoch-request';
import type { OffsetForLeaderTopicResult } from '../protocol/generated/offset-for-leader-epoch-response';
import type { InitialFetchState, ReplicaFetcherConfig } from './fetcher/fetcher-types';
import { ReplicaFetcherManager } from './fetcher/replica-fetcher-manager';
import { ErrorCode, KafkaProtocolError, ZERO_UUID } from '../protocol';
import type { LeaderAndIsrPartitionState, LeaderAndIsrRequest } from '../protocol/generated/leader-and-isr-request';
import type { UpdateMetadataRequest } from '../protocol/generated/update-metadata-request';
import type { DelayedFetch } from './purgatory/delayed-fetch';
import { DelayedOperationPurgatory } from './purgatory/delayed-operation';
import type { DelayedProduce } from './purgatory/delayed-produce';
import { makeFollowers, makeLeaders, type PartitionStateChange } from './become-leader-or-follower';
import { appendRecords } from './replica-append';
import { describeLogDirs, fetchMessages, lastOffsetForLeaderEpoch } from './replica-reads';
import { deleteRecords } from './replica-delete-records';
import type { DelayedDeleteRecords } from './purgatory/delayed-delete-records';
import { type DeleteRecordsPartitionResult, type FetchParams, type LogReadResult, type PartitionError, type ProducePartitionResult, errorCodeOf, tpKey } from './types';

/** LeaderAndIsr.EpochDuringDelete and NoEpoch in StopReplica partition states. */
const EPOCH_DURING_DELETE = -2;
const NO_EPOCH = -1;

/** What the ReplicaManager asks of the fetchers (the ReplicaFetcherManager; tests may record instead). */
export interface ReplicaFetcherHooks {
  removeFetcherForPartitions(partitions: readonly TopicPartition[]): void | Promise<void>;
  addFetcherForPartitions(partitions: readonly InitialFetchState[]): void | Promise<void>;
  shutdownIdleFetcherThreads?(): void | Promise<void>;
  shutdown?(): void | Promise<void>;
}

export interface ReplicaManagerOptions {
  brokerId: number;
  logManager: LogManager;
  metadataCache: MetadataCache;
  scheduler: Scheduler;
  time?: Time;
  logger?: Logger;
  /** replica.lag.time.max.ms (30000). */
  replicaLagTimeMaxMs?: number;
  /** replica.high.watermark.checkpoint.interval.ms (5000). */
  highWatermarkCheckpointIntervalMs?: number;
  /** Replaces the ReplicaFetcherManager built from `replicaFetcher` (tests). */
  fetcherHooks?: ReplicaFetcherHooks;
  /** Builds the ReplicaFetcherManager; without it (and without fetcherHooks) followers do not fetch. */
  replicaFetcher?: ReplicaFetcherConfig;
  /** The topic's config from ZooKeeper, read when a partition creates its log (see PartitionDeps). */
  fetchLogConfig?: (topic: string) => Promise<LogConfig>;
  /** How a leader writes ISR changes (ZooKeeper, conditional on zkVersion) and records them for propagation. */
  isr?: Pick<PartitionDeps, 'updateIsr' | 'recordIsrChange'>;
}

export interface StopReplicaPartition {
  topicPartition: TopicPartition;
  /** -1 (NoEpoch) from StopReplica v0-2, -2 (EpochDuringDelete) while deleting. */
  leaderEpoch: number;
  deletePartition: boolean;
}

export class ReplicaManager {
  readonly brokerId: number;
  readonly logManager: LogManager;
  readonly metadataCache: MetadataCache;
  readonly time: Time;
  readonly logger: Logger;
  readonly delayedProducePurgatory: DelayedOperationPurgatory<DelayedProduce>;
  readonly delayedFetchPurgatory: DelayedOperationPurgatory<DelayedFetch>;
  readonly delayedDeleteRecordsPurgatory: DelayedOperationPurgatory<DelayedDeleteRecords>;
  private readonly options: ReplicaManagerOptions;
  private readonly partitions = new Map<string, Partition>();
  private _controllerEpoch = 0;
  private stateChangeTail: Promise<unknown> = Promise.resolve();
  private hwCheckpointTask: ScheduledTask | undefined;
  private hwCheckpointCache: Promise<Map<string, number>> | undefined;
  private checkpointing: Promise<void> = Promise.resolve();
  private stopped = false;
  /** The follower fetchers (undefined when neither `replicaFetcher` nor `fetcherHooks` was given). */
  readonly replicaFetcherManager: ReplicaFetcherManager | undefined;
  private readonly fetcherHooks: ReplicaFetcherHooks | undefined;

  constructor(options: ReplicaManagerOptions) {
    this.options = options;
    this.brokerId = options.brokerId;
    this.logManager = options.logManager;
    this.metadataCache = options.metadataCache;
    this.time = options.time ?? SYSTEM_TIME;
    this.logger = options.logger?.child({ component: 'ReplicaManager' }) ?? createLogger('ReplicaManager', { brokerId: options.brokerId });
    this.delayedProducePurgatory = new DelayedOperationPurgatory('Produce', options.scheduler, this.logger);
    this.delayedFetchPurgatory = new DelayedOperationPurgatory('Fetch', options.scheduler, this.logger);
    this.delayedDeleteRecordsPurgatory = new DelayedOperationPurgatory('DeleteRecords', options.scheduler, this.logger);
    const rf = options.replicaFetcher;
    this.replicaFetcherManager =
      rf === undefined
        ? undefined
        : new ReplicaFetcherManager({
            brokerId: this.brokerId,
            metadataCache: this.metadataCache,
            replicas: this,
            interBrokerListenerName: rf.interBrokerListenerName,
            settings: rf.settings,
            clientFactory: rf.clientFactory,
            logger: this.logger,
          });
    this.fetcherHooks = options.fetcherHooks ?? this.replicaFetcherManager;
  }

  /** The epoch of the latest controller this broker obeyed. */
  get controllerEpoch(): number {
    return this._controllerEpoch;
  }

  getPartition(tp: TopicPartition): Partition | undefined {
    return this.partitions.get(tpKey(tp));
  }

  /** Every hosted partition. */
  get allPartitions(): Partition[] {
    return [...this.partitions.values()];
  }

  /** Hosted partitions with an open log (Kafka's onlinePartitionsIterator; the ISR tasks walk these). */
  onlinePartitions(): Partition[] {
    return [...this.partitions.values()].filter((p) => p.log !== undefined && !p.log.isClosed);
  }

  /** The partition's high watermark when hosted with a log (LogManager's retention bound). */
  highWatermark(tp: TopicPartition): number | undefined {
    const p = this.partitions.get(tpKey(tp));
    return p?.log === undefined ? undefined : p.highWatermark;
  }

  /** Kafka's getPartitionOrError: a known topic this broker does not host is NOT_LEADER_OR_FOLLOWER. */
  partitionOrError(key: string, tp: TopicPartition): Partition | { errorCode: number } {
    const p = this.partitions.get(key);
    if (p !== undefined) return p;
    return { errorCode: this.metadataCache.containsPartition(tp.topic, tp.partition) ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
  }

  getPartitionOrException(tp: TopicPartition): Partition {
    const p = this.partitionOrError(tpKey(tp), tp);
    if ('errorCode' in p) {
      const name = p.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER ? 'NOT_LEADER_OR_FOLLOWER' : 'UNKNOWN_TOPIC_OR_PARTITION';
      throw new KafkaProtocolError(name, `${name === 'NOT_LEADER_OR_FOLLOWER' ? 'Broker is not a replica of' : 'Unknown partition'} ${tpKey(tp)} on broker ${this.brokerId}`);
    }
    return p;
  }

  /** Runs controller-driven state changes one at a time (Kafka's replicaStateChangeLock). */
  private withStateChangeLock<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.stateChangeTail.then(fn);
    this.stateChangeTail = run.catch(() => undefined);
    return run;
  }

  private newPartition(tp: TopicPartition): Partition {
    return new Partition(tp, {
      localBrokerId: this.brokerId,
      time: this.time,
      logManager: this.logManager,
      replicaLagTimeMaxMs: this.options.replicaLagTimeMaxMs ?? 30_000,
      fetchLogConfig: this.options.fetchLogConfig,
      checkpointedHighWatermark: async (t) => {
        this.hwCheckpointCache ??= this.logManager.readHighWatermarks();
        return (await this.hwCheckpointCache).get(tpKey(t));
      },
      isBrokerAlive: (id) => this.metadataCache.hasAliveBroker(id),
      updateIsr: this.options.isr?.updateIsr,
      recordIsrChange: this.options.isr?.recordIsrChange,
      tryCompleteDelayedRequests: (t) => this.tryCompleteDelayedRequests(t),
      logger: this.logger,
    });
  }

  /** Kafka's maybeUpdateMetadataCache: an older controller epoch is STALE_CONTROLLER_EPOCH. */
  maybeUpdateMetadataCache(correlationId: number, req: UpdateMetadataRequest): TopicPartition[] {
    if (req.controllerEpoch < this._controllerEpoch) {
      const msg =
        `Received update metadata request with correlation id ${correlationId} from an old controller ${req.controllerId} ` +
        `with epoch ${req.controllerEpoch}. Latest known controller epoch is ${this._controllerEpoch}`;
      this.logger.warn(msg);
      throw new KafkaProtocolError('STALE_CONTROLLER_EPOCH', msg);
    }
    const deleted = this.metadataCache.updateMetadata(correlationId, req);
    this._controllerEpoch = req.controllerEpoch;
    return deleted;
  }

  /**
   * Kafka's becomeLeaderOrFollower. An older controller epoch fails the whole request
   * (STALE_CONTROLLER_EPOCH). Per partition: a leader epoch not newer than the one held is
   * STALE_CONTROLLER_EPOCH, a topic id differing from the one held INCONSISTENT_TOPIC_ID, a state not
   * naming this broker as a replica UNKNOWN_TOPIC_OR_PARTITION; the rest become leader (leader = this
   * broker) or follower. Log failures are KAFKA_STORAGE_ERROR for that partition.
   */
  becomeLeaderOrFollower(correlationId: number, req: LeaderAndIsrRequest): Promise<{ errorCode: number; partitionErrors: PartitionError[] }> {
    return this.withStateChangeLock(async () => {
      const states: { state: LeaderAndIsrPartitionState; topicId: string | undefined }[] = [];
      for (const s of req.ungroupedPartitionStates) states.push({ state: s, topicId: undefined });
      for (const t of req.topicStates) for (const s of t.partitionStates) states.push({ state: { ...s, topicName: t.topicName }, topicId: t.topicId });
      if (req.controllerEpoch < this._controllerEpoch) {
        this.logger.warn(
          `Ignoring LeaderAndIsr request from controller ${req.controllerId} with correlation id ${correlationId} since its controller epoch ` +
            `${req.controllerEpoch} is old. Latest known controller epoch is ${this._controllerEpoch}`,
        );
        return { errorCode: ErrorCode.STALE_CONTROLLER_EPOCH, partitionErrors: states.map(({ state }) => ({ topicPartition: { topic: state.topicName, partition: state.partitionIndex }, errorCode: ErrorCode.STALE_CONTROLLER_EPOCH })) };
      }
      this._controllerEpoch = req.controllerEpoch;
      this.hwCheckpointCache = undefined;
      const errors = new Map<string, PartitionError>();
      const toLeader: PartitionStateChange[] = [];
      const toFollower: PartitionStateChange[] = [];
      for (const { state, topicId } of states) {
        const tp = { topic: state.topicName, partition: state.partitionIndex };
        const key = tpKey(tp);
        let p = this.partitions.get(key);
        if (p === undefined) this.partitions.set(key, (p = this.newPartition(tp)));
        const setError = (errorCode: number): void => void errors.set(key, { topicPartition: tp, errorCode });
        const requestTopicId = topicId === undefined || topicId === ZERO_UUID ? undefined : topicId;
        if (requestTopicId !== undefined && p.topicId !== ZERO_UUID && p.topicId !== requestTopicId) {
          this.logger.error(`Topic Id in memory: ${p.topicId} does not match the topic Id for partition ${key} provided in the request: ${requestTopicId}.`);
          setError(ErrorCode.INCONSISTENT_TOPIC_ID);
        } else if (state.leaderEpoch > p.leaderEpoch) {
          if (state.replicas.includes(this.brokerId)) {
            setError(ErrorCode.NONE);
            (state.leader === this.brokerId ? toLeader : toFollower).push({ p, state, topicId: requestTopicId });
          } else {
            this.logger.warn(`Ignoring LeaderAndIsr request from controller ${req.controllerId} for ${key}: the replica set [${state.replicas.join(',')}] does not include broker ${this.brokerId}`);
            setError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          }
        } else {
          this.logger.info(`Ignoring LeaderAndIsr request from controller ${req.controllerId} for ${key}: leader epoch ${state.leaderEpoch} is not newer than the current leader epoch ${p.leaderEpoch}`);
          setError(ErrorCode.STALE_CONTROLLER_EPOCH);
        }
      }
      const hooks = this.fetcherHooks;
      if (toLeader.length > 0) await makeLeaders(this, hooks, toLeader, errors);
      if (toFollower.length > 0) await makeFollowers(this, hooks, toFollower, errors, () => this.stopped);
      await hooks?.shutdownIdleFetcherThreads?.();
      this.startHighWatermarkCheckpointTask();
      return { errorCode: ErrorCode.NONE, partitionErrors: [...errors.values()] };
    });
  }

  /**
   * Kafka's stopReplicas: an older controller epoch fails the request; a hosted partition needs a
   * leader epoch at least its own (or -1/-2) else FENCED_LEADER_EPOCH; with deletePartition the partition is
   * dropped and its log deleted (LogManager.asyncDelete), even when it is not hosted any more.
   */
  stopReplicas(correlationId: number, controllerId: number, controllerEpoch: number, states: readonly StopReplicaPartition[]): Promise<{ errorCode: number; partitionErrors: PartitionError[] }> {
    return this.withStateChangeLock(async () => {
      if (controllerEpoch < this._controllerEpoch) {
        this.logger.warn(
          `Ignoring StopReplica request from controller ${controllerId} with correlation id ${correlationId} since its controller epoch ${controllerEpoch} is old. ` +
            `Latest known controller epoch is ${this._controllerEpoch}`,
        );
        return { errorCode: ErrorCode.STALE_CONTROLLER_EPOCH, partitionErrors: [] };
      }
      this._controllerEpoch = controllerEpoch;
      const results = new Map<string, PartitionError>();
      const toStop: StopReplicaPartition[] = [];
      for (const s of states) {
        const key = tpKey(s.topicPartition);
        const p = this.partitions.get(key);
        // An equal epoch is accepted (KAFKA-13972, fixed after 2.8): a cancelled reassignment stops its
        // added replicas without an epoch bump, and 2.8's strict check left them behind as strays.
        if (p === undefined || s.leaderEpoch === EPOCH_DURING_DELETE || s.leaderEpoch === NO_EPOCH || s.leaderEpoch >= p.leaderEpoch) {
          toStop.push(s);
          results.set(key, { topicPartition: s.topicPartition, errorCode: ErrorCode.NONE });
        } else {
          this.logger.warn(`Ignoring StopReplica request from controller ${controllerId} for ${key}: leader epoch ${s.leaderEpoch} is older than ${p.leaderEpoch}`);
          results.set(key, { topicPartition: s.topicPartition, errorCode: ErrorCode.FENCED_LEADER_EPOCH });
        }
      }
      await this.fetcherHooks?.removeFetcherForPartitions(toStop.map((s) => s.topicPartition));
      for (const s of toStop) {
        const key = tpKey(s.topicPartition);
        if (s.deletePartition) {
          const p = this.partitions.get(key);
          if (p !== undefined) {
            this.partitions.delete(key);
            p.delete();
          }
        }
        // Waiting requests on a partition this broker no longer leads complete now instead of timing out.
        this.completeDelayedFetchOrProduceRequests(s.topicPartition);
      }
      for (const s of toStop) {
        if (!s.deletePartition) continue;
        try {
          await this.logManager.asyncDelete(s.topicPartition);
        } catch (err) {
          this.logger.error({ err }, `Ignoring StopReplica request (delete=true) for ${tpKey(s.topicPartition)}: error while deleting its log`);
          results.set(tpKey(s.topicPartition), { topicPartition: s.topicPartition, errorCode: errorCodeOf(err) === ErrorCode.UNKNOWN_SERVER_ERROR ? ErrorCode.KAFKA_STORAGE_ERROR : errorCodeOf(err) });
        }
      }
      return { errorCode: ErrorCode.NONE, partitionErrors: [...results.values()] };
    });
  }

  /** Kafka's lastOffsetForLeaderEpoch (OffsetForLeaderEpoch; see replica-reads.ts). */
  lastOffsetForLeaderEpoch(topics: readonly OffsetForLeaderTopic[]): OffsetForLeaderTopicResult[] {
    return lastOffsetForLeaderEpoch(this, topics);
  }

  /** Wakes the delayed requests watching a partition whose high watermark moved. */
  tryCompleteDelayedRequests(tp: TopicPartition): void {
    const key = tpKey(tp);
    this.delayedProducePurgatory.checkAndComplete(key);
    this.delayedFetchPurgatory.checkAndComplete(key);
    this.delayedDeleteRecordsPurgatory.checkAndComplete(key);
  }

  completeDelayedFetchOrProduceRequests(tp: TopicPartition): void {
    const key = tpKey(tp);
    this.delayedProducePurgatory.checkAndComplete(key);
    this.delayedFetchPurgatory.checkAndComplete(key);
  }

  /** Kafka's appendRecords (see replica-append.ts); keys of `entries` are `<topic>-<p>`. */
  async appendRecords(o: {
    timeoutMs: number;
    requiredAcks: number;
    internalTopicsAllowed: boolean;
    entries: ReadonlyMap<string, { topicPartition: TopicPartition; records: Buffer }>;
  }): Promise<Map<string, ProducePartitionResult>> {
    return appendRecords(this, o);
  }

  /**
   * Kafka's deleteRecords: moves each leader's log start offset, then waits (DelayedDeleteRecords)
   * until the low watermark over live replicas reaches it (see replica-delete-records.ts).
   */
  deleteRecords(timeoutMs: number, offsets: ReadonlyMap<string, { topicPartition: TopicPartition; offset: number }>): Promise<Map<string, DeleteRecordsPartitionResult>> {
    return deleteRecords(this, timeoutMs, offsets);
  }

  /** Kafka's fetchMessages (see replica-reads.ts). */
  fetchMessages(params: FetchParams): Promise<LogReadResult[]> {
    return fetchMessages(this, params);
  }

  /** ListOffsets v1+: null when no offset matches. */
  fetchOffsetForTimestamp(tp: TopicPartition, timestamp: number, isolationLevel: number | null, currentLeaderEpoch: number, fetchOnlyFromLeader: boolean): Promise<TimestampAndOffsetResult | null> {
    return this.getPartitionOrException(tp).fetchOffsetForTimestamp(timestamp, isolationLevel, currentLeaderEpoch, fetchOnlyFromLeader);
  }

  /** ListOffsets v0. */
  legacyFetchOffsetsForTimestamp(tp: TopicPartition, timestamp: number, maxNumOffsets: number, isFromConsumer: boolean, fetchOnlyFromLeader: boolean): Promise<number[]> {
    return this.getPartitionOrException(tp).legacyFetchOffsetsForTimestamp(timestamp, maxNumOffsets, isFromConsumer, fetchOnlyFromLeader);
  }

  /** DescribeLogDirs; `partitions` null means all (keys `<topic>-<p>`). */
  describeLogDirs(partitions: ReadonlySet<string> | null): ReturnType<typeof describeLogDirs> {
    return describeLogDirs(this, partitions);
  }

  /** The high watermark of every hosted partition with a log, keyed `<topic>-<p>`. */
  highWatermarks(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [key, p] of this.partitions) if (p.log !== undefined) out.set(key, p.highWatermark);
    return out;
  }

  /** Writes replication-offset-checkpoint in every log dir (runs one at a time). */
  checkpointHighWatermarks(): Promise<void> {
    const run = this.checkpointing.then(() => this.logManager.checkpointHighWatermarks(this.highWatermarks()));
    this.checkpointing = run.catch((err: unknown) => this.logger.error({ err }, 'Error while writing the high watermark checkpoint'));
    return run;
  }

  private startHighWatermarkCheckpointTask(): void {
    if (this.hwCheckpointTask !== undefined || this.stopped) return;
    const interval = this.options.highWatermarkCheckpointIntervalMs ?? 5000;
    this.hwCheckpointTask = this.options.scheduler.schedule('highwatermark-checkpoint', () => this.checkpointHighWatermarks().catch(() => undefined), interval, interval);
  }

  /** Stops the timers, completes waiting requests, and (by default) checkpoints the high watermarks. */
  async shutdown(checkpointHighWatermarks = true): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.logger.info('Shutting down');
    this.hwCheckpointTask?.cancel();
    this.hwCheckpointTask = undefined;
    // As Kafka: the fetchers stop first, so no follower append races the final checkpoint.
    await this.fetcherHooks?.shutdown?.();
    this.delayedFetchPurgatory.shutdown();
    this.delayedProducePurgatory.shutdown();
    this.delayedDeleteRecordsPurgatory.shutdown();
    await this.stateChangeTail;
    if (checkpointHighWatermarks) await this.checkpointHighWatermarks().catch(() => undefined);
    this.logger.info('Shut down completely');
  }
}
