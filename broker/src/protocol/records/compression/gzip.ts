/**
 * GZIP, as java.util.zip.GZIPOutputStream/GZIPInputStream write and read it (default level;
 * concatenated members are read as one stream). zlib's async API runs on the libuv pool.
 */
import { gunzip, gzip, type InputType, type ZlibOptions } from 'node:zlib';

function run(
  fn: (buf: InputType, options: ZlibOptions, cb: (err: Error | null, out: Buffer) => void) => void,
  data: Buffer,
  options: ZlibOptions,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    fn(data, options, (err, out) => (err ? reject(err) : resolve(out)));
  });
}

export function gzipCompress(data: Buffer): Promise<Buffer> {
  return run(gzip, data, {});
}

/** Fails (RangeError from zlib, wrapped by the caller) once the output would pass maxBytes. */
export function gzipDecompress(data: Buffer, maxBytes: number): Promise<Buffer> {
  return run(gunzip, data, { maxOutputLength: maxBytes });
}
