/**
 * kafka-consumer-groups' tables, column for column as Kafka 2.8's ConsumerGroupCommand prints them:
 * left-aligned columns separated by one space, GROUP/TOPIC/CONSUMER-ID/HOST at least 15 wide (wider
 * for longer values), numeric columns 10 or 15 wide, a blank line before each table.
 */
import type { GroupDescription, TopicPartitionRef } from './common/group-admin';

export interface OffsetRow {
  group: string;
  topic: string;
  partition: string;
  currentOffset: string;
  logEndOffset: string;
  lag: string;
  consumerId: string;
  host: string;
  clientId: string;
}

const width = (min: number, values: readonly string[]): number => Math.max(min, ...values.map((v) => v.length));

export function offsetsTable(rows: readonly OffsetRow[]): string {
  const g = width(15, rows.map((r) => r.group));
  const t = width(15, rows.map((r) => r.topic));
  const c = width(15, rows.map((r) => r.consumerId));
  const h = width(15, rows.map((r) => r.host));
  const line = (r: OffsetRow): string =>
    `\n${r.group.padEnd(g)} ${r.topic.padEnd(t)} ${r.partition.padEnd(10)} ${r.currentOffset.padEnd(15)} ${r.logEndOffset.padEnd(15)} ${r.lag.padEnd(15)} ${r.consumerId.padEnd(c)} ${r.host.padEnd(h)} ${r.clientId}`;
  const header: OffsetRow = { group: 'GROUP', topic: 'TOPIC', partition: 'PARTITION', currentOffset: 'CURRENT-OFFSET', logEndOffset: 'LOG-END-OFFSET', lag: 'LAG', consumerId: 'CONSUMER-ID', host: 'HOST', clientId: 'CLIENT-ID' };
  return `${line(header)}${rows.map(line).join('')}\n`;
}

/** `topic(0,1),other(2)` — Kafka's getAssignmentString... shape for --members --verbose. */
export function formatAssignment(tps: readonly TopicPartitionRef[]): string {
  if (tps.length === 0) return '-';
  const byTopic = new Map<string, number[]>();
  for (const tp of tps) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
  return [...byTopic]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([topic, ps]) => `${topic}(${ps.sort((x, y) => x - y).join(',')})`)
    .join(',');
}

export function membersTable(d: GroupDescription, verbose: boolean, assignment: (tps: readonly TopicPartitionRef[]) => string): string {
  const withInstance = d.members.some((m) => m.groupInstanceId !== null);
  const g = width(15, [d.groupId]);
  const c = width(15, d.members.map((m) => m.memberId));
  const i = width(17, d.members.map((m) => m.groupInstanceId ?? '-'));
  const h = width(15, d.members.map((m) => m.clientHost));
  const cl = width(15, d.members.map((m) => m.clientId));
  const cells = (group: string, member: string, instance: string, host: string, client: string, count: string): string =>
    `${group.padEnd(g)} ${member.padEnd(c)} ${withInstance ? `${instance.padEnd(i)} ` : ''}${host.padEnd(h)} ${client.padEnd(cl)} ${count.padEnd(15)} `;
  let out = `\n${cells('GROUP', 'CONSUMER-ID', 'GROUP-INSTANCE-ID', 'HOST', 'CLIENT-ID', '#PARTITIONS')}${verbose ? 'ASSIGNMENT' : ''}\n`;
  for (const m of d.members) {
    out += `${cells(d.groupId, m.memberId, m.groupInstanceId ?? '-', m.clientHost, m.clientId, String(m.assignment.length))}${verbose ? assignment(m.assignment) : ''}\n`;
  }
  return out;
}

export function stateTable(d: GroupDescription): string {
  const coordinator = `${d.coordinator.host}:${d.coordinator.port}  (${d.coordinator.id})`;
  const g = width(15, [d.groupId]);
  const c = width(25, [coordinator]);
  const line = (group: string, coord: string, strategy: string, state: string, members: string): string => `\n${group.padEnd(g)} ${coord.padEnd(c)} ${strategy.padEnd(25)} ${state.padEnd(20)} ${members}`;
  return `${line('GROUP', 'COORDINATOR (ID)', 'ASSIGNMENT-STRATEGY', 'STATE', '#MEMBERS')}${line(d.groupId, coordinator, d.protocol, d.state, String(d.members.length))}\n`;
}
