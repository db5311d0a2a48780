/**
 * Kafka 2.8's GroupMetadataManager: the groups this broker coordinates and their committed offsets,
 * persisted as records in __consumer_offsets. A group lives in partition abs(hashCode(groupId)) % N;
 * when this broker becomes leader of such a partition it replays the partition's log to rebuild the
 * groups (COORDINATOR_LOAD_IN_PROGRESS meanwhile); when it loses leadership it unloads them. Commits and
 * group metadata are appended with acks=-1; expired offsets and deleted groups get tombstones.
 */
import type { Logger } from '../../common/logger';
import type { ScheduledTask, Scheduler } from '../../common/scheduler';
import type { Time } from '../../common/time';
import type { ErrorCodeName } from '../../protocol';
import { decodeRecordBatches, encodeRecordBatchSync, type SimpleRecord } from '../../protocol/records';
import type { GroupStatus, GroupStore } from './group-membership';
import { GroupMetadata, type CommittedOffset } from './group-metadata';
import { groupMetadataKey, groupMetadataValue, offsetCommitKey, offsetCommitValue, readGroupMessageValue, readMessageKey, readOffsetMessageValue } from './group-records';

export const GROUP_METADATA_TOPIC_NAME = '__consumer_offsets';

/** Java's String.hashCode over UTF-16 code units, as a signed 32-bit int. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's partitionFor: Utils.abs(groupId.hashCode) % partitions, where abs(Int.MinValue) is 0. */
export function partitionForGroup(groupId: string, partitions: number): number {
  const h = javaStringHashCode(groupId);
  return (h === -0x80000000 ? 0 : Math.abs(h)) % partitions;
}

/** __consumer_offsets as this broker's replica of it: appends and reads of one partition. */
export interface OffsetsTopicLog {
  /** Appends one record batch to the partition's leader; resolves with the produce error (NONE when acked). */
  append(partition: number, batch: Buffer, requiredAcks: number): Promise<ErrorCodeName>;
  /** The partition's log start and end offsets; null when it has no local replica. */
  offsets(partition: number): { logStartOffset: bigint; logEndOffset: bigint } | null;
  /** Whole batches from `fromOffset`, at most about `maxBytes` (at least one batch). */
  read(partition: number, fromOffset: bigint, maxBytes: number): Promise<Buffer>;
}

export interface GroupMetadataManagerOptions {
  /** Partition count of __consumer_offsets (offsets.topic.num.partitions as created). */
  numPartitions: () => number;
  log: OffsetsTopicLog;
  offsetMetadataMaxBytes: number;
  offsetsRetentionMs: number;
  offsetsRetentionCheckIntervalMs: number;
  loadBufferSize: number;
  time: Time;
  scheduler: Scheduler;
  logger: Logger;
}

export interface OffsetToStore {
  topic: string;
  partition: number;
  offset: CommittedOffset;
}

/**
 * Kafka's mapping of a coordinator append's error to what the client is told: a group-metadata write
 * (storeGroup) turns a timeout into REBALANCE_IN_PROGRESS and a size error into UNKNOWN_SERVER_ERROR; an
 * offset commit (storeOffsets) keeps the timeout and calls size errors INVALID_COMMIT_OFFSET_SIZE.
 */
function coordinatorAppendError(error: ErrorCodeName, write: 'group' | 'offsets'): ErrorCodeName {
  switch (error) {
    case 'UNKNOWN_TOPIC_OR_PARTITION':
    case 'NOT_ENOUGH_REPLICAS':
    case 'NOT_ENOUGH_REPLICAS_AFTER_APPEND':
      return 'COORDINATOR_NOT_AVAILABLE';
    case 'NOT_LEADER_OR_FOLLOWER':
    case 'KAFKA_STORAGE_ERROR':
      return 'NOT_COORDINATOR';
    case 'REQUEST_TIMED_OUT':
      return write === 'group' ? 'REBALANCE_IN_PROGRESS' : error;
    case 'MESSAGE_TOO_LARGE':
    case 'RECORD_LIST_TOO_LARGE':
    case 'INVALID_FETCH_SIZE':
      return write === 'group' ? 'UNKNOWN_SERVER_ERROR' : 'INVALID_COMMIT_OFFSET_SIZE';
    default:
      return error;
  }
}

