import type { Partition } from '../cluster/partition';
import type { LeaderAndIsrPartitionState } from '../protocol/generated/leader-and-isr-request';
import { LEADER_EPOCH_BUMP_PARALLELISM, STATE_CHANGE_PARALLELISM, makeLeaders, type PartitionStateChange } from './become-leader-or-follower';
import type { ReplicaManager } from './replica-manager';
import type { PartitionError } from './types';

/** How many makeLeader calls of each kind run now, the most at once, and which have started. */
interface Tally {
  running: { newLeader: number; epochBump: number };
  peak: { newLeader: number; epochBump: number };
  started: string[];
}

/** A partition whose makeLeader waits until released, counting in `tally` how many of its kind run at once. */
class GatedPartition {
  private release: (() => void) | undefined;
  private onStart: () => void = () => undefined;
  private readonly started = new Promise<void>((resolve) => (this.onStart = resolve));

  constructor(
    readonly topicPartition: { topic: string; partition: number },
    readonly isLeader: boolean,
    private readonly tally: Tally,
  ) {}

  get kind(): 'newLeader' | 'epochBump' {
    return this.isLeader ? 'epochBump' : 'newLeader';
  }

  async makeLeader(): Promise<{ isNewLeader: boolean; highWatermarkIncremented: boolean }> {
    const kind = this.kind;
    const t = this.tally;
    t.running[kind]++;
    t.peak[kind] = Math.max(t.peak[kind], t.running[kind]);
    t.started.push(`${kind}-${this.topicPartition.partition}`);
    this.onStart();
    await new Promise<void>((resolve) => (this.release = resolve));
    t.running[kind]--;
    return { isNewLeader: !this.isLeader, highWatermarkIncremented: false };
  }

  whenStarted(): Promise<void> {
    return this.started;
  }

  finish(): void {
    this.release?.();
  }
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('makeLeaders', () => {
  it('starts every new leadership at once while epoch bumps of partitions already led here run a few at a time (Kafka applies them one by one)', async () => {
    const tally: Tally = { running: { newLeader: 0, epochBump: 0 }, peak: { newLeader: 0, epochBump: 0 }, started: [] };
    const newLeaders = Array.from({ length: 40 }, (_, i) => new GatedPartition({ topic: 't', partition: i }, false, tally));
    const epochBumps = Array.from({ length: 40 }, (_, i) => new GatedPartition({ topic: 't', partition: 100 + i }, true, tally));
    // Epoch bumps first in the request: they must not hold the new leaderships back.
    const changes = [...epochBumps, ...newLeaders].map((p) => ({ p: p as unknown as Partition, state: {} as LeaderAndIsrPartitionState, topicId: undefined }) satisfies PartitionStateChange);
    const rm = { tryCompleteDelayedRequests: () => undefined, logger: { error: () => undefined } } as unknown as ReplicaManager;
    const errors = new Map<string, PartitionError>();

    const done = makeLeaders(rm, undefined, changes, errors);
    await Promise.all(newLeaders.map((p) => p.whenStarted()));
    await flush();
    expect(STATE_CHANGE_PARALLELISM).toBeGreaterThanOrEqual(newLeaders.length);
    expect(tally.running.newLeader).toBe(newLeaders.length);
    expect(tally.running.epochBump).toBe(LEADER_EPOCH_BUMP_PARALLELISM);

    for (const p of newLeaders) p.finish();
    // The rest of the epoch bumps go through, never more than LEADER_EPOCH_BUMP_PARALLELISM at once.
    for (const p of epochBumps) {
      await p.whenStarted();
      p.finish();
      await flush();
    }
    await done;
    expect(tally.peak.epochBump).toBe(LEADER_EPOCH_BUMP_PARALLELISM);
    expect(tally.started.filter((s) => s.startsWith('epochBump'))).toHaveLength(epochBumps.length);
    expect(errors.size).toBe(0);
  });
});
