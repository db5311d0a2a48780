/**
 * Kafka 2.8's Partition: one partition hosted by this broker — its assignment, ISR, leader and
 * leader epoch (from the controller's LeaderAndIsr), the zkVersion of its state znode, its local log
 * and the high watermark. The leader serves produce (append + high watermark), consumer reads
 * (bounded by the high watermark), ListOffsets and DeleteRecords through it.
 *
 * ISR (maybeExpandIsr / maybeShrinkIsr): the leader writes ISR changes itself, conditionally on the
 * state znode's zkVersion (Kafka 2.8's ZooKeeper path, DESIGN.md "ISR propagation"), through the
 * injected `updateIsr`; the leader epoch does not change.
 *
 * High watermark (Partition.maybeIncrementLeaderHW): the minimum log end offset over the leader and
 * every remote replica that is in the ISR or caught up within replica.lag.time.max.ms; it only moves
 * up. Remote replicas' log end offsets are unknown (-1) until they fetch (`updateFollowerFetchState`),
 * so a leader whose ISR names other brokers keeps its high watermark until they do, as Kafka does.
 * The last stable offset equals the high watermark: there are no transactions yet. Per-follower
 * state rules are in replica.ts (Kafka's Replica), the Fetch/ListOffsets reads in partition-reads.ts.
 */
import { type Logger, createLogger } from '../common/logger';
import type { Log } from '../log/log';
import type { TopicPartition } from '../log/log-names';
import type { LogAppendInfo } from '../log/log-validator';
import { IsrWrites } from './isr-writes';
import { reconcileLogTopicId } from './partition-topic-id';
import { legacyOffsetsBefore } from './partition-offsets';
import { checkCurrentLeaderEpoch, fetchOffsetForTimestampFromLog, notLeader, type PartitionReadState, readRecordsFromLog, type ReadRecordsParams } from './partition-reads';
import { isFollowerOutOfSync, leaderHighWatermarkCandidate, resetForLeaderEpoch, syncRemoteReplicas, updateFetchState } from './replica';
import { ErrorCode, KafkaProtocolError, ZERO_UUID } from '../protocol';
import type { LeaderAndIsrPartitionState } from '../protocol/generated/leader-and-isr-request';
import {
  type LogOffsetMetadata,
  type OffsetSnapshot,
  type PartitionDeps,
  type PartitionReadInfo,
  type RemoteReplicaState,
  type TimestampAndOffsetResult,
} from './partition-types';

export * from './partition-types';

export class Partition {
  readonly topicPartition: TopicPartition;
  private readonly deps: PartitionDeps;
  private readonly logger: Logger;
  private _log: Log | undefined;
  private _topicId: string = ZERO_UUID;
  /** The topic id the open log's partition.metadata agrees with (undefined: not checked yet). */
  private logTopicId: string | undefined;
  private _leaderEpoch = -1;
  private leaderEpochStartOffset: number | null = null;
  private _zkVersion = -1;
  private _controllerEpoch = 0;
  private _leaderReplicaId: number | null = null;
  private _assignment: number[] = [];
  private _isr = new Set<number>();
  private _addingReplicas: number[] = [];
  private _removingReplicas: number[] = [];
  private readonly remoteReplicas = new Map<number, RemoteReplicaState>();
  private hw: LogOffsetMetadata = { offset: 0, segmentBaseOffset: -1, position: -1 };
  private readonly isrWrites: IsrWrites;

  constructor(topicPartition: TopicPartition, deps: PartitionDeps) {
    this.topicPartition = { topic: topicPartition.topic, partition: topicPartition.partition };
    this.deps = deps;
    this.logger = (deps.logger ?? createLogger('Partition')).child({ topic: topicPartition.topic, partition: topicPartition.partition });
    this.isrWrites = new IsrWrites(deps.updateIsr, this.logger);
  }

