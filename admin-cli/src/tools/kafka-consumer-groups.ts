/**
 * kafka-consumer-groups: Kafka 2.8's ConsumerGroupCommand over --bootstrap-server: --list [--state],
 * --describe (offsets, --members [--verbose], --state) in its column layout, --reset-offsets (plan by
 * default or with --dry-run, applied with --execute on an inactive group), --delete, --delete-offsets.
 */
import { invalidWith, requireArg, runTool, toolParser } from './common/cli';
import { ToolError } from './common/tool-error';

const USAGE = 'kafka-consumer-groups --bootstrap-server <host:port> (--list | --describe | --reset-offsets | --delete | --delete-offsets) [--group <group>] [options]';

export interface GroupsArgs {
  bootstrapServer?: string;
  list?: boolean;
  describe?: boolean;
  resetOffsets?: boolean;
  delete?: boolean;
  deleteOffsets?: boolean;
  group?: string[];
  allGroups?: boolean;
  members?: boolean;
  verbose?: boolean;
  offsets?: boolean;
  state?: string | boolean;
  topic?: string[];
  allTopics?: boolean;
  toEarliest?: boolean;
  toLatest?: boolean;
  toCurrent?: boolean;
  toOffset?: number;
  shiftBy?: number;
  toDatetime?: string;
  byDuration?: string;
  dryRun?: boolean;
  execute?: boolean;
  timeout: number;
}

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

function checkArgs(a: GroupsArgs): void {
  const actions = [a.list, a.describe, a.resetOffsets, a.delete, a.deleteOffsets].filter(Boolean).length;
  if (actions !== 1) throw new ToolError('Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets');
  requireArg(a.bootstrapServer, 'bootstrap-server');
  if ((a.describe || a.delete) && (a.group ?? []).length === 0 && !a.allGroups) throw new ToolError('Option [describe] takes one of these options: [all-groups], [group]');
  if ((a.resetOffsets || a.deleteOffsets) && (a.group ?? []).length === 0 && !a.allGroups) requireArg(undefined, 'group');
  invalidWith(a.members === true, 'members', [[a.list === true, 'list'], [a.resetOffsets === true, 'reset-offsets'], [a.delete === true, 'delete'], [a.offsets === true, 'offsets'], [a.state !== undefined && a.describe === true, 'state']]);
  invalidWith(a.execute === true, 'execute', [[a.dryRun === true, 'dry-run']]);
  if (a.resetOffsets && (a.topic ?? []).length === 0 && !a.allTopics) throw new ToolError('Option [reset-offsets] takes one of these options: [all-topics], [topic]');
  if (a.deleteOffsets && (a.topic ?? []).length === 0) requireArg(undefined, 'topic');
}

export async function kafkaConsumerGroups(argv: readonly string[], io: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) }): Promise<number> {
  const a = (await toolParser('kafka-consumer-groups', argv, USAGE)
    .option('bootstrap-server', { type: 'string', describe: 'REQUIRED: The server(s) to connect to (host:port, comma-separated).' })
    .option('list', { type: 'boolean', describe: 'List all consumer groups.' })
    .option('describe', { type: 'boolean', describe: 'Describe consumer group and list offset lag (number of messages not yet processed) related to given group.' })
    .option('reset-offsets', { type: 'boolean', describe: 'Reset offsets of consumer group. Supports one consumer group at a time; the group must be inactive. Plan only unless --execute.' })
    .option('delete', { type: 'boolean', describe: 'Pass in groups to delete topic partition offsets and ownership information over the entire consumer group.' })
    .option('delete-offsets', { type: 'boolean', describe: 'Delete offsets of consumer group. Supports one consumer group at the time, and multiple topics.' })
    .option('group', { type: 'string', array: true, describe: 'The consumer group we wish to act on (repeatable).' })
    .option('all-groups', { type: 'boolean', describe: 'Apply to all consumer groups.' })
    .option('members', { type: 'boolean', describe: 'Describe members of the group.' })
    .option('verbose', { type: 'boolean', describe: 'With --members: show each member\'s assignment.' })
    .option('offsets', { type: 'boolean', describe: 'Describe the group and list all topic partitions in the group along with their offset lag (the default).' })
    .option('state', { type: 'string', describe: 'With --describe: the group\'s state. With --list: filter by states (comma-separated, e.g. stable,empty).' })
    .option('topic', { type: 'string', array: true, describe: 'The topic whose offsets to reset or delete: topic or topic:0,1,2.' })
    .option('all-topics', { type: 'boolean', describe: 'With --reset-offsets: every topic the group has offsets for.' })
    .option('to-earliest', { type: 'boolean', describe: 'Reset offsets to the earliest offset.' })
    .option('to-latest', { type: 'boolean', describe: 'Reset offsets to the latest offset.' })
    .option('to-current', { type: 'boolean', describe: 'Reset offsets to the current offset.' })
    .option('to-offset', { type: 'number', describe: 'Reset offsets to a specific offset.' })
    .option('shift-by', { type: 'number', describe: 'Shift the current offsets by n (may be negative).' })
    .option('to-datetime', { type: 'string', describe: "Reset offsets to the first offset at or after a datetime, format 'YYYY-MM-DDTHH:mm:SS.sss'." })
    .option('by-duration', { type: 'string', describe: "Reset offsets to the first offset at or after now minus a duration, format 'PnDTnHnMnS'." })
    .option('dry-run', { type: 'boolean', describe: 'Only show the result of the reset (the default).' })
    .option('execute', { type: 'boolean', describe: 'Execute the reset.' })
    .option('timeout', { type: 'number', default: 5000, describe: 'How long to wait for the cluster and the group coordinator, in ms.' })
    .parseAsync()) as unknown as GroupsArgs;
  checkArgs(a);
  // The protocol layer loads only now, so --help and argument mistakes answer fast.
  const { runGroupsCommand } = require('./kafka-consumer-groups-actions') as typeof import('./kafka-consumer-groups-actions');
  await runGroupsCommand(a, io);
  return 0;
}

if (require.main === module) void runTool('Error: ', () => kafkaConsumerGroups(process.argv.slice(2)));
