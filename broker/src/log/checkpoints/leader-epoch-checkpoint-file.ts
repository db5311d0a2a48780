/**
 * Kafka's LeaderEpochCheckpointFile: the partition directory's `leader-epoch-checkpoint`, version 0,
 * one `epoch startOffset` line per cached epoch, oldest first.
 */
import * as path from 'path';
import { CheckpointFile, CheckpointFileFormatter, parseInt32, parseSafeLong, splitFields } from './checkpoint-file';

export const LEADER_EPOCH_CHECKPOINT_FILE = 'leader-epoch-checkpoint';
export const LEADER_EPOCH_CHECKPOINT_VERSION = 0;

/** The first offset written in a leader epoch (Kafka's EpochEntry). */
export interface EpochEntry {
  readonly epoch: number;
  readonly startOffset: number;
}

/** Where a LeaderEpochFileCache keeps its entries; a file in production, memory in some tests. */
export interface LeaderEpochCheckpoint {
  read(): Promise<EpochEntry[]>;
  write(entries: Iterable<EpochEntry>): Promise<void>;
}

const FORMATTER: CheckpointFileFormatter<EpochEntry> = {
  toLine: (e) => `${e.epoch} ${e.startOffset}`,
  fromLine: (line) => {
    const fields = splitFields(line);
    if (fields.length !== 2) return undefined;
    const epoch = parseInt32(fields[0]);
    const startOffset = parseSafeLong(fields[1]);
    if (epoch === undefined || startOffset === undefined) return undefined;
    return { epoch, startOffset };
  },
};

export class LeaderEpochCheckpointFile implements LeaderEpochCheckpoint {
  private readonly checkpoint: CheckpointFile<EpochEntry>;

  constructor(readonly file: string) {
    this.checkpoint = new CheckpointFile(file, LEADER_EPOCH_CHECKPOINT_VERSION, FORMATTER);
  }

  /** The checkpoint of the partition directory `dir` (Kafka's LeaderEpochCheckpointFile.newFile). */
  static forDir(dir: string): LeaderEpochCheckpointFile {
    return new LeaderEpochCheckpointFile(path.join(dir, LEADER_EPOCH_CHECKPOINT_FILE));
  }

  write(entries: Iterable<EpochEntry>): Promise<void> {
    return this.checkpoint.write(entries);
  }

  read(): Promise<EpochEntry[]> {
    return this.checkpoint.read();
  }

  /** Kafka creates the (empty) file when the log opens, so a fresh partition dir already has one. */
  createIfMissing(): Promise<void> {
    return this.checkpoint.createIfMissing();
  }
}
