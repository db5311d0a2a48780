import type { TopicPartition } from '../log/log-names';
import { batch } from '../log/testing/log-test-utils';
import { defaultLeaderAndIsrPartitionState, type LeaderAndIsrPartitionState } from '../protocol/generated/leader-and-isr-request';
import { type ServingFixture, startServing } from '../replica/testing/replica-test-utils';
import { Partition } from './partition';
import type { IsrUpdate, UpdateIsr } from './partition-types';

const tp = { topic: 't', partition: 0 };
const LAG_MS = 30_000;

interface Harness {
  p: Partition;
  calls: { update: IsrUpdate; expectedZkVersion: number }[];
  recorded: TopicPartition[];
  completed: TopicPartition[];
  /** What the next updateIsr call does; default: succeed with expectedZkVersion + 1. */
  answer: (expectedZkVersion: number) => Promise<{ zkVersion: number } | 'stale'>;
}

function state(o: Partial<LeaderAndIsrPartitionState>): LeaderAndIsrPartitionState {
  return { ...defaultLeaderAndIsrPartitionState(), topicName: tp.topic, partitionIndex: tp.partition, controllerEpoch: 3, leader: 1, ...o };
}

function leo(offset: number): { offset: number; segmentBaseOffset: number; position: number } {
  return { offset, segmentBaseOffset: 0, position: -1 };
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('Partition ISR maintenance', () => {
  let f: ServingFixture;
  let h: Harness;
  beforeEach(async () => {
    f = await startServing();
    const calls: Harness['calls'] = [];
    const recorded: TopicPartition[] = [];
    const completed: TopicPartition[] = [];
    const updateIsr: UpdateIsr = (_tp, update, expectedZkVersion) => {
      calls.push({ update, expectedZkVersion });
      return h.answer(expectedZkVersion);
    };
    const p = new Partition(tp, {
      localBrokerId: 1,
      time: f.time,
      logManager: f.logManager,
      replicaLagTimeMaxMs: LAG_MS,
      checkpointedHighWatermark: () => Promise.resolve(undefined),
      isBrokerAlive: () => true,
      updateIsr,
      recordIsrChange: (t) => recorded.push(t),
      tryCompleteDelayedRequests: (t) => completed.push(t),
    });
    h = { p, calls, recorded, completed, answer: (v) => Promise.resolve({ zkVersion: v + 1 }) };
  });
  afterEach(async () => {
    await f.close();
  });

  it('adds a follower to the ISR once its log end offset reaches the high watermark (maybeExpandIsr), writing {leader, same epoch, new ISR} on the held zkVersion', async () => {
    const { p } = h;
    await p.makeLeader(state({ leaderEpoch: 4, isr: [1, 2], replicas: [1, 2, 3], zkVersion: 7 }), undefined);
    await p.appendRecordsToLeader(batch({ count: 3 }), 1);
    const now = f.time.milliseconds();
    p.updateFollowerFetchState(2, leo(3), 0, now, 3);
    expect(p.highWatermark).toBe(3);
    p.updateFollowerFetchState(3, leo(2), 0, now, 3);
    await flush();
    expect(h.calls).toEqual([]);
    p.updateFollowerFetchState(3, leo(3), 0, now, 3);
    await flush();
    expect(h.calls).toEqual([{ update: { leader: 1, leaderEpoch: 4, isr: [1, 2, 3], controllerEpoch: 3 }, expectedZkVersion: 7 }]);
    expect([...p.inSyncReplicaIds]).toEqual([1, 2, 3]);
    expect(p.zkVersion).toBe(8);
    expect(p.leaderEpoch).toBe(4);
    expect(h.recorded).toEqual([tp]);
  });

  it('does not expand the ISR with a follower below the start offset of the current leader epoch', async () => {
    const { p } = h;
    await p.makeLeader(state({ leaderEpoch: 0, isr: [1, 2], replicas: [1, 2, 3] }), undefined);
    await p.appendRecordsToLeader(batch({ count: 5 }), 1);
    await p.makeLeader(state({ leaderEpoch: 1, isr: [1, 2], replicas: [1, 2, 3] }), undefined);
    expect(p.highWatermark).toBe(0);
    expect(await p.maybeExpandIsr(3)).toBe(false);
    p.updateFollowerFetchState(3, leo(3), 0, f.time.milliseconds(), 5);
    await flush();
    expect(h.calls).toEqual([]);
    p.updateFollowerFetchState(3, leo(5), 0, f.time.milliseconds(), 5);
    await flush();
    expect(h.calls.map((c) => c.update.isr)).toEqual([[1, 2, 3]]);
  });

  it('removes ISR followers that have not caught up to the log end for replica.lag.time.max.ms (getOutOfSyncReplicas), and the high watermark then advances', async () => {
    const { p } = h;
    await p.makeLeader(state({ isr: [1, 2, 3], replicas: [1, 2, 3] }), undefined);
    await p.appendRecordsToLeader(batch({ count: 3 }), -1);
    p.updateFollowerFetchState(3, leo(3), 0, f.time.milliseconds(), 3);
    expect(p.highWatermark).toBe(0);
    f.time.sleep(LAG_MS);
    expect(p.getOutOfSyncReplicas(LAG_MS)).toEqual([]);
    expect(await p.maybeShrinkIsr()).toBe(false);
    f.time.sleep(1);
    expect(p.getOutOfSyncReplicas(LAG_MS)).toEqual([2]);
    expect(await p.maybeShrinkIsr()).toBe(true);
    expect(h.calls.map((c) => c.update.isr)).toEqual([[1, 3]]);
    expect([...p.inSyncReplicaIds]).toEqual([1, 3]);
    expect(p.highWatermark).toBe(3);
    expect(h.completed).toEqual([tp]);
    expect(h.recorded).toEqual([tp]);
  });

  it('keeps a follower at the leader log end in the ISR however long ago it last caught up', async () => {
    const { p } = h;
    await p.makeLeader(state({ isr: [1, 2], replicas: [1, 2] }), undefined);
    p.updateFollowerFetchState(2, leo(0), 0, f.time.milliseconds(), 0);
    f.time.sleep(10 * LAG_MS);
    expect(await p.maybeShrinkIsr()).toBe(false);
    expect(h.calls).toEqual([]);
  });

  it('keeps the old ISR on a stale zkVersion and writes no more until the next LeaderAndIsr', async () => {
    const { p } = h;
    h.answer = () => Promise.resolve('stale');
    await p.makeLeader(state({ isr: [1, 2], replicas: [1, 2], zkVersion: 5 }), undefined);
    await p.appendRecordsToLeader(batch({ count: 1 }), 1);
    f.time.sleep(LAG_MS + 1);
    expect(await p.maybeShrinkIsr()).toBe(false);
    expect([...p.inSyncReplicaIds]).toEqual([1, 2]);
    expect(p.zkVersion).toBe(5);
    expect(h.recorded).toEqual([]);
    expect(await p.maybeShrinkIsr()).toBe(false);
    expect(h.calls).toHaveLength(1);
    h.answer = (v) => Promise.resolve({ zkVersion: v + 1 });
    await p.makeLeader(state({ leaderEpoch: 1, isr: [1, 2], replicas: [1, 2], zkVersion: 6 }), undefined);
    f.time.sleep(LAG_MS + 1);
    expect(await p.maybeShrinkIsr()).toBe(true);
    expect(h.calls[1]).toEqual({ update: { leader: 1, leaderEpoch: 1, isr: [1], controllerEpoch: 3 }, expectedZkVersion: 6 });
  });

  it('runs one ISR write at a time and drops an outcome that arrives after the controller changed the state', async () => {
    const { p } = h;
    let release: (v: { zkVersion: number }) => void = () => undefined;
    h.answer = () => new Promise((resolve) => (release = resolve));
    await p.makeLeader(state({ isr: [1, 2], replicas: [1, 2] }), undefined);
    await p.appendRecordsToLeader(batch({ count: 1 }), 1);
    f.time.sleep(LAG_MS + 1);
    const first = p.maybeShrinkIsr();
    expect(await p.maybeShrinkIsr()).toBe(false);
    expect(h.calls).toHaveLength(1);
    await p.makeFollower(state({ leader: 2, leaderEpoch: 1, isr: [2], replicas: [1, 2], zkVersion: 9 }), undefined);
    release({ zkVersion: 1 });
    expect(await first).toBe(false);
    expect(p.zkVersion).toBe(9);
    expect(h.recorded).toEqual([]);
  });

  it('retries at the next check after a failed write (connection loss)', async () => {
    const { p } = h;
    h.answer = () => Promise.reject(new Error('connection loss'));
    await p.makeLeader(state({ isr: [1, 2], replicas: [1, 2] }), undefined);
    await p.appendRecordsToLeader(batch({ count: 1 }), 1);
    f.time.sleep(LAG_MS + 1);
    expect(await p.maybeShrinkIsr()).toBe(false);
    h.answer = (v) => Promise.resolve({ zkVersion: v + 1 });
    expect(await p.maybeShrinkIsr()).toBe(true);
    expect([...p.inSyncReplicaIds]).toEqual([1]);
  });

  it('never changes the ISR as a follower', async () => {
    const { p } = h;
    await p.makeFollower(state({ leader: 2, isr: [2, 1], replicas: [2, 1] }), undefined);
    f.time.sleep(LAG_MS + 1);
    expect(await p.maybeShrinkIsr()).toBe(false);
    expect(await p.maybeExpandIsr(2)).toBe(false);
    expect(h.calls).toEqual([]);
  });
});
