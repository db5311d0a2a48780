/**
 * Issue 5's partition reassignment proof (KIP-455), 3 ZooKeeper servers + 3 brokers:
 *  - AlterPartitionReassignments (kafkajs) moves a partition from {1,2} to {2,3} under continuous
 *    acks=all load: ListPartitionReassignments and /brokers/topics show it in flight, it ends with
 *    /brokers/topics/<t> = [2,3] and no adding/removing replicas, broker 1's replica directory is gone,
 *    brokers 2 and 3 hold identical segment bytes and no acknowledged record is lost.
 *  - The legacy /admin/reassign_partitions znode does the same and is deleted when done.
 *  - Cancellation (null replicas) goes back to the original replicas and deletes the added one; the
 *    request errors are Kafka's (NOT_CONTROLLER, UNKNOWN_TOPIC_OR_PARTITION, INVALID_REPLICA_ASSIGNMENT,
 *    NO_REASSIGNMENT_IN_PROGRESS).
 * The adding broker is SIGSTOPped (well within the session timeout) while a reassignment must be seen
 * in flight, so that state does not depend on how fast it catches up.
 */
import fs from 'node:fs';
import path from 'node:path';
import { useKafkaCluster } from '../broker/support/fixture';
import { KafkajsPartitionReader } from '../broker/support/kafkajs-reader';
import { waitFor } from '../helpers/wait';
import { startAckedProducer, type ProducerReport } from './support/acked-producer';
import { BrokerConnections, resume, segmentBytes, sleep } from './support/replica-io';
import { BrokerClient } from '../../broker/src/network/broker-client';
import { ApiKey, ErrorCode } from '../../broker/src/protocol';
import { ReassignPartitionsZNode, TopicZNode, type PartitionAssignment } from '../../broker/src/zk/znodes';

// A controller shut down while it leads partitions that cannot move retries; keep that short.
const fx = useKafkaCluster({ zookeepers: 3, brokers: 3, overrides: { 'replica.lag.time.max.ms': '10000', 'controlled.shutdown.retry.backoff.ms': '500' } });

async function assignment(topic: string, partition = 0): Promise<PartitionAssignment | undefined> {
  const node = await fx.cluster.readZk(TopicZNode.path(topic));
  return node === null ? undefined : TopicZNode.decode(node.data).partitions.get(partition);
}

function waitForAssignment(topic: string, replicas: number[], timeoutMs = 30_000): Promise<PartitionAssignment> {
  return waitFor(
    async () => {
      const a = await assignment(topic);
      return a !== undefined && JSON.stringify(a) === JSON.stringify({ replicas, addingReplicas: [], removingReplicas: [] }) ? a : false;
    },
    `${topic}-0 assigned to [${replicas.join(',')}] with no reassignment in flight`,
    timeoutMs,
    100,
  );
}

/** Raw AlterPartitionReassignments v0 to one broker (kafkajs cannot send a null replica list). */
async function alter(client: BrokerClient, topic: string, partition: number, replicas: number[] | null) {
  return client.send(ApiKey.AlterPartitionReassignments, 0, { timeoutMs: 30_000, topics: [{ name: topic, partitions: [{ partitionIndex: partition, replicas }] }] });
}

/** SIGSTOPs a broker; the returned function resumes it. */
function pause(id: number): () => void {
  const pid = fx.cluster.pid(id);
  if (pid === null) throw new Error(`broker ${id} is not running`);
  process.kill(pid, 'SIGSTOP');
  return () => resume([pid]);
}

/** The SIGSTOPped adding broker must not be the controller: move the controller off broker 3 if needed. */
async function controllerOtherThan3(): Promise<number> {
  let controller = await fx.cluster.waitForController();
  if (controller === 3) {
    await fx.cluster.killBroker(3, 'SIGTERM', 60_000);
    controller = await fx.cluster.waitForController(3);
    await fx.cluster.startBroker(3);
  }
  return controller;
}

async function createTopic(topic: string, minIsr: string): Promise<void> {
  const admin = await fx.admin();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic, replicaAssignment: [{ partition: 0, replicas: [1, 2] }], configEntries: [{ name: 'min.insync.replicas', value: minIsr }] }],
  });
  await fx.cluster.waitForLeader(topic, 0, (s) => s.leader === 1 && s.isr.length === 2, 30_000);
}

/** The replica was deleted by StopReplica: its directory renamed `<topic>-0.<uuid>-delete`, awaiting removal. */
function replicaDeleted(broker: number, topic: string): boolean {
  const dir = fx.cluster.dataDir(broker);
  return !fs.existsSync(path.join(dir, `${topic}-0`)) && fs.readdirSync(dir).some((n) => n.startsWith(`${topic}-0.`) && n.endsWith('-delete'));
}

async function waitForIdentical(topic: string, brokers: number[]): Promise<Buffer> {
  return waitFor(
    () => {
      const bytes = brokers.map((id) => segmentBytes(fx.cluster, id, topic, 0));
      return bytes.every((b) => b.equals(bytes[0] as Buffer)) && (bytes[0] as Buffer).length > 0 ? (bytes[0] as Buffer) : false;
    },
    `identical segment bytes of ${topic}-0 on brokers ${brokers.join(',')}`,
    30_000,
    200,
  );
}

