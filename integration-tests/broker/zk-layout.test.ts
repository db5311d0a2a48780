/**
 * The ZooKeeper layout a 3-broker Samsa cluster writes, path by path and field by field, against
 * Kafka 2.8's (shared/reference/kafka-classic.md §1): value types included (several numbers are
 * strings), ephemeral vs persistent, and the topic deletion protocol through /admin/delete_topics.
 */
import fs from 'node:fs';
import nodePath from 'node:path';
import type { Admin } from 'kafkajs';
import { ConfigResourceTypes } from 'kafkajs';
import type { ZkNode } from '../../broker/src/zk';
import {
  BrokerIdZNode,
  ClusterIdZNode,
  ConfigEntityChangeNotificationZNode,
  ConfigEntityZNode,
  ControllerEpochZNode,
  ControllerZNode,
  DeleteTopicsTopicZNode,
  TopicPartitionStateZNode,
  TopicPartitionsZNode,
  TopicPartitionZNode,
  TopicZNode,
} from '../../broker/src/zk/znodes';
import { waitFor } from '../helpers/wait';
import { KafkajsPartitionReader } from './support/kafkajs-reader';
import { useKafkaCluster } from './support/fixture';

jest.setTimeout(120_000);

const fx = useKafkaCluster({ zookeepers: 3, brokers: 3 });
let admin: Admin;

const RF3 = 'zk-rf3';
const RF1 = 'zk-rf1';
const DOOMED = 'zk-doomed';
const TOPIC_ID = /^[A-Za-z0-9_-]{22}$/;
const MS_STRING = /^[0-9]{13}$/;

beforeAll(async () => {
  admin = await fx.admin();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic: RF3, numPartitions: 3, replicationFactor: 3, configEntries: [{ name: 'retention.ms', value: '1000000' }] },
      { topic: RF1, numPartitions: 4, replicationFactor: 1 },
    ],
  });
}, 60_000);

async function node(path: string): Promise<ZkNode> {
  const n = await fx.cluster.readZk(path);
  if (n === null) throw new Error(`${path} does not exist`);
  return n;
}

async function json(path: string): Promise<Record<string, unknown>> {
  const n = await node(path);
  return JSON.parse((n.data ?? Buffer.alloc(0)).toString('utf8')) as Record<string, unknown>;
}

const keys = (o: object): string[] => Object.keys(o).sort();
const isEmptyData = (n: ZkNode): boolean => n.data === null || n.data.length === 0;

/** True when `assignment` is what Kafka's rack-unaware AdminUtils produces for some start index and shift. */
function isKafkaRackUnawareAssignment(brokers: readonly number[], assignment: ReadonlyMap<number, readonly number[]>): boolean {
  const sorted = [...brokers].sort((a, b) => a - b);
  const n = sorted.length;
  const rf = assignment.get(0)?.length ?? 0;
  for (let start = 0; start < n; start++) {
    for (let initialShift = 0; initialShift < n; initialShift++) {
      let shift = initialShift;
      let matches = true;
      for (let p = 0; p < assignment.size && matches; p++) {
        if (p > 0 && p % n === 0) shift++;
        const first = (p + start) % n;
        const expected = [sorted[first]];
        for (let j = 0; j < rf - 1; j++) expected.push(sorted[(first + 1 + ((shift + j) % (n - 1))) % n]);
        matches = JSON.stringify(expected) === JSON.stringify(assignment.get(p));
      }
      if (matches) return true;
    }
  }
  return false;
}

test('/cluster/id is {"version":"1","id":<22-char url-safe base64>} with version a string', async () => {
  const data = await json(ClusterIdZNode.path);
  expect(keys(data)).toEqual(['id', 'version']);
  expect(data.version).toBe('1');
  expect(data.id).toMatch(TOPIC_ID);
  expect((await node(ClusterIdZNode.path)).stat.ephemeralOwner).toBe('0');
});

