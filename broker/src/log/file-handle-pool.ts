/**
 * A bounded pool of open file descriptors for segment and index files. Kafka keeps every segment's
 * channel and index mmaps open; with 10,000 partitions that is tens of thousands of descriptors.
 * Here every file access leases its descriptor from this pool: files are opened on first use,
 * kept in LRU order, the least recently used idle descriptor is closed when `maxOpen` would be
 * exceeded, and a Scheduler task closes descriptors idle for longer than `idleMs`. A descriptor
 * is never closed while leased; if every descriptor is leased the pool goes over `maxOpen`
 * briefly rather than fail an I/O.
 */
import * as fs from 'node:fs';
import type { Logger } from '../common/logger';
import type { ScheduledTask, Scheduler } from '../common/scheduler';
import { SYSTEM_TIME, type Time } from '../common/time';

export interface FileHandlePoolOptions {
  /** Soft cap on open descriptors (default 1024). */
  maxOpen?: number;
  /** Idle descriptors older than this are closed by the sweep task (default 60000 ms). */
  idleMs?: number;
  /** Runs the idle sweep every idleMs / 2; without one, only the LRU bound applies. */
  scheduler?: Scheduler;
  time?: Time;
  logger?: Logger;
}

export interface FileLease {
  readonly fd: number;
  release(): void;
}

/** A lease as a class, not a closure per acquire: this runs on every read and append. */
class Lease implements FileLease {
  readonly fd: number;
  private released = false;
  constructor(
    private readonly pool: FileHandlePool,
    private readonly entry: PoolEntry,
  ) {
    this.fd = entry.fd;
  }
  release(): void {
    if (this.released) return;
    this.released = true;
    this.pool.releaseEntry(this.entry);
  }
}

export interface PoolEntry {
  readonly path: string;
  readonly fd: number;
  refs: number;
  lastUsedMs: number;
  /** Used through fdForSyncUse since the last sweep (which then counts it as used at sweep time). */
  touched: boolean;
  /** Evicted while leased: close when the last lease is released. */
  doomed: boolean;
  onClosed: (() => void)[];
}

export class FileHandlePool {
  readonly maxOpen: number;
  readonly idleMs: number;
  private readonly time: Time;
  private readonly logger: Logger | undefined;
  /** Map iteration order is insertion order: re-inserting on use makes it an LRU list. */
  private readonly entries = new Map<string, PoolEntry>();
  /** The entry last moved to the end of `entries` (re-inserting it again would change nothing). */
  private mostRecent: PoolEntry | undefined;
  private readonly doomed = new Set<PoolEntry>();
  private sweepTask: ScheduledTask | undefined;
  private peak = 0;
  private closed = false;

  constructor(options: FileHandlePoolOptions = {}) {
    this.maxOpen = Math.max(1, options.maxOpen ?? 1024);
    this.idleMs = options.idleMs ?? 60_000;
    this.time = options.time ?? SYSTEM_TIME;
    this.logger = options.logger;
    if (options.scheduler && this.idleMs > 0) {
      const period = Math.max(1, Math.floor(this.idleMs / 2));
      this.sweepTask = options.scheduler.schedule('file-handle-pool-idle-sweep', () => { this.sweepIdle(); }, period, period);
    }
  }

  /** Descriptors currently open (including evicted ones still leased). */
  get openCount(): number {
    return this.entries.size + this.doomed.size;
  }

  /** Highest openCount since construction or the last resetPeak(). */
  get peakOpenCount(): number {
    return this.peak;
  }

  resetPeak(): void {
    this.peak = this.openCount;
  }

  isOpen(file: string): boolean {
    return this.entries.has(file);
  }

  /**
   * Leases the descriptor of `file`, opening it read-write if needed. `create` opens with 'w+'
   * (create or truncate); an already open descriptor of that path is truncated instead.
   */
  acquire(file: string, options?: { create?: boolean }): FileLease {
    if (this.closed) throw new Error(`file handle pool is closed (opening ${file})`);
    let entry = this.entries.get(file);
    if (entry) {
      if (entry !== this.mostRecent) {
        this.entries.delete(file);
        this.entries.set(file, entry);
      }
      if (options?.create) fs.ftruncateSync(entry.fd, 0);
    } else {
      this.makeRoom();
      const fd = fs.openSync(file, options?.create ? 'w+' : 'r+');
      entry = { path: file, fd, refs: 0, lastUsedMs: this.time.milliseconds(), touched: false, doomed: false, onClosed: [] };
      this.entries.set(file, entry);
      if (this.openCount > this.peak) this.peak = this.openCount;
    }
    this.mostRecent = entry;
    entry.refs++;
    return new Lease(this, entry);
  }

