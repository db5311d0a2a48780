import { DirectFrameReader, PROBE_READ_BYTES } from './direct-frame-reader';
import { FrameTooLargeError, InvalidFrameSizeError } from './frame-reader';
import { prng as rng } from './testing/prng';

function sized(body: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

function body(size: number, tag: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + tag) & 0xff;
  return b;
}

/**
 * Plays the socket: copies the stream into whatever nextReadBuffer() returns, at most `maxRead()` bytes
 * per read, and collects the frames (and, in `targets`, every buffer it was given to read into). Frames
 * are checked only at the end, so a view that a later read overwrote is caught.
 */
function readAll(reader: DirectFrameReader, stream: Buffer, maxRead: () => number, targets: Buffer[] = []): Buffer[] {
  const frames: Buffer[] = [];
  let pos = 0;
  while (pos < stream.length) {
    const target = reader.nextReadBuffer();
    if (target.length === 0) throw new Error('empty read buffer');
    targets.push(target);
    const n = Math.min(target.length, maxRead(), stream.length - pos);
    stream.copy(target, 0, pos, pos + n);
    pos += n;
    frames.push(...reader.onRead(n));
  }
  return frames;
}

describe('DirectFrameReader', () => {
  it('returns frames equal to the input for random frame sizes and random read sizes', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const rand = rng(seed);
      const scratch = [8, 16, 64, 1024, 64 * 1024][seed % 5];
      const bodies: Buffer[] = [];
      for (let i = 0, n = 1 + Math.floor(rand() * 40); i < n; i++) {
        const kind = rand();
        const size = kind < 0.2 ? 0 : kind < 0.7 ? Math.floor(rand() * 40) : kind < 0.95 ? Math.floor(rand() * 3 * scratch) : Math.floor(rand() * 150_000);
        bodies.push(body(size, seed + i));
      }
      const stream = Buffer.concat(bodies.map(sized));
      // Tiny reads only over small streams, to keep the read count (and the test) bounded.
      const maxChunk = Math.max([1, 3, 7, 100, 5000, 1 << 20][Math.floor(rand() * 6)], Math.ceil(stream.length / 20_000));
      const reader = new DirectFrameReader(1 << 20, scratch);
      const frames = readAll(reader, stream, () => 1 + Math.floor(rand() * maxChunk));
      expect(frames.length).toBe(bodies.length);
      frames.forEach((f, i) => expect(f.equals(bodies[i])).toBe(true));
      expect(reader.pendingBytes).toBe(0);
    }
  });

  it('returns every frame of a read that holds many, zero-length ones included', () => {
    const reader = new DirectFrameReader(1024);
    const frames = readAll(reader, Buffer.concat(['one', '', 'three', ''].map((s) => sized(Buffer.from(s)))), () => Infinity);
    expect(frames.map(String)).toEqual(['one', '', 'three', '']);
    expect(reader.pendingBytes).toBe(0);
  });

  it('reassembles frames split at every pair of byte positions, size prefixes split 1+3 and 2+2 included', () => {
    const stream = Buffer.concat([sized(Buffer.from('hello')), sized(Buffer.alloc(0)), sized(Buffer.from('kafka world!'))]);
    for (const scratch of [8, 12, 64 * 1024]) {
      for (let cut = 0; cut <= stream.length; cut++) {
        for (let cut2 = cut; cut2 <= stream.length; cut2++) {
          const cuts = [cut, cut2 - cut, stream.length - cut2];
          const reader = new DirectFrameReader(1024, scratch);
          let i = 0;
          // A read shorter than asked for is how the socket splits; the leftover goes in the next read.
          const frames = readAll(reader, stream, () => Math.max(1, cuts[Math.min(i++, 2)]));
          expect(frames.map(String)).toEqual(['hello', '', 'kafka world!']);
          expect(reader.pendingBytes).toBe(0);
        }
      }
    }
  });

  it('counts the pending bytes of an incomplete frame, size prefix included', () => {
    const reader = new DirectFrameReader(1 << 20, 64);
    const stream = sized(body(1000, 7));
    stream.copy(reader.nextReadBuffer(), 0, 0, 2);
    expect(reader.onRead(2)).toEqual([]);
    expect(reader.pendingBytes).toBe(2);
    stream.copy(reader.nextReadBuffer(), 0, 2, 30);
    expect(reader.onRead(28)).toEqual([]);
    expect(reader.pendingBytes).toBe(30);
    const target = reader.nextReadBuffer();
    expect(target.length).toBe(974);
    stream.copy(target, 0, 30);
    const [frame] = reader.onRead(974);
    expect(frame.equals(body(1000, 7))).toBe(true);
    expect(reader.pendingBytes).toBe(0);
  });

  it('reads a 1 MiB frame into one buffer allocated once, with no copy after its first read', () => {
    const size = 1 << 20;
    const payload = body(size, 3);
    const stream = Buffer.concat([sized(Buffer.from('small')), sized(payload), sized(Buffer.from('after'))]);
    const reader = new DirectFrameReader(4 << 20);
    const targets: Buffer[] = [];
    const frames = readAll(reader, stream, () => 64 * 1024, targets);
    expect(frames.map((f) => f.length)).toEqual([5, size, 5]);
    const big = frames[1];
    expect(big.equals(payload)).toBe(true);
    expect(big.byteOffset).toBe(0);
    expect(big.buffer.byteLength).toBe(size);
    // Every read after the first (which also held the small frame) went straight into the frame's buffer.
    const intoFrame = targets.filter((t) => t.buffer === big.buffer);
    expect(intoFrame.length).toBe(Math.ceil((size - (64 * 1024 - 9 - 4)) / (64 * 1024)));
    expect(intoFrame[0].byteOffset).toBe(64 * 1024 - 9 - 4);
    expect(String(frames[2])).toBe('after');
  });

  it('gives a big frame the buffer allocateFrame returns (a pooled one, larger than the frame) and hands out exactly the frame', () => {
    const size = 300 * 1024;
    const payload = body(size, 5);
    const pooled = Buffer.alloc(512 * 1024);
    const asked: number[] = [];
    const reader = new DirectFrameReader(4 << 20, undefined, (n) => {
      asked.push(n);
      return pooled.subarray(0, n);
    });
    const frames = readAll(reader, Buffer.concat([sized(payload), sized(Buffer.from('next'))]), () => 64 * 1024);
    expect(asked).toEqual([size]);
    expect(frames[0]!.buffer).toBe(pooled.buffer);
    expect(frames[0]!.equals(payload)).toBe(true);
    expect(String(frames[1])).toBe('next');
  });

  it('after a big frame, reads the next size prefix with a short probe, so a big frame that follows copies at most PROBE_READ_BYTES', () => {
    const size = 1 << 20;
    const a = body(size, 5);
    const b = body(size + 77, 9);
    const stream = Buffer.concat([sized(a), sized(b), sized(Buffer.from('x')), sized(Buffer.from('y'))]);
    const reader = new DirectFrameReader(4 << 20);
    const targets: Buffer[] = [];
    const frames = readAll(reader, stream, () => 64 * 1024, targets);
    expect(frames.map((f) => f.length)).toEqual([size, size + 77, 1, 1]);
    expect(frames[0].equals(a) && frames[1].equals(b)).toBe(true);
    // The read right after frame a was a probe; what it held of frame b is all that was copied.
    const firstIntoB = targets.findIndex((t) => t.buffer === frames[1].buffer);
    expect(targets[firstIntoB - 1].length).toBe(PROBE_READ_BYTES);
    expect(targets[firstIntoB].byteOffset).toBe(PROBE_READ_BYTES - 4);
    // After b, another probe; it held both small frames, and the scratch is used whole again after that.
    const afterB = targets.findIndex((t, i) => i > firstIntoB && t.buffer !== frames[1].buffer);
    expect(targets[afterB].length).toBe(PROBE_READ_BYTES);
    expect(reader.nextReadBuffer().length).toBeGreaterThan(PROBE_READ_BYTES);
  });

  it('keeps frames returned as views valid while later reads fill the scratch', () => {
    const reader = new DirectFrameReader(1024, 32);
    const bodies = Array.from({ length: 50 }, (_, i) => body(i % 9, i));
    const frames = readAll(reader, Buffer.concat(bodies.map(sized)), () => 5);
    frames.forEach((f, i) => expect(f.equals(bodies[i])).toBe(true));
  });

  it('rejects a negative size as soon as the four size bytes are known', () => {
    const reader = new DirectFrameReader(1024);
    const bad = Buffer.from([0xff, 0xff, 0xff, 0xfe]);
    bad.copy(reader.nextReadBuffer(), 0, 0, 1);
    expect(reader.onRead(1)).toEqual([]);
    bad.copy(reader.nextReadBuffer(), 0, 1, 4);
    expect(() => reader.onRead(3)).toThrow(InvalidFrameSizeError);
  });

  it('rejects a frame over the maximum before buffering it, even with a valid frame ahead of it', () => {
    const reader = new DirectFrameReader(100);
    const stream = Buffer.concat([sized(Buffer.from('ok')), Buffer.from([0, 0, 0, 101])]);
    stream.copy(reader.nextReadBuffer());
    expect(() => reader.onRead(stream.length)).toThrow(FrameTooLargeError);
    // A broken reader still hands out a usable read buffer (the socket asks for one after the callback).
    expect(reader.nextReadBuffer().length).toBeGreaterThan(0);
  });

  it('accepts a frame of exactly the maximum size', () => {
    const reader = new DirectFrameReader(100, 16);
    const frames = readAll(reader, sized(body(100, 1)), () => 7);
    expect(frames.length).toBe(1);
    expect(frames[0].equals(body(100, 1))).toBe(true);
  });

  it('refuses a read larger than the buffer it was given', () => {
    const reader = new DirectFrameReader(100, 16);
    const len = reader.nextReadBuffer().length;
    expect(() => reader.onRead(len + 1)).toThrow(RangeError);
  });
});
