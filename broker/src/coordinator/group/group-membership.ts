/**
 * The group-management half of Kafka 2.8's GroupCoordinator for classic groups: JoinGroup (with the MEMBER_ID_REQUIRED handshake, the
 * initial rebalance delay and static membership), SyncGroup, Heartbeat and LeaveGroup. Delayed operations
 * (Kafka's DelayedJoin / InitialDelayedJoin / DelayedHeartbeat / DelayedSync) are timers on the injected
 * Scheduler, so tests drive time. Groups live in a GroupCache and are persisted through a GroupStore
 * (both the GroupMetadataManager); whether this broker coordinates a group is asked of `groupStatus`.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../common/logger';
import type { Scheduler } from '../../common/scheduler';
import type { Time } from '../../common/time';
import type { ErrorCodeName } from '../../protocol';
import { GroupMetadata } from './group-metadata';
import { KeyedTimers } from './keyed-timers';
import { EMPTY_ASSIGNMENT, joinError, MemberMetadata, syncError, type JoinGroupProtocol, type JoinGroupResult, type SyncGroupResult } from './member-metadata';

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

export interface JoinGroupParams {
  groupId: string;
  memberId: string;
  groupInstanceId: string | null;
  /** JoinGroup v4+: a dynamic member without an id first gets MEMBER_ID_REQUIRED. */
  requireKnownMemberId: boolean;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocolType: string;
  protocols: JoinGroupProtocol[];
}

export interface SyncGroupParams {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string | null;
  protocolName: string | null;
  assignments: ReadonlyMap<string, Buffer>;
}

export interface LeavingMember {
  memberId: string;
  groupInstanceId: string | null;
}

export interface LeaveGroupResult {
  error: ErrorCodeName;
  members: Array<LeavingMember & { error: ErrorCodeName }>;
}

const UNKNOWN_MEMBER_ID = '';

export class GroupMembership {
  /** groupId → its pending rebalance (DelayedJoin / InitialDelayedJoin) or sync expiration. */
  private readonly rebalanceTimers: KeyedTimers;
  private readonly syncTimers: KeyedTimers;
  /** Groups whose pending rebalance is an InitialDelayedJoin (which never completes early). */
  private readonly initialDelayGroups = new Set<string>();
  /** `${groupId}\u0000${memberId}` → session (heartbeat) expiration. */
  private readonly heartbeatTimers: KeyedTimers;
  private readonly log: Logger;
  private readonly newUuid: () => string;

  constructor(private readonly o: GroupMembershipOptions) {
    this.log = o.logger;
    this.newUuid = o.newUuid ?? randomUUID;
    this.rebalanceTimers = new KeyedTimers(o.scheduler, 'delayed-join');
    this.syncTimers = new KeyedTimers(o.scheduler, 'delayed-sync');
    this.heartbeatTimers = new KeyedTimers(o.scheduler, 'heartbeat');
  }