test('/brokers/ids/<id> are ephemeral version 5 registrations with endpoints, listener map, jmx_port -1, features {} and a string timestamp', async () => {
  expect(await fx.cluster.zkChildren('/brokers/ids')).toEqual(fx.cluster.brokerIds.map(String));
  for (const id of fx.cluster.brokerIds) {
    const n = await node(BrokerIdZNode.path(id));
    expect(n.stat.ephemeralOwner).not.toBe('0');
    const data = await json(BrokerIdZNode.path(id));
    expect(keys(data)).toEqual(['endpoints', 'features', 'host', 'jmx_port', 'listener_security_protocol_map', 'port', 'timestamp', 'version']);
    expect(data).toMatchObject({
      version: 5,
      host: '127.0.0.1',
      port: fx.cluster.brokerPort(id),
      endpoints: [`PLAINTEXT://127.0.0.1:${fx.cluster.brokerPort(id)}`],
      listener_security_protocol_map: { PLAINTEXT: 'PLAINTEXT' },
      jmx_port: -1,
      features: {},
    });
    expect(data.timestamp).toMatch(MS_STRING);
    expect(Math.abs(Number(data.timestamp) - Date.now())).toBeLessThan(10 * 60_000);
  }
});

test('/controller is ephemeral {"version":1,"brokerid":N,"timestamp":"<ms>"}, in the session that registered broker N', async () => {
  const data = await json(ControllerZNode.path);
  expect(keys(data)).toEqual(['brokerid', 'timestamp', 'version']);
  expect(data.version).toBe(1);
  expect(fx.cluster.brokerIds).toContain(data.brokerid);
  expect(data.timestamp).toMatch(MS_STRING);
  const controller = await node(ControllerZNode.path);
  const registration = await node(BrokerIdZNode.path(data.brokerid as number));
  expect(controller.stat.ephemeralOwner).not.toBe('0');
  expect(controller.stat.ephemeralOwner).toBe(registration.stat.ephemeralOwner);
});

test('/controller_epoch is persistent plain text (not JSON), at least 1 after the first election', async () => {
  const n = await node(ControllerEpochZNode.path);
  expect(n.stat.ephemeralOwner).toBe('0');
  const text = (n.data ?? Buffer.alloc(0)).toString('utf8');
  expect(text).toMatch(/^[1-9][0-9]*$/);
});

test('the persistent paths every 2.8 broker creates at start-up exist', async () => {
  for (const p of [
    '/consumers',
    '/brokers/ids',
    '/brokers/topics',
    '/brokers/seqid',
    '/config/changes',
    '/config/topics',
    '/config/clients',
    '/config/users',
    '/config/brokers',
    '/config/ips',
    '/admin/delete_topics',
    '/isr_change_notification',
    '/latest_producer_id_block',
    '/log_dir_event_notification',
  ]) {
    const n = await fx.cluster.readZk(p);
    expect({ path: p, exists: n !== null }).toEqual({ path: p, exists: true });
    expect(n!.stat.ephemeralOwner).toBe('0');
  }
});

test('/feature is {"features":{},"version":1,"status":1}: the 2.8 controller enables feature versioning at IBP 2.8', async () => {
  expect(await json('/feature')).toEqual({ features: {}, version: 1, status: 1 });
});

