/**
 * kafka-configs: Kafka 2.8's ConfigCommand through the admin APIs (--bootstrap-server), for topics and
 * brokers. --describe sends DescribeConfigs with synonyms and prints the dynamic configs (every config
 * with --all); --alter changes a topic with IncrementalAlterConfigs, and a broker (or the cluster-wide
 * broker default, --entity-default) with AlterConfigs carrying its whole new dynamic config, as 2.8 does.
 * A broker's own configs go to that broker; everything else to the bootstrap broker.
 */
import { runTool, toolParser } from './common/cli';
import { ToolError } from './common/tool-error';
import { alterCompleted, describeHeading, formatConfigEntry, parseConfigsToBeAdded, parseConfigsToBeDeleted, validateTopicName } from './kafka-configs-format';

const USAGE = 'kafka-configs --bootstrap-server <host:port> --entity-type <topics|brokers> (--entity-name <name> | --entity-default) (--describe [--all] | --alter [--add-config k=v,k2=[a,b]] [--delete-config k,k2])';

export type EntityType = 'topics' | 'brokers';

interface ConfigsArgs {
  bootstrapServer?: string;
  zookeeper?: string;
  entityType?: string[];
  entityName?: string[];
  entityDefault?: boolean;
  topic?: string;
  broker?: string;
  brokerDefaults?: boolean;
  describe?: boolean;
  alter?: boolean;
  all?: boolean;
  addConfig?: string;
  deleteConfig?: string[];
}

export interface ConfigCommand {
  bootstrapServer: string;
  entityType: EntityType;
  /** null: every entity of the type (describe only); '' the cluster default (brokers). */
  entityName: string | null;
  action: 'describe' | 'alter';
  all: boolean;
  add: Array<[string, string]>;
  delete: string[];
}

/** ConfigCommandOptions.checkArgs for the topic and broker entity types, in its words. */
export function configCommand(a: ConfigsArgs): ConfigCommand {
  const actions = [a.describe === true, a.alter === true].filter(Boolean).length;
  if (actions !== 1) throw new ToolError('Command must include exactly one action: --describe, --alter');
  if (a.zookeeper !== undefined) throw new ToolError('--zookeeper is not supported by this kafka-configs; use --bootstrap-server');
  if (a.bootstrapServer === undefined || a.bootstrapServer === '') throw new ToolError('One of the required --bootstrap-server or --zookeeper arguments must be specified');
  const types = [...(a.entityType ?? [])];
  const names = [...(a.entityName ?? [])];
  let isDefault = a.entityDefault === true;
  if (a.topic !== undefined) {
    types.push('topics');
    names.push(a.topic);
  }
  if (a.broker !== undefined) {
    types.push('brokers');
    names.push(a.broker);
  }
  if (a.brokerDefaults === true) {
    types.push('brokers');
    isDefault = true;
  }
  if (types.length === 0) throw new ToolError('At least one entity type must be specified');
  if (types.length > 1) throw new ToolError('Only one entity type is supported here (topics or brokers)');
  const type = types[0];
  if (type !== 'topics' && type !== 'brokers') throw new ToolError(`Invalid entity type ${type ?? ''}, the entity type must be one of topics, brokers`);
  if (names.length > 1 || (names.length === 1 && isDefault)) throw new ToolError('Only one of --entity-name or --entity-default can be specified with each --entity-type');
  if (type === 'topics' && isDefault) throw new ToolError('--entity-default is not allowed with --entity-type topics');
  const name = isDefault ? '' : (names[0] ?? null);
  if (name !== null && name !== '') {
    if (type === 'topics') validateTopicName(name);
    else if (!/^-?\d+$/.test(name)) throw new ToolError(`The entity name for brokers must be a valid integer broker id, found: ${name}`);
  }
  if (a.all === true && a.describe !== true) throw new ToolError('Option "[all]" can\'t be used with option "[alter]"');
  const add = a.addConfig === undefined ? [] : parseConfigsToBeAdded(a.addConfig);
  const del = parseConfigsToBeDeleted(a.deleteConfig ?? []);
  if (a.alter === true) {
    if (name === null) throw new ToolError(`an entity name must be specified with --alter of ${type}`);
    if (add.length === 0 && del.length === 0) throw new ToolError('At least one of --add-config or --delete-config must be specified with --alter');
  } else if (add.length > 0 || del.length > 0) throw new ToolError('Option "[add-config]" or "[delete-config]" can\'t be used with option "[describe]"');
  return { bootstrapServer: a.bootstrapServer, entityType: type, entityName: name, action: a.alter === true ? 'alter' : 'describe', all: a.all === true, add, delete: del };
}

