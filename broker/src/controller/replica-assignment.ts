/**
 * Kafka's ReplicaAssignment (ControllerContext.scala) as pure functions over PartitionAssignment:
 * during a reassignment `replicas` holds the target replicas followed by the original ones being
 * removed (RS = TRS ++ (ORS − TRS)), with AR = TRS − ORS in addingReplicas and RR = ORS − TRS in
 * removingReplicas. Plus the request checks of KafkaController (validateReplicas, maybeBuildReassignment).
 */
import type { PartitionAssignment } from '../zk/znodes';
import { targetReplicas } from './election';

export { targetReplicas };

/** ORS: the replicas before the reassignment (replicas minus the ones being added). */
export function originReplicas(a: PartitionAssignment): number[] {
  return a.replicas.filter((id) => !a.addingReplicas.includes(id));
}

export function isBeingReassigned(a: PartitionAssignment): boolean {
  return a.addingReplicas.length > 0 || a.removingReplicas.length > 0;
}

/** An assignment with no reassignment in flight. */
export function replicaAssignment(replicas: readonly number[]): PartitionAssignment {
  return { replicas: [...replicas], addingReplicas: [], removingReplicas: [] };
}

/**
 * Kafka's reassignTo: RS = (TRS ++ ORS) without duplicates, AR = RS − ORS, RR = RS − TRS. Reassigning
 * to the original replicas (a cancellation) gives an assignment that is not being reassigned.
 */
export function reassignTo(current: PartitionAssignment, target: readonly number[]): PartitionAssignment {
  const origin = originReplicas(current);
  const full = [...new Set([...target, ...origin])];
  return {
    replicas: full,
    addingReplicas: full.filter((id) => !origin.includes(id)),
    removingReplicas: full.filter((id) => !target.includes(id)),
  };
}

/**
 * Kafka's maybeBuildReassignment: a partition being reassigned moves to the new target (or back to its
 * original replicas when the target is null, a cancellation); one that is not needs a target, else
 * there is nothing to cancel (null ⇒ NO_REASSIGNMENT_IN_PROGRESS).
 */
export function maybeBuildReassignment(current: PartitionAssignment, target: readonly number[] | null): PartitionAssignment | null {
  if (isBeingReassigned(current)) return reassignTo(current, target ?? originReplicas(current));
  return target === null ? null : reassignTo(current, target);
}

/** Kafka's validateReplicas for AlterPartitionReassignments: null when the target may be used. */
export function validateReplicas(current: PartitionAssignment, target: readonly number[], liveBrokerIds: ReadonlySet<number>): string | null {
  if (target.length === 0) return 'Empty replica list specified in partition reassignment.';
  if (new Set(target).size !== target.length) return `Duplicate replica ids in partition reassignment replica list: ${listString(target)}`;
  if (target.some((id) => id < 0)) return `Invalid broker id in replica list: ${listString(target)}`;
  const adding = reassignTo(current, target).addingReplicas;
  if (!adding.every((id) => liveBrokerIds.has(id))) {
    return `Replica assignment has brokers that are not alive. Replica list: ${listString(adding)}, live broker list: ${listString([...liveBrokerIds].sort((x, y) => x - y))}`;
  }
  return null;
}

/** Kafka's isReassignmentComplete against the ISR read from the partition state znode. */
export function isReassignmentComplete(a: PartitionAssignment, isr: readonly number[] | undefined): boolean {
  if (!isBeingReassigned(a)) return true;
  if (isr === undefined) return false;
  return targetReplicas(a).every((id) => isr.includes(id));
}

export function sameAssignment(a: PartitionAssignment | undefined, b: PartitionAssignment): boolean {
  if (a === undefined) return false;
  const eq = (x: readonly number[], y: readonly number[]): boolean => x.length === y.length && x.every((v, i) => v === y[i]);
  return eq(a.replicas, b.replicas) && eq(a.addingReplicas, b.addingReplicas) && eq(a.removingReplicas, b.removingReplicas);
}

function listString(ids: readonly number[]): string {
  return `List(${ids.join(', ')})`;
}
