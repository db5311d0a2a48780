/**
 * The pieces of the local cluster that are about one broker or one port choice: a broker's directory
 * and server.properties, the customary ports, and the ZooKeeper reads the launcher waits on.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pino from 'pino';
import type { ProcessState } from '../console/cluster-control';
import { ZkClient } from '../../../broker/src/zk';
import { BrokerIdZNode, ControllerEpochZNode, ControllerZNode } from '../../../broker/src/zk/znodes';
import { propertiesText, type BrokerProcess } from './broker-process';
import { freePorts } from './zookeeper-ensemble';

export interface LocalBroker {
  readonly id: number;
  readonly port: number;
  readonly dir: string;
  readonly propertiesFile: string;
  readonly logFile: string;
  process: BrokerProcess | null;
  state: ProcessState;
  /** Set while the launcher stops it, so its exit is not reported as a crash. */
  stopRequested: boolean;
}

export interface BrokerSettings {
  zookeeperConnect: string;
  brokerCount: number;
  /** zookeeper.session.timeout.ms: how long a killed or paused broker stays registered. */
  sessionTimeoutMs: number;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** broker-<id>/ under the data dir: server.properties, broker.log, logs/. */
export function localBroker(dataDir: string, id: number, port: number): LocalBroker {
  const dir = path.join(dataDir, `broker-${id}`);
  return {
    id,
    port,
    dir,
    propertiesFile: path.join(dir, 'server.properties'),
    logFile: path.join(dir, 'broker.log'),
    process: null,
    state: 'stopped',
    stopRequested: false,
  };
}

/**
 * A development cluster's server.properties (rewritten on every start: ports may change). Kafka's
 * defaults except: internal topics replicated over up to 3 brokers, no initial rebalance delay (as
 * Kafka's shipped config/server.properties), a 6 s ZooKeeper session so a killed or paused leader is
 * replaced within seconds in a demo, and a 1 s controlled-shutdown retry backoff so Ctrl-C is quick
 * when the last broker's partitions have nowhere to go.
 */
export function brokerProperties(broker: LocalBroker, settings: BrokerSettings): Record<string, string> {
  const rf = String(Math.min(3, settings.brokerCount));
  return {
    'broker.id': String(broker.id),
    listeners: `PLAINTEXT://127.0.0.1:${broker.port}`,
    'log.dirs': path.join(broker.dir, 'logs'),
    'zookeeper.connect': settings.zookeeperConnect,
    'zookeeper.session.timeout.ms': String(settings.sessionTimeoutMs),
    'offsets.topic.replication.factor': rf,
    'transaction.state.log.replication.factor': rf,
    'transaction.state.log.min.isr': String(Math.min(2, settings.brokerCount)),
    'group.initial.rebalance.delay.ms': '0',
    'controlled.shutdown.retry.backoff.ms': '1000',
  };
}

export function writeBrokerProperties(broker: LocalBroker, settings: BrokerSettings): void {
  fs.mkdirSync(broker.dir, { recursive: true });
  fs.writeFileSync(broker.propertiesFile, propertiesText(brokerProperties(broker, settings)));
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** The customary ports (first, first+1, …) when all are free, else any free ones (a second cluster). */
export async function choosePorts(first: number, count: number): Promise<number[]> {
  const preferred = Array.from({ length: count }, (_, i) => first + i);
  const free = await Promise.all(preferred.map(portIsFree));
  return free.every(Boolean) ? preferred : freePorts(count);
}

/** The launcher's own ZooKeeper session (quiet: the launcher prints its own lines). */
export function connectLauncherZk(connectString: string, timeoutMs = 10_000): Promise<ZkClient> {
  return ZkClient.connect({ connectString, sessionTimeoutMs: 10_000, connectTimeoutMs: timeoutMs, logger: pino({ level: 'silent' }) });
}

export interface ControllerInfo {
  brokerId: number;
  epoch: number | null;
}

/** /controller and /controller_epoch; null when no controller is elected. */
export async function readController(zk: ZkClient): Promise<ControllerInfo | null> {
  const node = await zk.getOrNull(ControllerZNode.path);
  if (node === null) return null;
  const epochNode = await zk.getOrNull(ControllerEpochZNode.path);
  return { brokerId: ControllerZNode.decode(node.data).brokerId, epoch: epochNode === null ? null : ControllerEpochZNode.decode(epochNode.data) };
}

export async function isRegistered(zk: ZkClient, id: number): Promise<boolean> {
  return (await zk.exists(BrokerIdZNode.path(id))) !== null;
}

/** The ids among `ids` registered in /brokers/ids. */
export async function registeredBrokers(zk: ZkClient, ids: readonly number[]): Promise<number[]> {
  const registered = await Promise.all(ids.map((id) => isRegistered(zk, id)));
  return ids.filter((_, i) => registered[i]);
}

/** `promise`, or null after `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
