/**
 * kafka-broker-api-versions: Kafka 2.8's BrokerApiVersionsCommand. Asks every broker for its
 * ApiVersions and prints them as NodeApiVersions.toString(true) does: one line per API in key order,
 * "Name(key): min to max [usable: v]" where v is the highest version this client can use, and
 * "UNSUPPORTED" for an API the client knows but the broker does not serve.
 */
import { requireArg, runTool, toolParser } from './common/cli';

const USAGE = 'kafka-broker-api-versions --bootstrap-server <host:port>';

interface ApiVersionsArgs {
  bootstrapServer?: string;
  timeout: number;
}

export async function kafkaBrokerApiVersions(argv: readonly string[], out: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const a = (await toolParser('kafka-broker-api-versions', argv, USAGE)
    .option('bootstrap-server', { type: 'string', describe: 'REQUIRED: The server to connect to.' })
    .option('timeout', { type: 'number', default: 30_000, describe: 'How long to wait for the cluster, in ms.' })
    .parseAsync()) as unknown as ApiVersionsArgs;
  requireArg(a.bootstrapServer, 'bootstrap-server');
  // The protocol layer loads only now, so --help and argument mistakes answer fast.
  const { ApiKey, ErrorCode, errorForCode } = require('../../../broker/src/protocol') as typeof import('../../../broker/src/protocol');
  const { AdminConnection } = require('./common/admin-connection') as typeof import('./common/admin-connection');
  const { formatNodeApiVersions, nodeText } = require('./broker-api-versions-format') as typeof import('./broker-api-versions-format');
  const conn = await AdminConnection.connect({ bootstrapServers: a.bootstrapServer ?? '', clientId: 'kafka-broker-api-versions', timeoutMs: a.timeout });
  try {
    const nodes = [...(await conn.metadata(null)).brokers].sort((x, y) => x.nodeId - y.nodeId);
    for (const node of nodes) {
      try {
        // v0 is understood by every broker, whatever it supports.
        const res = await conn.sendToBroker(node.nodeId, ApiKey.ApiVersions, { clientSoftwareName: 'samsa-admin', clientSoftwareVersion: '0.1.0' }, 0);
        if (res.errorCode !== ErrorCode.NONE) out(`${nodeText(node)} -> ERROR: ${errorForCode(res.errorCode).message}\n`);
        else out(`${nodeText(node)} -> ${formatNodeApiVersions(res.apiKeys)}\n`);
      } catch (err) {
        out(`${nodeText(node)} -> ERROR: ${err instanceof Error ? err.message : String(err)}\n`);
      }
    }
  } finally {
    await conn.close();
  }
  return 0;
}

if (require.main === module) void runTool('', () => kafkaBrokerApiVersions(process.argv.slice(2)));
