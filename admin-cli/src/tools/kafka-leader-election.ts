/**
 * kafka-leader-election: Kafka 2.8's LeaderElectionCommand. Sends ElectLeaders (preferred or unclean) to
 * the controller for every partition (--all-topic-partitions), one (--topic --partition) or a JSON list
 * (--path-to-json-file: {"partitions":[{"topic":"t","partition":0}]}), and reports what was elected,
 * what already had a valid leader, and what failed (exit code 1).
 */
import fs from 'node:fs';
import { requireArg, runTool, toolParser } from './common/cli';
import { ToolError } from './common/tool-error';

const USAGE = 'kafka-leader-election --bootstrap-server <host:port> --election-type <preferred|unclean> (--all-topic-partitions | --topic <t> --partition <p> | --path-to-json-file <file>)';

interface ElectionArgs {
  bootstrapServer?: string;
  electionType?: string;
  allTopicPartitions?: boolean;
  topic?: string;
  partition?: number;
  pathToJsonFile?: string;
  timeout: number;
}

/** Kafka's JSON partition list: {"partitions":[{"topic":"orders","partition":1}]}. */
export function parsePartitionsJson(text: string): Array<{ topic: string; partition: number }> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ToolError(`The JSON file is not valid: ${err instanceof Error ? err.message : String(err)}`);
  }
  const list = (doc as { partitions?: unknown } | null)?.partitions;
  if (!Array.isArray(list)) throw new ToolError('The JSON file must contain an object with a "partitions" array');
  const out = list.map((e: unknown) => {
    const { topic, partition } = (e ?? {}) as { topic?: unknown; partition?: unknown };
    if (typeof topic !== 'string' || typeof partition !== 'number' || !Number.isInteger(partition)) throw new ToolError(`Invalid partition entry ${JSON.stringify(e)}: "topic" (string) and "partition" (int) are required`);
    return { topic, partition };
  });
  const seen = new Set<string>();
  for (const tp of out) {
    const key = `${tp.topic}-${tp.partition}`;
    if (seen.has(key)) throw new ToolError(`Replica election data contains duplicate partitions: ${key}`);
    seen.add(key);
  }
  return out;
}

export async function kafkaLeaderElection(argv: readonly string[], out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  const a = (await toolParser('kafka-leader-election', argv, USAGE)
    .option('bootstrap-server', { type: 'string', describe: 'REQUIRED: A hostname and port for the broker to connect to, in the form host:port (comma-separated list allowed).' })
    .option('election-type', { type: 'string', describe: 'REQUIRED: Type of election to attempt: preferred or unclean.' })
    .option('all-topic-partitions', { type: 'boolean', describe: 'Perform the election on all eligible topic partitions.' })
    .option('topic', { type: 'string', describe: 'Name of the topic for which to perform an election (with --partition).' })
    .option('partition', { type: 'number', describe: 'Partition id for which to perform an election (with --topic).' })
    .option('path-to-json-file', { type: 'string', describe: 'A JSON file with the partitions: {"partitions":[{"topic":"t","partition":0}]}.' })
    .option('timeout', { type: 'number', default: 30_000, describe: 'How long to wait for the elections, in ms.' })
    .parseAsync()) as unknown as ElectionArgs;
  requireArg(a.bootstrapServer, 'bootstrap-server');
  requireArg(a.electionType, 'election-type');
  const type = (a.electionType ?? '').toLowerCase();
  if (type !== 'preferred' && type !== 'unclean') throw new ToolError(`Unknown election type: ${a.electionType}`);
  const sources = [a.allTopicPartitions === true, a.topic !== undefined, a.pathToJsonFile !== undefined].filter(Boolean).length;
  if (sources !== 1) throw new ToolError('One and only one of the following options is required: all-topic-partitions, topic, path-to-json-file');
  if (a.topic !== undefined && a.partition === undefined) throw new ToolError('Missing required option(s) [partition]');
  if (a.partition !== undefined && a.topic === undefined) throw new ToolError('Missing required option(s) [topic]');

  let partitions: Array<{ topic: string; partition: number }> | null = null;
  if (a.topic !== undefined && a.partition !== undefined) partitions = [{ topic: a.topic, partition: a.partition }];
  if (a.pathToJsonFile !== undefined) {
    let text: string;
    try {
      text = fs.readFileSync(a.pathToJsonFile, 'utf8');
    } catch (err) {
      throw new ToolError(`Cannot read ${a.pathToJsonFile}: ${err instanceof Error ? err.message : String(err)}`);
    }
    partitions = parsePartitionsJson(text);
  }
  const typeName = type.toUpperCase();
  // The protocol layer loads only now, so --help and argument mistakes answer fast.
  const { ApiKey, ErrorCode, errorForCode } = require('../../../broker/src/protocol') as typeof import('../../../broker/src/protocol');
  const { AdminConnection } = require('./common/admin-connection') as typeof import('./common/admin-connection');
  const conn = await AdminConnection.connect({ bootstrapServers: a.bootstrapServer ?? '', clientId: 'kafka-leader-election', timeoutMs: a.timeout });
  try {
    const byTopic = new Map<string, number[]>();
    for (const tp of partitions ?? []) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
    const res = await conn.sendToController(ApiKey.ElectLeaders, {
      electionType: type === 'preferred' ? 0 : 1,
      topicPartitions: partitions === null ? null : [...byTopic].map(([topic, partitionId]) => ({ topic, partitionId })),
      timeoutMs: a.timeout,
    });
    if (res.errorCode !== ErrorCode.NONE) throw new ToolError(errorForCode(res.errorCode).message);
    const results = res.replicaElectionResults
      .flatMap((t) => t.partitionResult.map((p) => ({ name: `${t.topic}-${p.partitionId}`, code: p.errorCode, message: p.errorMessage })))
      .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
    const succeeded = results.filter((r) => r.code === ErrorCode.NONE).map((r) => r.name);
    const noop = results.filter((r) => r.code === ErrorCode.ELECTION_NOT_NEEDED).map((r) => r.name);
    const failed = results.filter((r) => r.code !== ErrorCode.NONE && r.code !== ErrorCode.ELECTION_NOT_NEEDED);
    if (succeeded.length > 0) out(`Successfully completed leader election (${typeName}) for partitions ${succeeded.join(', ')}`);
    if (noop.length > 0) out(`Valid replica already elected for partitions ${noop.join(', ')}`);
    for (const f of failed) out(`Error completing leader election (${typeName}) for partition: ${f.name}: ${errorForCode(f.code).name}: ${f.message ?? errorForCode(f.code).message}`);
    if (failed.length > 0) throw new ToolError(`${failed.length} replica(s) could not be elected`);
  } finally {
    await conn.close();
  }
  return 0;
}

if (require.main === module) void runTool('Error: ', () => kafkaLeaderElection(process.argv.slice(2)));
