/**
 * Splits a byte stream into Kafka's size-prefixed frames (int32 size, then that many bytes).
 *
 * A declared size over `maxFrameSize` (socket.request.max.bytes) is rejected as soon as the four size
 * bytes are seen, before any of the frame is buffered, as Kafka's NetworkReceive does. Chunks are
 * kept as a list and concatenated once per frame, so a frame split across many chunks costs one copy
 * and a chunk holding many frames costs none (frames are views into it).
 */
export class FrameTooLargeError extends Error {
  override readonly name = 'FrameTooLargeError';
  constructor(
    readonly size: number,
    readonly maxFrameSize: number,
  ) {
    super(`frame of ${size} bytes exceeds the maximum of ${maxFrameSize} bytes`);
  }
}

export class InvalidFrameSizeError extends Error {
  override readonly name = 'InvalidFrameSizeError';
  constructor(readonly size: number) {
    super(`invalid frame size ${size}`);
  }
}

/** A frame's declared size, checked as Kafka's NetworkReceive does before buffering any of it. */
export function checkFrameSize(size: number, maxFrameSize: number): number {
  if (size < 0) throw new InvalidFrameSizeError(size);
  if (size > maxFrameSize) throw new FrameTooLargeError(size, maxFrameSize);
  return size;
}

export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Size of the frame being assembled, or -1 while its size prefix is incomplete. */
  private frameSize = -1;

  constructor(readonly maxFrameSize: number) {}

  /** Bytes held for an incomplete frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /**
   * Adds a chunk and returns every frame it completes (without size prefixes). Throws
   * FrameTooLargeError / InvalidFrameSizeError for a bad size prefix; the stream is then unusable.
   */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    let data = chunk;
    // Fast path: nothing pending, parse frames straight out of this chunk.
    if (this.buffered === 0) {
      let pos = 0;
      while (data.length - pos >= 4) {
        const size = this.checkSize(data.readInt32BE(pos));
        if (data.length - pos - 4 < size) break;
        frames.push(data.subarray(pos + 4, pos + 4 + size));
        pos += 4 + size;
      }
      if (pos === data.length) return frames;
      data = data.subarray(pos);
    }
    this.append(data);
    for (;;) {
      if (this.frameSize < 0) {
        if (this.buffered < 4) break;
        this.frameSize = this.checkSize(this.peekInt32());
      }
      if (this.buffered < 4 + this.frameSize) break;
      const all = this.take(4 + this.frameSize);
      frames.push(all.subarray(4));
      this.frameSize = -1;
    }
    return frames;
  }

  private checkSize(size: number): number {
    return checkFrameSize(size, this.maxFrameSize);
  }

  private append(data: Buffer): void {
    if (data.length === 0) return;
    this.chunks.push(data);
    this.buffered += data.length;
  }

  private peekInt32(): number {
    const head = this.chunks[0].length >= 4 ? this.chunks[0] : Buffer.concat(this.chunks, 4);
    return head.readInt32BE(0);
  }

  /** Removes and returns the first n buffered bytes as one Buffer. */
  private take(n: number): Buffer {
    const first = this.chunks[0];
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const c = this.chunks[0];
        const used = Math.min(c.length, n - filled);
        c.copy(out, filled, 0, used);
        filled += used;
        if (used === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(used);
      }
    }
    this.buffered -= n;
    return out;
  }
}
