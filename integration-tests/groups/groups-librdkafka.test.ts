/**
 * Issue 6's librdkafka proofs (confluent-kafka 1.7 over librdkafka 2.0.2, py/group_client.py) on 3
 * ZooKeeper servers + 3 brokers:
 * - a dynamic group: subscribe, rebalance between two members, manual commit, committed(),
 *   AdminClient.list_groups(), and AdminClient's list_consumer_groups/describe_consumer_groups —
 *   confluent-kafka 1.7 lacks those two Python methods (they came in 2.0), so py/rdkafka_admin.py calls
 *   the librdkafka 2.0.2 functions they wrap (rd_kafka_ListConsumerGroups, rd_kafka_DescribeConsumerGroups);
 * - static membership (group.instance.id): a member closed and restarted under the same instance id
 *   within the session timeout gets its partitions back with no rebalance.
 */
import { useKafkaCluster } from '../broker/support/fixture';
import { confluentKafkaAvailable } from '../broker/support/tools';
import { runScenario, type PyJoin, type PyListedGroup, type PyMember } from './support/python-group';
import { decodeAssignment, decodeSubscription } from './support/wire-reader';

const PARTITIONS = 4;
const fx = useKafkaCluster({ zookeepers: 3, brokers: 3 });
const testIfPython = confluentKafkaAvailable() ? test : test.skip;

async function topicWithRecords(topic: string): Promise<void> {
  const admin = await fx.admin();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 3 }] });
  const producer = await fx.producer();
  for (let p = 0; p < PARTITIONS; p++) {
    await producer.send({ topic, acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ partition: p, value: `${topic}-${p}-${i}` })) });
  }
}

interface RebalanceResult {
  firstJoin: PyJoin;
  bothJoin: { a: PyJoin; b: PyJoin };
  shares: { a: number[]; b: number[] };
  afterLeave: PyJoin;
  commits: Record<string, Array<[number, number, string | null]>>;
  committed: Array<[number, number]>;
  committedAfterLeave: Array<[number, number]>;
  listed: PyListedGroup[];
  listedAfterLeave: PyListedGroup[];
  adminListed: { valid: Array<{ groupId: string; isSimple: boolean; state: string }>; errors: Array<{ code: string; message: string }> };
  adminDescribed: Array<{
    groupId: string;
    error: { code: string; message: string } | null;
    isSimple: boolean;
    partitionAssignor: string;
    state: string;
    coordinator: { id: number; host: string; port: number } | null;
    members: Array<{ consumerId: string; clientId: string; groupInstanceId: string | null; host: string; assignment: Array<[string, number]> }>;
  }>;
  a: PyMember;
  b: PyMember;
}

