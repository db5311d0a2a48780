/**
 * Issue 5's high-watermark proof: a consumer never reads past the high watermark. With both followers
 * of an RF=3 partition frozen (SIGSTOP) while still in the ISR, records acked by the leader alone
 * (acks=1) sit above the HW: kcat and a confluent-kafka consumer read only the records below it, and
 * ListOffsets latest answers the HW. Once the followers run again and catch up, the rest appear.
 */
import path from 'node:path';
import { useKafkaCluster } from '../broker/support/fixture';
import { KCAT, PYTHON, runToolOk } from '../broker/support/tools';

const TOPIC = 'hw';
const LEADER = 1;
const FOLLOWERS = [2, 3];
const COMMITTED = 10;
const UNREPLICATED = 20;
const CLIENT = path.join(__dirname, 'py', 'hw_client.py');

// The followers must stay in the ISR while frozen: neither lag nor a lost ZooKeeper session may drop them.
const fx = useKafkaCluster({
  zookeepers: 1,
  brokers: 3,
  overrides: { 'zookeeper.session.timeout.ms': '45000', 'replica.lag.time.max.ms': '60000' },
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface ProduceReport {
  acked: Array<[string, number]>;
  failed: Array<[string, string]>;
}

interface ConsumeReport {
  values: string[];
  offsets: number[];
  low: number;
  high: number;
}

const values = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => `v${from + i}`);

async function produce(bootstrap: string, acks: string, first: number, count: number): Promise<ProduceReport> {
  const run = await runToolOk(PYTHON, [CLIENT, 'produce', bootstrap, TOPIC, acks, String(first), String(count)], { timeoutMs: 60_000 });
  return JSON.parse(run.stdout) as ProduceReport;
}

async function confluentConsume(bootstrap: string): Promise<ConsumeReport> {
  const run = await runToolOk(PYTHON, [CLIENT, 'consume', bootstrap, TOPIC], { timeoutMs: 60_000 });
  return JSON.parse(run.stdout) as ConsumeReport;
}

async function kcatConsume(bootstrap: string): Promise<string[]> {
  if (KCAT === null) throw new Error('kcat is not installed');
  const run = await runToolOk(KCAT, ['-C', '-b', bootstrap, '-t', TOPIC, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%s\n'], { timeoutMs: 60_000 });
  return run.stdout.split('\n').filter((line) => line !== '');
}

function signalBroker(id: number, signal: 'SIGSTOP' | 'SIGCONT'): void {
  const pid = fx.cluster.pid(id);
  if (pid === null) throw new Error(`broker ${id} is not running`);
  process.kill(pid, signal);
}

test(
  'consumers (kcat, confluent-kafka) never see records above the high watermark; ListOffsets latest is the HW',
  async () => {
    const admin = await fx.admin();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, replicaAssignment: [{ partition: 0, replicas: [LEADER, ...FOLLOWERS] }] }] });
    await fx.cluster.waitForLeader(TOPIC, 0, (s) => s.leader === LEADER && s.isr.length === 3, 60_000);
    const leader = fx.cluster.brokerAddress(LEADER);

    // Below the HW: acknowledged by every ISR member.
    const committed = await produce(leader, 'all', 0, COMMITTED);
    expect(committed.failed).toEqual([]);
    expect(committed.acked.map(([, o]) => o)).toEqual(values(0, COMMITTED).map((_, i) => i));

    const started = Date.now();
    try {
      for (const id of FOLLOWERS) signalBroker(id, 'SIGSTOP');
      // Above the HW: the leader alone has them, and the followers stay in the ISR, so the HW cannot move.
      const unreplicated = await produce(leader, '1', COMMITTED, UNREPLICATED);
      expect(unreplicated.failed).toEqual([]);
      expect(unreplicated.acked.map(([, o]) => o)).toEqual(values(0, UNREPLICATED).map((_, i) => COMMITTED + i));

      const state = await fx.cluster.partitionState(TOPIC, 0);
      expect(state?.isr.slice().sort()).toEqual([1, 2, 3]);
      const confluent = await confluentConsume(leader);
      const kcat = await kcatConsume(leader);
      process.stdout.write(
        `high-watermark (followers stopped): confluent saw ${confluent.values.length} (HW ${confluent.high}), kcat saw ${kcat.length}, leader LEO ${COMMITTED + UNREPLICATED}\n`,
      );
      expect(confluent.high).toBe(COMMITTED);
      expect(confluent.values).toEqual(values(0, COMMITTED));
      expect(confluent.offsets).toEqual(values(0, COMMITTED).map((_, i) => i));
      expect(kcat).toEqual(values(0, COMMITTED));
      // The followers are still in the ISR: nothing above changed the HW behind the test's back.
      expect((await fx.cluster.partitionState(TOPIC, 0))?.isr.slice().sort()).toEqual([1, 2, 3]);
    } finally {
      // SIGCONT on a running process is harmless; a stopped one left frozen would hang afterAll.
      for (const id of FOLLOWERS) if (fx.cluster.pid(id) !== null) signalBroker(id, 'SIGCONT');
    }
    const frozenMs = Date.now() - started;

    // Caught up: the HW reaches the log end and every record becomes visible.
    const total = COMMITTED + UNREPLICATED;
    const deadline = Date.now() + 60_000;
    let after = await confluentConsume(leader);
    while (after.high < total && Date.now() < deadline) {
      await sleep(200);
      after = await confluentConsume(leader);
    }
    const kcatAfter = await kcatConsume(leader);
    process.stdout.write(
      `high-watermark (followers resumed after ${frozenMs} ms): confluent saw ${after.values.length} (HW ${after.high}), kcat saw ${kcatAfter.length}\n`,
    );
    expect(after.high).toBe(total);
    expect(after.values).toEqual(values(0, total));
    expect(kcatAfter).toEqual(values(0, total));
  },
  240_000,
);
