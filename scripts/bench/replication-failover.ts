/**
 * The failover half of `npm run bench:replication`: after kill -9 of a broker, how long until each
 * partition takes an acks=all write again. A prober asks a surviving broker for Metadata, sends one
 * acks=all Produce per leader holding every partition still waiting (a short produce timeout, so a
 * partition that is not writable yet only costs one round), and stamps each partition with the arrival
 * of its first NONE. The partitions the victim led and the ones it only followed (whose acks=all
 * writes wait until the victim leaves their ISR) are probed on separate connections, so one group
 * never waits behind the other's parked produce (a connection answers in order).
 */
import { BrokerClientError } from '../../broker/src/network/broker-client';
import { ApiKey, ErrorCode } from '../../broker/src/protocol';
import { encodeRecordBatchSync } from '../../broker/src/protocol/records';
import { defaultMetadataRequest, defaultMetadataRequestTopic } from '../../broker/src/protocol/generated/metadata-request';
import type { MetadataResponse } from '../../broker/src/protocol/generated/metadata-response';
import type { KafkaCluster } from '../../integration-tests/helpers/kafka-cluster';
import { BrokerConnections } from '../../integration-tests/replication/support/replica-io';

const DEBUG = process.env.SAMSA_BENCH_DEBUG === '1';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface PartitionLeaders {
  /** partition → leader id (-1 when none). */
  leader: Map<number, number>;
  /** partition → ISR. */
  isr: Map<number, number[]>;
}

/** The bench's probe connections: the replication tests' BrokerConnections with a shorter timeout. */
export class ProbeConnections extends BrokerConnections {
  constructor(cluster: KafkaCluster) {
    super(cluster, { clientId: 'samsa-bench-failover', requestTimeoutMs: 10_000 });
  }
}

export async function topicLeaders(conns: ProbeConnections, via: number, topic: string, lane: string): Promise<PartitionLeaders> {
  const md: MetadataResponse = await conns.client(via, lane).send(ApiKey.Metadata, 7, {
    ...defaultMetadataRequest(),
    topics: [{ ...defaultMetadataRequestTopic(), name: topic }],
    allowAutoTopicCreation: false,
  });
  const out: PartitionLeaders = { leader: new Map(), isr: new Map() };
  for (const p of md.topics.find((t) => t.name === topic)?.partitions ?? []) {
    out.leader.set(p.partitionIndex, p.errorCode === ErrorCode.NONE || p.leaderId >= 0 ? p.leaderId : -1);
    out.isr.set(p.partitionIndex, p.isrNodes);
  }
  return out;
}

export interface ProbeResult {
  /** partition → ms from t0 to the first acknowledged acks=all produce (missing: never within the deadline). */
  writable: Map<number, number>;
  /** partition → ms from t0 to the first Metadata naming a live leader other than the victim. */
  leaderSeen: Map<number, number>;
  rounds: number;
}

export interface ProbeOptions {
  topic: string;
  partitions: readonly number[];
  /** Leaders and metadata are asked of these brokers (first that answers). */
  survivors: readonly number[];
  victim: number;
  t0: number;
  deadlineMs: number;
  /** The produce request's timeout_ms: how long a round may wait for acks=all. */
  produceTimeoutMs: number;
  lane: string;
}

const PROBE_BATCH = encodeRecordBatchSync({ records: [{ key: null, value: Buffer.from('failover-probe'), timestamp: Date.now() }] });

/** Partitions per probe request: a request is answered when its slowest partition is, so keep them small. */
const PROBE_CHUNK = 25;
/** A new probe round for the partitions with no probe in flight. */
const PROBE_INTERVAL_MS = 10;

/**
 * Probes until every partition took an acks=all write or the deadline passed. Each partition has at
 * most one probe in flight; a probe waits up to `produceTimeoutMs` for its acks (as a client's produce
 * waits up to request.timeout.ms), and its partition is stamped when the acknowledgement arrives.
 * Every chunk of partitions has a connection of its own: a connection answers in order, so a parked
 * produce would otherwise hold back the answers behind it.
 */
