/**
 * Shared machinery of Kafka's sparse indexes (AbstractIndex). Kafka memory-maps the index file,
 * so an appended entry costs no system call and reaches the file when the page cache does. Node
 * has no mmap: the entries live in a Buffer (grown by doubling as entries arrive, never the whole
 * preallocation), and entries appended since the last write-out are written to the file together,
 * in one positional write, by writePending(): on flush (before the fsync that lets the recovery
 * point move past them), resize/trim (roll), close, rename and unload, and whenever
 * MAX_PENDING_ENTRIES have gathered. Entries not yet written
 * when the process dies belong to segments after the recovery point, whose indexes recovery
 * rebuilds from the .log anyway (as Kafka's do, whatever an mmap'd index held). The file itself
 * looks exactly like Kafka's: preallocated to segment.index.bytes (rounded down to whole entries)
 * while the segment is active, trimmed to the real entries when the segment is rolled or closed.
 *
 * Indexes of inactive segments are loaded lazily (see LogSegment) and can be unloaded again, so
 * memory follows what is being read, not how much data the log holds.
 */
import * as fs from 'node:fs';
import type { FileHandlePool } from './file-handle-pool';
import { fsyncFd, isNotFound, readAt, writeAtSync } from './file-io';

/** Kafka's CorruptIndexException: the index must be deleted and rebuilt from the log. */
export class CorruptIndexError extends Error {
  override readonly name = 'CorruptIndexError';
}

/** Kafka's InvalidOffsetException: an entry out of order was offered to an index. */
export class InvalidOffsetError extends Error {
  override readonly name = 'InvalidOffsetError';
}

const INITIAL_CAPACITY_ENTRIES = 64;
/**
 * Pending entries are also written out once this many have gathered, so the file of an active
 * segment that is never flushed lags its index by a bounded amount (a reader of the file, e.g.
 * a dump tool, sees what an mmap'd index showed ~1 MiB of log earlier at the default 4 KiB
 * interval) at 1/256 of a write per entry (with 16 KiB appends, one entry per append: 64
 * measured ~60 ns per append in the write-outs and their descriptor switches).
 */
export const MAX_PENDING_ENTRIES = 256;
const INT32_MAX = 2147483647;

export interface IndexOptions {
  file: string;
  baseOffset: number;
  /** segment.index.bytes: the preallocated file size. */
  maxIndexSize: number;
  pool: FileHandlePool;
}

export abstract class AbstractIndex {
  /** Current path (changes on rename to .deleted / .swap). */
  file: string;
  readonly baseOffset: number;
  maxIndexSize: number;
  protected readonly pool: FileHandlePool;
  /** Entries in memory; null while unloaded. Capacity may exceed the entries in use. */
  protected buf: Buffer | null = null;
  protected entryCount = 0;
  /** Entries [0, writtenCount) are in the file; [writtenCount, entryCount) only in memory. */
  private writtenCount = 0;
  private maxEntryCount = 0;
  /** Length of the file on disk. */
  private fileLength = 0;

  constructor(options: IndexOptions) {
    this.file = options.file;
    this.baseOffset = options.baseOffset;
    this.maxIndexSize = options.maxIndexSize;
    this.pool = options.pool;
  }

  abstract get entrySize(): number;
  /** Throws CorruptIndexError when the loaded entries cannot be a valid index. */
  abstract sanityCheck(): void;
  /** Removes every entry for an offset >= `offset`. */
  abstract truncateTo(offset: number): void;

  get entries(): number {
    return this.entryCount;
  }
  get maxEntries(): number {
    return this.maxEntryCount;
  }
  get isLoaded(): boolean {
    return this.buf !== null;
  }
  /** Bytes of the file on disk (preallocated size while active). */
  get sizeOnDisk(): number {
    return this.fileLength;
  }
  /** Bytes of memory held for the entries. */
  get memoryBytes(): number {
    return this.buf?.length ?? 0;
  }
  get isFull(): boolean {
    return this.entryCount >= this.maxEntryCount;
  }

  /** Creates (or truncates) the file and preallocates it to maxIndexSize. */
  create(): void {
    const length = roundDown(this.maxIndexSize, this.entrySize);
    this.pool.useSync(this.file, (fd) => fs.ftruncateSync(fd, length), { create: true });
    this.fileLength = length;
    this.maxEntryCount = length / this.entrySize;
    this.entryCount = 0;
    this.writtenCount = 0;
    this.buf = Buffer.allocUnsafe(Math.min(length, INITIAL_CAPACITY_ENTRIES * this.entrySize));
  }

