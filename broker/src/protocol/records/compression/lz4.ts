/**
 * LZ4 frame format as Kafka's KafkaLZ4BlockOutputStream/InputStream use it: magic 0x184D2204,
 * FLG with independent blocks, 64 KiB blocks when writing, incompressible blocks stored raw,
 * no content checksum written, one frame read. Magic 0 messages carry the pre-0.10 "broken"
 * header checksum (XXH32 over magic+FLG+BD instead of FLG+BD); Kafka writes it for v0 and skips
 * checking it when reading v0, and so does this module.
 *
 * Blocks go through lz4-napi's block API one at a time: each output is bounded by the frame's
 * block maximum, which bounds hostile input without trusting any declared size.
 */
import { compressSync, uncompressSync } from 'lz4-napi';
import { ProtocolDecodeError } from '../../decode-error';
import { xxhash32 } from './xxhash32';

const LZ4_MAGIC = 0x184d2204;
const FLG_VERSION_1 = 0x40;
const FLG_BLOCK_INDEPENDENCE = 0x20;
const FLG_BLOCK_CHECKSUM = 0x10;
const FLG_CONTENT_SIZE = 0x08;
const FLG_CONTENT_CHECKSUM = 0x04;
const FLG_RESERVED = 0x03;
/** BD value 4 = 64 KiB blocks, Kafka's BLOCKSIZE_64KB. */
const BD_64KB = 4 << 4;
const INCOMPRESSIBLE = 0x80000000;
const WRITE_BLOCK_SIZE = 64 * 1024;

function fail(message: string, at?: number): never {
  throw new ProtocolDecodeError(`lz4: ${message}`, at);
}

export function lz4Compress(data: Buffer, brokenHeaderChecksum = false): Buffer {
  const header = Buffer.allocUnsafe(7);
  header.writeUInt32LE(LZ4_MAGIC, 0);
  header[4] = FLG_VERSION_1 | FLG_BLOCK_INDEPENDENCE;
  header[5] = BD_64KB;
  header[6] = (xxhash32(header, brokenHeaderChecksum ? 0 : 4, 6) >>> 8) & 0xff;
  const parts: Buffer[] = [header];
  for (let pos = 0; pos < data.length; pos += WRITE_BLOCK_SIZE) {
    const chunk = data.subarray(pos, pos + WRITE_BLOCK_SIZE);
    // compressSync prefixes the block with its uncompressed size (u32 LE); the frame does not.
    const block = compressSync(chunk).subarray(4);
    const len = Buffer.allocUnsafe(4);
    if (block.length >= chunk.length) {
      len.writeUInt32LE((chunk.length | INCOMPRESSIBLE) >>> 0, 0);
      parts.push(len, chunk);
    } else {
      len.writeUInt32LE(block.length, 0);
      parts.push(len, block);
    }
  }
  parts.push(Buffer.alloc(4)); // EndMark
  return Buffer.concat(parts);
}

export function lz4Decompress(data: Buffer, maxBytes: number, ignoreHeaderChecksum = false): Buffer {
  if (data.length < 7) fail('stream ended prematurely (frame header)', 0);
  if (data.readUInt32LE(0) !== LZ4_MAGIC) fail('unsupported stream (invalid magic bytes)', 0);
  const flg = data[4]!;
  const bd = data[5]!;
  if ((flg & 0xc0) !== FLG_VERSION_1) fail(`unsupported frame version ${flg >>> 6}`, 4);
  if ((flg & FLG_RESERVED) !== 0) fail('reserved FLG bits must be 0', 4);
  if ((flg & FLG_BLOCK_INDEPENDENCE) === 0) fail('dependent block stream is unsupported', 4);
  const blockSizeValue = (bd >>> 4) & 7;
  if ((bd & 0x8f) !== 0 || blockSizeValue < 4) fail(`invalid BD byte 0x${bd.toString(16)}`, 5);
  const maxBlockSize = 1 << (2 * blockSizeValue + 8);
  let pos = 6;
  if (flg & FLG_CONTENT_SIZE) {
    if (data.length < pos + 9) fail('stream ended prematurely (content size)', pos);
    // Advisory only, but a declared size over the limit lets us fail before any work.
    if (data.readBigUInt64LE(pos) > BigInt(maxBytes)) fail(`declared content size exceeds the limit of ${maxBytes} bytes`, pos);
    pos += 8;
  }
  if (!ignoreHeaderChecksum && data[pos] !== ((xxhash32(data, 4, pos) >>> 8) & 0xff)) {
    fail('stream frame descriptor corrupted (header checksum mismatch)', pos);
  }
  pos++;
  const blockChecksum = (flg & FLG_BLOCK_CHECKSUM) !== 0;
  const parts: Buffer[] = [];
  let total = 0;
  for (;;) {
    if (data.length - pos < 4) fail('stream ended prematurely (block size)', pos);
    const raw = data.readUInt32LE(pos);
    pos += 4;
    if (raw === 0) break; // EndMark
    const size = raw & 0x7fffffff;
    if (size > maxBlockSize) fail(`block size ${size} exceeded max ${maxBlockSize}`, pos - 4);
    if (data.length - pos < size + (blockChecksum ? 4 : 0)) fail('stream ended prematurely (block data)', pos);
    const block = data.subarray(pos, pos + size);
    if (blockChecksum && xxhash32(block) !== data.readUInt32LE(pos + size)) fail('block checksum mismatch', pos);
    let out: Buffer;
    if (raw & INCOMPRESSIBLE) {
      out = block;
    } else {
      const framed = Buffer.allocUnsafe(4 + size);
      framed.writeUInt32LE(maxBlockSize, 0);
      block.copy(framed, 4);
      out = uncompressSync(framed);
    }
    total += out.length;
    if (total > maxBytes) fail(`decompressed size exceeds the limit of ${maxBytes} bytes`);
    parts.push(out);
    pos += size + (blockChecksum ? 4 : 0);
  }
  // Kafka skips the content checksum without verifying it ("TODO" in KafkaLZ4BlockInputStream).
  if (flg & FLG_CONTENT_CHECKSUM && data.length - pos < 4) fail('stream ended prematurely (content checksum)', pos);
  return Buffer.concat(parts, total);
}
