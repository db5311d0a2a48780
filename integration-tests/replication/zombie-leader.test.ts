/**
 * Issue 5's zombie-leader proof: the leader is SIGSTOPped past its ZooKeeper session timeout, the
 * controller elects a new leader from the ISR, which takes acks=all writes. When the old leader is
 * SIGCONTed it must stop acting as leader (Produce sent straight to it is rejected once it learns),
 * rejoin as a follower (ISR back to 3), and the writes made to the new leader must all survive.
 */
import { waitFor } from '../helpers/wait';
import { useKafkaCluster } from '../broker/support/fixture';
import { BrokerClientError } from '../../broker/src/network/broker-client';
import { ErrorCode } from '../../broker/src/protocol';
import { BrokerConnections, createReplicatedPartition, makeValues, resume, sleep, waitForIdenticalReplicas, valuesIn, type ProduceResult } from './support/replica-io';

const TOPIC = 'zombie';
const SESSION_TIMEOUT_MS = 6000;
const NONE = 0;
const fx = useKafkaCluster({
  zookeepers: 3,
  brokers: 3,
  overrides: { 'zookeeper.session.timeout.ms': String(SESSION_TIMEOUT_MS), 'replica.lag.time.max.ms': '10000' },
});

async function produceUntilAccepted(io: BrokerConnections, id: number, values: readonly string[], what: string): Promise<ProduceResult> {
  return waitFor(
    async () => {
      const res = await io.produce(id, TOPIC, 0, values, -1).catch((e: unknown) => {
        if (e instanceof BrokerClientError) return null;
        throw e;
      });
      return res !== null && res.errorCode === NONE ? res : false;
    },
    what,
    30_000,
    200,
  );
}

test('a leader paused past its ZooKeeper session stops acting as leader when resumed, rejoins as a follower, and no acks=all write to the new leader is lost', async () => {
  const started = Date.now();
  const admin = await fx.admin();
  const cluster = fx.cluster;
  const io = new BrokerConnections(cluster);
  const stopped = new Set<number>();
  try {
    const initial = await createReplicatedPartition(admin, cluster, TOPIC);
    const oldLeader = initial.leader;
    const controllerBefore = await cluster.controllerId();
    const before = makeValues('all-before', 20);
    for (let i = 0; i < before.length; i += 5) await produceUntilAccepted(io, oldLeader, before.slice(i, i + 5), 'acks=all produce to the first leader');

    const pid = cluster.pid(oldLeader);
    if (pid === null) throw new Error(`broker ${oldLeader} is not running`);
    process.kill(pid, 'SIGSTOP');
    stopped.add(pid);
    const stoppedAt = Date.now();
    await io.drop(oldLeader);

    const failover = await cluster.waitForLeader(TOPIC, 0, (s) => s.leader >= 0 && s.leader !== oldLeader, SESSION_TIMEOUT_MS + 30_000);
    const newLeader = failover.leader;
    const electedMs = Date.now() - stoppedAt;
    expect(failover.isr).not.toContain(oldLeader);
    expect(failover.leaderEpoch).toBeGreaterThan(initial.leaderEpoch);

    const after = makeValues('all-after', 20);
    for (let i = 0; i < after.length; i += 5) {
      await produceUntilAccepted(io, newLeader, after.slice(i, i + 5), `acks=all produce to the new leader ${newLeader}`);
    }
    await sleep(500);

    resume(stopped);
    stopped.clear();
    const resumedAt = Date.now();

    // An acks=all write to the zombie can never be acknowledged: its followers now fetch from the new leader.
    const zombieAcksAll = io
      .produce(oldLeader, TOPIC, 0, makeValues('zombie-all', 1), -1, 10_000, 1)
      .catch((e: unknown) => (e instanceof BrokerClientError ? ({ errorCode: -1, baseOffset: -1n } as ProduceResult) : Promise.reject(e)));

    // acks=1 writes straight to the zombie until it has learned it is no longer the leader.
    const zombieAccepted: string[] = [];
    let rejection = NONE;
    let attempt = 0;
    const rejected = await waitFor(
      async () => {
        const value = makeValues('zombie-one', 1, attempt++);
        const res = await io.produce(oldLeader, TOPIC, 0, value, 1).catch((e: unknown) => {
          if (e instanceof BrokerClientError) return null;
          throw e;
        });
        if (res === null) return false;
        if (res.errorCode === NONE) {
          zombieAccepted.push(...value);
          return false;
        }
        rejection = res.errorCode;
        return true;
      },
      'the resumed old leader to reject Produce',
      60_000,
      100,
    );
    expect(rejected).toBe(true);
    const rejectedMs = Date.now() - resumedAt;
    expect(rejection).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    const zombieAll = await zombieAcksAll;
    expect(zombieAll.errorCode).not.toBe(NONE);

    const rejoined = await cluster.waitForLeader(TOPIC, 0, (s) => s.isr.length === 3, 60_000);
    expect(rejoined.leader).toBe(newLeader);

    const finalLog = await waitForIdenticalReplicas(cluster, TOPIC, 0, newLeader);
    process.stdout.write(
      `zombie-leader: old leader ${oldLeader} (controller before ${String(controllerBefore)}, after ${String(await cluster.controllerId())}), ` +
        `new leader ${newLeader} elected ${electedMs} ms after SIGSTOP (epoch ${initial.leaderEpoch} -> ${failover.leaderEpoch}); ` +
        `after SIGCONT the zombie accepted ${zombieAccepted.length} acks=1 writes, rejected with error ${rejection} after ${rejectedMs} ms, ` +
        `acks=all to it got error ${zombieAll.errorCode}; acks=all ${before.length + after.length} all present; ` +
        `replicas identical (${finalLog.length} bytes); ${Date.now() - started} ms\n`,
    );
    expect(valuesIn(finalLog, before)).toEqual(before);
    expect(valuesIn(finalLog, after)).toEqual(after);
    expect(valuesIn(finalLog, zombieAccepted)).toEqual([]);
  } finally {
    resume(stopped);
    await io.closeAll();
  }
}, 300_000);
