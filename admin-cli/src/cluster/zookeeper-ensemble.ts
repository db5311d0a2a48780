/**
 * Starts a real ZooKeeper ensemble (1, 3 or 5 QuorumPeerMain java processes on loopback) for the
 * integration tests and the local cluster launcher, and guarantees no server outlives its owner:
 * children are tracked, stop() kills them, and a process 'exit' hook SIGKILLs any left running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { guardChild } from './child-guard';
import { findJava, findZooKeeperInstall, MISSING_JAVA_MESSAGE, MISSING_ZOOKEEPER_MESSAGE } from './zookeeper-install';

export type EnsembleSize = 1 | 3 | 5;
export type ServerMode = 'leader' | 'follower' | 'observer' | 'standalone' | 'down';

export interface ZooKeeperEnsembleOptions {
  size?: EnsembleSize;
  /** Holds one directory per server (zoo.cfg, data/, zookeeper.log). Default: a fresh temp dir. */
  baseDir?: string;
  /** Keep baseDir on stop(). Default: false for a temp dir, true for a given baseDir. */
  keepData?: boolean;
  /** Client ports, one per server; default: free loopback ports. */
  clientPorts?: readonly number[];
  /** ZooKeeper's tick; sessions may be as short as 2 ticks. Default 500 ms (fast elections in tests). */
  tickTimeMs?: number;
  minSessionTimeoutMs?: number;
  maxSessionTimeoutMs?: number;
  /** How long start()/startServer() wait for a server to serve. Default 60 s. */
  startTimeoutMs?: number;
  /** Extra zoo.cfg lines (unknown keys become zookeeper.* system properties). */
  extraConfig?: Readonly<Record<string, string>>;
  /** Extra JVM options. */
  javaOptions?: readonly string[];
  /** Called when a server exits without being stopped through this object (a crash). */
  onUnexpectedExit?: (id: number, description: string) => void;
  /** Called when a starting server first serves (start() and startServer()), for progress lines. */
  onServing?: (id: number, mode: ServerMode) => void;
  /** Each server in its own process group (see BrokerProcessOptions.detached). Default false. */
  detached?: boolean;
}

export interface ZooKeeperServerInfo {
  readonly id: number;
  readonly clientPort: number;
  readonly quorumPort: number;
  readonly electionPort: number;
  /** pid of the running java process, null while stopped. */
  readonly pid: number | null;
  readonly configFile: string;
  readonly dataDir: string;
  readonly logFile: string;
}

interface ServerState {
  readonly id: number;
  readonly clientPort: number;
  readonly quorumPort: number;
  readonly electionPort: number;
  readonly dir: string;
  readonly configFile: string;
  readonly dataDir: string;
  readonly logFile: string;
  child: ChildProcess | null;
  /** Settles when the current child has exited. */
  exited: Promise<void> | null;
  exitDescription: string | null;
  /** Set while this object is stopping the server, so its exit is not reported as a crash. */
  stopping: boolean;
}

export interface StopServerOptions {
  /** SIGKILL by default (a crash); SIGTERM is escalated to SIGKILL after graceMs. */
  signal?: NodeJS.Signals;
  graceMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Where freePorts draws from: below Linux's default ephemeral range (32768-60999). A port the kernel
 * handed out for `listen(0)` is an ephemeral one, and between closing the probe and the server's own
 * bind an outgoing connection (a ZooKeeper client, a kafkajs socket) may be given the same number;
 * ports outside that range are never assigned to outgoing connections.
 */
const PORT_RANGE = { low: 20_000, high: 32_000 } as const;

function tryListen(server: net.Server, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const onError = (): void => resolve(false);
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve(true);
    });
  });
}