  /**
   * Reads an existing file. As in Kafka the entry count comes from the file length (a file left
   * preallocated by an unclean stop therefore looks full of zero entries, which sanityCheck
   * rejects); the index counts as full until resize() gives it room.
   */
  async load(): Promise<void> {
    await this.pool.use(this.file, async (fd) => {
      const length = fs.fstatSync(fd).size;
      const buf = Buffer.allocUnsafe(length);
      const n = await readAt(fd, buf, 0, length, 0);
      if (n !== length) throw new CorruptIndexError(`index file ${this.file} shrank while being read`);
      this.fileLength = length;
      this.buf = buf;
    });
    this.entryCount = Math.floor(this.fileLength / this.entrySize);
    this.writtenCount = this.entryCount;
    this.maxEntryCount = this.entryCount;
    if (this.fileLength % this.entrySize !== 0) {
      throw new CorruptIndexError(
        `Index file ${this.file} is corrupt, found ${this.fileLength} bytes which is neither positive nor a multiple of ${this.entrySize}.`,
      );
    }
    this.sanityCheck();
  }

  /** Entries appended but not yet written to the file. */
  get pendingEntries(): number {
    return this.entryCount - this.writtenCount;
  }

  /** Writes the entries appended since the last write-out to their slots, in one positional write. */
  writePending(): void {
    const from = this.writtenCount;
    const to = this.entryCount;
    if (to <= from || this.buf === null) return;
    const size = this.entrySize;
    this.pool.useSync(this.file, (fd) => writeAtSync(fd, this.buf!, from * size, from * size, (to - from) * size));
    this.writtenCount = to;
  }

  /** Drops the in-memory entries (written to the file first); load() brings them back. */
  unload(): void {
    this.writePending();
    this.buf = null;
  }

  /**
   * Kafka's resize: sets the file length to `newSize` rounded down to whole entries, which is
   * how the active segment's index is preallocated and how a rolled one is trimmed.
   */
  resize(newSize: number): boolean {
    this.writePending();
    const length = roundDown(newSize, this.entrySize);
    if (length === this.fileLength) return false;
    this.pool.useSync(this.file, (fd) => fs.ftruncateSync(fd, length));
    this.fileLength = length;
    this.maxEntryCount = length / this.entrySize;
    return true;
  }

  /** Trims the file to the entries written (on roll and close). */
  trimToValidSize(): void {
    this.resize(this.entryCount * this.entrySize);
  }

  /** Removes all entries and preallocates again (recovery rebuilds the index from scratch). */
  reset(): void {
    this.entryCount = 0;
    this.writtenCount = 0;
    // Truncating to 0 first zeroes stale entries so a crash mid-rebuild cannot resurrect them.
    this.pool.useSync(this.file, (fd) => fs.ftruncateSync(fd, 0), { create: true });
    this.fileLength = 0;
    this.resize(this.maxIndexSize);
    this.buf = Buffer.allocUnsafe(Math.min(this.fileLength, INITIAL_CAPACITY_ENTRIES * this.entrySize));
  }

  /** Writes pending entries, then fsyncs: what a flush covers must be in the file first. */
  async flush(): Promise<void> {
    this.writePending();
    await this.pool.use(this.file, (fd) => fsyncFd(fd));
  }

  /** Trims and releases the descriptor. */
  async close(): Promise<void> {
    this.writePending();
    if (this.fileLength !== this.entryCount * this.entrySize && this.buf !== null) this.trimToValidSize();
    await this.pool.evict(this.file);
  }

  async renameTo(newFile: string): Promise<void> {
    this.writePending();
    await this.pool.evict(this.file);
    try {
      await fs.promises.rename(this.file, newFile);
    } catch (err) {
      // An index that was never written (or already removed) is rebuilt on demand.
      if (!isNotFound(err)) throw err;
    }
    this.file = newFile;
  }

