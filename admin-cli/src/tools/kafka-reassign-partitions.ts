/**
 * kafka-reassign-partitions: Kafka 2.8's ReassignPartitionsCommand over --bootstrap-server: --generate a
 * plan for moving topics onto a broker list, --execute a plan (AlterPartitionReassignments; prints the
 * current assignment to keep for a rollback), --verify it, --cancel it, --list ongoing reassignments.
 * Plans use Kafka's JSON: {"version":1,"partitions":[{"topic","partition","replicas":[..],"log_dirs":[..]}]}.
 */
import fs from 'node:fs';
import { requireArg, runTool, toolParser } from './common/cli';
import { ToolError } from './common/tool-error';

const USAGE = 'kafka-reassign-partitions --bootstrap-server <host:port> (--generate | --execute | --verify | --cancel | --list) [--topics-to-move-json-file F --broker-list 1,2,3] [--reassignment-json-file F]';

export interface PlannedPartition {
  topic: string;
  partition: number;
  replicas: number[];
}

export interface ReassignArgs {
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

export const byTopicPartition = (a: PlannedPartition, b: PlannedPartition): number => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1);

/** Kafka's formatAsReassignmentJson: compact, sorted, log_dirs "any" for each replica. */
export function reassignmentJson(partitions: readonly PlannedPartition[]): string {
  const sorted = [...partitions].sort(byTopicPartition);
  return JSON.stringify({ version: 1, partitions: sorted.map((p) => ({ topic: p.topic, partition: p.partition, replicas: p.replicas, log_dirs: p.replicas.map(() => 'any') })) });
}

export function readJson(file: string): unknown {
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
  // The protocol layer loads only now, so --help and argument mistakes answer fast.
  const { runReassignCommand } = require('./kafka-reassign-partitions-actions') as typeof import('./kafka-reassign-partitions-actions');
  await runReassignCommand(a, out);
  return 0;
}

if (require.main === module) void runTool('Error: ', () => kafkaReassignPartitions(process.argv.slice(2)));
