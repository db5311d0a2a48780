/**
 * Cluster-level znodes: /cluster/id, /controller, /controller_epoch, /brokers/ids/<id>, /brokers/seqid
 * (ZkData.scala: ClusterIdZNode, ControllerZNode, ControllerEpochZNode, BrokerIdZNode, BrokerSequenceIdZNode).
 */
import {
  JsonReader,
  ZnodeDataError,
  decodeText,
  encodeJson,
  encodeText,
  parseIntText,
  timestampString,
  type Json,
  type JsonObject,
} from './json';

export const ClusterZNode = { path: '/cluster' } as const;
export const BrokersZNode = { path: '/brokers' } as const;
export const BrokerIdsZNode = { path: '/brokers/ids' } as const;

/** /cluster/id: `{"version":"1","id":"<22-char url-safe base64>"}` — version is a STRING. */
export const ClusterIdZNode = {
  path: '/cluster/id',
  encode(id: string): Buffer {
    return encodeJson({ version: '1', id });
  },
  /** Kafka reads only `id` (must be a string). */
  decode(bytes: Buffer | null): string {
    return JsonReader.parse(ClusterIdZNode.path, bytes).get('id').string();
  },
} as const;

export interface ControllerData {
  brokerId: number;
  /** ms since epoch; absent when the writer did not include one. */
  timestamp?: number;
}

/** /controller (EPHEMERAL): `{"version":1,"brokerid":1,"timestamp":"1620000000000"}`. */
export const ControllerZNode = {
  path: '/controller',
  encode(brokerId: number, timestamp: number = Date.now()): Buffer {
    return encodeJson({ version: 1, brokerid: brokerId, timestamp: String(timestamp) });
  },
  /** Like Kafka, only `brokerid` is required; a numeric timestamp (non-Kafka writer) is tolerated. */
  decode(bytes: Buffer | null): ControllerData {
    const r = JsonReader.parse(ControllerZNode.path, bytes);
    const brokerId = r.get('brokerid').int();
    const ts = r.optNonNull('timestamp');
    if (ts === undefined) return { brokerId };
    return { brokerId, timestamp: typeof ts.value === 'number' ? ts.long() : timestampString(ts) };
  },
} as const;

/** /controller_epoch: plain decimal text (e.g. `3`), not JSON. */
export const ControllerEpochZNode = {
  path: '/controller_epoch',
  encode(epoch: number): Buffer {
    return encodeText(String(epoch));
  },
  decode(bytes: Buffer | null): number {
    return parseIntText(ControllerEpochZNode.path, decodeText(ControllerEpochZNode.path, bytes));
  },
} as const;

/** /brokers/seqid: empty data; its zkVersion drives broker id generation. */
export const BrokerSequenceIdZNode = { path: '/brokers/seqid' } as const;

export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
export const SECURITY_PROTOCOLS: readonly SecurityProtocol[] = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];

export function isSecurityProtocol(s: string): s is SecurityProtocol {
  return (SECURITY_PROTOCOLS as readonly string[]).includes(s);
}

export interface BrokerEndpoint {
  /** Listener name, upper-case as Kafka normalises it (e.g. `PLAINTEXT`, `CLIENT`). */
  listenerName: string;
  securityProtocol: SecurityProtocol;
  /** null when registered without a host (Kafka writes `LISTENER://:port`). */
  host: string | null;
  port: number;
}

/** Supported (broker) feature ranges: `{"<name>":{"min_version":1,"max_version":3}}`. */
export type SupportedFeatures = Record<string, { minVersion: number; maxVersion: number }>;

export interface BrokerRegistration {
  /** JSON schema version: 5 for IBP >= 2.7-IV0 (2.8 default), 4 for 0.10.0-IV1..2.7, else 2. */
  version: number;
  endpoints: BrokerEndpoint[];
  /** -1 when JMX is off. */
  jmxPort: number;
  rack: string | null;
  features: SupportedFeatures;
  /** ms since epoch (written as a string); absent only in hand-made registrations. */
  timestamp?: number;
}

/** `EndPoint.connectionString`: IPv6 hosts in brackets, a null host as the empty string. */
export function endpointConnectionString(ep: BrokerEndpoint): string {
  const host = ep.host === null ? '' : ep.host.includes(':') ? `[${ep.host}]` : ep.host;
  return `${ep.listenerName}://${host}:${ep.port}`;
}

const ENDPOINT_RE = /^(.*):\/\/\[?([0-9a-zA-Z\-%._:]*)\]?:(-?[0-9]+)$/;

