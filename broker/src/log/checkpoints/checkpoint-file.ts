/**
 * Kafka's generic checkpoint file (kafka.server.checkpoints.CheckpointFile): a small UTF-8 text file
 *
 *   <version>\n<entry count>\n<entry>\n...
 *
 * rewritten atomically — the new content goes to `<file>.tmp`, is fsynced, renamed over the target,
 * and the parent directory is fsynced so the rename itself survives a crash. A reader therefore sees
 * either the old or the new file, never a torn one. A missing or empty file reads as no entries (Kafka
 * creates an empty file up front; `createIfMissing` does the same for callers that want the file on disk).
 *
 * One CheckpointFile instance per path: writes through one instance are serialized (they share the
 * `.tmp` name), two instances on the same path are not coordinated.
 */
import { promises as fsp } from 'fs';
import * as path from 'path';

/** Turns one entry into one line and back (Kafka's CheckpointFileFormatter). */
export interface CheckpointFileFormatter<T> {
  toLine(entry: T): string;
  /** `undefined` when the line is not a valid entry; the reader reports it as malformed. */
  fromLine(line: string): T | undefined;
}

/**
 * A checkpoint file that cannot be parsed (Kafka throws an IOException with these messages and wraps it
 * in KafkaStorageException). `file` and `lineNumber` (1-based, when one line is to blame) say where.
 */
export class CheckpointFileError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly lineNumber?: number,
  ) {
    super(message);
    this.name = 'CheckpointFileError';
  }
}

/** Java's Integer.parseInt / Long.parseLong accept an optional sign and decimal digits, nothing else. */
const DECIMAL = /^[+-]?\d+$/;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** Parses a Java int (partition, epoch, version, count); `undefined` when it is not one. */
export function parseInt32(text: string): number | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const n = Number(text);
  return n >= INT32_MIN && n <= INT32_MAX ? n : undefined;
}

/**
 * Parses a Java long holding an offset. Offsets are JS numbers in Samsa, so anything beyond 2^53 is
 * refused rather than silently rounded.
 */
export function parseSafeLong(text: string): number | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Kafka splits entry lines on `\s+`; a leading blank makes an empty first field, so the line is malformed. */
export function splitFields(line: string): string[] {
  return line.split(/\s+/);
}

/**
 * fsyncs a directory so a rename or create inside it is durable. Some platforms (Windows) cannot open
 * a directory for syncing; Kafka ignores that case too (Utils.flushDir only runs where it can).
 */
export async function fsyncDir(dir: string): Promise<void> {
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(dir, 'r');
    await handle.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF') throw err;
  } finally {
    await handle?.close();
  }
}

/**
 * Writes `data` to `target` atomically: `<target>.tmp`, fsync, rename, fsync the directory
 * (Kafka's write + Utils.atomicMoveWithFallback). Shared by checkpoints and meta.properties.
 */
export async function atomicWriteFile(target: string, data: string | Buffer): Promise<void> {
  const tmp = `${target}.tmp`;
  const handle = await fsp.open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fsp.rename(tmp, target);
  await fsyncDir(path.dirname(target));
}

/** Creates `file` empty unless it exists (Kafka's checkpoint and metadata file constructors do this). */
export async function createEmptyFileIfMissing(file: string): Promise<void> {
  try {
    const handle = await fsp.open(file, 'wx');
    await handle.close();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

export class CheckpointFile<T> {
  /** The write in progress or last queued; later writes chain behind it so `.tmp` is never shared. */
  private tail: Promise<void> = Promise.resolve();

  constructor(
    readonly file: string,
    readonly version: number,
    private readonly formatter: CheckpointFileFormatter<T>,
  ) {}

  /** Creates an empty file when none exists, as Kafka's constructor does; an existing file is kept. */
  createIfMissing(): Promise<void> {
    return createEmptyFileIfMissing(this.file);
  }

  /** Replaces the file's content with `entries`; resolves once the new file is durable. */
  write(entries: Iterable<T>): Promise<void> {
    // Format now so the caller's later mutations cannot leak into this write.
    const lines = [String(this.version), ''];
    let count = 0;
    for (const entry of entries) {
      lines.push(this.formatter.toLine(entry));
      count++;
    }
    lines[1] = String(count);
    const text = `${lines.join('\n')}\n`;
    const run = this.tail.catch(() => undefined).then(() => atomicWriteFile(this.file, text));
    this.tail = run;
    return run;
  }

  /** Reads every entry; a missing file reads as none. Throws CheckpointFileError on bad content. */
  async read(): Promise<T[]> {
    let text: string;
    try {
      text = await fsp.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return parseCheckpoint(text, this.file, this.version, this.formatter);
  }
}

/** Kafka's CheckpointReadBuffer.read over a whole file's text (lines end in \n, \r\n or \r as readLine allows). */
export function parseCheckpoint<T>(text: string, file: string, version: number, formatter: CheckpointFileFormatter<T>): T[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const malformed = (index: number): CheckpointFileError =>
    new CheckpointFileError(`Malformed line in checkpoint file (${file}): '${lines[index]}' (line ${index + 1})`, file, index + 1);

  if (lines.length === 0) return [];
  const fileVersion = parseInt32(lines[0]);
  if (fileVersion === undefined) throw malformed(0);
  if (fileVersion !== version) {
    throw new CheckpointFileError(`Unrecognized version of the checkpoint file (${file}): ${fileVersion}`, file, 1);
  }
  if (lines.length === 1) return [];
  const expectedSize = parseInt32(lines[1]);
  if (expectedSize === undefined) throw malformed(1);
  const entries: T[] = [];
  for (let i = 2; i < lines.length; i++) {
    const entry = formatter.fromLine(lines[i]);
    if (entry === undefined) throw malformed(i);
    entries.push(entry);
  }
  if (entries.length !== expectedSize) {
    throw new CheckpointFileError(
      `Expected ${expectedSize} entries in checkpoint file (${file}), but found only ${entries.length}`,
      file,
    );
  }
  return entries;
}
