/**
 * One segment of a log (Kafka's LogSegment): `<20-digit base offset>.log` holding the batches
 * exactly as appended, plus its sparse `.index` and `.timeindex`. Appends write the caller's
 * bytes with one positional write and add index entries every index.interval.bytes; reads return
 * whole batches as one Buffer; recovery re-validates every batch and truncates at the first bad
 * byte. The files themselves (paths, descriptors from a FileHandlePool so an idle segment holds
 * none, indexes loaded on first use and unloadable, renames and deletion) are SegmentFiles', in
 * segment-files.ts. I/O policy: file-io.ts (sync up to 2 MiB, async above, measured).
 */
import * as fs from 'node:fs';
import type { Logger } from '../common/logger';
import type { Time } from '../common/time';
import { FileWindow, V2_HEADER_SIZE_UP_TO_MAX_TIMESTAMP, lastOffsetAt, maxTimestampAt } from './batch-scan';
import type { FileHandlePool } from './file-handle-pool';
import { SYNC_APPEND_MAX_BYTES as IMPORTED_SYNC_APPEND_MAX_BYTES, fsyncFd, readBytes, writeAt, writeAtSync as importedWriteAtSync } from './file-io';
import type { LogConfig } from './log-config';
import { logFile, offsetIndexFile, timeIndexFile, transactionIndexFile } from './log-names';
import { OffsetIndex } from './offset-index';
import {
  type LogOffsetPosition,
  type TimestampAndOffset,
  readBatches,
  searchForOffset,
  searchForTimestamp,
  walkHeaders,
} from './segment-scan';
import { TimeIndex, type TimestampOffset } from './time-index';
import { SegmentFiles } from './segment-files';
import { rebuildFromLog } from './segment-recovery';
import type { FetchDataInfo, RecoveryListener, RecoveryResult, RollParams } from './segment-types';

export type * from './segment-types';

/** Kafka's LogSegmentOffsetOverflowException: an offset does not fit the int32 relative offset. */
export class LogSegmentOffsetOverflowError extends Error {
  override readonly name = 'LogSegmentOffsetOverflowError';
  constructor(
    readonly segment: LogSegment,
    readonly offset: number,
  ) {
    super(`Detected offset overflow at offset ${offset} in segment ${segment.logFile} (base offset ${segment.baseOffset})`);
  }
}

export interface LogSegmentOpenOptions {
  dir: string;
  baseOffset: number;
  config: LogConfig;
  time: Time;
  pool: FileHandlePool;
  /** Open files that exist (else create them; an existing file of the same name is truncated). */
  fileAlreadyExists?: boolean;
  /** '' for live segments, '.cleaned' / '.swap' while the cleaner swaps segments in. */
  fileSuffix?: string;
  logger?: Logger;
}

/** Read-ahead past the requested bytes, to cover the walk from the index entry to the target batch. */
const MIN_SCAN_SLACK = 8192;
const HEADER_SCAN_HINT = 64 * 1024;
const READ_SCAN_WINDOW = 16 * 1024;
const MAX_READ_CURSORS = 4;
const RESOLVED: Promise<void> = Promise.resolve();
// Local copies for the append path: an imported name is a getter call at each use in CommonJS.
const SYNC_APPEND_MAX_BYTES = IMPORTED_SYNC_APPEND_MAX_BYTES;
const writeAtSync = importedWriteAtSync;

export class LogSegment extends SegmentFiles {
  readonly baseOffset: number;
  readonly indexIntervalBytes: number;
  /** Fixed per segment, subtracted from segment.ms (Kafka's rollJitterMs). */
  readonly rollJitterMs: number;
  private readonly time: Time;
  private _size: number;
  private created: number;
  private bytesSinceLastIndexEntry = 0;
  /** Max timestamp of the first batch (time-based roll); undefined until known. */
  private rollingBasedTimestamp: number | undefined;
  private maxTimestampAndOffset: TimestampOffset | undefined;
  /** Written since the last fsync. */
  private dirty = false;
  /** Batch boundaries where recent reads ended: (next offset, its position). Cleared when data is cut. */
  private readCursors: { offset: number; position: number }[] = [];
  private readonly preallocated: boolean;

