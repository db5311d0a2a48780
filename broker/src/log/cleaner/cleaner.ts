/**
 * Kafka 2.8's Cleaner: one compaction pass over one log.
 *
 * 1. Build the offset map (key -> latest offset) over the dirty range [firstDirtyOffset,
 *    firstUncleanableOffset), stopping early when the map's budget is spent; the pass then covers
 *    the log up to the last mapped offset (endOffset), which becomes the next first dirty offset.
 * 2. Recopy every segment from the start of the log up to endOffset, in groups that fit one new
 *    segment (segment.bytes, segment.index.bytes, int32 relative offsets), keeping a record iff it
 *    is the latest for its key (or lies past the map), dropping tombstones and finished transaction
 *    markers only in segments older than the delete horizon, dropping aborted transactional data,
 *    and keeping an empty batch where a producer's last sequence lives.
 * 3. Each group is written to a `.cleaned` segment, flushed, given the group's last-modified time,
 *    and swapped in by Log.replaceSegments (`.cleaned` -> `.swap` -> old `.deleted` -> live), a
 *    sequence log loading completes or undoes after a crash.
 *
 * Nothing here holds the log's lock while reading: the segments cleaned are inactive, and the
 * cleaner manager pauses cleaning around truncation and deletion (abortAndPauseCleaning).
 */
import * as fs from 'node:fs';
import type { Logger } from '../../common/logger';
import type { Time } from '../../common/time';
import type { Log } from '../log';
import type { LogSegment } from '../log-segment';
import type { TopicPartition } from '../log-names';
import type { CleanerConfig } from './cleaner-config';
import { CleanerStats } from './cleaner-stats';
import { LogCleaningAbortedError } from './errors';
import {
  type BatchInfo,
  BatchRetention,
  CorruptRecordError,
  type RecordFilter,
  RecordView,
  controlTypeOf,
  entrySizeAt,
  filterTo,
  hasProducerId,
  rawRecordsSection,
  readBatchInfo,
  recordsSection,
} from './memory-records';
import { OffsetMap } from './offset-map';
import { Throttler } from './throttler';
import { CleanedTransactionMetadata, type LastRecord, type LogTransactionState, scanLogTransactionState } from './transaction-state';

const INT32_MAX = 2147483647;
const MIN_ENTRY_SIZE = 26;

/** What one pass cleans: Kafka's LogToClean as the Cleaner reads it. */
export interface CleanableRange {
  log: Log;
  firstDirtyOffset: number;
  /** A segment base offset: nothing at or after it is mapped or cleaned. */
  firstUncleanableOffset: number;
}

export interface CleanResult {
  /** The next first dirty offset (one past the last offset mapped). */
  endOffset: number;
  stats: CleanerStats;
}

/** Sizes Kafka's groupSegmentsBySize looks at. */
export interface SegmentSizes {
  baseOffset: number;
  size: number;
  offsetIndexSize: number;
  timeIndexSize: number;
}

/** Kafka's logSegments(from, to): segments overlapping [from, to), none when from == to. */
export function logSegments(log: Log, from: number, to: number): LogSegment[] {
  return from >= to ? [] : log.logSegments(from, to);
}

export class Cleaner {
  readonly offsetMap: OffsetMap;
  /** Kafka's per-thread read buffer: half of this thread's share of log.cleaner.io.buffer.size. */
  private readonly readBufferSize: number;
  private readonly throttler: Throttler;

  constructor(
    readonly id: number,
    config: CleanerConfig,
    private readonly time: Time,
    private readonly logger: Logger,
    /** Throws LogCleaningAbortedError / ThreadShutdownError to stop the pass. */
    private readonly checkDone: (tp: TopicPartition) => void,
  ) {
    this.offsetMap = new OffsetMap(Math.min(config.dedupeBufferSize / config.numThreads, INT32_MAX), config.dedupeBufferLoadFactor);
    this.readBufferSize = Math.max(64 * 1024, Math.floor(config.ioBufferSize / config.numThreads / 2));
    this.throttler = new Throttler(config.maxIoBytesPerSecond, time);
  }

  /** Kafka's clean: the delete horizon is delete.retention.ms before the last clean segment's last-modified time. */
  async clean(cleanable: CleanableRange): Promise<CleanResult> {
    const { log } = cleanable;
    const lastClean = logSegments(log, 0, cleanable.firstDirtyOffset).pop();
    const deleteHorizonMs = lastClean === undefined ? 0 : (await lastClean.lastModified()) - log.config.deleteRetentionMs;
    return this.doClean(cleanable, deleteHorizonMs);
  }

