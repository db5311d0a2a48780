/**
 * The group-management half of Kafka 2.8's GroupCoordinator for classic groups: JoinGroup (with the MEMBER_ID_REQUIRED handshake, the
 * initial rebalance delay and static membership), SyncGroup, Heartbeat and LeaveGroup. Delayed operations
 * (Kafka's DelayedJoin / InitialDelayedJoin / DelayedHeartbeat / DelayedSync) are timers on the injected
 * Scheduler, so tests drive time. Groups live in a GroupCache and are persisted through a GroupStore
 * (both the GroupMetadataManager); whether this broker coordinates a group is asked of `groupStatus`.
 */
import { randomUUID } from 'node:crypto';
import type { ErrorCodeName } from '../../protocol';
import { GroupMetadata } from './group-metadata';
import { GroupRebalance, NEW_MEMBER_JOIN_TIMEOUT_MS, UNKNOWN_MEMBER_ID, type GroupMembershipOptions } from './group-rebalance';
import { EMPTY_ASSIGNMENT, joinError, MemberMetadata, syncError, type JoinGroupProtocol, type JoinGroupResult, type SyncGroupResult } from './member-metadata';

export type { GroupCache, GroupConfig, GroupMembershipOptions, GroupStatus, GroupStore } from './group-rebalance';

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

export class GroupMembership extends GroupRebalance {
  private readonly newUuid: () => string;

  constructor(o: GroupMembershipOptions) {
    super(o);
    this.newUuid = o.newUuid ?? randomUUID;
  }

  group(groupId: string): GroupMetadata | undefined {
    return this.o.groups.getGroup(groupId);
  }

  /** A group that commits offsets outside group management (generation < 0) is created Empty. */
  getOrCreateGroup(groupId: string): GroupMetadata {
    return this.o.groups.getGroup(groupId) ?? this.o.groups.addGroup(new GroupMetadata(groupId, 'Empty', this.o.time));
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


}
