import type { Partition } from '../cluster/partition';
import { createLogger } from '../common/logger';
import { MockScheduler } from '../common/scheduler';
import { MockTime } from '../common/time';
import type { TopicPartition } from '../log/log-names';
import { scheduleIsrTasks, type IsrTasks } from './isr-tasks';

const logger = createLogger('test');

function fakePartition(topic: string, isLeader: boolean, shrinks: string[]): Partition {
  const p = {
    topicPartition: { topic, partition: 0 },
    isLeader,
    maybeShrinkIsr: () => {
      shrinks.push(topic);
      return Promise.resolve(true);
    },
  };
  return p as unknown as Partition;
}

describe('ISR tasks (isr-expiration, isr-change-propagation)', () => {
  let time: MockTime;
  let scheduler: MockScheduler;
  let written: TopicPartition[][];
  let fail: boolean;
  let shrinks: string[];
  let tasks: IsrTasks;
  beforeEach(() => {
    time = new MockTime(0);
    scheduler = new MockScheduler(time);
    written = [];
    fail = false;
    shrinks = [];
    const partitions = [fakePartition('led', true, shrinks), fakePartition('followed', false, shrinks)];
    tasks = scheduleIsrTasks({
      scheduler,
      time,
      partitions: () => partitions,
      replicaLagTimeMaxMs: 30_000,
      propagateIsrChanges: (tps) => {
        if (fail) return Promise.reject(new Error('connection loss'));
        written.push([...tps]);
        return Promise.resolve();
      },
      logger,
    });
  });
  afterEach(() => tasks.cancel());

  it('runs maybeShrinkIsr on every led partition at once and then every replica.lag.time.max.ms / 2', async () => {
    await scheduler.tick(0);
    expect(shrinks).toEqual(['led']);
    await scheduler.tick(14_999);
    expect(shrinks).toEqual(['led']);
    await scheduler.tick(1);
    expect(shrinks).toEqual(['led', 'led']);
  });

  it('propagates ISR changes once none arrived for 5000 ms, all in one notification', async () => {
    tasks.recordIsrChange({ topic: 'a', partition: 0 });
    await scheduler.tick(2500);
    tasks.recordIsrChange({ topic: 'b', partition: 1 });
    tasks.recordIsrChange({ topic: 'a', partition: 0 });
    await scheduler.tick(5000);
    expect(written).toEqual([]);
    await scheduler.tick(2500);
    expect(written).toEqual([[{ topic: 'a', partition: 0 }, { topic: 'b', partition: 1 }]]);
    await scheduler.tick(10_000);
    expect(written).toHaveLength(1);
  });

  it('propagates anyway when the last propagation was over 60000 ms ago, even while changes keep arriving', async () => {
    for (let t = 0; t < 62_500; t += 2500) {
      tasks.recordIsrChange({ topic: 'busy', partition: t / 2500 });
      await scheduler.tick(2500);
    }
    expect(written).toHaveLength(1);
    expect(written[0]!.length).toBeGreaterThan(20);
  });

  it('keeps the changes when writing the notification fails and writes them at a later check', async () => {
    tasks.recordIsrChange({ topic: 'a', partition: 0 });
    fail = true;
    await scheduler.tick(7500);
    expect(written).toEqual([]);
    fail = false;
    await scheduler.tick(2500);
    expect(written).toEqual([[{ topic: 'a', partition: 0 }]]);
  });

  it('stops both tasks on cancel', async () => {
    tasks.cancel();
    tasks.recordIsrChange({ topic: 'a', partition: 0 });
    await scheduler.tick(120_000);
    expect(shrinks).toEqual([]);
    expect(written).toEqual([]);
  });
});
