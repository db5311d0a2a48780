/**
 * One Samsa broker as a child process: `node --import tsx broker/src/main.ts server.properties`,
 * stdout and stderr appended to a log file, guarded so it never outlives its starter. Used by the
 * local cluster launcher, the integration-test harness and the produce benchmark.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { guardChild } from './child-guard';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const BROKER_ENTRYPOINT = path.join(REPO_ROOT, 'broker', 'src', 'main.ts');
const TSX_LOADER = path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs');

export interface BrokerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Environment for a broker child: its own LOG_LEVEL, and no jest marker (which silences the logger). */
export function brokerEnv(logLevel: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: logLevel };
  delete env.JEST_WORKER_ID;
  return env;
}

/** `node --import <tsx> broker/src/main.ts ...args`; throws a clear error when main.ts does not exist. */
export function brokerCommand(args: readonly string[]): { command: string; args: string[] } {
  if (!fs.existsSync(BROKER_ENTRYPOINT)) {
    throw new Error(`the broker entrypoint ${BROKER_ENTRYPOINT} does not exist: no broker process can be started`);
  }
  // SAMSA_BROKER_NODE_ARGS adds node flags (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) to profile brokers.
  const nodeArgs = (process.env.SAMSA_BROKER_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  return { command: process.execPath, args: [...nodeArgs, '--import', TSX_LOADER, BROKER_ENTRYPOINT, ...args] };
}

/** Renders server.properties (keys sorted for readability). */
export function propertiesText(props: Readonly<Record<string, string>>): string {
  return `${Object.keys(props)
    .sort()
    .map((k) => `${k}=${props[k]}`)
    .join('\n')}\n`;
}

/** The last `lines` lines of a file, or a note that it cannot be read. */
export function tailFile(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return `(cannot read ${file})`;
  }
}

export interface BrokerProcessOptions {
  propertiesFile: string;
  /** stdout and stderr are appended here. */
  logFile: string;
  logLevel?: string;
  /** Extra `--override key=value` arguments. */
  overrides?: Readonly<Record<string, string>>;
  /**
   * Own process group (default false): a terminal's Ctrl-C then reaches only the starter, which stops
   * the brokers itself (controlled shutdown while ZooKeeper still runs) instead of all at once.
   */
  detached?: boolean;
}

export class BrokerProcess {
  /** Resolves when the process has exited (or failed to spawn). */
  readonly exited: Promise<BrokerExit>;

  private constructor(readonly child: ChildProcess, exited: Promise<BrokerExit>) {
    this.exited = exited;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  static spawn(options: BrokerProcessOptions): BrokerProcess {
    const overrides = Object.entries(options.overrides ?? {}).flatMap(([k, v]) => ['--override', `${k}=${v}`]);
    const { command, args } = brokerCommand([options.propertiesFile, ...overrides]);
    fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
    const logFd = fs.openSync(options.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(command, args, {
        cwd: REPO_ROOT,
        env: brokerEnv(options.logLevel ?? 'info'),
        stdio: ['ignore', logFd, logFd],
        detached: options.detached === true,
      });
    } finally {
      fs.closeSync(logFd); // the child holds its own copy
    }
    const release = guardChild(child, 'samsa-broker-watchdog', { detached: options.detached === true });
    const exited = new Promise<BrokerExit>((resolve) => {
      child.once('exit', (code, signal) => {
        release();
        resolve({ code, signal });
      });
      child.once('error', () => {
        release();
        resolve({ code: null, signal: null });
      });
    });
    return new BrokerProcess(child, exited);
  }

  /** Sends `signal`; false when the process is already gone. */
  kill(signal: NodeJS.Signals): boolean {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return false;
    return this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL after graceMs; resolves with how it ended. */
  async stop(graceMs = 30_000): Promise<BrokerExit> {
    if (!this.kill('SIGTERM')) return this.exited;
    let timer: NodeJS.Timeout | undefined;
    const escalated = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.kill('SIGKILL');
        resolve();
      }, graceMs);
    });
    const exit = await Promise.race([this.exited, escalated.then(() => this.exited)]);
    clearTimeout(timer);
    return exit;
  }
}
