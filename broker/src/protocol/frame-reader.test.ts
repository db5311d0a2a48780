import { FrameReader, FrameTooLargeError, InvalidFrameSizeError } from './frame-reader';

function frame(body: string): Buffer {
  const b = Buffer.from(body);
  const size = Buffer.alloc(4);
  size.writeInt32BE(b.length);
  return Buffer.concat([size, b]);
}

describe('FrameReader', () => {
  it('returns every frame of a chunk that holds many', () => {
    const r = new FrameReader(1024);
    const frames = r.push(Buffer.concat([frame('one'), frame(''), frame('three')]));
    expect(frames.map(String)).toEqual(['one', '', 'three']);
    expect(r.pendingBytes).toBe(0);
  });

  it('reassembles a frame split across chunks at every possible byte', () => {
    const stream = Buffer.concat([frame('hello'), frame('kafka world')]);
    for (let cut = 0; cut <= stream.length; cut++) {
      for (let cut2 = cut; cut2 <= stream.length; cut2++) {
        const r = new FrameReader(1024);
        const got = [
          ...r.push(stream.subarray(0, cut)),
          ...r.push(stream.subarray(cut, cut2)),
          ...r.push(stream.subarray(cut2)),
        ].map(String);
        expect(got).toEqual(['hello', 'kafka world']);
        expect(r.pendingBytes).toBe(0);
      }
    }
  });

  it('delivers a frame one byte at a time', () => {
    const r = new FrameReader(1024);
    const stream = Buffer.concat([frame('abc'), frame('de')]);
    const got: string[] = [];
    for (const b of stream) got.push(...r.push(Buffer.from([b])).map(String));
    expect(got).toEqual(['abc', 'de']);
  });

  it('rejects a size over socket.request.max.bytes as soon as the size prefix arrives, before buffering', () => {
    const r = new FrameReader(100);
    const size = Buffer.alloc(4);
    size.writeInt32BE(101);
    expect(() => r.push(size)).toThrow(FrameTooLargeError);
    const r2 = new FrameReader(100);
    r2.push(size.subarray(0, 2));
    expect(() => r2.push(size.subarray(2))).toThrow(FrameTooLargeError);
    expect(r2.pendingBytes).toBeLessThanOrEqual(4);
  });

  it('rejects a 2 GB declared size without allocating it', () => {
    const r = new FrameReader(100 * 1024 * 1024);
    const before = process.memoryUsage().arrayBuffers;
    expect(() => r.push(Buffer.from([0x7f, 0xff, 0xff, 0xff, 1, 2, 3]))).toThrow(FrameTooLargeError);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1024 * 1024);
  });

  it('rejects a negative size', () => {
    expect(() => new FrameReader(100).push(Buffer.from([0xff, 0xff, 0xff, 0xfe]))).toThrow(InvalidFrameSizeError);
  });

  it('accepts a frame of exactly the maximum size', () => {
    const r = new FrameReader(5);
    expect(r.push(frame('12345')).map(String)).toEqual(['12345']);
  });
});
