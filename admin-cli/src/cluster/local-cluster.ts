/**
 * The local cluster `samsa-cluster up` runs: a ZooKeeper ensemble and N broker processes on loopback,
 * data under one directory, and the ClusterControl the console and the demo commands drive (stop,
 * pause, restart a broker or a ZooKeeper server). Every child runs in its own process group, so the
 * terminal's Ctrl-C reaches only the launcher, which then stops the brokers (controlled shutdown, the
 * controller last) while ZooKeeper still runs, and ZooKeeper after them.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  ClusterControlError,
  type BrokerProcessStatus,
  type ClusterControl,
  type ClusterStatus,
  type ProcessState,
  type ZooKeeperProcessStatus,
} from '../console/cluster-control';
import type { ZkClient } from '../../../broker/src/zk';
import { BrokerProcess, tailFile } from './broker-process';
import {
  choosePorts,
  connectLauncherZk,
  isRegistered,
  localBroker,
  readController,
  registeredBrokers,
  sleep,
  withTimeout,
  writeBrokerProperties,
  type BrokerSettings,
  type LocalBroker,
} from './local-broker';
import { ZooKeeperEnsemble, type EnsembleSize } from './zookeeper-ensemble';

export interface LocalClusterOptions {
  dataDir: string;
  zookeepers: EnsembleSize;
  brokers: number;
  /** First broker port; brokers take consecutive ports when all are free, else any free ones. */
  firstPort: number;
  /** First ZooKeeper client port (ZooKeeper's customary 2181 by default). */
  firstZooKeeperPort?: number;
  /** The brokers' zookeeper.session.timeout.ms (default 6000). */
  sessionTimeoutMs?: number;
  /** Delete the ZooKeeper and broker data first. */
  fresh?: boolean;
  /** How long start-up steps may take (default 60 s each). */
  startTimeoutMs?: number;
  /** Progress lines ("ZooKeeper server 2 is up (follower); waiting for 1, 3"). */
  progress?: (line: string) => void;
  /** A process of the cluster died without being asked to (a crash), with where its log is. */
  onUnexpectedExit?: (line: string) => void;
}

/** The thrown start-up error names the piece that failed and its log. */
export class LocalClusterStartError extends Error {
  override readonly name = 'LocalClusterStartError';
}

export class LocalCluster implements ClusterControl {
  private zk: ZkClient | null = null;
  private shuttingDown = false;
  private readonly zkStarting = new Set<number>();

  private constructor(
    readonly dataDir: string,
    private readonly ensemble: ZooKeeperEnsemble,
    private readonly brokers: LocalBroker[],
    private readonly settings: BrokerSettings,
    private readonly options: LocalClusterOptions,
  ) {}

  /** Starts ZooKeeper, then every broker; resolves once all are registered and a controller is elected. */
  static async start(options: LocalClusterOptions): Promise<LocalCluster> {
    const progress = options.progress ?? ((): void => undefined);
    const zkDir = path.join(options.dataDir, 'zookeeper');
    if (options.fresh === true) {
      fs.rmSync(zkDir, { recursive: true, force: true });
      for (const entry of fs.existsSync(options.dataDir) ? fs.readdirSync(options.dataDir) : []) {
        if (/^broker-\d+$/.test(entry)) fs.rmSync(path.join(options.dataDir, entry), { recursive: true, force: true });
      }
    }
    const clientPorts = await choosePorts(options.firstZooKeeperPort ?? 2181, options.zookeepers);
    const ids = clientPorts.map((_, i) => i + 1);
    const serving = new Set<number>();
    progress(`starting ZooKeeper: ${ids.map((id, i) => `server ${id} on 127.0.0.1:${clientPorts[i]}`).join(', ')} (data in ${zkDir})`);
    let cluster: LocalCluster | null = null;
    const ensemble = await ZooKeeperEnsemble.start({
      size: options.zookeepers,
      baseDir: zkDir,
      keepData: true,
      clientPorts,
      tickTimeMs: 2000,
      startTimeoutMs: options.startTimeoutMs,
      detached: true,
      onServing: (id, mode) => {
        if (cluster !== null) return; // startZooKeeper reports its own
        serving.add(id);
        const waiting = ids.filter((i) => !serving.has(i));
        progress(`ZooKeeper server ${id} is up (${mode})${waiting.length > 0 ? `; waiting for ${waiting.join(', ')}` : ''}`);
      },
      onUnexpectedExit: (id, description) => {
        if (cluster?.shuttingDown !== true) {
          options.onUnexpectedExit?.(`ZooKeeper server ${id} ${description}; see ${path.join(zkDir, `zk-${id}`, 'zookeeper.log')}`);
        }
      },
    });
    const brokerPorts = await choosePorts(options.firstPort, options.brokers);
    const brokers = brokerPorts.map((port, i) => localBroker(options.dataDir, i + 1, port));
    const settings: BrokerSettings = {
      zookeeperConnect: ensemble.connectString,
      brokerCount: options.brokers,
      sessionTimeoutMs: options.sessionTimeoutMs ?? 6000,
    };
    const started = new LocalCluster(options.dataDir, ensemble, brokers, settings, options);
    cluster = started;
    try {
      started.zk = await connectLauncherZk(ensemble.connectString);
      await started.waitForStaleRegistrations(brokers);
      for (const broker of brokers) started.spawnBroker(broker);
      await started.waitForRegistrations(brokers);
      const controller = await started.waitForController();
      progress(`controller is broker ${controller}`);
    } catch (err) {
      await started.kill();
      throw err;
    }
    return started;
  }

