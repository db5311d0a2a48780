/**
 * The files at the top of each log dir that are not partition data (reference/kafka-classic.md §4.1):
 *
 * - `meta.properties` (Kafka's BrokerMetadataCheckpoint, ZooKeeper-mode version 0): the broker id and
 *   cluster id the dir belongs to, in java.util.Properties text. A dir written by another cluster or
 *   broker is refused at startup, with Kafka's exception names and wording.
 * - `.lock`: one broker per dir. See LogDirLock for how this differs from Kafka.
 * - `.kafka_cleanshutdown`: present only after a clean shutdown; its absence at startup means recovery.
 */
import { randomBytes } from 'crypto';
import { promises as fsp } from 'fs';
import * as path from 'path';
import { atomicWriteFile, fsyncDir } from './checkpoints/checkpoint-file';

export const META_PROPERTIES_FILE = 'meta.properties';
export const LOCK_FILE = '.lock';
export const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown';

const VERSION_KEY = 'version';
const BROKER_ID_KEY = 'broker.id';
const CLUSTER_ID_KEY = 'cluster.id';

// ---------------------------------------------------------------------------------------------------
// Errors (Kafka's exception class names, so log lines read the same)

export class InconsistentClusterIdException extends Error {
  override readonly name = 'InconsistentClusterIdException';
}
export class InconsistentBrokerIdException extends Error {
  override readonly name = 'InconsistentBrokerIdException';
}
export class InconsistentBrokerMetadataException extends Error {
  override readonly name = 'InconsistentBrokerMetadataException';
}
/** Kafka throws a plain KafkaException when `.lock` is taken. */
export class LogDirLockedException extends Error {
  override readonly name = 'LogDirLockedException';
}

// ---------------------------------------------------------------------------------------------------
// java.util.Properties text

const PROPS_WHITESPACE = new Set([' ', '\t', '\f']);

function unescapeProperty(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '\\' || i + 1 >= text.length) {
      out += c;
      continue;
    }
    const n = text[++i];
    if (n === 't') out += '\t';
    else if (n === 'n') out += '\n';
    else if (n === 'r') out += '\r';
    else if (n === 'f') out += '\f';
    else if (n === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) {
      out += String.fromCharCode(parseInt(text.slice(i + 1, i + 5), 16));
      i += 4;
    } else out += n;
  }
  return out;
}

/** True when the line ends in an odd number of backslashes, i.e. continues on the next line. */
function continues(line: string): boolean {
  let n = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

/**
 * Parses java.util.Properties text (Properties.load): `#`/`!` comments, blank lines, `key=value`,
 * `key: value` or `key value`, backslash line continuations and escapes. Later keys win.
 */
export function parseProperties(text: string): Map<string, string> {
  const props = new Map<string, string>();
  const natural = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < natural.length; i++) {
    let line = natural[i].replace(/^[ \t\f]+/, '');
    if (line === '' || line[0] === '#' || line[0] === '!') continue;
    while (continues(line) && i + 1 < natural.length) {
      line = line.slice(0, -1) + natural[++i].replace(/^[ \t\f]+/, '');
    }
    if (continues(line)) line = line.slice(0, -1);
    let k = 0;
    while (k < line.length && !'=:'.includes(line[k]) && !PROPS_WHITESPACE.has(line[k])) k += line[k] === '\\' ? 2 : 1;
    const key = line.slice(0, Math.min(k, line.length));
    let v = k;
    while (v < line.length && PROPS_WHITESPACE.has(line[v])) v++;
    if (v < line.length && '=:'.includes(line[v])) v++;
    while (v < line.length && PROPS_WHITESPACE.has(line[v])) v++;
    props.set(unescapeProperty(key), unescapeProperty(line.slice(v)));
  }
  return props;
}

