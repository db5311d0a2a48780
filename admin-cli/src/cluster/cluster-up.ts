/**
 * `samsa-cluster up` (what `npm start` runs): takes the data dir's launcher lock, starts the local
 * cluster with progress lines, serves the console (or only the control API), prints the lines users
 * and tests read, writes cluster.json, and on Ctrl-C stops everything in order and removes it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { acquireLauncherLock, releaseLauncherLock, removeLauncherState, writeLauncherState } from './launcher-state';
import { startControlOnly, startLauncherEndpoints, type LauncherEndpoints } from './launcher-console';
import { LocalCluster } from './local-cluster';
import { REPO_ROOT } from './broker-process';
import type { EnsembleSize } from './zookeeper-ensemble';

export interface UpOptions {
  zookeepers: EnsembleSize;
  brokers: number;
  firstPort: number;
  firstZooKeeperPort: number;
  dataDir: string;
  fresh: boolean;
  /** null: no console (--no-console); 0: any free port. */
  consolePort: number | null;
  sessionTimeoutMs: number;
}

export interface UpOutput {
  out(line: string): void;
  err(line: string): void;
}

const stdio: UpOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function ensureZooKeeperInstalled(output: UpOutput): boolean {
  const result = spawnSync('bash', [path.join(REPO_ROOT, 'scripts', 'ensure-zookeeper')], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status === 0) return true;
  output.err('samsa: ZooKeeper or java is missing (see above); scripts/ensure-zookeeper could not install them');
  return false;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/**
 * One Ctrl-C reaches the launcher more than once: from the terminal (its process group), and relayed
 * by `npm start` and tsx. Repeats within this window are the same Ctrl-C, not an impatient second one.
 */
const SAME_SIGNAL_WINDOW_MS = 2000;

/** Resolves with the first of SIGINT/SIGTERM/SIGHUP; `again` is called on a later, separate one. */
function nextSignal(again: (signal: NodeJS.Signals) => void): { signal: Promise<NodeJS.Signals>; dispose(): void } {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  let firstAt: number | null = null;
  let resolveSignal: (signal: NodeJS.Signals) => void = () => undefined;
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    resolveSignal = resolve;
  });
  const handler = (s: NodeJS.Signals): void => {
    if (firstAt === null) {
      firstAt = Date.now();
      resolveSignal(s);
    } else if (Date.now() - firstAt > SAME_SIGNAL_WINDOW_MS) again(s);
  };
  for (const s of signals) process.on(s, handler);
  return { signal, dispose: () => signals.forEach((s) => process.off(s, handler)) };
}

