/**
 * The contract between the local-cluster launcher (`samsa-cluster up`, which owns the processes) and
 * the web console (which shows the cluster and, when given a ClusterControl, offers buttons and the
 * control API that the `samsa-cluster stop-broker N` … demo commands call).
 *
 * Control HTTP API served by the console server when it has a ClusterControl (JSON in and out):
 *   GET  /api/cluster                         → ClusterStatus
 *   POST /api/brokers/<id>/stop[?graceful=1]  → ClusterStatus (kill -9, or SIGTERM = controlled shutdown)
 *   POST /api/brokers/<id>/start              → ClusterStatus
 *   POST /api/brokers/<id>/pause              → ClusterStatus (SIGSTOP)
 *   POST /api/brokers/<id>/resume             → ClusterStatus (SIGCONT)
 *   POST /api/zookeepers/<id>/stop            → ClusterStatus (kill -9)
 *   POST /api/zookeepers/<id>/start           → ClusterStatus
 * Errors: HTTP 400/404/409 with `{ "error": "<one line>" }` (unknown id, already running, …).
 * Without a ClusterControl these routes answer 404 `{ "error": "this console does not own the cluster's processes" }`.
 */

export type ProcessState = 'running' | 'stopped' | 'paused' | 'starting' | 'stopping';

export interface BrokerProcessStatus {
  id: number;
  state: ProcessState;
  pid: number | null;
  host: string;
  port: number;
  logFile: string;
}

export interface ZooKeeperProcessStatus {
  id: number;
  state: ProcessState;
  pid: number | null;
  clientPort: number;
  /** From the `srvr` four-letter word; 'down' when it does not answer. */
  mode: 'leader' | 'follower' | 'observer' | 'standalone' | 'down';
  logFile: string;
}

export interface ClusterStatus {
  dataDir: string;
  /** host:port,… of every broker. */
  bootstrapServers: string;
  /** The ensemble's connect string (no chroot: the launcher's brokers use the root). */
  zookeeperConnect: string;
  brokers: BrokerProcessStatus[];
  zookeepers: ZooKeeperProcessStatus[];
}

/** What the launcher lets the console (and through it the demo commands) do to its processes. */
export interface ClusterControl {
  status(): Promise<ClusterStatus>;
  /** kill -9 (graceful=false) or SIGTERM with Kafka's controlled shutdown (graceful=true); resolves once exited. */
  stopBroker(id: number, options: { graceful: boolean }): Promise<void>;
  /** Starts a stopped broker; resolves when it has registered in ZooKeeper. */
  startBroker(id: number): Promise<void>;
  pauseBroker(id: number): Promise<void>;
  resumeBroker(id: number): Promise<void>;
  /** kill -9 of one ZooKeeper server. */
  stopZooKeeper(id: number): Promise<void>;
  startZooKeeper(id: number): Promise<void>;
}

/** Errors a ClusterControl throws for user mistakes; the console maps `status` onto the HTTP answer. */
export class ClusterControlError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 | 409,
  ) {
    super(message);
    this.name = 'ClusterControlError';
  }
}

/**
 * `<data-dir>/cluster.json`, written by `samsa-cluster up` once the cluster is ready and removed when it
 * stops: how the demo commands find the running launcher.
 */
export interface LauncherStateFile {
  pid: number;
  consoleUrl: string;
  bootstrapServers: string;
  zookeeperConnect: string;
}

export const LAUNCHER_STATE_FILE = 'cluster.json';
