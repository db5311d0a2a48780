/**
 * The rebalance machinery under GroupMembership (Kafka's GroupCoordinator internals): preparing a
 * rebalance, the DelayedJoin / InitialDelayedJoin that completes it into a new generation, handing out
 * the leader's assignment (and DelayedSync for members that never fetch it), member removal, and the
 * session timers (DelayedHeartbeat), all on the injected Scheduler.
 */
import type { Logger } from '../../common/logger';
import type { Scheduler } from '../../common/scheduler';
import type { Time } from '../../common/time';
import type { ErrorCodeName } from '../../protocol';
import type { GroupMetadata } from './group-metadata';
import { KeyedTimers } from './keyed-timers';
import { EMPTY_ASSIGNMENT, joinError, syncError, type JoinGroupResult, type MemberMetadata } from './member-metadata';

export const UNKNOWN_MEMBER_ID = '';

/** Kafka's NewMemberJoinTimeoutMs: a new member's parked JoinGroup expires after this if never completed. */
export const NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000;

export interface GroupConfig {
  groupMinSessionTimeoutMs: number;
  groupMaxSessionTimeoutMs: number;
  groupInitialRebalanceDelayMs: number;
  groupMaxSize: number;
}

/** Persists a group's metadata record (assignment per member id); resolves with Kafka's mapped error. */
export interface GroupStore {
  storeGroup(group: GroupMetadata, assignment: ReadonlyMap<string, Buffer>): Promise<ErrorCodeName>;
}

/** Whether this broker can serve a group now: NONE, NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS, … */
export type GroupStatus = 'NONE' | 'NOT_COORDINATOR' | 'COORDINATOR_LOAD_IN_PROGRESS' | 'COORDINATOR_NOT_AVAILABLE';

/** Where groups are kept (the GroupMetadataManager's cache). */
export interface GroupCache {
  getGroup(groupId: string): GroupMetadata | undefined;
  /** Adds the group unless one with its id exists; returns the cached one. */
  addGroup(group: GroupMetadata): GroupMetadata;
}

export interface GroupMembershipOptions {
  config: GroupConfig;
  store: GroupStore;
  groups: GroupCache;
  groupStatus(groupId: string): GroupStatus;
  time: Time;
  scheduler: Scheduler;
  logger: Logger;
  newUuid?: () => string;
}

export abstract class GroupRebalance {
  /** groupId → its pending rebalance (DelayedJoin / InitialDelayedJoin). */
  protected readonly rebalanceTimers: KeyedTimers;
  /** groupId → its DelayedSync. */
  protected readonly syncTimers: KeyedTimers;
  /** Groups whose pending rebalance is an InitialDelayedJoin (which never completes early). */
  protected readonly initialDelayGroups = new Set<string>();
  /** `${groupId}\u0000${memberId}` → session (heartbeat) expiration. */
  protected readonly heartbeatTimers: KeyedTimers;
  protected readonly log: Logger;

  constructor(protected readonly o: GroupMembershipOptions) {
    this.log = o.logger;
    this.rebalanceTimers = new KeyedTimers(o.scheduler, 'delayed-join');
    this.syncTimers = new KeyedTimers(o.scheduler, 'delayed-sync');
    this.heartbeatTimers = new KeyedTimers(o.scheduler, 'heartbeat');
  }

  /** A group read from __consumer_offsets: its members get fresh session timers. */
  onGroupLoaded(group: GroupMetadata): void {
    for (const m of group.allMembers()) this.scheduleHeartbeatExpiration(group, m, m.sessionTimeoutMs);
  }

  /** Leadership of the group's partition moved away: parked requests get NOT_COORDINATOR, timers stop. */
  onGroupUnloaded(group: GroupMetadata): void {
    const groupId = group.groupId;
    group.transitionTo('Dead');
    for (const m of group.allMembers()) {
      group.maybeInvokeJoinCallback(m, joinError(m.memberId, 'NOT_COORDINATOR'));
      group.maybeInvokeSyncCallback(m, syncError('NOT_COORDINATOR'));
      this.cancelHeartbeat(group, m.memberId);
    }
    for (const id of group.pendingMembers) this.cancelHeartbeat(group, id);
    this.cancelRebalanceTimer(groupId);
    this.cancelSyncTimer(groupId);
  }

  /** Stops every timer (broker shutdown). */
  shutdown(): void {
    this.rebalanceTimers.cancelAll();
    this.syncTimers.cancelAll();
    this.heartbeatTimers.cancelAll();
  }

  /** Kafka's completeAndScheduleNextHeartbeatExpiration, for offset commits from members. */
  memberHeardFrom(group: GroupMetadata, memberId: string): void {
    const member = group.members.get(memberId);
    if (member !== undefined) this.scheduleHeartbeatExpiration(group, member, member.sessionTimeoutMs);
  }