/** Fields of /proc/<pid>/stat after the command name (field 3 is index 0). */
function procStat(pid: number | 'self'): string[] {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/**
 * Seconds since the command started: since the start of this process group's leader (`npm start`,
 * which starts tsx, which starts this process), else since this process started.
 */
export function secondsSinceCommandStart(): number {
  const own = process.uptime();
  try {
    const clockTicks = 100; // USER_HZ, 100 on Linux
    const pgrp = Number(procStat('self')[2]);
    const leaderStart = Number(procStat(pgrp)[19]) / clockTicks;
    const bootUptime = Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    const sinceLeader = bootUptime - leaderStart;
    // a leader that started long before (a shell script's group) is not this command
    return sinceLeader >= own && sinceLeader < own + 30 ? sinceLeader : own;
  } catch {
    return own;
  }
}

/** Runs the cluster until a signal; the exit code. */
export async function clusterUp(options: UpOptions, output: UpOutput = stdio): Promise<number> {
  if (!ensureZooKeeperInstalled(output)) return 1;
  const holder = acquireLauncherLock(options.dataDir);
  if (holder !== null) {
    output.err(`samsa: a local cluster is already running on ${options.dataDir} (launcher pid ${holder}); stop it first (Ctrl-C in its terminal) or use another --data-dir`);
    return 1;
  }
  try {
    return await runCluster(options, output);
  } finally {
    removeLauncherState(options.dataDir);
    releaseLauncherLock(options.dataDir);
  }
}

async function runCluster(options: UpOptions, output: UpOutput): Promise<number> {
  if (options.consolePort !== null && options.consolePort !== 0 && !(await portIsFree(options.consolePort))) {
    output.err(`samsa: the console port ${options.consolePort} is in use; choose another with --console-port P (0 = any free port) or --no-console`);
    return 1;
  }
  let cluster: LocalCluster;
  // Ctrl-C while starting: the exit hook of child-guard kills what has been started so far.
  const interruptedWhileStarting = (signal: NodeJS.Signals): void => {
    output.err(`\nsamsa: ${signal} during start-up: killing the processes started so far`);
    releaseLauncherLock(options.dataDir);
    process.exit(130);
  };
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, interruptedWhileStarting);
  let endpoints: LauncherEndpoints | null;
  try {
    output.out(`samsa: starting ${options.zookeepers} ZooKeeper server(s) and ${options.brokers} broker(s); data in ${options.dataDir}${options.fresh ? ' (fresh)' : ''}`);
    try {
      cluster = await LocalCluster.start({
        dataDir: options.dataDir,
        zookeepers: options.zookeepers,
        brokers: options.brokers,
        firstPort: options.firstPort,
        firstZooKeeperPort: options.firstZooKeeperPort,
        sessionTimeoutMs: options.sessionTimeoutMs,
        fresh: options.fresh,
        progress: (line) => output.out(`samsa: ${line}`),
        onUnexpectedExit: (line) => output.err(`samsa: ${line}`),
      });
    } catch (err) {
      output.err(`samsa: start-up failed: ${message(err)}`);
      return 1;
    }
    try {
      endpoints = await startLauncherEndpoints({
        zookeeperConnect: cluster.zookeeperConnect,
        bootstrapServers: cluster.bootstrapServers,
        control: cluster,
        consolePort: options.consolePort,
      });
    } catch (err) {
      output.err(`samsa: the ${options.consolePort === null ? 'control server' : 'console'} failed to start: ${message(err)}`);
      // Without the console the cluster is still useful: serve only the control API.
      endpoints = await (options.consolePort === null ? Promise.reject(err) : startControlOnly(cluster)).catch(async () => {
        output.out('samsa: stopping the cluster');
        await cluster.shutdown();
        return null;
      });
      if (endpoints === null) return 1;
    }
  } finally {
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(s, interruptedWhileStarting);
  }
  return serveUntilSignal(cluster, endpoints, options, output);
}

async function serveUntilSignal(cluster: LocalCluster, endpoints: LauncherEndpoints, options: UpOptions, output: UpOutput): Promise<number> {
  const signals = nextSignal((signal) => {
    output.err(`samsa: ${signal} again: killing every process now`);
    void cluster.kill().catch(() => undefined);
  });
  try {
    writeLauncherState(options.dataDir, {
      pid: process.pid,
      consoleUrl: endpoints.consoleUrl ?? '',
      bootstrapServers: cluster.bootstrapServers,
      zookeeperConnect: cluster.zookeeperConnect,
      controlUrl: endpoints.controlUrl,
      dataDir: options.dataDir,
      startedAt: new Date().toISOString(),
    });
    const status = await cluster.status();
    for (const z of status.zookeepers) output.out(`  zookeeper ${z.id}: pid ${z.pid ?? '-'}, 127.0.0.1:${z.clientPort}, ${z.mode}, log ${z.logFile}`);
    for (const b of status.brokers) output.out(`  broker ${b.id}: pid ${b.pid ?? '-'}, ${b.host}:${b.port}, log ${b.logFile}`);
    output.out(`  bootstrap.servers=${cluster.bootstrapServers}`);
    output.out(`  zookeeper.connect=${cluster.zookeeperConnect}`);
    output.out(endpoints.consoleUrl !== null ? `  console: ${endpoints.consoleUrl}` : `  console: off (--no-console); control API at ${endpoints.controlUrl}`);
    output.out(`samsa: ready in ${secondsSinceCommandStart().toFixed(1)} s`);
    output.out('samsa: try `bin/samsa-cluster status` or `bin/samsa-cluster stop-broker 1`; press Ctrl-C to stop (data stays for the next start; --fresh wipes it)');

    const signal = await signals.signal;
    output.out(`\nsamsa: ${signal}: stopping the brokers (controlled shutdown), then ZooKeeper...`);
    await endpoints.close().catch((err: unknown) => output.err(`samsa: closing the console failed: ${message(err)}`));
    await cluster.shutdown();
    output.out('samsa: stopped.');
    return 0;
  } catch (err) {
    output.err(`samsa: ${message(err)}; killing every process`);
    await cluster.kill();
    return 1;
  } finally {
    signals.dispose();
  }
}
