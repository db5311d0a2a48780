/**
 * Issue 5's "a ZooKeeper server of the ensemble is killed during the run: the cluster carries on".
 * 3-server ensemble + 3 brokers, RF=3, min.insync.replicas=2, a librdkafka acks=all producer running.
 * kill -9 of the ZooKeeper leader (found with the `srvr` four-letter word): the other two elect a new
 * ZooKeeper leader, the brokers' sessions move to them without expiring (same registrations), acks=all
 * produce keeps succeeding, and kill -9 of the partition's leader during the outage still fails over
 * (the controller sees the session expire and elects from the ISR). The ZooKeeper server then restarts
 * and rejoins the ensemble; every acked record is read back.
 */
import { BrokerClientError } from '../../broker/src/network/broker-client';
import { BrokerIdZNode } from '../../broker/src/zk/znodes';
import { useKafkaCluster } from '../broker/support/fixture';
import { confluentKafkaAvailable } from '../broker/support/tools';
import { waitFor } from '../helpers/wait';
import { auditAckedWrites, describeAudit } from './support/acked-check';
import { startAckedProducer } from './support/acked-producer';
import { BrokerConnections, makeValues, sleep } from './support/replica-io';

const TOPIC = 'zk-failure';
const SESSION_TIMEOUT_MS = 6000;
const NONE = 0;
const hasConfluent = confluentKafkaAvailable();
const fx = useKafkaCluster({
  zookeepers: 3,
  brokers: 3,
  overrides: { 'zookeeper.session.timeout.ms': String(SESSION_TIMEOUT_MS), 'replica.lag.time.max.ms': '10000' },
});

/**
 * acks=all produce of `values` to the leader `leaderOf()` names, retried until accepted. During the
 * ZooKeeper outage the caller names the leader it knew before, so nothing here waits on ZooKeeper.
 */
async function produceAcked(io: BrokerConnections, leaderOf: () => Promise<number>, values: readonly string[], what: string, timeoutMs: number): Promise<void> {
  await waitFor(
    async () => {
      const leader = await leaderOf().catch(() => -1);
      if (leader < 0 || !fx.cluster.isRunning(leader)) return false;
      const res = await io.produce(leader, TOPIC, 0, values, -1, 5000).catch(async (e: unknown) => {
        if (!(e instanceof BrokerClientError)) throw e;
        await io.drop(leader);
        return null;
      });
      return res !== null && res.errorCode === NONE;
    },
    what,
    timeoutMs,
    100,
  );
}

/** The leader in the partition's ZooKeeper state (-1 when none). */
const partitionLeaderInZk = async (): Promise<number> => (await fx.cluster.partitionState(TOPIC, 0))?.leader ?? -1;

async function registrationOwners(ids: readonly number[]): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  for (const id of ids) {
    const node = await fx.cluster.readZk(BrokerIdZNode.path(id));
    if (node !== null) out.set(id, `${node.stat.ephemeralOwner}/${node.stat.czxid}`);
  }
  return out;
}

