/**
 * Issue 6's byte-exact proof (3 ZooKeeper servers + 3 brokers): a librdkafka group (one static
 * member, one dynamic) rebalances and commits; a standalone client commits with a leader epoch and
 * metadata, then its group is deleted. The raw segment files of __consumer_offsets are then read from
 * every replica's log dir and decoded with this suite's own parser (support/offsets-records.ts:
 * RecordBatch v2 + CRC-32C, key/value schemas hand-decoded from kafka-protocol/2.8/internal):
 * OffsetCommitKey v1 / OffsetCommitValue v3, GroupMetadataKey v2 / GroupMetadataValue v3, every field
 * checked against what the clients did, and an offset tombstone (and no group tombstone, as Kafka
 * does for an offsets-only group) after the deletion.
 */
import path from 'node:path';
import { useKafkaCluster } from '../broker/support/fixture';
import { confluentKafkaAvailable } from '../broker/support/tools';
import { waitFor } from '../helpers/wait';
import { BrokerClient } from '../../broker/src/network/broker-client';
import { ApiKey, ErrorCode } from '../../broker/src/protocol';
import { findCoordinator, OFFSETS_TOPIC, offsetsPartitionFor } from './support/coordinator';
import {
  decodeGroupValue,
  decodeKey,
  decodeOffsetValue,
  readPartitionDir,
  type RawBatch,
  type RawRecord,
} from './support/offsets-records';
import { startScenario, type PyJoin, type PyListedGroup, type PyMember } from './support/python-group';
import { decodeAssignment, decodeSubscription } from './support/wire-reader';

const TOPIC = 'rec-data';
const GROUP = 'rec-group';
const STANDALONE = 'rec-standalone';
const PARTITIONS = 4;
const fx = useKafkaCluster({ zookeepers: 3, brokers: 3 });
const testIfPython = confluentKafkaAvailable() ? test : test.skip;

interface RecordsResult {
  first: PyJoin;
  a: PyMember;
  b: PyMember;
  commits: Array<{ member: string; offsets: Array<[number, number]>; from: number; to: number }>;
  listed: PyListedGroup[];
}