  get log(): Log | undefined {
    return this._log;
  }
  get topicId(): string {
    return this._topicId;
  }
  get leaderEpoch(): number {
    return this._leaderEpoch;
  }
  get zkVersion(): number {
    return this._zkVersion;
  }
  get controllerEpoch(): number {
    return this._controllerEpoch;
  }
  get leaderReplicaId(): number | null {
    return this._leaderReplicaId;
  }
  get isLeader(): boolean {
    return this._leaderReplicaId === this.deps.localBrokerId;
  }
  get assignment(): readonly number[] {
    return this._assignment;
  }
  get inSyncReplicaIds(): ReadonlySet<number> {
    return this._isr;
  }
  get addingReplicas(): readonly number[] {
    return this._addingReplicas;
  }
  get removingReplicas(): readonly number[] {
    return this._removingReplicas;
  }
  get highWatermark(): number {
    return this.hw.offset;
  }
  get highWatermarkMetadata(): Readonly<LogOffsetMetadata> {
    return this.hw;
  }
  /** No transactions yet: the last stable offset is the high watermark. */
  get lastStableOffset(): number {
    return this.hw.offset;
  }
  remoteReplica(brokerId: number): Readonly<RemoteReplicaState> | undefined {
    return this.remoteReplicas.get(brokerId);
  }

  private get name(): string {
    return `${this.topicPartition.topic}-${this.topicPartition.partition}`;
  }

  /** Kafka's checkOrSetTopicId: false when the partition already has a different id. */
  checkOrSetTopicId(requestTopicId: string | undefined): boolean {
    if (requestTopicId === undefined || requestTopicId === ZERO_UUID || requestTopicId === '') return true;
    if (this._topicId === ZERO_UUID) {
      this._topicId = requestTopicId;
      return true;
    }
    return this._topicId === requestTopicId;
  }

  /** Opens (or creates) the local log; a newly attached log gets the checkpointed high watermark. */
  async createLogIfNotExists(): Promise<Log> {
    if (this._log !== undefined && !this._log.isClosed) {
      // A topic id learnt after the log was opened is recorded (or checked) now.
      if (this.logTopicId !== this._topicId) this._topicId = this.logTopicId = await reconcileLogTopicId(this._log.dir, this.name, this._topicId);
      return this._log;
    }
    const config = await this.deps.fetchLogConfig?.(this.topicPartition.topic);
    const log = await this.deps.logManager.getOrCreateLog(this.topicPartition, config);
    this._topicId = this.logTopicId = await reconcileLogTopicId(log.dir, this.name, this._topicId);
    const checkpointed = await this.deps.checkpointedHighWatermark(this.topicPartition);
    if (checkpointed === undefined) this.logger.info(`No checkpointed highwatermark is found for partition ${this.name}`);
    this._log = log;
    this.hw = { offset: -1, segmentBaseOffset: -1, position: -1 };
    this.setHighWatermark(checkpointed ?? 0);
    return log;
  }

  /** Kafka's Log.updateHighWatermark: clamped to [log start, log end]. */
  private setHighWatermark(offset: number): void {
    const log = this._log;
    if (log === undefined) return;
    const leo = log.logEndOffsetMetadata;
    const clamped = Math.max(log.logStartOffset, Math.min(offset, leo.offset));
    this.hw = clamped === leo.offset ? { ...leo } : { offset: clamped, segmentBaseOffset: -1, position: -1 };
  }

  private updateAssignmentAndIsr(state: LeaderAndIsrPartitionState, isr: readonly number[]): void {
    this._assignment = [...state.replicas];
    this._isr = new Set(isr);
    this._addingReplicas = [...state.addingReplicas];
    this._removingReplicas = [...state.removingReplicas];
    syncRemoteReplicas(this.remoteReplicas, this._assignment, this.deps.localBrokerId);
  }

