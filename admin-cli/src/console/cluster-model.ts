/**
 * The console's picture of a cluster, as plain data (what /api/state and the Server-Sent Events carry),
 * and the diff between two pictures turned into timeline events in plain words. Pure: no I/O, no clock
 * except the timestamps the caller passes, so every event kind is unit-tested.
 */

export type ZooKeeperMode = 'leader' | 'follower' | 'observer' | 'standalone' | 'down' | 'unknown';

export interface ZooKeeperServerView {
  /** 1-based position in the connect string (the launcher numbers its servers the same way). */
  id: number;
  host: string;
  port: number;
  /** From `srvr`; 'unknown' until the first poll answered or failed. */
  mode: ZooKeeperMode;
}

export interface BrokerView {
  id: number;
  /** Registered in /brokers/ids now. A broker once seen stays listed, as gone. */
  alive: boolean;
  /** The registration's endpoints (`PLAINTEXT://host:port`); the last known ones while gone. */
  endpoints: string[];
  rack: string | null;
}

export interface PartitionView {
  topic: string;
  partition: number;
  replicas: number[];
  /** -1 = no leader. */
  leader: number;
  isr: number[];
  leaderEpoch: number;
  /** False until the controller wrote the partition's state znode. */
  hasState: boolean;
  /** ISR smaller than the replica set. */
  underReplicated: boolean;
  /** A state exists and names no leader. */
  offline: boolean;
}

export interface TopicView {
  name: string;
  partitions: PartitionView[];
}

export interface GroupPartitionView {
  topic: string;
  partition: number;
  /** Decimal strings (offsets are 64-bit); null when not known. */
  committedOffset: string | null;
  logEndOffset: string | null;
  lag: string | null;
  /** clientId of the member the partition is assigned to, if any. */
  owner: string | null;
}

export interface GroupMemberView {
  memberId: string;
  clientId: string;
  clientHost: string;
  assignment: string[];
}

export interface GroupView {
  groupId: string;
  state: string;
  protocolType: string;
  members: GroupMemberView[];
  partitions: GroupPartitionView[];
}

export interface ClusterState {
  brokers: BrokerView[];
  /** The broker in /controller, or null when there is none. */
  controller: number | null;
  /** The last controller seen (kept while there is none, so a move reads "from broker 1 to broker 3"). */
  lastController: number | null;
  controllerEpoch: number | null;
  topics: TopicView[];
  zookeepers: ZooKeeperServerView[];
  groups: GroupView[];
  /** Whether this console owns the processes (the page then shows its buttons). */
  hasControl: boolean;
  /** Last error reading the cluster (ZooKeeper or Kafka), shown on the page; null when all is well. */
  problems: string[];
}

export interface TimelineEvent {
  seq: number;
  /** ms since epoch */
  time: number;
  kind: TimelineEventKind;
  text: string;
}

export type TimelineEventKind =
  | 'broker-joined'
  | 'broker-left'
  | 'controller'
  | 'leader'
  | 'isr'
  | 'topic-created'
  | 'topic-deleted'
  | 'zookeeper'
  | 'group'
  | 'console';

export type TimelineEntry = Pick<TimelineEvent, 'kind' | 'text'>;

export function emptyClusterState(hasControl = false): ClusterState {
  return { brokers: [], controller: null, lastController: null, controllerEpoch: null, topics: [], zookeepers: [], groups: [], hasControl, problems: [] };
}

export function partitionName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

const list = (ids: readonly number[]): string => `[${ids.join(',')}]`;
const sameList = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const leaderName = (id: number): string => (id < 0 ? 'none' : String(id));

/** A partition's view from its assignment and (when written) its state znode. */
export function partitionView(topic: string, partition: number, replicas: number[], state: { leader: number; isr: number[]; leaderEpoch: number } | null): PartitionView {
  const leader = state?.leader ?? -1;
  const isr = state?.isr ?? [];
  return {
    topic,
    partition,
    replicas,
    leader,
    isr,
    leaderEpoch: state?.leaderEpoch ?? -1,
    hasState: state !== null,
    underReplicated: state !== null && isr.length < replicas.length,
    offline: state !== null && leader < 0,
  };
}

