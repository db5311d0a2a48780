/**
 * Kafka's GroupMetadata for classic groups: state (through the transition table), generation, protocol
 * type and chosen protocol, leader, members (dynamic, static by group.instance.id, and pending ones that
 * were handed a member id by MEMBER_ID_REQUIRED), and the per-protocol support counts that decide
 * protocol selection.
 */
import type { Time } from '../../common/time';
import { CONSUMER_PROTOCOL_TYPE, subscriptionTopics } from './consumer-protocol';
import { canTransition, IllegalGroupStateTransition, type GroupState } from './group-state';
import { joinError, syncError, type JoinGroupMember, type JoinGroupProtocol, type JoinGroupResult, type MemberMetadata, type SyncGroupResult } from './member-metadata';

/** A committed offset as the coordinator caches it (Kafka's OffsetAndMetadata). */
export interface CommittedOffset {
  offset: bigint;
  /** -1 when the committer sent none. */
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: bigint;
  /** Set only when the commit asked for an explicit retention (OffsetCommit v1 timestamp, v2-4 retention). */
  expireTimestamp: bigint | null;
}

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: CommittedOffset;
}

export class GroupMetadata {
  private _state: GroupState;
  /** When the group entered its current state (GroupMetadataValue v2+ current_state_timestamp). */
  currentStateTimestamp: number | null;
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, MemberMetadata>();
  /** Member ids handed out with MEMBER_ID_REQUIRED whose JoinGroup has not come back yet. */
  readonly pendingMembers = new Set<string>();
  /** group.instance.id → current member id. */
  readonly staticMembers = new Map<string, string>();
  /** Members that got a JoinGroup response for this generation but have not sent SyncGroup yet. */
  readonly pendingSyncMembers = new Set<string>();
  numMembersAwaitingJoin = 0;
  /** Set when a member joins during the initial rebalance delay, which then extends the delay. */
  newMemberAdded = false;
  private readonly supportedProtocols = new Map<string, number>();
  /** Committed offsets: topic → partition → offset. */
  private readonly offsets = new Map<string, Map<number, CommittedOffset>>();

  constructor(
    readonly groupId: string,
    initialState: GroupState,
    private readonly time: Time,
  ) {
    this._state = initialState;
    this.currentStateTimestamp = time.milliseconds();
  }

  get state(): GroupState {
    return this._state;
  }

  is(state: GroupState): boolean {
    return this._state === state;
  }

  transitionTo(state: GroupState): void {
    if (!canTransition(this._state, state)) throw new IllegalGroupStateTransition(this.groupId, this._state, state);
    this._state = state;
    this.currentStateTimestamp = this.time.milliseconds();
  }

  canRebalance(): boolean {
    return canTransition(this._state, 'PreparingRebalance');
  }

  get size(): number {
    return this.members.size;
  }

  has(memberId: string): boolean {
    return this.members.has(memberId);
  }

  get(memberId: string): MemberMetadata {
    const member = this.members.get(memberId);
    if (member === undefined) throw new Error(`member ${memberId} is not in group ${this.groupId}`);
    return member;
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  allMembers(): MemberMetadata[] {
    return [...this.members.values()];
  }

  /** Members of the last rebalance that have not rejoined yet. */
  notYetRejoinedMembers(): MemberMetadata[] {
    return this.allMembers().filter((m) => !m.isAwaitingJoin);
  }

  hasAllMembersJoined(): boolean {
    return this.members.size === this.numMembersAwaitingJoin && this.pendingMembers.size === 0;
  }

  /** The largest rebalance timeout of the members: how long a rebalance waits for rejoins. */
  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  // ---- membership ------------------------------------------------------------------------------

  add(member: MemberMetadata, onJoin: ((result: JoinGroupResult) => void) | null): void {
    if (this.members.size === 0) this.protocolType = member.protocolType;
    if (this.leaderId === null) this.leaderId = member.memberId;
    this.members.set(member.memberId, member);
    this.incSupportedProtocols(member);
    member.awaitingJoin = onJoin;
    if (onJoin !== null) this.numMembersAwaitingJoin++;
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId);
    this.pendingMembers.delete(member.memberId);
  }

