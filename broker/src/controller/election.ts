/**
 * Leader election strategies as pure functions (Kafka's Election.scala / PartitionLeaderElectionAlgorithms).
 * `assignment` is the replica list in assignment order; `liveReplicas` the replicas on live brokers.
 */
import type { LeaderAndIsr } from '../zk/kafka-zk-client';

/**
 * offlinePartitionLeaderElection: the first replica in assignment order that is alive and in the ISR;
 * failing that, when unclean election is allowed, the first live replica (data may be lost).
 */
export function offlinePartitionLeaderElection(
  assignment: readonly number[],
  isr: readonly number[],
  liveReplicas: ReadonlySet<number>,
  uncleanLeaderElectionEnabled: boolean,
): { leader: number; unclean: boolean } | null {
  const clean = assignment.find((id) => liveReplicas.has(id) && isr.includes(id));
  if (clean !== undefined) return { leader: clean, unclean: false };
  if (!uncleanLeaderElectionEnabled) return null;
  const unclean = assignment.find((id) => liveReplicas.has(id));
  return unclean === undefined ? null : { leader: unclean, unclean: true };
}

/**
 * Kafka's leaderForOffline: the new LeaderAndIsr after an offline election. A clean leader keeps the
 * live part of the ISR; an unclean one starts the ISR over with itself. The leader epoch goes up by one,
 * the zkVersion is the one read (the write is conditional on it).
 */
export function leaderForOffline(
  current: LeaderAndIsr,
  assignment: readonly number[],
  liveReplicas: ReadonlySet<number>,
  uncleanLeaderElectionEnabled: boolean,
): { leaderAndIsr: LeaderAndIsr; unclean: boolean } | null {
  const elected = offlinePartitionLeaderElection(assignment, current.isr, liveReplicas, uncleanLeaderElectionEnabled);
  if (elected === null) return null;
  const isr = current.isr.includes(elected.leader) ? current.isr.filter((id) => liveReplicas.has(id)) : [elected.leader];
  return {
    leaderAndIsr: { leader: elected.leader, leaderEpoch: current.leaderEpoch + 1, isr, zkVersion: current.zkVersion },
    unclean: elected.unclean,
  };
}

/** Initial leadership of a new partition: leader = first live replica, ISR = all live replicas, epoch 0. */
export function initialLeaderAndIsr(assignment: readonly number[], liveReplicas: ReadonlySet<number>): LeaderAndIsr | null {
  const live = assignment.filter((id) => liveReplicas.has(id));
  if (live.length === 0) return null;
  return { leader: live[0], leaderEpoch: 0, isr: live, zkVersion: 0 };
}

/**
 * controlledShutdownPartitionLeaderElection: the first replica in assignment order that is live (or
 * shutting down), in the ISR, and not shutting down.
 */
export function controlledShutdownPartitionLeaderElection(
  assignment: readonly number[],
  isr: readonly number[],
  liveOrShuttingDown: ReadonlySet<number>,
  shuttingDown: ReadonlySet<number>,
): number | null {
  return assignment.find((id) => liveOrShuttingDown.has(id) && isr.includes(id) && !shuttingDown.has(id)) ?? null;
}

/** Kafka's leaderForControlledShutdown: the shutting-down brokers leave the ISR, leader epoch + 1. */
export function leaderForControlledShutdown(
  current: LeaderAndIsr,
  assignment: readonly number[],
  liveOrShuttingDown: ReadonlySet<number>,
  shuttingDown: ReadonlySet<number>,
): LeaderAndIsr | null {
  const leader = controlledShutdownPartitionLeaderElection(assignment, current.isr, liveOrShuttingDown, shuttingDown);
  if (leader === null) return null;
  return { leader, leaderEpoch: current.leaderEpoch + 1, isr: current.isr.filter((id) => !shuttingDown.has(id)), zkVersion: current.zkVersion };
}

/** Preferred replica election: assignment[0] if it is alive and in the ISR. */
export function preferredReplicaPartitionLeaderElection(assignment: readonly number[], isr: readonly number[], liveReplicas: ReadonlySet<number>): number | null {
  const preferred = assignment[0];
  return preferred !== undefined && liveReplicas.has(preferred) && isr.includes(preferred) ? preferred : null;
}

/**
 * reassignPartitionLeaderElection: the first replica of the target replica set (in its order) that is
 * alive and in the ISR.
 */
export function reassignPartitionLeaderElection(reassignment: readonly number[], isr: readonly number[], liveReplicas: ReadonlySet<number>): number | null {
  return reassignment.find((id) => liveReplicas.has(id) && isr.includes(id)) ?? null;
}

/**
 * Kafka's ReplicaAssignment.targetReplicas: during a reassignment the replicas being removed are not
 * candidates; otherwise the full replica list.
 */
export function targetReplicas(assignment: { replicas: readonly number[]; removingReplicas: readonly number[] }): number[] {
  return assignment.replicas.filter((id) => !assignment.removingReplicas.includes(id));
}

/** Kafka's LeaderAndIsr.newLeader: another leader, the same ISR, leader epoch + 1, the zkVersion read. */
function newLeader(current: LeaderAndIsr, leader: number): LeaderAndIsr {
  return { leader, leaderEpoch: current.leaderEpoch + 1, isr: [...current.isr], zkVersion: current.zkVersion };
}

/** Kafka's leaderForPreferredReplica: the preferred replica leads if it is live and in the ISR; the ISR is kept. */
export function leaderForPreferredReplica(current: LeaderAndIsr, assignment: readonly number[], liveReplicas: ReadonlySet<number>): LeaderAndIsr | null {
  const leader = preferredReplicaPartitionLeaderElection(assignment, current.isr, liveReplicas);
  return leader === null ? null : newLeader(current, leader);
}

/** Kafka's leaderForReassign: the first live in-sync target replica leads; the ISR is kept. */
export function leaderForReassign(current: LeaderAndIsr, target: readonly number[], liveReplicas: ReadonlySet<number>): LeaderAndIsr | null {
  const leader = reassignPartitionLeaderElection(target, current.isr, liveReplicas);
  return leader === null ? null : newLeader(current, leader);
}

/**
 * Removing a replica from the ISR (OfflineReplica): the leader is cleared (-1) if it was that replica,
 * and an ISR of one is left as it is, so a clean election can wait for the last in-sync replica.
 */
export function removeReplicaFromIsr(current: LeaderAndIsr, replicaId: number): LeaderAndIsr {
  const leader = current.leader === replicaId ? -1 : current.leader;
  const isr = current.isr.length === 1 ? current.isr : current.isr.filter((id) => id !== replicaId);
  return { leader, leaderEpoch: current.leaderEpoch + 1, isr, zkVersion: current.zkVersion };
}
