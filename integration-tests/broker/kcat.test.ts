/**
 * kcat (librdkafka) against a 3-ZooKeeper + 3-broker cluster: metadata listing, and a produce then
 * consume-to-end round trip on a 6-partition topic.
 */
import { KCAT, runToolOk } from './support/tools';
import { useKafkaCluster } from './support/fixture';

jest.setTimeout(120_000);

interface KcatMetadata {
  controllerid?: number;
  brokers: Array<{ id: number; name: string }>;
  topics: Array<{
    topic: string;
    error?: string;
    partitions: Array<{ partition: number; leader: number; replicas: Array<{ id: number }>; isrs: Array<{ id: number }> }>;
  }>;
}

interface KcatMessage {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  payload: string | null;
}

const ROUND_TRIP = 'kcat-six';
const REPLICATED = 'kcat-rf3';

if (KCAT === null) {
  process.stderr.write('kcat.test.ts: SKIPPED: kcat is not installed (apt-get install kcat; .ci/run installs it through scripts/ensure-test-tools)\n');
}
const describeWithKcat = KCAT === null ? describe.skip : describe;

describeWithKcat('kcat', () => {
  const fx = useKafkaCluster({ zookeepers: 3, brokers: 3 });
  const kcat = (args: string[], input?: string) =>
    runToolOk(KCAT!, ['-b', fx.cluster.bootstrapServers, '-X', 'socket.timeout.ms=20000', ...args], { input, timeoutMs: 90_000 });

  beforeAll(async () => {
    const admin = await fx.admin();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: ROUND_TRIP, numPartitions: 6, replicationFactor: 1 },
        { topic: REPLICATED, numPartitions: 3, replicationFactor: 3 },
      ],
    });
  }, 60_000);

  async function metadata(): Promise<KcatMetadata> {
    const run = await kcat(['-L', '-J']);
    return JSON.parse(run.stdout) as KcatMetadata;
  }

  test('-L lists the three brokers with their addresses, the topics, and a leader for every partition', async () => {
    const md = await metadata();
    expect(md.brokers.map((b) => [b.id, b.name]).sort()).toEqual(fx.cluster.brokerIds.map((id) => [id, fx.cluster.brokerAddress(id)]));
    if (md.controllerid !== undefined) expect(md.controllerid).toBe(await fx.cluster.controllerId());
    const six = md.topics.find((t) => t.topic === ROUND_TRIP);
    expect(six?.error).toBeUndefined();
    expect(six?.partitions.map((p) => p.partition).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    for (const p of six!.partitions) {
      expect(fx.cluster.brokerIds).toContain(p.leader);
      expect(p.replicas.map((r) => r.id)).toEqual([p.leader]);
      expect(p.isrs.map((r) => r.id)).toEqual([p.leader]);
    }
    // Six partitions of RF 1 over three brokers: two leaders each (Kafka's round-robin assignment).
    const perBroker = new Map<number, number>();
    for (const p of six!.partitions) perBroker.set(p.leader, (perBroker.get(p.leader) ?? 0) + 1);
    expect([...perBroker.values()]).toEqual([2, 2, 2]);

    const rf3 = md.topics.find((t) => t.topic === REPLICATED)!;
    for (const p of rf3.partitions) {
      expect(p.replicas.map((r) => r.id).sort()).toEqual(fx.cluster.brokerIds);
      expect(p.leader).toBe(p.replicas[0].id);
      const state = await fx.cluster.partitionState(REPLICATED, p.partition);
      expect(state?.leader).toBe(p.leader);
      expect(p.isrs.map((r) => r.id).sort()).toEqual([...state!.isr].sort());
    }
  });

  test('-P then -C -e round trip on a 6-partition topic: every message once, per-partition order kept', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 600; i++) lines.push(`k${i % 37}:v${i}`);
    await kcat(['-P', '-t', ROUND_TRIP, '-K', ':', '-X', 'linger.ms=5'], `${lines.join('\n')}\n`);

    const run = await kcat(['-C', '-t', ROUND_TRIP, '-o', 'beginning', '-e', '-J', '-q']);
    const got = run.stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as KcatMessage);
    expect(got).toHaveLength(600);
    expect(new Set(got.map((m) => m.partition)).size).toBeGreaterThan(1);
    for (let p = 0; p < 6; p++) {
      const inPartition = got.filter((m) => m.partition === p);
      expect(inPartition.map((m) => m.offset)).toEqual(inPartition.map((_, i) => i));
    }
    // librdkafka hashes keys: a key stays on one partition, and its values keep the produce order.
    for (let k = 0; k < 37; k++) {
      const ofKey = got.filter((m) => m.key === `k${k}`);
      expect(new Set(ofKey.map((m) => m.partition)).size).toBe(1);
      const sameKeyPartition = ofKey[0].partition;
      const order = got.filter((m) => m.partition === sameKeyPartition && m.key === `k${k}`).map((m) => m.payload);
      expect(order).toEqual(lines.filter((_, i) => i % 37 === k).map((l) => l.slice(l.indexOf(':') + 1)));
    }
  });

  test('-P to an unknown topic auto-creates it (auto.create.topics.enable) and the message can be consumed', async () => {
    await kcat(['-P', '-t', 'kcat-auto', '-K', ':'], 'a:hello\n');
    const run = await kcat(['-C', '-t', 'kcat-auto', '-o', 'beginning', '-e', '-J', '-q']);
    const got = run.stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as KcatMessage);
    expect(got.map((m) => [m.key, m.payload])).toEqual([['a', 'hello']]);
    const md = await metadata();
    // num.partitions defaults to 1.
    expect(md.topics.find((t) => t.topic === 'kcat-auto')?.partitions).toHaveLength(1);
  });
});