/** The partition's records on every replica once they agree (acks=-1 appends reach all of the ISR). */
async function agreedRecords(partition: number, minRecords: number): Promise<{ batches: RawBatch[]; records: RawRecord[] }> {
  const cluster = fx.cluster;
  return waitFor(
    () => {
      const perReplica = cluster.brokerIds.map((id) => readPartitionDir(path.join(cluster.dataDir(id), `${OFFSETS_TOPIC}-${partition}`)));
      const text = perReplica.map((batches) => JSON.stringify(batches, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
      const records = perReplica[0].flatMap((b) => b.records);
      return records.length >= minRecords && text.every((t) => t === text[0]) ? { batches: perReplica[0], records } : false;
    },
    `${OFFSETS_TOPIC}-${partition} to hold ${minRecords}+ records, identical on every replica`,
    30_000,
    200,
  );
}

testIfPython(
  '__consumer_offsets records decoded byte by byte: OffsetCommitKey v1/OffsetCommitValue v3 and GroupMetadataKey v2/GroupMetadataValue v3 carry exactly what the clients did',
  async () => {
    const started = Date.now();
    const cluster = fx.cluster;
    const admin = await fx.admin();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3 }] });

    const run = startScenario<RecordsResult>('records', cluster.bootstrapServers, TOPIC, PARTITIONS, GROUP);
    let r: RecordsResult;
    try {
      r = await run.result;
    } catch (err) {
      run.kill();
      throw err;
    }
    try {
      // A standalone commit (no generation, no member) with a leader epoch and metadata, then the
      // group deleted: the offset gets a tombstone.
      const coordinator = await waitFor(
        async () => {
          const a = await findCoordinator(cluster, cluster.brokerIds[0], STANDALONE);
          return a.errorCode === 0 ? a.nodeId : false;
        },
        `a coordinator for ${STANDALONE}`,
        30_000,
        200,
      );
      const client = new BrokerClient({ host: '127.0.0.1', port: cluster.brokerPort(coordinator), clientId: 'rec-standalone', requestTimeoutMs: 30_000 });
      let standaloneFrom = Date.now();
      let commitError: number | undefined;
      try {
        // Retried while the coordinator is still taking the partition over (as a client would).
        await waitFor(
          async () => {
            standaloneFrom = Date.now();
            const response = await client.send(ApiKey.OffsetCommit, 8, {
              groupId: STANDALONE,
              generationId: -1,
              memberId: '',
              groupInstanceId: null,
              retentionTimeMs: -1n,
              topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: 7n, committedLeaderEpoch: 7, commitTimestamp: -1n, committedMetadata: 'meta-7' }] }],
            });
            commitError = response.topics[0]?.partitions[0]?.errorCode;
            return commitError !== ErrorCode.NOT_COORDINATOR && commitError !== ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
          },
          `the standalone commit to reach an active coordinator`,
          30_000,
          200,
        );
      } finally {
        await client.close();
      }
      const standaloneTo = Date.now();
      expect(commitError).toBe(0);
      await admin.deleteGroups([STANDALONE]);

      // --- the group's partition ---
      const partition = offsetsPartitionFor(GROUP);
      const { batches, records } = await agreedRecords(partition, 4);
      for (const b of batches) {
        expect({ base: b.baseOffset, crcValid: b.crcValid, magic: b.magic, attributes: b.attributes }).toEqual({
          base: b.baseOffset,
          crcValid: true,
          magic: 2,
          attributes: 0, // uncompressed, CreateTime, not transactional, not control
        });
        expect([b.producerId, b.producerEpoch, b.baseSequence]).toEqual([-1n, -1, -1]);
        expect(b.records.map((x) => x.offset)).toEqual(b.records.map((_, i) => b.baseOffset + BigInt(i)));
        expect(b.lastOffsetDelta).toBe(b.records.length - 1);
        expect(b.partitionLeaderEpoch).toBeGreaterThanOrEqual(0);
      }
      const mine = records.filter((x) => x.key !== null && decodeKey(x.key).group === GROUP);

      // Group metadata: one record per completed generation; the last is the two-member group.
      const groupRecords = mine.filter((x) => x.key !== null && decodeKey(x.key).type === 'group');
      for (const g of groupRecords) expect(decodeKey(g.key ?? Buffer.alloc(0))).toEqual({ type: 'group', version: 2, group: GROUP });
      const values = groupRecords.map((g) => ({ record: g, value: decodeGroupValue(g.value ?? Buffer.alloc(0)) }));
      const aJoin = r.a.joins[r.a.joins.length - 1];
      const bJoin = r.b.joins[r.b.joins.length - 1];
      expect(aJoin.generation).toBe(bJoin.generation);
      const last = values[values.length - 1].value;
      const firstGen = values.find((v) => v.value.generation === r.first.generation)?.value;
      expect(last.version).toBe(3);
      expect({ protocolType: last.protocolType, generation: last.generation, protocol: last.protocol, leader: last.leader }).toEqual({
        protocolType: 'consumer',
        generation: aJoin.generation,
        protocol: aJoin.protocol,
        leader: aJoin.leader,
      });
      expect(last.currentStateTimestamp).toBeGreaterThanOrEqual(BigInt(started));
      expect(last.currentStateTimestamp).toBeLessThanOrEqual(values[values.length - 1].record.timestamp);
      const listedById = new Map(r.listed[0].members.map((m) => [m.id, m]));
      const expected = [
        { join: aJoin, member: r.a, instance: 'rec-static', clientId: 'rec-a', rebalance: 45_000, session: 12_000 },
        { join: bJoin, member: r.b, instance: null, clientId: 'rec-b', rebalance: 40_000, session: 9000 },
      ];
      expect(last.members.map((m) => m.memberId).sort()).toEqual(expected.map((e) => e.join.memberId).sort());
      for (const e of expected) {
        const m = last.members.find((x) => x.memberId === e.join.memberId);
        if (m === undefined) throw new Error(`member ${e.join.memberId} missing`);
        expect({ groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost, rebalance: m.rebalanceTimeout, session: m.sessionTimeout }).toEqual({
          groupInstanceId: e.instance,
          clientId: e.clientId,
          clientHost: '/127.0.0.1',
          rebalance: e.rebalance,
          session: e.session,
        });
        expect(decodeSubscription(m.subscription).topics).toEqual([TOPIC]);
        expect(decodeAssignment(m.assignment).assigned).toEqual([{ topic: TOPIC, partitions: e.member.assignment }]);
        // Byte for byte what DescribeGroups hands back to the clients.
        expect(m.subscription.toString('hex')).toBe(listedById.get(e.join.memberId)?.metadata);
        expect(m.assignment.toString('hex')).toBe(listedById.get(e.join.memberId)?.assignment);
      }
      // The first generation: the static member alone, owning every partition.
      expect(firstGen?.members.map((m) => [m.groupInstanceId, m.clientId])).toEqual([['rec-static', 'rec-a']]);
      expect(decodeAssignment(firstGen?.members[0].assignment ?? Buffer.alloc(0)).assigned).toEqual([{ topic: TOPIC, partitions: [0, 1, 2, 3] }]);
      expect(firstGen?.currentStateTimestamp ?? 0n).toBeLessThanOrEqual(last.currentStateTimestamp);

      // Offsets: the last commit of each partition, key v1 / value v3, as each member committed it.
      for (const c of r.commits) {
        for (const [p, offset] of c.offsets) {
          const commits = mine.filter((x) => {
            const k = x.key === null ? null : decodeKey(x.key);
            return k !== null && k.type === 'offset' && k.topic === TOPIC && k.partition === p;
          });
          const rec = commits[commits.length - 1];
          expect(decodeKey(rec.key ?? Buffer.alloc(0))).toEqual({ type: 'offset', version: 1, group: GROUP, topic: TOPIC, partition: p });
          const v = decodeOffsetValue(rec.value ?? Buffer.alloc(0));
          // librdkafka 2.0.2 sends no leader epoch (KIP-320 support came in 2.1): -1; no metadata: ''.
          expect({ version: v.version, offset: v.offset, leaderEpoch: v.leaderEpoch, metadata: v.metadata }).toEqual({
            version: 3,
            offset: BigInt(offset),
            leaderEpoch: -1,
            metadata: '',
          });
          expect(v.commitTimestamp).toBeGreaterThanOrEqual(BigInt(c.from - 1));
          expect(v.commitTimestamp).toBeLessThanOrEqual(BigInt(c.to + 1));
        }
      }

      // --- the standalone group's partition: its commit, then the tombstone of its deletion ---
      const sp = offsetsPartitionFor(STANDALONE);
      const standalone = await waitFor(
        async () => {
          const all = (await agreedRecords(sp, 1)).records.filter((x) => x.key !== null && decodeKey(x.key).group === STANDALONE);
          return all.some((x) => x.value === null) ? all : false;
        },
        `the tombstone of ${STANDALONE}'s offset`,
        30_000,
        200,
      );
      expect(standalone.map((x) => decodeKey(x.key ?? Buffer.alloc(0)))).toEqual([
        { type: 'offset', version: 1, group: STANDALONE, topic: TOPIC, partition: 0 },
        { type: 'offset', version: 1, group: STANDALONE, topic: TOPIC, partition: 0 },
      ]);
      const sv = decodeOffsetValue(standalone[0].value ?? Buffer.alloc(0));
      expect({ version: sv.version, offset: sv.offset, leaderEpoch: sv.leaderEpoch, metadata: sv.metadata }).toEqual({
        version: 3,
        offset: 7n,
        leaderEpoch: 7,
        metadata: 'meta-7',
      });
      expect(sv.commitTimestamp).toBeGreaterThanOrEqual(BigInt(standaloneFrom));
      expect(sv.commitTimestamp).toBeLessThanOrEqual(BigInt(standaloneTo));
      expect(standalone[1].value).toBeNull();

      process.stdout.write(
        `consumer-offsets-records: ${OFFSETS_TOPIC}-${partition} holds ${records.length} records in ${batches.length} batches ` +
          `(${groupRecords.length} group records, generations ${values.map((v) => v.value.generation).join(',')}), ` +
          `standalone ${OFFSETS_TOPIC}-${sp}: commit + tombstone; ${Date.now() - started} ms\n`,
      );
    } finally {
      await run.finish();
    }
  },
  180_000,
);
