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

/** Probes until every partition took an acks=all write or the deadline passed. */
export async function probeUntilWritable(conns: ProbeConnections, o: ProbeOptions): Promise<ProbeResult> {
  const pending = new Set(o.partitions);
  const result: ProbeResult = { writable: new Map(), leaderSeen: new Map(), rounds: 0 };
  const deadline = o.t0 + o.deadlineMs;
  while (pending.size > 0 && Date.now() < deadline) {
    result.rounds++;
    let leaders: PartitionLeaders | undefined;
    for (const via of o.survivors) {
      leaders = await topicLeaders(conns, via, o.topic, o.lane).catch(() => undefined);
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
      let list = byLeader.get(leader);
      if (list === undefined) byLeader.set(leader, (list = []));
      list.push(p);
    }
    if (byLeader.size === 0) {
      await sleep(10);
      continue;
    }
    await Promise.all(
      [...byLeader].map(async ([leader, parts]) => {
        try {
          const res = await conns.client(leader, o.lane).send(ApiKey.Produce, 8, {
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
        }
      }),
    );
    if (pending.size > 0) await sleep(5);
  }
  return result;
}

export function quantile(sorted: readonly number[], q: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
