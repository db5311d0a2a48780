/**
 * Kafka 2.8's GroupCoordinator: the one surface the group APIs call. Group management (join, sync,
 * heartbeat, leave) is GroupMembership; committed offsets, describe/list/delete and the reaction to
 * leadership of __consumer_offsets partitions are here; storage is the GroupMetadataManager.
 */
import type { Logger } from '../../common/logger';
import type { Scheduler } from '../../common/scheduler';
import type { Time } from '../../common/time';
import type { ErrorCodeName } from '../../protocol';
import { GROUP_STATES, type GroupState } from './group-state';
import { GroupMembership, type GroupConfig, type GroupStatus, type JoinGroupParams, type LeaveGroupResult, type LeavingMember, type SyncGroupParams } from './group-membership';
import type { CommittedOffset, GroupMetadata } from './group-metadata';
import { GROUP_METADATA_TOPIC_NAME, type GroupMetadataManager, type OffsetToStore } from './group-metadata-manager';
import type { JoinGroupResult, SyncGroupResult } from './member-metadata';

export interface TopicPartitionRef {
  topic: string;
  partition: number;
}

export interface FetchedOffset extends TopicPartitionRef {
  /** null: nothing committed (answered as offset -1, metadata ""). */
  offset: CommittedOffset | null;
  error: ErrorCodeName;
}

export interface MemberSummary {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  metadata: Buffer;
  assignment: Buffer;
}

/** DescribeGroups' view of a group (Kafka's GroupSummary); an unknown group is Dead with no members. */
export interface GroupSummary {
  state: GroupState;
  protocolType: string;
  protocol: string;
  members: MemberSummary[];
}

export interface GroupOverview {
  groupId: string;
  protocolType: string;
  state: GroupState;
}

export interface GroupCoordinatorOptions {
  config: GroupConfig;
  manager: GroupMetadataManager;
  time: Time;
  scheduler: Scheduler;
  logger: Logger;
  newUuid?: () => string;
}

const DEAD_SUMMARY: GroupSummary = { state: 'Dead', protocolType: '', protocol: '', members: [] };

export class GroupCoordinator {
  readonly membership: GroupMembership;
  private readonly manager: GroupMetadataManager;
  private active = false;
  private readonly log: Logger;

  constructor(private readonly o: GroupCoordinatorOptions) {
    this.manager = o.manager;
    this.log = o.logger;
    this.membership = new GroupMembership({
      config: o.config,
      store: o.manager,
      groups: o.manager,
      groupStatus: (groupId) => this.status(groupId),
      time: o.time,
      scheduler: o.scheduler,
      logger: o.logger,
      newUuid: o.newUuid,
    });
  }

  startup(): void {
    this.manager.startup(async () => {
      await this.cleanupExpiredOffsets();
    });
    this.active = true;
  }

  shutdown(): void {
    this.active = false;
    this.manager.shutdown();
    this.membership.shutdown();
  }

  partitionFor(groupId: string): number {
    return this.manager.partitionFor(groupId);
  }

  /** Kafka's validateGroupStatus (the group id itself is checked by the caller's API rules). */
  private status(groupId: string): GroupStatus {
    if (!this.active) return 'COORDINATOR_NOT_AVAILABLE';
    return this.manager.groupStatus(groupId);
  }

  // ---- leadership of __consumer_offsets ---------------------------------------------------------

  /**
   * Kafka's onLeadershipChange for __consumer_offsets: load the partitions this broker now leads, unload
   * the ones it now follows. Other topics are ignored.
   */
  onLeadershipChange(leaders: readonly TopicPartitionRef[], followers: readonly TopicPartitionRef[]): void {
    for (const tp of leaders) if (tp.topic === GROUP_METADATA_TOPIC_NAME) void this.onElection(tp.partition);
    for (const tp of followers) if (tp.topic === GROUP_METADATA_TOPIC_NAME) void this.onResignation(tp.partition);
  }

  /** This broker became leader of `partition` of __consumer_offsets (a repeated notice changes nothing). */
  onElection(partition: number): Promise<void> {
    if (this.manager.ownsPartition(partition)) return Promise.resolve();
    return this.manager.scheduleLoadGroupAndOffsets(partition, (group) => this.membership.onGroupLoaded(group));
  }

  /** This broker stopped leading `partition` of __consumer_offsets. */
  onResignation(partition: number): Promise<void> {
    return this.manager.removeGroupsForPartition(partition, (group) => this.membership.onGroupUnloaded(group));
  }

