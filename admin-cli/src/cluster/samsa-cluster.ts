/**
 * `npm start`: runs a local Samsa cluster until Ctrl-C: a ZooKeeper ensemble and N brokers.
 *
 *   samsa-cluster up [--zookeepers 1|3|5] [--brokers N] [--first-port 9092] [--data-dir D] [--fresh]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ZkClient } from '../../../broker/src/zk';
import { BrokerIdZNode, ControllerZNode } from '../../../broker/src/zk/znodes';
import { BrokerProcess, propertiesText, tailFile } from './broker-process';
import { freePorts, ZooKeeperEnsemble, type EnsembleSize } from './zookeeper-ensemble';

const REPO_ROOT = path.resolve(__dirname, '../../..');
/** ZooKeeper's customary client port; the ensemble takes 2181, 2182, ... when they are free. */
const FIRST_CLIENT_PORT = 2181;

interface UpOptions {
  zookeepers: EnsembleSize;
  brokers: number;
  firstPort: number;
  dataDir: string;
  fresh: boolean;
}

interface LocalBroker {
  id: number;
  port: number;
  logFile: string;
  process: BrokerProcess;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function ensureZooKeeperInstalled(): void {
  const result = spawnSync('bash', [path.join(REPO_ROOT, 'scripts', 'ensure-zookeeper')], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/** The customary ports when all are free, else any free ones (a second cluster, a system ZooKeeper). */
async function choosePorts(first: number, count: number): Promise<number[]> {
  const preferred = Array.from({ length: count }, (_, i) => first + i);
  const free = await Promise.all(
    preferred.map(
      (port) =>
        new Promise<boolean>((resolve) => {
          const probe = net.createServer();
          probe.once('error', () => resolve(false));
          probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
        }),
    ),
  );
  return free.every(Boolean) ? preferred : freePorts(count);
}

async function up(options: UpOptions): Promise<void> {
  ensureZooKeeperInstalled();
  const zkDir = path.join(options.dataDir, 'zookeeper');
  if (options.fresh) {
    fs.rmSync(zkDir, { recursive: true, force: true });
    for (let id = 1; id <= options.brokers; id++) fs.rmSync(path.join(options.dataDir, `broker-${id}`), { recursive: true, force: true });
  }

  let shuttingDown = false;
  console.log(`samsa: starting a ZooKeeper ensemble of ${options.zookeepers} (data in ${zkDir})...`);
  const ensemble = await ZooKeeperEnsemble.start({
    size: options.zookeepers,
    baseDir: zkDir,
    keepData: true,
    clientPorts: await choosePorts(FIRST_CLIENT_PORT, options.zookeepers),
    tickTimeMs: 2000,
    onUnexpectedExit: (id, description) => {
      if (!shuttingDown) console.error(`samsa: ZooKeeper server ${id} ${description}; see ${path.join(zkDir, `zk-${id}`, 'zookeeper.log')}`);
    },
  });

  console.log('samsa: ZooKeeper is up');
  console.log(`  zookeeper.connect=${ensemble.connectString}`);
  for (const server of ensemble.servers) {
    console.log(`  server ${server.id}: pid ${server.pid ?? '-'}, client port ${server.clientPort}, log ${server.logFile}`);
  }

  const brokers: LocalBroker[] = [];
  const stopAll = async (): Promise<void> => {
    shuttingDown = true;
    await Promise.all(brokers.map((b) => b.process.stop(30_000)));
    await ensemble.stop({ signal: 'SIGTERM', graceMs: 10_000 });
  };
  try {
    const ports = await choosePorts(options.firstPort, options.brokers);
    for (let i = 0; i < options.brokers; i++) brokers.push(startBroker(options.dataDir, i + 1, ports[i] as number, ensemble.connectString, options.brokers));
    for (const b of brokers) {
      void b.process.exited.then((exit) => {
        if (!shuttingDown) console.error(`samsa: broker ${b.id} exited (${exit.signal ?? `code ${exit.code ?? '?'}`}); see ${b.logFile}`);
      });
    }
    await waitForBrokers(ensemble.connectString, brokers);
  } catch (err) {
    console.error(`samsa: ${err instanceof Error ? err.message : String(err)}`);
    await stopAll();
    process.exit(1);
  }
  console.log(`samsa: ${brokers.length} broker(s) up`);
  console.log(`  bootstrap.servers=${brokers.map((b) => `127.0.0.1:${b.port}`).join(',')}`);
  for (const b of brokers) console.log(`  broker ${b.id}: pid ${b.process.pid ?? '-'}, 127.0.0.1:${b.port}, log ${b.logFile}`);
  console.log('samsa: press Ctrl-C to stop.');

  const keepAlive = setInterval(() => undefined, 60_000);
  await new Promise<void>((resolve) => {
    const shutdown = (signal: NodeJS.Signals): void => {
      if (shuttingDown) {
        // a second Ctrl-C: no more grace
        for (const b of brokers) b.process.kill('SIGKILL');
        void ensemble.stop({ signal: 'SIGKILL' });
        return;
      }
      console.log(`\nsamsa: ${signal}: stopping brokers, then ZooKeeper...`);
      stopAll()
        .catch((err: unknown) => console.error(`samsa: stopping failed: ${String(err)}`))
        .finally(() => {
          clearInterval(keepAlive);
          process.off('SIGINT', shutdown);
          process.off('SIGTERM', shutdown);
          resolve();
        });
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  });
  console.log('samsa: stopped.');
}

function startBroker(dataDir: string, id: number, port: number, zkConnect: string, brokerCount: number): LocalBroker {
  const dir = path.join(dataDir, `broker-${id}`);
  fs.mkdirSync(dir, { recursive: true });
  const propertiesFile = path.join(dir, 'server.properties');
  const rf = String(Math.min(3, brokerCount));
  fs.writeFileSync(
    propertiesFile,
    propertiesText({
      'broker.id': String(id),
      listeners: `PLAINTEXT://127.0.0.1:${port}`,
      'log.dirs': path.join(dir, 'logs'),
      'zookeeper.connect': zkConnect,
      'offsets.topic.replication.factor': rf,
      'transaction.state.log.replication.factor': rf,
      'transaction.state.log.min.isr': String(Math.min(2, brokerCount)),
    }),
  );
  const logFile = path.join(dir, 'broker.log');
  console.log(`samsa: starting broker ${id} on 127.0.0.1:${port} (log ${logFile})`);
  return { id, port, logFile, process: BrokerProcess.spawn({ propertiesFile, logFile }) };
}

/** Waits until every broker is registered in /brokers/ids and a controller is elected. */
async function waitForBrokers(zkConnect: string, brokers: readonly LocalBroker[], timeoutMs = 60_000): Promise<void> {
  const zk = await ZkClient.connect({ connectString: zkConnect, sessionTimeoutMs: 10_000, connectTimeoutMs: 10_000 });
  try {
    const deadline = Date.now() + timeoutMs;
    const pending = new Set(brokers.map((b) => b.id));
    for (;;) {
      for (const b of brokers) {
        if (pending.has(b.id) && (await zk.exists(BrokerIdZNode.path(b.id))) !== null) {
          pending.delete(b.id);
          console.log(`samsa: broker ${b.id} registered`);
        }
        if (b.process.child.exitCode !== null) throw new Error(`broker ${b.id} exited during start-up; last lines of ${b.logFile}:\n${tailFile(b.logFile, 15)}`);
      }
      const controller = await zk.getOrNull(ControllerZNode.path);
      if (pending.size === 0 && controller !== null) {
        console.log(`samsa: controller is broker ${ControllerZNode.decode(controller.data).brokerId}`);
        return;
      }
      if (Date.now() > deadline) throw new Error(`brokers ${[...pending].join(', ') || '(none)'} not registered / no controller after ${timeoutMs} ms`);
      await sleep(250);
    }
  } finally {
    await zk.close();
  }
}

async function main(): Promise<void> {
  await yargs(hideBin(process.argv))
    .scriptName('samsa-cluster')
    .command(
      'up',
      'start a local cluster (a ZooKeeper ensemble and brokers) and run until Ctrl-C',
      (y) =>
        y
          .option('zookeepers', { type: 'number', choices: [1, 3, 5], default: 3, describe: 'ZooKeeper servers in the ensemble' })
          .option('brokers', { type: 'number', default: 3, describe: 'broker processes' })
          .option('first-port', { type: 'number', default: 9092, describe: 'first broker port (brokers take consecutive ports when free)' })
          .option('data-dir', { type: 'string', default: path.join(REPO_ROOT, '.samsa'), describe: 'where ZooKeeper and broker data lives' })
          .option('fresh', { type: 'boolean', default: false, describe: 'delete existing ZooKeeper and broker data first' }),
      async (argv) => {
        if (!Number.isInteger(argv.brokers) || argv.brokers < 1) throw new Error('--brokers must be a positive integer');
        await up({
          zookeepers: argv.zookeepers as EnsembleSize,
          brokers: argv.brokers,
          firstPort: argv['first-port'],
          dataDir: path.resolve(argv['data-dir']),
          fresh: argv.fresh,
        });
      },
    )
    .demandCommand(1, 'say what to do, e.g. `up`')
    .strict()
    .help()
    .parseAsync();
}

main().catch((err: unknown) => {
  console.error(`samsa: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
