/**
 * Produce straight to a chosen broker over Samsa's BrokerClient (kafkajs routes to whoever its
 * metadata names as leader, which hides a zombie), and read a partition's replica as raw segment
 * bytes, so the replicas of a partition can be compared byte for byte.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BrokerClient } from '../../../broker/src/network/broker-client';
import { ApiKey } from '../../../broker/src/protocol';
import { encodeRecordBatchSync, type SimpleRecord } from '../../../broker/src/protocol/records';
import type { Admin } from 'kafkajs';
import type { KafkaCluster } from '../../helpers/kafka-cluster';
import type { LeaderIsrAndControllerEpoch } from '../../../broker/src/zk/znodes';
import { waitFor } from '../../helpers/wait';

export interface ProduceResult {
  errorCode: number;
  baseOffset: bigint;
}

/** One connection per broker, closed together. */
export class BrokerConnections {
  private readonly clients = new Map<string, BrokerClient>();

  constructor(
    private readonly cluster: KafkaCluster,
    private readonly options: { clientId: string; requestTimeoutMs: number } = { clientId: 'samsa-replication-test', requestTimeoutMs: 30_000 },
  ) {}

  /** The connection to broker `id`; another `lane` is a separate connection (one answers in order). */
  client(id: number, lane: number | string = 0): BrokerClient {
    const key = `${id}/${lane}`;
    let c = this.clients.get(key);
    if (c === undefined) {
      c = new BrokerClient({ host: '127.0.0.1', port: this.cluster.brokerPort(id), clientId: this.options.clientId, requestTimeoutMs: this.options.requestTimeoutMs });
      this.clients.set(key, c);
    }
    return c;
  }

  /** Produces `values` as one batch with `acks` (1 or -1) to broker `id`, whatever its role. */
  async produce(
    id: number,
    topic: string,
    partition: number,
    values: readonly string[],
    acks: 1 | -1,
    timeoutMs = 15_000,
    lane = 0,
  ): Promise<ProduceResult> {
    const records: SimpleRecord[] = values.map((v) => ({ key: null, value: Buffer.from(v), timestamp: Date.now() }));
    const response = await this.client(id, lane).send(ApiKey.Produce, 8, {
      transactionalId: null,
      acks,
      timeoutMs,
      topicData: [{ name: topic, partitionData: [{ index: partition, records: encodeRecordBatchSync({ records }) }] }],
    });
    const p = response.responses[0]?.partitionResponses[0];
    if (p === undefined) throw new Error(`empty produce response from broker ${id}`);
    return { errorCode: p.errorCode, baseOffset: p.baseOffset };
  }

  /** Drops the connections to `id` (e.g. after the broker was killed). */
  async drop(id: number): Promise<void> {
    const mine = [...this.clients.entries()].filter(([key]) => key.startsWith(`${id}/`));
    for (const [key] of mine) this.clients.delete(key);
    await Promise.all(mine.map(([, c]) => c.close().catch(() => undefined)));
  }

  async closeAll(): Promise<void> {
    const all = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(all.map((c) => c.close().catch(() => undefined)));
  }
}

/** The concatenated bytes of the replica's .log segment files, in base-offset order. */
export function segmentBytes(cluster: KafkaCluster, brokerId: number, topic: string, partition: number): Buffer {
  const dir = path.join(cluster.dataDir(brokerId), `${topic}-${partition}`);
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .sort();
  return Buffer.concat(files.map((f) => fs.readFileSync(path.join(dir, f))));
}

/** Values (uncompressed, fixed width so none is a prefix of another) found in `bytes`. */
/**
 * Waits until every broker's segment bytes of the partition equal the leader's (followers caught up
 * and truncated as needed); returns that common log.
 */
export function waitForIdenticalReplicas(cluster: KafkaCluster, topic: string, partition: number, leader: number): Promise<Buffer> {
  const replicas = [leader, ...cluster.brokerIds.filter((id) => id !== leader)];
  return waitFor(
    () => {
      const bytes = replicas.map((id) => segmentBytes(cluster, id, topic, partition));
      return bytes.every((b) => b.equals(bytes[0] as Buffer)) ? (bytes[0] as Buffer) : false;
    },
    'identical segment bytes on all replicas',
    30_000,
    200,
  );
}

export function valuesIn(bytes: Buffer, values: readonly string[]): string[] {
  return values.filter((v) => bytes.includes(Buffer.from(v)));
}


export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Unique fixed-width values: `${prefix}-${run}-00000`. */
export function makeValues(prefix: string, count: number, from = 0): string[] {
  const run = Math.random().toString(36).slice(2, 8);
  return Array.from({ length: count }, (_, i) => `${prefix}-${run}-${String(from + i).padStart(5, '0')}`);
}

/** Sends SIGCONT to every pid, ignoring processes that are gone. */
export function resume(pids: Iterable<number>): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // already exited
    }
  }
}

/** One partition, RF=3, min.insync.replicas=2; resolves with its state once it has a leader and a full ISR. */
export async function createReplicatedPartition(admin: Admin, cluster: KafkaCluster, topic: string): Promise<LeaderIsrAndControllerEpoch> {
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }],
  });
  return cluster.waitForLeader(topic, 0, (s) => s.leader >= 0 && s.isr.length === 3, 30_000);
}
