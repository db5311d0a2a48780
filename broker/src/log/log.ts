/**
 * One partition's log (Kafka 2.8's Log): an ordered list of segments, the last one active.
 * Appends (leader and follower) are validated, offset-assigned and written to the active
 * segment, rolling a new segment by size, record-timestamp age, index fullness or offset
 * overflow; reads return whole batches as one Buffer; retention and DeleteRecords move the log
 * start offset and delete old segments (renamed `.deleted`, removed after file.delete.delay.ms).
 *
 * Offsets are JS numbers (safe integers); the high watermark is not stored here (callers pass
 * it). Every mutation runs on one promise chain (the "lock"), so concurrent callers never
 * interleave; reads work on a snapshot of the (copy-on-write) segment list and of the log end
 * offset's position, so they never see half an append.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KafkaProtocolError } from '../protocol/error-codes';
import { baseOffsetAt, magicAt, partitionLeaderEpochAt } from './batch-scan';
import { FileHandlePool } from './file-handle-pool';
import { LogCore, noop } from './log-core';
import { loadSegments } from './log-loader';
import { CLEANED_FILE_SUFFIX, SWAP_FILE_SUFFIX, type TopicPartition, logDirName, parseTopicPartitionName } from './log-names';
import { findOffsetByTimestamp, readSegments } from './log-read';
import { deletableSegments, logStartOffsetBreached, retentionMsBreached, retentionSizeBreached, type RetentionPredicate } from './log-retention';
import { LogSegment, type RecoveryListener, type RollParams } from './log-segment';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, type LogLoadOptions, type LogReadInfo, type LogReadOptions } from './log-types';
import {
  type LeaderAppendContext,
  type LogAppendInfo,
  type PrepareContext,
  type PreparedLeaderAppend,
  UnexpectedAppendOffsetError,
  analyzeFollowerRecords,
  assignOffsets as importedAssignOffsets,
  prepareLeaderAppend as importedPrepareLeaderAppend,
} from './log-validator';
import type { TimestampAndOffset } from './segment-scan';

export * from './log-types';

const INT32_MAX = 2147483647;
/** Long.MAX_VALUE as a number: message.timestamp.difference.max.ms when unbounded. */
const LONG_MAX = 2 ** 63;
// Local copies for the append path: an imported name is a getter call at each use in CommonJS.
const assignOffsets = importedAssignOffsets;
const prepareLeaderAppend = importedPrepareLeaderAppend;

export class Log extends LogCore {
  // Argument objects of the append path, reused: the synchronous calls that take them keep no
  // reference (a prepare that goes asynchronous keeps its context, which is then replaced).
  private prepareContext: PrepareContext;
  private readonly assignContext: LeaderAppendContext;
  private readonly rollContext: RollParams;

  private constructor(o: LogLoadOptions, pool: FileHandlePool, ownsPool: boolean) {
    super(o, pool, ownsPool);
    this.prepareContext = { config: this._config, topicPartition: this._name, leaderEpoch: -1, now: 0 };
    this.assignContext = { config: this._config, topicPartition: this._name, nextOffset: 0, leaderEpoch: -1, now: 0, logStartOffset: 0 };
    this.rollContext = { maxSegmentMs: 0, maxSegmentBytes: 0, maxTimestampInMessages: 0, maxOffsetInMessages: 0, messagesSize: 0, now: 0 };
  }

  /** Opens (or creates) the log in `dir`, recovering it after an unclean shutdown. */
  static async load(o: LogLoadOptions): Promise<Log> {
    const ownsPool = o.filePool === undefined;
    const pool = o.filePool ?? new FileHandlePool({ maxOpen: 64, time: o.time });
    const log = new Log(o, pool, ownsPool);
    const cache = o.leaderEpochCache;
    const onRecoveredBatch: RecoveryListener | undefined =
      cache || o.onRecoveredBatch
        ? async (batch) => {
            if (cache && batch.magic >= 2 && batch.partitionLeaderEpoch >= 0) await cache.assign(batch.partitionLeaderEpoch, batch.baseOffset);
            await o.onRecoveredBatch?.(batch);
          }
        : undefined;
    const result = await loadSegments({
      dir: o.dir,
      config: o.config,
      time: o.time,
      pool,
      logger: log.logger,
      recoveryPoint: o.recoveryPoint,
      logStartOffset: o.logStartOffset,
      hadCleanShutdown: o.hadCleanShutdown,
      onRecoveredBatch,
      asyncDeleteSegments: (segments) => log.deleteSegmentFiles(segments, true),
    });
    log.segs = result.segments;
    log._logStartOffset = result.logStartOffset;
    log._recoveryPoint = result.recoveryPoint;
    log.setLogEndOffset(result.nextOffset);
    if (cache) {
      await cache.truncateFromEnd(result.nextOffset);
      await cache.truncateFromStart(result.logStartOffset);
    }
    log.logger.info(
      { segments: result.segments.length, logStartOffset: result.logStartOffset, logEndOffset: result.nextOffset, recoveryPoint: result.recoveryPoint },
      `Loaded log ${log.name}`,
    );
    return log;
  }

