/**
 * The leader-side reads Partition serves from its local log once the leader epoch and leadership
 * checks passed: Fetch (Kafka's Partition.readRecords), ListOffsets (fetchOffsetForTimestamp) and
 * the errors those checks raise. Kept apart from partition.ts,
 * which owns the state they read (high watermark, leader epoch); it passes that state in.
 */
import type { LeaderEpochFileCache } from '../log/leader-epoch-cache';
import type { Log } from '../log/log';
import type { LogReadInfo } from '../log/log-types';
import { KafkaProtocolError } from '../protocol';
import { divergingEpoch, offsetForTimestamp } from './partition-offsets';
import { type FetchIsolation, IsolationLevel, type PartitionReadInfo, type TimestampAndOffsetResult } from './partition-types';

/** What a Fetch asks of one partition (Partition.readRecords). */
export interface ReadRecordsParams {
  fetchOffset: number;
  currentLeaderEpoch: number;
  lastFetchedEpoch: number;
  maxBytes: number;
  isolation: FetchIsolation;
  fetchOnlyFromLeader: boolean;
  minOneMessage: boolean;
}

/** The partition state a read is bounded by, taken before the read. */
export interface PartitionReadState {
  readonly name: string;
  readonly leaderEpoch: number;
  readonly highWatermark: number;
  readonly lastStableOffset: number;
  readonly epochCache: LeaderEpochFileCache | undefined;
}

export function notLeader(name: string, brokerId: number): KafkaProtocolError {
  return new KafkaProtocolError('NOT_LEADER_OR_FOLLOWER', `Leader not local for partition ${name} on broker ${brokerId}`);
}

/** Kafka's Partition.checkCurrentLeaderEpoch: a request's epoch (if any, >= 0) must be the partition's. */
export function checkCurrentLeaderEpoch(currentLeaderEpoch: number, leaderEpoch: number, name: string): void {
  if (currentLeaderEpoch < 0) return;
  if (leaderEpoch > currentLeaderEpoch) {
    throw new KafkaProtocolError('FENCED_LEADER_EPOCH', `The leader epoch in the request ${currentLeaderEpoch} is older than the current leader epoch ${leaderEpoch} of ${name}`);
  }
  if (leaderEpoch < currentLeaderEpoch) {
    throw new KafkaProtocolError('UNKNOWN_LEADER_EPOCH', `The leader epoch in the request ${currentLeaderEpoch} is newer than the current leader epoch ${leaderEpoch} of ${name}`);
  }
}

/**
 * Kafka's readRecords: offsets are taken before the read so appends during it never hold a follower
 * back; consumers read below the high watermark (read_committed: the last stable offset).
 */
export async function readRecordsFromLog(log: Log, s: PartitionReadState, o: ReadRecordsParams): Promise<PartitionReadInfo> {
  const highWatermark = s.highWatermark;
  const logStartOffset = log.logStartOffset;
  const logEndOffset = log.logEndOffset;
  const lastStableOffset = s.lastStableOffset;
  if (o.lastFetchedEpoch >= 0) {
    const diverging = divergingEpoch(s.epochCache, log, o.lastFetchedEpoch, o.fetchOffset, s.name);
    if (diverging !== undefined) {
      const fetched: LogReadInfo = { records: Buffer.alloc(0), firstOffset: o.fetchOffset, fetchOffset: o.fetchOffset, segmentBaseOffset: -1, position: -1, firstEntryIncomplete: false, logStartOffset, logEndOffset };
      return { fetched, highWatermark, logStartOffset, logEndOffset, lastStableOffset, fetchOffsetMetadata: { offset: o.fetchOffset, segmentBaseOffset: -1, position: -1 }, divergingEpoch: diverging };
    }
  }
  const maxOffset = o.isolation === 'logEnd' ? undefined : o.isolation === 'highWatermark' ? highWatermark : lastStableOffset;
  const fetched = await log.read(o.fetchOffset, o.maxBytes, { maxOffset, minOneMessage: o.minOneMessage });
  return {
    fetched,
    highWatermark,
    logStartOffset,
    logEndOffset,
    lastStableOffset,
    fetchOffsetMetadata: { offset: o.fetchOffset, segmentBaseOffset: fetched.segmentBaseOffset, position: fetched.position },
  };
}

/**
 * Kafka's fetchOffsetForTimestamp. Clients (isolationLevel given) are bounded by the high watermark
 * (read_committed: the last stable offset) and get OFFSET_NOT_AVAILABLE while a new leader's high
 * watermark is still below the start of its epoch (`epochStart`).
 */
export async function fetchOffsetForTimestampFromLog(
  log: Log,
  s: PartitionReadState,
  epochStart: number | null,
  timestamp: number,
  isolationLevel: number | null,
): Promise<TimestampAndOffsetResult | null> {
  const lastFetchable = isolationLevel === IsolationLevel.READ_COMMITTED ? s.lastStableOffset : isolationLevel === IsolationLevel.READ_UNCOMMITTED ? s.highWatermark : log.logEndOffset;
  // A new leader's high watermark below the start of its epoch is not yet an answer for clients.
  const lagging = isolationLevel !== null && epochStart !== null && epochStart > s.highWatermark;
  const offsetsError = lagging
    ? new KafkaProtocolError(
        'OFFSET_NOT_AVAILABLE',
        `Failed to fetch offsets for partition ${s.name} with leader epoch ${s.leaderEpoch} as this partition's high watermark (${s.highWatermark}) ` +
          `is lagging behind the start offset from the beginning of this epoch (${epochStart}).`,
      )
    : undefined;
  return offsetForTimestamp(log, s.epochCache, timestamp, lastFetchable, s.leaderEpoch, offsetsError);
}