/** Brokers registered now, plus every one seen before (as gone), sorted by id. */
export function mergeBrokers(previous: readonly BrokerView[], registered: ReadonlyMap<number, { endpoints: string[]; rack: string | null }>, alsoKnown: readonly number[] = []): BrokerView[] {
  const out = new Map<number, BrokerView>();
  for (const b of previous) out.set(b.id, { ...b, alive: false });
  for (const id of alsoKnown) if (!out.has(id)) out.set(id, { id, alive: false, endpoints: [], rack: null });
  for (const [id, reg] of registered) out.set(id, { id, alive: true, endpoints: reg.endpoints, rack: reg.rack });
  return [...out.values()].sort((a, b) => a.id - b.id);
}

function diffBrokers(prev: ClusterState, next: ClusterState, out: TimelineEntry[]): void {
  const wasAlive = new Set(prev.brokers.filter((b) => b.alive).map((b) => b.id));
  const isAlive = new Set(next.brokers.filter((b) => b.alive).map((b) => b.id));
  for (const id of [...isAlive].sort((a, b) => a - b)) if (!wasAlive.has(id)) out.push({ kind: 'broker-joined', text: `broker ${id} joined` });
  for (const id of [...wasAlive].sort((a, b) => a - b)) if (!isAlive.has(id)) out.push({ kind: 'broker-left', text: `broker ${id} left: its ZooKeeper session ended` });
}

function diffController(prev: ClusterState, next: ClusterState, out: TimelineEntry[]): void {
  if (next.controller === null || next.controller === prev.controller) return;
  const epoch = next.controllerEpoch === null ? '' : ` (epoch ${next.controllerEpoch})`;
  const from = prev.controller ?? prev.lastController;
  out.push({
    kind: 'controller',
    text: from !== null && from !== next.controller ? `controller moved from broker ${from} to broker ${next.controller}${epoch}` : `broker ${next.controller} became controller${epoch}`,
  });
}

/** Kafka's internal topics (__consumer_offsets: 50 partitions) are told in one line, not one per partition. */
export function isInternalTopic(name: string): boolean {
  return name.startsWith('__');
}

function diffTopics(prev: ClusterState, next: ClusterState, out: TimelineEntry[]): void {
  const before = new Map(prev.topics.map((t) => [t.name, t]));
  const after = new Map(next.topics.map((t) => [t.name, t]));
  for (const t of next.topics) {
    const old = before.get(t.name);
    if (old === undefined) {
      if (t.partitions.length === 0) continue; // the assignment is not readable yet
      const rf = Math.max(...t.partitions.map((p) => p.replicas.length));
      const n = t.partitions.length;
      out.push({ kind: 'topic-created', text: `topic ${t.name} created (${n} partition${n === 1 ? '' : 's'}, RF ${rf})` });
      continue;
    }
    const oldPartitions = new Map(old.partitions.map((p) => [p.partition, p]));
    const entries: TimelineEntry[] = [];
    let leaderMoves = 0;
    let isrChanges = 0;
    for (const p of t.partitions) {
      const o = oldPartitions.get(p.partition);
      // A partition's first state is its creation, not a change of leader.
      if (o === undefined || !o.hasState || !p.hasState) continue;
      const name = partitionName(p.topic, p.partition);
      const isrChanged = !sameList(o.isr, p.isr);
      if (o.leader !== p.leader) {
        leaderMoves++;
        const isr = isrChanged ? `, ISR ${list(o.isr)} → ${list(p.isr)}` : '';
        entries.push({ kind: 'leader', text: `${name}: leader ${leaderName(o.leader)} → ${leaderName(p.leader)}${isr}` });
      } else if (isrChanged) {
        isrChanges++;
        const how = p.isr.length < o.isr.length ? 'shrank to' : p.isr.length > o.isr.length ? 'expanded to' : 'changed to';
        entries.push({ kind: 'isr', text: `ISR of ${name} ${how} ${list(p.isr)}` });
      }
    }
    if (!isInternalTopic(t.name) || entries.length <= 1) {
      out.push(...entries);
      continue;
    }
    const count = (n: number): string => `${n} partition${n === 1 ? '' : 's'}`;
    const parts = [leaderMoves > 0 ? `new leader for ${count(leaderMoves)}` : '', isrChanges > 0 ? `ISR changed for ${count(isrChanges)}` : ''].filter((x) => x !== '');
    out.push({ kind: leaderMoves > 0 ? 'leader' : 'isr', text: `${t.name}: ${parts.join(', ')}` });
  }
  for (const t of prev.topics) if (!after.has(t.name)) out.push({ kind: 'topic-deleted', text: `topic ${t.name} deleted` });
}

