/**
 * What kafka-consumer-groups does against the cluster, loaded only after the arguments passed their
 * checks (the protocol layer takes most of a tool's start-up time).
 */
import { ApiKey, ErrorCode, errorForCode } from '../../../broker/src/protocol';
import { AdminConnection } from './common/admin-connection';
import { committedOffsets, describeGroup, listGroups, listOffsets, tpKey, type GroupDescription, type TopicPartitionRef } from './common/group-admin';
import { ToolError } from './common/tool-error';
import { formatAssignment, membersTable, offsetsTable, stateTable, type OffsetRow } from './kafka-consumer-groups-format';
import { planReset, type ResetSpec } from './kafka-consumer-groups-reset';
import type { GroupsArgs, Io } from './kafka-consumer-groups';

const MISSING = '-';

/** `orders` or `orders:0,2` (Kafka's --topic syntax for reset and delete-offsets). */
function parseTopicArgs(values: readonly string[]): Array<{ topic: string; partitions: number[] | null }> {
  return values.map((v) => {
    const colon = v.indexOf(':');
    if (colon < 0) return { topic: v, partitions: null };
    const partitions = v
      .slice(colon + 1)
      .split(',')
      .map((s) => Number(s.trim()));
    if (partitions.some((p) => !Number.isInteger(p) || p < 0)) throw new ToolError(`Invalid partition list in --topic ${v}`);
    return { topic: v.slice(0, colon), partitions };
  });
}

async function groupIds(conn: AdminConnection, a: GroupsArgs): Promise<string[]> {
  if (a.allGroups) return (await listGroups(conn)).filter((g) => g.protocolType === 'consumer' || g.protocolType === '').map((g) => g.groupId);
  return a.group ?? [];
}

/** Kafka's shouldPrintMemberState: false (and an error) for a dead group; warnings for empty or rebalancing ones. */
function reportState(d: GroupDescription, io: Io): boolean {
  switch (d.state) {
    case 'Dead':
      io.out(`\nError: Consumer group '${d.groupId}' does not exist.\n`);
      return false;
    case 'Empty':
      io.err(`\nConsumer group '${d.groupId}' has no active members.\n`);
      return true;
    case 'PreparingRebalance':
    case 'CompletingRebalance':
      io.err(`\nWarning: Consumer group '${d.groupId}' is rebalancing.\n`);
      return true;
    case 'Stable':
      return true;
    default:
      throw new ToolError(`Expected a valid consumer group state, but found '${d.state}'.`);
  }
}

async function describeOffsets(conn: AdminConnection, d: GroupDescription, timeoutMs: number): Promise<OffsetRow[]> {
  const committed = await committedOffsets(conn, d.groupId, d.coordinator.id, timeoutMs);
  const members = d.members.filter((m) => m.assignment.length > 0).sort((x, y) => y.assignment.length - x.assignment.length);
  const assigned = new Set(members.flatMap((m) => m.assignment.map(tpKey)));
  const unassigned = [...committed.values()].filter((c) => !assigned.has(tpKey(c.tp))).map((c) => c.tp);
  const all = [...members.flatMap((m) => m.assignment), ...unassigned];
  const ends = await listOffsets(conn, all, -1n);
  const row = (tp: TopicPartitionRef, member: { memberId: string; clientHost: string; clientId: string } | null): OffsetRow => {
    const current = committed.get(tpKey(tp))?.offset;
    const end = ends.get(tpKey(tp));
    return {
      group: d.groupId,
      topic: tp.topic,
      partition: String(tp.partition),
      currentOffset: current === undefined ? MISSING : String(current),
      logEndOffset: end === undefined ? MISSING : String(end),
      lag: current === undefined || end === undefined ? MISSING : String(end - current),
      consumerId: member?.memberId ?? MISSING,
      host: member?.clientHost ?? MISSING,
      clientId: member?.clientId ?? MISSING,
    };
  };
  const byPartition = (x: TopicPartitionRef, y: TopicPartitionRef): number => (x.topic === y.topic ? x.partition - y.partition : x.topic < y.topic ? -1 : 1);
  return [
    ...members.flatMap((m) => [...m.assignment].sort(byPartition).map((tp) => row(tp, m))),
    ...unassigned.sort(byPartition).map((tp) => row(tp, null)),
  ];
}