test(
  'AlterPartitionReassignments moves a partition from {1,2} to {2,3} under acks=all load: listed while in flight, ends on [2,3] with identical replicas and no acked record lost',
  async () => {
    const TOPIC = 'moved';
    const controller = await controllerOtherThan3();
    await createTopic(TOPIC, '2');
    const admin = await fx.admin();
    // Bootstrapped on the controller alone, this admin never talks to the paused broker 3.
    const controllerAdmin = await fx.admin(fx.cluster.brokerAddress(controller));
    let reportPromise: Promise<ProducerReport> | undefined;
    const producer = startAckedProducer(fx.cluster.bootstrapServers, TOPIC, 1, fx.cluster.baseDir);
    let listed: unknown;
    let inFlight: PartitionAssignment | undefined;
    const started = Date.now();
    try {
      await sleep(2000);
      const resume3 = pause(3);
      try {
        await controllerAdmin.alterPartitionReassignments({ topics: [{ topic: TOPIC, partitionAssignment: [{ partition: 0, replicas: [2, 3] }] }] });
        listed = await controllerAdmin.listPartitionReassignments({ topics: [{ topic: TOPIC, partitions: [0] }] });
        inFlight = await assignment(TOPIC);
      } finally {
        resume3();
      }
      await waitForAssignment(TOPIC, [2, 3], 45_000);
      await waitFor(() => replicaDeleted(1, TOPIC), "broker 1's replica directory deleted", 15_000, 100);
      await sleep(1000);
    } finally {
      reportPromise = producer.stop();
    }
    const report = await reportPromise;
    const tookMs = Date.now() - started;

    expect(listed).toEqual({ topics: [{ name: TOPIC, partitions: [{ partition: 0, replicas: [2, 3, 1], addingReplicas: [3], removingReplicas: [1] }] }] });
    expect(inFlight).toEqual({ replicas: [2, 3, 1], addingReplicas: [3], removingReplicas: [1] });
    expect(await admin.listPartitionReassignments({})).toEqual({ topics: [] });
    const state = await fx.cluster.partitionState(TOPIC, 0);
    expect(state?.leader).toBe(2);
    expect([...(state?.isr ?? [])].sort()).toEqual([2, 3]);

    const common = await waitForIdentical(TOPIC, [2, 3]);
    const reader = await KafkajsPartitionReader.connect(fx.cluster.bootstrapServers);
    const present = new Set<string>();
    let readBack: number;
    try {
      const [o] = await admin.fetchTopicOffsets(TOPIC);
      const messages = await reader.readPartition(TOPIC, 0, Number(o.high) - Number(o.low), BigInt(o.low), 60_000);
      readBack = messages.length;
      for (const m of messages) present.add(m.value ?? '');
    } finally {
      await reader.disconnect();
    }
    const lost = report.acked.filter(([v]) => !present.has(v)).map(([v]) => v);
    process.stdout.write(
      `reassignment: controller ${controller}; {1,2} -> {2,3} in ${tookMs} ms under load; sent ${report.sent}, acked ${report.acked.length}, ` +
        `failed ${report.failed.length} ${JSON.stringify([...new Set(report.failed.map(([, e]) => e))].slice(0, 5))}, unflushed ${report.unflushed}, ` +
        `read back ${readBack}, lost ${lost.length}; replicas 2 and 3 hold ${common.length} identical segment bytes; final state ${JSON.stringify(state)}\n`,
    );
    expect(report.acked.length).toBeGreaterThan(0);
    expect(report.unflushed).toBe(0);
    expect(lost).toEqual([]);
  },
  120_000,
);

test('the legacy /admin/reassign_partitions znode moves a partition and is deleted when the reassignment completes', async () => {
  const TOPIC = 'legacy';
  await createTopic(TOPIC, '1');
  const producer = await fx.producer();
  await producer.send({ topic: TOPIC, acks: -1, messages: Array.from({ length: 200 }, (_, i) => ({ value: `legacy-${i}` })) });
  const zk = await fx.cluster.zk();
  await zk.create(ReassignPartitionsZNode.path, ReassignPartitionsZNode.encode([{ topic: TOPIC, partition: 0, replicas: [2, 3] }]));
  await waitForAssignment(TOPIC, [2, 3]);
  await waitFor(async () => (await fx.cluster.readZk(ReassignPartitionsZNode.path)) === null, '/admin/reassign_partitions deleted', 15_000, 100);
  await waitFor(() => replicaDeleted(1, TOPIC), "broker 1's replica directory deleted", 15_000, 100);
  const bytes = await waitForIdentical(TOPIC, [2, 3]);
  expect(bytes.includes(Buffer.from('legacy-199'))).toBe(true);
}, 60_000);

