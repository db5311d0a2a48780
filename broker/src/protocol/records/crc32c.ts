/**
 * CRC-32C (Castagnoli), the checksum of RecordBatch v2, checked on every leader append and on
 * recovery, so its speed is a fixed share of every append. Two implementations, same results:
 * - Samsa's own addon (native/crc32c, built at `npm ci`): the SSE4.2 crc32 instruction on three
 *   independent streams, ~16 GB/s at 16 KiB here;
 * - `sse4_crc32` (one stream, ~7 GB/s; a table where the CPU lacks SSE4.2), used when the addon was
 *   not built or the CPU cannot run it.
 * A range is checksummed through a subarray: a view, never a copy.
 */
import * as path from 'node:path';

interface Crc32cModule {
  calculate(input: Uint8Array, initialCrc?: number): number;
  /** native/crc32c only: queues the checksum on the libuv thread pool (see crc32cOffThread). */
  start?(input: Uint8Array): Crc32cJob;
  /** native/crc32c only: the queued checksum, now (see crc32cOffThread). */
  finish?(job: Crc32cJob): number;
}

// Native modules load through require only.
/* eslint-disable @typescript-eslint/no-require-imports */
function loadNative(): (Crc32cModule & { hardware: boolean }) | undefined {
  try {
    const addon = require(path.join(__dirname, '..', '..', '..', '..', 'native', 'crc32c', 'build', 'Release', 'samsa_crc32c.node')) as Crc32cModule & { hardware: boolean };
    return addon.hardware ? addon : undefined;
  } catch {
    return undefined; // not built (see native/build.cjs): the portable one below
  }
}

const native = process.env.SAMSA_CRC32C === 'portable' ? undefined : loadNative();
const impl: Crc32cModule = native ?? (require('sse4_crc32') as Crc32cModule);
/* eslint-enable @typescript-eslint/no-require-imports */

/** Which implementation runs: 'three-way SSE4.2' (native/crc32c) or 'sse4_crc32'. SAMSA_CRC32C=portable forces the latter. */
export const CRC32C_IMPLEMENTATION: string = native ? 'three-way SSE4.2 (native/crc32c)' : 'sse4_crc32';

/** CRC-32C of `buf[start, end)`, as an unsigned 32-bit number. */
export function crc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  const input = start === 0 && end === buf.length ? buf : buf.subarray(start, end);
  return impl.calculate(input) >>> 0;
}

/** A checksum queued with crc32cOffThread.start (an opaque native handle). */
export interface Crc32cJob {
  readonly __crc32cJob: never;
}

/**
 * CRC-32C computed on the thread pool (another core) when the native addon is loaded; undefined
 * otherwise. `start(buf)` queues it and returns at once; `finish(job)` returns it synchronously:
 * taken from the pool thread that computed it, computed in line if no pool thread has started it
 * yet, or waited for (the rest of one checksum) if one is computing it. So the caller gets the
 * overlap when the pool is quick and never waits longer than the checksum itself when it is not.
 * `buf` must not change until finish returns.
 */
export const crc32cOffThread: { start(buf: Uint8Array): Crc32cJob; finish(job: Crc32cJob): number } | undefined =
  native?.start === undefined || native.finish === undefined
    ? undefined
    : { start: native.start, finish: (job) => native.finish!(job) >>> 0 };

/** Continues a CRC-32C over more bytes: crc32cUpdate(crc32c(a), b) === crc32c(a ++ b). */
export function crc32cUpdate(crc: number, buf: Uint8Array, start = 0, end = buf.length): number {
  const input = start === 0 && end === buf.length ? buf : buf.subarray(start, end);
  return impl.calculate(input, crc) >>> 0;
}