  private constructor(o: LogSegmentOpenOptions, size: number, offsetIndex: OffsetIndex, timeIndex: TimeIndex) {
    const suffix = o.fileSuffix ?? '';
    super(logFile(o.dir, o.baseOffset, suffix), transactionIndexFile(o.dir, o.baseOffset, suffix), offsetIndex, timeIndex, o.pool, o.logger);
    this.baseOffset = o.baseOffset;
    this.indexIntervalBytes = o.config.indexInterval;
    this.rollJitterMs = o.config.randomSegmentJitter();
    this.time = o.time;
    this._size = size;
    this.created = o.time.milliseconds();
    this.preallocated = o.config.preallocate;
  }

  /** Kafka's LogSegment.open: existing files are opened lazily; new ones are created and preallocated. */
  static async open(o: LogSegmentOpenOptions): Promise<LogSegment> {
    const suffix = o.fileSuffix ?? '';
    const maxIndexSize = o.config.maxIndexSize;
    const offsetIndex = new OffsetIndex({ file: offsetIndexFile(o.dir, o.baseOffset, suffix), baseOffset: o.baseOffset, maxIndexSize, pool: o.pool });
    const timeIndex = new TimeIndex({ file: timeIndexFile(o.dir, o.baseOffset, suffix), baseOffset: o.baseOffset, maxIndexSize, pool: o.pool });
    let size = 0;
    if (o.fileAlreadyExists) {
      size = (await fs.promises.stat(logFile(o.dir, o.baseOffset, suffix))).size;
    } else {
      const initFileSize = o.config.initFileSize;
      o.pool.useSync(logFile(o.dir, o.baseOffset, suffix), (fd) => { if (initFileSize > 0) fs.ftruncateSync(fd, initFileSize); }, { create: true });
      offsetIndex.create();
      timeIndex.create();
    }
    return new LogSegment(o, size, offsetIndex, timeIndex);
  }

  get size(): number {
    return this._size;
  }

  /** Prepares indexes to take appends again (the active segment at load, or after truncation). */
  async resizeIndexes(size: number): Promise<void> {
    await this.withIndexes(() => {
      this.offsetIndex.resize(size);
      this.timeIndex.resize(size);
    });
  }

  canConvertToRelativeOffset(offset: number): boolean {
    return this.offsetIndex.canAppendOffset(offset);
  }

  /** Kafka's shouldRoll (§4.4): size, time by record timestamps with jitter, index full, offset overflow. */
  async shouldRoll(p: RollParams): Promise<boolean> {
    const now = this.shouldRollSync(p);
    if (now !== undefined) return now;
    const params = { ...p }; // the caller may reuse `p`
    return this.withIndexes(async () => {
      await this.loadFirstBatchTimestamp();
      return this.rollDecision(params);
    });
  }

  /**
   * shouldRoll without I/O, for the append path; undefined when the indexes or the first batch's
   * timestamp have to be read first (only right after a load).
   */
  shouldRollSync(p: RollParams): boolean | undefined {
    if (!this.indexesLoaded || (this.rollingBasedTimestamp === undefined && this._size > 0)) return undefined;
    return this.rollDecision(p);
  }

  private rollDecision(p: RollParams): boolean {
    const t = this.rollingBasedTimestamp;
    const waited = t !== undefined && t >= 0 ? p.maxTimestampInMessages - t : (Number.isNaN(p.now) ? this.time.milliseconds() : p.now) - this.created;
    const reachedRollMs = waited > p.maxSegmentMs - this.rollJitterMs;
    return (
      this._size > p.maxSegmentBytes - p.messagesSize ||
      (this._size > 0 && reachedRollMs) ||
      this.offsetIndex.isFull ||
      this.timeIndex.isFull ||
      !this.canConvertToRelativeOffset(p.maxOffsetInMessages)
    );
  }

