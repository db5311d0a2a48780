/**
 * Issue 6's coordinator-failover proof (3 ZooKeeper servers + 3 brokers): a kafkajs group commits
 * offsets; the coordinator is the leader of __consumer_offsets partition abs(hash(group)) % 50 (read
 * from ZooKeeper and confirmed by FindCoordinator on every broker); it is killed with SIGKILL; the new
 * leader of that partition becomes the coordinator (loads the group from the log), and a new consumer
 * of the same group resumes exactly at the committed offsets: nothing before them re-delivered,
 * nothing after them skipped. That consumer commits again on the new coordinator; the killed broker
 * is restarted and, once in the ISR, made leader again by a preferred ElectLeaders: the broker that
 * lost the partition answers NOT_COORDINATOR, the restarted one serves the new commits (replicated
 * to it while it followed) and a third consumer resumes exactly at them.
 */
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { useKafkaCluster } from '../broker/support/fixture';
import type { KafkaCluster } from '../helpers/kafka-cluster';
import { waitFor } from '../helpers/wait';
import { BrokerClient } from '../../broker/src/network/broker-client';
import { ApiKey, ErrorCode } from '../../broker/src/protocol';
import { findCoordinator, OFFSETS_TOPIC, offsetsPartitionFor } from './support/coordinator';

const TOPIC = 'failover-data';
const GROUP = 'failover-group';
const PARTITIONS = 3;
const PER_PARTITION = 30;
const COMMITTED = [10, 17, 25];
const RECOMMITTED = [20, 28, 30];
// No automatic preferred-leader moves: the test moves the offsets partition's leadership itself.
const fx = useKafkaCluster({ zookeepers: 3, brokers: 3, overrides: { 'auto.leader.rebalance.enable': 'false' } });
const consumers: Consumer[] = [];

/** Every consumer disconnected while the cluster still runs (a kafkajs consumer left running against a stopped cluster spins). */
async function disconnectAll(): Promise<void> {
  await Promise.all(consumers.splice(0).map((c) => c.disconnect().catch(() => undefined)));
}

function consumerOn(bootstrap: string): Consumer {
  const kafka = new Kafka({
    clientId: 'failover-consumer',
    brokers: bootstrap.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 30_000,
    retry: { retries: 12, initialRetryTime: 200, maxRetryTime: 2000 },
  });
  const c = kafka.consumer({ groupId: GROUP, sessionTimeout: 10_000, heartbeatInterval: 1000, maxWaitTimeInMs: 300 });
  consumers.push(c);
  return c;
}

/** OffsetFetch v7 of the group's partitions sent straight to broker `id`: [top-level error, offsets]. */
async function offsetFetchFrom(cluster: KafkaCluster, id: number): Promise<{ errorCode: number; offsets: number[] }> {
  const client = new BrokerClient({ host: '127.0.0.1', port: cluster.brokerPort(id), clientId: 'failover-test', requestTimeoutMs: 10_000 });
  try {
    const r = await client.send(ApiKey.OffsetFetch, 7, {
      groupId: GROUP,
      topics: [{ name: TOPIC, partitionIndexes: Array.from({ length: PARTITIONS }, (_, i) => i) }],
      requireStable: false,
    });
    const partitions = [...(r.topics[0]?.partitions ?? [])].sort((a, b) => a.partitionIndex - b.partitionIndex);
    return { errorCode: r.errorCode, offsets: partitions.map((p) => Number(p.committedOffset)) };
  } finally {
    await client.close();
  }
}

/** A consumer of the group on `bootstrap` that collects what it is given (no auto-commit). */
async function resumeConsumer(bootstrap: string): Promise<{ consumer: Consumer; delivered: Delivered[] }> {
  const consumer = consumerOn(bootstrap);
  const delivered: Delivered[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      delivered.push({ partition, offset: Number(message.offset), value: message.value?.toString() ?? '' });
      await Promise.resolve();
    },
  });
  return { consumer, delivered };
}

