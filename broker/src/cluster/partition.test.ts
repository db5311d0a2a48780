import { batch } from '../log/testing/log-test-utils';
import { type ServingFixture, becomeLeader, startServing } from '../replica/testing/replica-test-utils';

const tp = { topic: 't', partition: 0 };

describe('Partition', () => {
  let f: ServingFixture;
  beforeEach(async () => {
    f = await startServing();
  });
  afterEach(async () => {
    await f.close();
  });

  it('holds the high watermark at the ISR members\' log end offsets, which are unknown until they fetch', async () => {
    await becomeLeader(f, [{ ...tp, leader: 1, replicas: [1, 2, 3], isr: [1, 2, 3] }], [1, 2, 3]);
    const p = f.replicaManager.getPartition(tp)!;
    const { highWatermarkIncremented } = await p.appendRecordsToLeader(batch({ count: 3 }), 1);
    expect(highWatermarkIncremented).toBe(false);
    expect(p.highWatermark).toBe(0);
    const leo = p.log!.logEndOffsetMetadata;
    const now = f.time.milliseconds();
    expect(p.updateFollowerFetchState(2, { ...leo }, 0, now, leo.offset)).toBe(false);
    expect(p.updateFollowerFetchState(3, { offset: 2, segmentBaseOffset: 0, position: -1 }, 0, now, leo.offset)).toBe(true);
    expect(p.highWatermark).toBe(2);
  });

  it('ignores a remote replica outside the ISR that has not caught up within replica.lag.time.max.ms', async () => {
    await becomeLeader(f, [{ ...tp, leader: 1, replicas: [1, 2], isr: [1] }], [1, 2]);
    const p = f.replicaManager.getPartition(tp)!;
    await p.appendRecordsToLeader(batch({ count: 2 }), 1);
    expect(p.highWatermark).toBe(2);
  });

  it('starts a new leader epoch in the leader epoch cache at the log end offset', async () => {
    await becomeLeader(f, [{ ...tp, leader: 1, leaderEpoch: 0 }]);
    await f.replicaManager.getPartition(tp)!.appendRecordsToLeader(batch({ count: 2 }), 1);
    await becomeLeader(f, [{ ...tp, leader: 1, leaderEpoch: 1 }]);
    expect(f.logManager.leaderEpochCache(tp)!.epochEntries).toEqual([
      { epoch: 0, startOffset: 0 },
      { epoch: 1, startOffset: 2 },
    ]);
  });

  it('refuses a topic id different from the one it holds', async () => {
    await becomeLeader(f, [{ ...tp, leader: 1 }]);
    const p = f.replicaManager.getPartition(tp)!;
    expect(p.checkOrSetTopicId('AAAAAAAAAAAAAAAAAAAAAg')).toBe(false);
  });
});
