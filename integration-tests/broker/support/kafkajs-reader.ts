/**
 * Reads partitions back with kafkajs's own protocol layer and no consumer group: kafkajs has no
 * assign(), so this drives its internal Cluster (metadata, leader lookup) and Broker.fetch directly,
 * as a group-less consumer that was assigned the partitions would.
 */
import { createRequire } from 'node:module';

const load = createRequire(__filename);

export interface FetchedMessage {
  topic: string;
  partition: number;
  offset: bigint;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

interface KjsMessage {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, Buffer | Buffer[] | null>;
  isControlRecord?: boolean;
}

interface KjsFetchResponse {
  responses: Array<{
    topicName: string;
    partitions: Array<{ partition: number; errorCode: number; highWatermark: string; messages: KjsMessage[] }>;
  }>;
}

interface KjsProduceResponse {
  topics: Array<{ topicName: string; partitions: Array<{ partition: number; errorCode: number; baseOffset: string }> }>;
}

interface KjsBroker {
  produce(request: {
    acks: number;
    timeout: number;
    topicData: Array<{ topic: string; partitions: Array<{ partition: number; messages: Array<{ key: string | null; value: string }> }> }>;
  }): Promise<KjsProduceResponse>;
  fetch(request: {
    replicaId: number;
    isolationLevel: number;
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    topics: Array<{ topic: string; partitions: Array<{ partition: number; fetchOffset: string; maxBytes: number }> }>;
  }): Promise<KjsFetchResponse>;
}

interface KjsMetadata {
  clusterId: string;
  controllerId: number;
  brokers: Array<{ nodeId: number; host: string; port: number }>;
  topicMetadata: Array<{ topic: string; partitionMetadata: Array<{ partitionId: number; leader: number }> }>;
}

interface KjsCluster {
  connect(): Promise<void>;
  metadata(args: { topics: string[] }): Promise<KjsMetadata>;
  findControllerBroker(): Promise<{ deleteTopics(args: { topics: string[]; timeout: number }): Promise<unknown> }>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  refreshMetadata(): Promise<void>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(args: { nodeId: string }): Promise<KjsBroker>;
}

type ClusterConstructor = new (options: Record<string, unknown>) => KjsCluster;

const Cluster = load('kafkajs/src/cluster') as ClusterConstructor;
const loggers = load('kafkajs/src/loggers') as {
  LEVELS: Record<string, number>;
  createLogger(o: { level: number; logCreator: () => () => void }): unknown;
};
const socketFactory = load('kafkajs/src/network/socketFactory') as () => unknown;

/** READ_COMMITTED, kafkajs's default isolation level. */
export const READ_COMMITTED = 1;

export class KafkajsPartitionReader {
  private constructor(private readonly cluster: KjsCluster) {}

  static async connect(bootstrapServers: string): Promise<KafkajsPartitionReader> {
    const cluster = new Cluster({
      brokers: bootstrapServers.split(','),
      clientId: 'samsa-integration-reader',
      logger: loggers.createLogger({ level: loggers.LEVELS.NOTHING, logCreator: () => () => undefined }),
      socketFactory: socketFactory(),
      connectionTimeout: 3000,
      requestTimeout: 30_000,
      enforceRequestTimeout: true,
      metadataMaxAge: 300_000,
      retry: { retries: 5, initialRetryTime: 200 },
      allowAutoTopicCreation: false,
      maxInFlightRequests: null,
      isolationLevel: READ_COMMITTED,
    });
    await cluster.connect();
    return new KafkajsPartitionReader(cluster);
  }

  /**
   * Fetches `partition` of `topic` from offset `from` until `count` messages arrived (or
   * `timeoutMs` passed), from the partition's leader as Metadata names it.
   */
  async readPartition(topic: string, partition: number, count: number, from = 0n, timeoutMs = 20_000): Promise<FetchedMessage[]> {
    await this.cluster.addTargetTopic(topic);
    await this.cluster.refreshMetadata();
    const leaders = this.cluster.findLeaderForPartitions(topic, [partition]);
    const leaderId = Object.keys(leaders)[0];
    if (leaderId === undefined) throw new Error(`no leader for ${topic}-${partition} in kafkajs's metadata`);
    const broker = await this.cluster.findBroker({ nodeId: leaderId });
    const out: FetchedMessage[] = [];
    let offset = from;
    const deadline = Date.now() + timeoutMs;
    while (out.length < count && Date.now() < deadline) {
      const response = await broker.fetch({
        replicaId: -1,
        isolationLevel: READ_COMMITTED,
        maxWaitTime: 500,
        minBytes: 1,
        maxBytes: 8 * 1024 * 1024,
        topics: [{ topic, partitions: [{ partition, fetchOffset: offset.toString(), maxBytes: 4 * 1024 * 1024 }] }],
      });
      for (const t of response.responses) {
        for (const p of t.partitions) {
          for (const m of p.messages) {
            const o = BigInt(m.offset);
            // A fetch returns whole batches, which may start before the requested offset.
            if (o < offset || m.isControlRecord === true) continue;
            out.push({
              topic: t.topicName,
              partition: p.partition,
              offset: o,
              key: m.key === null ? null : m.key.toString('utf8'),
              value: m.value === null ? null : m.value.toString('utf8'),
              headers: headerStrings(m.headers),
            });
            offset = o + 1n;
          }
        }
      }
    }
    return out;
  }

  /**
   * Metadata for `topics` only. kafkajs's admin asks for every topic and throws on any partition
   * without a leader (LEADER_NOT_AVAILABLE, normal while a broker is down); this does not.
   */
  async metadata(topics: string[]): Promise<KjsMetadata> {
    return this.cluster.metadata({ topics });
  }

  /** DeleteTopics sent to the controller (found through metadata of `viaTopic`, which must have leaders). */
  async deleteTopics(topics: string[], timeoutMs: number, viaTopic: string): Promise<void> {
    // Loads metadata for viaTopic only (an empty target list would ask for every topic).
    await this.cluster.addTargetTopic(viaTopic);
    const controller = await this.cluster.findControllerBroker();
    await controller.deleteTopics({ topics, timeout: timeoutMs });
  }

  /**
   * Produce (acks=1) to one partition on the broker `leaderId` (known from ZooKeeper), with broker
   * addresses from metadata of `viaTopic`: kafkajs's producer gives up on a whole topic while any of
   * its partitions is leaderless, which Kafka reports (LEADER_NOT_AVAILABLE) for offline partitions.
   */
  async produceTo(leaderId: number, topic: string, partition: number, values: string[], viaTopic: string): Promise<{ errorCode: number; baseOffset: bigint }> {
    await this.cluster.addTargetTopic(viaTopic);
    const broker = await this.cluster.findBroker({ nodeId: String(leaderId) });
    const response = await broker.produce({
      acks: 1,
      timeout: 30_000,
      topicData: [{ topic, partitions: [{ partition, messages: values.map((value) => ({ key: null, value })) }] }],
    });
    const p = response.topics[0].partitions[0];
    return { errorCode: p.errorCode, baseOffset: BigInt(p.baseOffset) };
  }

  async disconnect(): Promise<void> {
    await this.cluster.disconnect();
  }
}

function headerStrings(headers: Record<string, Buffer | Buffer[] | null> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === null) continue;
    out[k] = Array.isArray(v) ? v.map((b) => b.toString('utf8')).join(',') : v.toString('utf8');
  }
  return out;
}