  /**
   * Kafka's makeLeader: takes the controller's state, opens the log, starts the new leader epoch at the
   * log end offset (recorded in the leader epoch cache) and tries to move the high watermark. Returns
   * whether this broker was not the leader before. `onHighWatermarkIncrement` lets delayed requests go.
   */
  async makeLeader(state: LeaderAndIsrPartitionState, topicId: string | undefined): Promise<{ isNewLeader: boolean; highWatermarkIncremented: boolean }> {
    this._controllerEpoch = state.controllerEpoch;
    this.isrWrites.reset();
    this.updateAssignmentAndIsr(state, state.isr);
    this.checkOrSetTopicId(topicId);
    const log = await this.createLogIfNotExists();
    const startOffset = log.logEndOffset;
    this.logger.info(
      `Leader ${this.name} starts at leader epoch ${state.leaderEpoch} from offset ${startOffset} with high watermark ${this.hw.offset} ` +
        `ISR [${state.isr.join(',')}] addingReplicas [${state.addingReplicas.join(',')}] removingReplicas [${state.removingReplicas.join(',')}]. ` +
        `Previous leader epoch was ${this._leaderEpoch}.`,
    );
    this._leaderEpoch = state.leaderEpoch;
    this.leaderEpochStartOffset = startOffset;
    this._zkVersion = state.zkVersion;
    // Followers that diverged in a later epoch than any entry here must be able to find where this one starts.
    const cache = this.deps.logManager.leaderEpochCache(this.topicPartition);
    if (cache && cache.latestEpoch !== state.leaderEpoch) await cache.assign(state.leaderEpoch, startOffset);
    const isNewLeader = !this.isLeader;
    const now = this.deps.time.milliseconds();
    for (const r of this.remoteReplicas.values()) resetForLeaderEpoch(r, this._isr.has(r.brokerId), now, startOffset, isNewLeader);
    if (isNewLeader) this._leaderReplicaId = this.deps.localBrokerId;
    return { isNewLeader, highWatermarkIncremented: this.maybeIncrementLeaderHW(log) };
  }

  /**
   * Kafka's makeFollower: takes the controller's state (a follower keeps no ISR), opens the log.
   * Returns false when the leader and epoch are unchanged (nothing for the fetchers to do).
   */
  async makeFollower(state: LeaderAndIsrPartitionState, topicId: string | undefined): Promise<boolean> {
    const oldLeaderEpoch = this._leaderEpoch;
    this._controllerEpoch = state.controllerEpoch;
    this.isrWrites.reset();
    this.updateAssignmentAndIsr(state, []);
    this.checkOrSetTopicId(topicId);
    const log = await this.createLogIfNotExists();
    this.logger.info(
      `Follower ${this.name} starts at leader epoch ${state.leaderEpoch} from offset ${log.logEndOffset} with high watermark ${this.hw.offset}. ` +
        `Previous leader epoch was ${oldLeaderEpoch}.`,
    );
    this._leaderEpoch = state.leaderEpoch;
    this.leaderEpochStartOffset = null;
    this._zkVersion = state.zkVersion;
    if (this._leaderReplicaId === state.leader && this._leaderEpoch === oldLeaderEpoch) return false;
    this._leaderReplicaId = state.leader;
    return true;
  }

  /**
   * Kafka's maybeIncrementLeaderHW: the minimum log end offset over the leader and the remote replicas
   * that are in the ISR or caught up recently; applied only when it moves the high watermark up.
   */
  maybeIncrementLeaderHW(log: Log, now = this.deps.time.milliseconds()): boolean {
    const candidate = leaderHighWatermarkCandidate(log.logEndOffsetMetadata, this.remoteReplicas.values(), this._isr, now, this.deps.replicaLagTimeMaxMs);
    const old = this.hw;
    const newer = candidate.offset > old.offset || (candidate.offset === old.offset && candidate.position >= 0 && old.position < 0);
    if (!newer || candidate.offset < log.logStartOffset) return false;
    this.hw = { ...candidate };
    this.logger.debug({ oldHighWatermark: old.offset, highWatermark: candidate.offset }, 'High watermark updated');
    return candidate.offset > old.offset;
  }

