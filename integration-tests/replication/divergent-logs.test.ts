/**
 * Issue 5's divergent-logs proof: a leader takes acks=1 writes its followers never fetch (both are
 * SIGSTOPped), then dies; a follower from the ISR takes over and accepts acks=all writes. When the old
 * leader returns it asks the new leader (OffsetForLeaderEpoch) where its log diverged, truncates its
 * unreplicated records and ends byte-identical to the other replicas.
 */
import { waitFor } from '../helpers/wait';
import { useKafkaCluster } from '../broker/support/fixture';
import { BrokerConnections, createReplicatedPartition, makeValues, resume, segmentBytes, sleep, waitForIdenticalReplicas, valuesIn } from './support/replica-io';

const TOPIC = 'divergent';
const SESSION_TIMEOUT_MS = 6000;
const NONE = 0;
const fx = useKafkaCluster({
  zookeepers: 3,
  brokers: 3,
  overrides: { 'zookeeper.session.timeout.ms': String(SESSION_TIMEOUT_MS), 'replica.lag.time.max.ms': '30000' },
});

test('a leader that lost leadership truncates its unreplicated acks=1 records via leader epochs and ends byte-identical to the new leader', async () => {
  const started = Date.now();
  const admin = await fx.admin();
  const cluster = fx.cluster;
  const io = new BrokerConnections(cluster);
  const stopped = new Set<number>();
  try {
    const initial = await createReplicatedPartition(admin, cluster, TOPIC);
    const oldLeader = initial.leader;
    const followers = cluster.brokerIds.filter((id) => id !== oldLeader);

    const before = makeValues('all-before', 20);
    for (let i = 0; i < before.length; i += 5) {
      const r = await waitFor(async () => {
        const res = await io.produce(oldLeader, TOPIC, 0, before.slice(i, i + 5), -1);
        return res.errorCode === NONE ? res : false;
      }, 'acks=all produce to the first leader', 20_000, 200);
      expect(r.errorCode).toBe(NONE);
    }

    // The followers' in-flight fetch may still carry the first acks=1 batch (their kernels buffer the
    // response); every later batch stays on the leader alone.
    for (const id of followers) {
      const pid = cluster.pid(id);
      if (pid === null) throw new Error(`broker ${id} is not running`);
      process.kill(pid, 'SIGSTOP');
      stopped.add(pid);
    }
    const unreplicated = makeValues('one-leader', 20);
    for (const v of unreplicated) {
      const r = await io.produce(oldLeader, TOPIC, 0, [v], 1);
      expect(r.errorCode).toBe(NONE);
      await sleep(100);
    }
    const leaderOnly = segmentBytes(cluster, oldLeader, TOPIC, 0);
    expect(valuesIn(leaderOnly, unreplicated)).toEqual(unreplicated);

    await cluster.killBroker(oldLeader, 'SIGKILL');
    await io.drop(oldLeader);
    resume(stopped);
    stopped.clear();

    const failover = await cluster.waitForLeader(TOPIC, 0, (s) => s.leader >= 0 && s.leader !== oldLeader, SESSION_TIMEOUT_MS + 30_000);
    const newLeader = failover.leader;
    expect(followers).toContain(newLeader);

    const after = makeValues('all-after', 20);
    for (let i = 0; i < after.length; i += 5) {
      await waitFor(async () => {
        const res = await io.produce(newLeader, TOPIC, 0, after.slice(i, i + 5), -1);
        return res.errorCode === NONE ? res : false;
      }, `acks=all produce to the new leader ${newLeader}`, 30_000, 200);
    }

    await cluster.startBroker(oldLeader);
    const rejoined = await cluster.waitForLeader(TOPIC, 0, (s) => s.isr.length === 3, 60_000);
    expect(rejoined.leader).toBe(newLeader);

    const finalLog = await waitForIdenticalReplicas(cluster, TOPIC, 0, newLeader);
    const survivors = valuesIn(finalLog, unreplicated);
    const truncated = unreplicated.length - survivors.length;
    process.stdout.write(
      `divergent-logs: old leader ${oldLeader}, new leader ${newLeader} (epoch ${initial.leaderEpoch} -> ${rejoined.leaderEpoch}), ` +
        `acks=all ${before.length + after.length} all present, acks=1 on the old leader only ${unreplicated.length}: truncated ${truncated}, ` +
        `replicated by an in-flight fetch ${survivors.length}; replicas identical (${finalLog.length} bytes); ${Date.now() - started} ms\n`,
    );
    expect(valuesIn(finalLog, before)).toEqual(before);
    expect(valuesIn(finalLog, after)).toEqual(after);
    // At most the batch answering the followers' in-flight fetch can have reached them, and only as a prefix.
    expect(survivors).toEqual(unreplicated.slice(0, survivors.length));
    expect(survivors.length).toBeLessThanOrEqual(1);
    expect(truncated).toBeGreaterThanOrEqual(unreplicated.length - 1);
  } finally {
    resume(stopped);
    await io.closeAll();
  }
}, 300_000);