/** Free loopback ports outside the ephemeral range, all held open together so no two are the same. */
export async function freePorts(count: number): Promise<number[]> {
  const held: net.Server[] = [];
  const ports: number[] = [];
  try {
    for (let attempt = 0; ports.length < count; attempt++) {
      if (attempt > count * 200) throw new Error(`no ${count} free loopback ports in ${PORT_RANGE.low}-${PORT_RANGE.high}`);
      const port = PORT_RANGE.low + Math.floor(Math.random() * (PORT_RANGE.high - PORT_RANGE.low));
      if (ports.includes(port)) continue;
      const server = net.createServer();
      if (await tryListen(server, port)) {
        held.push(server);
        ports.push(port);
      }
    }
    return ports;
  } finally {
    await Promise.all(held.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

/** Sends a ZooKeeper four-letter word (srvr, ruok, stat, ...) and returns the whole answer. */
export function fourLetterWord(port: number, word: string, timeoutMs = 2000, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => socket.destroy(new Error(`'${word}' on ${host}:${port} timed out`)), timeoutMs);
    socket.on('connect', () => socket.end(word));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('close', (hadError) => {
      clearTimeout(timer);
      if (!hadError) resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

function parseMode(srvr: string): ServerMode {
  const match = /^Mode: (\w+)/m.exec(srvr);
  switch (match?.[1]) {
    case 'leader':
    case 'follower':
    case 'observer':
    case 'standalone':
      return match[1];
    default:
      return 'down'; // "This ZooKeeper instance is not currently serving requests"
  }
}

function tail(file: string, lines = 30): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export class ZooKeeperEnsemble {
  private readonly servers_: ServerState[];
  private stopped = false;

  private constructor(
    readonly baseDir: string,
    private readonly keepData: boolean,
    private readonly java: string,
    private readonly classpath: string,
    private readonly javaOptions: readonly string[],
    private readonly startTimeoutMs: number,
    private readonly onUnexpectedExit: ((id: number, description: string) => void) | undefined,
    servers: ServerState[],
    private readonly hooks: Pick<ZooKeeperEnsembleOptions, 'onServing' | 'detached'> = {},
  ) {
    this.servers_ = servers;
  }

  /** Writes the configuration, starts every server and waits until all serve (a quorum has formed). */
  static async start(options: ZooKeeperEnsembleOptions = {}): Promise<ZooKeeperEnsemble> {
    const size = options.size ?? 1;
    const install = findZooKeeperInstall();
    if (install === null) throw new Error(MISSING_ZOOKEEPER_MESSAGE);
    const java = findJava();
    if (java === null) throw new Error(MISSING_JAVA_MESSAGE);
    if (options.clientPorts !== undefined && options.clientPorts.length !== size) {
      throw new Error(`clientPorts has ${options.clientPorts.length} ports for an ensemble of ${size}`);
    }

    const baseDir = options.baseDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'samsa-zk-'));
    fs.mkdirSync(baseDir, { recursive: true });
    const keepData = options.keepData ?? options.baseDir !== undefined;
    const ports = await freePorts(size * 3);
    const servers: ServerState[] = [];
    for (let i = 0; i < size; i++) {
      const id = i + 1;
      const dir = path.join(baseDir, `zk-${id}`);
      servers.push({
        id,
        clientPort: options.clientPorts?.[i] ?? ports[i * 3],
        quorumPort: ports[i * 3 + 1],
        electionPort: ports[i * 3 + 2],
        dir,
        configFile: path.join(dir, 'zoo.cfg'),
        dataDir: path.join(dir, 'data'),
        logFile: path.join(dir, 'zookeeper.log'),
        child: null,
        exited: null,
        exitDescription: null,
        stopping: false,
      });
    }
    const tickTimeMs = options.tickTimeMs ?? 500;
    for (const server of servers) {
      fs.mkdirSync(server.dataDir, { recursive: true });
      fs.writeFileSync(path.join(server.dataDir, 'myid'), `${server.id}\n`);
      fs.writeFileSync(server.configFile, zooCfg(server, servers, tickTimeMs, options));
    }

    const ensemble = new ZooKeeperEnsemble(
      baseDir,
      keepData,
      java,
      install.classpath.join(path.delimiter),
      options.javaOptions ?? [],
      options.startTimeoutMs ?? 60_000,
      options.onUnexpectedExit,
      servers,
      { onServing: options.onServing, detached: options.detached },
    );
    try {
      for (const server of servers) ensemble.spawn(server);
      await Promise.all(servers.map((server) => ensemble.awaitServing(server)));
    } catch (err) {
      await ensemble.stop();
      throw err;
    }
    return ensemble;
  }

  /** "127.0.0.1:p1,127.0.0.1:p2,..." — append a chroot ("/kafka") as needed. */
  get connectString(): string {
    return this.servers_.map((s) => `127.0.0.1:${s.clientPort}`).join(',');
  }

  get servers(): ZooKeeperServerInfo[] {
    return this.servers_.map((s) => ({
      id: s.id,
      clientPort: s.clientPort,
      quorumPort: s.quorumPort,
      electionPort: s.electionPort,
      pid: s.child?.pid ?? null,
      configFile: s.configFile,
      dataDir: s.dataDir,
      logFile: s.logFile,
    }));
  }

  /** Kills one server (SIGKILL by default, i.e. a crash) and waits until the process has exited. */
  async stopServer(id: number, options: StopServerOptions = {}): Promise<void> {
    await this.kill(this.server(id), options.signal ?? 'SIGKILL', options.graceMs ?? 10_000);
  }

  /** Restarts a stopped server with its old configuration and data; resolves when it serves. */
  async startServer(id: number): Promise<void> {
    const server = this.server(id);
    if (this.stopped) throw new Error('ensemble is stopped');
    if (server.child !== null) throw new Error(`ZooKeeper server ${id} is already running`);
    this.spawn(server);
    await this.awaitServing(server);
  }

  /** The server's role as `srvr` reports it; 'down' when stopped or not serving (no quorum). */
  async mode(id: number): Promise<ServerMode> {
    const server = this.server(id);
    if (server.child === null) return 'down';
    try {
      return parseMode(await fourLetterWord(server.clientPort, 'srvr'));
    } catch {
      return 'down';
    }
  }

  /** Waits until every running server serves (after a stop, the others re-elect a leader). */
  async waitUntilServing(timeoutMs = this.startTimeoutMs): Promise<void> {
    await Promise.all(this.servers_.filter((s) => s.child !== null).map((s) => this.awaitServing(s, timeoutMs)));
  }

  /** Kills every server, waits for them to exit, and removes a temp baseDir. Safe to call twice. */
  async stop(options: StopServerOptions = {}): Promise<void> {
    this.stopped = true;
    await Promise.all(this.servers_.map((s) => this.kill(s, options.signal ?? 'SIGKILL', options.graceMs ?? 10_000)));
    if (!this.keepData) fs.rmSync(this.baseDir, { recursive: true, force: true });
  }

  private server(id: number): ServerState {
    const server = this.servers_.find((s) => s.id === id);
    if (server === undefined) throw new Error(`no ZooKeeper server ${id} in this ensemble`);
    return server;
  }

  private spawn(server: ServerState): void {
    const logFd = fs.openSync(server.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(
        this.java,
        [
          // Small, quick-starting JVMs: up to five of them share two cores in CI.
          '-Xms32m',
          '-Xmx256m',
          '-XX:+UseSerialGC',
          '-XX:TieredStopAtLevel=1',
          `-Dzookeeper.log.dir=${server.dir}`,
          '-Dzookeeper.log.file=zookeeper.log',
          '-Dorg.slf4j.simpleLogger.showDateTime=true',
          '-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd HH:mm:ss.SSS',
          ...this.javaOptions,
          '-cp',
          this.classpath,
          'org.apache.zookeeper.server.quorum.QuorumPeerMain',
          server.configFile,
        ],
        { cwd: server.dir, stdio: ['ignore', logFd, logFd], detached: this.hooks.detached === true },
      );
    } finally {
      fs.closeSync(logFd); // the child holds its own copy
    }
    server.child = child;
    server.exitDescription = null;
    server.stopping = false;
    const release = guardChild(child, 'samsa-zk-watchdog', { detached: this.hooks.detached === true });
    server.exited = new Promise<void>((resolve) => {
      const onGone = (description: string): void => {
        release(); // before the pid can be reused
        server.exitDescription = description;
        if (server.child === child) server.child = null;
        if (!server.stopping && !this.stopped) this.onUnexpectedExit?.(server.id, description);
        resolve();
      };
      child.once('exit', (code, signal) => onGone(signal !== null ? `killed by ${signal}` : `exited with code ${code ?? '?'}`));
      // spawn failure (e.g. java vanished): no 'exit' follows
      child.once('error', (err) => onGone(`failed to start: ${err.message}`));
    });
  }

  private async awaitServing(server: ServerState, timeoutMs = this.startTimeoutMs): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (server.child === null) {
        throw this.startupError(server, server.exitDescription ?? 'is not running');
      }
      const mode = await this.mode(server.id);
      if (mode !== 'down') {
        this.hooks.onServing?.(server.id, mode);
        return;
      }
      if (Date.now() >= deadline) {
        throw this.startupError(server, `is not serving after ${timeoutMs} ms`);
      }
      await sleep(150);
    }
  }

  private startupError(server: ServerState, what: string): Error {
    return new Error(
      `ZooKeeper server ${server.id} (client port ${server.clientPort}) ${what}; log: ${server.logFile}\n` +
        `--- last lines of ${server.logFile} ---\n${tail(server.logFile)}`,
    );
  }

  private async kill(server: ServerState, signal: NodeJS.Signals, graceMs: number): Promise<void> {
    const child = server.child;
    const exited = server.exited;
    if (child === null || exited === null) return;
    server.stopping = true;
    child.kill(signal);
    if (signal === 'SIGKILL') {
      await exited;
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const escalate = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve();
      }, graceMs);
    });
    await Promise.race([exited, escalate]);
    clearTimeout(timer);
    await exited;
  }
}