/** Properties.saveConvert: escapes that keep a key or value on one line and parse back the same. */
function escapeProperty(text: string, isKey: boolean): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const code = c.charCodeAt(0);
    if (c === '\\') out += '\\\\';
    else if (c === ' ') out += i === 0 || isKey ? '\\ ' : ' ';
    else if (c === '\t') out += '\\t';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\f') out += '\\f';
    else if ('=:#!'.includes(c)) out += `\\${c}`;
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += c;
  }
  return out;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** java.util.Date.toString in UTC: `Tue Jun 01 12:00:00 UTC 2021`. */
export function javaDateString(date: Date): string {
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return (
    `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${p2(date.getUTCDate())} ` +
    `${p2(date.getUTCHours())}:${p2(date.getUTCMinutes())}:${p2(date.getUTCSeconds())} UTC ${date.getUTCFullYear()}`
  );
}

/** Properties.store(out, "") output: an empty comment line, the date line, then `key=value` lines. */
export function formatProperties(entries: Iterable<readonly [string, string]>, date: Date): string {
  let out = `#\n#${javaDateString(date)}\n`;
  for (const [key, value] of entries) out += `${escapeProperty(key, true)}=${escapeProperty(value, false)}\n`;
  return out;
}

// ---------------------------------------------------------------------------------------------------
// The dirs themselves

/**
 * Kafka's createAndValidateLogDirs: each of `log.dirs` made absolute, created when missing, checked to
 * be a directory, and no directory listed twice (compared by real path). Returns the absolute paths.
 */
export async function createAndValidateLogDirs(logDirs: readonly string[]): Promise<string[]> {
  if (logDirs.length === 0) throw new Error('No log directories configured (log.dirs)');
  const dirs: string[] = [];
  const canonical = new Set<string>();
  for (const configured of logDirs) {
    const dir = path.resolve(configured);
    await fsp.mkdir(dir, { recursive: true });
    if (!(await fsp.stat(dir)).isDirectory()) throw new Error(`${dir} is not a readable log directory.`);
    const real = await fsp.realpath(dir);
    if (canonical.has(real)) throw new Error(`Duplicate log directory found: ${logDirs.join(', ')}`);
    canonical.add(real);
    dirs.push(dir);
  }
  return dirs;
}

// ---------------------------------------------------------------------------------------------------
// meta.properties

/** What a dir's meta.properties says (Kafka's RawMetaProperties; `version` defaults to 0 when absent). */
export interface MetaProperties {
  readonly version: number;
  readonly brokerId?: number;
  readonly clusterId?: string;
  /** Every key as stored, to compare dirs the way Kafka compares Properties objects. */
  readonly props: ReadonlyMap<string, string>;
}

/** Java's Properties.toString, `{cluster.id=x, version=0, broker.id=1}`, for error messages. */
function propsToString(props: ReadonlyMap<string, string>): string {
  return `{${[...props].map(([k, v]) => `${k}=${v}`).join(', ')}}`;
}

function intProperty(props: ReadonlyMap<string, string>, key: string, file: string): number | undefined {
  const text = props.get(key);
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (!/^[+-]?\d+$/.test(trimmed) || !Number.isSafeInteger(Number(trimmed))) {
    throw new Error(`Invalid value '${text}' for ${key} in ${file}`);
  }
  return Number(trimmed);
}