  /**
   * A follower's fetch as the leader sees it (issue 5 calls this): its log end and start offsets and
   * caught-up time move, then the high watermark may advance. Returns whether it did.
   */
  updateFollowerFetchState(brokerId: number, fetchOffset: LogOffsetMetadata, followerStartOffset: number, fetchTimeMs: number, leaderEndOffset: number): boolean {
    const r = this.remoteReplicas.get(brokerId);
    const log = this._log;
    if (r === undefined || log === undefined) return false;
    updateFetchState(r, fetchOffset, followerStartOffset, fetchTimeMs, leaderEndOffset);
    if (!this.isLeader) return false;
    if (!this._isr.has(brokerId)) {
      void this.maybeExpandIsr(brokerId).catch((err: unknown) => this.logger.error({ err }, `Error expanding the ISR of ${this.name}`));
    }
    return this.maybeIncrementLeaderHW(log, fetchTimeMs);
  }

  /**
   * Kafka's maybeExpandIsr (from updateFollowerFetchState): a follower outside the ISR joins it once
   * its log end offset reaches the high watermark and the start offset of the current leader epoch.
   * Resolves with whether the ISR changed.
   */
  async maybeExpandIsr(brokerId: number): Promise<boolean> {
    const r = this.remoteReplicas.get(brokerId);
    if (r === undefined || this._log === undefined || !this.canChangeIsr() || this._isr.has(brokerId)) return false;
    const end = r.logEndOffset.offset;
    if (end < this.hw.offset || this.leaderEpochStartOffset === null || end < this.leaderEpochStartOffset) return false;
    const newIsr = [...this._isr, brokerId];
    this.logger.info(`Expanding ISR from ${[...this._isr].join(',')} to ${newIsr.join(',')}`);
    return this.submitIsr(newIsr);
  }

  /**
   * Kafka's maybeShrinkIsr (the isr-expiration task): ISR members that have not caught up to the log
   * end within replica.lag.time.max.ms leave; the high watermark may then move up. Resolves with
   * whether the ISR changed.
   */
  async maybeShrinkIsr(): Promise<boolean> {
    const log = this._log;
    if (log === undefined || !this.canChangeIsr()) return false;
    const outOfSync = this.getOutOfSyncReplicas(this.deps.replicaLagTimeMaxMs);
    if (outOfSync.length === 0) return false;
    const newIsr = [...this._isr].filter((id) => !outOfSync.includes(id));
    const lagging = outOfSync.map((id) => `(brokerId: ${id}, endOffset: ${this.remoteReplicas.get(id)?.logEndOffset.offset ?? -1})`).join(' ');
    this.logger.info(
      `Shrinking ISR from ${[...this._isr].join(',')} to ${newIsr.join(',')}. Leader: (highWatermark: ${this.hw.offset}, endOffset: ${log.logEndOffset}). ` +
        `Out of sync replicas: ${lagging}.`,
    );
    return this.submitIsr(newIsr);
  }

  /** Kafka's getOutOfSyncReplicas: followers in the ISR not at the log end and not caught up for maxLagMs. */
  getOutOfSyncReplicas(maxLagMs: number): number[] {
    const log = this._log;
    if (log === undefined || this.isrWrites.isInFlight) return [];
    const now = this.deps.time.milliseconds();
    const leaderEndOffset = log.logEndOffset;
    return [...this._isr].filter((id) => {
      const r = id === this.deps.localBrokerId ? undefined : this.remoteReplicas.get(id);
      return r !== undefined && isFollowerOutOfSync(r, leaderEndOffset, now, maxLagMs);
    });
  }

  private canChangeIsr(): boolean {
    return this.isLeader && this.isrWrites.canWrite;
  }