  async doClean(cleanable: CleanableRange, deleteHorizonMs: number): Promise<CleanResult> {
    const { log } = cleanable;
    const tp = log.topicPartition;
    this.logger.info({ log: log.name }, `Beginning cleaning of log ${log.name}`);
    const stats = new CleanerStats(this.time);
    const txnState = await scanLogTransactionState(log, () => this.checkDone(tp));
    // Never clean past an open transaction (Kafka bounds cleaning by the first unstable offset).
    let upperBoundOffset = cleanable.firstUncleanableOffset;
    if (txnState.firstUnstableOffset !== undefined) {
      const holding = log.logSegments(txnState.firstUnstableOffset, txnState.firstUnstableOffset + 1)[0];
      upperBoundOffset = Math.min(upperBoundOffset, holding?.baseOffset ?? txnState.firstUnstableOffset);
    }
    this.logger.info({ log: log.name }, `Building offset map for ${log.name}...`);
    await this.buildOffsetMap(log, cleanable.firstDirtyOffset, upperBoundOffset, this.offsetMap, stats, txnState);
    const endOffset = Math.max(cleanable.firstDirtyOffset, this.offsetMap.latestOffset + 1);
    stats.indexDone();
    if (endOffset > cleanable.firstDirtyOffset) {
      const segments = logSegments(log, 0, endOffset);
      this.logger.info(
        { log: log.name, deleteHorizonMs, endOffset },
        `Cleaning log ${log.name} (discarding tombstones prior to ${new Date(Math.max(deleteHorizonMs, 0)).toISOString()})...`,
      );
      const txnMeta = new CleanedTransactionMetadata();
      txnMeta.addAbortedTransactions(txnState.abortedTransactions, segments[0]?.baseOffset ?? 0);
      const groups = groupSegmentsBySize(await Promise.all(segments.map(withSizes)), log.config.segmentSize, log.config.maxIndexSize, upperBoundOffset);
      for (const group of groups) {
        await this.cleanSegments(log, group.map((g) => g.segment), this.offsetMap, deleteHorizonMs, stats, txnMeta, txnState.lastRecordsOfActiveProducers);
      }
    }
    stats.bufferUtilization = this.offsetMap.utilization;
    // Between passes the map holds nothing worth its memory (up to the whole dedupe buffer).
    this.offsetMap.clear();
    stats.allDone();
    return { endOffset, stats };
  }

  /** Kafka's buildOffsetMap: dirty segments in order until the map is full. */
  async buildOffsetMap(log: Log, start: number, end: number, map: OffsetMap, stats: CleanerStats, txnState: LogTransactionState): Promise<void> {
    map.clear();
    const dirty = logSegments(log, start, end);
    this.logger.info({ log: log.name, segments: dirty.length, start, end }, `Building offset map for log ${log.name} for ${dirty.length} segments in offset range [${start}, ${end}).`);
    const txnMeta = new CleanedTransactionMetadata();
    txnMeta.addAbortedTransactions(txnState.abortedTransactions, start);
    for (const [i, segment] of dirty.entries()) {
      this.checkDone(log.topicPartition);
      if (await this.buildOffsetMapForSegment(log.topicPartition, segment, map, start, txnMeta, stats)) {
        this.logger.debug({ log: log.name }, `Offset map is full, ${i} segments fully mapped, segment with base offset ${segment.baseOffset} is partially mapped`);
        break;
      }
    }
    this.logger.info({ log: log.name, keys: map.size }, `Offset map for log ${log.name} complete.`);
  }

  /** Adds the segment's keys from `startOffset` on; true when the map filled up. */
  private async buildOffsetMapForSegment(
    tp: TopicPartition,
    segment: LogSegment,
    map: OffsetMap,
    startOffset: number,
    txnMeta: CleanedTransactionMetadata,
    stats: CleanerStats,
  ): Promise<boolean> {
    let position = startOffset > segment.baseOffset ? ((await segment.translateOffset(startOffset))?.position ?? segment.size) : 0;
    const view = new RecordView();
    while (position < segment.size) {
      this.checkDone(tp);
      const chunk = await this.readWholeBatches(segment, position);
      let p = 0;
      while (chunk.length - p >= MIN_ENTRY_SIZE && entrySizeAt(chunk, p) <= chunk.length - p) {
        const batch = readBatchInfo(chunk, p);
        if (batch.isControl) {
          batch.controlType = controlTypeOf(await recordsSection(chunk, batch), batch);
          txnMeta.onControlBatchRead(batch);
          stats.indexMessagesRead(1);
        } else if (txnMeta.onBatchRead(batch)) {
          // Aborted: its keys must not shadow earlier committed values.
          stats.indexMessagesRead(batch.recordsCount);
        } else {
          view.reset(batch.compression === 0 ? rawRecordsSection(chunk, batch) : await recordsSection(chunk, batch), batch);
          while (view.next()) {
            if (view.keyLength >= 0 && view.offset >= startOffset && !map.tryPut(view.buf, view.keyStart, view.keyLength, view.offset)) {
              stats.indexBytesRead(p);
              return true;
            }
            stats.mapMessagesRead++;
          }
        }
        if (batch.lastOffset >= startOffset) map.updateLatestOffset(batch.lastOffset);
        p += batch.sizeInBytes;
      }
      stats.indexBytesRead(p);
      position += p;
      await this.throttler.maybeThrottle(p);
    }
    return false;
  }

