import { MockScheduler, TimerScheduler } from './scheduler';
import { MockTime } from './time';

describe('MockScheduler', () => {
  it('runs a one-shot task when its delay has passed, once', async () => {
    const s = new MockScheduler(new MockTime());
    const runs: number[] = [];
    s.schedule('once', () => { runs.push(s.time.milliseconds()); }, 100);
    await s.tick(99);
    expect(runs).toEqual([]);
    await s.tick(1);
    await s.tick(1000);
    expect(runs).toEqual([1_600_000_000_100]);
  });

  it('runs a periodic task at each period within one long tick', async () => {
    const s = new MockScheduler(new MockTime(0));
    const runs: number[] = [];
    s.schedule('periodic', () => { runs.push(s.time.milliseconds()); }, 10, 50);
    await s.tick(200);
    expect(runs).toEqual([10, 60, 110, 160]);
  });

  it('does not run a cancelled task', async () => {
    const s = new MockScheduler(new MockTime(0));
    let ran = false;
    s.schedule('x', () => { ran = true; }, 10).cancel();
    await s.tick(100);
    expect(ran).toBe(false);
  });
});

describe('TimerScheduler', () => {
  it('runs periodic tasks, reports failures without stopping the schedule, and stops on shutdown', async () => {
    const errors: string[] = [];
    const s = new TimerScheduler((name) => errors.push(name));
    let runs = 0;
    s.schedule('flaky', () => {
      runs++;
      if (runs === 1) throw new Error('boom');
    }, 0, 5);
    await new Promise((r) => setTimeout(r, 60));
    await s.shutdown();
    const after = runs;
    await new Promise((r) => setTimeout(r, 30));
    expect(errors).toEqual(['flaky']);
    expect(runs).toBeGreaterThan(2);
    expect(runs).toBe(after);
  });
});