/** `EndPoint.createEndPoint`: parses `LISTENER://host:port`; protocol from the map, else the listener name. */
export function parseEndpoint(
  path: string,
  connectionString: string,
  protocolMap: Record<string, string> | undefined,
): BrokerEndpoint {
  const m = ENDPOINT_RE.exec(connectionString);
  if (m === null) throw new ZnodeDataError(path, `unable to parse endpoint ${JSON.stringify(connectionString)}`);
  const listenerName = m[1].toUpperCase();
  const protocolName = protocolMap === undefined ? listenerName : protocolMap[listenerName];
  if (protocolName === undefined) throw new ZnodeDataError(path, `no security protocol for listener ${listenerName}`);
  const protocol = protocolName.toUpperCase();
  if (!isSecurityProtocol(protocol)) throw new ZnodeDataError(path, `unknown security protocol ${protocolName}`);
  const port = Number(m[3]);
  if (!Number.isInteger(port) || port > 65535) throw new ZnodeDataError(path, `invalid port in ${connectionString}`);
  return { listenerName, securityProtocol: protocol, host: m[2] === '' ? null : m[2], port };
}

/** /brokers/ids/<id> (EPHEMERAL). */
export const BrokerIdZNode = {
  template: '/brokers/ids/<id>',
  path(brokerId: number): string {
    return `${BrokerIdsZNode.path}/${brokerId}`;
  },
  /**
   * Kafka's `BrokerIdZNode.encode`: top-level host/port = first PLAINTEXT endpoint (else host null,
   * port -1); `rack` only when set (v3+); listener map v4+; features v5+; timestamp as a string.
   */
  encode(reg: Omit<BrokerRegistration, 'timestamp'> & { timestamp?: number }): Buffer {
    const plaintext = reg.endpoints.find((e) => e.securityProtocol === 'PLAINTEXT');
    const json: JsonObject = {
      version: reg.version,
      host: plaintext === undefined ? null : plaintext.host,
      port: plaintext === undefined ? -1 : plaintext.port,
      endpoints: reg.endpoints.map(endpointConnectionString),
      jmx_port: reg.jmxPort,
      timestamp: String(reg.timestamp ?? Date.now()),
    };
    if (reg.rack !== null && reg.version >= 3) json.rack = reg.rack;
    if (reg.version >= 4) {
      const map: Record<string, Json> = {};
      for (const e of reg.endpoints) map[e.listenerName] = e.securityProtocol;
      json.listener_security_protocol_map = map;
    }
    if (reg.version >= 5) {
      const features: Record<string, Json> = {};
      for (const [name, r] of Object.entries(reg.features)) {
        features[name] = { min_version: r.minVersion, max_version: r.maxVersion };
      }
      json.features = features;
    }
    return encodeJson(json);
  },
  /** Kafka's `BrokerIdZNode.decode`: versions 1..5 (and later, read as v5); version and jmx_port required. */
  decode(bytes: Buffer | null, path: string = '/brokers/ids/<id>'): BrokerRegistration {
    const r = JsonReader.parse(path, bytes);
    const version = r.get('version').int();
    const jmxPort = r.get('jmx_port').int();
    let endpoints: BrokerEndpoint[];
    if (version < 1) {
      return r.fail(`unsupported broker registration version ${version}`);
    } else if (version === 1) {
      const host = r.get('host').nullableString();
      const port = r.get('port').int();
      endpoints = [{ listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host, port }];
    } else {
      const mapReader = r.optNonNull('listener_security_protocol_map');
      let protocolMap: Record<string, string> | undefined;
      if (mapReader !== undefined) {
        protocolMap = {};
        for (const [k, v] of Object.entries(mapReader.stringMap())) protocolMap[k.toUpperCase()] = v;
      }
      endpoints = r.get('endpoints').stringArray().map((s) => parseEndpoint(path, s, protocolMap));
    }
    const rackReader = r.opt('rack');
    const rack = rackReader === undefined ? null : rackReader.nullableString();
    const features: SupportedFeatures = {};
    const fr = r.optNonNull('features');
    if (fr !== undefined) {
      for (const [name, range] of fr.entries()) {
        features[name] = { minVersion: range.get('min_version').int(), maxVersion: range.get('max_version').int() };
      }
    }
    const reg: BrokerRegistration = { version, endpoints, jmxPort, rack, features };
    const ts = r.optNonNull('timestamp');
    if (ts !== undefined) reg.timestamp = typeof ts.value === 'number' ? ts.long() : timestampString(ts);
    return reg;
  },
} as const;