  /**
   * Kafka 2.8's expandIsrWithZk / shrinkIsrWithZk + maybeUpdateIsrAndVersionWithZk: the conditional
   * write of {leader: self, same epoch, new ISR}; if it counts, the ISR and zkVersion change, the change
   * is recorded for propagation and the high watermark may move (a shrink can advance it).
   */
  private submitIsr(newIsr: number[]): Promise<boolean> {
    const update = { leader: this.deps.localBrokerId, leaderEpoch: this._leaderEpoch, isr: newIsr, controllerEpoch: this._controllerEpoch };
    return this.isrWrites.write(this.topicPartition, update, this._zkVersion, (zkVersion) => {
      this._isr = new Set(newIsr);
      this._zkVersion = zkVersion;
      this.logger.info(`ISR updated to ${newIsr.join(',')} and zkVersion updated to ${zkVersion}`);
      this.deps.recordIsrChange?.(this.topicPartition);
      const log = this._log;
      if (log !== undefined && this.isLeader && this.maybeIncrementLeaderHW(log)) this.deps.tryCompleteDelayedRequests?.(this.topicPartition);
    });
  }

  /** A follower's high watermark: the leader's, bounded by the local log end (issue 5's fetcher). */
  updateFollowerHighWatermark(leaderHighWatermark: number): void {
    const log = this._log;
    if (log === undefined) return;
    const target = Math.min(leaderHighWatermark, log.logEndOffset);
    if (target !== this.hw.offset) this.setHighWatermark(target);
  }

  /** Kafka's localLogWithEpochOrException. */
  localLogWithEpochOrException(currentLeaderEpoch: number, requireLeader: boolean): Log {
    checkCurrentLeaderEpoch(currentLeaderEpoch, this._leaderEpoch, this.name);
    if (requireLeader && !this.isLeader) throw notLeader(this.name, this.deps.localBrokerId);
    if (this._log === undefined) throw notLeader(this.name, this.deps.localBrokerId);
    return this._log;
  }

  /** Kafka's leaderLogIfLocal, or NOT_LEADER_OR_FOLLOWER. */
  leaderLogOrException(): Log {
    if (!this.isLeader || this._log === undefined) throw notLeader(this.name, this.deps.localBrokerId);
    return this._log;
  }

  /**
   * Kafka's appendRecordsToLeader: NOT_ENOUGH_REPLICAS before writing when acks=-1 and the ISR is below
   * min.insync.replicas; the log validates and assigns offsets; then the high watermark may move.
   */
  async appendRecordsToLeader(records: Buffer, requiredAcks: number): Promise<{ info: LogAppendInfo; highWatermarkIncremented: boolean }> {
    const log = this.leaderLogOrException();
    const minIsr = log.config.minInSyncReplicas;
    if (requiredAcks === -1 && this._isr.size < minIsr) {
      throw new KafkaProtocolError(
        'NOT_ENOUGH_REPLICAS',
        `The size of the current ISR [${[...this._isr].join(',')}] is insufficient to satisfy the min.isr requirement of ${minIsr} for partition ${this.name}`,
      );
    }
    const info = await log.appendAsLeader(records, this._leaderEpoch);
    // Leadership may have moved while the bytes were written; the high watermark is the leader's business.
    const highWatermarkIncremented = this.isLeader && this._log === log ? this.maybeIncrementLeaderHW(log) : false;
    return { info, highWatermarkIncremented };
  }

  /** Kafka's checkEnoughReplicasReachOffset (DelayedProduce). */
  checkEnoughReplicasReachOffset(requiredOffset: number): { done: boolean; errorCode: number } {
    if (!this.isLeader || this._log === undefined) return { done: true, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };
    if (this.hw.offset < requiredOffset) return { done: false, errorCode: ErrorCode.NONE };
    const minIsr = this._log.config.minInSyncReplicas;
    return { done: true, errorCode: minIsr <= this._isr.size ? ErrorCode.NONE : ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND };
  }

  /** Kafka's fetchOffsetSnapshot (DelayedFetch). */
  fetchOffsetSnapshot(currentLeaderEpoch: number, fetchOnlyFromLeader: boolean): OffsetSnapshot {
    const log = this.localLogWithEpochOrException(currentLeaderEpoch, fetchOnlyFromLeader);
    return { logStartOffset: log.logStartOffset, logEndOffset: { ...log.logEndOffsetMetadata }, highWatermark: { ...this.hw }, lastStableOffset: { ...this.hw } };
  }