  // ---- group management --------------------------------------------------------------------------

  handleJoinGroup(p: JoinGroupParams): Promise<JoinGroupResult> {
    return this.membership.handleJoinGroup(p);
  }

  handleSyncGroup(p: SyncGroupParams): Promise<SyncGroupResult> {
    return this.membership.handleSyncGroup(p);
  }

  handleHeartbeat(groupId: string, memberId: string, groupInstanceId: string | null, generationId: number): ErrorCodeName {
    return this.membership.handleHeartbeat(groupId, memberId, groupInstanceId, generationId);
  }

  handleLeaveGroup(groupId: string, leaving: readonly LeavingMember[]): LeaveGroupResult {
    return this.membership.handleLeaveGroup(groupId, leaving);
  }

  // ---- offsets -----------------------------------------------------------------------------------

  /**
   * OffsetCommit: a group outside group management (generation < 0) may commit while Empty and is
   * created on its first commit; members commit in Stable and PreparingRebalance, not while their
   * assignment is still being decided. Resolves with one error per offset, in order.
   */
  async handleCommitOffsets(groupId: string, memberId: string, groupInstanceId: string | null, generationId: number, offsets: readonly OffsetToStore[]): Promise<ErrorCodeName[]> {
    const all = (e: ErrorCodeName): ErrorCodeName[] => offsets.map(() => e);
    const status = this.status(groupId);
    if (status !== 'NONE') return all(status);
    let group = this.manager.getGroup(groupId);
    if (group === undefined) {
      // Kafka: an unknown group with a generation is a commit from an older generation.
      if (generationId >= 0) return all('ILLEGAL_GENERATION');
      group = this.membership.getOrCreateGroup(groupId);
    }
    if (group.is('Dead')) return all('COORDINATOR_NOT_AVAILABLE');
    if (group.isStaticMemberFenced(memberId, groupInstanceId)) return all('FENCED_INSTANCE_ID');
    if (generationId < 0 && group.is('Empty')) return this.manager.storeOffsets(group, offsets);
    if (!group.has(memberId)) return all('UNKNOWN_MEMBER_ID');
    if (generationId !== group.generationId) return all('ILLEGAL_GENERATION');
    switch (group.state) {
      case 'Stable':
      case 'PreparingRebalance':
        // A commit in PreparingRebalance is accepted: the member learns of the rebalance by heartbeat.
        this.membership.memberHeardFrom(group, memberId);
        return this.manager.storeOffsets(group, offsets);
      case 'CompletingRebalance':
        return all('REBALANCE_IN_PROGRESS');
      default:
        throw new Error(`unexpected state ${group.state} of group ${groupId} for an offset commit`);
    }
  }

  /**
   * OffsetFetch answers blindly, whatever the group's state (it may use Kafka only for storage);
   * `partitions` null means every committed offset of the group.
   */
  handleFetchOffsets(groupId: string, partitions: readonly TopicPartitionRef[] | null): { error: ErrorCodeName; offsets: FetchedOffset[] } {
    const status = this.status(groupId);
    if (status !== 'NONE') return { error: status, offsets: [] };
    const group = this.manager.getGroup(groupId);
    const usable = group !== undefined && !group.is('Dead') ? group : undefined;
    if (partitions === null) {
      return { error: 'NONE', offsets: (usable?.allOffsets() ?? []).map(({ topic, partition, offset }) => ({ topic, partition, offset, error: 'NONE' as const })) };
    }
    return { error: 'NONE', offsets: partitions.map((tp) => ({ ...tp, offset: usable?.offset(tp.topic, tp.partition) ?? null, error: 'NONE' as const })) };
  }

  /**
   * OffsetDelete (KIP-496): only offsets of topics no active consumer member subscribes to; a group
   * that is not Empty and not a consumer group answers NON_EMPTY_GROUP.
   */
  async handleDeleteOffsets(groupId: string, partitions: readonly TopicPartitionRef[]): Promise<{ error: ErrorCodeName; partitions: Array<TopicPartitionRef & { error: ErrorCodeName }> }> {
    const status = this.status(groupId);
    if (status !== 'NONE') return { error: status, partitions: [] };
    const group = this.manager.getGroup(groupId);
    if (group === undefined || group.is('Dead')) return { error: 'GROUP_ID_NOT_FOUND', partitions: [] };
    let eligible: TopicPartitionRef[];
    const errors: Array<TopicPartitionRef & { error: ErrorCodeName }> = [];
    if (group.is('Empty')) {
      eligible = [...partitions];
    } else {
      const subscribed = group.subscribedTopics();
      if (subscribed === null) return { error: 'NON_EMPTY_GROUP', partitions: [] };
      eligible = partitions.filter((tp) => !subscribed.has(tp.topic));
      for (const tp of partitions) if (subscribed.has(tp.topic)) errors.push({ ...tp, error: 'GROUP_SUBSCRIBED_TO_TOPIC' });
    }
    if (eligible.length > 0) {
      await this.manager.cleanupGroupMetadata([group], (g) => eligible.filter((tp) => g.removeOffset(tp.topic, tp.partition)));
      for (const tp of eligible) errors.push({ ...tp, error: 'NONE' });
    }
    return { error: 'NONE', partitions: errors };
  }

