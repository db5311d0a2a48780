/**
 * What kafka-reassign-partitions does against the cluster, loaded only after the arguments passed their
 * checks (the protocol layer takes most of a tool's start-up time).
 */
import { assignReplicasToBrokers } from '../../../broker/src/admin/replica-assignment';
import { ApiKey, ErrorCode, errorForCode } from '../../../broker/src/protocol';
import { AdminConnection } from './common/admin-connection';
import { requireArg } from './common/cli';
import { ToolError } from './common/tool-error';
import { byTopicPartition, parsePlan, readJson, reassignmentJson, type PlannedPartition, type ReassignArgs } from './kafka-reassign-partitions';

async function currentAssignment(conn: AdminConnection, topics: readonly string[]): Promise<PlannedPartition[]> {
  const md = await conn.metadata([...new Set(topics)]);
  const out: PlannedPartition[] = [];
  for (const t of md.topics) {
    if (t.errorCode !== ErrorCode.NONE) throw new ToolError(`Topic ${t.name} not found`);
    for (const p of t.partitions) out.push({ topic: t.name, partition: p.partitionIndex, replicas: p.replicaNodes });
  }
  return out.sort(byTopicPartition);
}

async function generate(conn: AdminConnection, a: ReassignArgs, out: (l: string) => void): Promise<void> {
  requireArg(a.topicsToMoveJsonFile, 'topics-to-move-json-file');
  requireArg(a.brokerList, 'broker-list');
  const doc = readJson(a.topicsToMoveJsonFile ?? '') as { topics?: unknown };
  if (!Array.isArray(doc.topics)) throw new ToolError('The topics JSON must be {"topics":[{"topic":"t"}],"version":1}');
  const topics = doc.topics.map((t: unknown) => {
    const name = (t as { topic?: unknown } | null)?.topic;
    if (typeof name !== 'string') throw new ToolError(`Invalid topic entry ${JSON.stringify(t)}`);
    return name;
  });
  const brokers = (a.brokerList ?? '').split(',').map((s) => Number(s.trim()));
  if (brokers.some((b) => !Number.isInteger(b) || b < 0)) throw new ToolError(`Invalid broker list: ${a.brokerList}`);
  if (new Set(brokers).size !== brokers.length) throw new ToolError(`Duplicate broker ids in --broker-list: ${a.brokerList}`);
  const current = await currentAssignment(conn, topics);
  const proposed: PlannedPartition[] = [];
  for (const topic of [...new Set(topics)]) {
    const parts = current.filter((p) => p.topic === topic);
    const rf = parts[0]?.replicas.length ?? 1;
    let assignment: Map<number, number[]>;
    try {
      assignment = assignReplicasToBrokers([...brokers].sort((x, y) => x - y).map((id) => ({ id, rack: null })), parts.length, rf);
    } catch (err) {
      throw new ToolError(err instanceof Error ? err.message : String(err));
    }
    for (const [partition, replicas] of assignment) proposed.push({ topic, partition, replicas });
  }
  out(`Current partition replica assignment\n${reassignmentJson(current)}\n`);
  out(`Proposed partition reassignment configuration\n${reassignmentJson(proposed)}`);
}

async function ongoing(conn: AdminConnection): Promise<Map<string, { replicas: number[]; addingReplicas: number[]; removingReplicas: number[] }>> {
  const res = await conn.sendToController(ApiKey.ListPartitionReassignments, { timeoutMs: 10_000, topics: null });
  if (res.errorCode !== ErrorCode.NONE) throw new ToolError(res.errorMessage ?? errorForCode(res.errorCode).message);
  const m = new Map<string, { replicas: number[]; addingReplicas: number[]; removingReplicas: number[] }>();
  for (const t of res.topics) for (const p of t.partitions) m.set(`${t.name}-${p.partitionIndex}`, p);
  return m;
}

async function alter(conn: AdminConnection, plan: ReadonlyArray<{ topic: string; partition: number; replicas: number[] | null }>, timeoutMs: number): Promise<Array<{ name: string; code: number; message: string | null }>> {
  const topics = new Map<string, Array<{ partitionIndex: number; replicas: number[] | null }>>();
  for (const p of plan) topics.set(p.topic, [...(topics.get(p.topic) ?? []), { partitionIndex: p.partition, replicas: p.replicas }]);
  const res = await conn.sendToController(ApiKey.AlterPartitionReassignments, { timeoutMs, topics: [...topics].map(([name, partitions]) => ({ name, partitions })) });
  if (res.errorCode !== ErrorCode.NONE) throw new ToolError(res.errorMessage ?? errorForCode(res.errorCode).message);
  return res.responses.flatMap((t) => t.partitions.map((p) => ({ name: `${t.name}-${p.partitionIndex}`, code: p.errorCode, message: p.errorMessage })));
}

