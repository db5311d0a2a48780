/**
 * One KafkaCluster per test file (started in beforeAll, stopped in afterAll even when tests fail),
 * plus kafkajs clients that are disconnected with it.
 */
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { KafkaCluster, type KafkaClusterOptions } from '../../helpers/kafka-cluster';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

export interface ClusterFixture {
  /** The running cluster (throws before beforeAll has run). */
  readonly cluster: KafkaCluster;
  /** A kafkajs client on the given bootstrap list (default: every broker). */
  kafka(bootstrap?: string): Kafka;
  /** A connected admin client, disconnected in afterAll. */
  admin(bootstrap?: string): Promise<Admin>;
  /** A connected producer, disconnected in afterAll. */
  producer(bootstrap?: string): Promise<Producer>;
}

/** Registers beforeAll/afterAll hooks for one cluster shared by the file's tests. */
export function useKafkaCluster(options: KafkaClusterOptions, startTimeoutMs = 180_000): ClusterFixture {
  let cluster: KafkaCluster | undefined;
  const clients: Array<{ disconnect(): Promise<void> }> = [];

  beforeAll(async () => {
    cluster = await KafkaCluster.start(options);
  }, startTimeoutMs);

  afterAll(async () => {
    await Promise.all(clients.splice(0).map((c) => c.disconnect().catch(() => undefined)));
    if (cluster !== undefined) {
      if (process.env.SAMSA_PRINT_BROKER_LOGS !== undefined) process.stdout.write(`${cluster.tails(60)}\n`);
      await cluster.stop();
    }
  }, 60_000);

  const fixture: ClusterFixture = {
    get cluster(): KafkaCluster {
      if (cluster === undefined) throw new Error('the cluster did not start (see beforeAll)');
      return cluster;
    },
    kafka(bootstrap?: string): Kafka {
      return new Kafka({
        clientId: 'samsa-integration',
        brokers: (bootstrap ?? fixture.cluster.bootstrapServers).split(','),
        logLevel: logLevel.NOTHING,
        connectionTimeout: 3000,
        requestTimeout: 30_000,
        retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 2000 },
      });
    },
    async admin(bootstrap?: string): Promise<Admin> {
      const admin = fixture.kafka(bootstrap).admin();
      await admin.connect();
      clients.push(admin);
      return admin;
    },
    async producer(bootstrap?: string): Promise<Producer> {
      const producer = fixture.kafka(bootstrap).producer({ allowAutoTopicCreation: false });
      await producer.connect();
      clients.push(producer);
      return producer;
    },
  };
  return fixture;
}
