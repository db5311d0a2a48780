import { createLogger } from '../common/logger';
import { ControllerEventManager } from './event-manager';

describe('ControllerEventManager', () => {
  test('processes events one at a time in the order they were put, continuing after a failure', async () => {
    const m = new ControllerEventManager(createLogger('test'));
    const log: string[] = [];
    let concurrent = 0;
    let maxConcurrent = 0;
    const ev = (name: string, fail = false) => ({
      name,
      process: async () => {
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        await new Promise((r) => setTimeout(r, 5));
        log.push(name);
        concurrent--;
        if (fail) throw new Error('boom');
      },
    });
    m.put(ev('a'));
    m.put(ev('b', true));
    m.put(ev('c'));
    await m.idle();
    expect(log).toEqual(['a', 'b', 'c']);
    expect(maxConcurrent).toBe(1);
  });

  test('clearAndPut drops queued events; close() refuses new ones', async () => {
    const m = new ControllerEventManager(createLogger('test'));
    const log: string[] = [];
    const ev = (name: string) => ({ name, process: async () => { await new Promise((r) => setTimeout(r, 5)); log.push(name); } });
    m.put(ev('running'));
    m.put(ev('dropped'));
    m.clearAndPut(ev('expire'));
    await m.idle();
    expect(log).toEqual(['running', 'expire']);
    await m.close();
    m.put(ev('late'));
    await m.idle();
    expect(log).toEqual(['running', 'expire']);
  });
});

test('an event put at any point while the queue is draining is still processed', async () => {
  // Whatever number of microtask hops separates the caller from the drain loop's end, no event may be stranded.
  for (let hops = 0; hops < 12; hops++) {
    const m = new ControllerEventManager(createLogger('test'));
    const log: string[] = [];
    await new Promise<void>((resolve) => m.put({ name: 'first', process: async () => { log.push('first'); resolve(); } }));
    for (let i = 0; i < hops; i++) await Promise.resolve();
    m.put({ name: 'second', process: async () => { log.push('second'); } });
    await new Promise((r) => setTimeout(r, 5));
    expect({ hops, log }).toEqual({ hops, log: ['first', 'second'] });
  }
});
