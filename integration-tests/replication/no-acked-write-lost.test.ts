/**
 * Issue 5's first proof: with RF=3, min.insync.replicas=2 and acks=all, a record the producer got an
 * acknowledgement for survives kill -9 of its partition's leader, failover after failover (the
 * controller's broker included). A librdkafka producer (confluent-kafka) writes unique values while
 * the test kills leaders; afterwards every acked value is read back from the new leader.
 */
import { useKafkaCluster } from '../broker/support/fixture';
import { KafkajsPartitionReader } from '../broker/support/kafkajs-reader';
import { confluentKafkaAvailable } from '../broker/support/tools';
import { startAckedProducer } from './support/acked-producer';

const TOPIC = 'durable';
const FAILOVERS = Number(process.env.SAMSA_FAILOVERS ?? '5');
const SESSION_TIMEOUT_MS = 6000;
const hasConfluent = confluentKafkaAvailable();
const fx = useKafkaCluster({
  zookeepers: 3,
  brokers: 3,
  overrides: { 'zookeeper.session.timeout.ms': String(SESSION_TIMEOUT_MS), 'replica.lag.time.max.ms': '10000' },
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));


(hasConfluent ? test : test.skip)(
  `acks=all, min.insync.replicas=2: no acknowledged record is lost across ${FAILOVERS} leader kills (kill -9), the controller's broker included`,
  async () => {
    const admin = await fx.admin();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }],
    });
    const producer = startAckedProducer(fx.cluster.bootstrapServers, TOPIC, 1, fx.cluster.baseDir);

    let controllerKilled = false;
    for (let i = 0; i < FAILOVERS; i++) {
      await sleep(2000);
      const state = await fx.cluster.waitForLeader(TOPIC, 0, (s) => s.leader >= 0 && s.isr.length >= 2, 60_000);
      const controller = await fx.cluster.controllerId();
      // At least one failover takes the controller down with the leader.
      let victim = state.leader;
      if (!controllerKilled && i === FAILOVERS - 1 && controller !== null && controller !== victim) victim = controller;
      if (victim === controller) controllerKilled = true;
      await fx.cluster.killBroker(victim, 'SIGKILL');
      await fx.cluster.waitForLeader(TOPIC, 0, (s) => s.leader >= 0 && s.leader !== victim, SESSION_TIMEOUT_MS + 20_000);
      await fx.cluster.waitForDeregistration(victim, 30_000);
      await fx.cluster.startBroker(victim);
    }
    await fx.cluster.waitForLeader(TOPIC, 0, (s) => s.isr.length === 3, 60_000);
    await sleep(2000);
    const report = await producer.stop();

    const state = await fx.cluster.partitionState(TOPIC, 0);
    const reader = await KafkajsPartitionReader.connect(fx.cluster.bootstrapServers);
    let values: string[];
    try {
      const [offsets] = await admin.fetchTopicOffsets(TOPIC);
      if (offsets === undefined) throw new Error(`no offsets for ${TOPIC}`);
      const messages = await reader.readPartition(TOPIC, 0, Number(offsets.high) - Number(offsets.low), BigInt(offsets.low), 60_000);
      values = messages.map((m) => m.value ?? '');
    } finally {
      await reader.disconnect();
    }
    const present = new Map<string, number>();
    for (const v of values) present.set(v, (present.get(v) ?? 0) + 1);
    const lost = report.acked.filter(([v]) => !present.has(v)).map(([v]) => v);
    const duplicated = [...present.values()].filter((c) => c > 1).length;
    process.stdout.write(
      `no-acked-write-lost: ${FAILOVERS} failovers (controller killed: ${controllerKilled}), sent ${report.sent}, acked ${report.acked.length}, ` +
        `failed ${report.failed.length}, unflushed ${report.unflushed}, read back ${values.length} (${duplicated} values twice), lost ${lost.length}, leader ${String(state?.leader)} ISR ${JSON.stringify(state?.isr)}\n`,
    );
    expect(controllerKilled).toBe(true);
    expect(report.acked.length).toBeGreaterThan(0);
    expect(lost).toEqual([]);
  },
  600_000,
);
