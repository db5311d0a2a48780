/**
 * `npm run bench:groups`: the group coordinator on a real cluster (1 ZooKeeper, 3 brokers,
 * __consumer_offsets RF=3, acks=all writes):
 *  - rebalance time: 10 kafkajs consumers in one group over a 100-partition topic are consuming; an 11th
 *    joins; the time from its start to every member having consumed again in the new generation.
 *  - offset commit rate: OffsetCommit requests of 100 partitions each (standalone commits, generation -1)
 *    sent back to back to the coordinator over one connection, N in flight; commits/s and partition
 *    offsets/s.
 * SAMSA_BENCH_QUICK=1 shortens the commit phase.
 */
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { KafkaCluster } from '../../integration-tests/helpers/kafka-cluster';
import { BrokerClient } from '../../broker/src/network/broker-client';
import { ApiKey } from '../../broker/src/protocol';
import type { BenchResult } from './bench-result';

const TOPIC = 'bench-groups';
const PARTITIONS = 100;
const MEMBERS = 10;
const QUICK = process.env.SAMSA_BENCH_QUICK === '1';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Member {
  consumer: Consumer;
  /** The last time this member consumed a record. */
  lastConsumedAt: number;
  assigned: number;
}

async function startMember(kafka: Kafka): Promise<Member> {
  const consumer = kafka.consumer({ groupId: 'bench-group', sessionTimeout: 10_000, rebalanceTimeout: 30_000, heartbeatInterval: 1000, maxWaitTimeInMs: 100 });
  const member: Member = { consumer, lastConsumedAt: 0, assigned: 0 };
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    member.assigned = Object.values(e.payload.memberAssignment).reduce((n, ps) => n + ps.length, 0);
  });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: false });
  await consumer.run({
    eachMessage: async () => {
      member.lastConsumedAt = Date.now();
    },
  });
  return member;
}

async function main(): Promise<void> {
  const results: BenchResult[] = [];
  const cluster = await KafkaCluster.start({ brokers: 3, logLevel: 'warn', overrides: { 'offsets.topic.replication.factor': '3', 'group.initial.rebalance.delay.ms': '0' } });
  const kafka = new Kafka({ clientId: 'bench', brokers: cluster.bootstrapServers.split(','), logLevel: logLevel.NOTHING });
  const members: Member[] = [];
  let producing = true;
  try {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3 }] });
    const producer = kafka.producer();
    await producer.connect();
    // A steady trickle on every partition, so a member that owns partitions consumes within ~100 ms.
    const produceLoop = (async () => {
      while (producing) {
        await producer.send({ topic: TOPIC, acks: 1, messages: Array.from({ length: PARTITIONS }, (_, p) => ({ partition: p, value: 'x' })) });
        await sleep(50);
      }
    })();

    for (let i = 0; i < MEMBERS; i++) members.push(await startMember(kafka));
    const settleDeadline = Date.now() + 120_000;
    while (Date.now() < settleDeadline) {
      const now = Date.now();
      if (members.every((m) => m.assigned > 0 && now - m.lastConsumedAt < 500) && members.reduce((n, m) => n + m.assigned, 0) === PARTITIONS) break;
      await sleep(100);
    }
    await sleep(2000);

    const joinedAt = Date.now();
    const newcomer = await startMember(kafka);
    members.push(newcomer);
    let rebalancedAt = 0;
    while (Date.now() - joinedAt < 120_000) {
      const ok = members.every((m) => m.lastConsumedAt > joinedAt && m.assigned > 0) && members.reduce((n, m) => n + m.assigned, 0) === PARTITIONS;
      if (ok) {
        rebalancedAt = Math.max(...members.map((m) => m.lastConsumedAt));
        break;
      }
      await sleep(20);
    }
    if (rebalancedAt === 0) throw new Error('the group did not rebalance within 120 s');
    results.push({ name: `rebalance: ${MEMBERS} consumers + 1 joining, ${PARTITIONS} partitions (join → all ${MEMBERS + 1} consuming)`, value: rebalancedAt - joinedAt, unit: 'ms' });

    producing = false;
    await produceLoop;
    await Promise.all(members.map((m) => m.consumer.disconnect()));
    await producer.disconnect();

    // Commit rate: standalone commits straight to the coordinator.
    const group = 'bench-commits';
    let coordinator = { nodeId: -1, host: '', port: 0 };
    for (let i = 0; i < 100 && coordinator.nodeId < 0; i++) {
      const [host, port] = (cluster.bootstrapServers.split(',')[0] ?? '').split(':');
      const c = new BrokerClient({ host: host ?? '127.0.0.1', port: Number(port), clientId: 'bench', requestTimeoutMs: 10_000 });
      const r = await c.send(ApiKey.FindCoordinator, 3, { key: group, keyType: 0 });
      await c.close();
      if (r.errorCode === 0) coordinator = r;
      else await sleep(200);
    }
    const client = new BrokerClient({ host: coordinator.host, port: coordinator.port, clientId: 'bench', requestTimeoutMs: 30_000 });
    const commit = (n: number): ReturnType<typeof client.send<typeof ApiKey.OffsetCommit>> =>
      client.send(ApiKey.OffsetCommit, 8, {
        groupId: group,
        generationId: -1,
        memberId: '',
        groupInstanceId: null,
        retentionTimeMs: -1n,
        topics: [{ name: TOPIC, partitions: Array.from({ length: PARTITIONS }, (_, p) => ({ partitionIndex: p, committedOffset: BigInt(n), committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: '' })) }],
      });
    for (let i = 0; i < 20; i++) {
      const r = await commit(i);
      if (r.topics[0]?.partitions.some((p) => p.errorCode !== 0)) await sleep(200);
    }
    for (const inFlight of [1, 8]) {
      const durationMs = QUICK ? 3000 : 10_000;
      let done = 0;
      let failed = 0;
      const start = Date.now();
      await Promise.all(
        Array.from({ length: inFlight }, async () => {
          while (Date.now() - start < durationMs) {
            const r = await commit(done);
            if (r.topics[0]?.partitions.some((p) => p.errorCode !== 0)) failed++;
            done++;
          }
        }),
      );
      const seconds = (Date.now() - start) / 1000;
      results.push({ name: `offset commits (${PARTITIONS} partitions each, acks=all RF=3, ${inFlight} in flight)`, value: Math.round(done / seconds), unit: 'commits/s' });
      results.push({ name: `  partition offsets committed (${inFlight} in flight)`, value: Math.round((done * PARTITIONS) / seconds), unit: 'offsets/s' });
      if (failed > 0) results.push({ name: `  failed commits (${inFlight} in flight)`, value: failed, unit: 'commits' });
    }
    await client.close();
    await admin.disconnect();
  } finally {
    producing = false;
    await cluster.stop();
  }
  for (const r of results) process.stdout.write(`${r.name.padEnd(96)} ${String(r.value).padStart(10)} ${r.unit}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:groups failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