  // ---- describe / list / delete ------------------------------------------------------------------

  handleDescribeGroup(groupId: string): { error: ErrorCodeName; summary: GroupSummary } {
    const status = this.status(groupId);
    if (status !== 'NONE') return { error: status, summary: DEAD_SUMMARY };
    const group = this.manager.getGroup(groupId);
    if (group === undefined) return { error: 'NONE', summary: DEAD_SUMMARY };
    return { error: 'NONE', summary: summarize(group) };
  }

  /** ListGroups v4 filters by state names (case-insensitive, as Kafka's GroupState.parse). */
  handleListGroups(states: readonly string[]): { error: ErrorCodeName; groups: GroupOverview[] } {
    if (!this.active) return { error: 'COORDINATOR_NOT_AVAILABLE', groups: [] };
    const wanted = new Set(states.map((s) => GROUP_STATES.find((g) => g.toLowerCase() === s.toLowerCase()) ?? s));
    const groups = this.manager
      .currentGroups()
      .filter((g) => wanted.size === 0 || wanted.has(g.state))
      .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '', state: g.state }));
    return { error: this.manager.isLoading() ? 'COORDINATOR_LOAD_IN_PROGRESS' : 'NONE', groups };
  }

  /** DeleteGroups: only Empty groups (NON_EMPTY_GROUP otherwise); their offsets and record get tombstones. */
  async handleDeleteGroups(groupIds: readonly string[]): Promise<Map<string, ErrorCodeName>> {
    const results = new Map<string, ErrorCodeName>();
    const deleted: GroupMetadata[] = [];
    for (const groupId of groupIds) {
      const status = this.status(groupId);
      if (status !== 'NONE') {
        results.set(groupId, status);
        continue;
      }
      const group = this.manager.getGroup(groupId);
      if (group === undefined || group.is('Dead')) results.set(groupId, 'GROUP_ID_NOT_FOUND');
      else if (!group.is('Empty')) results.set(groupId, 'NON_EMPTY_GROUP');
      else {
        group.transitionTo('Dead');
        deleted.push(group);
        results.set(groupId, 'NONE');
      }
    }
    if (deleted.length > 0) {
      const removed = await this.manager.cleanupGroupMetadata(deleted, (g) => g.allOffsets().filter(({ topic, partition }) => g.removeOffset(topic, partition)));
      this.log.info({ groups: deleted.map((g) => g.groupId), offsets: removed }, `The following groups were deleted: ${deleted.map((g) => g.groupId).join(', ')}`);
    }
    return results;
  }

  /** The periodic offsets.retention task (Kafka's cleanupGroupMetadata with removeExpiredOffsets). */
  async cleanupExpiredOffsets(): Promise<number> {
    const now = this.o.time.milliseconds();
    const removed = await this.manager.cleanupGroupMetadata(this.manager.currentGroups(), (g) => {
      const expired = this.manager.expiredOffsets(g, now);
      for (const tp of expired) g.removeOffset(tp.topic, tp.partition);
      return expired;
    });
    if (removed > 0) this.log.info({ removed }, `Removed ${removed} expired offsets`);
    return removed;
  }
}

function summarize(group: GroupMetadata): GroupSummary {
  const protocolType = group.protocolType ?? '';
  if (group.is('Stable')) {
    const protocol = group.protocolName ?? '';
    const members = group.allMembers().map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost, metadata: m.metadata(protocol), assignment: m.assignment }));
    return { state: group.state, protocolType, protocol, members };
  }
  const empty = Buffer.alloc(0);
  const members = group.allMembers().map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost, metadata: empty, assignment: empty }));
  return { state: group.state, protocolType, protocol: '', members };
}