function zooCfg(
  server: ServerState,
  all: readonly ServerState[],
  tickTimeMs: number,
  options: ZooKeeperEnsembleOptions,
): string {
  const settings: Record<string, string> = {
    tickTime: String(tickTimeMs),
    // Followers get 10 s to sync with a new leader and 5 s of silence before they are dropped.
    initLimit: String(Math.ceil(10_000 / tickTimeMs)),
    syncLimit: String(Math.ceil(5_000 / tickTimeMs)),
    dataDir: server.dataDir,
    clientPort: String(server.clientPort),
    clientPortAddress: '127.0.0.1',
    maxClientCnxns: '0',
    minSessionTimeout: String(options.minSessionTimeoutMs ?? 2 * tickTimeMs),
    // Kafka's default zookeeper.session.timeout.ms is 18 s; allow well above it.
    maxSessionTimeout: String(options.maxSessionTimeoutMs ?? 60_000),
    'admin.enableServer': 'false',
    '4lw.commands.whitelist': '*',
    // Transaction log files are preallocated in this many KB (64 MB by default).
    preAllocSize: '4096',
    ...options.extraConfig,
  };
  const lines = Object.entries(settings).map(([key, value]) => `${key}=${value}`);
  // One server runs standalone, as a single Kafka development ZooKeeper does.
  if (all.length > 1) {
    lines.push('reconfigEnabled=false');
    for (const s of all) lines.push(`server.${s.id}=127.0.0.1:${s.quorumPort}:${s.electionPort}`);
  }
  return `${lines.join('\n')}\n`;
}
