/**
 * kafka-log-dirs: Kafka 2.8's LogDirsCommand. Sends DescribeLogDirs (every topic) to each broker (or
 * those of --broker-list) and prints what the brokers hold per log directory as Kafka's JSON line:
 * {"version":1,"brokers":[{"broker":1,"logDirs":[{"logDir":"/x","error":null,"partitions":[…]}]}]}.
 */
import type { DescribeLogDirsResponse } from '../../../broker/src/protocol/generated/describe-log-dirs-response';
import { requireArg, runTool, toolParser } from './common/cli';
import { ToolError } from './common/tool-error';

const USAGE = 'kafka-log-dirs --bootstrap-server <host:port> --describe [--broker-list 1,2] [--topic-list t1,t2]';

interface LogDirsArgs {
  bootstrapServer?: string;
  describe?: boolean;
  brokerList?: string;
  topicList?: string;
  timeout: number;
}

export async function kafkaLogDirs(argv: readonly string[], out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  const a = (await toolParser('kafka-log-dirs', argv, USAGE)
    .option('bootstrap-server', { type: 'string', describe: 'REQUIRED: the server(s) to use for bootstrapping' })
    .option('describe', { type: 'boolean', describe: 'Describe specified log directories on the specified brokers.' })
    .option('broker-list', { type: 'string', describe: 'The list of brokers to be queried in the form "0,1,2". All brokers in the cluster will be queried if no broker list is specified' })
    .option('topic-list', { type: 'string', default: '', describe: 'The list of topics to be queried in the form "topic1,topic2,topic3". All topics will be queried if no topic list is specified' })
    .option('timeout', { type: 'number', default: 30_000, describe: 'How long to wait for the cluster, in ms.' })
    .parseAsync()) as unknown as LogDirsArgs;
  if (a.describe !== true) throw new ToolError('This tool only supports --describe');
  requireArg(a.bootstrapServer, 'bootstrap-server');
  const topics = new Set((a.topicList ?? '').split(',').filter((t) => t !== ''));
  // The protocol layer loads only now, so --help and argument mistakes answer fast.
  const { formatLogDirsJson, parseBrokerList } = require('./log-dirs-format') as typeof import('./log-dirs-format');
  const requested = a.brokerList === undefined ? null : parseBrokerList(a.brokerList);
  const { ApiKey } = require('../../../broker/src/protocol') as typeof import('../../../broker/src/protocol');
  const { AdminConnection } = require('./common/admin-connection') as typeof import('./common/admin-connection');
  const conn = await AdminConnection.connect({ bootstrapServers: a.bootstrapServer ?? '', clientId: 'kafka-log-dirs', timeoutMs: a.timeout });
  try {
    const clusterBrokers = (await conn.brokers()).map((b) => b.id).sort((x, y) => x - y);
    const missing = (requested ?? []).filter((id) => !clusterBrokers.includes(id));
    if (missing.length > 0) {
      out(`ERROR: The given brokers do not exist from --broker-list: ${missing.join(',')}. Current existent brokers: ${clusterBrokers.join(',')}`);
      return 1;
    }
    const brokers = requested === null ? clusterBrokers : requested.filter((id) => clusterBrokers.includes(id)).sort((x, y) => x - y);
    out('Querying brokers for log directories information');
    const answers = await Promise.all(brokers.map(async (id): Promise<[number, DescribeLogDirsResponse]> => [id, await conn.sendToBroker(id, ApiKey.DescribeLogDirs, { topics: null })]));
    out(`Received log directory information from brokers ${brokers.join(',')}`);
    out(formatLogDirsJson(answers, topics));
  } finally {
    await conn.close();
  }
  return 0;
}

if (require.main === module) void runTool('', () => kafkaLogDirs(process.argv.slice(2)));