  /** `<topic>-<partition>` from a directory name (partition after the LAST '-'). */
  static parseTopicPartitionName(dirName: string): TopicPartition {
    return parseTopicPartitionName(dirName);
  }

  static logDirName(tp: TopicPartition): string {
    return logDirName(tp);
  }

  /**
   * Kafka's appendAsLeader: validates the batches (CRC, sizes, counts, flags, and where configured
   * keys and timestamps), assigns offsets from the log end offset in place, stamps the leader
   * epoch and LogAppendTime, and appends. v0/v1 input is up-converted to one v2 batch first.
   * No view of `records` is kept once the promise settles: the caller may reuse the buffer (the
   * socket server's pooled request frames).
   */
  appendAsLeader(records: Buffer, leaderEpoch: number): Promise<LogAppendInfo> {
    // Validation (CRC, structure, conversion) needs no log state, so it runs now, outside the lock:
    // the next produce to this partition is checked while the previous append is still being written.
    // The lock is still taken in call order, so offsets follow the order of the calls.
    let prepared: PreparedLeaderAppend | Promise<PreparedLeaderAppend>;
    const now = this.appendClock();
    const ctx = this.prepareContext;
    ctx.config = this._config;
    ctx.leaderEpoch = leaderEpoch;
    ctx.now = now;
    try {
      prepared = prepareLeaderAppend(records, ctx);
    } catch (err) {
      prepared = Promise.reject(err as Error); // reported inside the lock, in call order, as before
    }
    if (prepared instanceof Promise) {
      this.prepareContext = { ...ctx }; // the pending prepare keeps `ctx`
      prepared.catch(noop); // observed below, inside the lock; this only keeps the rejection "handled" meanwhile
    } else if (this.lockIsFree && !this.closed) {
      const done = this.appendPreparedNow(prepared, leaderEpoch, now, false);
      if (done !== undefined) return done;
    }
    const ready = prepared;
    return this.withLock(() => {
      this.checkOpen();
      // Queued behind a slow call: done synchronously when it starts, if it can be (see withLock).
      const done = ready instanceof Promise ? undefined : this.appendPreparedNow(ready, leaderEpoch, this.appendClock(), true);
      return done ?? this.appendPreparedAsync(ready, leaderEpoch);
    });
  }

  private async appendPreparedAsync(ready: PreparedLeaderAppend | Promise<PreparedLeaderAppend>, leaderEpoch: number): Promise<LogAppendInfo> {
    return this.appendPrepared(await ready, leaderEpoch);
  }

  /** The rest of appendAsLeader, under the lock. */
  private async appendPrepared(prepared: PreparedLeaderAppend, leaderEpoch: number): Promise<LogAppendInfo> {
    const info = assignOffsets(prepared, this.offsetContext(leaderEpoch, this.appendClock()));
    const valid = prepared.records;
    if (info.shallowCount === 0) return info;
    this.checkSegmentSize(valid.length);
    if (this.leaderEpochCache && leaderEpoch >= 0) await this.leaderEpochCache.assign(leaderEpoch, info.firstOffset);
    await this.appendValidated(valid, info);
    return info;
  }