async function describe(conn: AdminConnection, a: GroupsArgs, io: Io): Promise<void> {
  for (const groupId of await groupIds(conn, a)) {
    const d = await describeGroup(conn, groupId, a.timeout);
    if (a.state !== undefined && a.state !== false) {
      if (d.state === 'Dead') io.out(`\nConsumer group '${groupId}' does not exist.\n`);
      else io.out(stateTable(d));
      continue;
    }
    if (!reportState(d, io)) continue;
    if (a.members) {
      io.out(membersTable(d, a.verbose === true, formatAssignment));
      continue;
    }
    io.out(offsetsTable(await describeOffsets(conn, d, a.timeout)));
  }
}

async function list(conn: AdminConnection, a: GroupsArgs, io: Io): Promise<void> {
  const groups = (await listGroups(conn)).filter((g) => g.protocolType === 'consumer' || g.protocolType === '');
  if (a.state === undefined || a.state === false) {
    for (const g of groups) io.out(`${g.groupId}\n`);
    return;
  }
  const wanted = typeof a.state === 'string' && a.state !== '' ? new Set(a.state.split(',').map((s) => s.trim().toLowerCase())) : null;
  const rows = groups.filter((g) => wanted === null || wanted.has(g.state.toLowerCase()));
  const width = Math.max(15, ...rows.map((g) => g.groupId.length));
  io.out(`${'GROUP'.padEnd(width)} STATE\n`);
  for (const g of rows) io.out(`${g.groupId.padEnd(width)} ${g.state}\n`);
}

async function deleteGroups(conn: AdminConnection, a: GroupsArgs, io: Io): Promise<void> {
  const ids = await groupIds(conn, a);
  const failed: Array<[string, string]> = [];
  for (const groupId of ids) {
    const d = await describeGroup(conn, groupId, a.timeout);
    const r = await conn.sendToBroker(d.coordinator.id, ApiKey.DeleteGroups, { groupsNames: [groupId] });
    const code = r.results[0]?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
    if (code !== ErrorCode.NONE) failed.push([groupId, errorForCode(code).message]);
  }
  const ok = ids.filter((id) => !failed.some(([f]) => f === id));
  if (ok.length > 0) io.out(`Deletion of requested consumer groups (${ok.map((g) => `'${g}'`).join(', ')}) was successful.\n`);
  if (failed.length > 0) {
    io.out(`Deletion of some consumer groups failed:\n${failed.map(([g, m]) => `* Group '${g}' could not be deleted due to: ${m}`).join('\n')}\n`);
    throw new ToolError(`could not delete ${failed.length} group(s)`, true);
  }
}

async function deleteOffsets(conn: AdminConnection, a: GroupsArgs, io: Io): Promise<void> {
  const groupId = (a.group ?? [])[0] ?? '';
  const d = await describeGroup(conn, groupId, a.timeout);
  const md = await conn.metadata(null, true);
  const topics = parseTopicArgs(a.topic ?? []).map((t) => ({
    name: t.topic,
    partitions: (t.partitions ?? md.topics.find((m) => m.name === t.topic)?.partitions.map((p) => p.partitionIndex) ?? []).map((partitionIndex) => ({ partitionIndex })),
  }));
  const r = await conn.sendToBroker(d.coordinator.id, ApiKey.OffsetDelete, { groupId, topics });
  const rows = r.topics
    .flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, code: p.errorCode })))
    .sort((x, y) => (`${x.topic}${x.partition}` < `${y.topic}${y.partition}` ? -1 : 1));
  const partitionError = rows.some((x) => x.code !== ErrorCode.NONE);
  const top = r.errorCode;
  if (top === ErrorCode.NONE && !partitionError) io.out(`Request succeed for deleting offsets with topic ${(a.topic ?? []).join(', ')} group ${groupId}\n`);
  else if (top === ErrorCode.GROUP_ID_NOT_FOUND) io.out(`\nError: '${groupId}' does not exist.\n`);
  else if (top === ErrorCode.NON_EMPTY_GROUP) io.out(`\nError: Deleting offsets of a consumer group '${groupId}' is forbidden if the group is not empty.\n`);
  else if (top === ErrorCode.NONE) io.out('\nError: Encounter some partition level error, see the follow-up details:\n');
  else io.out(`\nError: Encounter some unknown error: ${errorForCode(top).name}\n`);
  io.out(`\n${'TOPIC'.padEnd(30)} ${'PARTITION'.padEnd(15)} ${'STATUS'.padEnd(15)}\n`);
  for (const x of rows) io.out(`${x.topic.padEnd(30)} ${String(x.partition).padEnd(15)} ${(x.code === ErrorCode.NONE ? 'Successful' : `Error: ${errorForCode(x.code).message}`).padEnd(15)}\n`);
  if (top !== ErrorCode.NONE || partitionError) throw new ToolError('offsets were not deleted', true);
}

