/**
 * kafka-topics: Kafka 2.8's TopicCommand over --bootstrap-server. Create, list, describe (the 2.8
 * layout: a topic line, then one tab-separated line per partition), alter the partition count, delete.
 * --topic is a regular expression matched against whole names, except with --create.
 */
import { invalidWith, requireArg, runTool, toolParser } from './common/cli';
import { ToolError } from './common/tool-error';
import type { DescribeFilters } from './kafka-topics-describe';

const USAGE = 'kafka-topics --bootstrap-server <host:port> (--create | --list | --describe | --alter | --delete) [--topic <topic>] [options]';

export interface TopicsArgs {
  bootstrapServer?: string;
  zookeeper?: string;
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

export function describeFilters(a: TopicsArgs): DescribeFilters {
  return {
    underReplicated: a.underReplicatedPartitions === true,
    unavailable: a.unavailablePartitions === true,
    underMinIsr: a.underMinIsrPartitions === true,
    atMinIsr: a.atMinIsrPartitions === true,
    topicsWithOverrides: a.topicsWithOverrides === true,
  };
}

/** Kafka's TopicCommandOptions.checkArgs, with its wording. */
export function checkArgs(a: TopicsArgs): void {
  const actions = [a.create, a.list, a.describe, a.alter, a.delete].filter(Boolean).length;
  if (actions !== 1) throw new ToolError('Command must include exactly one action: --list, --describe, --create, --alter or --delete');
  if ((a.bootstrapServer === undefined) === (a.zookeeper === undefined)) throw new ToolError('Only one of --bootstrap-server or --zookeeper must be specified');
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

export async function kafkaTopics(argv: readonly string[], out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  const parsed = (await toolParser('kafka-topics', argv, USAGE)
    .option('bootstrap-server', { type: 'string', describe: 'REQUIRED: The Kafka server to connect to (host:port, comma-separated).' })
    .option('zookeeper', { type: 'string', describe: 'DEPRECATED (as in Kafka 2.8): the ZooKeeper connect string (host:port[/chroot]); --list and --describe only.' })
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
  // The protocol layer loads only now, so --help and argument mistakes answer fast.
  if (parsed.zookeeper !== undefined) {
    const { runTopicsOverZooKeeper } = require('./kafka-topics-zk') as typeof import('./kafka-topics-zk');
    await runTopicsOverZooKeeper(parsed, describeFilters(parsed), out);
  } else {
    const { runTopicsCommand } = require('./kafka-topics-actions') as typeof import('./kafka-topics-actions');
    await runTopicsCommand(parsed, out);
  }
  return 0;
}

if (require.main === module) void runTool('Error while executing topic command : ', () => kafkaTopics(process.argv.slice(2)));
