/**
 * kafka-broker-api-versions' output, as Kafka's NodeApiVersions.toString(true) and Node.toString word it.
 */
import { ALL_API_KEYS, API_CODECS, type ApiMessages } from '../../../broker/src/protocol';
import type { ApiVersion } from '../../../broker/src/protocol/generated/api-versions-response';

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