  group(groupId: string): GroupMetadata | undefined {
    return this.o.groups.getGroup(groupId);
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

  /** A group that commits offsets outside group management (generation < 0) is created Empty. */
  getOrCreateGroup(groupId: string): GroupMetadata {
    return this.o.groups.getGroup(groupId) ?? this.o.groups.addGroup(new GroupMetadata(groupId, 'Empty', this.o.time));
  }

  /** Kafka's completeAndScheduleNextHeartbeatExpiration, for offset commits from members. */
  memberHeardFrom(group: GroupMetadata, memberId: string): void {
    const member = group.members.get(memberId);
    if (member !== undefined) this.scheduleHeartbeatExpiration(group, member, member.sessionTimeoutMs);
  }

  private validateGroupStatus(groupId: string): ErrorCodeName {
    if (groupId === '') return 'INVALID_GROUP_ID';
    return this.o.groupStatus(groupId);
  }

  // ---- JoinGroup -------------------------------------------------------------------------------

  handleJoinGroup(p: JoinGroupParams): Promise<JoinGroupResult> {
    return new Promise<JoinGroupResult>((resolve) => {
      const status = this.validateGroupStatus(p.groupId);
      if (status !== 'NONE') return resolve(joinError(p.memberId, status));
      const { groupMinSessionTimeoutMs: min, groupMaxSessionTimeoutMs: max } = this.o.config;
      if (p.sessionTimeoutMs < min || p.sessionTimeoutMs > max) return resolve(joinError(p.memberId, 'INVALID_SESSION_TIMEOUT'));
      const isUnknownMember = p.memberId === UNKNOWN_MEMBER_ID;
      let group = this.o.groups.getGroup(p.groupId);
      if (group === undefined) {
        // Only a member without an id may create a group (Kafka's getOrMaybeCreateGroup).
        if (!isUnknownMember) return resolve(joinError(p.memberId, 'UNKNOWN_MEMBER_ID'));
        group = this.o.groups.addGroup(new GroupMetadata(p.groupId, 'Empty', this.o.time));
      }
      if (!this.acceptJoiningMember(group, p.memberId)) {
        this.log.info({ groupId: p.groupId, memberId: p.memberId }, `Cannot add member to group ${p.groupId} since it has reached its maximum capacity`);
        resolve(joinError(p.memberId, 'GROUP_MAX_SIZE_REACHED'));
        this.maybeCompleteJoin(group);
        return;
      }
      if (isUnknownMember) this.doUnknownJoinGroup(group, p, resolve);
      else this.doJoinGroup(group, p, resolve);
      this.maybeCompleteJoin(group);
    });
  }

  private acceptJoiningMember(group: GroupMetadata, memberId: string): boolean {
    const maxSize = this.o.config.groupMaxSize;
    switch (group.state) {
      case 'Empty':
      case 'Dead':
        return true;
      case 'PreparingRebalance':
        return (group.has(memberId) && group.get(memberId).isAwaitingJoin) || group.numMembersAwaitingJoin < maxSize;
      default:
        return group.has(memberId) || group.size < maxSize;
    }
  }

  private doUnknownJoinGroup(group: GroupMetadata, p: JoinGroupParams, respond: (r: JoinGroupResult) => void): void {
    if (group.is('Dead')) return respond(joinError(UNKNOWN_MEMBER_ID, 'COORDINATOR_NOT_AVAILABLE'));
    if (!group.supportsProtocols(p.protocolType, p.protocols)) return respond(joinError(UNKNOWN_MEMBER_ID, 'INCONSISTENT_GROUP_PROTOCOL'));
    const newMemberId = `${p.groupInstanceId ?? p.clientId}-${this.newUuid()}`;
    if (p.groupInstanceId !== null) {
      const oldMemberId = group.currentStaticMemberId(p.groupInstanceId);
      if (oldMemberId !== undefined) {
        this.log.info({ groupId: group.groupId, groupInstanceId: p.groupInstanceId }, `Static member with group instance id ${p.groupInstanceId} and unknown member id joins group ${group.groupId} in ${group.state} state. Replacing previously mapped member ${oldMemberId} with this groupInstanceId.`);
        this.updateStaticMemberAndRebalance(group, p.groupInstanceId, oldMemberId, newMemberId, p, respond);
      } else {
        this.addMemberAndRebalance(group, newMemberId, p, respond);
      }
      return;
    }
    if (p.requireKnownMemberId) {
      // KIP-394: hand out the id first, so a client that times out never leaves a ghost member behind.
      group.pendingMembers.add(newMemberId);
      this.schedulePendingMemberExpiration(group, newMemberId, p.sessionTimeoutMs);
      return respond({ ...joinError(newMemberId, 'MEMBER_ID_REQUIRED'), memberId: newMemberId });
    }
    this.addMemberAndRebalance(group, newMemberId, p, respond);
  }

  private doJoinGroup(group: GroupMetadata, p: JoinGroupParams, respond: (r: JoinGroupResult) => void): void {
    if (group.is('Dead')) return respond(joinError(p.memberId, 'COORDINATOR_NOT_AVAILABLE'));
    if (!group.supportsProtocols(p.protocolType, p.protocols)) return respond(joinError(p.memberId, 'INCONSISTENT_GROUP_PROTOCOL'));
    if (group.pendingMembers.has(p.memberId)) {
      // The second JoinGroup of the MEMBER_ID_REQUIRED handshake.
      this.cancelHeartbeat(group, p.memberId);
      return this.addMemberAndRebalance(group, p.memberId, p, respond);
    }
    if (group.isStaticMemberFenced(p.memberId, p.groupInstanceId)) return respond(joinError(p.memberId, 'FENCED_INSTANCE_ID'));
    if (!group.has(p.memberId) || (p.groupInstanceId !== null && !group.hasStaticMember(p.groupInstanceId))) {
      return respond(joinError(p.memberId, 'UNKNOWN_MEMBER_ID'));
    }
    const member = group.get(p.memberId);
    switch (group.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(group, member, p.protocols, `Member ${member.memberId} joining group during ${group.state}`, respond);
      case 'CompletingRebalance':
        // A retried JoinGroup (lost response) with nothing changed gets the current generation again.
        if (member.matches(p.protocols)) return respond(this.currentJoinResult(group, member.memberId));
        return this.updateMemberAndRebalance(group, member, p.protocols, `Updating metadata for member ${member.memberId} during ${group.state}`, respond);
      case 'Stable':
        if (group.isLeader(member.memberId) || !member.matches(p.protocols)) {
          // The leader rejoining means it wants a new assignment (e.g. its metadata changed).
          return this.updateMemberAndRebalance(group, member, p.protocols, `Leader ${member.memberId} re-joining group during ${group.state}`, respond);
        }
        this.scheduleHeartbeatExpiration(group, member, member.sessionTimeoutMs);
        return respond({ ...this.currentJoinResult(group, member.memberId), members: [] });
      default:
        return respond(joinError(p.memberId, 'UNKNOWN_MEMBER_ID'));
    }
  }

  private currentJoinResult(group: GroupMetadata, memberId: string): JoinGroupResult {
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

  private addMemberAndRebalance(group: GroupMetadata, memberId: string, p: JoinGroupParams, respond: (r: JoinGroupResult) => void): void {
    const member = new MemberMetadata(memberId, p.groupInstanceId, p.clientId, p.clientHost, p.rebalanceTimeoutMs, p.sessionTimeoutMs, p.protocolType, p.protocols);
    member.isNew = true;
    // A member joining during the initial delay extends it (InitialDelayedJoin).
    if (group.is('PreparingRebalance') && group.generationId === 0) group.newMemberAdded = true;
    group.add(member, respond);
    // New members cannot heartbeat until they get their first JoinGroup response: time the join out.
    this.scheduleHeartbeatExpiration(group, member, NEW_MEMBER_JOIN_TIMEOUT_MS);
    this.maybePrepareRebalance(group, `Adding new member ${memberId} with group instance id ${p.groupInstanceId ?? 'None'}`);
  }

  private updateMemberAndRebalance(group: GroupMetadata, member: MemberMetadata, protocols: JoinGroupProtocol[], reason: string, respond: (r: JoinGroupResult) => void): void {
    group.updateMember(member, protocols, respond);
    this.maybePrepareRebalance(group, reason);
  }

  /**
   * A known static member came back with no member id: it replaces its old id. In Stable the group
   * keeps its generation and assignment (no rebalance) once the new mapping is persisted; the response
   * names the old leader so the member does not think it must assign.
   */
  private updateStaticMemberAndRebalance(group: GroupMetadata, instanceId: string, oldMemberId: string, newMemberId: string, p: JoinGroupParams, respond: (r: JoinGroupResult) => void): void {
    const currentLeader = group.leaderId;
    this.cancelHeartbeat(group, oldMemberId);
    const member = group.replaceStaticMember(instanceId, oldMemberId, newMemberId);
    const oldProtocols = member.supportedProtocols;
    const oldRebalanceTimeout = member.rebalanceTimeoutMs;
    const oldSessionTimeout = member.sessionTimeoutMs;
    member.supportedProtocols = p.protocols;
    member.rebalanceTimeoutMs = p.rebalanceTimeoutMs;
    member.sessionTimeoutMs = p.sessionTimeoutMs;
    this.scheduleHeartbeatExpiration(group, member, member.sessionTimeoutMs);
    switch (group.state) {
      case 'Stable': {
        const generation = group.generationId;
        const assignment = new Map(group.allMembers().map((m) => [m.memberId, m.assignment] as const));
        void this.o.store.storeGroup(group, assignment).then(
          (error) => this.completeStaticRejoin(group, member, { instanceId, oldMemberId, currentLeader, generation, error, oldProtocols, oldRebalanceTimeout, oldSessionTimeout }, respond),
          (err: unknown) => {
            this.log.error({ err, groupId: group.groupId }, 'storing group metadata for a static member failed');
            this.completeStaticRejoin(group, member, { instanceId, oldMemberId, currentLeader, generation, error: 'UNKNOWN_SERVER_ERROR', oldProtocols, oldRebalanceTimeout, oldSessionTimeout }, respond);
          },
        );
        return;
      }
      case 'CompletingRebalance':
        // Its JoinGroup response for this generation went to the old member id: rebalance again.
        group.updateMember(member, p.protocols, respond);
        this.maybePrepareRebalance(group, `Updating metadata for static member ${newMemberId} with instance id ${instanceId}`);
        return;
      case 'PreparingRebalance':
        group.updateMember(member, p.protocols, respond);
        return;
      default:
        throw new Error(`static member ${instanceId} of group ${group.groupId} rejoined in unexpected state ${group.state}`);
    }
  }

  private completeStaticRejoin(
    group: GroupMetadata,
    member: MemberMetadata,
    s: { instanceId: string; oldMemberId: string; currentLeader: string | null; generation: number; error: ErrorCodeName; oldProtocols: JoinGroupProtocol[]; oldRebalanceTimeout: number; oldSessionTimeout: number },
    respond: (r: JoinGroupResult) => void,
  ): void {
    if (s.error !== 'NONE') {
      this.log.warn({ groupId: group.groupId, error: s.error }, `Failed to persist metadata for group ${group.groupId}: reverting static member ${s.instanceId} to ${s.oldMemberId}`);
      if (group.has(member.memberId)) {
        this.cancelHeartbeat(group, member.memberId);
        group.replaceStaticMember(s.instanceId, member.memberId, s.oldMemberId);
        member.supportedProtocols = s.oldProtocols;
        member.rebalanceTimeoutMs = s.oldRebalanceTimeout;
        member.sessionTimeoutMs = s.oldSessionTimeout;
        this.scheduleHeartbeatExpiration(group, member, member.sessionTimeoutMs);
      }
      return respond(joinError(UNKNOWN_MEMBER_ID, s.error));
    }
    if (!group.is('Stable') || group.generationId !== s.generation) {
      // The group moved on while the write was in flight: the member joins the rebalance instead.
      if (group.has(member.memberId) && group.is('PreparingRebalance')) return group.updateMember(member, member.supportedProtocols, respond);
      return respond(joinError(member.memberId, 'REBALANCE_IN_PROGRESS'));
    }
    respond({ members: [], memberId: member.memberId, generationId: group.generationId, protocolType: group.protocolType, protocolName: group.protocolName, leaderId: s.currentLeader ?? '', error: 'NONE' });
  }

  // ---- rebalance -------------------------------------------------------------------------------

  private maybePrepareRebalance(group: GroupMetadata, reason: string): void {
    if (group.canRebalance()) this.prepareRebalance(group, reason);
  }

  private prepareRebalance(group: GroupMetadata, reason: string): void {
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
  private scheduleInitialDelayedJoin(group: GroupMetadata, delayMs: number, remainingMs: number): void {
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
  private scheduleDelayedJoin(group: GroupMetadata): void {
    this.rebalanceTimers.set(group.groupId, group.rebalanceTimeoutMs(), () => this.onCompleteJoin(group));
    this.maybeCompleteJoin(group);
  }

  /** Kafka's rebalancePurgatory.checkAndComplete for a DelayedJoin (the initial delay never completes early). */
  private maybeCompleteJoin(group: GroupMetadata): void {
    if (!group.is('PreparingRebalance') || !this.rebalanceTimers.has(group.groupId)) return;
    if (this.initialDelayGroups.has(group.groupId)) return;
    if (!group.hasAllMembersJoined()) return;
    this.cancelRebalanceTimer(group.groupId);
    this.onCompleteJoin(group);
  }

  private onCompleteJoin(group: GroupMetadata): void {
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

  // ---- SyncGroup -------------------------------------------------------------------------------

  handleSyncGroup(p: SyncGroupParams): Promise<SyncGroupResult> {
    return new Promise<SyncGroupResult>((resolve) => {
      const status = this.validateGroupStatus(p.groupId);
      // A loading coordinator tells the member to rejoin, which it will once loading completes.
      if (status !== 'NONE') return resolve(syncError(status === 'COORDINATOR_LOAD_IN_PROGRESS' ? 'REBALANCE_IN_PROGRESS' : status));
      const group = this.o.groups.getGroup(p.groupId);
      if (group === undefined) return resolve(syncError('UNKNOWN_MEMBER_ID'));
      this.doSyncGroup(group, p, resolve);
    });
  }

  private doSyncGroup(group: GroupMetadata, p: SyncGroupParams, respond: (r: SyncGroupResult) => void): void {
    if (group.is('Dead')) return respond(syncError('COORDINATOR_NOT_AVAILABLE'));
    if (group.isStaticMemberFenced(p.memberId, p.groupInstanceId)) return respond(syncError('FENCED_INSTANCE_ID'));
    if (!group.has(p.memberId)) return respond(syncError('UNKNOWN_MEMBER_ID'));
    if (p.generationId !== group.generationId) return respond(syncError('ILLEGAL_GENERATION'));
    if (p.protocolType !== null && group.protocolType !== p.protocolType) return respond(syncError('INCONSISTENT_GROUP_PROTOCOL'));
    if (p.protocolName !== null && group.protocolName !== p.protocolName) return respond(syncError('INCONSISTENT_GROUP_PROTOCOL'));
    const member = group.get(p.memberId);
    switch (group.state) {
      case 'Empty':
        return respond(syncError('UNKNOWN_MEMBER_ID'));
      case 'PreparingRebalance':
        return respond(syncError('REBALANCE_IN_PROGRESS'));
      case 'CompletingRebalance': {
        this.removePendingSyncMember(group, member.memberId);
        if (member.awaitingSync !== null) member.awaitingSync(syncError('REBALANCE_IN_PROGRESS'));
        member.awaitingSync = respond;
        if (group.isLeader(member.memberId)) this.storeLeaderAssignment(group, p);
        return;
      }
      case 'Stable':
        this.removePendingSyncMember(group, member.memberId);
        this.scheduleHeartbeatExpiration(group, member, member.sessionTimeoutMs);
        return respond({ protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment, error: 'NONE' });
      default:
        throw new Error(`SyncGroup for group ${group.groupId} in unexpected state ${group.state}`);
    }
  }

  private storeLeaderAssignment(group: GroupMetadata, p: SyncGroupParams): void {
    this.log.info({ groupId: group.groupId, generationId: group.generationId }, `Assignment received from leader for group ${group.groupId} for generation ${group.generationId}`);
    const assignment = new Map<string, Buffer>();
    for (const m of group.allMembers()) assignment.set(m.memberId, p.assignments.get(m.memberId) ?? EMPTY_ASSIGNMENT);
    const generation = group.generationId;
    const done = (error: ErrorCodeName): void => {
      // Another member may have joined meanwhile: only the same generation still completing may finish.
      if (!group.is('CompletingRebalance') || group.generationId !== generation) return;
      if (error !== 'NONE') {
        this.resetAndPropagateAssignmentError(group, error);
        this.maybePrepareRebalance(group, `error when storing group assignment during SyncGroup (member: ${p.memberId})`);
        return;
      }
      for (const m of group.allMembers()) m.assignment = assignment.get(m.memberId) ?? EMPTY_ASSIGNMENT;
      this.propagateAssignment(group, 'NONE');
      group.transitionTo('Stable');
    };
    void this.o.store.storeGroup(group, assignment).then(done, (err: unknown) => {
      this.log.error({ err, groupId: group.groupId }, 'storing the group assignment failed');
      done('UNKNOWN_SERVER_ERROR');
    });
  }

  private resetAndPropagateAssignmentError(group: GroupMetadata, error: ErrorCodeName): void {
    for (const m of group.allMembers()) m.assignment = EMPTY_ASSIGNMENT;
    this.propagateAssignment(group, error);
  }

  private propagateAssignment(group: GroupMetadata, error: ErrorCodeName): void {
    for (const m of group.allMembers()) {
      const answered = group.maybeInvokeSyncCallback(m, { protocolType: group.protocolType, protocolName: group.protocolName, assignment: m.assignment, error });
      // A member that got its assignment satisfied its heartbeat.
      if (answered) this.scheduleHeartbeatExpiration(group, m, m.sessionTimeoutMs);
    }
  }

  /** DelayedSync (KAFKA-12890): members that never send SyncGroup within the rebalance timeout are removed. */
  private scheduleSyncExpiration(group: GroupMetadata): void {
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

  private removePendingSyncMember(group: GroupMetadata, memberId: string): void {
    group.pendingSyncMembers.delete(memberId);
    if (group.pendingSyncMembers.size === 0) this.cancelSyncTimer(group.groupId);
  }

  // ---- Heartbeat -------------------------------------------------------------------------------

  handleHeartbeat(groupId: string, memberId: string, groupInstanceId: string | null, generationId: number): ErrorCodeName {
    const status = this.validateGroupStatus(groupId);
    // While loading, heartbeats are accepted blindly: the group's state is not known yet.
    if (status === 'COORDINATOR_LOAD_IN_PROGRESS') return 'NONE';
    if (status !== 'NONE') return status;
    const group = this.o.groups.getGroup(groupId);
    if (group === undefined) return 'UNKNOWN_MEMBER_ID';
    if (group.is('Dead')) return 'COORDINATOR_NOT_AVAILABLE';
    if (group.isStaticMemberFenced(memberId, groupInstanceId)) return 'FENCED_INSTANCE_ID';
    if (!group.has(memberId)) return 'UNKNOWN_MEMBER_ID';
    if (generationId !== group.generationId) return 'ILLEGAL_GENERATION';
    const member = group.get(memberId);
    switch (group.state) {
      case 'Empty':
        return 'UNKNOWN_MEMBER_ID';
      case 'CompletingRebalance':
      case 'Stable':
        this.scheduleHeartbeatExpiration(group, member, member.sessionTimeoutMs);
        return 'NONE';
      case 'PreparingRebalance':
        this.scheduleHeartbeatExpiration(group, member, member.sessionTimeoutMs);
        return 'REBALANCE_IN_PROGRESS';
      default:
        return 'COORDINATOR_NOT_AVAILABLE';
    }
  }

  // ---- LeaveGroup ------------------------------------------------------------------------------

  handleLeaveGroup(groupId: string, leaving: readonly LeavingMember[]): LeaveGroupResult {
    const status = this.validateGroupStatus(groupId);
    if (status !== 'NONE') return { error: status, members: [] };
    const group = this.o.groups.getGroup(groupId);
    if (group === undefined) return { error: 'NONE', members: leaving.map((m) => ({ ...m, error: 'UNKNOWN_MEMBER_ID' as const })) };
    if (group.is('Dead')) return { error: 'COORDINATOR_NOT_AVAILABLE', members: [] };
    const members = leaving.map((m) => ({ ...m, error: this.leaveOne(group, m) }));
    return { error: 'NONE', members };
  }

  private leaveOne(group: GroupMetadata, m: LeavingMember): ErrorCodeName {
    if (m.memberId !== UNKNOWN_MEMBER_ID && group.isStaticMemberFenced(m.memberId, m.groupInstanceId)) return 'FENCED_INSTANCE_ID';
    if (group.pendingMembers.has(m.memberId)) {
      this.log.info({ groupId: group.groupId, memberId: m.memberId }, `Pending member ${m.memberId} is leaving group ${group.groupId}.`);
      this.removePendingMember(group, m.memberId);
      return 'NONE';
    }
    const memberId = (m.groupInstanceId !== null ? group.currentStaticMemberId(m.groupInstanceId) : undefined) ?? m.memberId;
    if (!group.has(memberId)) return 'UNKNOWN_MEMBER_ID';
    const member = group.get(memberId);
    this.log.info({ groupId: group.groupId, memberId, groupInstanceId: member.groupInstanceId }, `Member ${memberId} in group ${group.groupId} has left, removing it from the group`);
    this.cancelHeartbeat(group, memberId);
    this.removeMemberAndUpdateGroup(group, member, `removing member ${memberId} on LeaveGroup`);
    return 'NONE';
  }

  private removeMemberAndUpdateGroup(group: GroupMetadata, member: MemberMetadata, reason: string): void {
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

  private removePendingMember(group: GroupMetadata, memberId: string): void {
    group.pendingMembers.delete(memberId);
    this.cancelHeartbeat(group, memberId);
    if (group.is('PreparingRebalance')) this.maybeCompleteJoin(group);
  }

  // ---- timers ----------------------------------------------------------------------------------

  private heartbeatKey(group: GroupMetadata, memberId: string): string {
    return `${group.groupId}\u0000${memberId}`;
  }

  /** Kafka's completeAndScheduleNextExpiration: the member must be heard from within `timeoutMs`. */
  private scheduleHeartbeatExpiration(group: GroupMetadata, member: MemberMetadata, timeoutMs: number): void {
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

  private schedulePendingMemberExpiration(group: GroupMetadata, memberId: string, timeoutMs: number): void {
    this.heartbeatTimers.set(this.heartbeatKey(group, memberId), timeoutMs, () => {
      if (group.pendingMembers.has(memberId)) this.removePendingMember(group, memberId);
    });
  }

  private cancelHeartbeat(group: GroupMetadata, memberId: string): void {
    this.heartbeatTimers.cancel(this.heartbeatKey(group, memberId));
  }

  private cancelRebalanceTimer(groupId: string): void {
    this.rebalanceTimers.cancel(groupId);
    this.initialDelayGroups.delete(groupId);
  }

  private cancelSyncTimer(groupId: string): void {
    this.syncTimers.cancel(groupId);
  }
}