/** Reads `<dir>/meta.properties`; undefined when the dir has none (a new dir). Removes a stale `.tmp` first, as Kafka does. */
export async function readMetaProperties(dir: string): Promise<MetaProperties | undefined> {
  const file = path.join(dir, META_PROPERTIES_FILE);
  await fsp.rm(`${file}.tmp`, { force: true });
  let text: string;
  try {
    // Properties.load(InputStream) reads ISO-8859-1; anything else arrives as \u escapes.
    text = await fsp.readFile(file, 'latin1');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const props = parseProperties(text);
  return {
    version: intProperty(props, VERSION_KEY, file) ?? 0,
    brokerId: intProperty(props, BROKER_ID_KEY, file),
    clusterId: props.get(CLUSTER_ID_KEY),
    props,
  };
}

/** Writes `<dir>/meta.properties` (ZooKeeper-mode version 0) via temp file, fsync and rename. */
export async function writeMetaProperties(dir: string, meta: { brokerId: number; clusterId: string }, now = new Date()): Promise<void> {
  // Key order as Kafka's Properties (a hash map) happens to write them.
  const text = formatProperties(
    [
      [CLUSTER_ID_KEY, meta.clusterId],
      [VERSION_KEY, '0'],
      [BROKER_ID_KEY, String(meta.brokerId)],
    ],
    now,
  );
  await atomicWriteFile(path.join(dir, META_PROPERTIES_FILE), Buffer.from(text, 'latin1'));
}

function sameProps(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}

/**
 * The startup check of KafkaServer (2.8, ZooKeeper mode): every dir's meta.properties must agree
 * (InconsistentBrokerMetadataException), be version 0, and match the cluster id from ZooKeeper
 * (InconsistentClusterIdException) and the configured broker id (InconsistentBrokerIdException).
 * Dirs without the file are fine. Then every dir gets a meta.properties with the configured ids, as
 * Kafka's checkpointBrokerMetadata does.
 */
export async function checkAndWriteMetaProperties(
  dirs: readonly string[],
  brokerId: number,
  clusterId: string,
  now = new Date(),
): Promise<void> {
  const found: [string, MetaProperties][] = [];
  for (const dir of dirs) {
    const meta = await readMetaProperties(dir);
    if (meta !== undefined) found.push([dir, meta]);
  }
  if (found.some(([, m]) => !sameProps(m.props, found[0][1].props))) {
    const listing = found.map(([dir, m]) => `- ${dir} -> ${propsToString(m.props)}\n`).join('');
    throw new InconsistentBrokerMetadataException(
      'BrokerMetadata is not consistent across log.dirs. This could happen if multiple brokers shared a log directory (log.dirs) ' +
        `or partial data was manually copied from another broker. Found:\n${listing}`,
    );
  }
  const stored = found[0]?.[1];
  if (stored !== undefined) {
    if (stored.version !== 0) {
      throw new Error(
        `Found unexpected version in loaded \`meta.properties\`: ${propsToString(stored.props)}. ` +
          'Zk-based brokers only support version 0 (which is implicit when the `version` field is missing).',
      );
    }
    if (stored.clusterId !== undefined && stored.clusterId !== clusterId) {
      // Kafka prints the stored id as a Scala Option, hence `Some(...)`.
      throw new InconsistentClusterIdException(
        `The Cluster ID ${clusterId} doesn't match stored clusterId Some(${stored.clusterId}) in meta.properties. ` +
          'The broker is trying to join the wrong cluster. Configured zookeeper.connect may be wrong.',
      );
    }
    if (stored.brokerId !== undefined && stored.brokerId !== brokerId) {
      throw new InconsistentBrokerIdException(
        `Configured broker.id ${brokerId} doesn't match stored broker.id Some(${stored.brokerId}) in meta.properties. ` +
          'If you moved your data, make sure your configured broker.id matches. ' +
          'If you intend to create a new broker, you should remove all data in your data directories (log.dirs).',
      );
    }
  }
  for (const dir of dirs) await writeMetaProperties(dir, { brokerId, clusterId }, now);
}

// ---------------------------------------------------------------------------------------------------
// .lock

/** Lock files this process holds, so a second LogManager in the same process is refused too. */
const HELD_LOCKS = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid in a lock file; undefined when it has none (e.g. Kafka's own empty `.lock`), null when gone. */
async function readLockPid(file: string): Promise<number | undefined | null> {
  try {
    const text = (await fsp.readFile(file, 'utf8')).trim();
    return /^\d+$/.test(text) && Number(text) > 0 ? Number(text) : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * The `.lock` of one log dir. Kafka holds an OS file lock (FileChannel.tryLock) on an empty `.lock`
 * that it never deletes; Node has no flock, so Samsa instead creates `.lock` exclusively with this
 * process's pid in it and deletes it on release.
 *
 * Deviations, and why they are acceptable: a lock is stale when its pid is no longer alive (a crashed
 * broker leaves the file behind, which an OS lock would not) — or is this very process but not one of
 * its held locks (pid reuse across container restarts). A `.lock` without a pid, such as Kafka's empty
 * one, counts as stale: a live Java broker on the same dir is not detected. A crashed broker's pid
 * reused by an unrelated live process makes the lock look held; the error names the pid and the file
 * to remove by hand.
 */
export class LogDirLock {
  private released = false;

  private constructor(readonly file: string) {}

  static async acquire(dir: string): Promise<LogDirLock> {
    const file = path.resolve(dir, LOCK_FILE);
    const refuse = (detail: string): LogDirLockedException =>
      new LogDirLockedException(
        `Failed to acquire lock on file .lock in ${path.dirname(file)}. A Kafka instance in another process or thread is using this directory. (${detail})`,
      );
    if (HELD_LOCKS.has(file)) throw refuse(`held by this process, pid ${process.pid}`);
    // Reserved before the first await, so a concurrent acquire in this process is refused above and a
    // lock file carrying our own pid is known to be a stale one from an earlier process with that pid.
    HELD_LOCKS.add(file);
    try {
      for (let attempt = 0; attempt < 5; attempt++) {
        if (await LogDirLock.tryCreate(file)) return new LogDirLock(file);
        const holder = await readLockPid(file);
        if (holder === null) continue; // released meanwhile: try again
        if (holder !== undefined && holder !== process.pid && isAlive(holder)) {
          throw refuse(`held by live pid ${holder}; remove ${file} if that process is not a broker`);
        }
        await LogDirLock.removeStale(file, holder);
      }
      throw refuse('lock file kept changing while trying to take it over');
    } catch (err) {
      HELD_LOCKS.delete(file);
      throw err;
    }
  }

  /**
   * Creates the lock file with the pid already in it: write a private temp file, then hard-link it to
   * `.lock`, which fails if `.lock` exists. So no other process ever sees an empty lock file of ours.
   */
  private static async tryCreate(file: string): Promise<boolean> {
    const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    await fsp.writeFile(tmp, `${process.pid}\n`, { flag: 'wx' });
    try {
      await fsp.link(tmp, file);
      await fsyncDir(path.dirname(file));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    } finally {
      await fsp.rm(tmp, { force: true });
    }
  }

  /**
   * Removes a stale lock without clobbering a fresh one another starter may have created since we read
   * it: move it aside (atomic, so only one taker gets this file), check it is still the stale one, and
   * put it back (link fails if someone holds `.lock` again) when it is not.
   */
  private static async removeStale(file: string, stalePid: number | undefined): Promise<void> {
    const aside = `${file}.stale.${process.pid}.${randomBytes(6).toString('hex')}`;
    try {
      await fsp.rename(file, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    try {
      if ((await readLockPid(aside)) !== stalePid) {
        await fsp.link(aside, file).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'EEXIST') throw err;
        });
      }
    } finally {
      await fsp.rm(aside, { force: true });
    }
  }

  /** Deletes the lock file; idempotent. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    HELD_LOCKS.delete(this.file);
    // Only remove the file if it is still ours (it may have been removed by hand and retaken).
    if ((await readLockPid(this.file)) === process.pid) await fsp.rm(this.file, { force: true });
  }
}

// ---------------------------------------------------------------------------------------------------
// .kafka_cleanshutdown

/**
 * Whether the last shutdown of this dir was clean, deleting the marker so that a crash during this
 * run's loading counts as unclean next time (KAFKA-10471).
 */
export async function consumeCleanShutdownMarker(dir: string): Promise<boolean> {
  const file = path.join(dir, CLEAN_SHUTDOWN_FILE);
  try {
    await fsp.unlink(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  await fsyncDir(dir);
  return true;
}

/** Marks the dir cleanly shut down; written last, after logs are flushed and checkpoints written. */
export async function writeCleanShutdownMarker(dir: string): Promise<void> {
  const handle = await fsp.open(path.join(dir, CLEAN_SHUTDOWN_FILE), 'w');
  await handle.close();
  await fsyncDir(dir);
}