  /** Kafka's cleanSegments: one group into one `.cleaned` segment, then swapped in. */
  async cleanSegments(
    log: Log,
    segments: LogSegment[],
    map: OffsetMap,
    deleteHorizonMs: number,
    stats: CleanerStats,
    txnMeta: CleanedTransactionMetadata,
    lastRecordsOfActiveProducers: ReadonlyMap<number, LastRecord>,
  ): Promise<void> {
    const cleaned = await log.createCleanedSegment(segments[0]!.baseOffset);
    let lastModified = 0;
    try {
      for (const segment of segments) {
        const modified = await segment.lastModified();
        lastModified = Math.max(lastModified, modified);
        const retainDeletesAndTxnMarkers = modified > deleteHorizonMs;
        this.logger.info(
          { log: log.name, segment: segment.baseOffset, into: cleaned.baseOffset, deleteHorizonMs },
          `Cleaning ${segment.toString()} in log ${log.name} into ${cleaned.baseOffset}, ${retainDeletesAndTxnMarkers ? 'retaining' : 'discarding'} deletes.`,
        );
        await this.cleanInto(log.topicPartition, segment, cleaned, map, retainDeletesAndTxnMarkers, txnMeta, lastRecordsOfActiveProducers, stats);
      }
      await cleaned.onBecomeInactiveSegment();
      await cleaned.flush();
      // The cleaned segment carries its sources' age: the delete horizon and retention.ms read it.
      await cleaned.setLastModified(lastModified);
      this.checkDone(log.topicPartition);
      // A log closed or deleted meanwhile must not get files renamed in its (maybe gone) directory.
      if (log.isClosed) throw new LogCleaningAbortedError();
    } catch (err) {
      // Before the swap nothing refers to the new files; an aborted or failed group leaves the log as it was.
      await cleaned.deleteIfExists().catch((e: unknown) => this.logger.warn({ err: e }, `Failed to delete ${cleaned.logFile}`));
      throw err;
    }
    this.logger.info({ log: log.name, into: cleaned.baseOffset, segments: segments.map((s) => s.baseOffset) }, `Swapping in cleaned segment ${cleaned.toString()} for segment(s) ${segments.map((s) => s.baseOffset).join(',')} in log ${log.name}`);
    await log.replaceSegments([cleaned], segments);
  }

  /** Kafka's cleanInto: recopies one source segment's kept batches into `dest`. */
  private async cleanInto(
    tp: TopicPartition,
    source: LogSegment,
    dest: LogSegment,
    map: OffsetMap,
    retainDeletesAndTxnMarkers: boolean,
    txnMeta: CleanedTransactionMetadata,
    lastRecordsOfActiveProducers: ReadonlyMap<number, LastRecord>,
    stats: CleanerStats,
  ): Promise<void> {
    let discardBatchRecords = false;
    const filter: RecordFilter = {
      checkBatchRetention: (batch: BatchInfo): BatchRetention => {
        // Markers ride on the tombstone horizon; a marker goes only once its transaction left nothing behind.
        discardBatchRecords = batch.isControl ? txnMeta.onControlBatchRead(batch) && !retainDeletesAndTxnMarkers : txnMeta.onBatchRead(batch);
        if (hasProducerId(batch) && isBatchLastRecordOfProducer(batch, lastRecordsOfActiveProducers)) return BatchRetention.RETAIN_EMPTY;
        return discardBatchRecords ? BatchRetention.DELETE : BatchRetention.DELETE_EMPTY;
      },
      shouldRetainRecord: (batch: BatchInfo, record: RecordView): boolean =>
        // A batch kept only for its producer's sequence loses all its records.
        !discardBatchRecords && this.shouldRetainRecord(map, retainDeletesAndTxnMarkers, batch, record, stats),
    };
    let position = 0;
    while (position < source.size) {
      this.checkDone(tp);
      const chunk = await this.readWholeBatches(source, position);
      const result = await filterTo(chunk, filter);
      stats.readMessages(result.messagesRead, result.bytesRead);
      stats.recopyMessages(result.messagesRetained, result.bytesRetained);
      position += result.bytesRead;
      if (result.output.length > 0) await dest.append(result.maxOffset, result.maxTimestamp, result.shallowOffsetOfMaxTimestamp, result.output);
      await this.throttler.maybeThrottle(result.bytesRead + result.output.length);
    }
  }

