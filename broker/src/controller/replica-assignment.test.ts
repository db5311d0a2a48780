import {
  isBeingReassigned,
  isReassignmentComplete,
  maybeBuildReassignment,
  originReplicas,
  reassignTo,
  replicaAssignment,
  targetReplicas,
  validateReplicas,
} from './replica-assignment';

describe('ReplicaAssignment (KIP-455)', () => {
  it('reassignTo lists the target replicas first, then the original ones being removed (RS = TRS ++ ORS)', () => {
    const a = reassignTo(replicaAssignment([1, 2, 3]), [4, 5, 6]);
    expect(a).toEqual({ replicas: [4, 5, 6, 1, 2, 3], addingReplicas: [4, 5, 6], removingReplicas: [1, 2, 3] });
    expect(originReplicas(a)).toEqual([1, 2, 3]);
    expect(targetReplicas(a)).toEqual([4, 5, 6]);
    expect(isBeingReassigned(a)).toBe(true);
  });

  it('an overlapping move adds and removes only the difference ({1,2} -> {2,3})', () => {
    expect(reassignTo(replicaAssignment([1, 2]), [2, 3])).toEqual({ replicas: [2, 3, 1], addingReplicas: [3], removingReplicas: [1] });
  });

  it('a new reassignment replaces an in-flight one relative to the original replicas', () => {
    const inFlight = reassignTo(replicaAssignment([1, 2]), [2, 3]);
    expect(reassignTo(inFlight, [2, 4])).toEqual({ replicas: [2, 4, 1], addingReplicas: [4], removingReplicas: [1] });
  });

  it('reordering the same replicas is not a reassignment', () => {
    expect(isBeingReassigned(reassignTo(replicaAssignment([1, 2, 3]), [3, 2, 1]))).toBe(false);
  });

  it('cancelling (null target) an in-flight reassignment goes back to the original replicas (their order is not restored)', () => {
    const inFlight = reassignTo(replicaAssignment([1, 2]), [2, 3]);
    // As Kafka: RS [2,3,1] keeps no record of ORS's order, so ORS comes back as [2,1].
    expect(maybeBuildReassignment(inFlight, null)).toEqual({ replicas: [2, 1], addingReplicas: [], removingReplicas: [] });
    const disjoint = reassignTo(replicaAssignment([1, 2]), [3, 4]);
    expect(maybeBuildReassignment(disjoint, null)).toEqual({ replicas: [1, 2], addingReplicas: [], removingReplicas: [] });
  });

  it('cancelling a partition that is not being reassigned is NO_REASSIGNMENT_IN_PROGRESS (null)', () => {
    expect(maybeBuildReassignment(replicaAssignment([1, 2]), null)).toBeNull();
    expect(maybeBuildReassignment(replicaAssignment([1, 2]), [2, 3])).toEqual({ replicas: [2, 3, 1], addingReplicas: [3], removingReplicas: [1] });
  });

  it('validateReplicas refuses empty lists, duplicates, negative ids and added brokers that are not alive', () => {
    const live = new Set([1, 2, 3]);
    const current = replicaAssignment([1, 2]);
    expect(validateReplicas(current, [], live)).toMatch(/Empty replica list/);
    expect(validateReplicas(current, [2, 2], live)).toMatch(/Duplicate replica ids/);
    expect(validateReplicas(current, [2, -1], live)).toMatch(/Invalid broker id/);
    expect(validateReplicas(current, [2, 9], live)).toMatch(/not alive/);
    expect(validateReplicas(current, [2, 3], live)).toBeNull();
    // Only added replicas must be alive: keeping a replica on a dead broker is allowed.
    expect(validateReplicas(current, [1, 2], new Set([2]))).toBeNull();
  });

  it('a reassignment is complete once every target replica is in the ISR', () => {
    const a = reassignTo(replicaAssignment([1, 2]), [2, 3]);
    expect(isReassignmentComplete(a, [1, 2])).toBe(false);
    expect(isReassignmentComplete(a, [1, 2, 3])).toBe(true);
    expect(isReassignmentComplete(a, [3, 2])).toBe(true);
    expect(isReassignmentComplete(a, undefined)).toBe(false);
    expect(isReassignmentComplete(replicaAssignment([1, 2]), undefined)).toBe(true);
  });
});