export async function probeUntilWritable(conns: ProbeConnections, o: ProbeOptions): Promise<ProbeResult> {
  const pending = new Set(o.partitions);
  const inFlight = new Set<number>();
  const freeSlots = new Map<number, number[]>();
  const slotCount = new Map<number, number>();
  const probes = new Set<Promise<void>>();
  let failure: unknown;
  const result: ProbeResult = { writable: new Map(), leaderSeen: new Map(), rounds: 0 };
  const deadline = o.t0 + o.deadlineMs;
  const takeSlot = (leader: number): number => {
    const free = freeSlots.get(leader) ?? [];
    freeSlots.set(leader, free);
    const slot = free.pop();
    if (slot !== undefined) return slot;
    const next = slotCount.get(leader) ?? 0;
    slotCount.set(leader, next + 1);
    return next;
  };
  const probe = async (leader: number, slot: number, parts: readonly number[]): Promise<void> => {
    try {
      const res = await conns.client(leader, `${o.lane}-${slot}`).send(ApiKey.Produce, 8, {
        transactionalId: null,
        acks: -1,
        timeoutMs: o.produceTimeoutMs,
        topicData: [{ name: o.topic, partitionData: parts.map((index) => ({ index, records: PROBE_BATCH })) }],
      });
      const at = Date.now() - o.t0;
      const codes = new Map<number, number>();
      for (const t of res.responses) {
        for (const p of t.partitionResponses) {
          codes.set(p.errorCode, (codes.get(p.errorCode) ?? 0) + 1);
          if (p.errorCode === ErrorCode.NONE && pending.delete(p.index)) result.writable.set(p.index, at);
        }
      }
      if (DEBUG) process.stdout.write(`  probe ${o.lane} +${at} ms: leader ${leader}, ${parts.length} partitions, error codes ${JSON.stringify([...codes])}\n`);
    } catch (err) {
      if (!(err instanceof BrokerClientError)) throw err;
      await conns.drop(leader);
    } finally {
      for (const p of parts) inFlight.delete(p);
      freeSlots.get(leader)?.push(slot);
    }
  };
  while (pending.size > 0 && Date.now() < deadline && failure === undefined) {
    result.rounds++;
    let leaders: PartitionLeaders | undefined;
    for (const via of o.survivors) {
      leaders = await topicLeaders(conns, via, o.topic, `${o.lane}-metadata`).catch(() => undefined);
      if (leaders !== undefined) break;
    }
    if (leaders === undefined) {
      await sleep(20);
      continue;
    }
    const now = Date.now() - o.t0;
    const byLeader = new Map<number, number[]>();
    for (const p of pending) {
      const leader = leaders.leader.get(p) ?? -1;
      if (leader < 0 || leader === o.victim) continue;
      if (!result.leaderSeen.has(p)) result.leaderSeen.set(p, now);
      if (inFlight.has(p)) continue;
      let list = byLeader.get(leader);
      if (list === undefined) byLeader.set(leader, (list = []));
      list.push(p);
    }
    for (const [leader, parts] of byLeader) {
      for (let i = 0; i < parts.length; i += PROBE_CHUNK) {
        const chunk = parts.slice(i, i + PROBE_CHUNK);
        for (const p of chunk) inFlight.add(p);
        const run = probe(leader, takeSlot(leader), chunk);
        probes.add(run);
        run.then(
          () => probes.delete(run),
          (err: unknown) => {
            failure ??= err;
            probes.delete(run);
          },
        );
      }
    }
    await sleep(PROBE_INTERVAL_MS);
  }
  await Promise.allSettled(probes);
  if (failure !== undefined) throw failure;
  return result;
}

export function quantile(sorted: readonly number[], q: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
