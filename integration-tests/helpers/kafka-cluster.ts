/**
 * KafkaCluster: a real ZooKeeper ensemble plus N Samsa broker processes on loopback, for the
 * integration tests and the produce benchmark. Each broker is `node --import tsx broker/src/main.ts
 * <server.properties>` with its own log file; nothing outlives the owner (stop(), an exit hook, and a
 * watchdog shell per broker that kills it when this process dies without running hooks).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  BROKER_ENTRYPOINT,
  brokerCommand,
  brokerEnv,
  BrokerProcess,
  propertiesText,
  REPO_ROOT,
  tailFile,
  type BrokerExit,
} from '../../admin-cli/src/cluster/broker-process';
import { guardChild } from '../../admin-cli/src/cluster/child-guard';
import { freePorts, ZooKeeperEnsemble } from '../../admin-cli/src/cluster/zookeeper-ensemble';
import { createLogger } from '../../broker/src/common/logger';
import { BrokerClient } from '../../broker/src/network';
import { ApiKey } from '../../broker/src/protocol';
import { defaultMetadataRequest } from '../../broker/src/protocol/generated/metadata-request';
import { ZkClient, type ZkNode } from '../../broker/src/zk';
import {
  BrokerIdZNode,
  BrokerIdsZNode,
  ControllerZNode,
  TopicPartitionStateZNode,
  type LeaderIsrAndControllerEpoch,
} from '../../broker/src/zk/znodes';

export { REPO_ROOT, BROKER_ENTRYPOINT, brokerCommand, propertiesText, tailFile };
/** Exported for its own test. */
export { readZkInChild };

export interface KafkaClusterOptions {
  zookeepers?: 1 | 3;
  brokers: number;
  /** server.properties entries for every broker (win over the harness defaults). */
  overrides?: Readonly<Record<string, string>>;
  /** Per-broker entries (win over `overrides`). */
  brokerOverrides?: (id: number) => Readonly<Record<string, string>>;
  /** First broker id; ids are consecutive. Default 1. */
  firstBrokerId?: number;
  /** LOG_LEVEL of the broker processes. Default: $SAMSA_BROKER_LOG_LEVEL or 'info'. */
  logLevel?: string;
  /** How long start()/startBroker() wait for registration and a controller. Default 60 s. */
  startTimeoutMs?: number;
}

export type { BrokerExit };

interface BrokerState {
  readonly id: number;
  readonly port: number;
  readonly dir: string;
  readonly propertiesFile: string;
  readonly logFile: string;
  readonly logDir: string;
  child: ChildProcess | null;
  exited: Promise<BrokerExit> | null;
  lastExit: BrokerExit | null;
}