  /**
   * The descriptor of `file` for a use that ends before the caller yields (a synchronous write):
   * nothing can close it meanwhile, so no lease is taken and no clock is read (the append path
   * runs this once per append). The entry becomes most recently used; the idle sweep counts it
   * as used at the sweep's time.
   */
  fdForSyncUse(file: string): number {
    const entry = this.mostRecent;
    if (entry !== undefined && entry.path === file) {
      entry.touched = true;
      return entry.fd;
    }
    const lease = this.acquire(file);
    lease.release();
    this.mostRecent!.touched = true;
    return lease.fd;
  }

  /** Runs `fn` with the leased descriptor; the lease ends when the returned promise settles. */
  async use<T>(file: string, fn: (fd: number) => Promise<T> | T, options: { create?: boolean } = {}): Promise<T> {
    const lease = this.acquire(file, options);
    try {
      return await fn(lease.fd);
    } finally {
      lease.release();
    }
  }

  useSync<T>(file: string, fn: (fd: number) => T, options: { create?: boolean } = {}): T {
    const lease = this.acquire(file, options);
    try {
      return fn(lease.fd);
    } finally {
      lease.release();
    }
  }

  /**
   * Closes the descriptor of `file` (before a rename or delete), waiting for leases in progress.
   * A later acquire of the same path opens the file afresh.
   */
  evict(file: string): Promise<void> {
    const entry = this.entries.get(file);
    if (!entry) return Promise.resolve();
    this.entries.delete(file);
    if (entry.refs === 0) {
      this.closeEntry(entry);
      return Promise.resolve();
    }
    entry.doomed = true;
    if (this.mostRecent === entry) this.mostRecent = undefined;
    this.doomed.add(entry);
    return new Promise((resolve) => entry.onClosed.push(resolve));
  }

  /** Evicts every descriptor of a file inside `dir` (directory rename or delete). */
  async evictDir(dir: string): Promise<void> {
    const prefix = dir.endsWith('/') ? dir : `${dir}/`;
    await Promise.all([...this.entries.keys()].filter((p) => p.startsWith(prefix)).map((p) => this.evict(p)));
  }

  /** Closes descriptors idle for at least idleMs; returns how many were closed. */
  sweepIdle(): number {
    const cutoff = this.time.milliseconds() - this.idleMs;
    let closed = 0;
    for (const entry of [...this.entries.values()]) {
      if (entry.touched) {
        entry.touched = false;
        entry.lastUsedMs = cutoff + this.idleMs;
      } else if (entry.refs === 0 && entry.lastUsedMs <= cutoff) {
        this.entries.delete(entry.path);
        this.closeEntry(entry);
        closed++;
      }
    }
    return closed;
  }

  /** Cancels the sweep and closes every idle descriptor; leased ones close on release. */
  async close(): Promise<void> {
    this.sweepTask?.cancel();
    this.sweepTask = undefined;
    await Promise.all([...this.entries.keys()].map((p) => this.evict(p)));
    this.closed = true;
  }

  /** @internal Called by a lease, once. */
  releaseEntry(entry: PoolEntry): void {
    entry.refs--;
    entry.lastUsedMs = this.time.milliseconds();
    if (entry.refs === 0 && entry.doomed) {
      this.doomed.delete(entry);
      this.closeEntry(entry);
    }
  }

  /** Closes least recently used idle descriptors until one more fits under maxOpen. */
  private makeRoom(): void {
    if (this.openCount < this.maxOpen) return;
    for (const entry of this.entries.values()) {
      if (this.openCount < this.maxOpen) return;
      if (entry.refs === 0) {
        this.entries.delete(entry.path);
        this.closeEntry(entry);
      }
    }
    if (this.openCount >= this.maxOpen) {
      this.logger?.debug({ open: this.openCount, maxOpen: this.maxOpen }, 'every pooled file descriptor is in use; opening one more');
    }
  }

  private closeEntry(entry: PoolEntry): void {
    if (this.mostRecent === entry) this.mostRecent = undefined;
    try {
      fs.closeSync(entry.fd);
    } catch (err) {
      this.logger?.warn({ err, file: entry.path }, 'closing a pooled file descriptor failed');
    }
    for (const done of entry.onClosed.splice(0)) done();
  }
}
