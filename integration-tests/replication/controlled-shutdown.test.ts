/**
 * Issue 5's controlled-shutdown proof: SIGTERM on a broker that leads partitions under acks=all load
 * runs Kafka's controlled shutdown. Before the process exits, ZooKeeper's partition state names another
 * leader for every partition it led and it is out of the ISRs of those it followed; it exits 0; the producer (librdkafka)
 * sees no error beyond retriable leadership ones and no acknowledged record is lost; restarted, the
 * broker rejoins the ISRs.
 */
import fs from 'node:fs';
import { useKafkaCluster } from '../broker/support/fixture';
import { KafkajsPartitionReader } from '../broker/support/kafkajs-reader';
import { startAckedProducer, type ProducerReport } from './support/acked-producer';
import { TopicPartitionStateZNode, type LeaderIsrAndControllerEpoch } from '../../broker/src/zk/znodes';

const TOPIC = 'drained';
const PARTITIONS = 3;
const fx = useKafkaCluster({ zookeepers: 3, brokers: 3, overrides: { 'replica.lag.time.max.ms': '10000' } });

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));


/** Final delivery errors a producer may see while leadership moves: retriable, not a lost record. */
const RETRIABLE = /Not leader|NOT_LEADER|Leader not available|LEADER_NOT_AVAILABLE/i;

interface Observation {
  atMs: number;
  states: Array<LeaderIsrAndControllerEpoch | null>;
}

/**
 * Kafka 2.8's doControlledShutdown, as ZooKeeper shows it: each partition the broker led has another
 * leader (elected with an ISR without it), and it has left the ISR of each partition it followed
 * (OfflineReplica). A partition it led may take it back into the ISR at once: the election's
 * LeaderAndIsr makes it a follower of the new leader, which in 2.8 re-admits any caught-up follower
 * (fenced shutting-down replicas came with KIP-841 in 3.3), so only the followed partitions' ISRs are checked.
 */
function isDrained(states: ReadonlyArray<LeaderIsrAndControllerEpoch | null | undefined>, victim: number, led: readonly number[]): boolean {
  return states.every((s, p) => {
    if (s === null || s === undefined) return false;
    return led.includes(p) ? s.leader >= 0 && s.leader !== victim : !s.isr.includes(victim);
  });
}

/** The pino `time` of the broker's "Controlled shutdown request returned successfully" line, or null. */
function answeredAtMs(log: string): number | null {
  for (const line of log.split('\n')) {
    if (!line.includes('Controlled shutdown request returned successfully')) continue;
    try {
      const parsed = JSON.parse(line) as { time?: unknown };
      if (typeof parsed.time === 'number') return parsed.time;
    } catch {
      // not a JSON line
    }
  }
  return null;
}

/** The current partition states, if they show the drain and every one was last written by `answeredAt`. */
async function drainedBeforeAnswer(victim: number, led: number[], answeredAt: number | null, started: number): Promise<Observation | null> {
  if (answeredAt === null) return null;
  const nodes = await Promise.all(
    Array.from({ length: PARTITIONS }, (_, p) => fx.cluster.readZk(TopicPartitionStateZNode.path(TOPIC, p))),
  );
  const states = nodes.map((n) => (n === null ? null : TopicPartitionStateZNode.decode(n.data)));
  const writtenBefore = nodes.every((n) => n !== null && Number(n.stat.mtime) <= answeredAt);
  return isDrained(states, victim, led) && writtenBefore ? { atMs: Math.max(...nodes.map((n) => (n?.stat.mtime ?? 0) - started)), states } : null;
}