  private get progress(): (line: string) => void {
    return this.options.progress ?? ((): void => undefined);
  }

  private get timeoutMs(): number {
    return this.options.startTimeoutMs ?? 60_000;
  }

  get bootstrapServers(): string {
    return this.brokers.map((b) => `127.0.0.1:${b.port}`).join(',');
  }

  get zookeeperConnect(): string {
    return this.ensemble.connectString;
  }

  /** pids of every running process of the cluster. */
  pids(): number[] {
    const brokerPids = this.brokers.map((b) => b.process?.pid ?? null);
    const zkPids = this.ensemble.servers.map((s) => s.pid);
    return [...brokerPids, ...zkPids].filter((pid): pid is number => pid !== null && pid !== undefined);
  }

  async status(): Promise<ClusterStatus> {
    const zookeepers = await Promise.all(
      this.ensemble.servers.map(
        async (s): Promise<ZooKeeperProcessStatus> => ({
          id: s.id,
          state: s.pid === null ? 'stopped' : this.zkStarting.has(s.id) ? 'starting' : 'running',
          pid: s.pid,
          clientPort: s.clientPort,
          mode: await this.ensemble.mode(s.id),
          logFile: s.logFile,
        }),
      ),
    );
    const brokers = this.brokers.map(
      (b): BrokerProcessStatus => ({ id: b.id, state: b.state, pid: b.process?.pid ?? null, host: '127.0.0.1', port: b.port, logFile: b.logFile }),
    );
    return { dataDir: this.dataDir, bootstrapServers: this.bootstrapServers, zookeeperConnect: this.zookeeperConnect, brokers, zookeepers };
  }

  async stopBroker(id: number, options: { graceful: boolean }): Promise<void> {
    const broker = this.broker(id);
    this.requireState(broker, ['running', 'paused', 'starting'], 'stop');
    await this.stopProcess(broker, options.graceful);
  }

  async startBroker(id: number): Promise<void> {
    const broker = this.broker(id);
    this.requireState(broker, ['stopped'], 'start');
    broker.state = 'starting';
    try {
      await this.waitForStaleRegistrations([broker]);
    } catch (err) {
      broker.state = 'stopped';
      throw err;
    }
    this.spawnBroker(broker);
    await this.waitForRegistrations([broker]);
  }

  async pauseBroker(id: number): Promise<void> {
    const broker = this.broker(id);
    this.requireState(broker, ['running'], 'pause');
    broker.process?.kill('SIGSTOP');
    broker.state = 'paused';
  }

  async resumeBroker(id: number): Promise<void> {
    const broker = this.broker(id);
    this.requireState(broker, ['paused'], 'resume');
    broker.process?.kill('SIGCONT');
    broker.state = 'running';
  }

  async stopZooKeeper(id: number): Promise<void> {
    const server = this.zooKeeperServer(id);
    if (server.pid === null) throw new ClusterControlError(`ZooKeeper server ${id} is not running`, 409);
    await this.ensemble.stopServer(id);
  }

