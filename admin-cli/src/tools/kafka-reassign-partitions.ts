/**
 * kafka-reassign-partitions: Kafka 2.8's ReassignPartitionsCommand over --bootstrap-server: --generate a
 * plan for moving topics onto a broker list, --execute a plan (AlterPartitionReassignments; prints the
 * current assignment to keep for a rollback), --verify it, --cancel it, --list ongoing reassignments.
 * Plans use Kafka's JSON: {"version":1,"partitions":[{"topic","partition","replicas":[..],"log_dirs":[..]}]}.
 */
import fs from 'node:fs';
import { assignReplicasToBrokers } from '../../../broker/src/admin/replica-assignment';
import { ApiKey, ErrorCode, errorForCode } from '../../../broker/src/protocol';
import { AdminConnection } from './common/admin-connection';
import { requireArg, runTool, toolParser } from './common/cli';
import { ToolError } from './common/tool-error';

const USAGE = 'kafka-reassign-partitions --bootstrap-server <host:port> (--generate | --execute | --verify | --cancel | --list) [--topics-to-move-json-file F --broker-list 1,2,3] [--reassignment-json-file F]';

export interface PlannedPartition {
  topic: string;
  partition: number;
  replicas: number[];
}

interface ReassignArgs {
  bootstrapServer?: string;
  generate?: boolean;
  execute?: boolean;
  verify?: boolean;
  cancel?: boolean;
  list?: boolean;
  topicsToMoveJsonFile?: string;
  brokerList?: string;
  reassignmentJsonFile?: string;
  additional?: boolean;
  timeout: number;
}

const byTopicPartition = (a: PlannedPartition, b: PlannedPartition): number => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1);

/** Kafka's formatAsReassignmentJson: compact, sorted, log_dirs "any" for each replica. */
export function reassignmentJson(partitions: readonly PlannedPartition[]): string {
  const sorted = [...partitions].sort(byTopicPartition);
  return JSON.stringify({ version: 1, partitions: sorted.map((p) => ({ topic: p.topic, partition: p.partition, replicas: p.replicas, log_dirs: p.replicas.map(() => 'any') })) });
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ToolError(`Cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ToolError(`${file} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A reassignment plan file (Kafka's parsePartitionReassignmentData). */
export function parsePlan(doc: unknown): PlannedPartition[] {
  const list = (doc as { partitions?: unknown } | null)?.partitions;
  if (!Array.isArray(list)) throw new ToolError('The reassignment JSON must be {"version":1,"partitions":[...]}');
  const out = list.map((e: unknown) => {
    const { topic, partition, replicas } = (e ?? {}) as { topic?: unknown; partition?: unknown; replicas?: unknown };
    if (typeof topic !== 'string' || typeof partition !== 'number' || !Array.isArray(replicas) || !replicas.every((r) => typeof r === 'number')) {
      throw new ToolError(`Invalid partition entry ${JSON.stringify(e)}: "topic", "partition" and "replicas" are required`);
    }
    if (new Set(replicas).size !== replicas.length) throw new ToolError(`Duplicate replica assignment found: ${topic}-${partition} -> ${replicas.join(',')}`);
    return { topic, partition, replicas: replicas as number[] };
  });
  if (out.length === 0) throw new ToolError('Partition reassignment list cannot be empty');
  return out;
}

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

export async function kafkaReassignPartitions(argv: readonly string[], out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  const a = (await toolParser('kafka-reassign-partitions', argv, USAGE)
    .option('bootstrap-server', { type: 'string', describe: 'REQUIRED: the server(s) to use for bootstrapping.' })
    .option('generate', { type: 'boolean', describe: 'Generate a candidate partition reassignment configuration (prints it; does not execute it).' })
    .option('execute', { type: 'boolean', describe: 'Kick off the reassignment as specified by the --reassignment-json-file option.' })
    .option('verify', { type: 'boolean', describe: 'Verify the reassignment as specified by the --reassignment-json-file option.' })
    .option('cancel', { type: 'boolean', describe: 'Cancel an active reassignment.' })
    .option('list', { type: 'boolean', describe: 'List all active partition reassignments.' })
    .option('topics-to-move-json-file', { type: 'string', describe: 'With --generate: {"topics":[{"topic":"foo"}],"version":1}.' })
    .option('broker-list', { type: 'string', describe: 'With --generate: the brokers to move the topics to, e.g. "0,1,2".' })
    .option('reassignment-json-file', { type: 'string', describe: 'The reassignment plan: {"version":1,"partitions":[{"topic":"foo","partition":1,"replicas":[1,2,3]}]}.' })
    .option('additional', { type: 'boolean', describe: 'Execute this reassignment in addition to any other ongoing ones.' })
    .option('timeout', { type: 'number', default: 10_000, describe: 'How long to wait for the cluster, in ms.' })
    .parseAsync()) as unknown as ReassignArgs;
  const actions = [a.generate, a.execute, a.verify, a.cancel, a.list].filter(Boolean).length;
  if (actions !== 1) throw new ToolError('Command must include exactly one action: --generate, --execute, --verify, --cancel, --list');
  requireArg(a.bootstrapServer, 'bootstrap-server');
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
  return 0;
}

if (require.main === module) void runTool('Error: ', () => kafkaReassignPartitions(process.argv.slice(2)));