test('/brokers/topics/<t> is version 3 JSON with topic_id, partitions and empty adding/removing replicas, assigned like Kafka', async () => {
  const ids = new Set<string>();
  for (const [topic, partitions, rf] of [
    [RF3, 3, 3],
    [RF1, 4, 1],
  ] as const) {
    const data = await json(TopicZNode.path(topic));
    expect(keys(data)).toEqual(['adding_replicas', 'partitions', 'removing_replicas', 'topic_id', 'version']);
    expect(data.version).toBe(3);
    expect(data.topic_id).toMatch(TOPIC_ID);
    ids.add(data.topic_id as string);
    expect(data.adding_replicas).toEqual({});
    expect(data.removing_replicas).toEqual({});
    const assignment = data.partitions as Record<string, number[]>;
    expect(keys(assignment)).toEqual(Array.from({ length: partitions }, (_, p) => String(p)).sort());
    for (const replicas of Object.values(assignment)) {
      expect(replicas).toHaveLength(rf);
      expect(new Set(replicas).size).toBe(rf);
      for (const r of replicas) expect(fx.cluster.brokerIds).toContain(r);
    }
    const decoded = TopicZNode.decode((await node(TopicZNode.path(topic))).data);
    const map = new Map([...decoded.partitions].map(([p, a]) => [p, a.replicas]));
    expect(isKafkaRackUnawareAssignment(fx.cluster.brokerIds, map)).toBe(true);
  }
  expect(ids.size).toBe(2);
});

test("every replica's partition dir has Kafka 2.8's partition.metadata naming the topic_id of /brokers/topics/<t>", async () => {
  const data = await json(TopicZNode.path(RF3));
  const assignment = data.partitions as Record<string, number[]>;
  let checked = 0;
  for (const [p, replicas] of Object.entries(assignment)) {
    for (const broker of replicas) {
      const file = nodePath.join(fx.cluster.dataDir(broker), `${RF3}-${p}`, 'partition.metadata');
      // Written when the replica's LeaderAndIsr (v5, with the topic id) reached it.
      await waitFor(() => fs.existsSync(file) && fs.readFileSync(file, 'utf8') !== '', `${file} written`, 15_000);
      expect(fs.readFileSync(file, 'utf8')).toBe(`version: 0\ntopic_id: ${String(data.topic_id)}`);
      checked++;
    }
  }
  expect(checked).toBe(9);
});

test('partitions/<p>/state is version 1 {leader, leader_epoch 0, isr, controller_epoch}: preferred leader, all replicas in ISR', async () => {
  const epoch = ControllerEpochZNode.decode((await node(ControllerEpochZNode.path)).data);
  for (const topic of [RF3, RF1]) {
    const assignment = TopicZNode.decode((await node(TopicZNode.path(topic))).data);
    expect(isEmptyData(await node(TopicPartitionsZNode.path(topic)))).toBe(true);
    expect(await fx.cluster.zkChildren(TopicPartitionsZNode.path(topic))).toEqual([...assignment.partitions.keys()].map(String).sort());
    for (const [p, a] of assignment.partitions) {
      expect(isEmptyData(await node(TopicPartitionZNode.path(topic, p)))).toBe(true);
      const statePath = TopicPartitionStateZNode.path(topic, p);
      const data = await json(statePath);
      expect(keys(data)).toEqual(['controller_epoch', 'isr', 'leader', 'leader_epoch', 'version']);
      expect(data).toMatchObject({ version: 1, leader: a.replicas[0], leader_epoch: 0 });
      expect(data.isr).toEqual(a.replicas);
      expect(data.controller_epoch).toBeGreaterThanOrEqual(1);
      expect(data.controller_epoch).toBeLessThanOrEqual(epoch);
      expect((await node(statePath)).stat.ephemeralOwner).toBe('0');
    }
  }
});

test('/config/topics/<t> is {"version":1,"config":{...}} with string values, written (empty) for topics without overrides', async () => {
  expect(await json(ConfigEntityZNode.topicPath(RF3))).toEqual({ version: 1, config: { 'retention.ms': '1000000' } });
  expect(await json(ConfigEntityZNode.topicPath(RF1))).toEqual({ version: 1, config: {} });
});

