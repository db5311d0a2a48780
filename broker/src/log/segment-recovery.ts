/**
 * The scan behind LogSegment.recover (Kafka's LogSegment.recover loop): every entry of the .log is
 * checked (header bounds, then CRC-32C for v2 or CRC-32 for legacy messages, and offsets going
 * up), the indexes are rebuilt on the way with Kafka's per-batch rule, and the file is truncated
 * at the first invalid byte. The file is read in large chunks through one reused buffer.
 */
import * as fs from 'node:fs';
import {
  FileWindow,
  V2_HEADER_SIZE_UP_TO_MAX_TIMESTAMP,
  baseOffsetAt,
  checkEntryContent,
  checkEntryHeader,
  entrySizeAt,
  lastOffsetAt,
  magicAt,
  maxTimestampAt,
  partitionLeaderEpochAt,
} from './batch-scan';
import type { OffsetIndex } from './offset-index';
import type { RecoveryListener, RecoveryResult } from './segment-types';
import { NO_TIMESTAMP, type TimeIndex, type TimestampOffset } from './time-index';

const RECOVERY_CHUNK = 8 * 1024 * 1024;

export interface RebuildOptions {
  fd: number;
  file: string;
  baseOffset: number;
  indexIntervalBytes: number;
  /** Both reset (empty) by the caller. */
  offsetIndex: OffsetIndex;
  timeIndex: TimeIndex;
  onBatch?: RecoveryListener;
}

export interface RebuildResult {
  fileSize: number;
  validBytes: number;
  lastIndexEntry: number;
  maxTimestamp: TimestampOffset;
  firstBatchTimestamp: number | undefined;
  corruption: RecoveryResult['corruption'];
}

export async function rebuildFromLog(o: RebuildOptions): Promise<RebuildResult> {
  const { fd, offsetIndex, timeIndex } = o;
  const fileSize = fs.fstatSync(fd).size;
  const w = new FileWindow(fd, fileSize, RECOVERY_CHUNK, true);
  let validBytes = 0;
  let lastIndexEntry = 0;
  let lastOffset = -1;
  let maxTimestamp: TimestampOffset = { timestamp: NO_TIMESTAMP, offset: o.baseOffset };
  let firstBatchTimestamp: number | undefined;
  let corruption: RecoveryResult['corruption'];
  while (validBytes < fileSize) {
    const remaining = fileSize - validBytes;
    await w.ensure(validBytes, Math.min(V2_HEADER_SIZE_UP_TO_MAX_TIMESTAMP, remaining));
    let reason = checkEntryHeader(w.buf, w.at(validBytes), remaining)?.reason ?? null;
    if (reason === null) {
      const size = entrySizeAt(w.buf, w.at(validBytes));
      await w.ensure(validBytes, size);
      const at = w.at(validBytes);
      reason = checkEntryContent(w.buf, at, size);
      const last = reason === null ? lastOffsetAt(w.buf, at) : 0;
      if (reason === null && last <= lastOffset) reason = `offset ${last} is not above the previous batch's last offset ${lastOffset}`;
      // Samsa rolls before a relative offset could overflow, so an entry beyond the int32 range is a
      // damaged base offset (the CRC does not cover it): truncate there instead of refusing to load.
      // Kafka would split such a segment, which only matters for logs copied from old brokers.
      if (reason === null && !offsetIndex.canAppendOffset(last)) {
        reason = `offset ${last} overflows the segment's int32 relative offsets (base ${o.baseOffset})`;
      }
      if (reason === null) {
        const ts = maxTimestampAt(w.buf, at);
        firstBatchTimestamp ??= ts;
        if (ts > maxTimestamp.timestamp) maxTimestamp = { timestamp: ts, offset: last };
        if (validBytes - lastIndexEntry > o.indexIntervalBytes && !offsetIndex.isFull && !timeIndex.isFull) {
          offsetIndex.append(last, validBytes);
          timeIndex.maybeAppend(maxTimestamp.timestamp, maxTimestamp.offset);
          lastIndexEntry = validBytes;
        }
        if (o.onBatch) {
          await o.onBatch({
            magic: magicAt(w.buf, at),
            baseOffset: baseOffsetAt(w.buf, at),
            lastOffset: last,
            partitionLeaderEpoch: partitionLeaderEpochAt(w.buf, at),
            position: validBytes,
            bytes: w.buf.subarray(at, at + size),
          });
        }
        lastOffset = last;
        validBytes += size;
        continue;
      }
    }
    corruption = { file: o.file, position: validBytes, reason };
    break;
  }
  if (validBytes < fileSize) fs.ftruncateSync(fd, validBytes);
  return { fileSize, validBytes, lastIndexEntry, maxTimestamp, firstBatchTimestamp, corruption };
}
