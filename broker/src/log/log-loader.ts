/**
 * Opening a partition directory (Kafka 2.8's Log.loadSegments and recoverLog, reference §4.5):
 * leftover `.deleted` and `.cleaned` files are removed, interrupted swaps are completed, every
 * `.log` file becomes a segment (indexes load lazily and are rebuilt when missing or corrupt),
 * and after an unclean shutdown every segment from the recovery point on is re-validated; the
 * first damaged one is truncated at the damage and every segment after it is deleted.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../common/logger';
import type { Time } from '../common/time';
import type { FileHandlePool } from './file-handle-pool';
import { deleteIfExists } from './file-io';
import type { LogConfig } from './log-config';
import {
  CLEANED_FILE_SUFFIX,
  DELETED_FILE_SUFFIX,
  INDEX_FILE_SUFFIX,
  LOG_FILE_SUFFIX,
  SWAP_FILE_SUFFIX,
  TIME_INDEX_FILE_SUFFIX,
  TXN_INDEX_FILE_SUFFIX,
  logFile,
  offsetFromFileName,
  offsetIndexFile,
  timeIndexFile,
  transactionIndexFile,
} from './log-names';
import { LogSegment, type RecoveryListener } from './log-segment';

export interface LoadContext {
  dir: string;
  config: LogConfig;
  time: Time;
  pool: FileHandlePool;
  logger: Logger | undefined;
  recoveryPoint: number;
  logStartOffset: number;
  hadCleanShutdown: boolean;
  onRecoveredBatch?: RecoveryListener;
  /** Renames the segments `.deleted` and schedules their removal (file.delete.delay.ms). */
  asyncDeleteSegments(segments: LogSegment[]): Promise<void>;
}

export interface LoadResult {
  segments: LogSegment[];
  nextOffset: number;
  recoveryPoint: number;
  logStartOffset: number;
}

const isIndexFile = (name: string): boolean =>
  name.endsWith(INDEX_FILE_SUFFIX) || name.endsWith(TIME_INDEX_FILE_SUFFIX) || name.endsWith(TXN_INDEX_FILE_SUFFIX);

async function deleteIndicesIfExist(dir: string, baseOffset: number, suffix = ''): Promise<void> {
  await deleteIfExists(offsetIndexFile(dir, baseOffset, suffix));
  await deleteIfExists(timeIndexFile(dir, baseOffset, suffix));
  await deleteIfExists(transactionIndexFile(dir, baseOffset, suffix));
}

export async function loadSegments(ctx: LoadContext): Promise<LoadResult> {
  const { dir, logger } = ctx;
  await fs.promises.mkdir(dir, { recursive: true });
  const swapFiles = await removeTempFilesAndCollectSwapFiles(ctx);
  let segments = await loadSegmentFiles(ctx);
  segments = await completeSwapOperations(ctx, segments, swapFiles);
  if (!ctx.hadCleanShutdown && segments.length > 0) segments = await recoverUnflushed(ctx, segments);

  let nextOffset = segments.length > 0 ? await segments[segments.length - 1]!.readNextOffset() : ctx.logStartOffset;
  if (segments.length > 0 && nextOffset < ctx.logStartOffset) {
    logger?.warn({ dir, logEndOffset: nextOffset, logStartOffset: ctx.logStartOffset }, 'Deleting all segments because logEndOffset is smaller than logStartOffset');
    await ctx.asyncDeleteSegments(segments);
    segments = [];
  }
  if (segments.length === 0) {
    // No data: an empty active segment at the log start offset.
    segments = [await LogSegment.open({ ...ctx, baseOffset: ctx.logStartOffset, fileAlreadyExists: false })];
    nextOffset = ctx.logStartOffset;
  }
  const active = segments[segments.length - 1]!;
  await active.resizeIndexes(ctx.config.maxIndexSize);
  await active.loadFirstBatchTimestamp();
  const recoveryPoint = ctx.hadCleanShutdown ? nextOffset : Math.min(ctx.recoveryPoint, nextOffset);
  const logStartOffset = Math.max(ctx.logStartOffset, segments[0]!.baseOffset);
  return { segments, nextOffset, recoveryPoint, logStartOffset };
}