  /** Kafka's shouldRetainRecord: the key's latest record, and a tombstone only before the horizon. */
  private shouldRetainRecord(map: OffsetMap, retainDeletes: boolean, batch: BatchInfo, record: RecordView, stats: CleanerStats): boolean {
    // A marker's record is never a key of the map (Kafka looks it up anyway; a data key equal to it could drop it).
    if (batch.isControl) return true;
    if (record.offset > map.latestOffset) return true;
    if (!record.hasKey) {
      stats.invalidMessage();
      return false;
    }
    const foundOffset = map.get(record.buf, record.keyStart, record.keyLength);
    return record.offset >= foundOffset && (record.hasValue || retainDeletes);
  }

  /**
   * At least one whole batch from `position`: a read of the read-buffer size, or of the batch's
   * size when it is larger (Kafka grows its buffers the same way).
   */
  private async readWholeBatches(segment: LogSegment, position: number): Promise<Buffer> {
    const remaining = segment.size - position;
    const chunk = await segment.readBytes(position, Math.min(this.readBufferSize, remaining));
    const describe = (): string => `log segment ${segment.logFile} at position ${position}`;
    if (chunk.length < MIN_ENTRY_SIZE) throw new CorruptRecordError(`Log segment may be corrupt, ${chunk.length} bytes left in ${describe()}`);
    const first = entrySizeAt(chunk, 0);
    if (first < MIN_ENTRY_SIZE || first > remaining) {
      throw new CorruptRecordError(`Log segment may be corrupt, batch size ${first} with ${remaining} bytes left in ${describe()}`);
    }
    return first <= chunk.length ? chunk : segment.readBytes(position, first);
  }
}

function isBatchLastRecordOfProducer(batch: BatchInfo, lastRecords: ReadonlyMap<number, LastRecord>): boolean {
  // Kept: the batch holding a producer's last sequence, or its last marker when it wrote no data since.
  const last = lastRecords.get(batch.producerId);
  if (last === undefined) return false;
  return last.lastDataOffset !== undefined ? batch.lastOffset === last.lastDataOffset : batch.isControl && batch.producerEpoch === last.producerEpoch;
}

async function fileSize(file: string): Promise<number> {
  try {
    return (await fs.promises.stat(file)).size;
  } catch {
    return 0;
  }
}

async function withSizes(segment: LogSegment): Promise<SegmentSizes & { segment: LogSegment }> {
  const offsetIndexSize = segment.offsetIndex.isLoaded ? segment.offsetIndex.entries * 8 : await fileSize(segment.offsetIndex.file);
  const timeIndexSize = segment.timeIndex.isLoaded ? segment.timeIndex.entries * 12 : await fileSize(segment.timeIndex.file);
  return { segment, baseOffset: segment.baseOffset, size: segment.size, offsetIndexSize, timeIndexSize };
}

/**
 * Kafka's groupSegmentsBySize: consecutive segments merged while the sum of their sizes stays
 * within segment.bytes, each index within segment.index.bytes, and every offset of the group within
 * int32 of its first base offset (an empty segment is exempt from the offset check).
 */
export function groupSegmentsBySize<T extends SegmentSizes>(segments: readonly T[], maxSize: number, maxIndexSize: number, firstUncleanableOffset: number): T[][] {
  const grouped: T[][] = [];
  let i = 0;
  while (i < segments.length) {
    const group = [segments[i]!];
    let logSize = segments[i]!.size;
    let indexSize = segments[i]!.offsetIndexSize;
    let timeIndexSize = segments[i]!.timeIndexSize;
    i++;
    while (i < segments.length) {
      const next = segments[i]!;
      // The worst-case last offset of `next`: the following segment's base - 1, or the uncleanable bound - 1.
      const lastOffset = i + 1 < segments.length ? segments[i + 1]!.baseOffset - 1 : firstUncleanableOffset - 1;
      if (
        logSize + next.size > maxSize ||
        indexSize + next.offsetIndexSize > maxIndexSize ||
        timeIndexSize + next.timeIndexSize > maxIndexSize ||
        (next.size !== 0 && lastOffset - group[0]!.baseOffset > INT32_MAX)
      ) {
        break;
      }
      group.push(next);
      logSize += next.size;
      indexSize += next.offsetIndexSize;
      timeIndexSize += next.timeIndexSize;
      i++;
    }
    grouped.push(group);
  }
  return grouped;
}
