/**
 * Issue 6's bad-input proofs (3 ZooKeeper servers + 3 brokers), spoken by hand to the coordinator
 * (support/group-wire.ts): JoinGroup with another protocol type, with no common protocol, with no
 * protocols, with out-of-range session timeouts, with an unknown member id; Heartbeat/SyncGroup/
 * OffsetCommit with a generation from the past; a member metadata blob too big to be stored; a
 * fenced static member id. Each gets Kafka 2.8's error and the group stays as it was (Stable, same
 * generation, same member), or, for the blob, goes back to rebalancing and recovers.
 */
import { useKafkaCluster } from '../broker/support/fixture';
import { waitFor } from '../helpers/wait';
import { ErrorCode } from '../../broker/src/protocol';
import { findCoordinator } from './support/coordinator';
import { subscription, WireMember } from './support/group-wire';

const TOPIC = 't';
const fx = useKafkaCluster({ zookeepers: 3, brokers: 3 });
const members: WireMember[] = [];

afterAll(async () => {
  await Promise.all(members.map((m) => m.close().catch(() => undefined)));
});

async function memberOf(group: string, clientId: string): Promise<WireMember> {
  const cluster = fx.cluster;
  const coordinator = await waitFor(
    async () => {
      const a = await findCoordinator(cluster, cluster.brokerIds[0], group).catch(() => null);
      return a !== null && a.errorCode === 0 ? a.nodeId : false;
    },
    `a coordinator for ${group}`,
    30_000,
    200,
  );
  const m = new WireMember(cluster, coordinator, group, clientId);
  members.push(m);
  // FindCoordinator answers from the metadata cache; the coordinator serves the group once it has
  // processed its LeaderAndIsr (NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS until then, as in Kafka).
  await waitFor(async () => (await m.describe()).errorCode === ErrorCode.NONE, `broker ${coordinator} to serve ${group}`, 30_000, 100);
  return m;
}

/** ConsumerProtocolAssignment v0 of TOPIC partition 0. */
const ASSIGNMENT = Buffer.from('0000' + '00000001' + '0001' + Buffer.from(TOPIC).toString('hex') + '00000001' + '00000000' + '00000000', 'hex');

beforeAll(async () => {
  const admin = await fx.admin();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 3 }] });
}, 60_000);

