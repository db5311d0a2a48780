/**
 * Issue 5's preferred-election proofs (3 ZooKeeper servers, 3 brokers). A broker that went through
 * controlled shutdown comes back as a follower; once it is in the ISR again leadership returns to it,
 * the preferred replica (first in the assignment), with a higher leader epoch:
 *  (i) by ElectLeaders PREFERRED sent to the controller, under acks=all load, losing no acked record;
 *  (ii) by /admin/preferred_replica_election, which the controller deletes afterwards;
 *  (iii) by the auto leader rebalance (leader.imbalance.check.interval.seconds=5), with no request;
 *  (iv) ElectLeaders answers ELECTION_NOT_NEEDED / UNKNOWN_TOPIC_OR_PARTITION / NOT_CONTROLLER as Kafka.
 */
import { useKafkaCluster, type ClusterFixture } from '../broker/support/fixture';
import { KafkajsPartitionReader } from '../broker/support/kafkajs-reader';
import { waitFor } from '../helpers/wait';
import { startAckedProducer, type ProducerReport } from './support/acked-producer';
import { BrokerClient } from '../../broker/src/network/broker-client';
import { ApiKey, ErrorCode } from '../../broker/src/protocol';
import type { ElectLeadersResponse } from '../../broker/src/protocol/generated/elect-leaders-response';
import { PreferredReplicaElectionZNode } from '../../broker/src/zk/znodes';

const ASSIGNMENT = [
  [1, 2, 3],
  [2, 3, 1],
  [3, 1, 2],
];
const PARTITIONS = [0, 1, 2];
const OVERRIDES = { 'replica.lag.time.max.ms': '10000' };

const RETRIABLE = /Not leader|NOT_LEADER|Leader not available|LEADER_NOT_AVAILABLE/i;

async function createTopic(fx: ClusterFixture, topic: string): Promise<void> {
  const admin = await fx.admin();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      {
        topic,
        replicaAssignment: ASSIGNMENT.map((replicas, partition) => ({ partition, replicas })),
        configEntries: [{ name: 'min.insync.replicas', value: '2' }],
      },
    ],
  });
  for (const p of PARTITIONS) await fx.cluster.waitForLeader(topic, p, (s) => s.leader === ASSIGNMENT[p][0] && s.isr.length === 3, 60_000);
}

/** A broker that is not the controller (so the controller stays put) and the partition it prefers. */
async function pickVictim(fx: ClusterFixture, exclude: number[] = []): Promise<{ victim: number; partition: number; controller: number }> {
  const controller = await fx.cluster.waitForController();
  const partition = PARTITIONS.find((p) => ASSIGNMENT[p][0] !== controller && !exclude.includes(ASSIGNMENT[p][0]))!;
  return { victim: ASSIGNMENT[partition][0], partition, controller };
}

/** Controlled shutdown of the victim, then restart; resolves once it is back in the partition's ISR as a follower. */
async function bounce(fx: ClusterFixture, topic: string, victim: number, partition: number): Promise<number> {
  const exit = await fx.cluster.killBroker(victim, 'SIGTERM', 60_000);
  expect(exit).toEqual({ code: 0, signal: null });
  const moved = await fx.cluster.waitForLeader(topic, partition, (s) => s.leader >= 0 && s.leader !== victim);
  await fx.cluster.startBroker(victim);
  const back = await fx.cluster.waitForLeader(topic, partition, (s) => s.isr.includes(victim) && s.isr.length === 3, 60_000);
  expect(back.leader).not.toBe(victim);
  expect(back.leaderEpoch).toBeGreaterThanOrEqual(moved.leaderEpoch);
  return back.leaderEpoch;
}

function clientFor(fx: ClusterFixture, id: number): BrokerClient {
  return new BrokerClient({ host: '127.0.0.1', port: fx.cluster.brokerPort(id), clientId: 'preferred-election-test', requestTimeoutMs: 60_000 });
}

function electLeaders(client: BrokerClient, electionType: number, topicPartitions: Array<{ topic: string; partitionId: number[] }> | null, version = 2): Promise<ElectLeadersResponse> {
  return client.send(ApiKey.ElectLeaders, version, { electionType, topicPartitions, timeoutMs: 30_000 });
}

/** topic-partition → error code of an ElectLeaders response. */
function codes(res: ElectLeadersResponse): Record<string, number> {
  return Object.fromEntries(res.replicaElectionResults.flatMap((t) => t.partitionResult.map((p) => [`${t.topic}-${p.partitionId}`, p.errorCode])));
}

