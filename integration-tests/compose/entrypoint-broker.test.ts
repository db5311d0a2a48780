/**
 * The broker container's start-up path without Docker: compose/docker-entrypoint.sh run for real
 * (not dry-run) against a real ZooKeeper, as the image runs it, then compose/broker-healthcheck.mjs
 * as the compose health check runs it. Pins Kafka's broker.id.generation.enable behaviour the compose
 * setup relies on: a broker without broker.id gets reserved.broker.max.id + 1 from /brokers/seqid,
 * keeps it in meta.properties across a restart with the same log dir (the container's volume), and a
 * new log dir means a new id. SIGTERM to the exec'd process is a clean (controlled) shutdown.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { guardChild } from '../../admin-cli/src/cluster/child-guard';
import { freePorts, ZooKeeperEnsemble } from '../../admin-cli/src/cluster/zookeeper-ensemble';
import { waitFor } from '../helpers/wait';
import { ENTRYPOINT_SCRIPT, HEALTHCHECK_SCRIPT, REPO_ROOT } from './support/compose-file';

jest.setTimeout(180_000);

interface RunningBroker {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  readonly configFile: string;
  readonly logFile: string;
  readonly release: () => void;
}

let ensemble: ZooKeeperEnsemble | undefined;
let workDir: string;
const running = new Set<RunningBroker>();

/** `docker-entrypoint.sh` as the container starts it, with this checkout as SAMSA_HOME. */
function startContainerLike(name: string, port: number, logDir: string): RunningBroker {
  const dir = path.join(workDir, name);
  fs.mkdirSync(dir, { recursive: true });
  const configFile = path.join(dir, 'config', 'server.properties');
  const logFile = path.join(dir, 'broker.log');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SAMSA_HOME: REPO_ROOT,
    SAMSA_CONFIG_FILE: configFile,
    SAMSA_ZOOKEEPER_CONNECT: `${ensemble?.connectString ?? ''}/compose-entrypoint`,
    SAMSA_LISTENERS: `PLAINTEXT://127.0.0.1:${port}`,
    SAMSA_ADVERTISED_LISTENERS: `PLAINTEXT://localhost:${port}`,
    SAMSA_LOG_DIRS: logDir,
    SAMSA_CFG_ZOOKEEPER_SESSION_TIMEOUT_MS: '6000',
    SAMSA_CFG_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
    LOG_LEVEL: 'info',
  };
  delete env.JEST_WORKER_ID;
  delete env.SAMSA_ENTRYPOINT_DRY_RUN;
  const out = fs.openSync(logFile, 'a');
  const child = spawn(ENTRYPOINT_SCRIPT, [], { cwd: REPO_ROOT, env, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const release = guardChild(child, `compose-entrypoint-${name}`);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const broker = { child, exited, configFile, logFile, release };
  running.add(broker);
  void exited.then(() => {
    release();
    running.delete(broker);
  });
  return broker;
}

function healthcheck(configFile: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [HEALTHCHECK_SCRIPT, configFile], { encoding: 'utf8', timeout: 10_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Waits until the health check passes; returns the broker id it reports. */
async function waitHealthy(broker: RunningBroker): Promise<number> {
  let last = '';
  try {
    return await waitFor(
      () => {
        if (broker.child.exitCode !== null) throw new Error(`the broker exited (${broker.child.exitCode})`);
        const r = healthcheck(broker.configFile);
        last = r.stderr.trim();
        const m = /^healthy: broker (\d+) at /.exec(r.stdout);
        return r.status === 0 && m !== null ? Number(m[1]) : undefined;
      },
      'the broker health check',
      90_000,
      500,
    );
  } catch (err) {
    const log = fs.existsSync(broker.logFile) ? fs.readFileSync(broker.logFile, 'utf8').split('\n').slice(-20).join('\n') : '';
    throw new Error(`${(err as Error).message}; last health check: ${last}\n${log}`, { cause: err });
  }
}

async function terminate(broker: RunningBroker): Promise<number | null> {
  broker.child.kill('SIGTERM');
  return broker.exited;
}

function storedBrokerId(logDir: string): string | undefined {
  const text = fs.readFileSync(path.join(logDir, 'meta.properties'), 'latin1');
  return /^broker\.id=(\d+)$/m.exec(text)?.[1];
}

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'samsa-compose-entrypoint-'));
  ensemble = await ZooKeeperEnsemble.start({ size: 1 });
});

afterAll(async () => {
  for (const broker of [...running]) broker.child.kill('SIGKILL');
  await Promise.all([...running].map((b) => b.exited));
  await ensemble?.stop();
  fs.rmSync(workDir, { recursive: true, force: true });
});

describe('docker-entrypoint.sh + broker-healthcheck.mjs against a real ZooKeeper', () => {
  test('the health check fails with a reason when no broker listens', async () => {
    const [port] = await freePorts(1);
    const config = path.join(workDir, 'nobody.properties');
    fs.writeFileSync(config, `listeners=PLAINTEXT://0.0.0.0:${port}\nadvertised.listeners=PLAINTEXT://somehost:${port}\n`);
    const r = healthcheck(config);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^unhealthy: .*ECONNREFUSED/);
  });

  test('broker.id from /brokers/seqid, kept in meta.properties across a restart; a new log dir gets the next id', async () => {
    const [port1, port2] = await freePorts(2);
    const logDir1 = path.join(workDir, 'volume-1');

    const first = startContainerLike('broker-a', port1, logDir1);
    // Kafka: reserved.broker.max.id (1000) + the seqid znode's new version (1).
    expect(await waitHealthy(first)).toBe(1001);
    expect(fs.readFileSync(first.configFile, 'utf8')).not.toMatch(/^broker\.id=/m);
    expect(storedBrokerId(logDir1)).toBe('1001');
    // SIGTERM reaches the broker itself (the entrypoint exec'd it): controlled shutdown, exit 0.
    expect(await terminate(first)).toBe(0);

    const restarted = startContainerLike('broker-a-again', port1, logDir1);
    expect(await waitHealthy(restarted)).toBe(1001);

    const second = startContainerLike('broker-b', port2, path.join(workDir, 'volume-2'));
    expect(await waitHealthy(second)).toBe(1002);
    expect(healthcheck(restarted.configFile).stdout).toMatch(/^healthy: broker 1001 at localhost:\d+, controller 100[12]\n$/);

    expect(await terminate(second)).toBe(0);
    expect(await terminate(restarted)).toBe(0);
  });
});
