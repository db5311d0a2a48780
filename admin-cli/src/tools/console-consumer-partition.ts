/**
 * kafka-console-consumer --partition: Kafka's ConsoleConsumer assigns the one partition (no group is
 * joined and no offset committed), seeks to --offset (earliest, latest or a number) and polls the
 * leader. An offset out of range resets as the consumer's auto.offset.reset says: earliest with
 * --from-beginning, else latest. Leadership changes and unreachable leaders are retried, as a consumer
 * does, until --timeout-ms or a signal ends the run.
 */
import { ErrorCode, errorForCode, isRetriable } from '../../../broker/src/protocol';
import type { AdminConnection } from './common/admin-connection';
import { listOffsets, tpKey } from './common/group-admin';
import { fetchPartition } from './common/partition-fetch';
import { ToolError } from './common/tool-error';
import type { ConsoleConsumerConfig, ConsumeSession } from './kafka-console-consumer';

const EARLIEST = -2n;
const LATEST = -1n;
const FETCH = { maxWaitMs: 500, maxBytes: 1 << 20 } as const;
const RETRY_BACKOFF_MS = 200;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function leaderOf(conn: AdminConnection, tp: { topic: string; partition: number }): Promise<number> {
  const md = await conn.metadata([tp.topic], true);
  return md.topics.find((t) => t.name === tp.topic)?.partitions.find((p) => p.partitionIndex === tp.partition)?.leaderId ?? -1;
}

async function offsetAt(conn: AdminConnection, tp: { topic: string; partition: number }, timestamp: bigint): Promise<bigint | undefined> {
  return (await listOffsets(conn, [tp], timestamp)).get(tpKey(tp));
}

export async function consumeAssignedPartition(conn: AdminConnection, cfg: ConsoleConsumerConfig, partition: number, session: ConsumeSession): Promise<void> {
  const tp = { topic: cfg.topic, partition };
  // Where an earliest/latest start begins, and where an out-of-range offset resets to (auto.offset.reset).
  const resetTo = cfg.start.kind === 'earliest' ? EARLIEST : LATEST;
  const loop = async (): Promise<void> => {
    let offset: bigint | undefined = cfg.start.kind === 'offset' ? cfg.start.offset : undefined;
    let leader = -1;
    while (!session.isStopped) {
      try {
        if (leader < 0) leader = await leaderOf(conn, tp);
        if (leader < 0) {
          await sleep(RETRY_BACKOFF_MS);
          continue;
        }
        offset ??= await offsetAt(conn, tp, resetTo);
        if (offset === undefined) {
          leader = -1;
          await sleep(RETRY_BACKOFF_MS);
          continue;
        }
        const r = await fetchPartition(conn, leader, tp, offset, FETCH);
        if (r.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
          offset = await offsetAt(conn, tp, resetTo);
          continue;
        }
        if (r.errorCode !== ErrorCode.NONE) {
          if (!isRetriable(r.errorCode) && r.errorCode !== ErrorCode.NOT_LEADER_OR_FOLLOWER) throw new ToolError(errorForCode(r.errorCode).message);
          leader = -1; // a moved or unavailable leader: look it up again
          await sleep(RETRY_BACKOFF_MS);
          continue;
        }
        for (const rec of r.records) {
          const more = session.emit({ partition, offset: rec.offset.toString(), timestamp: rec.timestamp.toString(), timestampType: rec.timestampType, key: rec.key, value: rec.value, headers: rec.headers });
          if (!more) return;
        }
        offset = r.nextOffset;
      } catch (err) {
        if (err instanceof ToolError) throw err;
        // The leader's connection failed (a broker went away): find the partition's leader again.
        leader = -1;
        await sleep(RETRY_BACKOFF_MS);
      }
    }
  };
  const running = loop().catch((error: unknown) => session.stop({ kind: 'error', error }));
  try {
    await session.outcome();
  } finally {
    session.stop({ kind: 'done' });
    await running;
  }
}
