/**
 * kafka-topics: Kafka 2.8's TopicCommand over --bootstrap-server. Create, list, describe (the 2.8
 * layout: a topic line, then one tab-separated line per partition), alter the partition count, delete.
 * --topic is a regular expression matched against whole names, except with --create.
 */
import { ApiKey, ErrorCode, ZERO_UUID, errorForCode } from '../../../broker/src/protocol';
import type { MetadataResponseTopic } from '../../../broker/src/protocol/generated/metadata-response';
import { AdminConnection } from './common/admin-connection';
import { invalidWith, requireArg, runTool, toolParser } from './common/cli';
import { ToolError } from './common/tool-error';
import { describeTopics, type DescribeFilters } from './kafka-topics-describe';

const USAGE = 'kafka-topics --bootstrap-server <host:port> (--create | --list | --describe | --alter | --delete) [--topic <topic>] [options]';
const COLLISION_WARNING = "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.";

export interface TopicsArgs {
  bootstrapServer?: string;
  create?: boolean;
  list?: boolean;
  describe?: boolean;
  alter?: boolean;
  delete?: boolean;
  topic?: string;
  partitions?: number;
  replicationFactor?: number;
  replicaAssignment?: string;
  config?: string[];
  ifExists?: boolean;
  ifNotExists?: boolean;
  excludeInternal?: boolean;
  underReplicatedPartitions?: boolean;
  unavailablePartitions?: boolean;
  underMinIsrPartitions?: boolean;
  atMinIsrPartitions?: boolean;
  topicsWithOverrides?: boolean;
  timeout: number;
}

/** Kafka's TopicCommandOptions.checkArgs, with its wording. */
export function checkArgs(a: TopicsArgs): void {
  const actions = [a.create, a.list, a.describe, a.alter, a.delete].filter(Boolean).length;
  if (actions !== 1) throw new ToolError('Command must include exactly one action: --list, --describe, --create, --alter or --delete');
  requireArg(a.bootstrapServer, 'bootstrap-server');
  if (a.create || a.alter || a.delete) requireArg(a.topic, 'topic');
  const has = (v: unknown): boolean => v !== undefined && v !== false;
  invalidWith(has(a.partitions), 'partitions', [[has(a.list), 'list'], [has(a.describe), 'describe'], [has(a.delete), 'delete']]);
  invalidWith(has(a.replicationFactor), 'replication-factor', [[has(a.list), 'list'], [has(a.describe), 'describe'], [has(a.alter), 'alter'], [has(a.delete), 'delete']]);
  invalidWith(has(a.config), 'config', [[has(a.list), 'list'], [has(a.describe), 'describe'], [has(a.alter), 'alter'], [has(a.delete), 'delete']]);
  invalidWith(has(a.replicaAssignment), 'replica-assignment', [[has(a.list), 'list'], [has(a.describe), 'describe'], [has(a.delete), 'delete'], [has(a.partitions) && has(a.create), 'partitions'], [has(a.replicationFactor), 'replication-factor']]);
  invalidWith(has(a.ifNotExists), 'if-not-exists', [[has(a.list), 'list'], [has(a.describe), 'describe'], [has(a.alter), 'alter'], [has(a.delete), 'delete']]);
  invalidWith(has(a.ifExists), 'if-exists', [[has(a.list), 'list'], [has(a.create), 'create']]);
  const reports: Array<[boolean, string]> = [
    [has(a.underReplicatedPartitions), 'under-replicated-partitions'],
    [has(a.unavailablePartitions), 'unavailable-partitions'],
    [has(a.underMinIsrPartitions), 'under-min-isr-partitions'],
    [has(a.atMinIsrPartitions), 'at-min-isr-partitions'],
    [has(a.topicsWithOverrides), 'topics-with-overrides'],
  ];
  for (const [present, flag] of reports) {
    invalidWith(present, flag, [[has(a.create), 'create'], [has(a.list), 'list'], [has(a.alter), 'alter'], [has(a.delete), 'delete'], ...reports.filter(([, f]) => f !== flag)]);
  }
  if (a.create && a.replicaAssignment === undefined) {
    if (a.partitions !== undefined && a.partitions < 1) throw new ToolError('The partitions must be greater than 0');
    if (a.replicationFactor !== undefined && a.replicationFactor < 1) throw new ToolError('The replication factor must be greater than 0');
  }
  if (a.alter && a.partitions === undefined) throw new ToolError('--partitions is required to alter a topic over --bootstrap-server');
}