  /** Record-timestamp age of the segment (incoming max - first batch max), or wall clock if no timestamps. */
  async timeWaitedForRoll(now: number, messageTimestamp: number): Promise<number> {
    await this.loadFirstBatchTimestamp();
    const t = this.rollingBasedTimestamp;
    return t !== undefined && t >= 0 ? messageTimestamp - t : now - this.created;
  }

  /** Max timestamp of the first batch, or Long.MAX (as a number) when there is none (cleaner's compaction lag). */
  async getFirstBatchTimestamp(): Promise<number> {
    await this.loadFirstBatchTimestamp();
    const t = this.rollingBasedTimestamp;
    return t !== undefined && t >= 0 ? t : Number.MAX_VALUE;
  }

  async loadFirstBatchTimestamp(): Promise<void> {
    if (this.rollingBasedTimestamp !== undefined || this._size === 0) return;
    await this.pool.use(this.logPath, async (fd) => {
      const w = new FileWindow(fd, this._size, V2_HEADER_SIZE_UP_TO_MAX_TIMESTAMP);
      await walkHeaders(w, this.logPath, 0, V2_HEADER_SIZE_UP_TO_MAX_TIMESTAMP, ({ buf, at }) => {
        this.rollingBasedTimestamp = maxTimestampAt(buf, at);
        return false;
      });
    });
  }

  /**
   * Appends `records` (whole batches, offsets assigned) at the end of the .log with one
   * positional write, and maybe one index entry: Kafka's rule maps the last offset of this
   * append to the position where it starts, once more than index.interval.bytes were appended
   * since the last entry. The common case (indexes loaded, write up to 2 MiB) completes
   * synchronously, without an await between the write and the bookkeeping.
   */
  append(largestOffset: number, largestTimestamp: number, offsetOfMaxTimestamp: number, records: Buffer): Promise<void> {
    if (records.length === 0) return RESOLVED;
    if (!this.indexesLoaded || this.maxTimestampAndOffset === undefined) {
      return this.withIndexes(async () => {
        await this.maxTimestampAndOffsetSoFar();
        await this.append(largestOffset, largestTimestamp, offsetOfMaxTimestamp, records);
      });
    }
    if (records.length > SYNC_APPEND_MAX_BYTES) {
      if (!this.canConvertToRelativeOffset(largestOffset)) return Promise.reject(new LogSegmentOffsetOverflowError(this, largestOffset));
      return this.appendAsync(largestOffset, largestTimestamp, offsetOfMaxTimestamp, records, this._size);
    }
    try {
      this.appendSync(largestOffset, largestTimestamp, offsetOfMaxTimestamp, records);
    } catch (err) {
      return Promise.reject(err);
    }
    return RESOLVED;
  }

  /** Whether an append of `bytes` can be done by appendSync (indexes loaded, write small enough). */
  canAppendSync(bytes: number): boolean {
    return bytes <= SYNC_APPEND_MAX_BYTES && this.maxTimestampAndOffset !== undefined && this.indexesLoaded;
  }

  /**
   * append() done synchronously, for when canAppendSync(records.length); throws on failure. No view
   * of `records` is kept: the caller may reuse the buffer (a pooled request or response frame).
   */
  appendSync(largestOffset: number, largestTimestamp: number, offsetOfMaxTimestamp: number, records: Buffer): void {
    if (records.length === 0) return;
    if (!this.canConvertToRelativeOffset(largestOffset)) throw new LogSegmentOffsetOverflowError(this, largestOffset);
    const position = this._size;
    writeAtSync(this.pool.fdForSyncUse(this.logPath), records, position);
    this.afterAppend(largestOffset, largestTimestamp, offsetOfMaxTimestamp, records.length, position);
  }