  async deleteIfExists(): Promise<boolean> {
    await this.pool.evict(this.file);
    this.buf = null;
    this.writtenCount = this.entryCount; // the file is going: nothing left to write
    try {
      await fs.promises.unlink(this.file);
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /** Whether `offset` fits the int32 relative offset of this index (else the segment must roll). */
  canAppendOffset(offset: number): boolean {
    const relative = offset - this.baseOffset;
    return relative >= 0 && relative <= INT32_MAX;
  }

  protected relativeOffsetOrThrow(offset: number): number {
    if (!this.canAppendOffset(offset)) {
      throw new InvalidOffsetError(`Integer overflow for offset: ${offset} (${this.file})`);
    }
    return offset - this.baseOffset;
  }

  protected loaded(): Buffer {
    if (this.buf === null) throw new Error(`index ${this.file} is not loaded`);
    return this.buf;
  }

  /**
   * Appending is two steps so no closure is made per entry: slotForAppend() returns where the
   * subclass writes the entry in the in-memory buffer (`this.buf`), and commitAppend() counts it;
   * the bytes reach the file with the next writePending().
   */
  protected slotForAppend(): number {
    const size = this.entrySize;
    const pos = this.entryCount * size;
    const buf = this.loaded();
    if (pos + size > buf.length) {
      const grown = Buffer.allocUnsafe(Math.min(Math.max(buf.length * 2, pos + size), Math.max(this.maxEntryCount * size, pos + size)));
      buf.copy(grown, 0, 0, pos);
      this.buf = grown;
    }
    return pos;
  }

  protected commitAppend(): void {
    if (++this.entryCount - this.writtenCount >= MAX_PENDING_ENTRIES) this.writePending();
  }

  /**
   * Removes the entries for offsets >= `offset` (Kafka's truncateTo); `relativeOffsetAt` reads an
   * entry's relative offset, which sits at a different place in each index's entries.
   */
  protected truncateToOffset(offset: number, relativeOffsetAt: (buf: Buffer, slot: number) => number): void {
    const relative = offset - this.baseOffset;
    const slot = this.largestLowerBoundSlot(relative, relativeOffsetAt);
    // Keep entries strictly below `offset`: an exact match is removed too.
    const keep = slot < 0 ? 0 : relativeOffsetAt(this.loaded(), slot) === relative ? slot : slot + 1;
    this.truncateToEntries(keep);
  }

  protected truncateToEntries(entries: number): void {
    this.entryCount = Math.max(0, Math.min(entries, this.entryCount));
    // Removed entries already in the file stay there past the count, as before (the slots are
    // reused by the next appends); removed pending ones are simply never written.
    this.writtenCount = Math.min(this.writtenCount, this.entryCount);
  }

  /**
   * Kafka's largestLowerBoundSlotFor: the last slot whose key is <= target, or -1 when the
   * first entry is already larger.
   */
  protected largestLowerBoundSlot(target: number, keyAt: (buf: Buffer, slot: number) => number): number {
    const buf = this.loaded();
    const n = this.entryCount;
    if (n === 0 || keyAt(buf, 0) > target) return -1;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (keyAt(buf, mid) <= target) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Kafka's smallestUpperBoundSlotFor: the first slot whose key is >= target, or -1. */
  protected smallestUpperBoundSlot(target: number, keyAt: (buf: Buffer, slot: number) => number): number {
    const buf = this.loaded();
    const n = this.entryCount;
    if (n === 0 || keyAt(buf, n - 1) < target) return -1;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (keyAt(buf, mid) >= target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

export function roundDown(value: number, factor: number): number {
  return factor * Math.floor(value / factor);
}

/**
 * Big-endian int32 (or uint32) at `pos`, written byte by byte: Buffer.writeInt32BE's argument
 * checks cost more than the write, and this runs several times per append. The caller keeps
 * `pos + 4 <= buf.length`.
 */
export function writeInt32(buf: Buffer, pos: number, value: number): void {
  buf[pos] = value >>> 24;
  buf[pos + 1] = value >>> 16;
  buf[pos + 2] = value >>> 8;
  buf[pos + 3] = value;
}

/** Big-endian int32 at `pos`, read byte by byte for the same reason; the caller keeps `pos + 4 <= buf.length`. */
export function readInt32(buf: Buffer, pos: number): number {
  return (buf[pos]! << 24) | (buf[pos + 1]! << 16) | (buf[pos + 2]! << 8) | buf[pos + 3]!;
}

/** Big-endian int64 at `pos` as a number (exact below 2^53); the caller keeps `pos + 8 <= buf.length`. */
export function readInt64(buf: Buffer, pos: number): number {
  return readInt32(buf, pos) * 4294967296 + (readInt32(buf, pos + 4) >>> 0);
}

/** Big-endian int64 at `pos` from a safe integer (offsets, timestamps). */
export function writeInt64(buf: Buffer, pos: number, value: number): void {
  writeInt32(buf, pos, Math.floor(value / 4294967296));
  writeInt32(buf, pos + 4, value >>> 0);
}
