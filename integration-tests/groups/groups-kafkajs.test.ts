/**
 * Issue 6's kafkajs group proof on 3 ZooKeeper servers + 3 brokers: a group of 3 consumers over a
 * 6-partition RF=3 topic. A member joining, a member leaving (disconnect → LeaveGroup), and a member
 * SIGKILLed in a child process (the coordinator must notice through the session timeout) each cause
 * a rebalance after which all 6 partitions are owned again. Throughout: every generation gives each
 * partition to at most one member, every delivered record belongs to the delivering member's
 * assignment of that generation, no value is delivered by two members within one generation, and
 * every produced value is delivered.
 */
import { useKafkaCluster } from '../broker/support/fixture';
import { waitFor } from '../helpers/wait';
import { GroupLog } from './support/group-log';
import type { MemberOptions, RunningMember } from './support/kafkajs-member';

const TOPIC = 'group-members';
const GROUP = 'kafkajs-group';
const PARTITIONS = 6;
const SESSION_TIMEOUT_MS = 8000;
const fx = useKafkaCluster({ zookeepers: 3, brokers: 3 });
const log = new GroupLog();
const running: RunningMember[] = [];

// afterEach runs before the fixture's afterAll stops the cluster: a kafkajs consumer left running
// against a stopped cluster keeps the jest process busy.
afterEach(async () => {
  log.killChildren();
  await Promise.all(running.splice(0).map((m) => m.leave().catch(() => undefined)));
}, 60_000);