/** Waits for exactly the records from `committed` to the end of each partition, in order, and no more. */
async function expectResumedAt(delivered: Delivered[], committed: readonly number[]): Promise<void> {
  const expectedCount = committed.reduce((n, o) => n + PER_PARTITION - o, 0);
  await waitFor(() => delivered.length >= expectedCount, `the resumed consumer to read ${expectedCount} records`, 90_000, 100);
  await new Promise((resolve) => setTimeout(resolve, 1000)); // anything extra (a re-delivery) would show now
  for (let p = 0; p < PARTITIONS; p++) {
    const got = delivered.filter((r) => r.partition === p);
    const want = Array.from({ length: PER_PARTITION - committed[p] }, (_, i) => committed[p] + i);
    expect({ partition: p, offsets: got.map((r) => r.offset) }).toEqual({ partition: p, offsets: want });
    expect(got.map((r) => r.value)).toEqual(want.map((o) => `p${p}-${o}`));
  }
}

interface Delivered {
  partition: number;
  offset: number;
  value: string;
}

afterEach(disconnectAll, 60_000);

test('offsets committed by a group survive a SIGKILL of the coordinator (a new consumer resumes exactly at them on the new coordinator) and a move back by preferred election (the old coordinator unloads: NOT_COORDINATOR; the new one loads what it replicated)', async () => {
  const started = Date.now();
  const cluster = fx.cluster;
  const admin = await fx.admin();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3 }] });
  const producer = await fx.producer();
  for (let p = 0; p < PARTITIONS; p++) {
    const messages = Array.from({ length: PER_PARTITION }, (_, i) => ({ partition: p, value: `p${p}-${i}` }));
    await producer.send({ topic: TOPIC, acks: -1, messages });
  }

  // First consumer: reads everything, commits chosen offsets by hand, leaves.
  const first = consumerOn(cluster.bootstrapServers);
  const seen: Delivered[] = [];
  await first.connect();
  await first.subscribe({ topics: [TOPIC], fromBeginning: true });
  await first.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      seen.push({ partition, offset: Number(message.offset), value: message.value?.toString() ?? '' });
      await Promise.resolve();
    },
  });
  await waitFor(() => seen.length >= PARTITIONS * PER_PARTITION, 'the first consumer to read every record', 60_000, 100);
  await first.commitOffsets(COMMITTED.map((offset, partition) => ({ topic: TOPIC, partition, offset: String(offset) })));
  await first.disconnect();
  const fetched = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
  expect(fetched[0].partitions.map((p) => [p.partition, p.offset]).sort()).toEqual(COMMITTED.map((o, p) => [p, String(o)]));

  // The coordinator: leader of the group's offsets partition, as every broker's FindCoordinator says.
  const offsetsPartition = offsetsPartitionFor(GROUP);
  const before = await cluster.waitForLeader(OFFSETS_TOPIC, offsetsPartition, (s) => s.leader >= 0 && s.isr.length === 3, 30_000);
  const coordinator = before.leader;
  for (const id of cluster.brokerIds) {
    const answer = await findCoordinator(cluster, id, GROUP);
    expect({ asked: id, ...answer }).toEqual({ asked: id, errorCode: 0, nodeId: coordinator, host: '127.0.0.1', port: cluster.brokerPort(coordinator) });
  }

  const killedAt = Date.now();
  await cluster.killBroker(coordinator, 'SIGKILL');
  const after = await cluster.waitForLeader(OFFSETS_TOPIC, offsetsPartition, (s) => s.leader >= 0 && s.leader !== coordinator, 60_000);
  const survivors = cluster.brokerIds.filter((id) => id !== coordinator);
  expect(survivors).toContain(after.leader);
  expect(after.leaderEpoch).toBeGreaterThan(before.leaderEpoch);
  const found = await waitFor(
    async () => {
      const answers = await Promise.all(survivors.map((id) => findCoordinator(cluster, id, GROUP).catch(() => null)));
      return answers.every((a) => a !== null && a.errorCode === 0 && a.nodeId === after.leader) ? answers : false;
    },
    `every surviving broker to name broker ${after.leader} as coordinator`,
    60_000,
    200,
  );
  const failoverMs = Date.now() - killedAt;
  expect(found.length).toBe(2);

  // The new coordinator serves the committed offsets...
  const liveAdmin = await fx.admin(cluster.liveBootstrapServers());
  const reloaded = await liveAdmin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
  expect(reloaded[0].partitions.map((p) => [p.partition, p.offset]).sort()).toEqual(COMMITTED.map((o, p) => [p, String(o)]));

  // ...and a new member of the group resumes exactly there.
  const second = await resumeConsumer(cluster.liveBootstrapServers());
  await expectResumedAt(second.delivered, COMMITTED);

  // Commits made on the new coordinator, then leadership of the offsets partition moved back to the
  // restarted first coordinator (preferred election): the broker losing it unloads the group
  // (NOT_COORDINATOR), the one gaining it loads the commits it replicated while following.
  await second.consumer.commitOffsets(RECOMMITTED.map((offset, partition) => ({ topic: TOPIC, partition, offset: String(offset) })));
  await second.consumer.disconnect();
  const interim = after.leader;
  await cluster.startBroker(coordinator);
  await cluster.waitForLeader(OFFSETS_TOPIC, offsetsPartition, (s) => s.isr.length === 3, 60_000);
  const metadata = await liveAdmin.fetchTopicMetadata({ topics: [OFFSETS_TOPIC] });
  const replicas = metadata.topics[0].partitions.find((p) => p.partitionId === offsetsPartition)?.replicas ?? [];
  expect(replicas[0]).toBe(coordinator); // the first coordinator is the preferred replica
  const controller = await cluster.waitForController();
  const electClient = new BrokerClient({ host: '127.0.0.1', port: cluster.brokerPort(controller), clientId: 'failover-test', requestTimeoutMs: 60_000 });
  const movedAt = Date.now();
  try {
    const elected = await electClient.send(ApiKey.ElectLeaders, 2, {
      electionType: 0,
      topicPartitions: [{ topic: OFFSETS_TOPIC, partitionId: [offsetsPartition] }],
      timeoutMs: 30_000,
    });
    expect(elected.replicaElectionResults[0]?.partitionResult[0]?.errorCode).toBe(ErrorCode.NONE);
  } finally {
    await electClient.close();
  }
  await cluster.waitForLeader(OFFSETS_TOPIC, offsetsPartition, (s) => s.leader === coordinator, 30_000);
  const unloaded = await waitFor(
    async () => {
      const r = await offsetFetchFrom(cluster, interim).catch(() => null);
      return r !== null && r.errorCode === ErrorCode.NOT_COORDINATOR ? r : false;
    },
    `broker ${interim} to answer NOT_COORDINATOR after losing the offsets partition`,
    30_000,
    100,
  );
  expect(unloaded.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
  const loadErrors = new Set<number>();
  const loaded = await waitFor(
    async () => {
      const r = await offsetFetchFrom(cluster, coordinator).catch(() => null);
      if (r !== null && r.errorCode !== ErrorCode.NONE) loadErrors.add(r.errorCode);
      return r !== null && r.errorCode === ErrorCode.NONE ? r : false;
    },
    `broker ${coordinator} to serve the group again`,
    30_000,
    50,
  );
  const movedBackMs = Date.now() - movedAt;
  expect(loaded.offsets).toEqual(RECOMMITTED);
  // Only the errors a coordinator may give while it takes over.
  for (const code of loadErrors) expect([ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS]).toContain(code);
  const third = await resumeConsumer(cluster.bootstrapServers);
  await expectResumedAt(third.delivered, RECOMMITTED);
  const resumed = second.delivered;
  process.stdout.write(
    `coordinator-failover: group ${GROUP} -> ${OFFSETS_TOPIC}-${offsetsPartition}; coordinator ${coordinator} killed, ` +
      `broker ${after.leader} coordinator after ${failoverMs} ms (epoch ${before.leaderEpoch} -> ${after.leaderEpoch}); ` +
      `resumed at ${COMMITTED.join('/')} with ${resumed.length} records, none re-delivered or skipped; ` +
      `recommitted ${RECOMMITTED.join('/')} on broker ${interim}, moved back to ${coordinator} by preferred election: ` +
      `${interim} NOT_COORDINATOR, ${coordinator} serving after ${movedBackMs} ms (errors meanwhile: ${[...loadErrors].join(',') || 'none'}), ` +
      `third consumer resumed with ${third.delivered.length} records; ${Date.now() - started} ms\n`,
  );
}, 240_000);