test(
  'controlled shutdown (SIGTERM) moves leadership off the broker and out of the ISRs before it exits, with only retriable producer errors and no acked record lost',
  async () => {
    const admin = await fx.admin();
    // One partition led by each broker (the first replica is the preferred leader).
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: TOPIC,
          replicaAssignment: [
            { partition: 0, replicas: [1, 2, 3] },
            { partition: 1, replicas: [2, 3, 1] },
            { partition: 2, replicas: [3, 1, 2] },
          ],
          configEntries: [{ name: 'min.insync.replicas', value: '2' }],
        },
      ],
    });
    const partitions = Array.from({ length: PARTITIONS }, (_, p) => p);
    for (const p of partitions) await fx.cluster.waitForLeader(TOPIC, p, (s) => s.leader === [1, 2, 3][p] && s.isr.length === 3, 60_000);

    let reportPromise: Promise<ProducerReport> | undefined;
    const producer = startAckedProducer(fx.cluster.bootstrapServers, TOPIC, PARTITIONS, fx.cluster.baseDir);

    let moved: Observation | null = null;
    let exitAtMs = 0;
    let exit: { code: number | null; signal: NodeJS.Signals | null } = { code: null, signal: null };
    try {
      await sleep(3000);
      const states0 = await Promise.all(partitions.map((p) => fx.cluster.partitionState(TOPIC, p)));
      const victim = states0[0]?.leader ?? -1;
      expect(victim).toBeGreaterThan(0);
      const led = partitions.filter((p) => states0[p]?.leader === victim);
      const controller = await fx.cluster.controllerId();

      // Watch ZooKeeper while the process runs; an observation counts only if the process still ran after the read.
      const started = Date.now();
      const exited = fx.cluster.killBroker(victim, 'SIGTERM', 60_000).then((e) => {
        exitAtMs = Date.now() - started;
        exit = e;
      });
      while (fx.cluster.isRunning(victim)) {
        const states = await Promise.all(partitions.map((p) => fx.cluster.partitionState(TOPIC, p).catch(() => null)));
        if (isDrained(states, victim, led) && fx.cluster.isRunning(victim)) {
          moved = { atMs: Date.now() - started, states };
          break;
        }
        await sleep(2); // the window between the controller's answer and the exit is short
      }
      await exited;
      const shutdownLog = fs.readFileSync(fx.cluster.logFile(victim), 'utf8');
      // The poll above can miss a short window (a loaded machine, a broker that is its own controller).
      // ZooKeeper's own clock settles it: the drained states were written (znode mtime) no later than the
      // broker logged the controller's answer, which it did before exiting.
      if (moved === null) moved = await drainedBeforeAnswer(victim, led, answeredAtMs(shutdownLog), started);
      const movedSeen: Observation | null = moved;
      process.stdout.write(
        `controlled-shutdown: broker ${victim} (controller ${String(controller)}) led partitions ${JSON.stringify(led)}; ` +
          `leadership moved and ISR shrunk at ${movedSeen === null ? 'never (while running)' : `${movedSeen.atMs} ms`}, process exited at ${exitAtMs} ms ` +
          `with ${JSON.stringify(exit)}; states then ${JSON.stringify(movedSeen?.states.map((s) => ({ leader: s?.leader, isr: s?.isr })))}\n`,
      );
      expect(movedSeen).not.toBeNull();
      expect(exit).toEqual({ code: 0, signal: null });
      // The broker's own account agrees: the controller answered before the broker shut down.
      const answered = shutdownLog.indexOf('Controlled shutdown request returned successfully');
      expect(answered).toBeGreaterThanOrEqual(0);
      expect(shutdownLog.indexOf('shut down completed', answered)).toBeGreaterThan(answered);

      await sleep(2000);
      await fx.cluster.startBroker(victim);
      for (const p of partitions) await fx.cluster.waitForLeader(TOPIC, p, (s) => s.leader >= 0 && s.isr.includes(victim) && s.isr.length === 3, 60_000);
      await sleep(1000);
    } finally {
      // The report is read below; stopping here also ends the producer when an expectation failed.
      reportPromise = producer.stop();
    }
    const report = await reportPromise;

    const reader = await KafkajsPartitionReader.connect(fx.cluster.bootstrapServers);
    const present = new Map<string, number>();
    let readBack = 0;
    try {
      const offsets = await admin.fetchTopicOffsets(TOPIC);
      for (const o of offsets) {
        const count = Number(o.high) - Number(o.low);
        const messages = await reader.readPartition(TOPIC, o.partition, count, BigInt(o.low), 60_000);
        readBack += messages.length;
        for (const m of messages) present.set(m.value ?? '', (present.get(m.value ?? '') ?? 0) + 1);
      }
    } finally {
      await reader.disconnect();
    }
    const lost = report.acked.filter(([v]) => !present.has(v)).map(([v]) => v);
    const nonRetriable = report.failed.filter(([, e]) => !RETRIABLE.test(e));
    const finalStates = await Promise.all(partitions.map((p) => fx.cluster.partitionState(TOPIC, p)));
    process.stdout.write(
      `controlled-shutdown: sent ${report.sent}, acked ${report.acked.length}, failed ${report.failed.length} ` +
        `(non-retriable ${nonRetriable.length}: ${JSON.stringify([...new Set(nonRetriable.map(([, e]) => e))])}), unflushed ${report.unflushed}, ` +
        `client errors ${report.clientErrors.length} ${JSON.stringify([...new Set(report.clientErrors)].slice(0, 5))}, read back ${readBack}, lost ${lost.length}; ` +
        `after restart ${JSON.stringify(finalStates.map((s) => ({ leader: s?.leader, isr: s?.isr })))}\n`,
    );
    expect(report.acked.length).toBeGreaterThan(0);
    expect(nonRetriable).toEqual([]);
    expect(report.unflushed).toBe(0);
    expect(lost).toEqual([]);
  },
  300_000,
);