  remove(memberId: string): void {
    const member = this.members.get(memberId);
    if (member === undefined) return;
    this.members.delete(memberId);
    this.decSupportedProtocols(member);
    if (member.isAwaitingJoin) this.numMembersAwaitingJoin--;
    member.awaitingJoin = null;
    member.awaitingSync = null;
    this.pendingSyncMembers.delete(memberId);
    if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === memberId) this.staticMembers.delete(member.groupInstanceId);
    if (this.isLeader(memberId)) this.leaderId = this.members.keys().next().value ?? null;
  }

  /** A new JoinGroup from a known member: new protocols, and it now waits for the rebalance. */
  updateMember(member: MemberMetadata, protocols: JoinGroupProtocol[], onJoin: (result: JoinGroupResult) => void): void {
    this.decSupportedProtocols(member);
    member.supportedProtocols = protocols;
    this.incSupportedProtocols(member);
    // Kafka drops a superseded callback; answering it keeps that connection from waiting forever.
    if (member.awaitingJoin !== null) member.awaitingJoin(joinError(member.memberId, 'REBALANCE_IN_PROGRESS'));
    else this.numMembersAwaitingJoin++;
    member.awaitingJoin = onJoin;
  }

  maybeInvokeJoinCallback(member: MemberMetadata, result: JoinGroupResult): void {
    const callback = member.awaitingJoin;
    if (callback === null) return;
    member.awaitingJoin = null;
    this.numMembersAwaitingJoin--;
    callback(result);
  }

  maybeInvokeSyncCallback(member: MemberMetadata, result: SyncGroupResult): boolean {
    const callback = member.awaitingSync;
    if (callback === null) return false;
    member.awaitingSync = null;
    callback(result);
    return true;
  }

  /**
   * Keeps the leader if it rejoined, else picks a member that did (Kafka's maybeElectNewJoinedLeader).
   * False when no member rejoined at all.
   */
  maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId === null) return false;
    const leader = this.members.get(this.leaderId);
    if (leader !== undefined && leader.isAwaitingJoin) return true;
    const joined = this.allMembers().find((m) => m.isAwaitingJoin);
    this.leaderId = joined?.memberId ?? null;
    return joined !== undefined;
  }

  // ---- static membership -----------------------------------------------------------------------

  hasStaticMember(groupInstanceId: string | null): boolean {
    return groupInstanceId !== null && this.staticMembers.has(groupInstanceId);
  }

  currentStaticMemberId(groupInstanceId: string): string | undefined {
    return this.staticMembers.get(groupInstanceId);
  }

  /** A request naming a group.instance.id whose registered member id is a different one. */
  isStaticMemberFenced(memberId: string, groupInstanceId: string | null): boolean {
    if (groupInstanceId === null) return false;
    const registered = this.staticMembers.get(groupInstanceId);
    return registered !== undefined && registered !== memberId;
  }

  /**
   * A static member rejoining with an unknown member id takes over its instance under a new member id;
   * a request still parked under the old id is fenced.
   */
  replaceStaticMember(groupInstanceId: string, oldMemberId: string, newMemberId: string): MemberMetadata {
    const member = this.get(oldMemberId);
    this.members.delete(oldMemberId);
    this.maybeInvokeJoinCallback(member, joinError(oldMemberId, 'FENCED_INSTANCE_ID'));
    this.maybeInvokeSyncCallback(member, syncError('FENCED_INSTANCE_ID'));
    member.memberId = newMemberId;
    if (this.isLeader(oldMemberId)) this.leaderId = newMemberId;
    if (this.pendingSyncMembers.delete(oldMemberId)) this.pendingSyncMembers.add(newMemberId);
    this.staticMembers.set(groupInstanceId, newMemberId);
    this.members.set(newMemberId, member);
    return member;
  }

  // ---- protocols -------------------------------------------------------------------------------

  /** Whether a joining member's protocol type and protocols fit the group. */
  supportsProtocols(protocolType: string, protocols: readonly JoinGroupProtocol[]): boolean {
    if (this.is('Empty')) return protocolType !== '' && protocols.length > 0;
    return this.protocolType === protocolType && protocols.some((p) => this.supportedProtocols.get(p.name) === this.members.size);
  }

  /** Protocols all members support; each member votes for its favourite among them; most votes wins. */
  selectProtocol(): string {
    if (this.members.size === 0) throw new Error(`cannot select protocol for empty group ${this.groupId}`);
    const candidates = new Set([...this.supportedProtocols].filter(([, n]) => n === this.members.size).map(([name]) => name));
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const choice = m.vote(candidates);
      votes.set(choice, (votes.get(choice) ?? 0) + 1);
    }
    let best = '';
    let bestVotes = -1;
    for (const [name, n] of votes) {
      if (n > bestVotes) {
        best = name;
        bestVotes = n;
      }
    }
    return best;
  }

  /** Next generation: CompletingRebalance with a chosen protocol, or Empty when no member is left. */
  initNextGeneration(): void {
    this.generationId++;
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol();
      this.transitionTo('CompletingRebalance');
    } else {
      this.protocolName = null;
      this.transitionTo('Empty');
    }
  }

  /** JoinGroup's member list for the leader: each member with its metadata for the chosen protocol. */
  currentMemberMetadata(): JoinGroupMember[] {
    const protocol = this.protocolName;
    if (protocol === null) throw new Error(`no protocol selected for group ${this.groupId}`);
    return this.allMembers().map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata(protocol) }));
  }

  private incSupportedProtocols(member: MemberMetadata): void {
    for (const name of member.protocolNames()) this.supportedProtocols.set(name, (this.supportedProtocols.get(name) ?? 0) + 1);
  }

  private decSupportedProtocols(member: MemberMetadata): void {
    for (const name of member.protocolNames()) {
      const n = (this.supportedProtocols.get(name) ?? 0) - 1;
      if (n <= 0) this.supportedProtocols.delete(name);
      else this.supportedProtocols.set(name, n);
    }
  }

  // ---- committed offsets -----------------------------------------------------------------------

  offset(topic: string, partition: number): CommittedOffset | undefined {
    return this.offsets.get(topic)?.get(partition);
  }

  putOffset(topic: string, partition: number, offset: CommittedOffset): void {
    let byPartition = this.offsets.get(topic);
    if (byPartition === undefined) {
      byPartition = new Map();
      this.offsets.set(topic, byPartition);
    }
    byPartition.set(partition, offset);
  }

  removeOffset(topic: string, partition: number): boolean {
    const byPartition = this.offsets.get(topic);
    if (byPartition === undefined || !byPartition.delete(partition)) return false;
    if (byPartition.size === 0) this.offsets.delete(topic);
    return true;
  }

  allOffsets(): TopicPartitionOffset[] {
    const out: TopicPartitionOffset[] = [];
    for (const [topic, byPartition] of this.offsets) for (const [partition, offset] of byPartition) out.push({ topic, partition, offset });
    return out;
  }

  get numOffsets(): number {
    let n = 0;
    for (const byPartition of this.offsets.values()) n += byPartition.size;
    return n;
  }

  /**
   * Topics a consumer-protocol group is subscribed to, from its members' subscriptions; null when not
   * known (other protocol types, no protocol chosen, or a subscription that does not parse).
   */
  subscribedTopics(): Set<string> | null {
    if (this.protocolType !== CONSUMER_PROTOCOL_TYPE || this.protocolName === null) return null;
    const topics = new Set<string>();
    for (const m of this.members.values()) {
      const subscribed = subscriptionTopics(m.metadata(this.protocolName));
      if (subscribed === null) return null;
      for (const t of subscribed) topics.add(t);
    }
    return topics;
  }
}
