/**
 * Splits a byte stream into Kafka's size-prefixed frames (int32 size, then that many bytes), like
 * FrameReader, but for a socket that reads into buffers we choose (net.connect's `onread`): the owner
 * reads into `nextReadBuffer()` and then reports the byte count to `onRead(nread)`.
 *
 * Small frames are read into a scratch buffer and returned as views into it. A frame too big for the
 * rest of the scratch gets its own buffer, sized once from the size prefix; the bytes already read are
 * copied in, and every later read lands directly in `frame.subarray(filled)`, so a multi-megabyte Fetch
 * response costs no reassembly copy and no per-read 64 KiB allocations.
 *
 * Views stay valid after onRead returns because the scratch is append-only: reads only ever go to its
 * unused tail, and once views have been handed out from it, a full scratch is replaced by a fresh one
 * rather than rewound. That costs one 64 KiB allocation per 64 KiB of small frames (what Node's own
 * 'data' path allocates per read anyway) and no per-frame copy, which is cheaper than copying each
 * small frame out so the scratch could be reused; a scratch nobody holds a view into is reused.
 *
 * Big frames tend to follow big frames (a follower's Fetch responses under load, a producer's large
 * Produce requests), and the first read of one lands in the scratch, to be copied. So after a frame
 * that had its own buffer, the next read is limited to PROBE_READ_BYTES: if it starts another big
 * frame, only that much is copied (not up to 64 KiB); if not, the reads after it use the whole scratch.
 *
 * Size checks match FrameReader: a negative size or one over `maxFrameSize` throws as soon as the four
 * size bytes are known, before any of the frame is buffered; the stream is then unusable.
 */
import { checkFrameSize } from './frame-reader';

/** The read after a big frame: enough for a size prefix and any small frames queued behind it. */
export const PROBE_READ_BYTES = 4096;

export class DirectFrameReader {
  private scratch: Buffer;
  /** Start of the unparsed bytes in scratch (a partial frame or size prefix). */
  private start = 0;
  /** End of the bytes read into scratch. */
  private end = 0;
  /** Whether frames were handed out as views into the current scratch, so it must not be rewound. */
  private shared = false;
  /** The frame being read straight into its own buffer (without size prefix), or null. */
  private frame: Buffer | null = null;
  private filled = 0;
  /** Length of the buffer last returned by nextReadBuffer, to reject an impossible nread. */
  private readable = 0;
  /** The last frame completed had its own buffer: the next read is a short probe (PROBE_READ_BYTES). */
  private afterBigFrame = false;

  /**
   * `allocateFrame` gives a big frame its buffer (default Buffer.allocUnsafe); the replica fetcher
   * takes them from a pool and gives each back once its records are appended.
   */
  constructor(
    readonly maxFrameSize: number,
    private readonly scratchBytes = 64 * 1024,
    private readonly allocateFrame: (size: number) => Buffer = Buffer.allocUnsafe,
  ) {
    // A size prefix must fit in the scratch, and a tail this small would make reads useless.
    if (!Number.isInteger(scratchBytes) || scratchBytes < 8) throw new RangeError(`scratch of ${scratchBytes} bytes is too small`);
    this.scratch = Buffer.allocUnsafe(scratchBytes);
  }

  /** Bytes held for an incomplete frame, size prefix included. */
  get pendingBytes(): number {
    return this.frame !== null ? 4 + this.filled : this.end - this.start;
  }

  /**
   * The buffer the next read must fill from its start (never empty). Calling it again before onRead
   * returns the same region.
   */
  nextReadBuffer(): Buffer {
    let out: Buffer;
    if (this.frame !== null) {
      out = this.frame.subarray(this.filled);
    } else {
      // Normally onRead already left room; this also covers the state left behind by a thrown error.
      if (this.end === this.scratch.length) this.relocate();
      out = this.afterBigFrame ? this.scratch.subarray(this.end, this.end + PROBE_READ_BYTES) : this.scratch.subarray(this.end);
    }
    this.readable = out.length;
    return out;
  }

  /**
   * Accounts for `nread` bytes read into the last nextReadBuffer() and returns every frame they complete
   * (without size prefixes). Throws FrameTooLargeError / InvalidFrameSizeError for a bad size prefix.
   */
  onRead(nread: number): Buffer[] {
    if (!Number.isInteger(nread) || nread < 0 || nread > this.readable) {
      throw new RangeError(`read of ${nread} bytes into a buffer of ${this.readable}`);
    }
    this.readable -= nread;
    if (nread === 0) return [];
    if (this.frame !== null) {
      this.filled += nread;
      if (this.filled < this.frame.length) return [];
      const done = this.frame;
      this.frame = null;
      this.filled = 0;
      this.afterBigFrame = true;
      this.prepare();
      return [done];
    }
    this.end += nread;
    this.afterBigFrame = false;
    const frames: Buffer[] = [];
    const s = this.scratch;
    while (this.end - this.start >= 4) {
      const size = checkFrameSize(s.readInt32BE(this.start), this.maxFrameSize);
      if (this.end - this.start - 4 < size) break;
      frames.push(s.subarray(this.start + 4, this.start + 4 + size));
      this.start += 4 + size;
    }
    if (frames.length > 0) this.shared = true;
    this.prepare();
    return frames;
  }

  /** Decides where the next read goes, given the partial frame at scratch[start, end). */
  private prepare(): void {
    const pending = this.end - this.start;
    if (pending === 0 && !this.shared) {
      // Nothing references this scratch: rewind it for free.
      this.start = this.end = 0;
      return;
    }
    if (pending >= 4) {
      // The size was checked by the parse loop that stopped here.
      const size = this.scratch.readInt32BE(this.start);
      if (this.start + 4 + size <= this.scratch.length) return;
      if (size > this.scratchBytes / 4) {
        // Big frame: give it its own buffer and read the rest of it in place.
        this.frame = this.allocateFrame(size);
        this.filled = this.scratch.copy(this.frame, 0, this.start + 4, this.end);
        this.start = this.end;
        if (!this.shared) this.start = this.end = 0;
        return;
      }
      // A small frame straddling the end moves to a fresh scratch (copying under a quarter of it), so
      // its tail arrives together with the frames after it instead of in a tiny read of its own.
      this.relocate();
      return;
    }
    // No size known yet (0-3 bytes): avoid tiny reads at the end of the scratch.
    if (this.scratch.length - this.end < Math.max(4, this.scratchBytes / 16)) this.relocate();
  }

  /** Moves the partial frame to the front of the scratch, or of a fresh one if views point into it. */
  private relocate(): void {
    const pending = this.end - this.start;
    if (this.shared) {
      const fresh = Buffer.allocUnsafe(this.scratchBytes);
      this.scratch.copy(fresh, 0, this.start, this.end);
      this.scratch = fresh;
      this.shared = false;
    } else {
      this.scratch.copyWithin(0, this.start, this.end);
    }
    this.start = 0;
    this.end = pending;
  }
}