export class GroupMetadataManager implements GroupStore {
  private readonly groups = new Map<string, GroupMetadata>();
  private readonly ownedPartitions = new Set<number>();
  private readonly loadingPartitions = new Set<number>();
  /** Loads and unloads of one partition run in the order leadership changed. */
  private readonly partitionQueues = new Map<number, Promise<void>>();
  private expiryTask: ScheduledTask | null = null;
  private readonly log: Logger;

  constructor(private readonly o: GroupMetadataManagerOptions) {
    this.log = o.logger;
  }

  startup(onExpired: () => Promise<void>): void {
    this.expiryTask = this.o.scheduler.schedule('delete-expired-group-metadata', onExpired, this.o.offsetsRetentionCheckIntervalMs, this.o.offsetsRetentionCheckIntervalMs);
  }

  shutdown(): void {
    this.expiryTask?.cancel();
    this.expiryTask = null;
  }

  partitionFor(groupId: string): number {
    return partitionForGroup(groupId, this.o.numPartitions());
  }

  /** What a group request meets here (Kafka's validateGroupStatus after the group id check). */
  groupStatus(groupId: string): GroupStatus {
    const partition = this.partitionFor(groupId);
    if (this.loadingPartitions.has(partition)) return 'COORDINATOR_LOAD_IN_PROGRESS';
    if (!this.ownedPartitions.has(partition)) return 'NOT_COORDINATOR';
    return 'NONE';
  }

  /** Led (loaded or loading) by this broker. */
  ownsPartition(partition: number): boolean {
    return this.ownedPartitions.has(partition);
  }

  isLoading(): boolean {
    return this.loadingPartitions.size > 0;
  }

  getGroup(groupId: string): GroupMetadata | undefined {
    return this.groups.get(groupId);
  }

  /** Adds the group unless one with its id exists; returns the cached one. */
  addGroup(group: GroupMetadata): GroupMetadata {
    const existing = this.groups.get(group.groupId);
    if (existing !== undefined) return existing;
    this.groups.set(group.groupId, group);
    return group;
  }

  removeGroup(group: GroupMetadata): void {
    if (this.groups.get(group.groupId) === group) this.groups.delete(group.groupId);
  }

  currentGroups(): GroupMetadata[] {
    return [...this.groups.values()];
  }

  // ---- writes ----------------------------------------------------------------------------------

  private batch(records: SimpleRecord[]): Buffer {
    return encodeRecordBatchSync({ records });
  }

  async storeGroup(group: GroupMetadata, assignment: ReadonlyMap<string, Buffer>): Promise<ErrorCodeName> {
    const timestamp = this.o.time.milliseconds();
    const record = { key: groupMetadataKey(group.groupId), value: groupMetadataValue(group, assignment), timestamp };
    const error = await this.o.log.append(this.partitionFor(group.groupId), this.batch([record]), -1);
    if (error !== 'NONE') this.log.warn({ groupId: group.groupId, generationId: group.generationId, error }, `Failed to write group metadata for ${group.groupId}`);
    return coordinatorAppendError(error, 'group');
  }

  /**
   * Appends offset commits (acks=-1) and caches them once acknowledged. Metadata longer than
   * offset.metadata.max.bytes fails that partition with OFFSET_METADATA_TOO_LARGE.
   */
  async storeOffsets(group: GroupMetadata, offsets: readonly OffsetToStore[]): Promise<ErrorCodeName[]> {
    const errors: ErrorCodeName[] = offsets.map((o) => (Buffer.byteLength(o.offset.metadata, 'utf8') > this.o.offsetMetadataMaxBytes ? 'OFFSET_METADATA_TOO_LARGE' : 'NONE'));
    const valid = offsets.filter((_, i) => errors[i] === 'NONE');
    if (valid.length === 0) return errors;
    const timestamp = this.o.time.milliseconds();
    const records = valid.map((o) => ({ key: offsetCommitKey(group.groupId, o.topic, o.partition), value: offsetCommitValue(o.offset), timestamp }));
    const appendError = coordinatorAppendError(await this.o.log.append(this.partitionFor(group.groupId), this.batch(records), -1), 'offsets');
    if (appendError === 'NONE' && !group.is('Dead')) for (const o of valid) group.putOffset(o.topic, o.partition, o.offset);
    if (appendError !== 'NONE') this.log.warn({ groupId: group.groupId, error: appendError }, `Offset commit for group ${group.groupId} failed`);
    return errors.map((e) => (e === 'NONE' ? appendError : e));
  }

