/**
 * Kafka's kafka.cluster.Replica: what the leader knows of one remote replica from its fetches (log
 * end and start offsets, last fetch and caught-up times) and the rules that move that state. Kept
 * apart from partition.ts because these rules concern one follower at a time; Partition combines
 * them over its replicas (high watermark, ISR expansion and shrinking).
 */
import { type LogOffsetMetadata, type RemoteReplicaState, UNKNOWN_OFFSET_METADATA } from './partition-types';

/** A remote replica nothing is known of yet (it has not fetched). */
export function newRemoteReplica(brokerId: number): RemoteReplicaState {
  return { brokerId, logEndOffset: { ...UNKNOWN_OFFSET_METADATA }, logStartOffset: -1, lastCaughtUpTimeMs: 0, lastFetchTimeMs: 0, lastFetchLeaderLogEndOffset: -1 };
}

/** Keeps one state per remote broker of the assignment: drops those no longer assigned, adds new ones. */
export function syncRemoteReplicas(remoteReplicas: Map<number, RemoteReplicaState>, assignment: readonly number[], localBrokerId: number): void {
  const remote = new Set(assignment.filter((id) => id !== localBrokerId));
  for (const id of [...remoteReplicas.keys()]) if (!remote.has(id)) remoteReplicas.delete(id);
  for (const id of remote) {
    if (!remoteReplicas.has(id)) {
      remoteReplicas.set(id, newRemoteReplica(id));
    }
  }
}

/**
 * Kafka's Replica.resetLastCaughtUpTime as makeLeader applies it: ISR members count as caught up now,
 * the others not; a new leader also forgets what followers reported to the previous one.
 */
export function resetForLeaderEpoch(r: RemoteReplicaState, inIsr: boolean, now: number, startOffset: number, isNewLeader: boolean): void {
  r.lastCaughtUpTimeMs = inIsr ? now : 0;
  r.lastFetchTimeMs = now;
  r.lastFetchLeaderLogEndOffset = startOffset;
  if (isNewLeader) {
    r.logEndOffset = { ...UNKNOWN_OFFSET_METADATA };
    r.logStartOffset = -1;
  }
}

/** Kafka's Replica.updateFetchState: a fetch at the leader's end (or past its previous end) means caught up. */
export function updateFetchState(r: RemoteReplicaState, fetchOffset: LogOffsetMetadata, followerStartOffset: number, fetchTimeMs: number, leaderEndOffset: number): void {
  if (fetchOffset.offset >= leaderEndOffset) r.lastCaughtUpTimeMs = Math.max(r.lastCaughtUpTimeMs, fetchTimeMs);
  else if (fetchOffset.offset >= r.lastFetchLeaderLogEndOffset) r.lastCaughtUpTimeMs = Math.max(r.lastCaughtUpTimeMs, r.lastFetchTimeMs);
  r.logStartOffset = followerStartOffset;
  r.logEndOffset = { ...fetchOffset };
  r.lastFetchLeaderLogEndOffset = leaderEndOffset;
  r.lastFetchTimeMs = fetchTimeMs;
}

/** Kafka's Partition.isFollowerOutOfSync: not at the leader's log end and not caught up for maxLagMs. */
export function isFollowerOutOfSync(r: RemoteReplicaState, leaderEndOffset: number, now: number, maxLagMs: number): boolean {
  return r.logEndOffset.offset !== leaderEndOffset && now - r.lastCaughtUpTimeMs > maxLagMs;
}

/**
 * The high watermark candidate of Kafka's maybeIncrementLeaderHW: the minimum log end offset over
 * the leader's (`leaderEnd`) and the remote replicas that are in the ISR or caught up recently.
 */
export function leaderHighWatermarkCandidate(
  leaderEnd: LogOffsetMetadata,
  remoteReplicas: Iterable<RemoteReplicaState>,
  isr: ReadonlySet<number>,
  now: number,
  replicaLagTimeMaxMs: number,
): LogOffsetMetadata {
  let candidate: LogOffsetMetadata = { ...leaderEnd };
  for (const r of remoteReplicas) {
    if (r.logEndOffset.offset < candidate.offset && (now - r.lastCaughtUpTimeMs <= replicaLagTimeMaxMs || isr.has(r.brokerId))) {
      candidate = r.logEndOffset;
    }
  }
  return candidate;
}