/** `1:2,2:3` → [[1,2],[2,3]] (partition i gets the i-th broker list), as Kafka's parseReplicaAssignment. */
export function parseReplicaAssignment(text: string): number[][] {
  return text.split(',').map((group, i) => {
    const ids = group.split(':').map((s) => Number(s.trim()));
    if (ids.some((id) => !Number.isInteger(id) || id < 0)) throw new ToolError(`Invalid replica assignment for partition ${i}: "${group}"`);
    if (new Set(ids).size !== ids.length) throw new ToolError(`Partition replica lists may not contain duplicate entries: ${ids.join(',')}`);
    return ids;
  });
}

export function parseConfigs(entries: readonly string[] | undefined): Array<{ name: string; value: string }> {
  return (entries ?? []).map((e) => {
    const eq = e.indexOf('=');
    if (eq <= 0) throw new ToolError(`Invalid topic config: all configs to be added must be in the format "key=val". Found: ${e}`);
    return { name: e.slice(0, eq), value: e.slice(eq + 1) };
  });
}

/** Kafka's IncludeList: the whole name must match the Java-style regular expression. */
export function topicFilter(regex: string | undefined): (name: string) => boolean {
  if (regex === undefined) return () => true;
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${regex})$`);
  } catch {
    throw new ToolError(`Invalid topic regular expression: ${regex}`);
  }
  return (name) => re.test(name);
}

function apiError(code: number, message: string | null): ToolError {
  return new ToolError(message ?? errorForCode(code).message);
}

async function matchingTopics(conn: AdminConnection, a: TopicsArgs): Promise<MetadataResponseTopic[]> {
  const md = await conn.metadata(null, true);
  const match = topicFilter(a.topic);
  const topics = md.topics.filter((t) => t.errorCode === ErrorCode.NONE && match(t.name) && !(a.excludeInternal && t.isInternal));
  if (a.topic !== undefined && topics.length === 0 && !a.ifExists && !a.list) throw new ToolError(`Topic '${a.topic}' does not exist as expected`);
  return topics.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
}

async function createTopic(conn: AdminConnection, a: TopicsArgs, out: (line: string) => void): Promise<void> {
  const name = a.topic ?? '';
  if (/[._]/.test(name)) out(COLLISION_WARNING);
  const assignment = a.replicaAssignment !== undefined ? parseReplicaAssignment(a.replicaAssignment) : null;
  const res = await conn.sendToController(ApiKey.CreateTopics, {
    topics: [
      {
        name,
        numPartitions: assignment === null ? (a.partitions ?? -1) : -1,
        replicationFactor: assignment === null ? (a.replicationFactor ?? -1) : -1,
        assignments: (assignment ?? []).map((brokerIds, partitionIndex) => ({ partitionIndex, brokerIds })),
        configs: parseConfigs(a.config),
      },
    ],
    timeoutMs: a.timeout,
    validateOnly: false,
  });
  const r = res.topics[0];
  if (r === undefined) throw new ToolError('The controller answered CreateTopics without the topic');
  if (r.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS && a.ifNotExists) return;
  if (r.errorCode !== ErrorCode.NONE) throw apiError(r.errorCode, r.errorMessage);
  out(`Created topic ${name}.`);
}

async function alterTopic(conn: AdminConnection, a: TopicsArgs): Promise<void> {
  const topics = await matchingTopics(conn, a);
  const internal = topics.find((t) => t.isInternal);
  if (internal !== undefined) throw new ToolError(`The number of partitions for the internal topics${topics.length > 1 ? '' : ` ${internal.name}`} cannot be changed.`);
  if (topics.length === 0) return;
  const assignment = a.replicaAssignment !== undefined ? parseReplicaAssignment(a.replicaAssignment) : null;
  const res = await conn.sendToController(ApiKey.CreatePartitions, {
    topics: topics.map((t) => ({
      name: t.name,
      count: a.partitions ?? t.partitions.length,
      // --replica-assignment lists every partition; only the new ones are sent (Kafka's alterTopic).
      assignments: assignment === null ? null : assignment.slice(t.partitions.length).map((brokerIds) => ({ brokerIds })),
    })),
    timeoutMs: a.timeout,
    validateOnly: false,
  });
  const failed = res.results.find((r) => r.errorCode !== ErrorCode.NONE);
  if (failed !== undefined) throw apiError(failed.errorCode, failed.errorMessage);
}

async function deleteTopics(conn: AdminConnection, a: TopicsArgs): Promise<void> {
  const topics = await matchingTopics(conn, a);
  const internal = topics.find((t) => t.isInternal);
  if (internal !== undefined) throw new ToolError(`Topic ${internal.name} is a kafka internal topic and is not allowed to be marked for deletion.`);
  if (topics.length === 0) return;
  const names = topics.map((t) => t.name);
  const res = await conn.sendToController(ApiKey.DeleteTopics, { topics: names.map((name) => ({ name, topicId: ZERO_UUID })), topicNames: names, timeoutMs: a.timeout });
  const failed = res.responses.find((r) => r.errorCode !== ErrorCode.NONE);
  if (failed !== undefined) throw apiError(failed.errorCode, failed.errorMessage);
}

export async function kafkaTopics(argv: readonly string[], out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  const parsed = (await toolParser('kafka-topics', argv, USAGE)
    .option('bootstrap-server', { type: 'string', describe: 'REQUIRED: The Kafka server to connect to (host:port, comma-separated).' })
    .option('create', { type: 'boolean', describe: 'Create a new topic.' })
    .option('list', { type: 'boolean', describe: 'List all available topics.' })
    .option('describe', { type: 'boolean', describe: 'List details for the given topics.' })
    .option('alter', { type: 'boolean', describe: 'Alter the number of partitions and replica assignment.' })
    .option('delete', { type: 'boolean', describe: 'Delete a topic.' })
    .option('topic', { type: 'string', describe: 'The topic to create, alter, describe or delete. Except with --create, a regular expression matched against whole topic names.' })
    .option('partitions', { type: 'number', describe: 'The number of partitions for the topic being created or altered (default: the broker\'s num.partitions).' })
    .option('replication-factor', { type: 'number', describe: 'The replication factor for each partition in the topic being created (default: the broker\'s default.replication.factor).' })
    .option('replica-assignment', { type: 'string', describe: 'Manual partition-to-broker assignment: broker_id_for_part1_replica1:broker_id_for_part1_replica2,broker_id_for_part2_replica1:...' })
    .option('config', { type: 'string', array: true, describe: 'A topic configuration override for the topic being created (key=value; repeatable).' })
    .option('if-exists', { type: 'boolean', describe: 'With --alter or --delete: act only if the topic exists.' })
    .option('if-not-exists', { type: 'boolean', describe: 'With --create: create only if the topic does not exist yet.' })
    .option('exclude-internal', { type: 'boolean', describe: 'Exclude internal topics when running list or describe.' })
    .option('under-replicated-partitions', { type: 'boolean', describe: 'With --describe: only partitions whose ISR is smaller than the replication factor.' })
    .option('unavailable-partitions', { type: 'boolean', describe: 'With --describe: only partitions whose leader is not available.' })
    .option('under-min-isr-partitions', { type: 'boolean', describe: 'With --describe: only partitions whose ISR is smaller than min.insync.replicas.' })
    .option('at-min-isr-partitions', { type: 'boolean', describe: 'With --describe: only partitions whose ISR equals min.insync.replicas.' })
    .option('topics-with-overrides', { type: 'boolean', describe: 'With --describe: only topics that have configs overridden.' })
    .option('timeout', { type: 'number', default: 10_000, describe: 'How long to wait for the cluster, in ms.' })
    .parseAsync()) as unknown as TopicsArgs;
  checkArgs(parsed);
  const conn = await AdminConnection.connect({ bootstrapServers: parsed.bootstrapServer ?? '', clientId: 'kafka-topics', timeoutMs: parsed.timeout });
  try {
    if (parsed.create) await createTopic(conn, parsed, out);
    else if (parsed.list) for (const t of await matchingTopics(conn, parsed)) out(t.name);
    else if (parsed.describe) {
      const filters: DescribeFilters = {
        underReplicated: parsed.underReplicatedPartitions === true,
        unavailable: parsed.unavailablePartitions === true,
        underMinIsr: parsed.underMinIsrPartitions === true,
        atMinIsr: parsed.atMinIsrPartitions === true,
        topicsWithOverrides: parsed.topicsWithOverrides === true,
      };
      await describeTopics(conn, await matchingTopics(conn, parsed), filters, out);
    } else if (parsed.alter) await alterTopic(conn, parsed);
    else await deleteTopics(conn, parsed);
  } finally {
    await conn.close();
  }
  return 0;
}

if (require.main === module) void runTool('Error while executing topic command : ', () => kafkaTopics(process.argv.slice(2)));