test('cancelling a reassignment (null replicas) goes back to the original replicas; request errors are Kafka 2.8s', async () => {
  const TOPIC = 'cancelled';
  const controller = await controllerOtherThan3();
  await createTopic(TOPIC, '1');
  const conns = new BrokerConnections(fx.cluster);
  try {
    const toController = conns.client(controller);
    const other = fx.cluster.brokerIds.find((id) => id !== controller && id !== 3) ?? 3;
    const codes = (r: Awaited<ReturnType<typeof alter>>): number[] => r.responses.flatMap((t) => t.partitions.map((p) => p.errorCode));

    // Not the controller: a top-level NOT_CONTROLLER.
    expect((await alter(conns.client(other), TOPIC, 0, [2, 3])).errorCode).toBe(ErrorCode.NOT_CONTROLLER);
    expect(codes(await alter(toController, 'no-such-topic', 0, [1, 2]))).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    expect(codes(await alter(toController, TOPIC, 0, [2, 2]))).toEqual([ErrorCode.INVALID_REPLICA_ASSIGNMENT]);
    expect(codes(await alter(toController, TOPIC, 0, [2, 9]))).toEqual([ErrorCode.INVALID_REPLICA_ASSIGNMENT]);
    expect(codes(await alter(toController, TOPIC, 0, []))).toEqual([ErrorCode.INVALID_REPLICA_ASSIGNMENT]);
    expect(codes(await alter(toController, TOPIC, 0, null))).toEqual([ErrorCode.NO_REASSIGNMENT_IN_PROGRESS]);

    const resume3 = pause(3);
    let inFlight: PartitionAssignment | undefined;
    let cancelled: number[];
    try {
      expect(codes(await alter(toController, TOPIC, 0, [2, 3]))).toEqual([ErrorCode.NONE]);
      inFlight = await assignment(TOPIC);
      cancelled = codes(await alter(toController, TOPIC, 0, null));
    } finally {
      resume3();
    }
    expect(inFlight).toEqual({ replicas: [2, 3, 1], addingReplicas: [3], removingReplicas: [1] });
    expect(cancelled).toEqual([ErrorCode.NONE]);
    // As Kafka: the original replicas come back, in the order the in-flight list kept them.
    await waitForAssignment(TOPIC, [2, 1]);
    await waitFor(() => replicaDeleted(3, TOPIC), "broker 3's added replica deleted", 15_000, 100);
    const list = await conns.client(controller).send(ApiKey.ListPartitionReassignments, 0, { timeoutMs: 30_000, topics: null });
    expect(list.errorCode).toBe(ErrorCode.NONE);
    expect(list.topics.filter((t) => t.name === TOPIC)).toEqual([]);
    await fx.cluster.waitForLeader(TOPIC, 0, (s) => s.leader >= 1 && [...s.isr].sort().join(',') === '1,2', 30_000);
  } finally {
    await conns.closeAll();
  }
}, 90_000);

test('a new controller resumes an in-flight reassignment (from /brokers/topics and /admin/reassign_partitions) and completes it once the added broker is back', async () => {
  const TOPIC = 'resumed';
  await createTopic(TOPIC, '1');
  const producer = await fx.producer();
  await producer.send({ topic: TOPIC, acks: -1, messages: Array.from({ length: 200 }, (_, i) => ({ value: `resumed-${i}` })) });
  // With broker 3 down the legacy request (which, unlike the API, does not check liveness) stays in flight.
  await fx.cluster.killBroker(3, 'SIGTERM', 60_000);
  await fx.cluster.waitForDeregistration(3);
  const zk = await fx.cluster.zk();
  await zk.create(ReassignPartitionsZNode.path, ReassignPartitionsZNode.encode([{ topic: TOPIC, partition: 0, replicas: [2, 3] }]));
  await waitFor(async () => JSON.stringify(await assignment(TOPIC)) === JSON.stringify({ replicas: [2, 3, 1], addingReplicas: [3], removingReplicas: [1] }), 'the reassignment in flight', 15_000, 100);

  const oldController = await fx.cluster.waitForController();
  await fx.cluster.killBroker(oldController, 'SIGTERM', 60_000);
  const newController = await fx.cluster.waitForController(oldController);
  await fx.cluster.startBroker(oldController);
  await sleep(1000);
  expect(await assignment(TOPIC)).toEqual({ replicas: [2, 3, 1], addingReplicas: [3], removingReplicas: [1] });

  await fx.cluster.startBroker(3);
  await waitForAssignment(TOPIC, [2, 3]);
  await waitFor(async () => (await fx.cluster.readZk(ReassignPartitionsZNode.path)) === null, '/admin/reassign_partitions deleted', 15_000, 100);
  await waitFor(() => replicaDeleted(1, TOPIC), "broker 1's replica directory deleted", 15_000, 100);
  const bytes = await waitForIdentical(TOPIC, [2, 3]);
  expect(bytes.includes(Buffer.from('resumed-199'))).toBe(true);
  process.stdout.write(`reassignment: controller ${oldController} -> ${newController} resumed ${TOPIC}-0 and completed it on [2,3]\n`);
}, 120_000);