test('AlterConfigs writes /config/topics/<t> and a sequential /config/changes/config_change_<10 digits> {"version":2,"entity_path":"topics/<t>"}', async () => {
  const before = new Set((await fx.cluster.zkChildren(ConfigEntityChangeNotificationZNode.path)) ?? []);
  await admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: RF1, configEntries: [{ name: 'segment.ms', value: '600000' }] }],
  });
  expect(await json(ConfigEntityZNode.topicPath(RF1))).toEqual({ version: 1, config: { 'segment.ms': '600000' } });
  const added = ((await fx.cluster.zkChildren(ConfigEntityChangeNotificationZNode.path)) ?? []).filter((c) => !before.has(c));
  expect(added).toHaveLength(1);
  expect(added[0]).toMatch(/^config_change_[0-9]{10}$/);
  expect(await json(`${ConfigEntityChangeNotificationZNode.path}/${added[0]}`)).toEqual({ version: 2, entity_path: `topics/${RF1}` });
});

test('DeleteTopics with every replica alive removes /brokers/topics/<t>, /config/topics/<t>, /admin/delete_topics/<t> and the logs', async () => {
  const assignment = TopicZNode.decode((await node(TopicZNode.path(RF1))).data);
  await admin.deleteTopics({ topics: [RF1], timeout: 30_000 });
  for (const p of [TopicZNode.path(RF1), ConfigEntityZNode.topicPath(RF1), DeleteTopicsTopicZNode.path(RF1)]) {
    await waitFor(async () => (await fx.cluster.readZk(p)) === null, `${p} to be deleted`, 30_000);
  }
  for (const [p, a] of assignment.partitions) {
    for (const broker of a.replicas) {
      await waitFor(() => !fs.existsSync(`${fx.cluster.dataDir(broker)}/${RF1}-${p}`), `${RF1}-${p} to leave broker ${broker}'s log dir`, 30_000);
    }
  }
});

test('a deletion waits in /admin/delete_topics/<t> (null data) while a replica is offline and completes when its broker returns', async () => {
  const victim = fx.cluster.brokerIds[fx.cluster.brokerIds.length - 1];
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: DOOMED, replicaAssignment: [{ partition: 0, replicas: [victim] }] }] });
  await fx.cluster.killBroker(victim, 'SIGKILL');
  await fx.cluster.waitForDeregistration(victim, 30_000);
  await fx.cluster.waitForController(victim, 15_000);
  // kafkajs's admin refuses to work while any partition is leaderless (as DOOMED-0 now is), so the
  // DeleteTopics request goes straight to the controller through kafkajs's protocol layer.
  const survivors = await KafkajsPartitionReader.connect(fx.cluster.liveBootstrapServers());
  let deleteError = 'none';
  try {
    // Kafka answers REQUEST_TIMED_OUT when the deletion does not finish within the timeout.
    await survivors.deleteTopics([DOOMED], 1000, RF3).catch((e: unknown) => {
      deleteError = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    });
  } finally {
    await survivors.disconnect();
  }

  const pending = await waitFor(
    () => fx.cluster.readZk(DeleteTopicsTopicZNode.path(DOOMED)).then((n) => n ?? undefined),
    `/admin/delete_topics/${DOOMED} (DeleteTopics error: ${deleteError})`,
    15_000,
  );
  expect(isEmptyData(pending)).toBe(true);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  expect(await fx.cluster.readZk(DeleteTopicsTopicZNode.path(DOOMED))).not.toBeNull();
  expect(await fx.cluster.readZk(TopicZNode.path(DOOMED))).not.toBeNull();

  await fx.cluster.startBroker(victim);
  for (const p of [DeleteTopicsTopicZNode.path(DOOMED), TopicZNode.path(DOOMED), ConfigEntityZNode.topicPath(DOOMED)]) {
    await waitFor(async () => (await fx.cluster.readZk(p)) === null, `${p} to be deleted after broker ${victim} returned`, 45_000);
  }
  await waitFor(() => !fs.existsSync(`${fx.cluster.dataDir(victim)}/${DOOMED}-0`), `${DOOMED}-0 to leave broker ${victim}'s log dir`, 30_000);
});
