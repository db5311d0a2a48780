/**
 * Broker and controller failure in a 3-ZooKeeper + 3-broker cluster (zookeeper.session.timeout.ms
 * 6000): kill -9 the controller, then a broker, and check election, leadership and serving as Kafka 2.8
 * does them (OfflinePartitionLeaderElection from the live ISR, unclean election off).
 */
import type { Admin } from 'kafkajs';
import type { LeaderIsrAndControllerEpoch } from '../../broker/src/zk/znodes';
import { ControllerEpochZNode, TopicZNode } from '../../broker/src/zk/znodes';
import { waitFor } from '../helpers/wait';
import { KafkajsPartitionReader } from './support/kafkajs-reader';
import { useKafkaCluster } from './support/fixture';

jest.setTimeout(120_000);

const SESSION_TIMEOUT_MS = 6000;
const fx = useKafkaCluster({ zookeepers: 3, brokers: 3, overrides: { 'zookeeper.session.timeout.ms': String(SESSION_TIMEOUT_MS) } });

const RF3 = 'fo-rf3';
const RF1 = 'fo-rf1';
let assignment: Map<string, number[]>;
let before: Map<string, LeaderIsrAndControllerEpoch>;
let deadController = -1;
let newController = -1;

const key = (topic: string, p: number): string => `${topic}-${p}`;

async function states(topic: string, partitions: number): Promise<Map<number, LeaderIsrAndControllerEpoch>> {
  const out = new Map<number, LeaderIsrAndControllerEpoch>();
  for (let p = 0; p < partitions; p++) out.set(p, (await fx.cluster.partitionState(topic, p))!);
  return out;
}

async function controllerEpoch(): Promise<number> {
  return ControllerEpochZNode.decode((await fx.cluster.readZk(ControllerEpochZNode.path))!.data);
}

/** Leaders as Metadata from the live brokers reports them, polled until `expected` (partition -> leader) holds. */
async function waitForMetadataLeaders(admin: Admin, topic: string, expected: Map<number, number>): Promise<void> {
  await waitFor(
    async () => {
      const md = await admin.fetchTopicMetadata({ topics: [topic] }).catch(() => null);
      if (md === null) return false;
      const leaders = new Map(md.topics[0].partitions.map((p) => [p.partitionId, p.leader]));
      return [...expected].every(([p, leader]) => leaders.get(p) === leader);
    },
    `Metadata for ${topic} to show leaders ${JSON.stringify([...expected])}`,
    20_000,
    250,
  );
}

beforeAll(async () => {
  const admin = await fx.admin();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic: RF3, numPartitions: 3, replicationFactor: 3 },
      { topic: RF1, numPartitions: 6, replicationFactor: 1 },
    ],
  });
  assignment = new Map();
  before = new Map();
  for (const [topic, n] of [
    [RF3, 3],
    [RF1, 6],
  ] as const) {
    const decoded = TopicZNode.decode((await fx.cluster.readZk(TopicZNode.path(topic)))!.data);
    for (let p = 0; p < n; p++) {
      assignment.set(key(topic, p), decoded.partitions.get(p)!.replicas);
      before.set(key(topic, p), await fx.cluster.waitForLeader(topic, p));
    }
  }
}, 90_000);

test('kill -9 of the controller: another broker is controller within zookeeper.session.timeout.ms + 2 s, with a higher epoch', async () => {
  deadController = (await fx.cluster.controllerId())!;
  const epochBefore = await controllerEpoch();
  const killedAt = Date.now();
  await fx.cluster.killBroker(deadController, 'SIGKILL');
  newController = await fx.cluster.waitForController(deadController, 30_000);
  const elapsed = Date.now() - killedAt;
  expect(elapsed).toBeLessThanOrEqual(SESSION_TIMEOUT_MS + 2000);
  expect(await controllerEpoch()).toBeGreaterThan(epochBefore);
});

test('RF=3 partitions the dead controller led get the first live ISR replica in assignment order as leader, epoch + 2', async () => {
  for (let p = 0; p < 3; p++) {
    const old = before.get(key(RF3, p))!;
    const replicas = assignment.get(key(RF3, p))!;
    const state = await fx.cluster.waitForLeader(RF3, p, (s) => s.leader >= 0 && s.leader !== deadController && !s.isr.includes(deadController), 15_000);
    if (old.leader === deadController) {
      const expectedLeader = replicas.find((r) => r !== deadController && old.isr.includes(r));
      expect(state.leader).toBe(expectedLeader);
      // The new controller starts its ReplicaStateMachine first: OfflineReplica drops the dead leader
      // (leader -1, epoch + 1); then PartitionStateMachine elects from the live ISR (epoch + 1).
      expect(state.leaderEpoch).toBe(old.leaderEpoch + 2);
    } else {
      // A follower going offline only leaves the ISR; the leader stays.
      expect(state.leader).toBe(old.leader);
      expect(state.leaderEpoch).toBeGreaterThan(old.leaderEpoch);
    }
    expect(state.isr.sort()).toEqual(old.isr.filter((r) => r !== deadController).sort());
    expect(state.controllerEpoch).toBe(await controllerEpoch());
  }
});

