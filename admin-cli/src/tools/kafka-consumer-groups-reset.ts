/**
 * kafka-consumer-groups --reset-offsets planning, as Kafka 2.8's prepareOffsetsToReset: which partitions
 * (--all-topics: those the group has offsets for; --topic t[:p,…]: all or the listed partitions of t) and
 * the new offset for each, clamped to [earliest, latest] as checkOffsetsRange does.
 */
import { ToolError } from './common/tool-error';
import type { AdminConnection } from './common/admin-connection';
import { committedOffsets, listOffsets, tpKey, type GroupDescription, type TopicPartitionRef } from './common/group-admin';

export interface ResetSpec {
  toEarliest: boolean;
  toLatest: boolean;
  toCurrent: boolean;
  toOffset?: number;
  shiftBy?: number;
  toDatetime?: string;
  byDuration?: string;
}

export interface PlannedOffset extends TopicPartitionRef {
  offset: bigint;
}

/** ISO-8601 durations as Kafka's --by-duration takes them (PnDTnHnMnS). */
export function parseDuration(text: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(text);
  if (m === null || text === 'P' || text.toUpperCase().endsWith('T')) throw new ToolError(`Error parsing duration '${text}': expected the format PnDTnHnMnS`);
  const [, d, h, min, s] = m;
  return ((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60_000 + Number(s ?? 0) * 1000;
}

/** 'YYYY-MM-DDTHH:mm:SS.sss' with an optional zone (Z or ±hh:mm); local time without one, as Kafka. */
export function parseDatetime(text: string): number {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})?$/.test(text)) {
    throw new ToolError(`Error parsing timestamp '${text}': expected the format 'YYYY-MM-DDTHH:mm:SS.sss'`);
  }
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new ToolError(`Error parsing timestamp '${text}'`);
  return ms;
}

function countSpecs(s: ResetSpec): number {
  return [s.toEarliest, s.toLatest, s.toCurrent, s.toOffset !== undefined, s.shiftBy !== undefined, s.toDatetime !== undefined, s.byDuration !== undefined].filter(Boolean).length;
}

export async function planReset(
  conn: AdminConnection,
  d: GroupDescription,
  topics: Array<{ topic: string; partitions: number[] | null }> | null,
  spec: ResetSpec,
  timeoutMs: number,
): Promise<PlannedOffset[]> {
  if (countSpecs(spec) !== 1) throw new ToolError('Option [reset-offsets] takes exactly one of these options: [to-datetime], [by-duration], [to-earliest], [to-latest], [shift-by], [from-file], [to-current], [to-offset]');
  const committed = await committedOffsets(conn, d.groupId, d.coordinator.id, timeoutMs);
  let partitions: TopicPartitionRef[];
  if (topics === null) partitions = [...committed.values()].map((c) => c.tp);
  else {
    const md = await conn.metadata(topics.map((t) => t.topic));
    partitions = topics.flatMap((t) => {
      const known = md.topics.find((m) => m.name === t.topic);
      if (known === undefined || known.partitions.length === 0) throw new ToolError(`Topic '${t.topic}' does not exist`);
      return (t.partitions ?? known.partitions.map((p) => p.partitionIndex).sort((a, b) => a - b)).map((partition) => ({ topic: t.topic, partition }));
    });
  }
  const earliest = await listOffsets(conn, partitions, -2n);
  const latest = await listOffsets(conn, partitions, -1n);
  const clamp = (tp: TopicPartitionRef, offset: bigint): bigint => {
    const lo = earliest.get(tpKey(tp)) ?? 0n;
    const hi = latest.get(tpKey(tp)) ?? lo;
    return offset < lo ? lo : offset > hi ? hi : offset;
  };
  let timestamp: bigint | null = null;
  if (spec.toDatetime !== undefined) timestamp = BigInt(parseDatetime(spec.toDatetime));
  if (spec.byDuration !== undefined) timestamp = BigInt(Date.now() - parseDuration(spec.byDuration));
  const byTime = timestamp === null ? null : await listOffsets(conn, partitions, timestamp);
  return partitions.map((tp) => {
    const key = tpKey(tp);
    const current = committed.get(key)?.offset;
    let offset: bigint;
    if (spec.toEarliest) offset = earliest.get(key) ?? 0n;
    else if (spec.toLatest) offset = latest.get(key) ?? 0n;
    else if (spec.toCurrent) offset = current ?? latest.get(key) ?? 0n;
    else if (spec.toOffset !== undefined) offset = clamp(tp, BigInt(spec.toOffset));
    else if (spec.shiftBy !== undefined) {
      if (current === undefined) throw new ToolError(`Cannot shift offset for partition ${tp.topic}-${tp.partition} since there is no current committed offset`);
      offset = clamp(tp, current + BigInt(spec.shiftBy));
    } else offset = byTime?.get(key) ?? latest.get(key) ?? 0n;
    return { ...tp, offset };
  });
}