  async startZooKeeper(id: number): Promise<void> {
    const server = this.zooKeeperServer(id);
    if (server.pid !== null) throw new ClusterControlError(`ZooKeeper server ${id} is already running`, 409);
    this.zkStarting.add(id);
    try {
      await this.ensemble.startServer(id);
    } finally {
      this.zkStarting.delete(id);
    }
  }

  /**
   * Ctrl-C: paused brokers are continued, brokers stop one at a time with controlled shutdown (the
   * controller last, so the controller moves once at most), then ZooKeeper. Safe to call twice.
   */
  async shutdown(graceMs = 30_000): Promise<void> {
    this.shuttingDown = true;
    let controllerId: number | null = null;
    try {
      if (this.zk !== null) controllerId = (await withTimeout(readController(this.zk), 2000))?.brokerId ?? null;
    } catch {
      // no quorum: any order will do
    }
    const order = [...this.brokers].filter((b) => b.process !== null).sort((a, b) => Number(a.id === controllerId) - Number(b.id === controllerId));
    for (const broker of order) {
      this.progress(`stopping broker ${broker.id} (controlled shutdown)`);
      await this.stopProcess(broker, true, graceMs);
    }
    await this.waitForSessionsToEnd();
    await this.zk?.close().catch(() => undefined);
    this.zk = null;
    this.progress('stopping ZooKeeper');
    await this.ensemble.stop({ signal: 'SIGTERM', graceMs: 10_000 });
  }

  /** A second Ctrl-C or a failed start: SIGKILL everything and wait until it is gone. */
  async kill(): Promise<void> {
    this.shuttingDown = true;
    for (const broker of this.brokers) {
      broker.stopRequested = true;
      broker.process?.kill('SIGKILL');
    }
    await Promise.all(this.brokers.map((b) => b.process?.exited));
    await this.zk?.close().catch(() => undefined);
    this.zk = null;
    await this.ensemble.stop({ signal: 'SIGKILL' });
  }

  private broker(id: number): LocalBroker {
    const broker = this.brokers.find((b) => b.id === id);
    if (broker === undefined) throw new ClusterControlError(`no broker ${id} in this cluster (brokers ${this.brokers.map((b) => b.id).join(', ')})`, 404);
    return broker;
  }

  private zooKeeperServer(id: number): { pid: number | null } {
    const server = this.ensemble.servers.find((s) => s.id === id);
    if (server === undefined) {
      throw new ClusterControlError(`no ZooKeeper server ${id} in this cluster (servers ${this.ensemble.servers.map((s) => s.id).join(', ')})`, 404);
    }
    return server;
  }

  private requireState(broker: LocalBroker, allowed: readonly ProcessState[], action: string): void {
    if (this.shuttingDown) throw new ClusterControlError('the cluster is shutting down', 409);
    if (allowed.includes(broker.state)) return;
    const hint: Partial<Record<ProcessState, string>> = {
      stopped: 'is not running',
      running: 'is already running',
      paused: 'is paused (resume it first)',
      starting: 'is still starting',
      stopping: 'is stopping',
    };
    throw new ClusterControlError(`cannot ${action} broker ${broker.id}: it ${hint[broker.state] ?? `is ${broker.state}`}`, 409);
  }

  private spawnBroker(broker: LocalBroker): void {
    writeBrokerProperties(broker, this.settings);
    this.progress(`starting broker ${broker.id} on 127.0.0.1:${broker.port} (log ${broker.logFile})`);
    const child = BrokerProcess.spawn({ propertiesFile: broker.propertiesFile, logFile: broker.logFile, detached: true });
    broker.process = child;
    broker.state = 'starting';
    broker.stopRequested = false;
    void child.exited.then((exit) => {
      if (broker.process !== child) return;
      broker.process = null;
      broker.state = 'stopped';
      if (!broker.stopRequested && !this.shuttingDown) {
        this.options.onUnexpectedExit?.(`broker ${broker.id} exited (${exit.signal ?? `code ${exit.code ?? '?'}`}); see ${broker.logFile}`);
      }
    });
  }

  /** kill -9, or SIGTERM (Kafka's controlled shutdown; a paused broker is continued first). */
  private async stopProcess(broker: LocalBroker, graceful: boolean, graceMs = 60_000): Promise<void> {
    const child = broker.process;
    if (child === null) return;
    broker.stopRequested = true;
    broker.state = 'stopping';
    if (graceful) {
      child.kill('SIGCONT'); // a stopped process would not act on SIGTERM
      await child.stop(graceMs);
    } else {
      child.kill('SIGKILL');
      await child.exited;
    }
  }