test('RF=1 partitions of the dead broker go offline: leader -1 and the ISR keeps the dead replica (never empty)', async () => {
  for (let p = 0; p < 6; p++) {
    if (before.get(key(RF1, p))!.leader !== deadController) continue;
    const state = await fx.cluster.waitForLeader(RF1, p, (s) => s.leader === -1, 15_000);
    expect(state.isr).toEqual([deadController]);
  }
});

test('after the controller failover the survivors serve Metadata (two brokers, the new controller, new leaders) and produce', async () => {
  const admin = await fx.admin(fx.cluster.liveBootstrapServers());
  // Not admin.describeCluster(): kafkajs asks for every topic there and gives up on the (correctly)
  // leaderless RF=1 partitions of the dead broker.
  const reader = await KafkajsPartitionReader.connect(fx.cluster.liveBootstrapServers());
  try {
    let seen = '';
    await waitFor(
      async () => {
        const md = await reader.metadata([RF3]).catch((e: unknown) => String(e));
        seen = JSON.stringify(typeof md === 'string' ? md : { brokers: md.brokers.map((b) => b.nodeId), controller: md.controllerId });
        return typeof md !== 'string' && md.brokers.length === 2 && md.controllerId === newController;
      },
      `Metadata to show two brokers and controller ${newController} (last: ${seen})`,
      20_000,
      250,
    );
  } finally {
    await reader.disconnect();
  }
  const rf3 = await states(RF3, 3);
  await waitForMetadataLeaders(admin, RF3, new Map([...rf3].map(([p, s]) => [p, s.leader])));

  const writer = await KafkajsPartitionReader.connect(fx.cluster.liveBootstrapServers());
  try {
    for (let p = 0; p < 6; p++) {
      const leader = before.get(key(RF1, p))!.leader;
      if (leader === deadController) continue;
      const result = await writer.produceTo(leader, RF1, p, [`after failover ${RF1}/${p}`], RF3);
      expect({ partition: p, errorCode: result.errorCode }).toEqual({ partition: p, errorCode: 0 });
    }
  } finally {
    await writer.disconnect();
  }
  // Every RF=3 partition has a live leader, so kafkajs's own producer works on that topic.
  const producer = await fx.producer(fx.cluster.liveBootstrapServers());
  for (let p = 0; p < 3; p++) {
    const [result] = await producer.send({ topic: RF3, acks: 1, messages: [{ partition: p, key: 'k', value: `after failover ${RF3}/${p}` }] });
    expect({ partition: p, errorCode: result.errorCode }).toEqual({ partition: p, errorCode: 0 });
  }
});

test('the killed broker restarts, registers again and leads its RF=1 partitions again', async () => {
  await fx.cluster.startBroker(deadController);
  for (let p = 0; p < 6; p++) {
    if (before.get(key(RF1, p))!.leader !== deadController) continue;
    const state = await fx.cluster.waitForLeader(RF1, p, (s) => s.leader === deadController, 20_000);
    expect(state.isr).toEqual([deadController]);
  }
});

test('kill -9 of a broker: its RF=3 partitions get a new leader from the live ISR within the session timeout, never an out-of-ISR replica', async () => {
  const controller = (await fx.cluster.controllerId())!;
  // The broker restarted above catches up and rejoins the ISRs; snapshot only once every ISR is full, so
  // the ISR an election starts from is the one recorded here.
  for (let p = 0; p < 3; p++) await fx.cluster.waitForLeader(RF3, p, (s) => s.isr.length === 3, 30_000);
  const rf3 = await states(RF3, 3);
  const victim = fx.cluster.brokerIds.find((id) => id !== controller && id !== deadController && [...rf3.values()].some((s) => s.leader === id));
  expect(victim).toBeDefined();
  const killedAt = Date.now();
  await fx.cluster.killBroker(victim!, 'SIGKILL');
  const expected = new Map<number, number>();
  for (const [p, old] of rf3) {
    if (old.leader !== victim) continue;
    const state = await fx.cluster.waitForLeader(RF3, p, (s) => s.leader !== victim, SESSION_TIMEOUT_MS + 10_000);
    // Only a live ISR member may lead (unclean election is off); the ISR loses just the victim.
    const liveIsr = old.isr.filter((r) => r !== victim);
    expect(state.leader).toBe(assignment.get(key(RF3, p))!.find((r) => liveIsr.includes(r)));
    expect(state.leaderEpoch).toBe(old.leaderEpoch + 1);
    expect(state.isr.sort()).toEqual(liveIsr.sort());
    expected.set(p, state.leader);
  }
  expect(Date.now() - killedAt).toBeLessThanOrEqual(SESSION_TIMEOUT_MS + 2000 + 1000);
  const admin = await fx.admin(fx.cluster.liveBootstrapServers());
  await waitForMetadataLeaders(admin, RF3, expected);
  const producer = await fx.producer(fx.cluster.liveBootstrapServers());
  for (const p of expected.keys()) {
    const [result] = await producer.send({ topic: RF3, acks: 1, messages: [{ partition: p, value: 'after broker failure' }] });
    expect(result.errorCode).toBe(0);
  }
});
