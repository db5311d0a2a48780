/**
 * kafkajs against a 3-ZooKeeper + 3-broker Samsa cluster: the admin creates topics, the producer sends
 * keyed batches (plain and gzip), and the partitions are read back without a consumer group (kafkajs's
 * own fetch path, as an assigned consumer) with order and content intact.
 */
import { CompressionTypes, type Admin, type Message } from 'kafkajs';
import { ClusterIdZNode } from '../../broker/src/zk/znodes';
import { KafkajsPartitionReader, type FetchedMessage } from './support/kafkajs-reader';
import { useKafkaCluster } from './support/fixture';

jest.setTimeout(120_000);

const fx = useKafkaCluster({ zookeepers: 3, brokers: 3 });
let admin: Admin;
let reader: KafkajsPartitionReader | undefined;

beforeAll(async () => {
  admin = await fx.admin();
  reader = await KafkajsPartitionReader.connect(fx.cluster.bootstrapServers);
}, 60_000);

afterAll(async () => {
  await reader?.disconnect();
});

const KEYED = 'kjs-keyed';
const GZIP = 'kjs-gzip';
const REPLICATED = 'kjs-rf3';

/** Every message of every partition of `topic`, partition by partition. */
async function readAll(topic: string, partitions: number, expectedPerPartition: (p: number) => number): Promise<FetchedMessage[]> {
  const out: FetchedMessage[] = [];
  for (let p = 0; p < partitions; p++) out.push(...(await reader!.readPartition(topic, p, expectedPerPartition(p))));
  return out;
}

test('CreateTopics from the kafkajs admin creates topics whose Metadata shows the partitions, replicas and a leader', async () => {
  const created = await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic: KEYED, numPartitions: 6, replicationFactor: 1 },
      { topic: GZIP, numPartitions: 2, replicationFactor: 1 },
      { topic: REPLICATED, numPartitions: 3, replicationFactor: 3 },
    ],
  });
  expect(created).toBe(true);
  const { topics } = await admin.fetchTopicMetadata({ topics: [KEYED, GZIP, REPLICATED] });
  const byName = new Map(topics.map((t) => [t.name, t]));
  expect(byName.get(KEYED)?.partitions).toHaveLength(6);
  expect(byName.get(GZIP)?.partitions).toHaveLength(2);
  const rf3 = byName.get(REPLICATED)!.partitions.sort((a, b) => a.partitionId - b.partitionId);
  expect(rf3).toHaveLength(3);
  for (const p of rf3) {
    expect(new Set(p.replicas)).toEqual(new Set(fx.cluster.brokerIds));
    // The preferred replica (first in the assignment) leads a fresh partition, with every replica in the ISR.
    expect(p.leader).toBe(p.replicas[0]);
    expect([...p.isr].sort()).toEqual([...p.replicas].sort());
  }
  // Kafka spreads the first replicas of consecutive partitions over consecutive brokers.
  expect(new Set(rf3.map((p) => p.replicas[0])).size).toBe(3);
  expect(await admin.listTopics()).toEqual(expect.arrayContaining([KEYED, GZIP, REPLICATED]));
});

test('CreateTopics for an existing topic is refused with TOPIC_ALREADY_EXISTS', async () => {
  // kafkajs answers false exactly when every topic failed with TOPIC_ALREADY_EXISTS.
  await expect(admin.createTopics({ topics: [{ topic: KEYED, numPartitions: 1, replicationFactor: 1 }] })).resolves.toBe(false);
});

test('DescribeCluster/Metadata names the three brokers, the controller from /controller and the cluster id from /cluster/id', async () => {
  const described = await admin.describeCluster();
  expect(described.brokers.map((b) => b.nodeId).sort()).toEqual(fx.cluster.brokerIds);
  for (const b of described.brokers) expect(`${b.host}:${b.port}`).toBe(fx.cluster.brokerAddress(b.nodeId));
  expect(described.controller).toBe(await fx.cluster.controllerId());
  const clusterId = await fx.cluster.readZk(ClusterIdZNode.path);
  expect(described.clusterId).toBe(ClusterIdZNode.decode(clusterId!.data));
});