  /**
   * appendPrepared without a turn of the event loop, for the common case: the lock is free (so
   * this is as if under it) or `locked` (held by this call), the active segment takes the write
   * synchronously and needs no roll. Returns undefined, having changed nothing, when the append
   * must take the asynchronous path (appendPrepared) instead.
   */
  private appendPreparedNow(prepared: PreparedLeaderAppend, leaderEpoch: number, now: number, locked: boolean): Promise<LogAppendInfo> | undefined {
    const segment = this.activeSegment;
    if (!segment.canAppendSync(prepared.records.length)) return undefined;
    // Offsets are written into the batch here; if the locked path is taken after all, it writes
    // the same ones again (the log end offset cannot move before it runs).
    const info = assignOffsets(prepared, this.offsetContext(leaderEpoch, now));
    const valid = prepared.records;
    if (info.shallowCount === 0) return Promise.resolve(info);
    if (valid.length > this._config.segmentSize || segment.shouldRollSync(this.rollParams(valid.length, info, now)) !== false) return undefined;
    let assigning: unknown;
    try {
      if (this.leaderEpochCache && leaderEpoch >= 0) assigning = this.leaderEpochCache.assign(leaderEpoch, info.firstOffset);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    // A new epoch: the cache writes its checkpoint first, as Kafka records the epoch before the data.
    if (assigning instanceof Promise) return this.lockedIf(locked, () => assigning.then(() => this.appendValidated(valid, info)).then(() => info));
    try {
      segment.appendSync(info.lastOffset, info.maxTimestamp, info.offsetOfMaxTimestamp, valid);
    } catch (err) {
      return Promise.reject(this.storageError(err, 'appending to') as Error);
    }
    this.leo = { offset: info.lastOffset + 1, segmentBaseOffset: segment.baseOffset, position: segment.size };
    if (this.unflushedMessages >= this._config.flushInterval) return this.lockedIf(locked, () => this.flush().then(() => info));
    return Promise.resolve(info);
  }

  /**
   * The time an append needs, read only when the topic's settings use it (LogAppendTime, a
   * finite message.timestamp.difference.max.ms); else NaN, and a segment rolling by time reads
   * the clock itself if its records carry no timestamps. Saves a clock read (~60 ns here) per append.
   */
  private appendClock(): number {
    const config = this._config;
    return config.messageTimestampType === 'LogAppendTime' || config.messageTimestampDifferenceMaxMs < LONG_MAX ? this.time.milliseconds() : Number.NaN;
  }

  /** Runs `fn` now when the caller holds the lock, else under it. */
  private lockedIf<T>(locked: boolean, fn: () => Promise<T>): Promise<T> {
    return locked ? fn() : this.withLock(fn);
  }

  /** The offset assignment's context, valid until the next call (assignOffsets keeps no reference). */
  private offsetContext(leaderEpoch: number, now: number): LeaderAppendContext {
    const ctx = this.assignContext;
    ctx.config = this._config;
    ctx.nextOffset = this.leo.offset;
    ctx.leaderEpoch = leaderEpoch;
    ctx.now = now;
    ctx.logStartOffset = this._logStartOffset;
    return ctx;
  }

  /** The roll check's parameters, valid until the next call (shouldRoll reads them before its first await). */
  private rollParams(messagesSize: number, info: LogAppendInfo, now: number): RollParams {
    const p = this.rollContext;
    p.maxSegmentMs = this._config.maxSegmentMs;
    p.maxSegmentBytes = this._config.segmentSize;
    p.maxTimestampInMessages = info.maxTimestamp;
    p.maxOffsetInMessages = info.lastOffset;
    p.messagesSize = messagesSize;
    p.now = now;
    return p;
  }

  /**
   * Kafka's appendAsFollower: the leader's batches as they are (offsets and epochs kept), CRC
   * checked; the first offset must not be below the log end offset (UnexpectedAppendOffsetError,
   * which the fetcher answers with truncateFullyAndStartAt). No view of `records` is kept once the
   * promise settles: the fetcher reuses its response buffer.
   */
  appendAsFollower(records: Buffer): Promise<LogAppendInfo> {
    return this.withLock(async () => {
      this.checkOpen();
      const info = analyzeFollowerRecords(records, this.name);
      const appendInfo: LogAppendInfo = { ...info, logStartOffset: this._logStartOffset };
      if (info.shallowCount === 0) return appendInfo;
      if (info.firstOffset < this.leo.offset) {
        throw new UnexpectedAppendOffsetError(
          `Unexpected offset in append to ${this.name}. First offset ${info.firstOffset} is less than the next offset ${this.leo.offset}. ` +
            `Last offset in append: ${info.lastOffset}. Log start offset = ${this._logStartOffset}`,
          info.firstOffset,
          info.lastOffset,
        );
      }
      const valid = records.subarray(0, info.validBytes);
      this.checkSegmentSize(valid.length);
      if (this.leaderEpochCache) {
        for (let pos = 0; pos < valid.length; pos += valid.readInt32BE(pos + 8) + 12) {
          const epoch = partitionLeaderEpochAt(valid, pos);
          if (magicAt(valid, pos) >= 2) {
            if (epoch >= 0) await this.leaderEpochCache.assign(epoch, baseOffsetAt(valid, pos));
          } else {
            // Kafka: a message format regression means truncation falls back to the high watermark.
            this.logger.warn(`Clearing leader epoch cache after unexpected append with message format v${magicAt(valid, pos)}`);
            await this.leaderEpochCache.clearAndFlush();
            break;
          }
        }
      }
      await this.appendValidated(valid, appendInfo);
      return appendInfo;
    });
  }

  private checkSegmentSize(bytes: number): void {
    if (bytes > this._config.segmentSize) {
      throw new KafkaProtocolError(
        'RECORD_LIST_TOO_LARGE',
        `Message batch size is ${bytes} bytes in append to partition ${this.name}, which exceeds the maximum configured segment size of ${this._config.segmentSize}.`,
      );
    }
  }

  private async appendValidated(records: Buffer, info: LogAppendInfo): Promise<void> {
    try {
      let segment = this.activeSegment;
      const params = this.rollParams(records.length, info, this.time.milliseconds());
      // Kafka's maybeRoll (§4.4); the new segment starts at the first incoming offset.
      if (segment.shouldRollSync(params) ?? (await segment.shouldRoll(params))) {
        this.logger.debug({ segment: segment.baseOffset, size: segment.size, messagesSize: records.length }, 'Rolling new log segment');
        segment = await this.rollLocked(info.firstOffset >= 0 ? info.firstOffset : info.lastOffset - INT32_MAX);
      }
      await segment.append(info.lastOffset, info.maxTimestamp, info.offsetOfMaxTimestamp, records);
      this.leo = { offset: info.lastOffset + 1, segmentBaseOffset: segment.baseOffset, position: segment.size };
    } catch (err) {
      throw this.storageError(err, 'appending to');
    }
    if (this.unflushedMessages >= this._config.flushInterval) await this.flush();
  }

  /** Rolls a new active segment at max(expectedNextOffset, log end offset). */
  roll(expectedNextOffset?: number): Promise<LogSegment> {
    return this.withLock(() => this.io('rolling', () => this.rollLocked(expectedNextOffset)));
  }

  /**
   * Whole batches from the one holding startOffset, up to maxBytes (see LogReadOptions). Reading
   * at the log end offset returns nothing; below the log start offset or above the log end offset
   * is OFFSET_OUT_OF_RANGE.
   */
  read(startOffset: number, maxBytes: number, opts: LogReadOptions): Promise<LogReadInfo> {
    const snapshot = { name: this._name, segments: this.segs, leo: this.leo, logStartOffset: this._logStartOffset, onInactiveRead: this.onInactiveRead };
    return this.io('reading', () => readSegments(snapshot, startOffset, maxBytes, opts));
  }

  /**
   * ListOffsets: EARLIEST_TIMESTAMP (-2) gives the log start offset and LATEST_TIMESTAMP (-1) the
   * log end offset, both with timestamp -1 (the caller adds the leader epoch from its cache);
   * otherwise the first record with timestamp >= target in the first segment whose largest
   * timestamp reaches it, with that batch's leader epoch; null when there is none.
   */
  async fetchOffsetByTimestamp(timestamp: number): Promise<TimestampAndOffset | null> {
    if (timestamp === EARLIEST_TIMESTAMP) return { timestamp: -1, offset: this._logStartOffset };
    if (timestamp === LATEST_TIMESTAMP) return { timestamp: -1, offset: this.leo.offset };
    const segs = this.segs;
    return this.io('searching by timestamp in', () => findOffsetByTimestamp(segs, timestamp, this._logStartOffset));
  }

  /**
   * Removes everything from the batch holding `targetOffset` on (follower truncation). Returns
   * false when there is nothing to remove. The log end offset becomes the end of the last whole
   * batch kept (== targetOffset when it falls on a batch boundary).
   */
  truncateTo(targetOffset: number): Promise<boolean> {
    if (targetOffset < 0) return Promise.reject(new RangeError(`Cannot truncate partition ${this.name} to a negative offset (${targetOffset}).`));
    return this.withLock(async () => {
      this.checkOpen();
      if (targetOffset >= this.leo.offset) return false;
      this.logger.info({ targetOffset }, `Truncating ${this.name} to offset ${targetOffset}`);
      if (this.segs[0]!.baseOffset > targetOffset) {
        await this.truncateFullyAndStartAtLocked(targetOffset);
        return true;
      }
      await this.io('truncating', async () => {
        await this.removeAndDeleteSegments(this.segs.filter((s) => s.baseOffset > targetOffset), true);
        const active = this.activeSegment;
        this.loadedInactive = this.loadedInactive.filter((s) => s !== active);
        await active.truncateTo(targetOffset);
        const next = Math.min(targetOffset, await active.readNextOffset());
        this.setLogEndOffset(next);
        if (this._recoveryPoint > next) this._recoveryPoint = next;
        this._logStartOffset = Math.min(next, this._logStartOffset);
      });
      await this.leaderEpochCache?.truncateFromEnd(this.leo.offset);
      return true;
    });
  }

  /** Deletes every segment and starts an empty log at `newOffset` (follower out of range). */
  truncateFullyAndStartAt(newOffset: number): Promise<void> {
    return this.withLock(() => {
      this.checkOpen();
      return this.truncateFullyAndStartAtLocked(newOffset);
    });
  }

  private async truncateFullyAndStartAtLocked(newOffset: number): Promise<void> {
    this.logger.info({ newOffset }, `Truncating ${this.name} fully and starting at offset ${newOffset}`);
    await this.io('truncating', async () => {
      await this.removeAndDeleteSegments([...this.segs], true);
      const segment = await this.newSegment(newOffset);
      this.segs = [segment];
      this.setLogEndOffset(newOffset);
      this._logStartOffset = newOffset;
      this._recoveryPoint = newOffset;
    });
    await this.leaderEpochCache?.clearAndFlush();
  }

  /**
   * DeleteRecords: moves the log start offset up (never down). With a high watermark given, an
   * offset above it is OFFSET_OUT_OF_RANGE, as in Kafka; above the log end offset always is.
   * Segments wholly below the new start are deleted by the next deleteOldSegments.
   */
  maybeIncrementLogStartOffset(newLogStartOffset: number, highWatermark?: number): Promise<boolean> {
    return this.withLock(async () => {
      this.checkOpen();
      const bound = Math.min(highWatermark ?? this.leo.offset, this.leo.offset);
      if (newLogStartOffset > bound) {
        throw new KafkaProtocolError(
          'OFFSET_OUT_OF_RANGE',
          `Cannot increment the log start offset to ${newLogStartOffset} of partition ${this.name} since it is larger than the high watermark ${bound}`,
        );
      }
      return this.incrementLogStartOffset(newLogStartOffset);
    });
  }

  /**
   * Retention (§4.6): by log start offset always; by retention.bytes and retention.ms when
   * cleanup.policy includes delete. Only segments wholly below `highWatermark` go, never an empty
   * last segment; if every segment would go, a new one is rolled first. Returns how many went.
   */
  deleteOldSegments(highWatermark: number): Promise<number> {
    return this.withLock(async () => {
      this.checkOpen();
      const hw = Math.min(highWatermark, this.leo.offset);
      let deleted = await this.deleteMatching(hw, logStartOffsetBreached(this._logStartOffset), 'log start offset breach');
      if (this._config.delete) {
        const bySize = retentionSizeBreached(this._config, this.size);
        if (bySize) deleted += await this.deleteMatching(hw, bySize, 'retention size breach');
        const byTime = retentionMsBreached(this._config, this.time.milliseconds());
        if (byTime) deleted += await this.deleteMatching(hw, byTime, 'retention time breach');
      }
      return deleted;
    });
  }

  private async deleteMatching(highWatermark: number, predicate: RetentionPredicate, reason: string): Promise<number> {
    const deletable = await deletableSegments(this.segs, this.leo.offset, highWatermark, predicate);
    if (deletable.length === 0) return 0;
    await this.io('deleting segments of', async () => {
      if (deletable.length === this.segs.length) await this.rollLocked();
      this.logger.info({ segments: deletable.map((s) => s.baseOffset), reason }, `Deleting segments of ${this.name} due to ${reason}`);
      await this.removeAndDeleteSegments(deletable, true);
      await this.incrementLogStartOffset(this.segs[0]!.baseOffset);
    });
    return deletable.length;
  }

  /**
   * Kafka's close: trims indexes (and a preallocated .log), fsyncs what was written since the
   * last flush, releases descriptors. Segments awaiting deletion are deleted now.
   */
  close(): Promise<void> {
    return this.withLock(async () => {
      if (this.closed) return;
      this.closed = true;
      this.cancelTasks();
      await this.deleter.runAll();
      for (const segment of this.segs) await segment.close();
      if (this.ownsPool) await this.pool.close();
      this.logger.debug(`Closed log ${this.name}`);
    });
  }

  /** Removes the log: every segment and the directory (topic deletion, replica removal). */
  delete(): Promise<void> {
    return this.withLock(async () => {
      this.closed = true;
      this.cancelTasks();
      this.deleter.cancelAll();
      for (const segment of this.segs) await segment.closeHandlers();
      await this.pool.evictDir(this._dir);
      this.segs = [];
      await fs.promises.rm(this._dir, { recursive: true, force: true });
      if (this.ownsPool) await this.pool.close();
      this.logger.info(`Deleted log ${this.name} in ${this._dir}`);
    });
  }

  /** Moves the partition directory (e.g. to `<topic>-<p>.<uuid>-delete`) within the same parent. */
  renameDir(name: string): Promise<void> {
    return this.withLock(async () => {
      const renamed = path.join(path.dirname(this._dir), name);
      if (renamed === this._dir) return;
      await this.pool.evictDir(this._dir);
      await fs.promises.rename(this._dir, renamed);
      this._dir = renamed;
      for (const segment of this.segs) segment.updateParentDir(renamed);
      for (const segment of this.deleter.pendingSegments) segment.updateParentDir(renamed);
    });
  }

  /**
   * Kafka's replaceSegments (log cleaner): new segments (files `.cleaned`) replace old ones in a
   * crash-safe order: rename to `.swap`, insert, old ones to `.deleted` (async removal), drop `.swap`.
   * A log closed or deleted by a call queued ahead of this one is left alone (KAFKA_STORAGE_ERROR).
   */
  replaceSegments(newSegments: LogSegment[], oldSegments: LogSegment[]): Promise<void> {
    return this.withLock(() => this.io('replacing segments of', async () => {
      this.checkOpen();
      const sortedNew = [...newSegments].sort((a, b) => a.baseOffset - b.baseOffset);
      const sortedOld = oldSegments.filter((s) => this.segs.includes(s)).sort((a, b) => a.baseOffset - b.baseOffset);
      for (const s of [...sortedNew].reverse()) if (s.hasSuffix(CLEANED_FILE_SUFFIX)) await s.changeFileSuffixes(CLEANED_FILE_SUFFIX, SWAP_FILE_SUFFIX);
      const newBases = new Set(sortedNew.map((s) => s.baseOffset));
      this.segs = [...this.segs.filter((s) => !sortedOld.includes(s) && !newBases.has(s.baseOffset)), ...sortedNew].sort((a, b) => a.baseOffset - b.baseOffset);
      await this.deleteSegmentFiles(sortedOld, true);
      for (const s of sortedNew) await s.changeFileSuffixes(SWAP_FILE_SUFFIX, '');
    }));
  }

  /**
   * Kafka's LogCleaner.createNewCleanedSegment (added for the log cleaner, broker/src/log/cleaner):
   * an empty segment at `baseOffset` whose files carry the `.cleaned` suffix, in this log's
   * directory and on this log's descriptor pool, so that replaceSegments can swap it in later.
   * Creating truncates the files an aborted clean may have left. Not part of the log until swapped in.
   */
  async createCleanedSegment(baseOffset: number): Promise<LogSegment> {
    this.checkOpen();
    return LogSegment.open({ dir: this._dir, baseOffset, config: this._config, time: this.time, pool: this.pool, logger: this.logger, fileAlreadyExists: false, fileSuffix: CLEANED_FILE_SUFFIX });
  }
}