test('a kafkajs group of 3 over 6 partitions: join, leave and a killed member (session timeout) each rebalance to full, exclusive ownership; no record delivered twice within a generation', async () => {
  const started = Date.now();
  const admin = await fx.admin();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3 }] });
  const options = (name: string): MemberOptions => ({
    name,
    brokers: fx.cluster.bootstrapServers.split(','),
    groupId: GROUP,
    topic: TOPIC,
    sessionTimeoutMs: SESSION_TIMEOUT_MS,
    rebalanceTimeoutMs: 20_000,
  });

  // A steady stream of unique values over all partitions while the group changes.
  const producer = await fx.producer();
  const produced: string[] = [];
  let producing = true;
  const production = (async () => {
    let n = 0;
    while (producing) {
      const messages = Array.from({ length: PARTITIONS }, (_, i) => ({ partition: (n + i) % PARTITIONS, value: `v${n + i}` }));
      await producer.send({ topic: TOPIC, acks: -1, messages });
      produced.push(...messages.map((m) => m.value));
      n += PARTITIONS;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();

  const phase = async (members: string[], after: number, what: string, timeoutMs = 60_000): Promise<{ generation: number; ms: number }> => {
    const t0 = Date.now();
    const generation = await waitFor(
      () => {
        if (log.crashes().length > 0) throw new Error(`a consumer crashed: ${log.crashes().join('\n')}`);
        return log.completeGeneration(members, PARTITIONS, after);
      },
      `${what}: a generation after ${after} owned by exactly ${members.join(',')} covering all ${PARTITIONS} partitions ` +
        `(seen: ${JSON.stringify([...log.generations()].map(([g, m]) => [g, [...m]]))})`,
      timeoutMs,
      100,
    );
    // The coordinator agrees: Stable with exactly these members.
    const described = await waitFor(
      async () => {
        const { groups } = await admin.describeGroups([GROUP]);
        const g = groups[0];
        return g.state === 'Stable' && g.members.length === members.length ? g : false;
      },
      `${what}: DescribeGroups Stable with ${members.length} members`,
      30_000,
      200,
    );
    expect(described.protocolType).toBe('consumer');
    return { generation, ms: Date.now() - t0 };
  };

  try {
    for (const name of ['m1', 'm2', 'm3']) running.push(await log.startInProcess(options(name)));
    const g0 = await phase(['m1', 'm2', 'm3'], -1, 'three members');

    const joiner = log.startChild(options('m4'));
    const gJoin = await phase(['m1', 'm2', 'm3', 'm4'], g0.generation, 'a fourth member joins');

    const leaver = running.splice(1, 1)[0];
    await leaver.leave();
    const gLeave = await phase(['m1', 'm3', 'm4'], gJoin.generation, 'm2 leaves');

    await new Promise((resolve) => setTimeout(resolve, 1500));
    const killedAt = Date.now();
    await joiner.kill();
    const gKill = await phase(['m1', 'm3'], gLeave.generation, 'm4 is killed', SESSION_TIMEOUT_MS + 60_000);
    const killRebalanceMs = Date.now() - killedAt;
    // No LeaveGroup was sent: the coordinator can only have noticed through the session timeout.
    expect(killRebalanceMs).toBeGreaterThanOrEqual(SESSION_TIMEOUT_MS - 1000);

    producing = false;
    await production;
    const deliveredValues = (): Set<string> => new Set(log.records().map((r) => r.value));
    await waitFor(() => produced.every((v) => deliveredValues().has(v)), `all ${produced.length} produced values delivered`, 60_000, 200);

    // Each generation: every partition owned by at most one member.
    const generations = log.generations();
    for (const [generation, owners] of generations) {
      const owned = [...owners.values()].flat();
      expect({ generation, duplicates: owned.filter((p, i) => owned.indexOf(p) !== i) }).toEqual({ generation, duplicates: [] });
    }
    // Each record came from a partition the delivering member owned in the generation it held.
    const records = log.records();
    const strays = records.filter((r) => !(generations.get(r.generation)?.get(r.member) ?? []).includes(r.partition));
    expect(strays).toEqual([]);
    // In real time too: once a partition delivered under a generation, no member delivers it under an
    // older one (the old owner had stopped before the new owner started; all members share one clock).
    const backwards: string[] = [];
    for (let p = 0; p < PARTITIONS; p++) {
      const timeline = records.filter((r) => r.partition === p).sort((a, b) => a.at - b.at || a.generation - b.generation);
      let newest = -1;
      for (const r of timeline) {
        if (r.generation < newest) backwards.push(`p${p} ${r.value} by ${r.member} in generation ${r.generation} after generation ${newest}`);
        newest = Math.max(newest, r.generation);
      }
    }
    expect(backwards).toEqual([]);
    // No value delivered by two members within one generation.
    const byGenValue = new Map<string, Set<string>>();
    for (const r of records) {
      const key = `${r.generation}/${r.value}`;
      const members = byGenValue.get(key) ?? new Set<string>();
      members.add(r.member);
      byGenValue.set(key, members);
    }
    const doubles = [...byGenValue].filter(([, members]) => members.size > 1).map(([k, m]) => `${k}: ${[...m].join(',')}`);
    expect(doubles).toEqual([]);
    // Generations only move forward, one rebalance (at least) per change.
    expect(g0.generation).toBeLessThan(gJoin.generation);
    expect(gJoin.generation).toBeLessThan(gLeave.generation);
    expect(gLeave.generation).toBeLessThan(gKill.generation);

    const redelivered = records.length - deliveredValues().size;
    process.stdout.write(
      `groups-kafkajs: generations ${g0.generation} (3 members, ${g0.ms} ms) -> join ${gJoin.generation} (${gJoin.ms} ms) -> ` +
        `leave ${gLeave.generation} (${gLeave.ms} ms) -> kill ${gKill.generation} (${killRebalanceMs} ms after SIGKILL, session ${SESSION_TIMEOUT_MS} ms); ` +
        `${produced.length} values produced, ${records.length} deliveries (${redelivered} re-deliveries across generations), ` +
        `${generations.size} generations seen; ${Date.now() - started} ms\n`,
    );
  } finally {
    producing = false;
    await production.catch(() => undefined);
  }
}, 240_000);