(hasConfluent ? test : test.skip)(
  'kill -9 of the ZooKeeper leader: produce goes on, a broker kill during the outage still fails over, no acked record is lost, the server rejoins',
  async () => {
    const started = Date.now();
    const cluster = fx.cluster;
    const admin = await fx.admin();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }],
    });
    const initial = await cluster.waitForLeader(TOPIC, 0, (s) => s.leader >= 0 && s.isr.length === 3, 30_000);
    const io = new BrokerConnections(cluster);
    const producer = startAckedProducer(cluster.bootstrapServers, TOPIC, 1, cluster.baseDir);
    try {
      await sleep(1500);
      const modes = await Promise.all(cluster.ensemble.servers.map(async (s) => [s.id, await cluster.ensemble.mode(s.id)] as const));
      const zkServer = modes.find(([, m]) => m === 'leader')?.[0];
      if (zkServer === undefined) throw new Error(`no ZooKeeper leader among ${JSON.stringify(modes)}`);
      const owners = await registrationOwners(cluster.brokerIds);

      // 1. The ZooKeeper leader dies; the cluster keeps taking acks=all writes.
      const leaderBefore = (await cluster.waitForLeader(TOPIC, 0, (s) => s.leader >= 0 && s.isr.length === 3, 30_000)).leader;
      const zkKilledAt = Date.now();
      await cluster.ensemble.stopServer(zkServer);
      const reelected = cluster.ensemble.waitUntilServing(30_000).then(() => Date.now() - zkKilledAt);
      const duringOutage = makeValues('zk-outage', 10);
      let firstProduceMs = -1;
      for (let i = 0; i < duringOutage.length; i += 2) {
        await produceAcked(io, () => Promise.resolve(leaderBefore), duringOutage.slice(i, i + 2), 'acks=all produce after the ZooKeeper leader died', 20_000);
        if (firstProduceMs < 0) firstProduceMs = Date.now() - zkKilledAt;
      }
      await reelected;
      // "Serving" can still be answered just after the kill, before the survivors notice and hold their
      // election: wait until the two of them settle as a leader and a follower.
      const survivorModes = async (): Promise<string[]> =>
        (await Promise.all(cluster.ensemble.servers.filter((s) => s.id !== zkServer).map((s) => cluster.ensemble.mode(s.id)))).sort();
      const newModes = await waitFor(async () => {
        const m = await survivorModes();
        return m[0] === 'follower' && m[1] === 'leader' ? m : false;
      }, 'the two remaining ZooKeeper servers to elect a leader', 30_000).catch(() => survivorModes());
      const reelectedMs = Date.now() - zkKilledAt;
      expect(newModes).toEqual(['follower', 'leader']);

      // 2. With the ensemble at 2 of 3, the partition leader is killed: the controller still fails over.
      const before = await cluster.waitForLeader(TOPIC, 0, (s) => s.leader >= 0 && s.isr.length >= 2, 30_000);
      const victim = before.leader;
      const controller = await cluster.controllerId();
      const brokerKilledAt = Date.now();
      await cluster.killBroker(victim, 'SIGKILL');
      await io.drop(victim);
      const failover = await cluster.waitForLeader(TOPIC, 0, (s) => s.leader >= 0 && s.leader !== victim, SESSION_TIMEOUT_MS + 30_000);
      const failoverMs = Date.now() - brokerKilledAt;
      expect(failover.leaderEpoch).toBeGreaterThan(before.leaderEpoch);
      expect(failover.isr).not.toContain(victim);
      const afterFailover = makeValues('zk-after-failover', 10);
      for (let i = 0; i < afterFailover.length; i += 2) await produceAcked(io, partitionLeaderInZk, afterFailover.slice(i, i + 2), 'acks=all produce to the new leader', 30_000);

      // The survivors kept their ZooKeeper sessions across the ZooKeeper leader's death (no re-registration).
      const survivors = cluster.brokerIds.filter((id) => id !== victim);
      const ownersAfter = await registrationOwners(survivors);
      for (const id of survivors) expect(ownersAfter.get(id)).toBe(owners.get(id));

      // 3. The ZooKeeper server comes back and rejoins; the broker comes back and catches up.
      await cluster.ensemble.startServer(zkServer);
      const rejoinedMode = await waitFor(
        async () => {
          const m = await cluster.ensemble.mode(zkServer);
          return m === 'follower' || m === 'leader' ? m : false;
        },
        `ZooKeeper server ${zkServer} to rejoin`,
        30_000,
        200,
      );
      await cluster.startBroker(victim);
      await cluster.waitForLeader(TOPIC, 0, (s) => s.isr.length === 3, 60_000);
      await sleep(1000);
      const report = await producer.stop();
      const audit = await auditAckedWrites(admin, cluster.bootstrapServers, TOPIC, report, [...duringOutage, ...afterFailover]);
      process.stdout.write(
        `zookeeper-failure: killed ZooKeeper leader ${zkServer} (modes before ${JSON.stringify(modes)}); first acks=all write accepted ` +
          `${firstProduceMs} ms later, ensemble serving again after ${reelectedMs} ms; killed broker ${victim} (partition leader, controller ${String(controller)}) ` +
          `during the outage: new leader ${failover.leader} after ${failoverMs} ms (epoch ${before.leaderEpoch} -> ${failover.leaderEpoch}); ` +
          `server ${zkServer} rejoined as ${rejoinedMode}; initial leader ${initial.leader}; ${describeAudit(audit)}; ${Date.now() - started} ms\n`,
      );
      expect(audit.acked).toBeGreaterThan(0);
      expect(audit.lost).toEqual([]);
      expect(audit.misplaced).toEqual([]);
    } finally {
      await io.closeAll();
    }
  },
  180_000,
);
