/**
 * The page's producer/consumer panel, over Samsa's protocol layer: a produced record goes to its
 * partition's leader (acks=all) and the answer says which partition, leader and offset it landed on;
 * consuming reads a partition from its leader (Fetch) starting at an offset.
 */
import { ApiKey, ErrorCode, errorForCode } from '../../../broker/src/protocol';
import { encodeRecordBatchSync } from '../../../broker/src/protocol/records';
import { AdminConnection } from '../tools/common/admin-connection';
import { listOffsets } from '../tools/common/group-admin';
import { fetchPartition } from '../tools/common/partition-fetch';

export interface ProduceInput {
  topic: string;
  key?: string | null;
  value: string;
  partition?: number;
}

export interface ProduceResult {
  topic: string;
  partition: number;
  leader: number;
  offset: string;
}

export interface ConsumeInput {
  topic: string;
  partition: number;
  /** Default: the last `max` records. */
  offset?: bigint;
  max: number;
}

export interface ConsumedRecord {
  offset: string;
  timestamp: string;
  key: string | null;
  value: string | null;
}

export interface ConsumeResult {
  topic: string;
  partition: number;
  leader: number;
  highWatermark: string;
  records: ConsumedRecord[];
}

/** A request the panel refuses (unknown topic, bad partition): the server answers 400. */
export class PanelInputError extends Error {
  override readonly name = 'PanelInputError';
}

/** Kafka's murmur2 (as the Java client's default partitioner hashes keys). */
export function murmur2(data: Buffer): number {
  const m = 0x5bd1e995;
  let h = (0x9747b28c ^ data.length) | 0;
  const whole = data.length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data.readInt32LE(i);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const rest = data.length & 3;
  if (rest === 3) h ^= (data[whole + 2] ?? 0) << 16;
  if (rest >= 2) h ^= (data[whole + 1] ?? 0) << 8;
  if (rest >= 1) {
    h ^= data[whole] ?? 0;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** The Java client's choice: murmur2 of the key, or round robin for keyless records. */
export function choosePartition(key: Buffer | null, partitions: number, roundRobin: number): number {
  if (key === null) return roundRobin % partitions;
  return (murmur2(key) & 0x7fffffff) % partitions;
}

const RETRIABLE = new Set<number>([ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.LEADER_NOT_AVAILABLE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);

export class RecordPanel {
  private conn: AdminConnection | null = null;
  private counter = 0;

  constructor(private readonly bootstrapServers: string) {}

  async produce(input: ProduceInput): Promise<ProduceResult> {
    const key = input.key === undefined || input.key === null || input.key === '' ? null : Buffer.from(input.key);
    return this.withConnection(async (conn) => {
      const { partitions, leaderOf } = await this.partitionsOf(conn, input.topic);
      const partition = input.partition ?? choosePartition(key, partitions, this.counter++);
      if (partition < 0 || partition >= partitions) throw new PanelInputError(`topic ${input.topic} has no partition ${partition}`);
      const leader = leaderOf(partition);
      if (leader < 0) throw new Error(`${input.topic}-${partition} has no leader right now`);
      const records = encodeRecordBatchSync({ records: [{ key, value: Buffer.from(input.value), timestamp: Date.now() }] });
      const res = await conn.sendToBroker(leader, ApiKey.Produce, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: input.topic, partitionData: [{ index: partition, records }] }] });
      const p = res.responses[0]?.partitionResponses[0];
      if (p === undefined) throw new Error(`broker ${leader} did not answer for ${input.topic}-${partition}`);
      if (p.errorCode !== ErrorCode.NONE) throw Object.assign(new Error(p.errorMessage ?? errorForCode(p.errorCode).message), { kafkaErrorCode: p.errorCode });
      return { topic: input.topic, partition, leader, offset: p.baseOffset.toString() };
    });
  }

  async consume(input: ConsumeInput): Promise<ConsumeResult> {
    return this.withConnection(async (conn) => {
      const { partitions, leaderOf } = await this.partitionsOf(conn, input.topic);
      if (input.partition < 0 || input.partition >= partitions) throw new PanelInputError(`topic ${input.topic} has no partition ${input.partition}`);
      const leader = leaderOf(input.partition);
      if (leader < 0) throw new Error(`${input.topic}-${input.partition} has no leader right now`);
      const tp = { topic: input.topic, partition: input.partition };
      let offset = input.offset;
      if (offset === undefined) {
        const [earliest, latest] = [(await listOffsets(conn, [tp], -2n)).values().next().value, (await listOffsets(conn, [tp], -1n)).values().next().value];
        const from = (latest ?? 0n) - BigInt(input.max);
        offset = from > (earliest ?? 0n) ? from : (earliest ?? 0n);
      }
      const fetched = await fetchPartition(conn, leader, tp, offset, { maxWaitMs: 0, maxBytes: 1 << 20 });
      if (fetched.errorCode !== ErrorCode.NONE) throw Object.assign(new Error(errorForCode(fetched.errorCode).message), { kafkaErrorCode: fetched.errorCode });
      const records: ConsumedRecord[] = fetched.records
        .slice(0, input.max)
        .map((r) => ({ offset: r.offset.toString(), timestamp: r.timestamp.toString(), key: r.key?.toString('utf8') ?? null, value: r.value?.toString('utf8') ?? null }));
      return { topic: input.topic, partition: input.partition, leader, highWatermark: fetched.highWatermark.toString(), records };
    });
  }

  async close(): Promise<void> {
    await this.conn?.close();
    this.conn = null;
  }

  /** Runs `task` on a fresh-metadata connection; a leader that moved meanwhile gets one more try. */
  private async withConnection<T>(task: (conn: AdminConnection) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        this.conn ??= await AdminConnection.connect({ bootstrapServers: this.bootstrapServers, clientId: 'samsa-console', timeoutMs: 5000 });
        return await task(this.conn);
      } catch (err) {
        if (err instanceof PanelInputError) throw err;
        const code = (err as { kafkaErrorCode?: number }).kafkaErrorCode;
        if (code === undefined || !RETRIABLE.has(code)) {
          // A dead bootstrap broker breaks the connection: the next request connects afresh.
          await this.conn?.close().catch(() => undefined);
          this.conn = null;
        }
        if (attempt >= 2) throw err;
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    }
  }

  private async partitionsOf(conn: AdminConnection, topic: string): Promise<{ partitions: number; leaderOf: (p: number) => number }> {
    // All topics, refreshed: this also renews the broker list sendToBroker routes by.
    const md = await conn.metadata(null, true);
    const t = md.topics.find((x) => x.name === topic);
    if (t === undefined || t.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw new PanelInputError(`topic ${topic} does not exist`);
    if (t.errorCode === ErrorCode.INVALID_TOPIC_EXCEPTION) throw new PanelInputError(`invalid topic name ${topic}`);
    const leaders = new Map(t.partitions.map((p) => [p.partitionIndex, p.leaderId]));
    return { partitions: t.partitions.length, leaderOf: (p) => leaders.get(p) ?? -1 };
  }
}
