/**
 * The files of one segment (LogSegment's base): the `.log` path and its `.index`, `.timeindex`
 * and (optional) `.txnindex` siblings, their descriptors in a FileHandlePool, the indexes loaded
 * lazily and unloadable again, and the file lifecycle (suffix changes for `.deleted` / `.swap` /
 * `.cleaned`, moves with the partition directory, deletion). What the bytes mean (appends,
 * reads, rolls, recovery) is LogSegment's, in log-segment.ts.
 */
import * as fs from 'node:fs';
import type { Logger } from '../common/logger';
import { CorruptIndexError } from './abstract-index';
import type { FileHandlePool } from './file-handle-pool';
import { isNotFound } from './file-io';
import type { OffsetIndex } from './offset-index';
import type { TimeIndex } from './time-index';
import type { RecoveryResult } from './segment-types';

export abstract class SegmentFiles {
  readonly offsetIndex: OffsetIndex;
  readonly timeIndex: TimeIndex;
  protected logPath: string;
  protected txnIndexPath: string;
  protected readonly pool: FileHandlePool;
  protected readonly logger: Logger | undefined;
  private indexLoad: Promise<void> | undefined;
  private indexUsers = 0;

  protected constructor(logPath: string, txnIndexPath: string, offsetIndex: OffsetIndex, timeIndex: TimeIndex, pool: FileHandlePool, logger: Logger | undefined) {
    this.logPath = logPath;
    this.txnIndexPath = txnIndexPath;
    this.offsetIndex = offsetIndex;
    this.timeIndex = timeIndex;
    this.pool = pool;
    this.logger = logger;
  }

  /** Rebuilds the indexes from the .log (LogSegment.recover). */
  abstract recover(): Promise<RecoveryResult>;

  get logFile(): string {
    return this.logPath;
  }
  get txnIndexFile(): string {
    return this.txnIndexPath;
  }
  get indexesLoaded(): boolean {
    return this.offsetIndex.isLoaded && this.timeIndex.isLoaded;
  }

  /**
   * Loads both indexes if needed. A missing or corrupt index (sanity check) is rebuilt from the
   * .log by recover(), as Kafka does for the indexes it finds broken at load.
   */
  async loadIndexes(): Promise<void> {
    if (this.indexesLoaded) return;
    this.indexLoad ??= this.doLoadIndexes().finally(() => { this.indexLoad = undefined; });
    await this.indexLoad;
  }

  private async doLoadIndexes(): Promise<void> {
    try {
      if (!this.offsetIndex.isLoaded) await this.offsetIndex.load();
      if (!this.timeIndex.isLoaded) await this.timeIndex.load();
    } catch (err) {
      if (!(err instanceof CorruptIndexError) && !isNotFound(err)) throw err;
      this.logger?.warn(
        { file: this.logPath, reason: err instanceof Error ? err.message : String(err) },
        'Found a missing or corrupted index file, recovering the segment and rebuilding its index files',
      );
      await this.recover();
    }
  }

  /** Frees the in-memory index entries of an inactive segment; false if an operation is using them. */
  unloadIndexes(): boolean {
    if (this.indexUsers > 0 || this.indexLoad !== undefined) return false;
    this.offsetIndex.unload();
    this.timeIndex.unload();
    return true;
  }

  /** Runs `fn` with the indexes loaded and protected from unloadIndexes(). */
  protected async withIndexes<T>(fn: () => Promise<T> | T): Promise<T> {
    this.indexUsers++;
    try {
      await this.loadIndexes();
      return await fn();
    } finally {
      this.indexUsers--;
    }
  }

  /** Keeps the indexes loaded until the returned function is called (an async write in progress). */
  protected pinIndexes(): () => void {
    this.indexUsers++;
    return () => {
      this.indexUsers--;
    };
  }

  async lastModified(): Promise<number> {
    return Math.floor((await fs.promises.stat(this.logPath)).mtimeMs);
  }

  async setLastModified(ms: number): Promise<void> {
    await fs.promises.utimes(this.logPath, ms / 1000, ms / 1000);
  }

  /** Releases descriptors without trimming (the files are about to go). */
  async closeHandlers(): Promise<void> {
    await Promise.all([this.pool.evict(this.logPath), this.pool.evict(this.offsetIndex.file), this.pool.evict(this.timeIndex.file)]);
  }

  /** Deletes the .log and its indexes (and a .txnindex if one exists). */
  async deleteIfExists(): Promise<void> {
    await this.pool.evict(this.logPath);
    for (const file of [this.logPath, this.txnIndexPath]) {
      try {
        await fs.promises.unlink(file);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    await this.offsetIndex.deleteIfExists();
    await this.timeIndex.deleteIfExists();
  }

  hasSuffix(suffix: string): boolean {
    return this.logPath.endsWith(suffix);
  }

  /** Kafka's changeFileSuffixes, e.g. ('', '.deleted') or ('.swap', ''), for every file of the segment. */
  async changeFileSuffixes(oldSuffix: string, newSuffix: string): Promise<void> {
    const replace = (file: string): string => {
      if (!file.endsWith(oldSuffix)) throw new Error(`Expected ${file} to end with ${oldSuffix}`);
      return file.substring(0, file.length - oldSuffix.length) + newSuffix;
    };
    const newLog = replace(this.logPath);
    await this.pool.evict(this.logPath);
    await fs.promises.rename(this.logPath, newLog);
    this.logPath = newLog;
    await this.offsetIndex.renameTo(replace(this.offsetIndex.file));
    await this.timeIndex.renameTo(replace(this.timeIndex.file));
    const newTxn = replace(this.txnIndexPath);
    try {
      await fs.promises.rename(this.txnIndexPath, newTxn);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    this.txnIndexPath = newTxn;
  }

  /** Points the segment at its files' new directory (after Log.renameDir moved them). */
  updateParentDir(dir: string): void {
    const move = (file: string): string => `${dir}/${file.substring(file.lastIndexOf('/') + 1)}`;
    this.logPath = move(this.logPath);
    this.txnIndexPath = move(this.txnIndexPath);
    this.offsetIndex.file = move(this.offsetIndex.file);
    this.timeIndex.file = move(this.timeIndex.file);
  }
}
