/**
 * How the admin tools talk to a cluster: Kafka's own protocol through Samsa's protocol layer, so the
 * tools can use every API a 2.8 broker serves (topic ids, reassignments, elections) and get Kafka's exact
 * error messages. The bootstrap servers are tried in order; ApiVersions picks, per API, the highest
 * version both sides speak (the tools work against Kafka 2.8 itself too); Metadata finds the brokers and
 * the controller, to which admin requests go.
 */
import { BrokerClient, BrokerClientError } from '../../../../broker/src/network/broker-client';
import { API_CODECS, ApiKey, ZERO_UUID, type ApiMessages } from '../../../../broker/src/protocol';
import type { MetadataResponse } from '../../../../broker/src/protocol/generated/metadata-response';
import { ToolError } from './tool-error';

export interface AdminConnectionOptions {
  bootstrapServers: string;
  clientId: string;
  /** How long to wait for the cluster (connect + each request). */
  timeoutMs: number;
}

interface Node {
  id: number;
  host: string;
  port: number;
}

function parseServers(list: string): Array<{ host: string; port: number }> {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const colon = s.lastIndexOf(':');
      const port = Number(s.slice(colon + 1));
      if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) throw new ToolError(`Invalid url in bootstrap.servers: ${s}`);
      return { host: s.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), port };
    });
}

export class AdminConnection {
  private readonly clients = new Map<string, BrokerClient>();
  private versions = new Map<number, number>();
  private metadataCache: MetadataResponse | null = null;
  private bootstrap: BrokerClient | null = null;

  private constructor(private readonly o: AdminConnectionOptions) {}

  /** Connects to the first reachable bootstrap server; fails with one clear line when none answers. */
  static async connect(o: AdminConnectionOptions): Promise<AdminConnection> {
    const servers = parseServers(o.bootstrapServers);
    if (servers.length === 0) throw new ToolError('No resolvable bootstrap urls given in bootstrap.servers');
    const conn = new AdminConnection(o);
    for (const s of servers) {
      const client = conn.client(s.host, s.port);
      try {
        const res = await client.send(ApiKey.ApiVersions, 0, { clientSoftwareName: 'samsa-admin', clientSoftwareVersion: '0.1.0' });
        if (res.errorCode !== 0) continue;
        for (const k of res.apiKeys) {
          const codec = API_CODECS[k.apiKey as keyof ApiMessages] as { maxVersion: number } | undefined;
          if (codec !== undefined) conn.versions.set(k.apiKey, Math.min(k.maxVersion, codec.maxVersion));
        }
        conn.bootstrap = client;
        return conn;
      } catch (err) {
        if (!(err instanceof BrokerClientError)) throw err;
      }
    }
    await conn.close();
    throw new ToolError(`Could not connect to the cluster at ${o.bootstrapServers} within ${o.timeoutMs} ms (is a broker running there?)`);
  }

  private client(host: string, port: number): BrokerClient {
    const key = `${host}:${port}`;
    let c = this.clients.get(key);
    if (c === undefined) {
      c = new BrokerClient({ host, port, clientId: this.o.clientId, requestTimeoutMs: this.o.timeoutMs, reconnectBackoffMs: 50, reconnectBackoffMaxMs: 200 });
      this.clients.set(key, c);
    }
    return c;
  }

  /** The version to send for `apiKey`: the broker's highest that Samsa's codecs know. */
  version(apiKey: number): number {
    const v = this.versions.get(apiKey);
    if (v === undefined) throw new ToolError(`The cluster does not support ${API_CODECS[apiKey as keyof ApiMessages]?.name ?? `API ${apiKey}`}`);
    return v;
  }

  private async sendVia<K extends keyof ApiMessages>(client: BrokerClient, apiKey: K, request: ApiMessages[K]['request'], version?: number): Promise<ApiMessages[K]['response']> {
    try {
      return await client.send(apiKey, version ?? this.version(apiKey), request);
    } catch (err) {
      if (err instanceof BrokerClientError) throw new ToolError(`${API_CODECS[apiKey].name} to ${client.destination} failed: ${err.message}`);
      throw err;
    }
  }

  /** Sends to the bootstrap broker (any broker can answer). */
  send<K extends keyof ApiMessages>(apiKey: K, request: ApiMessages[K]['request'], version?: number): Promise<ApiMessages[K]['response']> {
    if (this.bootstrap === null) throw new ToolError('not connected');
    return this.sendVia(this.bootstrap, apiKey, request, version);
  }

  /** Sends to one broker by id (from Metadata). */
  async sendToBroker<K extends keyof ApiMessages>(brokerId: number, apiKey: K, request: ApiMessages[K]['request'], version?: number): Promise<ApiMessages[K]['response']> {
    const node = (await this.brokers()).find((b) => b.id === brokerId);
    if (node === undefined) throw new ToolError(`Broker ${brokerId} is not alive`);
    return this.sendVia(this.client(node.host, node.port), apiKey, request, version);
  }

  /** Sends to the active controller (CreateTopics, DeleteTopics, CreatePartitions, elections, reassignments). */
  async sendToController<K extends keyof ApiMessages>(apiKey: K, request: ApiMessages[K]['request'], version?: number): Promise<ApiMessages[K]['response']> {
    const md = await this.metadata(null, true);
    if (md.controllerId < 0) throw new ToolError('The cluster has no active controller');
    return this.sendToBroker(md.controllerId, apiKey, request, version);
  }

  /** Metadata for `topics` (null: every topic), cached unless `refresh`. */
  async metadata(topics: readonly string[] | null, refresh = false): Promise<MetadataResponse> {
    if (!refresh && topics === null && this.metadataCache !== null) return this.metadataCache;
    const res = await this.send(ApiKey.Metadata, {
      topics: topics === null ? null : topics.map((name) => ({ topicId: ZERO_UUID, name })),
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    if (topics === null) this.metadataCache = res;
    return res;
  }

  async brokers(): Promise<Node[]> {
    return (await this.metadata(null)).brokers.map((b) => ({ id: b.nodeId, host: b.host, port: b.port }));
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.close()));
  }
}
