/**
 * Consumer groups with their state, members and lag per partition, read over the Kafka protocol every
 * ~2 s with the same helpers kafka-consumer-groups uses (ListGroups on every broker, DescribeGroups and
 * OffsetFetch at the coordinator, ListOffsets at each leader).
 */
import { AdminConnection } from '../tools/common/admin-connection';
import { committedOffsets, describeGroup, listGroups, listOffsets, tpKey, type TopicPartitionRef } from '../tools/common/group-admin';
import type { GroupPartitionView, GroupView } from './cluster-model';

const LASTING_FAILURE_MS = 20_000;
const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class GroupPoller {
  private conn: AdminConnection | null = null;
  private groups: GroupView[] = [];
  private problem: string | null = null;
  /** When the current run of failed polls began (null after a good one). */
  private failingSince: number | null = null;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly bootstrapServers: string,
    private readonly onChange: () => void,
    private readonly intervalMs = 2000,
    private readonly timeoutMs = 1500,
  ) {}

  start(): void {
    this.running = this.loop();
  }

  view(): GroupView[] {
    return this.groups;
  }

  /** Why the last poll failed (the groups shown are then the last ones read), or null. */
  lastProblem(): string | null {
    return this.problem;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.running;
    await this.conn?.close();
    this.conn = null;
  }

  private async loop(): Promise<void> {
    const before = JSON.stringify([this.groups, this.problem]);
    try {
      this.groups = await this.read();
      this.problem = null;
      this.failingSince = null;
    } catch (err) {
      // A killed broker stays in the metadata (and ListGroups to it fails) until its ZooKeeper session
      // expires: the last groups stay shown and only a failure outlasting a session timeout is reported.
      this.failingSince ??= Date.now();
      if (Date.now() - this.failingSince >= LASTING_FAILURE_MS) this.problem = `consumer groups: ${message(err)}`;
      // A connection whose bootstrap broker died stays broken: start afresh next time.
      await this.conn?.close().catch(() => undefined);
      this.conn = null;
    }
    if (this.closed) return;
    if (JSON.stringify([this.groups, this.problem]) !== before) this.onChange();
    this.timer = setTimeout(() => {
      this.running = this.loop();
    }, this.intervalMs);
  }

  private async read(): Promise<GroupView[]> {
    this.conn ??= await AdminConnection.connect({ bootstrapServers: this.bootstrapServers, clientId: 'samsa-console', timeoutMs: this.timeoutMs });
    const conn = this.conn;
    await conn.metadata(null, true); // brokers come and go: never use a stale broker list
    const out: GroupView[] = [];
    for (const g of await listGroups(conn)) {
      if (g.protocolType !== 'consumer' && g.protocolType !== '') continue;
      const d = await describeGroup(conn, g.groupId, this.timeoutMs);
      const committed = await committedOffsets(conn, g.groupId, d.coordinator.id, this.timeoutMs);
      const owners = new Map<string, string>();
      for (const m of d.members) for (const tp of m.assignment) owners.set(tpKey(tp), m.clientId);
      const tps = new Map<string, TopicPartitionRef>();
      for (const c of committed.values()) tps.set(tpKey(c.tp), c.tp);
      for (const m of d.members) for (const tp of m.assignment) tps.set(tpKey(tp), tp);
      const ends = await listOffsets(conn, [...tps.values()], -1n);
      const partitions: GroupPartitionView[] = [...tps.entries()]
        .sort(([, a], [, b]) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1))
        .map(([key, tp]) => {
          const c = committed.get(key)?.offset;
          const end = ends.get(key);
          return {
            topic: tp.topic,
            partition: tp.partition,
            committedOffset: c === undefined ? null : c.toString(),
            logEndOffset: end === undefined ? null : end.toString(),
            lag: c === undefined || end === undefined ? null : (end - c > 0n ? end - c : 0n).toString(),
            owner: owners.get(key) ?? null,
          };
        });
      out.push({
        groupId: g.groupId,
        state: d.state,
        protocolType: d.protocolType,
        members: d.members.map((m) => ({ memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost, assignment: m.assignment.map((tp) => `${tp.topic}-${tp.partition}`) })),
        partitions,
      });
    }
    return out;
  }
}