  /**
   * A broker killed (or a launcher that died) leaves /brokers/ids/<id> until its session expires, and
   * a broker cannot register over it (Kafka's checkedEphemeralCreate): wait it out before spawning.
   */
  private async waitForStaleRegistrations(brokers: readonly LocalBroker[]): Promise<void> {
    const zk = this.requireZk();
    const stale = await registeredBrokers(zk, brokers.map((b) => b.id));
    if (stale.length === 0) return;
    this.progress(`broker ${stale.join(', ')} is still registered from a run that did not close its ZooKeeper session; waiting for the session to expire`);
    // the old session may have had up to ZooKeeper's maxSessionTimeout (60 s)
    const deadline = Date.now() + 70_000;
    while ((await registeredBrokers(zk, stale)).length > 0) {
      if (Date.now() > deadline) throw new LocalClusterStartError(`the old registration of broker ${stale.join(', ')} in /brokers/ids did not expire`);
      await sleep(250);
    }
  }

  /**
   * A broker that stopped while disconnected (e.g. just resumed from a pause) leaves its session to
   * expire; stopping ZooKeeper first would keep it, and its registration, for the next start to wait out.
   */
  private async waitForSessionsToEnd(): Promise<void> {
    const zk = this.zk;
    if (zk === null) return;
    const deadline = Date.now() + this.settings.sessionTimeoutMs + 2000;
    let told = false;
    for (;;) {
      const registered = await withTimeout(
        registeredBrokers(zk, this.brokers.map((b) => b.id)),
        2000,
      ).catch(() => null);
      if (registered === null || registered.length === 0 || Date.now() > deadline) return;
      if (!told) this.progress(`waiting for the ZooKeeper session of broker ${registered.join(', ')} to end`);
      told = true;
      await sleep(250);
    }
  }

  private async waitForRegistrations(brokers: readonly LocalBroker[]): Promise<void> {
    const zk = this.requireZk();
    const deadline = Date.now() + this.timeoutMs;
    const pending = new Set(brokers.map((b) => b.id));
    let nextReminder = Date.now() + 10_000;
    while (pending.size > 0) {
      for (const b of brokers) {
        if (!pending.has(b.id)) continue;
        if (b.state === 'stopped' || b.process === null) {
          throw new LocalClusterStartError(`broker ${b.id} exited during start-up; log: ${b.logFile}\n--- last lines of ${b.logFile} ---\n${tailFile(b.logFile, 15)}`);
        }
        // ZooKeeper without quorum (a demo stopped two servers) answers nothing: keep waiting
        if (await isRegistered(zk, b.id).catch(() => false)) {
          pending.delete(b.id);
          if (b.state === 'starting') b.state = 'running';
          this.progress(`broker ${b.id} registered${pending.size > 0 ? `; waiting for ${[...pending].join(', ')}` : ''}`);
        }
      }
      if (pending.size === 0) return;
      if (Date.now() > nextReminder) {
        nextReminder += 10_000;
        this.progress(`still waiting for broker ${[...pending].join(', ')} to register (see ${brokers.filter((b) => pending.has(b.id)).map((b) => b.logFile).join(', ')})`);
      }
      if (Date.now() > deadline) {
        for (const b of brokers) if (b.state === 'starting') b.state = 'running'; // it keeps trying
        const logs = brokers.filter((b) => pending.has(b.id)).map((b) => b.logFile);
        throw new LocalClusterStartError(`broker ${[...pending].join(', ')} not registered after ${this.timeoutMs} ms; log: ${logs.join(', ')}`);
      }
      await sleep(200);
    }
  }

  private async waitForController(): Promise<number> {
    const zk = this.requireZk();
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const controller = await readController(zk);
      if (controller !== null) return controller.brokerId;
      if (Date.now() > deadline) throw new LocalClusterStartError(`no controller elected after ${this.timeoutMs} ms; see the broker logs under ${this.dataDir}`);
      await sleep(200);
    }
  }

  private requireZk(): ZkClient {
    if (this.zk === null) throw new ClusterControlError('the cluster is shutting down', 409);
    return this.zk;
  }
}
