/**
 * CRC-32 (IEEE 802.3, the zlib/java.util.zip polynomial), the checksum of legacy magic 0/1
 * messages. Node 20's zlib has no crc32 export, so this uses the same native package as CRC-32C.
 */
import { crc32 as nativeCrc32 } from '@node-rs/crc32';

/** CRC-32 (IEEE) of `buf[start, end)`, as an unsigned 32-bit number. */
export function crc32(buf: Uint8Array, start = 0, end = buf.length): number {
  const input = start === 0 && end === buf.length ? buf : buf.subarray(start, end);
  return nativeCrc32(input) >>> 0;
}