  private async appendAsync(largestOffset: number, largestTimestamp: number, offsetOfMaxTimestamp: number, records: Buffer, position: number): Promise<void> {
    const unpin = this.pinIndexes();
    try {
      await this.pool.use(this.logPath, (fd) => writeAt(fd, records, position));
      this.afterAppend(largestOffset, largestTimestamp, offsetOfMaxTimestamp, records.length, position);
    } finally {
      unpin();
    }
  }

  private afterAppend(largestOffset: number, largestTimestamp: number, offsetOfMaxTimestamp: number, bytes: number, position: number): void {
    if (position === 0) this.rollingBasedTimestamp = largestTimestamp;
    this._size = position + bytes;
    this.dirty = true;
    let max = this.maxTimestampAndOffset!;
    if (largestTimestamp > max.timestamp) this.maxTimestampAndOffset = max = { timestamp: largestTimestamp, offset: offsetOfMaxTimestamp };
    if (this.bytesSinceLastIndexEntry > this.indexIntervalBytes) {
      this.offsetIndex.append(largestOffset, position);
      this.timeIndex.maybeAppend(max.timestamp, max.offset);
      this.bytesSinceLastIndexEntry = 0;
    }
    this.bytesSinceLastIndexEntry += bytes;
  }

  /** Kafka's maxTimestampAndOffsetSoFar: from appends, or the time index's last entry. */
  async maxTimestampAndOffsetSoFar(): Promise<TimestampOffset> {
    if (this.maxTimestampAndOffset) return this.maxTimestampAndOffset;
    const wasLoaded = this.indexesLoaded;
    const entry = await this.withIndexes(() => this.timeIndex.lastEntry());
    this.maxTimestampAndOffset ??= entry;
    // Retention asks every segment once; do not keep indexes it loaded only for this.
    if (!wasLoaded) this.unloadIndexes();
    return this.maxTimestampAndOffset;
  }

  /** Largest record timestamp in the segment, or the .log mtime when it has none (retention.ms). */
  async largestTimestamp(): Promise<number> {
    const max = await this.maxTimestampAndOffsetSoFar();
    return max.timestamp >= 0 ? max.timestamp : this.lastModified();
  }

  /** First batch whose last offset >= `offset`: its position and size, or null. */
  async translateOffset(offset: number, startingFilePosition = 0): Promise<LogOffsetPosition | null> {
    return this.withIndexes(() =>
      this.pool.use(this.logPath, (fd) => {
        const from = Math.max(this.offsetIndex.lookup(offset).position, startingFilePosition);
        return searchForOffset(new FileWindow(fd, this._size, HEADER_SCAN_HINT), this.logPath, offset, from);
      }),
    );
  }

  /**
   * Whole batches starting with the one holding the first offset >= startOffset: at most maxSize
   * bytes (the first batch whole even if larger when minOneMessage), never beyond maxPosition,
   * and no batch whose last offset >= maxOffset (exclusive bound, e.g. the high watermark).
   * null when startOffset is beyond this segment's data.
   */
  async read(
    startOffset: number,
    maxSize: number,
    maxPosition: number = this._size,
    minOneMessage = false,
    maxOffset?: number,
  ): Promise<FetchDataInfo | null> {
    if (maxSize < 0) throw new RangeError(`Invalid max size ${maxSize} for log read from segment ${this.logPath}`);
    return this.withIndexes(async () => {
      const limit = Math.min(maxPosition, this._size);
      // A reader continuing where a previous read ended (consumers, followers) starts at the exact
      // position and reads once. Otherwise: the index entry maps the LAST offset of an append to
      // its start, so the batch holding startOffset usually begins one append after the entry;
      // scan with a small window, then read the data in one exact read (readBatches).
      const cursor = this.readCursors.find((c) => c.offset === startOffset);
      const from = cursor?.position ?? this.offsetIndex.lookup(startOffset).position;
      if (from >= limit) return null;
      const hint = cursor ? maxSize : Math.min(maxSize, READ_SCAN_WINDOW) + Math.max(MIN_SCAN_SLACK, 2 * this.indexIntervalBytes);
      const result = await this.pool.use(this.logPath, (fd) =>
        readBatches(new FileWindow(fd, limit, hint), this.logPath, startOffset, from, maxSize, minOneMessage, maxOffset),
      );
      if (result?.nextOffset !== undefined) this.rememberReadEnd(result.nextOffset, result.endPosition!);
      return result === null ? null : { ...result, segmentBaseOffset: this.baseOffset };
    });
  }