  /**
   * Removes offsets chosen by `selector` from each group, marks Empty groups left without offsets
   * Dead, and writes tombstones for both (acks=0, as Kafka: a lost tombstone is retried next time).
   */
  async cleanupGroupMetadata(groups: readonly GroupMetadata[], selector: (group: GroupMetadata) => Array<{ topic: string; partition: number }>): Promise<number> {
    const timestamp = this.o.time.milliseconds();
    let removed = 0;
    for (const group of groups) {
      const gone = selector(group);
      const tombstones: SimpleRecord[] = gone.map((tp) => ({ key: offsetCommitKey(group.groupId, tp.topic, tp.partition), value: null, timestamp }));
      if (group.is('Empty') && group.numOffsets === 0) group.transitionTo('Dead');
      const generation = group.generationId;
      if (group.is('Dead') && this.groups.get(group.groupId) === group) {
        this.groups.delete(group.groupId);
        // A group that never had a generation was never written.
        if (generation > 0) tombstones.push({ key: groupMetadataKey(group.groupId), value: null, timestamp });
      }
      removed += gone.length;
      if (tombstones.length === 0 || this.groupStatus(group.groupId) !== 'NONE') continue;
      const error = await this.o.log.append(this.partitionFor(group.groupId), this.batch(tombstones), 1);
      if (error !== 'NONE') this.log.warn({ groupId: group.groupId, error }, `Failed to append ${tombstones.length} tombstones for group ${group.groupId}`);
    }
    return removed;
  }

  /**
   * Offsets past retention (Kafka 2.8's removeExpiredOffsets): an explicit expire timestamp wins; else an
   * Empty group's offsets expire retention after it became Empty; a Stable consumer group's only for
   * topics it no longer subscribes to; a group without protocol type (standalone) by commit time.
   */
  expiredOffsets(group: GroupMetadata, nowMs: number): Array<{ topic: string; partition: number }> {
    const retention = BigInt(this.o.offsetsRetentionMs);
    const now = BigInt(nowMs);
    const expired = (base: (o: CommittedOffset) => bigint, subscribed: ReadonlySet<string> = new Set()): Array<{ topic: string; partition: number }> =>
      group
        .allOffsets()
        .filter(({ topic, offset }) => !subscribed.has(topic) && (offset.expireTimestamp !== null ? now >= offset.expireTimestamp : now - base(offset) >= retention))
        .map(({ topic, partition }) => ({ topic, partition }));
    if (group.protocolType === null) return expired((o) => o.commitTimestamp);
    if (group.is('Empty')) {
      const since = group.currentStateTimestamp;
      return expired((o) => (since !== null ? BigInt(since) : o.commitTimestamp));
    }
    const subscribed = group.subscribedTopics();
    if (subscribed !== null) return expired((o) => o.commitTimestamp, subscribed);
    return [];
  }

  // ---- loading and unloading -------------------------------------------------------------------

  private enqueue(partition: number, work: () => Promise<void>): Promise<void> {
    const previous = this.partitionQueues.get(partition) ?? Promise.resolve();
    const next = previous.then(work, work);
    this.partitionQueues.set(partition, next);
    void next.finally(() => {
      if (this.partitionQueues.get(partition) === next) this.partitionQueues.delete(partition);
    });
    return next;
  }

