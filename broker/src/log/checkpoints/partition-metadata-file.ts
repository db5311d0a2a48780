/**
 * Kafka 2.8's PartitionMetadataFile: the partition directory's `partition.metadata`, holding the topic
 * id the controller sent in LeaderAndIsr v5 so that a log left behind by a deleted and re-created topic
 * of the same name is recognised (INCONSISTENT_TOPIC_ID) instead of being served as the new topic.
 *
 * As in 2.8 the file is created empty when the log opens and written (temp file, fsync, rename) the
 * first time the broker learns the topic id, as `version: 0\ntopic_id: <base64url uuid>` with no
 * final newline.
 */
import { promises as fsp } from 'fs';
import * as path from 'path';
import { ZERO_UUID } from '../../protocol/primitives';
import { atomicWriteFile, createEmptyFileIfMissing } from './checkpoint-file';

export const PARTITION_METADATA_FILE = 'partition.metadata';
export const PARTITION_METADATA_VERSION = 0;

/** A 16-byte uuid in Kafka's Uuid.toString form: URL-safe base64 without padding (22 characters). */
const UUID_TEXT = /^[A-Za-z0-9_-]{22}$/;
const KEY_VALUE = /^([^:]*):\s+(.*)$/;

export class PartitionMetadataFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PartitionMetadataFileError';
  }
}

/** The text Kafka writes for a topic id. */
export function formatPartitionMetadata(topicId: string): string {
  return `version: ${PARTITION_METADATA_VERSION}\ntopic_id: ${topicId}`;
}

/** The topic id in a non-empty `partition.metadata`; throws on a malformed file, as Kafka's reader does. */
export function parsePartitionMetadata(text: string, location: string): string {
  const lines = text.split('\n');
  const version = KEY_VALUE.exec(lines[0] ?? '');
  if (version === null) throw new PartitionMetadataFileError(`Malformed line in partition metadata file (${location}): '${lines[0] ?? ''}'`);
  if (!/^-?\d+$/.test(version[2]!.trim())) throw new PartitionMetadataFileError(`Malformed line in partition metadata file (${location}): '${lines[0] ?? ''}'`);
  if (Number(version[2]) !== PARTITION_METADATA_VERSION) {
    throw new PartitionMetadataFileError(`Unrecognized version of partition metadata file (${location}): ${version[2]!.trim()}`);
  }
  const topicId = KEY_VALUE.exec(lines[1] ?? '');
  const id = topicId?.[2]?.trim();
  if (id === undefined || !UUID_TEXT.test(id)) throw new PartitionMetadataFileError(`Malformed line in partition metadata file (${location}): '${lines[1] ?? ''}'`);
  if (id === ZERO_UUID) throw new PartitionMetadataFileError(`Invalid topic ID in partition metadata file (${location})`);
  return id;
}

export class PartitionMetadataFile {
  constructor(readonly file: string) {}

  static forDir(dir: string): PartitionMetadataFile {
    return new PartitionMetadataFile(path.join(dir, PARTITION_METADATA_FILE));
  }

  /** Kafka creates the empty file when the log is initialised. */
  createIfMissing(): Promise<void> {
    return createEmptyFileIfMissing(this.file);
  }

  /** The recorded topic id, or null while the file is empty or absent. */
  async read(): Promise<string | null> {
    let text: string;
    try {
      text = await fsp.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    return text.length === 0 ? null : parsePartitionMetadata(text, this.file);
  }

  write(topicId: string): Promise<void> {
    return atomicWriteFile(this.file, formatPartitionMetadata(topicId));
  }
}