  /** Kafka's readRecords (partition-reads.ts), once the leader epoch and leadership checks pass. */
  async readRecords(o: ReadRecordsParams): Promise<PartitionReadInfo> {
    const log = this.localLogWithEpochOrException(o.currentLeaderEpoch, o.fetchOnlyFromLeader);
    return readRecordsFromLog(log, this.readState(), o);
  }

  /** The state reads are bounded by, taken now. */
  private readState(): PartitionReadState {
    const epochCache = this.deps.logManager.leaderEpochCache(this.topicPartition);
    return { name: this.name, leaderEpoch: this._leaderEpoch, highWatermark: this.hw.offset, lastStableOffset: this.lastStableOffset, epochCache };
  }

  /** Kafka's fetchOffsetForTimestamp (partition-reads.ts): clients are bounded by the high watermark. */
  async fetchOffsetForTimestamp(timestamp: number, isolationLevel: number | null, currentLeaderEpoch: number, fetchOnlyFromLeader: boolean): Promise<TimestampAndOffsetResult | null> {
    const log = this.localLogWithEpochOrException(currentLeaderEpoch, fetchOnlyFromLeader);
    return fetchOffsetForTimestampFromLog(log, this.readState(), this.leaderEpochStartOffset, timestamp, isolationLevel);
  }

  /**
   * ListOffsets v0 (Kafka's legacyFetchOffsetsBefore): segment base offsets paired with the segment
   * files' modification times (plus the log end offset, now), newest first, at most maxNumOffsets;
   * consumers never see offsets above the high watermark.
   */
  async legacyFetchOffsetsForTimestamp(timestamp: number, maxNumOffsets: number, isFromConsumer: boolean, fetchOnlyFromLeader: boolean): Promise<number[]> {
    const log = this.localLogWithEpochOrException(-1, fetchOnlyFromLeader);
    const out = await legacyOffsetsBefore(log, timestamp, maxNumOffsets, this.deps.time.milliseconds());
    if (!isFromConsumer) return out;
    const hw = this.hw.offset;
    if (out.some((o) => o > hw)) return [hw, ...out.filter((o) => o <= hw)];
    return out;
  }

  /**
   * Kafka's deleteRecordsOnLeader: needs cleanup.policy delete; -1 means the high watermark; the log
   * start offset moves up (OFFSET_OUT_OF_RANGE above the high watermark).
   */
  async deleteRecordsOnLeader(offset: number): Promise<{ requestedOffset: number; lowWatermark: number }> {
    const log = this.leaderLogOrException();
    if (!log.config.delete) throw new KafkaProtocolError('POLICY_VIOLATION', `Records of partition ${this.name} can not be deleted due to the configured policy`);
    const converted = offset === -1 ? this.hw.offset : offset;
    if (converted < 0) throw new KafkaProtocolError('OFFSET_OUT_OF_RANGE', `The offset ${converted} for partition ${this.name} is not valid`);
    await log.maybeIncrementLogStartOffset(converted, this.hw.offset);
    return { requestedOffset: converted, lowWatermark: this.lowWatermarkIfLeader() };
  }

  /** The smallest log start offset over the leader and its live remote replicas (DeleteRecords). */
  lowWatermarkIfLeader(): number {
    const log = this.leaderLogOrException();
    let low = log.logStartOffset;
    for (const r of this.remoteReplicas.values()) if (this.deps.isBrokerAlive(r.brokerId) && r.logStartOffset < low) low = r.logStartOffset;
    return low;
  }

  /** Forgets the local state (StopReplica with delete); the log itself is deleted by the ReplicaManager. */
  delete(): void {
    this.isrWrites.reset();
    this._log = undefined;
    this._leaderReplicaId = null;
    this._isr = new Set();
    this._assignment = [];
    this.remoteReplicas.clear();
    this.leaderEpochStartOffset = null;
  }
}