test('keyed batches (acks=1 and acks=-1) read back without a group: each key on one partition, in send order, offsets from 0', async () => {
  const producer = await fx.producer();
  const sent: Message[] = [];
  for (let batch = 0; batch < 4; batch++) {
    const messages: Message[] = [];
    for (let i = 0; i < 50; i++) {
      const n = batch * 50 + i;
      messages.push({ key: `key-${n % 17}`, value: `value-${n}-${'x'.repeat(n % 40)}`, headers: { n: String(n) } });
    }
    await producer.send({ topic: KEYED, acks: batch % 2 === 0 ? 1 : -1, messages });
    sent.push(...messages);
  }

  const offsets = await admin.fetchTopicOffsets(KEYED);
  const high = new Map(offsets.map((o) => [o.partition, Number(o.high)]));
  expect(offsets.every((o) => o.low === '0')).toBe(true);
  expect([...high.values()].reduce((a, b) => a + b, 0)).toBe(sent.length);

  const got = await readAll(KEYED, 6, (p) => high.get(p) ?? 0);
  expect(got).toHaveLength(sent.length);
  const partitionOfKey = new Map<string, number>();
  for (let p = 0; p < 6; p++) {
    const inPartition = got.filter((m) => m.partition === p);
    expect(inPartition.map((m) => m.offset)).toEqual(inPartition.map((_, i) => BigInt(i)));
    for (const m of inPartition) {
      const seen = partitionOfKey.get(m.key!);
      if (seen !== undefined) expect(seen).toBe(p);
      partitionOfKey.set(m.key!, p);
    }
  }
  // Per key, values and headers arrive exactly as sent and in send order.
  for (const key of new Set(sent.map((m) => String(m.key)))) {
    const expected = sent.filter((m) => m.key === key).map((m) => ({ value: String(m.value), n: String(m.headers!.n) }));
    const actual = got.filter((m) => m.key === key).map((m) => ({ value: m.value, n: m.headers.n }));
    expect(actual).toEqual(expected);
  }
});

test('gzip-compressed batches are stored and fetched back with identical records, in order', async () => {
  const producer = await fx.producer();
  const perPartition: Message[][] = [[], []];
  for (let batch = 0; batch < 3; batch++) {
    for (const partition of [0, 1]) {
      const messages: Message[] = Array.from({ length: 100 }, (_, i) => ({
        partition,
        key: `gz-${partition}-${batch}-${i}`,
        value: `compressible ${'abc'.repeat(20)} ${batch}/${i}`,
      }));
      const [result] = await producer.send({ topic: GZIP, acks: 1, compression: CompressionTypes.GZIP, messages });
      expect(result.errorCode).toBe(0);
      // Each append's base offset follows the previous batches of its partition.
      expect(result.baseOffset).toBe(String(batch * 100));
      perPartition[partition].push(...messages);
    }
  }
  for (const partition of [0, 1]) {
    const got = await reader!.readPartition(GZIP, partition, 300);
    expect(got.map((m) => [m.offset, m.key, m.value])).toEqual(
      perPartition[partition].map((m, i) => [BigInt(i), String(m.key), String(m.value)]),
    );
  }
});

test('ListOffsets answers earliest 0 and latest = records produced for each partition', async () => {
  const offsets = await admin.fetchTopicOffsets(GZIP);
  expect(offsets.sort((a, b) => a.partition - b.partition).map((o) => [o.low, o.high])).toEqual([
    ['0', '300'],
    ['0', '300'],
  ]);
});

test('a fetch from an offset in the middle of a compressed batch starts at that offset', async () => {
  const got = await reader!.readPartition(GZIP, 1, 10, 150n);
  expect(got[0].offset).toBe(150n);
  expect(got[0].key).toBe('gz-1-1-50');
});
