/**
 * The broker process (`node --import tsx broker/src/main.ts server.properties [--override k=v]…`):
 * duplicate broker.id refused, bad configuration stops start-up with one line on stderr and exit code 1,
 * unknown keys only warn, logs are pino JSON lines with the broker id, and SIGTERM is a clean shutdown
 * that closes the ZooKeeper session at once. zookeeper.session.timeout.ms is 30 s here so "at once" is
 * clearly not a session expiry.
 */
import fs from 'node:fs';
import path from 'node:path';
import { freePorts } from '../../admin-cli/src/cluster/zookeeper-ensemble';
import { BrokerIdZNode } from '../../broker/src/zk/znodes';
import { propertiesText, runBrokerProcess } from '../helpers/kafka-cluster';
import { useKafkaCluster } from './support/fixture';

jest.setTimeout(90_000);

const SESSION_TIMEOUT_MS = 30_000;
const UNKNOWN_KEY = 'samsa.test.unknown.key';
const fx = useKafkaCluster({
  zookeepers: 1,
  brokers: 2,
  overrides: { 'zookeeper.session.timeout.ms': String(SESSION_TIMEOUT_MS) },
  brokerOverrides: (id): Record<string, string> => (id === 2 ? { [UNKNOWN_KEY]: 'x' } : {}),
});

/** stderr lines that are not Node's own warnings. */
function messageLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('(node:') && !l.includes('--trace-warnings'));
}

/** A properties file for a broker that is not part of the cluster (own id, port and log dir). */
async function extraProperties(name: string, props: Record<string, string | undefined>): Promise<string> {
  const dir = path.join(fx.cluster.baseDir, name);
  fs.mkdirSync(dir, { recursive: true });
  const [port] = await freePorts(1);
  const all: Record<string, string | undefined> = {
    'broker.id': '9',
    listeners: `PLAINTEXT://127.0.0.1:${port}`,
    'log.dirs': path.join(dir, 'logs'),
    'zookeeper.connect': fx.cluster.zkConnect,
    'zookeeper.session.timeout.ms': '6000',
    ...props,
  };
  const defined: Record<string, string> = {};
  for (const [k, v] of Object.entries(all)) if (v !== undefined) defined[k] = v;
  const file = path.join(dir, 'server.properties');
  fs.writeFileSync(file, propertiesText(defined));
  return file;
}

test('a broker whose broker.id is already registered refuses to start with a clear message and a non-zero exit', async () => {
  const registered = (await fx.cluster.readZk(BrokerIdZNode.path(1)))!;
  const dir = path.join(fx.cluster.baseDir, 'duplicate');
  const [port] = await freePorts(1);
  const run = await runBrokerProcess(
    [fx.cluster.propertiesFile(1), '--override', `listeners=PLAINTEXT://127.0.0.1:${port}`, '--override', `log.dirs=${path.join(dir, 'logs')}`],
    60_000,
  );
  const output = `${run.stdout}\n${run.stderr}`;
  expect(run.timedOut).toBe(false);
  expect(run.code).not.toBe(0);
  expect(run.code).not.toBeNull();
  expect(output).toMatch(/already|NodeExists|NODEEXISTS/i);
  expect(output).toMatch(/\/brokers\/ids\/1|broker\.?id|broker 1/i);
  // The running broker 1 keeps its registration (same znode, same session).
  const after = (await fx.cluster.readZk(BrokerIdZNode.path(1)))!;
  expect(after.stat.czxid).toBe(registered.stat.czxid);
  expect(after.stat.ephemeralOwner).toBe(registered.stat.ephemeralOwner);
});

test('an invalid config value stops start-up with one line on stderr naming the key, exit code 1, nothing registered', async () => {
  const file = await extraProperties('invalid-value', {});
  const run = await runBrokerProcess([file, '--override', 'num.partitions=many'], 60_000);
  expect(run.timedOut).toBe(false);
  expect(run.code).toBe(1);
  const lines = messageLines(run.stderr);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain('num.partitions');
  expect(await fx.cluster.readZk(BrokerIdZNode.path(9))).toBeNull();
});

test('a value invalid in the properties file (not an override) is refused the same way', async () => {
  const file = await extraProperties('invalid-file-value', { 'zookeeper.session.timeout.ms': 'six seconds' });
  const run = await runBrokerProcess([file], 60_000);
  expect(run.code).toBe(1);
  const lines = messageLines(run.stderr);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain('zookeeper.session.timeout.ms');
});

test('a missing required zookeeper.connect stops start-up with one line naming it', async () => {
  const file = await extraProperties('no-zookeeper', { 'zookeeper.connect': undefined });
  const run = await runBrokerProcess([file], 60_000);
  expect(run.code).toBe(1);
  const lines = messageLines(run.stderr);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain('zookeeper.connect');
});

test('an unknown key is logged as a warning and start-up continues', () => {
  const warnings = fs
    .readFileSync(fx.cluster.logFile(2), 'utf8')
    .split('\n')
    .filter((l) => l.includes(UNKNOWN_KEY));
  expect(warnings.length).toBeGreaterThan(0);
  expect((JSON.parse(warnings[0]) as { level: number }).level).toBe(40);
  expect(fx.cluster.isRunning(2)).toBe(true);
});

test('the log is pino JSON lines, each carrying the broker id', () => {
  const lines = fs
    .readFileSync(fx.cluster.logFile(1), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    const parsed = JSON.parse(line) as { brokerId?: number; level?: number; msg?: string };
    expect({ line, brokerId: parsed.brokerId }).toEqual({ line, brokerId: 1 });
  }
});

test('SIGTERM: exit code 0, /brokers/ids/<id> gone at once (session closed), and the controller moves at once', async () => {
  const controller = (await fx.cluster.controllerId())!;
  const other = fx.cluster.brokerIds.find((id) => id !== controller)!;
  const signalledAt = Date.now();
  const exit = await fx.cluster.killBroker(controller, 'SIGTERM', 20_000);
  expect(exit).toEqual({ code: 0, signal: null });
  const gone = await fx.cluster.waitForDeregistration(controller, 5000);
  expect(gone).toBeLessThan(5000);
  const next = await fx.cluster.waitForController(controller, 5000);
  expect(next).toBe(other);
  // Far below the 30 s session timeout: the session was closed, not left to expire.
  expect(Date.now() - signalledAt).toBeLessThan(SESSION_TIMEOUT_MS / 2);
});
