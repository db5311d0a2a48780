import { TopicPurgatory } from './topic-purgatory';

function metadata() {
  const listeners = new Set<() => void>();
  return {
    listeners,
    onUpdate(l: () => void) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    publish() {
      for (const l of [...listeners]) l();
    },
  };
}

describe('TopicPurgatory (DelayedCreatePartitions / DelayedDeleteTopics waits)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('completes on the metadata update that makes the condition true, and unsubscribes', async () => {
    const md = metadata();
    const purgatory = new TopicPurgatory(md);
    let ready = false;
    const done = purgatory.waitUntil(() => ready, 30_000);
    expect(purgatory.numDelayed).toBe(1);
    md.publish();
    expect(purgatory.numDelayed).toBe(1);
    ready = true;
    md.publish();
    await expect(done).resolves.toBe(true);
    expect(md.listeners.size).toBe(0);
  });

  test('times out with the condition re-checked once, clearing its timer; shutdown completes waiters', async () => {
    const md = metadata();
    const purgatory = new TopicPurgatory(md);
    const timedOut = purgatory.waitUntil(() => false, 1000);
    jest.advanceTimersByTime(1000);
    await expect(timedOut).resolves.toBe(false);
    const pending = purgatory.waitUntil(() => false, 60_000);
    purgatory.shutdown();
    await expect(pending).resolves.toBe(false);
    expect(jest.getTimerCount()).toBe(0);
  });

  test('an already-true condition resolves without waiting', async () => {
    const purgatory = new TopicPurgatory(metadata());
    await expect(purgatory.waitUntil(() => true, 10)).resolves.toBe(true);
    expect(purgatory.numDelayed).toBe(0);
  });
});
