/**
 * Zstandard frames (RFC 8878), through @bokuweb/zstd-wasm: zstd compiled to WebAssembly, no
 * native build or install script. Its one-shot decompress trusts the frame header to size the
 * output, so every frame is walked here first (header, block headers) to validate it and bound
 * its output; a frame that declares more than the limit, or whose blocks could only fit with more,
 * is refused before the decoder runs. Java's ZstdOutputStream writes frames without a content
 * size, so that case is the common one, not an edge case.
 */
import { compress as wasmCompress, decompress as wasmDecompress, init } from '@bokuweb/zstd-wasm';
import { ProtocolDecodeError } from '../../decode-error';

const ZSTD_MAGIC = 0xfd2fb528;
const SKIPPABLE_MAGIC = 0x184d2a50;
const MAX_BLOCK_SIZE = 128 * 1024;
/** ZSTD_WINDOWLOG_MAX on a 32-bit target (wasm32): larger windows fail ZSTD_getFrameHeader. */
const WINDOW_LOG_MAX = 30;
/** zstd-jni's default level, which Kafka 2.8 producers use (no compression.level until 3.8). */
const DEFAULT_LEVEL = 3;

/** init() must run once per process: a second call re-instantiates the module under its users. */
let ready: Promise<void> | undefined;
function ensureInit(): Promise<void> {
  ready ??= init();
  return ready;
}

function fail(message: string, at?: number): never {
  throw new ProtocolDecodeError(`zstd: ${message}`, at);
}

function toBuffer(u8: Uint8Array): Buffer {
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

export async function zstdCompress(data: Buffer, level = DEFAULT_LEVEL): Promise<Buffer> {
  await ensureInit();
  return toBuffer(wasmCompress(data, level));
}

interface FrameSpan {
  start: number;
  end: number;
  /** Output bytes to reserve: the declared content size, else the block-derived bound. */
  capacity: number;
}

/** Walks one frame starting at `pos`; returns its span and output bound. */
function scanFrame(data: Buffer, pos: number, budget: number): FrameSpan {
  const start = pos;
  const need = (n: number, what: string): void => {
    if (data.length - pos < n) fail(`truncated ${what}`, pos);
  };
  need(5, 'frame header');
  const fhd = data[pos + 4]!;
  pos += 5;
  if (fhd & 0x08) fail('reserved frame header bit set', pos - 1);
  const singleSegment = (fhd & 0x20) !== 0;
  const fcsSize = [singleSegment ? 1 : 0, 2, 4, 8][fhd >>> 6]!;
  const dictIdSize = [0, 1, 2, 4][fhd & 3]!;
  need((singleSegment ? 0 : 1) + dictIdSize + fcsSize, 'frame header');
  let windowSize = 0;
  if (!singleSegment) {
    const wd = data[pos++]!;
    const windowLog = 10 + (wd >>> 3);
    if (windowLog > WINDOW_LOG_MAX) fail(`window log ${windowLog} is too large`, pos - 1);
    windowSize = 2 ** windowLog + (2 ** windowLog / 8) * (wd & 7);
  }
  pos += dictIdSize;
  let contentSize = -1;
  if (fcsSize > 0) {
    let declared: bigint;
    if (fcsSize === 1) declared = BigInt(data[pos]!);
    else if (fcsSize === 2) declared = BigInt(data.readUInt16LE(pos) + 256);
    else if (fcsSize === 4) declared = BigInt(data.readUInt32LE(pos));
    else declared = data.readBigUInt64LE(pos);
    if (declared > BigInt(budget)) fail(`declared content size ${declared} exceeds the limit of ${budget} bytes`, pos);
    contentSize = Number(declared);
    pos += fcsSize;
  }
  if (singleSegment) windowSize = contentSize;
  const blockMax = Math.min(windowSize, MAX_BLOCK_SIZE);
  let exact = 0; // raw and RLE blocks: known output
  let bound = 0; // plus compressed blocks at their maximum
  for (;;) {
    need(3, 'block header');
    const bh = data[pos]! | (data[pos + 1]! << 8) | (data[pos + 2]! << 16);
    pos += 3;
    const type = (bh >>> 1) & 3;
    const size = bh >>> 3;
    if (type === 3) fail('reserved block type', pos - 3);
    const stored = type === 1 ? 1 : size;
    need(stored, 'block');
    pos += stored;
    if (type === 2) {
      bound += blockMax;
    } else {
      exact += size;
      bound += size;
    }
    if (exact > budget) fail(`decompressed size exceeds the limit of ${budget} bytes`, pos);
    if (bh & 1) break; // Last_Block
  }
  if (fhd & 0x04) {
    need(4, 'content checksum');
    pos += 4;
  }
  return { start, end: pos, capacity: contentSize >= 0 ? contentSize : Math.min(bound, budget) };
}

export async function zstdDecompress(data: Buffer, maxBytes: number): Promise<Buffer> {
  await ensureInit();
  const parts: Buffer[] = [];
  let total = 0;
  let pos = 0;
  if (data.length === 0) fail('empty input', 0);
  while (pos < data.length) {
    if (data.length - pos < 4) fail('truncated frame magic', pos);
    const magic = data.readUInt32LE(pos);
    if ((magic & 0xfffffff0) >>> 0 === SKIPPABLE_MAGIC) {
      if (data.length - pos < 8) fail('truncated skippable frame', pos);
      const size = data.readUInt32LE(pos + 4);
      if (size > data.length - pos - 8) fail('truncated skippable frame', pos);
      pos += 8 + size;
      continue;
    }
    if (magic !== ZSTD_MAGIC) fail(`unknown frame magic 0x${magic.toString(16)}`, pos);
    const frame = scanFrame(data, pos, maxBytes - total);
    let out: Buffer;
    try {
      out = toBuffer(wasmDecompress(data.subarray(frame.start, frame.end), { defaultHeapSize: frame.capacity }));
    } catch (e) {
      throw new ProtocolDecodeError(
        `zstd: frame is corrupt or decompresses past its bound of ${frame.capacity} bytes`,
        frame.start,
        { cause: e },
      );
    }
    total += out.length;
    parts.push(out);
    pos = frame.end;
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
}
