/**
 * CRC-32C (Castagnoli), the checksum of RecordBatch v2. Native (@node-rs/crc32, SSE4.2/ARMv8
 * instructions), ~7 GB/s on 1 MiB, which keeps the produce path's CRC check far below the cost of
 * receiving the bytes. A range is checksummed through a subarray: a view, never a copy.
 */
import { crc32c as nativeCrc32c } from '@node-rs/crc32';

/** CRC-32C of `buf[start, end)`, as an unsigned 32-bit number. */
export function crc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  const input = start === 0 && end === buf.length ? buf : buf.subarray(start, end);
  // The binding returns a u32 already; `>>> 0` keeps the contract even if that changes.
  return nativeCrc32c(input) >>> 0;
}

/** Continues a CRC-32C over more bytes: crc32cUpdate(crc32c(a), b) === crc32c(a ++ b). */
export function crc32cUpdate(crc: number, buf: Uint8Array, start = 0, end = buf.length): number {
  const input = start === 0 && end === buf.length ? buf : buf.subarray(start, end);
  return nativeCrc32c(input, crc) >>> 0;
}
