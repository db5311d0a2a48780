import * as fs from 'node:fs';
import * as path from 'node:path';
import { MockScheduler } from '../common/scheduler';
import { MockTime } from '../common/time';
import { FileHandlePool } from './file-handle-pool';
import { makeTempDir, removeDir } from './testing/log-test-utils';

function openFds(): number {
  return fs.readdirSync('/proc/self/fd').length;
}

describe('FileHandlePool', () => {
  let dir: string;
  const files: string[] = [];
  beforeAll(async () => {
    dir = await makeTempDir();
    for (let i = 0; i < 20; i++) {
      const f = path.join(dir, `f${i}`);
      fs.writeFileSync(f, `file ${i}`);
      files.push(f);
    }
  });
  afterAll(async () => {
    await removeDir(dir);
  });

  it('never keeps more than maxOpen idle descriptors, closing the least recently used', async () => {
    const pool = new FileHandlePool({ maxOpen: 4 });
    const before = openFds();
    for (const f of files) pool.useSync(f, () => undefined);
    expect(pool.openCount).toBe(4);
    expect(pool.peakOpenCount).toBe(4);
    expect(openFds() - before).toBe(4);
    expect(files.slice(16).every((f) => pool.isOpen(f))).toBe(true);
    // Using an open file makes it most recent: it survives the next eviction.
    pool.useSync(files[16]!, () => undefined);
    pool.useSync(files[0]!, () => undefined);
    expect(pool.isOpen(files[16]!)).toBe(true);
    expect(pool.isOpen(files[17]!)).toBe(false);
    await pool.close();
    expect(openFds()).toBe(before);
  });

  it('never closes a leased descriptor, going over the limit briefly instead', async () => {
    const pool = new FileHandlePool({ maxOpen: 2 });
    const a = pool.acquire(files[0]!);
    const b = pool.acquire(files[1]!);
    const c = pool.acquire(files[2]!);
    expect(pool.openCount).toBe(3);
    const buf = Buffer.alloc(6);
    fs.readSync(a.fd, buf, 0, 6, 0);
    expect(buf.toString()).toBe('file 0');
    a.release();
    b.release();
    c.release();
    pool.useSync(files[3]!, () => undefined);
    expect(pool.openCount).toBe(2);
    await pool.close();
  });

  it('closes descriptors idle longer than idleMs from a scheduled sweep', async () => {
    const time = new MockTime(0);
    const scheduler = new MockScheduler(time);
    const pool = new FileHandlePool({ maxOpen: 10, idleMs: 1000, scheduler, time });
    pool.useSync(files[0]!, () => undefined);
    await scheduler.tick(600);
    pool.useSync(files[1]!, () => undefined);
    await scheduler.tick(600);
    expect(pool.isOpen(files[0]!)).toBe(false);
    expect(pool.isOpen(files[1]!)).toBe(true);
    await scheduler.tick(1000);
    expect(pool.openCount).toBe(0);
    await pool.close();
  });

  it('fdForSyncUse (the append path, no lease, no clock read) keeps a used descriptor open and one idle for idleMs closes', async () => {
    const time = new MockTime(0);
    const scheduler = new MockScheduler(time);
    const pool = new FileHandlePool({ maxOpen: 10, idleMs: 1000, scheduler, time });
    const fd = pool.fdForSyncUse(files[0]!);
    expect(pool.fdForSyncUse(files[0]!)).toBe(fd);
    for (let i = 0; i < 4; i++) {
      await scheduler.tick(600);
      expect(pool.fdForSyncUse(files[0]!)).toBe(fd); // used between sweeps: never idle
    }
    expect(pool.isOpen(files[0]!)).toBe(true);
    await scheduler.tick(1600); // unused: counted as used at the first sweep after its last use, closed one idleMs later
    expect(pool.isOpen(files[0]!)).toBe(false);
    // Evicted (e.g. renamed) in between: the next use opens the file afresh, never a stale descriptor.
    pool.fdForSyncUse(files[1]!);
    await pool.evict(files[1]!);
    const reopened = pool.fdForSyncUse(files[1]!);
    const buf = Buffer.alloc(6);
    fs.readSync(reopened, buf, 0, 6, 0);
    expect(buf.toString()).toBe('file 1');
    await pool.close();
    expect(() => pool.fdForSyncUse(files[1]!)).toThrow(/closed/);
  });

  it('evicts a leased descriptor only when its lease ends', async () => {
    const pool = new FileHandlePool({ maxOpen: 10 });
    const lease = pool.acquire(files[0]!);
    let closed = false;
    const evicted = pool.evict(files[0]!).then(() => { closed = true; });
    await Promise.resolve();
    expect(closed).toBe(false);
    expect(pool.openCount).toBe(1);
    lease.release();
    await evicted;
    expect(closed).toBe(true);
    expect(pool.openCount).toBe(0);
    await pool.close();
  });
});