  protected currentJoinResult(group: GroupMetadata, memberId: string): JoinGroupResult {
    return {
      members: group.isLeader(memberId) ? group.currentMemberMetadata() : [],
      memberId,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leaderId: group.leaderId ?? '',
      error: 'NONE',
    };
  }

  protected maybePrepareRebalance(group: GroupMetadata, reason: string): void {
    if (group.canRebalance()) this.prepareRebalance(group, reason);
  }

  protected prepareRebalance(group: GroupMetadata, reason: string): void {
    // Members waiting for their assignment must rejoin instead.
    if (group.is('CompletingRebalance')) this.resetAndPropagateAssignmentError(group, 'REBALANCE_IN_PROGRESS');
    this.cancelSyncTimer(group.groupId);
    group.pendingSyncMembers.clear();
    const wasEmpty = group.is('Empty');
    group.transitionTo('PreparingRebalance');
    this.log.info(
      { groupId: group.groupId, generationId: group.generationId, reason },
      `Preparing to rebalance group ${group.groupId} in state PreparingRebalance with old generation ${group.generationId} (reason: ${reason})`,
    );
    this.cancelRebalanceTimer(group.groupId);
    if (wasEmpty) {
      const delay = this.o.config.groupInitialRebalanceDelayMs;
      this.scheduleInitialDelayedJoin(group, delay, Math.max(group.rebalanceTimeoutMs() - delay, 0));
    } else {
      this.scheduleDelayedJoin(group);
    }
  }

  /** InitialDelayedJoin: never completes early; each member added during the delay extends it once more. */
  protected scheduleInitialDelayedJoin(group: GroupMetadata, delayMs: number, remainingMs: number): void {
    const configured = this.o.config.groupInitialRebalanceDelayMs;
    this.rebalanceTimers.set(group.groupId, delayMs, () => {
      this.initialDelayGroups.delete(group.groupId);
      if (group.newMemberAdded && remainingMs !== 0) {
        group.newMemberAdded = false;
        const delay = Math.min(configured, remainingMs);
        this.scheduleInitialDelayedJoin(group, delay, Math.max(remainingMs - delay, 0));
      } else {
        this.onCompleteJoin(group);
      }
    });
    this.initialDelayGroups.add(group.groupId);
  }

  /** DelayedJoin: completes as soon as every member has rejoined, or at the rebalance timeout. */
  protected scheduleDelayedJoin(group: GroupMetadata): void {
    this.rebalanceTimers.set(group.groupId, group.rebalanceTimeoutMs(), () => this.onCompleteJoin(group));
    this.maybeCompleteJoin(group);
  }

  /** Kafka's rebalancePurgatory.checkAndComplete for a DelayedJoin (the initial delay never completes early). */
  protected maybeCompleteJoin(group: GroupMetadata): void {
    if (!group.is('PreparingRebalance') || !this.rebalanceTimers.has(group.groupId)) return;
    if (this.initialDelayGroups.has(group.groupId)) return;
    if (!group.hasAllMembersJoined()) return;
    this.cancelRebalanceTimer(group.groupId);
    this.onCompleteJoin(group);
  }

  protected onCompleteJoin(group: GroupMetadata): void {
    this.initialDelayGroups.delete(group.groupId);
    if (!group.is('PreparingRebalance')) return;
    // Dynamic members that did not rejoin in time are dropped; static ones keep their place.
    for (const m of group.notYetRejoinedMembers()) {
      if (m.isStaticMember) continue;
      this.log.info({ groupId: group.groupId, memberId: m.memberId }, `Group ${group.groupId} remove dynamic member ${m.memberId} because it did not rejoin in time`);
      group.remove(m.memberId);
      this.cancelHeartbeat(group, m.memberId);
    }
    if (!group.maybeElectNewJoinedLeader() && group.size > 0) {
      // Nobody rejoined: wait another rebalance timeout until session expiry removes the silent members.
      this.log.error({ groupId: group.groupId }, `Group ${group.groupId} could not complete rebalance because no members rejoined`);
      this.scheduleDelayedJoin(group);
      return;
    }
    group.initNextGeneration();
    if (group.is('Empty')) {
      this.log.info({ groupId: group.groupId, generationId: group.generationId }, `Group ${group.groupId} with generation ${group.generationId} is now empty`);
      void this.o.store.storeGroup(group, new Map()).then(
        (error) => {
          // Safe to ignore: an empty generation has no members to mislead.
          if (error !== 'NONE') this.log.warn({ groupId: group.groupId, error }, 'failed to write empty metadata for group');
        },
        (err: unknown) => this.log.warn({ err, groupId: group.groupId }, 'failed to write empty metadata for group'),
      );
      return;
    }
    this.log.info({ groupId: group.groupId, generationId: group.generationId, members: group.size }, `Stabilized group ${group.groupId} generation ${group.generationId} with ${group.size} members`);
    for (const m of group.allMembers()) {
      group.maybeInvokeJoinCallback(m, this.currentJoinResult(group, m.memberId));
      group.pendingSyncMembers.add(m.memberId);
      m.isNew = false;
      this.scheduleHeartbeatExpiration(group, m, m.sessionTimeoutMs);
    }
    this.scheduleSyncExpiration(group);
  }