test('JoinGroup with another protocol type, no common protocol, no protocols, a bad session timeout or an unknown member id, and calls with a past generation get Kafka errors; the group stays Stable as it was', async () => {
  const group = 'bad-group';
  const a = await memberOf(group, 'bad-a');
  // The v4+ handshake: a new dynamic member first gets MEMBER_ID_REQUIRED with its id.
  const hello = await a.join({});
  expect(hello.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
  expect(hello.memberId.startsWith('bad-a-')).toBe(true);
  const joined = await a.join({ memberId: hello.memberId });
  const id = hello.memberId;
  expect({ ...joined, members: joined.members.map((m) => m.memberId) }).toEqual({
    errorCode: 0,
    generationId: 1,
    protocolType: 'consumer',
    protocolName: 'range',
    leader: id,
    memberId: id,
    members: [id],
  });
  const synced = await a.sync(1, id, [{ memberId: id, assignment: ASSIGNMENT }]);
  expect(synced).toEqual({ errorCode: 0, assignment: ASSIGNMENT });

  const x = await memberOf(group, 'bad-x');
  const errors = {
    otherProtocolType: (await x.join({ protocolType: 'connect' })).errorCode,
    noCommonProtocol: (await x.join({ protocols: [{ name: 'my-own-assignor', metadata: subscription([TOPIC]) }] })).errorCode,
    noProtocols: (await x.join({ protocols: [] })).errorCode,
    sessionTooShort: (await x.join({ sessionTimeoutMs: 1 })).errorCode,
    sessionTooLong: (await x.join({ sessionTimeoutMs: 1_800_001 })).errorCode,
    unknownMemberJoin: (await x.join({ memberId: 'made-up-member' })).errorCode,
    pastGenerationHeartbeat: await a.heartbeat(0, id),
    pastGenerationSync: (await a.sync(0, id, [])).errorCode,
    pastGenerationCommit: await a.commit(0, id, TOPIC, 5n),
    unknownMemberHeartbeat: await a.heartbeat(1, 'made-up-member'),
  };
  expect(errors).toEqual({
    otherProtocolType: ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    noCommonProtocol: ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    noProtocols: ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    sessionTooShort: ErrorCode.INVALID_SESSION_TIMEOUT,
    sessionTooLong: ErrorCode.INVALID_SESSION_TIMEOUT,
    unknownMemberJoin: ErrorCode.UNKNOWN_MEMBER_ID,
    pastGenerationHeartbeat: ErrorCode.ILLEGAL_GENERATION,
    pastGenerationSync: ErrorCode.ILLEGAL_GENERATION,
    pastGenerationCommit: ErrorCode.ILLEGAL_GENERATION,
    unknownMemberHeartbeat: ErrorCode.UNKNOWN_MEMBER_ID,
  });

  // Nothing moved: Stable, generation 1, the one member with its metadata and assignment.
  const described = await a.describe();
  expect({ state: described.groupState, protocolType: described.protocolType, protocol: described.protocolData }).toEqual({
    state: 'Stable',
    protocolType: 'consumer',
    protocol: 'range',
  });
  expect(described.members.map((m) => [m.memberId, m.clientId, m.memberAssignment.toString('hex')])).toEqual([[id, 'bad-a', ASSIGNMENT.toString('hex')]]);
  expect(await a.heartbeat(1, id)).toBe(ErrorCode.NONE);
  expect(await a.commit(1, id, TOPIC, 5n)).toBe(ErrorCode.NONE);
});

test('a member metadata blob too big for a __consumer_offsets record: SyncGroup gets UNKNOWN_SERVER_ERROR (as Kafka maps MESSAGE_TOO_LARGE), the group rebalances and recovers when the member rejoins', async () => {
  const group = 'huge-group';
  const h = await memberOf(group, 'huge-h');
  const hello = await h.join({});
  expect(hello.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
  const id = hello.memberId;
  const blob = subscription([TOPIC], Buffer.alloc(2 * 1024 * 1024, 7));
  const joined = await h.join({ memberId: id, protocols: [{ name: 'range', metadata: blob }] });
  expect([joined.errorCode, joined.generationId, joined.leader]).toEqual([0, 1, id]);
  expect(joined.members[0]?.metadata.equals(blob)).toBe(true);
  const failed = await h.sync(1, id, [{ memberId: id, assignment: ASSIGNMENT }]);
  expect(failed.errorCode).toBe(ErrorCode.UNKNOWN_SERVER_ERROR);
  expect((await h.describe()).groupState).toBe('PreparingRebalance');
  expect(await h.heartbeat(1, id)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);

  const rejoined = await h.join({ memberId: id, protocols: [{ name: 'range', metadata: subscription([TOPIC]) }] });
  expect([rejoined.errorCode, rejoined.generationId, rejoined.leader]).toEqual([0, 2, id]);
  expect(await h.sync(2, id, [{ memberId: id, assignment: ASSIGNMENT }])).toEqual({ errorCode: 0, assignment: ASSIGNMENT });
  const described = await h.describe();
  expect(described.groupState).toBe('Stable');
  expect(described.members.map((m) => m.memberMetadata.length)).toEqual([subscription([TOPIC]).length]);
});

test('static membership: a second JoinGroup under the same group.instance.id replaces the member in the same generation (old leader id returned) and the old member id is fenced (FENCED_INSTANCE_ID)', async () => {
  const group = 'fence-group';
  const s1 = await memberOf(group, 'fence-1');
  // A static member needs no member-id handshake.
  const first = await s1.join({ groupInstanceId: 'inst-1' });
  expect([first.errorCode, first.generationId, first.leader === first.memberId]).toEqual([0, 1, true]);
  const m1 = first.memberId;
  expect(await s1.sync(1, m1, [{ memberId: m1, assignment: ASSIGNMENT }], 'inst-1')).toEqual({ errorCode: 0, assignment: ASSIGNMENT });

  const s2 = await memberOf(group, 'fence-2');
  const again = await s2.join({ groupInstanceId: 'inst-1' });
  expect(again.errorCode).toBe(0);
  expect(again.memberId).not.toBe(m1);
  expect(again.generationId).toBe(1); // no rebalance
  expect(again.leader).toBe(m1); // Kafka returns the old leader id so the new member does not re-assign
  const m2 = again.memberId;

  expect(await s1.heartbeat(1, m1, 'inst-1')).toBe(ErrorCode.FENCED_INSTANCE_ID);
  expect((await s1.sync(1, m1, [], 'inst-1')).errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
  expect(await s2.heartbeat(1, m2, 'inst-1')).toBe(ErrorCode.NONE);
  expect(await s2.sync(1, m2, [], 'inst-1')).toEqual({ errorCode: 0, assignment: ASSIGNMENT }); // the stored assignment
  const described = await s2.describe();
  expect(described.groupState).toBe('Stable');
  // Kafka 2.8's replaceGroupInstance renames the member and keeps the rest (client id included).
  expect(described.members.map((m) => [m.memberId, m.groupInstanceId, m.clientId])).toEqual([[m2, 'inst-1', 'fence-1']]);
});