export interface BrokerRun extends BrokerExit {
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs one broker process to completion with captured output (for start-up failures); it is
 * SIGKILLed after timeoutMs (then `timedOut`).
 */
export async function runBrokerProcess(args: readonly string[], timeoutMs = 30_000, logLevel = 'info'): Promise<BrokerRun> {
  const { command, args: argv } = brokerCommand(args);
  const child = spawn(command, argv, { cwd: REPO_ROOT, env: brokerEnv(logLevel), stdio: ['ignore', 'pipe', 'pipe'] });
  const release = guardChild(child, 'samsa-broker-watchdog');
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (b: Buffer) => out.push(b));
  child.stderr?.on('data', (b: Buffer) => err.push(b));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const exit = await new Promise<BrokerExit>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  clearTimeout(timer);
  release();
  return { ...exit, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), timedOut };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class KafkaCluster {
  private readonly brokers_ = new Map<number, BrokerState>();
  private zk_: Promise<ZkClient> | null = null;
  /** When harness reads began failing without a connection (see dropZkIfStuck). */
  private zkFailingSince: number | null = null;
  private zkReconnecting = false;
  private stopped = false;

  private constructor(
    readonly baseDir: string,
    readonly ensemble: ZooKeeperEnsemble,
    /** The chroot every broker uses, e.g. `/samsa-3f9a0c`. */
    readonly chroot: string,
    private readonly logLevel: string,
    private readonly startTimeoutMs: number,
  ) {}

  /** Starts the ensemble and every broker; resolves when all are registered and a controller exists. */
  static async start(options: KafkaClusterOptions): Promise<KafkaCluster> {
    const baseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'samsa-cluster-'));
    let ensemble: ZooKeeperEnsemble;
    try {
      ensemble = await ZooKeeperEnsemble.start({ size: options.zookeepers ?? 1, baseDir: path.join(baseDir, 'zookeeper'), keepData: true });
    } catch (err) {
      fs.rmSync(baseDir, { recursive: true, force: true });
      throw err;
    }
    const chroot = `/samsa-${crypto.randomBytes(4).toString('hex')}`;
    const cluster = new KafkaCluster(
      baseDir,
      ensemble,
      chroot,
      options.logLevel ?? process.env.SAMSA_BROKER_LOG_LEVEL ?? 'info',
      options.startTimeoutMs ?? 60_000,
    );
    try {
      const first = options.firstBrokerId ?? 1;
      const ports = await freePorts(options.brokers);
      for (let i = 0; i < options.brokers; i++) {
        const id = first + i;
        const dir = path.join(baseDir, `broker-${id}`);
        fs.mkdirSync(dir, { recursive: true });
        const state: BrokerState = {
          id,
          port: ports[i],
          dir,
          propertiesFile: path.join(dir, 'server.properties'),
          logFile: path.join(dir, 'broker.log'),
          logDir: path.join(dir, 'logs'),
          child: null,
          exited: null,
          lastExit: null,
        };
        const props: Record<string, string> = {
          ...cluster.defaultProperties(state, options.brokers),
          ...options.overrides,
          ...options.brokerOverrides?.(id),
        };
        fs.writeFileSync(state.propertiesFile, propertiesText(props));
        cluster.brokers_.set(id, state);
      }
      for (const state of cluster.brokers_.values()) cluster.spawn(state);
      await Promise.all([...cluster.brokers_.keys()].map((id) => cluster.waitForRegistration(id)));
      await cluster.waitForController(undefined, cluster.startTimeoutMs);
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  /** The harness's defaults: small timeouts and single-replica internal topics for a test cluster. */
  private defaultProperties(state: BrokerState, brokerCount: number): Record<string, string> {
    const internalRf = String(Math.min(3, brokerCount));
    return {
      'broker.id': String(state.id),
      listeners: `PLAINTEXT://127.0.0.1:${state.port}`,
      'log.dirs': state.logDir,
      'zookeeper.connect': this.zkConnect,
      'zookeeper.session.timeout.ms': '6000',
      'zookeeper.connection.timeout.ms': '30000',
      'num.partitions': '1',
      'default.replication.factor': '1',
      'offsets.topic.replication.factor': internalRf,
      'transaction.state.log.replication.factor': internalRf,
      'transaction.state.log.min.isr': '1',
      'group.initial.rebalance.delay.ms': '0',
    };
  }

  /** The ensemble's connect string with the cluster's chroot, as in every broker's zookeeper.connect. */
  get zkConnect(): string {
    return `${this.ensemble.connectString}${this.chroot}`;
  }

  get brokerIds(): number[] {
    return [...this.brokers_.keys()];
  }

  /** "127.0.0.1:p1,127.0.0.1:p2,..." over every broker (running or not). */
  get bootstrapServers(): string {
    return this.brokerIds.map((id) => this.brokerAddress(id)).join(',');
  }

  /** Bootstrap list of the running brokers only (e.g. after a kill). */
  liveBootstrapServers(): string {
    return this.brokerIds
      .filter((id) => this.isRunning(id))
      .map((id) => this.brokerAddress(id))
      .join(',');
  }

  brokerAddress(id: number): string {
    return `127.0.0.1:${this.broker(id).port}`;
  }

  brokerPort(id: number): number {
    return this.broker(id).port;
  }

  logFile(id: number): string {
    return this.broker(id).logFile;
  }

  /** Every broker's log file, for a failing test's message. */
  get logFiles(): Record<number, string> {
    const out: Record<number, string> = {};
    for (const [id, s] of this.brokers_) out[id] = s.logFile;
    return out;
  }

  propertiesFile(id: number): string {
    return this.broker(id).propertiesFile;
  }

  /** The broker's log.dirs (one directory). */
  dataDir(id: number): string {
    return this.broker(id).logDir;
  }

  pid(id: number): number | null {
    return this.broker(id).child?.pid ?? null;
  }

  isRunning(id: number): boolean {
    return this.broker(id).child !== null;
  }

  /** How the broker's last process ended (null while running or never stopped). */
  lastExit(id: number): BrokerExit | null {
    return this.broker(id).lastExit;
  }

  /** A ZooKeeper session on the cluster's chroot, opened on first use and closed by stop(). */
  async zk(): Promise<ZkClient> {
    if (this.stopped) throw new Error('cluster is stopped');
    // One connect shared by concurrent callers (a second session would leak a native handle).
    if (this.zk_ === null) {
      const connecting = ZkClient.connect({
        connectString: this.zkConnect,
        sessionTimeoutMs: 30_000,
        connectTimeoutMs: 30_000,
        logger: createLogger('kafka-cluster-harness'),
      });
      this.zk_ = connecting;
      // A failed connect is not kept: the next call connects afresh (this caller still sees the error).
      void connecting.catch(() => {
        if (this.zk_ === connecting) this.zk_ = null;
      });
    }
    return this.zk_;
  }

  /**
   * Drops the harness's session when reads have failed without a connection for 10 s, so that the
   * next read opens a new one instead of waiting on a handle that cannot get back to the ensemble
   * (seen in CI: a handle refused for a minute). A shorter outage, such as a ZooKeeper leader being
   * killed by a test, is left to the handle's own reconnection.
   */
  private dropZkIfStuck(zk: ZkClient): void {
    if (zk.connected || this.zk_ === null) return;
    const now = Date.now();
    this.zkFailingSince ??= now;
    if (now - this.zkFailingSince < ZK_STUCK_MS) return;
    const old = this.zk_;
    this.zk_ = null;
    void old.then((c) => c.close()).catch(() => undefined);
  }

  /** Opens a new in-process session while reads go through child processes; back to it once connected. */
  private reconnectZkInBackground(): void {
    if (this.zkReconnecting || this.stopped) return;
    this.zkReconnecting = true;
    void this.zk()
      .then((c) => {
        if (c.connected) this.zkFailingSince = null;
      })
      .catch(() => undefined)
      .finally(() => {
        this.zkReconnecting = false;
      });
  }

  /**
   * A znode (data and stat) under the chroot, or null. While the in-process session has been failing
   * for 10 s, the read is made by a fresh child process instead.
   */
  async readZk(znodePath: string): Promise<ZkNode | null> {
    if (this.zkFailingSince !== null && Date.now() - this.zkFailingSince >= ZK_STUCK_MS) {
      this.reconnectZkInBackground();
      return readZkInChild(this.zkConnect, znodePath);
    }
    let zk: ZkClient;
    try {
      zk = await this.zk();
    } catch (err) {
      this.zkFailingSince ??= Date.now();
      throw err;
    }
    try {
      const node = await zk.getOrNull(znodePath);
      this.zkFailingSince = null;
      return node;
    } catch (err) {
      this.dropZkIfStuck(zk);
      throw err;
    }
  }

  /** Children of a znode under the chroot, sorted; null when the znode does not exist. */
  async zkChildren(znodePath: string): Promise<string[] | null> {
    const zk = await this.zk();
    if ((await zk.exists(znodePath)) === null) return null;
    try {
      return (await zk.getChildren(znodePath)).sort();
    } catch {
      return null;
    }
  }

  /** Broker ids registered under /brokers/ids. */
  async registeredBrokers(): Promise<number[]> {
    return ((await this.zkChildren(BrokerIdsZNode.path)) ?? []).map(Number).sort((a, b) => a - b);
  }

  /** The id in /controller, or null when there is none. */
  async controllerId(): Promise<number | null> {
    const node = await this.readZk(ControllerZNode.path);
    return node === null ? null : ControllerZNode.decode(node.data).brokerId;
  }

  /** Waits for a /controller naming a running broker other than excludeId; returns its id. */
  async waitForController(excludeId?: number, timeoutMs = 30_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.assertNoneDied();
      const id = await this.controllerId().catch(() => null);
      if (id !== null && id !== excludeId && this.brokers_.has(id) && this.isRunning(id) && (await this.brokersKnowController(id))) return id;
      if (Date.now() >= deadline) {
        throw new Error(
          `no controller${excludeId === undefined ? '' : ` other than broker ${excludeId}`} after ${timeoutMs} ms ` +
            `(/controller holds ${String(id)}); broker logs: ${JSON.stringify(this.logFiles)}\n${this.tails()}`,
        );
      }
      await sleep(100);
    }
  }

  /**
   * Whether every running broker's Metadata names `controllerId`: the controller's UpdateMetadata has
   * reached them (clients read the controller from any broker's metadata cache, not from ZooKeeper).
   */
  private async brokersKnowController(controllerId: number): Promise<boolean> {
    const running = [...this.brokers_.values()].filter((s) => this.isRunning(s.id));
    const answers = await Promise.all(
      running.map(async (s) => {
        const client = new BrokerClient({ host: '127.0.0.1', port: s.port, clientId: 'samsa-harness', requestTimeoutMs: 2000 });
        try {
          const response = await client.send(ApiKey.Metadata, 1, { ...defaultMetadataRequest(), topics: [] });
          return response.controllerId === controllerId;
        } catch {
          return false;
        } finally {
          await client.close();
        }
      }),
    );
    return answers.every(Boolean);
  }

  /** Partition state from /brokers/topics/<t>/partitions/<p>/state, or null. */
  async partitionState(topic: string, partition: number): Promise<LeaderIsrAndControllerEpoch | null> {
    const node = await this.readZk(TopicPartitionStateZNode.path(topic, partition));
    return node === null ? null : TopicPartitionStateZNode.decode(node.data);
  }

  /** Waits until the partition's ZooKeeper state satisfies `predicate` (default: has a leader). */
  async waitForLeader(
    topic: string,
    partition: number,
    predicate: (state: LeaderIsrAndControllerEpoch) => boolean = (s) => s.leader >= 0,
    timeoutMs = 30_000,
  ): Promise<LeaderIsrAndControllerEpoch> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const last = await this.partitionState(topic, partition).catch(() => null);
      if (last !== null && predicate(last)) return last;
      if (Date.now() >= deadline) {
        throw new Error(`partition ${topic}-${partition}: state ${JSON.stringify(last)} did not match after ${timeoutMs} ms`);
      }
      await sleep(100);
    }
  }

  /** Kills a broker (SIGKILL = a crash; SIGTERM = clean shutdown, escalated after graceMs) and waits for its exit. */
  async killBroker(id: number, signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL', graceMs = 30_000): Promise<BrokerExit> {
    const state = this.broker(id);
    const child = state.child;
    const exited = state.exited;
    if (child === null || exited === null) return state.lastExit ?? { code: null, signal: null };
    child.kill(signal);
    if (signal === 'SIGKILL') return exited;
    let timer: NodeJS.Timeout | undefined;
    const escalated = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve();
      }, graceMs);
    });
    await Promise.race([exited, escalated]);
    clearTimeout(timer);
    return exited;
  }

  /**
   * Starts a stopped broker again with its properties and data; resolves once it is registered. A
   * registration left by a killed process is waited out first (until its session expires), since a
   * 2.8 broker refuses to start while another session holds its id.
   */
  async startBroker(id: number, staleRegistrationTimeoutMs = 60_000): Promise<void> {
    const state = this.broker(id);
    if (this.stopped) throw new Error('cluster is stopped');
    if (state.child !== null) throw new Error(`broker ${id} is already running`);
    if ((await this.readZk(BrokerIdZNode.path(id))) !== null) await this.waitForDeregistration(id, staleRegistrationTimeoutMs);
    this.spawn(state);
    await this.waitForRegistration(id);
  }

  /** Waits until /brokers/ids/<id> exists while the broker's process runs. */
  async waitForRegistration(id: number, timeoutMs = this.startTimeoutMs): Promise<void> {
    const state = this.broker(id);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (state.child === null) {
        const how = state.lastExit === null ? 'is not running' : describeExit(state.lastExit);
        throw this.brokerError(id, `${how} before registering in ZooKeeper`);
      }
      let lastError: unknown;
      const node = await this.readZk(BrokerIdZNode.path(id)).catch((err: unknown) => {
        lastError = err;
        return null;
      });
      if (node !== null) return;
      if (Date.now() >= deadline) {
        const why = lastError === undefined ? '' : ` (the harness's ZooKeeper read failed: ${String(lastError)})`;
        throw this.brokerError(id, `has not registered ${BrokerIdZNode.path(id)} after ${timeoutMs} ms${why}`);
      }
      await sleep(100);
    }
  }

  /** Waits until /brokers/ids/<id> is gone (e.g. after a kill: the session timeout). */
  async waitForDeregistration(id: number, timeoutMs = 30_000): Promise<number> {
    const start = Date.now();
    for (;;) {
      const node = await this.readZk(BrokerIdZNode.path(id)).catch(() => undefined);
      if (node === null) return Date.now() - start;
      if (Date.now() - start >= timeoutMs) throw new Error(`${BrokerIdZNode.path(id)} still exists after ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  /** The last lines of every broker's log, for failure messages. */
  tails(lines = 20): string {
    return [...this.brokers_.values()].map((s) => `--- last lines of ${s.logFile} ---\n${tailFile(s.logFile, lines)}`).join('\n');
  }

  /** Kills every broker and ZooKeeper server, closes the harness session, removes the temp dir. Safe twice. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.all(this.brokerIds.map((id) => this.killBroker(id, 'SIGKILL')));
    const zk = this.zk_;
    this.zk_ = null;
    if (zk !== null) await zk.then((client) => client.close()).catch(() => undefined);
    await this.ensemble.stop();
    if (process.env.SAMSA_KEEP_CLUSTER_DIR === undefined) fs.rmSync(this.baseDir, { recursive: true, force: true });
  }

  private broker(id: number): BrokerState {
    const state = this.brokers_.get(id);
    if (state === undefined) throw new Error(`no broker ${id} in this cluster`);
    return state;
  }

  /** Throws when a broker died without being killed through this object. */
  private assertNoneDied(): void {
    for (const s of this.brokers_.values()) {
      if (s.child === null && s.lastExit !== null && s.lastExit.signal === null && s.lastExit.code !== 0) {
        throw this.brokerError(s.id, describeExit(s.lastExit));
      }
    }
  }

  private brokerError(id: number, what: string): Error {
    const s = this.broker(id);
    return new Error(`broker ${id} (port ${s.port}) ${what}; log: ${s.logFile}\n--- last lines of ${s.logFile} ---\n${tailFile(s.logFile)}`);
  }

  private spawn(state: BrokerState): void {
    const broker = BrokerProcess.spawn({ propertiesFile: state.propertiesFile, logFile: state.logFile, logLevel: this.logLevel });
    const child = broker.child;
    state.child = child;
    state.lastExit = null;
    state.exited = broker.exited.then((exit) => {
      if (state.child === child) state.child = null;
      state.lastExit = exit;
      return exit;
    });
  }
}

function describeExit(exit: BrokerExit): string {
  return exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${String(exit.code)}`;
}

const ZK_READ_CHILD = path.join(__dirname, 'zk-read-child.ts');

/** How long the harness's in-process ZooKeeper session may fail reads before it is replaced and reads go through a child. */
const ZK_STUCK_MS = 10_000;

/** One znode read by a child process with its own ZooKeeper session (the harness's fallback). */
function readZkInChild(connectString: string, znodePath: string): Promise<ZkNode | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ZK_READ_CHILD, connectString, znodePath], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'silent' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`zk-read-child ${znodePath} exited with ${String(code)}: ${err.trim()}`));
      const parsed = JSON.parse(out) as { data: string | null; stat: Record<string, unknown> } | null;
      if (parsed === null) return resolve(null);
      const st = parsed.stat;
      resolve({
        data: parsed.data === null ? null : Buffer.from(parsed.data, 'base64'),
        stat: { ...(st as unknown as ZkNode['stat']), czxid: BigInt(st.czxid as string), mzxid: BigInt(st.mzxid as string), pzxid: BigInt(st.pzxid as string) },
      });
    });
  });
}