async function removeTempFilesAndCollectSwapFiles(ctx: LoadContext): Promise<string[]> {
  const { dir, logger } = ctx;
  const swapFiles: string[] = [];
  const cleanFiles: string[] = [];
  let minCleanedFileOffset = Number.POSITIVE_INFINITY;
  for (const name of await fs.promises.readdir(dir)) {
    const file = path.join(dir, name);
    if (name.endsWith(DELETED_FILE_SUFFIX)) {
      logger?.debug({ file }, 'Deleting stray temporary file');
      await deleteIfExists(file);
    } else if (name.endsWith(CLEANED_FILE_SUFFIX)) {
      minCleanedFileOffset = Math.min(minCleanedFileOffset, offsetFromFileName(name));
      cleanFiles.push(file);
    } else if (name.endsWith(SWAP_FILE_SUFFIX)) {
      // Crashed mid-swap: the swapped-in log is completed later; its old indexes are rebuilt.
      const baseName = name.substring(0, name.length - SWAP_FILE_SUFFIX.length);
      const offset = offsetFromFileName(baseName);
      logger?.info({ file }, 'Found file from interrupted swap operation');
      if (Number.isNaN(offset)) continue;
      if (isIndexFile(baseName)) {
        await deleteIndicesIfExist(dir, offset);
      } else if (baseName.endsWith(LOG_FILE_SUFFIX)) {
        await deleteIndicesIfExist(dir, offset);
        swapFiles.push(file);
      }
    }
  }
  // KAFKA-6264: swap files at or above the lowest .cleaned offset belong to an incomplete split.
  const kept: string[] = [];
  for (const file of swapFiles) {
    const offset = offsetFromFileName(file);
    if (offset >= minCleanedFileOffset) {
      logger?.info({ file }, 'Deleting invalid swap file');
      await deleteIfExists(file);
      await deleteIndicesIfExist(dir, offset, SWAP_FILE_SUFFIX);
    } else {
      kept.push(file);
    }
  }
  for (const file of cleanFiles) await deleteIfExists(file);
  return kept;
}

async function loadSegmentFiles(ctx: LoadContext): Promise<LogSegment[]> {
  const { dir, logger } = ctx;
  const names = await fs.promises.readdir(dir);
  const present = new Set(names);
  const segments: LogSegment[] = [];
  for (const name of names.sort()) {
    const offset = offsetFromFileName(name);
    if (isIndexFile(name)) {
      if (!Number.isNaN(offset) && !present.has(path.basename(logFile(dir, offset)))) {
        logger?.warn({ file: path.join(dir, name) }, 'Found an orphaned index file, with no corresponding log file');
        await deleteIfExists(path.join(dir, name));
      }
    } else if (name.endsWith(LOG_FILE_SUFFIX)) {
      if (Number.isNaN(offset)) {
        logger?.warn({ file: path.join(dir, name) }, 'Ignoring a .log file whose name is not a base offset');
        continue;
      }
      segments.push(await LogSegment.open({ ...ctx, baseOffset: offset, fileAlreadyExists: true }));
    }
  }
  return segments.sort((a, b) => a.baseOffset - b.baseOffset);
}

/** Kafka's completeSwapOperations: recover the swap segment, replace what it overlaps, drop the suffix. */
async function completeSwapOperations(ctx: LoadContext, segments: LogSegment[], swapFiles: string[]): Promise<LogSegment[]> {
  for (const file of swapFiles) {
    const baseOffset = offsetFromFileName(file);
    const swap = await LogSegment.open({ ...ctx, baseOffset, fileAlreadyExists: true, fileSuffix: SWAP_FILE_SUFFIX });
    ctx.logger?.info({ file }, 'Found log file from interrupted swap operation, repairing');
    await swap.recover();
    const swapNext = await swap.readNextOffset();
    const old: LogSegment[] = [];
    for (const seg of segments) {
      // A swap segment the cleaner emptied has swapNext == its base; the live segment of that base
      // is still the one it replaces (Kafka's map keyed by base offset drops it when the swap goes in).
      if (seg.baseOffset >= swapNext && seg.baseOffset !== swap.baseOffset) continue;
      if (seg.baseOffset < swap.baseOffset && (await seg.readNextOffset()) <= swap.baseOffset) continue;
      old.push(seg);
    }
    segments = segments.filter((s) => !old.includes(s));
    await ctx.asyncDeleteSegments(old);
    await swap.changeFileSuffixes(SWAP_FILE_SUFFIX, '');
    segments.push(swap);
    segments.sort((a, b) => a.baseOffset - b.baseOffset);
  }
  return segments;
}

/** Recovers every segment from the one holding the recovery point; deletes all after a damaged one. */
async function recoverUnflushed(ctx: LoadContext, segments: LogSegment[]): Promise<LogSegment[]> {
  let first = segments.findIndex((_s, i) => (segments[i + 1]?.baseOffset ?? Number.POSITIVE_INFINITY) > ctx.recoveryPoint);
  if (first < 0) first = segments.length;
  for (let i = first; i < segments.length; i++) {
    const segment = segments[i]!;
    ctx.logger?.info({ file: segment.logFile }, 'Recovering unflushed segment');
    const result = await segment.recover(ctx.onRecoveredBatch);
    if (result.truncatedBytes > 0) {
      const rest = segments.slice(i + 1);
      if (rest.length > 0) {
        ctx.logger?.warn(
          { file: segment.logFile, deleted: rest.map((s) => s.baseOffset) },
          `Corruption found in segment ${segment.baseOffset}, deleting every later segment`,
        );
        await ctx.asyncDeleteSegments(rest);
      }
      return segments.slice(0, i + 1);
    }
  }
  return segments;
}