function failIfErrors(results: ReadonlyArray<{ name: string; code: number; message: string | null }>, what: string): void {
  const failed = results.filter((r) => r.code !== ErrorCode.NONE);
  if (failed.length === 0) return;
  throw new ToolError(`${what}: ${failed.map((f) => `${f.name}: ${f.message ?? errorForCode(f.code).message}`).join('; ')}`);
}

async function execute(conn: AdminConnection, a: ReassignArgs, out: (l: string) => void): Promise<void> {
  requireArg(a.reassignmentJsonFile, 'reassignment-json-file');
  const plan = parsePlan(readJson(a.reassignmentJsonFile ?? ''));
  if (!a.additional && (await ongoing(conn)).size > 0) {
    throw new ToolError('Cannot execute because there is an existing partition assignment.  Use --additional to override this and create a new partition assignment in addition to the existing one. The --additional flag can also be used to change the throttle by resubmitting the current reassignment.');
  }
  const current = (await currentAssignment(conn, plan.map((p) => p.topic))).filter((c) => plan.some((p) => p.topic === c.topic && p.partition === c.partition));
  out(`Current partition replica assignment\n\n${reassignmentJson(current)}\n\nSave this to use as the --reassignment-json-file option during rollback`);
  const results = await alter(conn, plan, a.timeout);
  failIfErrors(results, 'Error reassigning partition(s)');
  const names = [...plan].sort(byTopicPartition).map((p) => `${p.topic}-${p.partition}`);
  out(`Successfully started partition reassignment${names.length === 1 ? '' : 's'} for ${names.join(',')}`);
}

async function verify(conn: AdminConnection, a: ReassignArgs, out: (l: string) => void): Promise<boolean> {
  requireArg(a.reassignmentJsonFile, 'reassignment-json-file');
  const plan = parsePlan(readJson(a.reassignmentJsonFile ?? '')).sort(byTopicPartition);
  const inFlight = await ongoing(conn);
  const current = await currentAssignment(conn, plan.map((p) => p.topic));
  out('Status of partition reassignment:');
  let done = true;
  for (const p of plan) {
    const name = `${p.topic}-${p.partition}`;
    if (inFlight.has(name)) {
      done = false;
      out(`Reassignment of partition ${name} is still in progress.`);
      continue;
    }
    const now = current.find((c) => c.topic === p.topic && c.partition === p.partition)?.replicas ?? [];
    if (now.join(',') === p.replicas.join(',')) out(`Reassignment of partition ${name} is complete.`);
    else {
      done = false;
      out(`There is no active reassignment of partition ${name}, but replica set is ${now.join(',')} rather than ${p.replicas.join(',')}.`);
    }
  }
  return done;
}

async function cancel(conn: AdminConnection, a: ReassignArgs, out: (l: string) => void): Promise<void> {
  requireArg(a.reassignmentJsonFile, 'reassignment-json-file');
  const plan = parsePlan(readJson(a.reassignmentJsonFile ?? ''));
  const inFlight = await ongoing(conn);
  const toCancel = plan.filter((p) => inFlight.has(`${p.topic}-${p.partition}`)).sort(byTopicPartition);
  const results = toCancel.length === 0 ? [] : await alter(conn, toCancel.map((p) => ({ topic: p.topic, partition: p.partition, replicas: null })), a.timeout);
  failIfErrors(results, 'Error cancelling partition reassignment(s)');
  out(`Successfully cancelled partition reassignments for: ${toCancel.map((p) => `${p.topic}-${p.partition}`).join(',')}`);
}

async function list(conn: AdminConnection, out: (l: string) => void): Promise<void> {
  const inFlight = [...(await ongoing(conn))].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  if (inFlight.length === 0) {
    out('No partition reassignments found.');
    return;
  }
  out('Current partition reassignments:');
  for (const [name, r] of inFlight) out(`${name}: replicas: ${r.replicas.join(',')}. adding: ${r.addingReplicas.join(',')}. removing: ${r.removingReplicas.join(',')}.`);
}

export async function runReassignCommand(a: ReassignArgs, out: (line: string) => void): Promise<void> {
  const conn = await AdminConnection.connect({ bootstrapServers: a.bootstrapServer ?? '', clientId: 'kafka-reassign-partitions', timeoutMs: a.timeout });
  try {
    if (a.generate) await generate(conn, a, out);
    else if (a.execute) await execute(conn, a, out);
    else if (a.verify) await verify(conn, a, out);
    else if (a.cancel) await cancel(conn, a, out);
    else await list(conn, out);
  } finally {
    await conn.close();
  }
}