  /** Keeps where the last few reads ended (a batch boundary) so the next read there needs no scan. */
  private rememberReadEnd(offset: number, position: number): void {
    const cursors = this.readCursors.filter((c) => c.offset !== offset);
    cursors.push({ offset, position });
    if (cursors.length > MAX_READ_CURSORS) cursors.shift();
    this.readCursors = cursors;
  }

  /** Kafka's findOffsetByTimestamp: time index, then offset index, then a batch walk. */
  async findOffsetByTimestamp(timestamp: number, startingOffset: number = this.baseOffset): Promise<TimestampAndOffset | null> {
    return this.withIndexes(() => {
      const timestampOffset = this.timeIndex.lookup(timestamp);
      const position = this.offsetIndex.lookup(Math.max(timestampOffset.offset, startingOffset)).position;
      return this.pool.use(this.logPath, (fd) =>
        searchForTimestamp(new FileWindow(fd, this._size, HEADER_SCAN_HINT), this.logPath, timestamp, position, startingOffset),
      );
    });
  }

  /** Offset after the last batch (the log end offset when this is the active segment). */
  async readNextOffset(): Promise<number> {
    return this.withIndexes(() =>
      this.pool.use(this.logPath, async (fd) => {
        let next = this.baseOffset;
        const from = this.offsetIndex.lookup(this.offsetIndex.lastOffset).position;
        await walkHeaders(new FileWindow(fd, this._size, HEADER_SCAN_HINT), this.logPath, from, 27, ({ buf, at }) => {
          next = lastOffsetAt(buf, at) + 1;
        });
        return next;
      }),
    );
  }

  /** Removes every batch from the one holding `offset` on; returns the bytes removed. */
  async truncateTo(offset: number): Promise<number> {
    return this.withIndexes(async () => {
      const mapping = await this.translateOffset(offset);
      this.offsetIndex.truncateTo(offset);
      this.timeIndex.truncateTo(offset);
      // The segment takes appends again: give the indexes their preallocated room back.
      this.offsetIndex.resize(this.offsetIndex.maxIndexSize);
      this.timeIndex.resize(this.timeIndex.maxIndexSize);
      let truncated = 0;
      this.readCursors = [];
      if (mapping !== null && mapping.position < this._size) {
        truncated = this._size - mapping.position;
        this.pool.useSync(this.logPath, (fd) => fs.ftruncateSync(fd, mapping.position));
        this._size = mapping.position;
        this.dirty = true;
      }
      if (this._size === 0) {
        this.created = this.time.milliseconds();
        this.rollingBasedTimestamp = undefined;
      }
      this.bytesSinceLastIndexEntry = 0;
      await this.loadLargestTimestamp();
      return truncated;
    });
  }

  /** Max timestamp from the time index's last entry and the batches after it (after truncation). */
  private async loadLargestTimestamp(): Promise<void> {
    let max = this.timeIndex.lastEntry();
    const from = this.offsetIndex.lookup(max.offset).position;
    await this.pool.use(this.logPath, (fd) =>
      walkHeaders(new FileWindow(fd, this._size, HEADER_SCAN_HINT), this.logPath, from, V2_HEADER_SIZE_UP_TO_MAX_TIMESTAMP, ({ buf, at }) => {
        const ts = maxTimestampAt(buf, at);
        if (ts > max.timestamp) max = { timestamp: ts, offset: lastOffsetAt(buf, at) };
      }),
    );
    this.maxTimestampAndOffset = max;
  }