testIfPython(
  'librdkafka group: subscribe, rebalance between two members, manual commit, committed(); AdminClient list_groups and list_consumer_groups/describe_consumer_groups (librdkafka ListConsumerGroups/DescribeConsumerGroups) show state and members',
  async () => {
    const started = Date.now();
    const topic = 'rk-rebalance';
    const group = 'rk-group';
    await topicWithRecords(topic);
    const r = await runScenario<RebalanceResult>('rebalance', fx.cluster.bootstrapServers, topic, PARTITIONS, group);

    // Rebalance: the second member's join moved the group to a new generation shared by both.
    expect(r.a.assigns[0]).toEqual([0, 1, 2, 3]);
    expect(r.bothJoin.a.generation).toBe(r.bothJoin.b.generation);
    expect(r.bothJoin.a.generation).toBeGreaterThan(r.firstJoin.generation);
    expect(r.bothJoin.a.leader).toBe(r.bothJoin.b.leader);
    expect(r.bothJoin.a.memberId).not.toBe(r.bothJoin.b.memberId);
    const aShare = r.shares.a;
    const bShare = r.shares.b;
    expect(r.a.assigns).toContainEqual(aShare);
    expect(r.b.assigns).toContainEqual(bShare);
    expect([...aShare, ...bShare].sort()).toEqual([0, 1, 2, 3]);
    expect(aShare.length).toBe(2);
    expect(r.a.revokes).toBeGreaterThanOrEqual(2); // revoked for the join and again for the leave
    // Every record was consumed by the group.
    const values = new Set([...r.a.records, ...r.b.records].map((x) => x[2]));
    expect(values.size).toBe(PARTITIONS * 10);

    // Manual commit by each member of its own partitions, then committed() sees all of them.
    for (const [name, share] of [['rk-a', aShare], ['rk-b', bShare]] as const) {
      expect(r.commits[name]).toEqual(share.map((p) => [p, 4 + p, null]));
    }
    const want = [0, 1, 2, 3].map((p) => [p, 4 + p]);
    expect(r.committed).toEqual(want);

    // list_groups: the group, Stable, protocol type consumer, both members with their client id/host,
    // subscription metadata and the assignment each member received.
    expect(r.listed).toHaveLength(1);
    const g = r.listed[0];
    expect({ id: g.id, error: g.error, state: g.state, protocolType: g.protocolType, protocol: g.protocol }).toEqual({
      id: group,
      error: null,
      state: 'Stable',
      protocolType: 'consumer',
      protocol: r.bothJoin.a.protocol,
    });
    expect(['range', 'roundrobin']).toContain(g.protocol);
    const byId = new Map(g.members.map((m) => [m.id, m]));
    expect([...byId.keys()].sort()).toEqual([r.bothJoin.a.memberId, r.bothJoin.b.memberId].sort());
    for (const [join, clientId, share] of [[r.bothJoin.a, 'rk-a', aShare], [r.bothJoin.b, 'rk-b', bShare]] as const) {
      const m = byId.get(join.memberId);
      expect(m?.clientId).toBe(clientId);
      expect(m?.clientHost).toBe('/127.0.0.1');
      expect(decodeSubscription(Buffer.from(m?.metadata ?? '', 'hex')).topics).toEqual([topic]);
      expect(decodeAssignment(Buffer.from(m?.assignment ?? '', 'hex')).assigned).toEqual([{ topic, partitions: share }]);
    }

    // list_consumer_groups (ListGroups to every broker): the group once, Stable, not a simple group; no errors.
    expect(r.adminListed.errors).toEqual([]);
    expect(r.adminListed.valid.filter((l) => l.groupId === group)).toEqual([{ groupId: group, isSimple: false, state: 'Stable' }]);
    // describe_consumer_groups (FindCoordinator + DescribeGroups): the coordinator list_groups found, the
    // assignor, each member's ids, host and the partitions it was assigned; an unknown group is Dead,
    // without an error, as Kafka answers it.
    const [described, unknown] = r.adminDescribed;
    expect({ id: described.groupId, error: described.error, simple: described.isSimple, assignor: described.partitionAssignor, state: described.state }).toEqual({
      id: group,
      error: null,
      simple: false,
      assignor: g.protocol,
      state: 'Stable',
    });
    expect(described.coordinator).toEqual({ id: g.broker, host: '127.0.0.1', port: fx.cluster.brokerPort(g.broker) });
    const described2 = new Map(described.members.map((m) => [m.consumerId, m]));
    expect([...described2.keys()].sort()).toEqual([r.bothJoin.a.memberId, r.bothJoin.b.memberId].sort());
    for (const [join, clientId, share] of [[r.bothJoin.a, 'rk-a', aShare], [r.bothJoin.b, 'rk-b', bShare]] as const) {
      expect(described2.get(join.memberId)).toEqual({
        consumerId: join.memberId,
        clientId,
        groupInstanceId: null,
        host: '/127.0.0.1',
        assignment: share.map((p) => [topic, p]),
      });
    }
    expect({ id: unknown.groupId, error: unknown.error, state: unknown.state, members: unknown.members }).toEqual({
      id: `${group}-unknown`,
      error: null,
      state: 'Dead',
      members: [],
    });

    // The second member left: a new generation with the first member alone, commits intact.
    expect(r.afterLeave.generation).toBeGreaterThan(r.bothJoin.a.generation);
    expect(r.a.assignment).toEqual([0, 1, 2, 3]);
    expect(r.committedAfterLeave).toEqual(want);
    expect(r.listedAfterLeave[0].state).toBe('Stable');
    expect(r.listedAfterLeave[0].members.map((m) => m.clientId)).toEqual(['rk-a']);
    process.stdout.write(
      `groups-librdkafka rebalance: generations ${r.firstJoin.generation} -> ${r.bothJoin.a.generation} -> ${r.afterLeave.generation}, ` +
        `protocol ${g.protocol}, list_groups via broker ${g.broker}; list_consumer_groups ${JSON.stringify(r.adminListed.valid)}, ` +
        `describe_consumer_groups ${JSON.stringify(r.adminDescribed.map((d) => ({ id: d.groupId, state: d.state, coordinator: d.coordinator?.id, members: d.members.length })))}; ${Date.now() - started} ms\n`,
    );
  },
  180_000,
);

