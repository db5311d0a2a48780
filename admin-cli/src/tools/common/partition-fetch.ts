/**
 * One partition read the way an assigned (group-less) consumer reads it: Fetch from the leader at an
 * offset, decode whatever the log holds (RecordBatch v2 and legacy magic 0/1 message sets, in any mix),
 * and say where the next fetch starts. Used by kafka-console-consumer --partition and the console's
 * record panel.
 */
import { ApiKey, ErrorCode } from '../../../../broker/src/protocol';
import { defaultFetchPartition, defaultFetchRequest } from '../../../../broker/src/protocol/generated/fetch-request';
import { decodeLegacyMessageSet, decodeRecordBatches, TimestampType } from '../../../../broker/src/protocol/records';
import type { AdminConnection } from './admin-connection';
import { shallowEntries } from './shallow-entries';

export type FetchedTimestampType = 'CreateTime' | 'LogAppendTime' | 'NO_TIMESTAMP';

export interface FetchedRecord {
  offset: bigint;
  timestamp: bigint;
  timestampType: FetchedTimestampType;
  key: Buffer | null;
  value: Buffer | null;
  headers: Array<{ key: string; value: Buffer | null }>;
}

export interface PartitionFetchResult {
  errorCode: number;
  highWatermark: bigint;
  /** Records at or after the fetch offset (control records left out). */
  records: FetchedRecord[];
  /** Where the next fetch starts: past the last whole batch returned (control batches and compaction gaps included). */
  nextOffset: bigint;
}

function typeName(t: number): FetchedTimestampType {
  return t === TimestampType.LogAppendTime ? 'LogAppendTime' : t === TimestampType.CreateTime ? 'CreateTime' : 'NO_TIMESTAMP';
}

/** Splits a record set into runs of whole entries with the same magic (v2 batches vs legacy message sets). */
function runsByMagic(set: Buffer): Array<{ magic: number; bytes: Buffer }> {
  const runs: Array<{ magic: number; start: number; end: number }> = [];
  for (const e of shallowEntries(set)) {
    const magic = e.magic === 2 ? 2 : 1;
    const last = runs[runs.length - 1];
    if (last !== undefined && last.magic === magic) last.end = e.position + e.size;
    else runs.push({ magic, start: e.position, end: e.position + e.size });
  }
  return runs.map((r) => ({ magic: r.magic, bytes: set.subarray(r.start, r.end) }));
}

/** Decodes a Fetch record set from `fromOffset` on. */
export async function decodeFetchedRecords(set: Buffer | null, fromOffset: bigint): Promise<{ records: FetchedRecord[]; nextOffset: bigint }> {
  const records: FetchedRecord[] = [];
  let nextOffset = fromOffset;
  for (const run of set === null ? [] : runsByMagic(set)) {
    if (run.magic === 2) {
      for (const b of (await decodeRecordBatches(run.bytes)).batches) {
        const last = b.baseOffset + BigInt(b.lastOffsetDelta) + 1n;
        if (last > nextOffset) nextOffset = last;
        if (b.isControl) continue;
        for (const r of b.records) {
          if (r.offset < fromOffset) continue;
          // The decoder already reports a LogAppendTime batch's maxTimestamp as each record's timestamp.
          records.push({ offset: r.offset, timestamp: r.timestamp, timestampType: typeName(b.timestampType), key: r.key, value: r.value, headers: r.headers.map((h) => ({ key: h.key, value: h.value })) });
        }
      }
    } else {
      for (const entry of (await decodeLegacyMessageSet(run.bytes)).entries) {
        for (const r of entry.records) {
          if (r.offset + 1n > nextOffset) nextOffset = r.offset + 1n;
          if (r.offset < fromOffset) continue;
          records.push({ offset: r.offset, timestamp: r.timestamp, timestampType: typeName(r.timestampType), key: r.key, value: r.value, headers: [] });
        }
      }
    }
  }
  return { records, nextOffset };
}

/** One Fetch of `topic`-`partition` at `offset` from broker `leader`, waiting up to `maxWaitMs` for data. */
export async function fetchPartition(
  conn: AdminConnection,
  leader: number,
  tp: { topic: string; partition: number },
  offset: bigint,
  o: { maxWaitMs: number; maxBytes: number },
): Promise<PartitionFetchResult> {
  const res = await conn.sendToBroker(leader, ApiKey.Fetch, {
    ...defaultFetchRequest(),
    replicaId: -1,
    maxWaitMs: o.maxWaitMs,
    minBytes: 1,
    maxBytes: o.maxBytes,
    topics: [{ topic: tp.topic, partitions: [{ ...defaultFetchPartition(), partition: tp.partition, fetchOffset: offset, partitionMaxBytes: o.maxBytes }] }],
  });
  const p = res.responses[0]?.partitionResponses[0];
  if (p === undefined) return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, highWatermark: -1n, records: [], nextOffset: offset };
  if (p.errorCode !== ErrorCode.NONE) return { errorCode: p.errorCode, highWatermark: p.highWatermark, records: [], nextOffset: offset };
  const decoded = await decodeFetchedRecords(p.recordSet, offset);
  return { errorCode: ErrorCode.NONE, highWatermark: p.highWatermark, ...decoded };
}
