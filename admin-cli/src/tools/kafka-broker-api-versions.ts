/**
 * kafka-broker-api-versions: Kafka 2.8's BrokerApiVersionsCommand. Asks every broker for its
 * ApiVersions and prints them as NodeApiVersions.toString(true) does: one line per API in key order,
 * "Name(key): min to max [usable: v]" where v is the highest version this client can use, and
 * "UNSUPPORTED" for an API the client knows but the broker does not serve.
 */
import { ALL_API_KEYS, API_CODECS, ApiKey, ErrorCode, errorForCode, type ApiMessages } from '../../../broker/src/protocol';
import type { ApiVersion } from '../../../broker/src/protocol/generated/api-versions-response';
import { AdminConnection } from './common/admin-connection';
import { requireArg, runTool, toolParser } from './common/cli';

const USAGE = 'kafka-broker-api-versions --bootstrap-server <host:port>';

interface ApiVersionsArgs {
  bootstrapServer?: string;
  timeout: number;
}

interface ClientApi {
  name: string;
  minVersion: number;
  maxVersion: number;
}

function clientApi(apiKey: number): ClientApi | undefined {
  return API_CODECS[apiKey as keyof ApiMessages] as ClientApi | undefined;
}

function versionRange(min: number, max: number): string {
  return min === max ? `${min}` : `${min} to ${max}`;
}

/** One API's text, as NodeApiVersions.apiVersionToText words it. */
export function apiVersionToText(v: ApiVersion): string {
  const known = clientApi(v.apiKey);
  if (known === undefined) return `UNKNOWN(${v.apiKey}): ${versionRange(v.minVersion, v.maxVersion)}`;
  const head = `${known.name}(${v.apiKey}): ${versionRange(v.minVersion, v.maxVersion)}`;
  if (known.maxVersion < v.minVersion) return `${head} [unusable: node too new]`;
  if (v.maxVersion < known.minVersion) return `${head} [unusable: node too old]`;
  return `${head} [usable: ${Math.min(known.maxVersion, v.maxVersion)}]`;
}

/** NodeApiVersions.toString(true): "(\n\tA,\n\tB\n)" in API key order. */
export function formatNodeApiVersions(apiKeys: readonly ApiVersion[], clientKeys: readonly number[] = ALL_API_KEYS): string {
  const byKey = new Map<number, string>();
  for (const v of apiKeys) byKey.set(v.apiKey, apiVersionToText(v));
  for (const k of clientKeys) if (!byKey.has(k)) byKey.set(k, `${clientApi(k)?.name ?? `UNKNOWN`}(${k}): UNSUPPORTED`);
  const lines = [...byKey].sort(([x], [y]) => x - y).map(([, text]) => text);
  return `(\n\t${lines.join(',\n\t')}\n)`;
}

/** Kafka's Node.toString: "host:port (id: 1 rack: null)". */
export function nodeText(node: { nodeId: number; host: string; port: number; rack: string | null }): string {
  return `${node.host}:${node.port} (id: ${node.nodeId} rack: ${node.rack ?? 'null'})`;
}

export async function kafkaBrokerApiVersions(argv: readonly string[], out: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const a = (await toolParser('kafka-broker-api-versions', argv, USAGE)
    .option('bootstrap-server', { type: 'string', describe: 'REQUIRED: The server to connect to.' })
    .option('timeout', { type: 'number', default: 30_000, describe: 'How long to wait for the cluster, in ms.' })
    .parseAsync()) as unknown as ApiVersionsArgs;
  requireArg(a.bootstrapServer, 'bootstrap-server');
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