  /** Became leader of `partition`: replay it, then hand every group to `onGroupLoaded`. */
  scheduleLoadGroupAndOffsets(partition: number, onGroupLoaded: (group: GroupMetadata) => void): Promise<void> {
    this.ownedPartitions.add(partition);
    this.loadingPartitions.add(partition);
    return this.enqueue(partition, async () => {
      const started = this.o.time.hiResMilliseconds();
      try {
        if (!this.ownedPartitions.has(partition)) return;
        const loaded = await this.loadPartition(partition);
        if (!this.ownedPartitions.has(partition)) return;
        for (const group of loaded) {
          const cached = this.groups.get(group.groupId);
          if (cached !== undefined) {
            // A group created here while loading (e.g. by a commit) keeps its live state.
            for (const { topic, partition: p, offset } of group.allOffsets()) if (cached.offset(topic, p) === undefined) cached.putOffset(topic, p, offset);
            continue;
          }
          this.groups.set(group.groupId, group);
          onGroupLoaded(group);
        }
        this.log.info(
          { partition, groups: loaded.length, ms: Math.round(this.o.time.hiResMilliseconds() - started) },
          `Finished loading offsets and group metadata from ${GROUP_METADATA_TOPIC_NAME}-${partition}`,
        );
      } catch (err) {
        this.log.error({ err, partition }, `Error loading offsets from ${GROUP_METADATA_TOPIC_NAME}-${partition}`);
      } finally {
        this.loadingPartitions.delete(partition);
      }
    });
  }

  /** Replays a partition's log: the last record per key wins, null values remove. */
  private async loadPartition(partition: number): Promise<GroupMetadata[]> {
    const range = this.o.log.offsets(partition);
    if (range === null) return [];
    const offsets = new Map<string, Map<string, { topic: string; partition: number; offset: CommittedOffset }>>();
    const groups = new Map<string, GroupMetadata | null>();
    let next = range.logStartOffset;
    while (next < range.logEndOffset) {
      const bytes = await this.o.log.read(partition, next, this.o.loadBufferSize);
      const { batches } = await decodeRecordBatches(bytes);
      if (batches.length === 0) break;
      for (const batch of batches) {
        next = batch.baseOffset + BigInt(batch.lastOffsetDelta) + 1n;
        // Transactional offset commits are not served yet; control batches carry no group data.
        if (batch.isControl) continue;
        for (const record of batch.records) {
          if (record.key === null) continue;
          const key = readMessageKey(record.key);
          if (key.kind === 'offset') {
            let byGroup = offsets.get(key.group);
            if (byGroup === undefined) offsets.set(key.group, (byGroup = new Map()));
            const value = readOffsetMessageValue(record.value);
            const tpKey = `${key.topic}\u0000${key.partition}`;
            if (value === null) byGroup.delete(tpKey);
            else byGroup.set(tpKey, { topic: key.topic, partition: key.partition, offset: value });
          } else {
            groups.set(key.group, readGroupMessageValue(key.group, record.value, this.o.time));
          }
        }
      }
    }
    const out: GroupMetadata[] = [];
    for (const [groupId, group] of groups) {
      if (group === null) continue;
      for (const o of offsets.get(groupId)?.values() ?? []) group.putOffset(o.topic, o.partition, o.offset);
      out.push(group);
    }
    // Groups that only committed offsets (standalone consumers) come back Empty.
    for (const [groupId, byTp] of offsets) {
      if (groups.get(groupId) !== undefined && groups.get(groupId) !== null) continue;
      if (byTp.size === 0) continue;
      const group = new GroupMetadata(groupId, 'Empty', this.o.time);
      for (const o of byTp.values()) group.putOffset(o.topic, o.partition, o.offset);
      out.push(group);
    }
    return out;
  }

  /** Lost leadership of `partition`: its groups go away (Dead) and requests get NOT_COORDINATOR. */
  removeGroupsForPartition(partition: number, onGroupUnloaded: (group: GroupMetadata) => void): Promise<void> {
    this.ownedPartitions.delete(partition);
    return this.enqueue(partition, () => {
      let n = 0;
      for (const group of [...this.groups.values()]) {
        if (this.partitionFor(group.groupId) !== partition) continue;
        this.groups.delete(group.groupId);
        onGroupUnloaded(group);
        n++;
      }
      this.log.info({ partition, groups: n }, `Finished unloading ${GROUP_METADATA_TOPIC_NAME}-${partition}`);
      return Promise.resolve();
    });
  }
}