export async function kafkaConfigs(argv: readonly string[], out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  const a = (await toolParser('kafka-configs', argv, USAGE)
    .option('bootstrap-server', { type: 'string', describe: 'The Kafka server to connect to, host:port (comma-separated list allowed).' })
    .option('zookeeper', { type: 'string', hidden: true })
    .option('entity-type', { type: 'string', array: true, describe: 'Type of entity (topics/brokers).' })
    .option('entity-name', { type: 'string', array: true, describe: 'Name of entity (topic name/broker id).' })
    .option('entity-default', { type: 'boolean', describe: 'Default entity name for brokers (applies to the cluster-wide default config).' })
    .option('topic', { type: 'string', describe: "The topic's name (same as --entity-type topics --entity-name <topic>)." })
    .option('broker', { type: 'string', describe: "The broker's id (same as --entity-type brokers --entity-name <id>)." })
    .option('broker-defaults', { type: 'boolean', describe: 'The config defaults for all brokers (same as --entity-type brokers --entity-default).' })
    .option('describe', { type: 'boolean', describe: 'List configs for the given entity.' })
    .option('alter', { type: 'boolean', describe: 'Alter the configuration for the entity.' })
    .option('all', { type: 'boolean', describe: 'List all configs for the given topic or broker, including static and default values (with --describe).' })
    .option('add-config', { type: 'string', describe: 'Key Value pairs of configs to add. Square brackets group values which contain commas: k1=v1,k2=[v1,v2,v2],k3=v3.' })
    .option('delete-config', { type: 'string', array: true, describe: 'Config keys to remove: k1,k2.' })
    .parseAsync()) as unknown as ConfigsArgs;
  const cmd = configCommand(a);
  const failure = (message: string): ToolError => new ToolError(`Error while executing config command with args '${argv.join(' ')}': ${message}`);
  // The protocol layer loads only now, so --help and argument mistakes answer fast.
  const { AdminConnection } = require('./common/admin-connection') as typeof import('./common/admin-connection');
  const { ConfigClient } = require('./kafka-configs-actions') as typeof import('./kafka-configs-actions');
  const conn = await AdminConnection.connect({ bootstrapServers: cmd.bootstrapServer, clientId: 'kafka-configs', timeoutMs: 10_000 });
  try {
    const client = new ConfigClient(conn, failure);
    if (cmd.action === 'alter') {
      const name = cmd.entityName ?? '';
      await client.alter(cmd, name);
      out(alterCompleted(cmd.entityType, name));
      return 0;
    }
    let names: string[];
    if (cmd.entityName !== null) names = [cmd.entityName];
    else if (cmd.entityType === 'topics') names = (await conn.metadata(null, true)).topics.map((t) => t.name ?? '').sort();
    else names = [...(await conn.brokers()).map((b) => b.id).sort((x, y) => x - y).map(String), ''];
    for (const name of names) {
      out(describeHeading(cmd.entityType, name, cmd.all));
      for (const c of await client.describe(cmd.entityType, name, cmd.all)) out(formatConfigEntry(c));
    }
  } finally {
    await conn.close();
  }
  return 0;
}

if (require.main === module) void runTool('', () => kafkaConfigs(process.argv.slice(2)));
