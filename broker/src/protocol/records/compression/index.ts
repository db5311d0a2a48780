/**
 * Kafka's compression codecs behind one async shape. Decompression is always bounded
 * (`maxBytes`, default 64 MiB) and every codec failure surfaces as ProtocolDecodeError.
 *
 * Libraries: gzip is Node's zlib; snappy is `snappy` (napi-rs, prebuilt binaries as npm optional
 * dependencies), lz4 is `lz4-napi` (napi-rs, lz4_flex) under a hand-written Kafka-exact frame
 * layer, and zstd is `@bokuweb/zstd-wasm` (WebAssembly, nothing to build at install time).
 */
import { ProtocolDecodeError } from '../../decode-error';
import {
  CompressionType,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  MAGIC_VALUE_V0,
  MAGIC_VALUE_V2,
  compressionName,
} from '../constants';
import { gzipCompress, gzipDecompress } from './gzip';
import { lz4Compress, lz4Decompress } from './lz4';
import { snappyCompress, snappyDecompress } from './snappy';
import { zstdCompress, zstdDecompress } from './zstd';

export interface CompressOptions {
  /** Magic of the message format being written; only LZ4 cares (magic 0 gets the legacy header checksum). */
  magic?: number;
}

export interface DecompressOptions {
  /** Refuse output larger than this many bytes. Default 64 MiB. */
  maxBytes?: number;
  /** Magic of the message format being read; LZ4 skips the header checksum for magic 0. */
  magic?: number;
}

/** Compresses `data` with a codec; CompressionType.None returns `data` itself. */
export async function compress(codec: CompressionType, data: Buffer, options: CompressOptions = {}): Promise<Buffer> {
  const magic = options.magic ?? MAGIC_VALUE_V2;
  switch (codec) {
    case CompressionType.None:
      return data;
    case CompressionType.Gzip:
      return gzipCompress(data);
    case CompressionType.Snappy:
      return snappyCompress(data);
    case CompressionType.Lz4:
      return lz4Compress(data, magic === MAGIC_VALUE_V0);
    case CompressionType.Zstd:
      return zstdCompress(data);
    default:
      throw new RangeError(`unknown compression codec ${String(codec)}`);
  }
}

/**
 * Decompresses `data` written with `codec` (a raw attributes value is accepted: ids outside 0-4
 * are a ProtocolDecodeError, as is corrupt input or output past `maxBytes`).
 */
export async function decompress(codec: number, data: Buffer, options: DecompressOptions = {}): Promise<Buffer> {
  const maxBytes = Math.max(1, Math.min(options.maxBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES, 2 ** 31 - 1));
  try {
    switch (codec) {
      case CompressionType.None:
        return data;
      case CompressionType.Gzip:
        return await gzipDecompress(data, maxBytes);
      case CompressionType.Snappy:
        return snappyDecompress(data, maxBytes);
      case CompressionType.Lz4:
        return lz4Decompress(data, maxBytes, options.magic === MAGIC_VALUE_V0);
      case CompressionType.Zstd:
        return await zstdDecompress(data, maxBytes);
      default:
        throw new ProtocolDecodeError(`unknown compression codec ${codec}`);
    }
  } catch (e) {
    if (e instanceof ProtocolDecodeError) throw e;
    const message = e instanceof Error ? e.message : String(e);
    throw new ProtocolDecodeError(`${compressionName(codec)} decompression failed: ${message}`, undefined, { cause: e });
  }
}