describe('explicit preferred elections (auto.leader.rebalance.enable=false)', () => {
  const fx = useKafkaCluster({ zookeepers: 3, brokers: 3, overrides: { ...OVERRIDES, 'auto.leader.rebalance.enable': 'false' } });

  test(
    'ElectLeaders PREFERRED returns leadership to a restarted preferred replica under acks=all load, with no acked record lost',
    async () => {
      const topic = 'pref-api';
      await createTopic(fx, topic);
      const { victim, partition, controller } = await pickVictim(fx);
      const producer = startAckedProducer(fx.cluster.bootstrapServers, topic, PARTITIONS.length, fx.cluster.baseDir);
      let reportPromise: Promise<ProducerReport> | undefined;
      const client = clientFor(fx, controller);
      try {
        await new Promise((r) => setTimeout(r, 1500));
        const epochBefore = await bounce(fx, topic, victim, partition);
        const others = PARTITIONS.filter((p) => p !== partition);
        const res = await electLeaders(client, 0, [{ topic, partitionId: [partition, ...others] }]);
        expect(res.errorCode).toBe(0);
        expect(codes(res)).toEqual({
          [`${topic}-${partition}`]: ErrorCode.NONE,
          ...Object.fromEntries(others.map((p) => [`${topic}-${p}`, ErrorCode.ELECTION_NOT_NEEDED])),
        });
        const after = await fx.cluster.partitionState(topic, partition);
        expect(after?.leader).toBe(victim);
        expect(after?.leaderEpoch).toBeGreaterThan(epochBefore);
        expect(after?.isr.length).toBe(3);
        await new Promise((r) => setTimeout(r, 1500));
      } finally {
        await client.close();
        reportPromise = producer.stop();
      }
      const report = await reportPromise;
      const reader = await KafkajsPartitionReader.connect(fx.cluster.bootstrapServers);
      const present = new Set<string>();
      try {
        const offsets = await (await fx.admin()).fetchTopicOffsets(topic);
        for (const o of offsets) {
          const messages = await reader.readPartition(topic, o.partition, Number(o.high) - Number(o.low), BigInt(o.low), 60_000);
          for (const m of messages) present.add(m.value ?? '');
        }
      } finally {
        await reader.disconnect();
      }
      const lost = report.acked.filter(([v]) => !present.has(v));
      const nonRetriable = report.failed.filter(([, e]) => !RETRIABLE.test(e));
      process.stdout.write(
        `preferred-election: broker ${victim} bounced and re-elected for ${topic}-${partition}; sent ${report.sent}, acked ${report.acked.length}, ` +
          `failed ${report.failed.length} (non-retriable ${nonRetriable.length}), unflushed ${report.unflushed}, lost ${lost.length}\n`,
      );
      expect(report.acked.length).toBeGreaterThan(0);
      expect(nonRetriable).toEqual([]);
      expect(lost).toEqual([]);
    },
    120_000,
  );

  test('/admin/preferred_replica_election makes the controller elect the preferred replica and delete the znode', async () => {
    const topic = 'pref-znode';
    await createTopic(fx, topic);
    const { victim, partition } = await pickVictim(fx);
    const epochBefore = await bounce(fx, topic, victim, partition);
    const zk = await fx.cluster.zk();
    await zk.create(PreferredReplicaElectionZNode.path, PreferredReplicaElectionZNode.encode([{ topic, partition }]));
    const after = await fx.cluster.waitForLeader(topic, partition, (s) => s.leader === victim, 15_000);
    expect(after.leaderEpoch).toBeGreaterThan(epochBefore);
    await waitFor(async () => (await fx.cluster.readZk(PreferredReplicaElectionZNode.path)) === null, '/admin/preferred_replica_election deleted', 15_000, 100);
  }, 120_000);

  test('ElectLeaders answers ELECTION_NOT_NEEDED, UNKNOWN_TOPIC_OR_PARTITION, and NOT_CONTROLLER on other brokers', async () => {
    const topic = 'pref-answers';
    await createTopic(fx, topic);
    const controller = await fx.cluster.waitForController();
    const other = [1, 2, 3].find((id) => id !== controller)!;
    const client = clientFor(fx, controller);
    const elsewhere = clientFor(fx, other);
    try {
      const preferred = await electLeaders(client, 0, [
        { topic, partitionId: [0, 7] },
        { topic: 'no-such-topic', partitionId: [0] },
      ]);
      expect(codes(preferred)).toEqual({
        [`${topic}-0`]: ErrorCode.ELECTION_NOT_NEEDED,
        [`${topic}-7`]: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        'no-such-topic-0': ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      });
      // UNCLEAN: every leader is live; v0 (no election type) is PREFERRED.
      expect(codes(await electLeaders(client, 1, [{ topic, partitionId: [1] }]))).toEqual({ [`${topic}-1`]: ErrorCode.ELECTION_NOT_NEEDED });
      expect(codes(await electLeaders(client, 0, [{ topic, partitionId: [2] }], 0))).toEqual({ [`${topic}-2`]: ErrorCode.ELECTION_NOT_NEEDED });
      // All partitions: those needing no election are left out; ones the earlier bounces left with
      // another leader (auto rebalance is off here) are elected.
      const all = await electLeaders(client, 0, null);
      expect(all.errorCode).toBe(0);
      expect(Object.values(codes(all)).every((c) => c === ErrorCode.NONE)).toBe(true);
      expect(all.replicaElectionResults.map((t) => t.topic)).not.toContain(topic);
      expect(codes(await electLeaders(client, 0, null))).toEqual({});
      const notController = await electLeaders(elsewhere, 0, [{ topic, partitionId: [0] }]);
      expect(notController.errorCode).toBe(0);
      expect(codes(notController)).toEqual({ [`${topic}-0`]: ErrorCode.NOT_CONTROLLER });
    } finally {
      await client.close();
      await elsewhere.close();
    }
  }, 60_000);
});

describe('auto leader rebalance (leader.imbalance.check.interval.seconds=5)', () => {
  const fx = useKafkaCluster({ zookeepers: 3, brokers: 3, overrides: { ...OVERRIDES, 'leader.imbalance.check.interval.seconds': '5' } });

  test('the controller returns leadership to the preferred replica without any request', async () => {
    const topic = 'pref-auto';
    await createTopic(fx, topic);
    const { victim, partition } = await pickVictim(fx);
    const epochBefore = await bounce(fx, topic, victim, partition);
    const after = await fx.cluster.waitForLeader(topic, partition, (s) => s.leader === victim, 20_000);
    expect(after.leaderEpoch).toBeGreaterThan(epochBefore);
  }, 120_000);
});