function diffZooKeepers(prev: ClusterState, next: ClusterState, out: TimelineEntry[]): void {
  const before = new Map(prev.zookeepers.map((z) => [z.id, z]));
  for (const z of next.zookeepers) {
    const old = before.get(z.id)?.mode ?? 'unknown';
    if (old === z.mode || old === 'unknown' || z.mode === 'unknown') continue;
    if (z.mode === 'down') out.push({ kind: 'zookeeper', text: `ZooKeeper server ${z.id} is down` });
    else if (old === 'down') out.push({ kind: 'zookeeper', text: `ZooKeeper server ${z.id} is up (${z.mode})` });
  }
  const leaderOf = (s: ClusterState): number | null => s.zookeepers.find((z) => z.mode === 'leader')?.id ?? null;
  const wasLeader = leaderOf(prev);
  const isLeader = leaderOf(next);
  const knewBefore = prev.zookeepers.some((z) => z.mode !== 'unknown');
  if (knewBefore && isLeader !== null && isLeader !== wasLeader) out.push({ kind: 'zookeeper', text: `ZooKeeper leader is now server ${isLeader}` });
}

function diffGroups(prev: ClusterState, next: ClusterState, out: TimelineEntry[]): void {
  const before = new Map(prev.groups.map((g) => [g.groupId, g]));
  for (const g of next.groups) {
    const old = before.get(g.groupId);
    if (old === undefined) out.push({ kind: 'group', text: `consumer group ${g.groupId} appeared (${g.state})` });
    else if (old.state !== g.state) out.push({ kind: 'group', text: `consumer group ${g.groupId}: ${old.state} → ${g.state} (${g.members.length} member${g.members.length === 1 ? '' : 's'})` });
  }
}

/** The first timeline entry: what the console found when it started. */
export function describeStart(s: ClusterState): TimelineEntry {
  const alive = s.brokers.filter((b) => b.alive).map((b) => b.id);
  const controller = s.controller === null ? 'no controller' : `controller broker ${s.controller}${s.controllerEpoch === null ? '' : ` (epoch ${s.controllerEpoch})`}`;
  return { kind: 'console', text: `console started: brokers ${list(alive)} registered, ${controller}, ${s.topics.length} topics` };
}

/** What changed from `prev` to `next`, as timeline entries in the order they read best. */
export function diffClusterState(prev: ClusterState, next: ClusterState): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  diffZooKeepers(prev, next, out);
  diffBrokers(prev, next, out);
  diffController(prev, next, out);
  diffTopics(prev, next, out);
  diffGroups(prev, next, out);
  return out;
}

/** A bounded, newest-last log of events with sequence numbers. */
export class Timeline {
  private readonly events: TimelineEvent[] = [];
  private seq = 0;

  constructor(private readonly capacity = 500) {}

  add(entries: readonly TimelineEntry[], time: number): TimelineEvent[] {
    const added = entries.map((e) => ({ ...e, seq: ++this.seq, time }));
    this.events.push(...added);
    if (this.events.length > this.capacity) this.events.splice(0, this.events.length - this.capacity);
    return added;
  }

  all(): TimelineEvent[] {
    return [...this.events];
  }
}
