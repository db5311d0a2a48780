import { compressSync as rawSnappy } from 'snappy';
import { compressFrameSync, decompressFrameSync } from 'lz4-napi';
import { ProtocolDecodeError } from '../../decode-error';
import { CompressionType } from '../constants';
import codecFixtures from '../testing/fixtures/codec-frames.json';
import { codecInputs, prng, text } from '../testing/samples';
import { compress, decompress } from './index';
import { xxhash32 } from './xxhash32';

const CODECS = [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd] as const;
const { small, big } = codecInputs();

async function rejects(p: Promise<unknown>, pattern?: RegExp): Promise<void> {
  const err: unknown = await p.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProtocolDecodeError);
  if (pattern) expect((err as Error).message).toMatch(pattern);
}

describe.each(CODECS)('codec %d', (codec) => {
  it.each([
    ['empty', Buffer.alloc(0)],
    ['one byte', Buffer.from([7])],
    ['text', small],
    ['200 KB spanning many blocks', big],
    ['incompressible', Buffer.from(Array.from({ length: 150_000 }, (_, i) => (prng(i)() * 256) | 0))],
  ])('round-trips %s input', async (_name, input) => {
    const out = await decompress(codec, await compress(codec, input));
    expect(out.equals(input)).toBe(true);
  });

  it('refuses output past maxBytes', async () => {
    const compressed = await compress(codec, Buffer.alloc(1_000_000));
    await rejects(decompress(codec, compressed, { maxBytes: 999_999 }));
    expect((await decompress(codec, compressed, { maxBytes: 1_000_000 })).length).toBe(1_000_000);
  });

  it('rejects garbage and truncation with ProtocolDecodeError', async () => {
    const compressed = await compress(codec, small);
    await rejects(decompress(codec, Buffer.from('definitely not compressed data')));
    await rejects(decompress(codec, compressed.subarray(0, compressed.length >> 1)));
    await rejects(decompress(codec, Buffer.alloc(0)));
  });
});

describe('snappy framing', () => {
  it('writes snappy-java (xerial) framing with 32 KiB blocks', async () => {
    const out = await compress(CompressionType.Snappy, big);
    expect(out.subarray(0, 16)).toEqual(Buffer.from('82534e41505059000000000100000001', 'hex'));
    let blocks = 0;
    for (let pos = 16; pos < out.length; pos += 4 + out.readInt32BE(pos)) blocks++;
    expect(blocks).toBe(Math.ceil(big.length / 32768));
  });

  it('reads unframed raw snappy, as kafkajs-snappy and librdkafka may send', async () => {
    expect((await decompress(CompressionType.Snappy, rawSnappy(small))).equals(small)).toBe(true);
  });

  it('reads concatenated xerial streams', async () => {
    const a = await compress(CompressionType.Snappy, small.subarray(0, 1000));
    const b = await compress(CompressionType.Snappy, small.subarray(1000));
    expect((await decompress(CompressionType.Snappy, Buffer.concat([a, b]))).equals(small)).toBe(true);
  });

  it('rejects a raw block whose declared length is over the limit before decompressing', async () => {
    // varint 0xffffffff declared length, then junk
    await rejects(decompress(CompressionType.Snappy, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0, 1, 2])), /limit/);
  });

  it('rejects a negative or oversized chunk length', async () => {
    const framed = await compress(CompressionType.Snappy, small);
    framed.writeInt32BE(-5, 16);
    await rejects(decompress(CompressionType.Snappy, framed));
    framed.writeInt32BE(1 << 30, 16);
    await rejects(decompress(CompressionType.Snappy, framed));
  });
});

describe('lz4 framing', () => {
  it('writes the frame header Kafka writes: FLG 0x60, BD 0x40, correct checksum', async () => {
    const out = await compress(CompressionType.Lz4, small);
    expect(out.subarray(0, 6)).toEqual(Buffer.from('04224d186040', 'hex'));
    expect(out[6]).toBe((xxhash32(out, 4, 6) >>> 8) & 0xff);
    expect(out.subarray(out.length - 4)).toEqual(Buffer.alloc(4)); // EndMark
  });

  it('is readable by an independent frame decoder (lz4_flex via lz4-napi), and reads its frames', async () => {
    const ours = await compress(CompressionType.Lz4, big);
    expect(decompressFrameSync(ours).equals(big)).toBe(true);
    expect((await decompress(CompressionType.Lz4, compressFrameSync(big))).equals(big)).toBe(true);
  });

  it('writes the broken magic-0 header checksum for v0 and skips the check when reading v0', async () => {
    const v0 = await compress(CompressionType.Lz4, small, { magic: 0 });
    expect(v0[6]).toBe((xxhash32(v0, 0, 6) >>> 8) & 0xff);
    expect(v0[6]).not.toBe((xxhash32(v0, 4, 6) >>> 8) & 0xff);
    await rejects(decompress(CompressionType.Lz4, v0), /header checksum/);
    expect((await decompress(CompressionType.Lz4, v0, { magic: 0 })).equals(small)).toBe(true);
  });

  it('checks block checksums', async () => {
    const frame = Buffer.from(codecFixtures.frames[1]!.hex, 'hex');
    frame[frame.length - 12]! ^= 1; // inside the last block's data
    await rejects(decompress(CompressionType.Lz4, frame));
  });

  it('refuses a declared content size over the limit', async () => {
    const frame = Buffer.from(codecFixtures.frames[1]!.hex, 'hex');
    await rejects(decompress(CompressionType.Lz4, frame, { maxBytes: 2999 }), /content size/);
  });
});

describe('xxhash32', () => {
  it('matches the reference values', () => {
    expect(xxhash32(Buffer.alloc(0))).toBe(0x02cc5d05);
    expect(xxhash32(Buffer.from('a'))).toBe(0x550d7456);
    expect(xxhash32(Buffer.from('Nobody inspects the spammish repetition'))).toBe(0xe2293b2f);
    expect(xxhash32(text(prng(1), 1000), 0, 1000, 0)).toBe(xxhash32(Buffer.from(text(prng(1), 1000))));
  });
});

describe('frames written by the reference lz4 and zstd tools', () => {
  it.each(codecFixtures.frames.map((f) => [f.name, f] as const))('decodes %s', async (_name, f) => {
    const expected = f.input === 'big' ? big : small;
    expect((await decompress(f.codec, Buffer.from(f.hex, 'hex'))).equals(expected)).toBe(true);
  });

  it.each(codecFixtures.rejected.map((f) => [f.name, f] as const))('rejects %s', async (_name, f) => {
    await rejects(decompress(f.codec, Buffer.from(f.hex, 'hex')), /dependent/);
  });

  it('bounds zstd frames without a content size by their blocks', async () => {
    const noSize = Buffer.from(codecFixtures.frames[6]!.hex, 'hex');
    await rejects(decompress(CompressionType.Zstd, noSize, { maxBytes: big.length - 1 }));
    expect((await decompress(CompressionType.Zstd, noSize, { maxBytes: big.length })).length).toBe(big.length);
  });
});

describe('decompress', () => {
  it('rejects unknown codec ids', async () => {
    await rejects(decompress(5, small), /unknown compression codec 5/);
  });

  it('returns uncompressed input as is', async () => {
    expect(await decompress(CompressionType.None, small)).toBe(small);
  });
});
