/**
 * The launcher's files in the data dir: `launcher.pid` (a lock, taken when `up` starts, so a second
 * `up` on the same data dir refuses at once) and `cluster.json` (LauncherStateFile, written once the
 * cluster is ready: how the demo commands find the control API). Both are removed on stop; a file left
 * by a launcher that died (its pid is gone) is stale and never blocks a new `up`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LAUNCHER_STATE_FILE, type LauncherStateFile } from '../console/cluster-control';

export const LAUNCHER_LOCK_FILE = 'launcher.pid';

/** cluster.json as this launcher writes it: the contract's fields plus where the control API answers. */
export interface LauncherState extends LauncherStateFile {
  /** Base URL (ending in /) serving the control routes: the console's, or the launcher's own control server. */
  controlUrl: string;
  dataDir: string;
  startedAt: string;
}

/** True while `pid` names a live process that is not a zombie. */
export function pidIsAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: alive but someone else's
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc: trust kill(0)
  }
}

/**
 * True while `pid` is a live samsa-cluster launcher: after a crash its pid may be reused by an
 * unrelated process, which must not block a new `up`.
 */
export function launcherIsAlive(pid: number): boolean {
  if (!pidIsAlive(pid)) return false;
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('samsa-cluster');
  } catch {
    return true; // no /proc (or not ours to read): trust kill(0)
  }
}

export function stateFilePath(dataDir: string): string {
  return path.join(dataDir, LAUNCHER_STATE_FILE);
}

/** Parses cluster.json's text; throws a one-line error when it is not a launcher state. */
export function parseLauncherState(text: string, file: string): LauncherState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not JSON`);
  }
  const v = value as Partial<Record<keyof LauncherState, unknown>>;
  if (typeof value !== 'object' || value === null || typeof v.pid !== 'number' || typeof v.consoleUrl !== 'string') {
    throw new Error(`${file} is not a samsa launcher state (no pid/consoleUrl)`);
  }
  const consoleUrl = v.consoleUrl;
  return {
    pid: v.pid,
    consoleUrl,
    bootstrapServers: typeof v.bootstrapServers === 'string' ? v.bootstrapServers : '',
    zookeeperConnect: typeof v.zookeeperConnect === 'string' ? v.zookeeperConnect : '',
    // A cluster.json written without controlUrl: the console serves the control routes.
    controlUrl: typeof v.controlUrl === 'string' && v.controlUrl !== '' ? v.controlUrl : consoleUrl,
    dataDir: typeof v.dataDir === 'string' ? v.dataDir : path.dirname(file),
    startedAt: typeof v.startedAt === 'string' ? v.startedAt : '',
  };
}

export type LauncherLookup =
  | { kind: 'running'; state: LauncherState }
  | { kind: 'none'; file: string }
  | { kind: 'stale'; file: string; pid: number };

/** Reads cluster.json: the running launcher's state, none, or a stale file left by a dead launcher. */
export function findLauncher(dataDir: string, isAlive: (pid: number) => boolean = launcherIsAlive): LauncherLookup {
  const file = stateFilePath(dataDir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { kind: 'none', file };
  }
  const state = parseLauncherState(text, file);
  return isAlive(state.pid) ? { kind: 'running', state } : { kind: 'stale', file, pid: state.pid };
}

/** Writes cluster.json atomically (a reader never sees half a file). */
export function writeLauncherState(dataDir: string, state: LauncherState): void {
  const file = stateFilePath(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  fs.renameSync(tmp, file);
}

/** Removes cluster.json if it is this process's (a newer launcher's file is left alone). */
export function removeLauncherState(dataDir: string, pid = process.pid): void {
  const file = stateFilePath(dataDir);
  try {
    if (parseLauncherState(fs.readFileSync(file, 'utf8'), file).pid !== pid) return;
    fs.rmSync(file, { force: true });
  } catch {
    // already gone or unreadable
  }
}

/**
 * Takes the data dir's launcher lock: returns null when taken, or the pid of the live launcher that
 * holds it. A lock (or cluster.json) left by a dead launcher is replaced.
 */
export function acquireLauncherLock(dataDir: string, isAlive: (pid: number) => boolean = launcherIsAlive): number | null {
  fs.mkdirSync(dataDir, { recursive: true });
  const lock = path.join(dataDir, LAUNCHER_LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
      let found: LauncherLookup;
      try {
        found = findLauncher(dataDir, isAlive);
      } catch {
        found = { kind: 'stale', file: stateFilePath(dataDir), pid: 0 }; // unreadable: nobody can use it
      }
      if (found.kind === 'stale') fs.rmSync(found.file, { force: true });
      else if (found.kind === 'running' && found.state.pid !== process.pid) {
        fs.rmSync(lock, { force: true });
        return found.state.pid;
      }
      return null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number.parseInt(readOrEmpty(lock).trim(), 10);
    if (isAlive(holder) && holder !== process.pid) return holder;
    fs.rmSync(lock, { force: true }); // stale: its launcher died without cleaning up
  }
  throw new Error(`cannot take the launcher lock ${lock}`);
}

export function releaseLauncherLock(dataDir: string): void {
  const lock = path.join(dataDir, LAUNCHER_LOCK_FILE);
  if (Number.parseInt(readOrEmpty(lock).trim(), 10) === process.pid) fs.rmSync(lock, { force: true });
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