async function resetOffsets(conn: AdminConnection, a: GroupsArgs, io: Io): Promise<void> {
  const spec: ResetSpec = {
    toEarliest: a.toEarliest === true,
    toLatest: a.toLatest === true,
    toCurrent: a.toCurrent === true,
    toOffset: a.toOffset,
    shiftBy: a.shiftBy,
    toDatetime: a.toDatetime,
    byDuration: a.byDuration,
  };
  if (!a.dryRun && !a.execute) {
    io.err(
      'WARN: No action will be performed as the --execute option is missing.In a future major release, the default behavior of this command will be to prompt the user before executing the reset rather than doing a dry run. You should add the --dry-run option explicitly if you are scripting this command and want to keep the current default behavior without prompting.\n',
    );
  }
  for (const groupId of await groupIds(conn, a)) {
    const d = await describeGroup(conn, groupId, a.timeout);
    if (d.state !== 'Empty' && d.state !== 'Dead') {
      throw new ToolError(`Assignments can only be reset if the group '${groupId}' is inactive, but the current state is ${d.state}.`);
    }
    const plan = await planReset(conn, d, a.allTopics === true ? null : parseTopicArgs(a.topic ?? []), spec, a.timeout);
    io.out(`\n${'GROUP'.padEnd(30)} ${'TOPIC'.padEnd(30)} ${'PARTITION'.padEnd(10)} ${'NEW-OFFSET'.padEnd(15)}\n`);
    for (const p of plan) io.out(`${groupId.padEnd(30)} ${p.topic.padEnd(30)} ${String(p.partition).padEnd(10)} ${String(p.offset).padEnd(15)}\n`);
    if (!a.execute) continue;
    const topics = new Map<string, Array<{ partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number; commitTimestamp: bigint; committedMetadata: string }>>();
    for (const p of plan) topics.set(p.topic, [...(topics.get(p.topic) ?? []), { partitionIndex: p.partition, committedOffset: p.offset, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: '' }]);
    const r = await conn.sendToBroker(d.coordinator.id, ApiKey.OffsetCommit, {
      groupId,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
    });
    const failed = r.topics.flatMap((t) => t.partitions).find((p) => p.errorCode !== ErrorCode.NONE);
    if (failed !== undefined) throw new ToolError(errorForCode(failed.errorCode).message);
  }
}

export async function runGroupsCommand(a: GroupsArgs, io: Io): Promise<void> {
  const conn = await AdminConnection.connect({ bootstrapServers: a.bootstrapServer ?? '', clientId: 'kafka-consumer-groups', timeoutMs: a.timeout });
  try {
    if (a.list) await list(conn, a, io);
    else if (a.describe) await describe(conn, a, io);
    else if (a.resetOffsets) await resetOffsets(conn, a, io);
    else if (a.delete) await deleteGroups(conn, a, io);
    else await deleteOffsets(conn, a, io);
  } finally {
    await conn.close();
  }
}
