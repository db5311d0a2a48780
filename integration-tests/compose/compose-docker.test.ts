/**
 * compose/docker-compose.yml for real, when a Docker daemon is reachable (dockerode ping within 2 s)
 * and the `docker compose` CLI is installed: build and start 3 ZooKeeper servers, 3 brokers
 * (--scale broker=3) and the console, wait for every health check, create an RF=3 topic with the
 * image's kafka-topics, produce and consume with kcat in a container on the project's network (the
 * way clients reach scaled brokers: by container hostname), then tear everything down with its volumes.
 * Otherwise the suite is reported as skipped, with the reason on stderr.
 */
import { spawnSync } from 'node:child_process';
import Docker from 'dockerode';
import { freePorts } from '../../admin-cli/src/cluster/zookeeper-ensemble';
import { COMPOSE_FILE, REPO_ROOT } from './support/compose-file';

const KCAT_IMAGE = 'edenhill/kcat:1.7.1';
const TOPIC = 'compose-roundtrip';
const PROJECT = `samsa-compose-test-${process.pid}`;
const PING_TIMEOUT_MS = 2000;

/**
 * Decided while jest collects the tests (a skipped test must be registered as such): a child node
 * process pings the daemon through dockerode, bounded by the 2 s budget.
 */
function dockerUnavailableReason(): string | undefined {
  const ping = spawnSync(
    process.execPath,
    ['-e', `new (require('dockerode'))().ping().then(() => process.exit(0), (e) => { process.stderr.write(String(e && e.message || e)); process.exit(1); })`],
    { cwd: REPO_ROOT, encoding: 'utf8', timeout: PING_TIMEOUT_MS + 1000 },
  );
  if (ping.error !== undefined || ping.status !== 0) {
    const why = ping.error?.message ?? (ping.stderr.trim() || `ping did not answer within ${PING_TIMEOUT_MS} ms`);
    return `no Docker daemon reachable (${why})`;
  }
  const compose = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8', timeout: 10_000 });
  if (compose.error !== undefined || compose.status !== 0) {
    return `the docker compose CLI is not available (${(compose.error?.message ?? compose.stderr.trim()) || 'exit ' + String(compose.status)})`;
  }
  return undefined;
}

const skipReason = dockerUnavailableReason();
if (skipReason !== undefined) process.stderr.write(`compose-docker.test.ts: SKIPPED: ${skipReason}\n`);
const liveTest = skipReason === undefined ? test : test.skip;

jest.setTimeout(15 * 60_000);

let consolePort = 0;

function compose(args: readonly string[], timeoutMs = 10 * 60_000): string {
  const r = spawnSync('docker', ['compose', '-p', PROJECT, '-f', COMPOSE_FILE, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, SAMSA_CONSOLE_PORT: String(consolePort) },
  });
  if (r.status !== 0) throw new Error(`docker compose ${args.join(' ')} failed (${r.error?.message ?? `exit ${String(r.status)}`}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

async function pull(docker: Docker, image: string): Promise<void> {
  const stream = await docker.pull(image);
  await new Promise<void>((resolve, reject) => docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve())));
}

/** Runs a shell command in a throw-away kcat container on the compose network; returns its output. */
async function kcat(docker: Docker, network: string, script: string): Promise<string> {
  const container = await docker.createContainer({
    Image: KCAT_IMAGE,
    Entrypoint: ['sh', '-c'],
    Cmd: [script],
    Tty: true,
    HostConfig: { NetworkMode: network },
  });
  try {
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    const output = (await container.logs({ stdout: true, stderr: true })).toString('utf8');
    if (StatusCode !== 0) throw new Error(`kcat exited ${StatusCode}: ${output}`);
    return output;
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

afterAll(() => {
  if (skipReason !== undefined) return;
  try {
    compose(['down', '--volumes', '--remove-orphans', '--timeout', '30']);
  } catch (err) {
    process.stderr.write(`compose-docker.test.ts: teardown: ${(err as Error).message}\n`);
  }
});

describe('docker compose: 3 ZooKeeper servers, --scale broker=3, console', () => {
  liveTest('comes up healthy and round-trips records through an RF=3 topic (kcat on the compose network)', async () => {
    const docker = new Docker();
    [consolePort] = await freePorts(1);
    await pull(docker, KCAT_IMAGE);
    compose(['up', '-d', '--build', '--scale', 'broker=3', '--wait', '--wait-timeout', '300']);

    const brokers = compose(['ps', '--format', '{{.Name}}', 'broker']).split('\n').filter((l) => l.trim() !== '');
    expect(brokers).toHaveLength(3);

    compose(['exec', '-T', 'broker', 'kafka-topics', '--bootstrap-server', 'localhost:9092', '--create', '--topic', TOPIC, '--partitions', '3', '--replication-factor', '3']);

    const network = `${PROJECT}_default`;
    const records = ['k1:v1', 'k2:v2', 'k3:v3'];
    await kcat(docker, network, `printf '${records.join('\\n')}\\n' | kcat -b broker:9092 -t ${TOPIC} -P -K: -X acks=all`);
    const consumed = await kcat(docker, network, `kcat -b broker:9092 -t ${TOPIC} -C -o beginning -c ${records.length} -e -q -f '%k:%s\\n'`);
    const lines = consumed.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
    expect(lines.sort()).toEqual(records);

    // The console page answers on its published port.
    const page = await fetch(`http://127.0.0.1:${consolePort}/`);
    expect(page.ok).toBe(true);
  });
});
