/**
 * Kafka's OffsetCheckpointFile: per-partition offsets of one log dir, one `topic partition offset` line
 * each, version 0. The same format backs recovery-point-offset-checkpoint, replication-offset-checkpoint,
 * log-start-offset-checkpoint and cleaner-offset-checkpoint.
 *
 * Entries are keyed by Kafka's TopicPartition.toString, `<topic>-<partition>`: topic names may contain
 * '-', but the partition is always the digits after the last '-', so the key is unambiguous.
 */
import { CheckpointFile, CheckpointFileFormatter, parseInt32, parseSafeLong, splitFields } from './checkpoint-file';

export const OFFSET_CHECKPOINT_VERSION = 0;

export const RECOVERY_POINT_CHECKPOINT_FILE = 'recovery-point-offset-checkpoint';
export const REPLICATION_OFFSET_CHECKPOINT_FILE = 'replication-offset-checkpoint';
export const LOG_START_OFFSET_CHECKPOINT_FILE = 'log-start-offset-checkpoint';
export const CLEANER_OFFSET_CHECKPOINT_FILE = 'cleaner-offset-checkpoint';

import type { TopicPartition } from '../log-names';

export type { TopicPartition };

/** `<topic>-<partition>`, Kafka's TopicPartition.toString and partition directory name. */
export function topicPartitionKey(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`;
}

/** Inverse of topicPartitionKey; `undefined` when the text does not end in `-<int>` after a non-empty topic. */
export function parseTopicPartitionKey(key: string): TopicPartition | undefined {
  const dash = key.lastIndexOf('-');
  if (dash <= 0) return undefined;
  const digits = key.slice(dash + 1);
  const partition = /^\d+$/.test(digits) ? parseInt32(digits) : undefined;
  if (partition === undefined) return undefined;
  return { topic: key.slice(0, dash), partition };
}

interface OffsetEntry {
  topic: string;
  partition: number;
  offset: number;
}

const FORMATTER: CheckpointFileFormatter<OffsetEntry> = {
  toLine: (e) => `${e.topic} ${e.partition} ${e.offset}`,
  fromLine: (line) => {
    const fields = splitFields(line);
    if (fields.length !== 3 || fields[0] === '') return undefined;
    const partition = parseInt32(fields[1]);
    const offset = parseSafeLong(fields[2]);
    if (partition === undefined || offset === undefined) return undefined;
    return { topic: fields[0], partition, offset };
  },
};

export class OffsetCheckpointFile {
  private readonly checkpoint: CheckpointFile<OffsetEntry>;

  constructor(readonly file: string) {
    this.checkpoint = new CheckpointFile(file, OFFSET_CHECKPOINT_VERSION, FORMATTER);
  }

  /**
   * Replaces the file with `offsets` (keys `<topic>-<partition>`, as `read` returns), in the map's
   * iteration order. Resolves once the new file is durable.
   */
  async write(offsets: Iterable<readonly [string, number]>): Promise<void> {
    const entries: OffsetEntry[] = [];
    for (const [key, offset] of offsets) {
      const tp = parseTopicPartitionKey(key);
      if (tp === undefined) throw new Error(`Invalid topic-partition key '${key}' for checkpoint file ${this.file}`);
      if (!Number.isSafeInteger(offset)) throw new Error(`Invalid offset ${offset} for ${key} in checkpoint file ${this.file}`);
      entries.push({ topic: tp.topic, partition: tp.partition, offset });
    }
    // Entries are formatted before the first await, so later changes by the caller are not written.
    await this.checkpoint.write(entries);
  }

  /** Offsets keyed by `<topic>-<partition>`; a missing file reads as empty. Throws CheckpointFileError. */
  async read(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const e of await this.checkpoint.read()) out.set(topicPartitionKey(e), e.offset);
    return out;
  }

  createIfMissing(): Promise<void> {
    return this.checkpoint.createIfMissing();
  }
}
