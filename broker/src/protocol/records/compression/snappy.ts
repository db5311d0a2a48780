/**
 * Snappy as Kafka's Java client writes it: snappy-java's (xerial) SnappyOutputStream framing —
 * a 16-byte header (0x82 "SNAPPY" 0x00, int32 version 1, int32 compatible version 1) followed by
 * blocks of `int32 BE length | raw snappy block`, each holding at most 32 KiB of input.
 * Reading follows SnappyInputStream: input without that header is one raw snappy block (what
 * kafkajs-snappy and librdkafka's unframed mode send), concatenated framed streams are accepted,
 * and 1-3 trailing bytes after the last block are ignored.
 */
import { compressSync, uncompressSync } from 'snappy';
import { ProtocolDecodeError } from '../../decode-error';

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER = Buffer.concat([XERIAL_MAGIC, Buffer.from([0, 0, 0, 1, 0, 0, 0, 1])]);
const XERIAL_HEADER_SIZE = 16;
/** The first four magic bytes read as an int32 chunk length mean "another stream starts here". */
const XERIAL_MAGIC_HEAD = XERIAL_MAGIC.readInt32BE(0);
const XERIAL_BLOCK_SIZE = 32 * 1024;

export function snappyCompress(data: Buffer): Buffer {
  const parts: Buffer[] = [XERIAL_HEADER];
  for (let pos = 0; pos < data.length; pos += XERIAL_BLOCK_SIZE) {
    const block = compressSync(data.subarray(pos, pos + XERIAL_BLOCK_SIZE));
    const len = Buffer.allocUnsafe(4);
    len.writeInt32BE(block.length, 0);
    parts.push(len, block);
  }
  return Buffer.concat(parts);
}

function isXerialHeader(data: Buffer, pos: number): boolean {
  return data.length - pos >= XERIAL_HEADER_SIZE && data.compare(XERIAL_MAGIC, 0, 8, pos, pos + 8) === 0;
}

/** The uncompressed length a raw snappy block declares (its leading unsigned varint). */
export function snappyUncompressedLength(block: Buffer): number {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    if (i >= block.length) throw new ProtocolDecodeError('snappy: truncated block length');
    const b = block[i]!;
    value += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) {
      if (value > 0xffffffff) break;
      return value;
    }
  }
  throw new ProtocolDecodeError('snappy: invalid block length');
}

function uncompressBlock(block: Buffer, budget: number): Buffer {
  const n = snappyUncompressedLength(block);
  if (n > budget) {
    throw new ProtocolDecodeError(`snappy: decompressed size exceeds the limit (${n} > ${budget} bytes left)`);
  }
  const out = uncompressSync(block, { asBuffer: true });
  if (!Buffer.isBuffer(out) || out.length !== n) {
    throw new ProtocolDecodeError('snappy: block decompressed to an unexpected size');
  }
  return out;
}

export function snappyDecompress(data: Buffer, maxBytes: number): Buffer {
  if (!isXerialHeader(data, 0)) return uncompressBlock(data, maxBytes);
  const parts: Buffer[] = [];
  let total = 0;
  let pos = 0;
  while (data.length - pos >= 4) {
    if (data.readInt32BE(pos) === XERIAL_MAGIC_HEAD && isXerialHeader(data, pos)) {
      if (data.readInt32BE(pos + 8) < 1) {
        throw new ProtocolDecodeError('snappy: incompatible xerial stream version', pos + 8);
      }
      pos += XERIAL_HEADER_SIZE;
      continue;
    }
    const size = data.readInt32BE(pos);
    pos += 4;
    if (size < 0 || size > data.length - pos) {
      throw new ProtocolDecodeError(`snappy: chunk of ${size} bytes does not fit in ${data.length - pos}`, pos - 4);
    }
    const out = uncompressBlock(data.subarray(pos, pos + size), maxBytes - total);
    total += out.length;
    parts.push(out);
    pos += size;
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
}
