import {
  controlledShutdownPartitionLeaderElection,
  initialLeaderAndIsr,
  leaderForControlledShutdown,
  leaderForOffline,
  leaderForPreferredReplica,
  leaderForReassign,
  offlinePartitionLeaderElection,
  preferredReplicaPartitionLeaderElection,
  reassignPartitionLeaderElection,
  removeReplicaFromIsr,
  targetReplicas,
} from './election';

const live = (...ids: number[]): Set<number> => new Set(ids);

describe('offlinePartitionLeaderElection (Election.scala)', () => {
  test('picks the first replica in assignment order that is alive and in the ISR', () => {
    expect(offlinePartitionLeaderElection([3, 1, 2], [1, 2, 3], live(1, 2), false)).toEqual({ leader: 1, unclean: false });
    expect(offlinePartitionLeaderElection([3, 1, 2], [2, 3], live(1, 2, 3), false)).toEqual({ leader: 3, unclean: false });
  });

  test('fails without a live ISR member unless unclean election is enabled', () => {
    expect(offlinePartitionLeaderElection([1, 2], [1], live(2), false)).toBeNull();
    expect(offlinePartitionLeaderElection([1, 2], [1], live(2), true)).toEqual({ leader: 2, unclean: true });
    expect(offlinePartitionLeaderElection([1, 2], [1], live(), true)).toBeNull();
  });
});

describe('leaderForOffline', () => {
  test('a clean leader keeps the live ISR and bumps the leader epoch, keeping the zkVersion read', () => {
    const r = leaderForOffline({ leader: 1, leaderEpoch: 4, isr: [1, 2, 3], zkVersion: 7 }, [1, 2, 3], live(2, 3), false);
    expect(r).toEqual({ leaderAndIsr: { leader: 2, leaderEpoch: 5, isr: [2, 3], zkVersion: 7 }, unclean: false });
  });

  test('an unclean leader starts the ISR over with itself', () => {
    const r = leaderForOffline({ leader: -1, leaderEpoch: 2, isr: [1], zkVersion: 3 }, [1, 2], live(2), true);
    expect(r).toEqual({ leaderAndIsr: { leader: 2, leaderEpoch: 3, isr: [2], zkVersion: 3 }, unclean: true });
  });
});

describe('new partition leadership and ISR shrink', () => {
  test('a new partition is led by its first live replica with every live replica in the ISR, epoch 0', () => {
    expect(initialLeaderAndIsr([3, 1, 2], live(1, 2))).toEqual({ leader: 1, leaderEpoch: 0, isr: [1, 2], zkVersion: 0 });
    expect(initialLeaderAndIsr([3], live(1))).toBeNull();
  });

  test('removing the leader from the ISR leaves no leader; the last ISR member is never removed', () => {
    expect(removeReplicaFromIsr({ leader: 1, leaderEpoch: 0, isr: [1, 2], zkVersion: 1 }, 1)).toEqual({ leader: -1, leaderEpoch: 1, isr: [2], zkVersion: 1 });
    expect(removeReplicaFromIsr({ leader: 2, leaderEpoch: 1, isr: [2, 1], zkVersion: 1 }, 1)).toEqual({ leader: 2, leaderEpoch: 2, isr: [2], zkVersion: 1 });
    expect(removeReplicaFromIsr({ leader: 1, leaderEpoch: 3, isr: [1], zkVersion: 2 }, 1)).toEqual({ leader: -1, leaderEpoch: 4, isr: [1], zkVersion: 2 });
  });

  test('preferred replica election picks assignment[0] only when it is alive and in the ISR', () => {
    expect(preferredReplicaPartitionLeaderElection([1, 2], [1, 2], live(1, 2))).toBe(1);
    expect(preferredReplicaPartitionLeaderElection([1, 2], [2], live(1, 2))).toBeNull();
    expect(preferredReplicaPartitionLeaderElection([1, 2], [1, 2], live(2))).toBeNull();
  });
});

describe('controlled shutdown election (leaderForControlledShutdown)', () => {
  test('moves leadership to the first in-sync replica that is not shutting down and drops shutting-down brokers from the ISR', () => {
    const shutting = live(1);
    expect(controlledShutdownPartitionLeaderElection([1, 2, 3], [1, 3], live(1, 2, 3), shutting)).toBe(3);
    expect(leaderForControlledShutdown({ leader: 1, leaderEpoch: 2, isr: [1, 2, 3], zkVersion: 4 }, [1, 2, 3], live(1, 2, 3), shutting)).toEqual({
      leader: 2,
      leaderEpoch: 3,
      isr: [2, 3],
      zkVersion: 4,
    });
  });

  test('fails when no other in-sync replica is alive', () => {
    expect(leaderForControlledShutdown({ leader: 1, leaderEpoch: 0, isr: [1, 2], zkVersion: 0 }, [1, 2], live(1), live(1))).toBeNull();
  });
});

describe('preferred and reassign elections (leaderForPreferredReplica / leaderForReassign)', () => {
  test('the preferred replica takes over keeping the ISR, the leader epoch goes up and the zkVersion read is kept', () => {
    expect(leaderForPreferredReplica({ leader: 2, leaderEpoch: 5, isr: [2, 3, 1], zkVersion: 9 }, [1, 2, 3], live(1, 2, 3))).toEqual({
      leader: 1,
      leaderEpoch: 6,
      isr: [2, 3, 1],
      zkVersion: 9,
    });
  });

  test('no preferred election when the preferred replica is out of the ISR or not live', () => {
    expect(leaderForPreferredReplica({ leader: 2, leaderEpoch: 5, isr: [2, 3], zkVersion: 9 }, [1, 2, 3], live(1, 2, 3))).toBeNull();
    expect(leaderForPreferredReplica({ leader: 2, leaderEpoch: 5, isr: [1, 2, 3], zkVersion: 9 }, [1, 2, 3], live(2, 3))).toBeNull();
  });

  test('reassign election picks the first live in-sync replica of the target replicas', () => {
    expect(reassignPartitionLeaderElection([3, 4], [1, 2, 4], live(1, 2, 3, 4))).toBe(4);
    expect(reassignPartitionLeaderElection([3, 4], [1, 2, 3, 4], live(1, 2, 4))).toBe(4);
    expect(reassignPartitionLeaderElection([3, 4], [1, 2], live(1, 2, 3, 4))).toBeNull();
    expect(leaderForReassign({ leader: 1, leaderEpoch: 1, isr: [1, 2, 3], zkVersion: 2 }, [2, 3], live(1, 2, 3))).toEqual({
      leader: 2,
      leaderEpoch: 2,
      isr: [1, 2, 3],
      zkVersion: 2,
    });
  });

  test('target replicas are the replicas minus the ones being removed', () => {
    expect(targetReplicas({ replicas: [2, 3, 1], removingReplicas: [1] })).toEqual([2, 3]);
    expect(targetReplicas({ replicas: [1, 2], removingReplicas: [] })).toEqual([1, 2]);
  });
});
