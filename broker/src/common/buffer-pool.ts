/**
 * Large buffers reused once their holder is done with them. A broker has three pools: its log
 * reads (a fetch's record set, given back by the socket server once the response is written), its
 * socket server's request frames (a Produce gives its frame back once the records are appended)
 * and its replica fetchers' Fetch responses (given back once their records are appended).
 *
 * A fresh large buffer costs a malloc that the kernel must fault in page by page while a read
 * copies into it, and external memory that the garbage collector must sweep: in the log bench's
 * 1 GiB sequential read, collection took half the busy time and fresh-buffer reads ran at about
 * 2 GB/s against 5 GB/s into one reused buffer.
 *
 * Releasing is optional and safe to forget: a buffer never released is collected as any other. A
 * leased buffer is tracked weakly, so only a buffer handed out by this pool and not yet released
 * comes back, once; anything else passed to `release` is ignored. The one rule for callers: release
 * a buffer only when nothing else holds a view of it.
 */

export const MIN_POOLED_BYTES = 64 * 1024;
/** Idle buffers kept, in bytes; more released than this are left to the collector. */
export const DEFAULT_MAX_IDLE_BYTES = 32 * 1024 * 1024;
/** Larger buffers (rare: a batch or a response over 16 MiB) are always allocated on their own. */
export const MAX_POOLED_BYTES = 16 * 1024 * 1024;

export interface BufferPoolStats {
  /** Buffers handed out by acquire that came from the pool. */
  reused: number;
  /** Pooled-size buffers allocated because none of their class was idle. */
  allocated: number;
  /** Bytes of idle buffers held now. */
  idleBytes: number;
}

/** Capacity class of a length: the next power of two from MIN_POOLED_BYTES. */
function classOf(length: number): number {
  let size = MIN_POOLED_BYTES;
  while (size < length) size *= 2;
  return size;
}

export class BufferPool {
  /** Idle buffers by capacity. */
  private readonly idle = new Map<number, Buffer[]>();
  /** Backing stores handed out and not yet released, with the whole buffer over each. */
  private readonly leased = new WeakMap<ArrayBufferLike, Buffer>();
  private idleBytes = 0;
  private reused = 0;
  private allocated = 0;

  constructor(private readonly maxIdleBytes = DEFAULT_MAX_IDLE_BYTES) {}

  /** A buffer of exactly `length` bytes (uninitialized), pooled when large enough. */
  acquire(length: number): Buffer {
    if (length < MIN_POOLED_BYTES || length > MAX_POOLED_BYTES) return Buffer.allocUnsafe(length);
    const capacity = classOf(length);
    let whole = this.idle.get(capacity)?.pop();
    if (whole === undefined) {
      // allocUnsafeSlow: a store of its own, never a slice of Node's shared 8 KiB pool.
      whole = Buffer.allocUnsafeSlow(capacity);
      this.allocated++;
    } else {
      this.idleBytes -= capacity;
      this.reused++;
    }
    this.leased.set(whole.buffer, whole);
    return whole.subarray(0, length);
  }

  /**
   * Gives back the buffer `view` lies in, if this pool leased it and it was not released yet.
   * True when it was taken back (or dropped for being over the idle limit).
   */
  release(view: Buffer): boolean {
    const whole = this.leased.get(view.buffer);
    if (whole === undefined) return false;
    this.leased.delete(view.buffer);
    if (this.idleBytes + whole.length > this.maxIdleBytes) return true;
    let list = this.idle.get(whole.length);
    if (list === undefined) {
      list = [];
      this.idle.set(whole.length, list);
    }
    list.push(whole);
    this.idleBytes += whole.length;
    return true;
  }

  stats(): BufferPoolStats {
    return { reused: this.reused, allocated: this.allocated, idleBytes: this.idleBytes };
  }
}
