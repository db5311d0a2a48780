import { BufferPool, MAX_POOLED_BYTES, MIN_POOLED_BYTES } from './buffer-pool';

const KiB = 1024;

describe('BufferPool (large reads reuse buffers their holder released)', () => {
  it('hands a released buffer to the next read of its size class, as a view of exactly the asked length', () => {
    const pool = new BufferPool();
    const first = pool.acquire(1000 * KiB);
    expect(first.length).toBe(1000 * KiB);
    expect(pool.release(first.subarray(10, 20))).toBe(true); // any view of it gives it back
    const second = pool.acquire(600 * KiB);
    expect(second.buffer).toBe(first.buffer);
    expect(second.length).toBe(600 * KiB);
    expect(pool.stats()).toMatchObject({ reused: 1, allocated: 1, idleBytes: 0 });
  });

  it('never hands out a buffer that is still leased, nor one twice after a double release', () => {
    const pool = new BufferPool();
    const a = pool.acquire(MIN_POOLED_BYTES);
    const b = pool.acquire(MIN_POOLED_BYTES);
    expect(b.buffer).not.toBe(a.buffer);
    expect(pool.release(a)).toBe(true);
    expect(pool.release(a)).toBe(false); // a second release is ignored
    const c = pool.acquire(MIN_POOLED_BYTES);
    const d = pool.acquire(MIN_POOLED_BYTES);
    expect(c.buffer).toBe(a.buffer);
    expect(d.buffer).not.toBe(a.buffer);
    expect(d.buffer).not.toBe(b.buffer);
  });

  it('keeps size classes apart: a small buffer is never handed to a larger read', () => {
    const pool = new BufferPool();
    const small = pool.acquire(100 * KiB); // class 128 KiB
    pool.release(small);
    const large = pool.acquire(200 * KiB); // class 256 KiB
    expect(large.buffer).not.toBe(small.buffer);
    expect(large.buffer.byteLength).toBe(256 * KiB);
    expect(pool.acquire(128 * KiB).buffer).toBe(small.buffer);
  });

  it('leaves small and huge reads to plain allocation and ignores buffers it did not lease', () => {
    const pool = new BufferPool();
    const small = pool.acquire(MIN_POOLED_BYTES - 1);
    const huge = pool.acquire(MAX_POOLED_BYTES + 1);
    expect(pool.release(small)).toBe(false);
    expect(pool.release(huge)).toBe(false);
    expect(pool.release(Buffer.allocUnsafeSlow(MIN_POOLED_BYTES))).toBe(false);
    expect(pool.stats()).toMatchObject({ reused: 0, allocated: 0, idleBytes: 0 });
  });

  it('keeps at most maxIdleBytes of idle buffers; the rest are left to the collector', () => {
    const pool = new BufferPool(3 * MIN_POOLED_BYTES);
    const held = [1, 2, 3, 4].map(() => pool.acquire(MIN_POOLED_BYTES));
    for (const b of held) expect(pool.release(b)).toBe(true);
    expect(pool.stats().idleBytes).toBe(3 * MIN_POOLED_BYTES);
    const again = [1, 2, 3, 4].map(() => pool.acquire(MIN_POOLED_BYTES));
    expect(pool.stats()).toMatchObject({ reused: 3, allocated: 5, idleBytes: 0 });
    expect(new Set(again.map((b) => b.buffer)).size).toBe(4);
  });
});