  /**
   * Kafka's recover: re-reads every batch, validating header and CRC, rebuilds both indexes, and
   * truncates the .log at the first invalid byte (torn tail, bad CRC, impossible length, offsets
   * going backwards). Everything before the damage is kept.
   */
  override async recover(onBatch?: RecoveryListener): Promise<RecoveryResult> {
    this.offsetIndex.reset();
    this.timeIndex.reset();
    this.readCursors = [];
    const scan = await this.pool.use(this.logPath, (fd) =>
      rebuildFromLog({
        fd,
        file: this.logPath,
        baseOffset: this.baseOffset,
        indexIntervalBytes: this.indexIntervalBytes,
        offsetIndex: this.offsetIndex,
        timeIndex: this.timeIndex,
        onBatch,
      }),
    );
    const { validBytes, fileSize, corruption, maxTimestamp } = scan;
    if (corruption) {
      this.logger?.warn(
        { ...corruption, truncatedBytes: fileSize - validBytes },
        `Found invalid messages in log segment ${corruption.file} at byte offset ${corruption.position}: ${corruption.reason}; truncating`,
      );
      this.dirty = true;
    }
    this._size = validBytes;
    this.offsetIndex.trimToValidSize();
    this.timeIndex.maybeAppend(maxTimestamp.timestamp, maxTimestamp.offset, true);
    this.timeIndex.trimToValidSize();
    this.maxTimestampAndOffset = maxTimestamp;
    this.rollingBasedTimestamp = scan.firstBatchTimestamp;
    this.bytesSinceLastIndexEntry = validBytes - scan.lastIndexEntry;
    return { truncatedBytes: fileSize - validBytes, corruption };
  }

  /** On roll: the final time index entry (max timestamp), indexes trimmed, a preallocated .log trimmed. */
  async onBecomeInactiveSegment(): Promise<void> {
    await this.withIndexes(async () => {
      const max = await this.maxTimestampAndOffsetSoFar();
      this.timeIndex.maybeAppend(max.timestamp, max.offset, true);
      this.offsetIndex.trimToValidSize();
      this.timeIndex.trimToValidSize();
      this.trimLog();
    });
  }

  private trimLog(): void {
    if (!this.preallocated) return;
    this.pool.useSync(this.logPath, (fd) => {
      if (fs.fstatSync(fd).size > this._size) fs.ftruncateSync(fd, this._size);
    });
  }

  /** fsync of the .log and of the indexes in memory. */
  async flush(): Promise<void> {
    await this.pool.use(this.logPath, (fd) => fsyncFd(fd));
    for (const index of [this.offsetIndex, this.timeIndex]) {
      if (index.isLoaded) await index.flush();
    }
    this.dirty = false;
  }

  /** Raw bytes [position, position + length) of the .log (tools, the cleaner). */
  async readBytes(position: number, length: number): Promise<Buffer> {
    return this.pool.use(this.logPath, (fd) => readBytes(fd, position, Math.max(0, Math.min(length, this._size - position))));
  }

  /** Kafka's close: final time index entry, trimmed indexes and .log, fsync if written, fds released. */
  async close(): Promise<void> {
    if (this.maxTimestampAndOffset && this.timeIndex.isLoaded) {
      try {
        this.timeIndex.maybeAppend(this.maxTimestampAndOffset.timestamp, this.maxTimestampAndOffset.offset, true);
      } catch (err) {
        // As Kafka (CoreUtils.swallow): a missing final entry only makes the index sparser.
        this.logger?.warn({ err, file: this.timeIndex.file }, 'Could not append the final time index entry on close');
      }
    }
    await this.offsetIndex.close();
    await this.timeIndex.close();
    this.trimLog();
    if (this.dirty) await this.flush();
    await this.pool.evict(this.logPath);
  }

  override toString(): string {
    return `LogSegment(baseOffset=${this.baseOffset}, size=${this._size}, file=${this.logPath})`;
  }
}