interface StaticResult {
  before: {
    generation: number;
    s1: PyJoin;
    s2Joins: number;
    s2Assigns: number;
    s1Assignment: number[];
    s2Assignment: number[];
    listed: PyListedGroup[];
  };
  after: {
    s1b: PyJoin;
    s1bJoins: PyJoin[];
    s1bAssignment: number[];
    s2Joins: number;
    s2Assigns: number;
    s2Revokes: number;
    s2Assignment: number[];
    s2Join: PyJoin;
    listed: PyListedGroup[];
    restartedMs: number;
  };
  s2JoinLog: PyJoin[];
}

testIfPython(
  'static membership: a group.instance.id member restarted within the session timeout gets its partitions back without a rebalance (same generation, the other member not reassigned)',
  async () => {
    const started = Date.now();
    const topic = 'rk-static';
    const group = 'rk-static-group';
    await topicWithRecords(topic);
    const r = await runScenario<StaticResult>('static', fx.cluster.bootstrapServers, topic, PARTITIONS, group);
    const { before, after } = r;

    // The restarted member rejoined into the same generation and got the same partitions.
    expect(after.s1b.generation).toBe(before.generation);
    expect(after.s1bJoins.filter((j) => j.generation >= 0)).toHaveLength(1);
    expect(after.s1bAssignment).toEqual(before.s1Assignment);
    expect(after.s1b.memberId).not.toBe(before.s1.memberId); // a new member id replaces the old one
    // The other member saw nothing: no JoinGroup, no revoke/assign, same assignment and generation.
    expect(after.s2Joins).toBe(before.s2Joins);
    expect(after.s2Assigns).toBe(before.s2Assigns);
    expect(after.s2Revokes).toBe(0);
    expect(after.s2Assignment).toEqual(before.s2Assignment);
    expect(after.s2Join.generation).toBe(before.generation);
    // The coordinator: Stable, two members, the restarted one under its new member id.
    const ids = (l: PyListedGroup[]): string[] => l[0].members.map((m) => m.id).sort();
    expect(before.listed[0].state).toBe('Stable');
    expect(after.listed[0].state).toBe('Stable');
    expect(ids(after.listed)).toEqual([after.s1b.memberId, after.s2Join.memberId].sort());
    expect(ids(before.listed)).toEqual([before.s1.memberId, after.s2Join.memberId].sort());
    process.stdout.write(
      `groups-librdkafka static: generation ${before.generation} unchanged across a restart of static-1 ` +
        `(back in ${after.restartedMs} ms, member id ${before.s1.memberId} -> ${after.s1b.memberId}); ${Date.now() - started} ms\n`,
    );
  },
  180_000,
);