  protected resetAndPropagateAssignmentError(group: GroupMetadata, error: ErrorCodeName): void {
    for (const m of group.allMembers()) m.assignment = EMPTY_ASSIGNMENT;
    this.propagateAssignment(group, error);
  }

  protected propagateAssignment(group: GroupMetadata, error: ErrorCodeName): void {
    for (const m of group.allMembers()) {
      const answered = group.maybeInvokeSyncCallback(m, { protocolType: group.protocolType, protocolName: group.protocolName, assignment: m.assignment, error });
      // A member that got its assignment satisfied its heartbeat.
      if (answered) this.scheduleHeartbeatExpiration(group, m, m.sessionTimeoutMs);
    }
  }

  /** DelayedSync (KAFKA-12890): members that never send SyncGroup within the rebalance timeout are removed. */
  protected scheduleSyncExpiration(group: GroupMetadata): void {
    this.cancelSyncTimer(group.groupId);
    const generation = group.generationId;
    this.syncTimers.set(group.groupId, group.rebalanceTimeoutMs(), () => {
      if (group.generationId !== generation || !(group.is('CompletingRebalance') || group.is('Stable'))) return;
      if (group.pendingSyncMembers.size === 0) return;
      const missing = [...group.pendingSyncMembers];
      this.log.info({ groupId: group.groupId, missing }, `Group ${group.groupId} removed members who haven't sent their sync requests`);
      for (const id of missing) {
        group.pendingSyncMembers.delete(id);
        if (!group.has(id)) continue;
        group.remove(id);
        this.cancelHeartbeat(group, id);
      }
      this.maybePrepareRebalance(group, `Removing ${missing.join(',')} on pending sync request expiration`);
    });
  }

  protected removePendingSyncMember(group: GroupMetadata, memberId: string): void {
    group.pendingSyncMembers.delete(memberId);
    if (group.pendingSyncMembers.size === 0) this.cancelSyncTimer(group.groupId);
  }

  protected removeMemberAndUpdateGroup(group: GroupMetadata, member: MemberMetadata, reason: string): void {
    // A new member may time out while parked: answer it so the client retries its JoinGroup.
    group.maybeInvokeJoinCallback(member, joinError(member.memberId, 'UNKNOWN_MEMBER_ID'));
    group.remove(member.memberId);
    switch (group.state) {
      case 'Stable':
      case 'CompletingRebalance':
        this.maybePrepareRebalance(group, reason);
        return;
      case 'PreparingRebalance':
        this.maybeCompleteJoin(group);
        return;
      default:
        return;
    }
  }

  protected removePendingMember(group: GroupMetadata, memberId: string): void {
    group.pendingMembers.delete(memberId);
    this.cancelHeartbeat(group, memberId);
    if (group.is('PreparingRebalance')) this.maybeCompleteJoin(group);
  }

  protected heartbeatKey(group: GroupMetadata, memberId: string): string {
    return `${group.groupId}\u0000${memberId}`;
  }

  /** Kafka's completeAndScheduleNextExpiration: the member must be heard from within `timeoutMs`. */
  protected scheduleHeartbeatExpiration(group: GroupMetadata, member: MemberMetadata, timeoutMs: number): void {
    const memberId = member.memberId;
    this.heartbeatTimers.set(this.heartbeatKey(group, memberId), timeoutMs, () => {
      if (this.o.groups.getGroup(group.groupId) !== group || group.members.get(memberId) !== member) return;
      // Members parked in a rebalance count as alive (hasSatisfiedHeartbeat), unless newly added.
      if (!member.isNew && (member.isAwaitingJoin || member.isAwaitingSync)) {
        this.scheduleHeartbeatExpiration(group, member, member.sessionTimeoutMs);
        return;
      }
      this.log.info({ groupId: group.groupId, memberId }, `Member ${memberId} in group ${group.groupId} has failed, removing it from the group`);
      this.removeMemberAndUpdateGroup(group, member, `removing member ${memberId} on heartbeat expiration`);
    });
  }

  protected schedulePendingMemberExpiration(group: GroupMetadata, memberId: string, timeoutMs: number): void {
    this.heartbeatTimers.set(this.heartbeatKey(group, memberId), timeoutMs, () => {
      if (group.pendingMembers.has(memberId)) this.removePendingMember(group, memberId);
    });
  }

  protected cancelHeartbeat(group: GroupMetadata, memberId: string): void {
    this.heartbeatTimers.cancel(this.heartbeatKey(group, memberId));
  }

  protected cancelRebalanceTimer(groupId: string): void {
    this.rebalanceTimers.cancel(groupId);
    this.initialDelayGroups.delete(groupId);
  }

  protected cancelSyncTimer(groupId: string): void {
    this.syncTimers.cancel(groupId);
  }
}
