/**
 * Positional file I/O for segments and indexes, with one deliberate sync/async policy.
 *
 * Measured on the project's machine kind (2 vCPU, Node 20, page cache): every async fs call pays
 * a ~25-50 µs thread-pool round trip, so at 16 KiB a sync pwrite runs at ~1-1.8 GB/s against
 * ~0.3-0.45 GB/s async, and a 16 KiB sync pread at ~1.1-3 GB/s against ~0.4 GB/s async. Into a
 * fresh buffer a 1 MiB async read won (its page faults and copy ran off the event loop); into the
 * reused buffers large reads now get (log/read-buffer-pool) a sync 1 MiB pread is a ~0.2 ms copy:
 * bench:log sequential Log.read 5.4-6.5 GB/s sync against 3.8-4.1 async, and with three brokers
 * on two cores under acks=all (1 KiB records) 8-19% more records/s and 5-15% more per broker-CPU
 * second, the follower fetches' reads no longer crossing the thread pool. So transfers up to
 * SYNC_IO_MAX_BYTES (2 MiB, past a 1 MiB fetch) run synchronously, as Kafka's network threads
 * sendfile from the page cache; larger ones go through the thread pool. fsync is always async: it
 * waits for the disk. (A sync read that misses the page cache blocks the loop for one disk read,
 * as a Kafka network thread blocks in sendfile.)
 */
import * as fs from 'node:fs';
import { READ_BUFFERS } from './read-buffer-pool';

export const SYNC_IO_MAX_BYTES = 2 * 1024 * 1024;

/**
 * Appends are written synchronously up to 2 MiB, as reads are: a produce or follower
 * append is one pwrite into the page cache (about 0.4 ms per MiB here), as Kafka's request handler
 * writes it, and the thread pool round trip costs CPU the broker is short of. Measured with three
 * brokers on two cores under acks=all (1 KiB records, ~1 MiB appends): 82-83k records per broker-CPU
 * second against 65-75k with the thread pool (sync up to 256 KiB). In the log bench 1 MiB appends
 * reached 78% of the plain writeSync limit, and 87% once their CRC-32C moved to the thread pool
 * (log-validator's ASYNC_CRC_MIN_BYTES), beside this write. Larger appends go through the thread pool.
 */
export const SYNC_APPEND_MAX_BYTES = 2 * 1024 * 1024;

function readOnce(fd: number, buf: Buffer, offset: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.read(fd, buf, offset, length, position, (err, n) => (err ? reject(err) : resolve(n)));
  });
}

function writeOnce(fd: number, buf: Buffer, offset: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.write(fd, buf, offset, length, position, (err, n) => (err ? reject(err) : resolve(n)));
  });
}

/** Reads up to `length` bytes at `position` into buf[offset..]; fewer only at end of file. */
export async function readAt(fd: number, buf: Buffer, offset: number, length: number, position: number): Promise<number> {
  let done = 0;
  if (length <= SYNC_IO_MAX_BYTES) {
    while (done < length) {
      const n = fs.readSync(fd, buf, offset + done, length - done, position + done);
      if (n === 0) break;
      done += n;
    }
    return done;
  }
  while (done < length) {
    const n = await readOnce(fd, buf, offset + done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/**
 * Reads `length` bytes at `position` into a new buffer (from READ_BUFFERS when large: release it
 * there once nothing holds it); the result is shorter at end of file.
 */
export async function readBytes(fd: number, position: number, length: number): Promise<Buffer> {
  const buf = READ_BUFFERS.acquire(length);
  const n = await readAt(fd, buf, 0, length, position);
  return n === length ? buf : buf.subarray(0, n);
}

// Read once: through the module namespace, each use would be a getter call in CommonJS (per append).
const fsWriteSync = fs.writeSync;

/** Writes all of buf[offset, offset + length) at `position`, synchronously. */
export function writeAtSync(fd: number, buf: Buffer, position: number, offset = 0, length = buf.length - offset): void {
  let done = 0;
  while (done < length) done += fsWriteSync(fd, buf, offset + done, length - done, position + done);
}

/** Writes all of `buf` at `position`: synchronously when small, through the thread pool when large. */
export async function writeAt(fd: number, buf: Buffer, position: number): Promise<void> {
  const length = buf.length;
  if (length <= SYNC_IO_MAX_BYTES) {
    writeAtSync(fd, buf, position);
    return;
  }
  let done = 0;
  while (done < length) done += await writeOnce(fd, buf, done, length - done, position + done);
}

export function fsyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())));
}

/** Kafka's int64 fields as JS numbers: exact for every offset and timestamp below 2^53. */
export function readInt64(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * 4294967296 + buf.readUInt32BE(pos + 4);
}

export function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as NodeJS.ErrnoException).code === 'ENOENT';
}

export async function deleteIfExists(file: string): Promise<boolean> {
  try {
    await fs.promises.unlink(file);
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

export async function exists(file: string): Promise<boolean> {
  try {
    await fs.promises.access(file);
    return true;
  } catch {
    return false;
  }
}
