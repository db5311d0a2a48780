/**
 * File and directory names of a Kafka log directory (Kafka's Log companion object): segment files
 * are named by their base offset zero-padded to 20 digits, partition directories are
 * `<topic>-<partition>`, and temporary states are marked by suffixes. Tools that read a Kafka log
 * directory rely on these exact names.
 */
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';

export const LOG_FILE_SUFFIX = '.log';
export const INDEX_FILE_SUFFIX = '.index';
export const TIME_INDEX_FILE_SUFFIX = '.timeindex';
export const TXN_INDEX_FILE_SUFFIX = '.txnindex';
export const PRODUCER_SNAPSHOT_FILE_SUFFIX = '.snapshot';
/** A segment file waiting for file.delete.delay.ms before removal. */
export const DELETED_FILE_SUFFIX = '.deleted';
/** Output of the log cleaner, not yet swapped in. */
export const CLEANED_FILE_SUFFIX = '.cleaned';
/** A segment being swapped in (cleaner, split); completed at load if the broker stopped mid-swap. */
export const SWAP_FILE_SUFFIX = '.swap';
export const DELETE_DIR_SUFFIX = '-delete';
export const FUTURE_DIR_SUFFIX = '-future';

const DELETE_DIR_PATTERN = /^(\S+)-(\S+)\.(\S+)-delete$/;
const FUTURE_DIR_PATTERN = /^(\S+)-(\S+)\.(\S+)-future$/;

export interface TopicPartition {
  topic: string;
  partition: number;
}

/** `00000000000000012345` for 12345: Kafka's 20-digit, zero-padded file name prefix. */
export function filenamePrefixFromOffset(offset: number): string {
  return String(offset).padStart(20, '0');
}

export function logFile(dir: string, baseOffset: number, suffix = ''): string {
  return path.join(dir, filenamePrefixFromOffset(baseOffset) + LOG_FILE_SUFFIX + suffix);
}
export function offsetIndexFile(dir: string, baseOffset: number, suffix = ''): string {
  return path.join(dir, filenamePrefixFromOffset(baseOffset) + INDEX_FILE_SUFFIX + suffix);
}
export function timeIndexFile(dir: string, baseOffset: number, suffix = ''): string {
  return path.join(dir, filenamePrefixFromOffset(baseOffset) + TIME_INDEX_FILE_SUFFIX + suffix);
}
export function transactionIndexFile(dir: string, baseOffset: number, suffix = ''): string {
  return path.join(dir, filenamePrefixFromOffset(baseOffset) + TXN_INDEX_FILE_SUFFIX + suffix);
}

/** The base offset a segment file name encodes (the digits before the first '.'), or NaN. */
export function offsetFromFileName(fileName: string): number {
  const base = path.basename(fileName);
  const digits = base.substring(0, base.indexOf('.'));
  return /^\d+$/.test(digits) ? Number(digits) : Number.NaN;
}

export function logDirName(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`;
}

/** `<topic>-<p>.<uuid>-delete`, the name a partition directory gets when its topic is deleted. */
export function logDeleteDirName(tp: TopicPartition): string {
  const suffix = `-${tp.partition}.${randomUUID().replace(/-/g, '')}${DELETE_DIR_SUFFIX}`;
  // Kafka keeps the name within the 255-byte file name limit by shortening the topic part.
  return tp.topic.substring(0, Math.min(tp.topic.length, 255 - suffix.length)) + suffix;
}

/** `<topic>-<p>.<uuid>-future`, the target of an AlterReplicaLogDirs copy. */
export function logFutureDirName(tp: TopicPartition): string {
  return `${logDirName(tp)}.${randomUUID().replace(/-/g, '')}${FUTURE_DIR_SUFFIX}`;
}

/**
 * Kafka's Log.parseTopicPartitionName: the partition is the text after the LAST '-' (topics may
 * contain '-' and '.'); `-delete` and `-future` directories carry a `.<uuid>` before the suffix.
 */
export function parseTopicPartitionName(dirName: string): TopicPartition {
  const name = path.basename(dirName);
  const fail = (): never => {
    throw new Error(
      `Found directory ${dirName}, '${name}' is not in the form of topic-partition or ` +
        'topic-partition.uniqueId-delete (if marked for deletion). ' +
        "Kafka's log directories (and children) should only contain Kafka topic data.",
    );
  };
  if (name === '' || !name.includes('-')) fail();
  const isDelete = name.endsWith(DELETE_DIR_SUFFIX);
  const isFuture = name.endsWith(FUTURE_DIR_SUFFIX);
  if ((isDelete && !DELETE_DIR_PATTERN.test(name)) || (isFuture && !FUTURE_DIR_PATTERN.test(name))) fail();
  const stem = isDelete || isFuture ? name.substring(0, name.lastIndexOf('.')) : name;
  const dash = stem.lastIndexOf('-');
  const topic = stem.substring(0, dash);
  const partitionText = stem.substring(dash + 1);
  if (topic === '' || !/^[+-]?\d+$/.test(partitionText)) fail();
  const partition = Number(partitionText);
  if (partition > 2147483647 || partition < -2147483648) fail();
  return { topic, partition };
}
