/**
 * What kafka-consumer-groups asks of a cluster, as Kafka's admin client does it: the group's coordinator
 * (FindCoordinator, retried while the coordinator is loading or __consumer_offsets is being created),
 * DescribeGroups and OffsetFetch there, log end offsets from each partition's leader (ListOffsets,
 * read_uncommitted: the high watermark), ListGroups from every broker.
 */
import { assignmentPartitions } from '../../../../broker/src/coordinator/group/consumer-protocol';
import { ApiKey, ErrorCode, errorForCode } from '../../../../broker/src/protocol';
import type { AdminConnection } from './admin-connection';
import { ToolError } from './tool-error';

export interface TopicPartitionRef {
  topic: string;
  partition: number;
}

export interface GroupMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  assignment: TopicPartitionRef[];
}

export interface GroupDescription {
  groupId: string;
  state: string;
  protocolType: string;
  protocol: string;
  members: GroupMember[];
  coordinator: { id: number; host: string; port: number };
}

export const tpKey = (tp: TopicPartitionRef): string => `${tp.topic}\u0000${tp.partition}`;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const RETRIABLE = new Set<number>([ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.NOT_COORDINATOR]);

async function withRetry<T>(what: () => Promise<{ errorCode: number; value: T }>, deadlineMs: number): Promise<T> {
  for (;;) {
    const { errorCode, value } = await what();
    if (errorCode === ErrorCode.NONE) return value;
    if (!RETRIABLE.has(errorCode) || Date.now() > deadlineMs) throw new ToolError(errorForCode(errorCode).message);
    await sleep(200);
  }
}

export async function findCoordinator(conn: AdminConnection, groupId: string, timeoutMs: number): Promise<{ id: number; host: string; port: number }> {
  return withRetry(async () => {
    const r = await conn.send(ApiKey.FindCoordinator, { key: groupId, keyType: 0 });
    return { errorCode: r.errorCode, value: { id: r.nodeId, host: r.host, port: r.port } };
  }, Date.now() + timeoutMs);
}

export async function describeGroup(conn: AdminConnection, groupId: string, timeoutMs: number): Promise<GroupDescription> {
  const coordinator = await findCoordinator(conn, groupId, timeoutMs);
  const g = await withRetry(async () => {
    const r = await conn.sendToBroker(coordinator.id, ApiKey.DescribeGroups, { groups: [groupId], includeAuthorizedOperations: false });
    const found = r.groups[0];
    if (found === undefined) throw new ToolError(`The coordinator did not describe group ${groupId}`);
    return { errorCode: found.errorCode, value: found };
  }, Date.now() + timeoutMs);
  return {
    groupId,
    state: g.groupState,
    protocolType: g.protocolType,
    protocol: g.protocolData,
    coordinator,
    members: g.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      assignment: g.protocolType === 'consumer' ? (assignmentPartitions(Buffer.from(m.memberAssignment)) ?? []) : [],
    })),
  };
}

/** Committed offsets of the group (OffsetFetch with all topics). */
export async function committedOffsets(conn: AdminConnection, groupId: string, coordinatorId: number, timeoutMs: number): Promise<Map<string, { tp: TopicPartitionRef; offset: bigint }>> {
  const r = await withRetry(async () => {
    const res = await conn.sendToBroker(coordinatorId, ApiKey.OffsetFetch, { groupId, topics: null, requireStable: false });
    return { errorCode: res.errorCode, value: res };
  }, Date.now() + timeoutMs);
  const out = new Map<string, { tp: TopicPartitionRef; offset: bigint }>();
  for (const t of r.topics) {
    for (const p of t.partitions) {
      if (p.errorCode !== ErrorCode.NONE || p.committedOffset < 0n) continue;
      const tp = { topic: t.name, partition: p.partitionIndex };
      out.set(tpKey(tp), { tp, offset: p.committedOffset });
    }
  }
  return out;
}

/** ListOffsets at `timestamp` (-1 latest = high watermark, -2 earliest) from each partition's leader. */
export async function listOffsets(conn: AdminConnection, tps: readonly TopicPartitionRef[], timestamp: bigint): Promise<Map<string, bigint>> {
  const out = new Map<string, bigint>();
  if (tps.length === 0) return out;
  const md = await conn.metadata([...new Set(tps.map((t) => t.topic))]);
  const leaders = new Map<string, number>();
  for (const t of md.topics) for (const p of t.partitions) leaders.set(tpKey({ topic: t.name, partition: p.partitionIndex }), p.leaderId);
  const byLeader = new Map<number, TopicPartitionRef[]>();
  for (const tp of tps) {
    const leader = leaders.get(tpKey(tp));
    if (leader === undefined || leader < 0) continue;
    byLeader.set(leader, [...(byLeader.get(leader) ?? []), tp]);
  }
  for (const [leader, list] of byLeader) {
    const topics = new Map<string, number[]>();
    for (const tp of list) topics.set(tp.topic, [...(topics.get(tp.topic) ?? []), tp.partition]);
    const r = await conn.sendToBroker(leader, ApiKey.ListOffsets, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [...topics].map(([name, partitions]) => ({ name, partitions: partitions.map((partitionIndex) => ({ partitionIndex, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 })) })),
    });
    for (const t of r.topics) for (const p of t.partitions) if (p.errorCode === ErrorCode.NONE && p.offset >= 0n) out.set(tpKey({ topic: t.name, partition: p.partitionIndex }), p.offset);
  }
  return out;
}

/** Every group of every broker (ListGroups is answered per coordinator). */
export async function listGroups(conn: AdminConnection): Promise<Array<{ groupId: string; protocolType: string; state: string }>> {
  const seen = new Map<string, { groupId: string; protocolType: string; state: string }>();
  for (const b of await conn.brokers()) {
    const r = await conn.sendToBroker(b.id, ApiKey.ListGroups, { statesFilter: [] });
    if (r.errorCode !== ErrorCode.NONE && r.errorCode !== ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) throw new ToolError(errorForCode(r.errorCode).message);
    for (const g of r.groups) seen.set(g.groupId, { groupId: g.groupId, protocolType: g.protocolType, state: g.groupState });
  }
  return [...seen.values()].sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
}
