/**
 * `npm start`: runs a local Samsa cluster until Ctrl-C. Today that is the ZooKeeper ensemble only;
 * brokers join once the broker issue lands.
 *
 *   samsa-cluster up [--zookeepers 1|3|5] [--data-dir D] [--fresh]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { freePorts, ZooKeeperEnsemble, type EnsembleSize } from './zookeeper-ensemble';

const REPO_ROOT = path.resolve(__dirname, '../../..');
/** ZooKeeper's customary client port; the ensemble takes 2181, 2182, ... when they are free. */
const FIRST_CLIENT_PORT = 2181;

interface UpOptions {
  zookeepers: EnsembleSize;
  dataDir: string;
  fresh: boolean;
}

function ensureZooKeeperInstalled(): void {
  const result = spawnSync('bash', [path.join(REPO_ROOT, 'scripts', 'ensure-zookeeper')], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/** The customary ports when all are free, else any free ones (a second cluster, a system ZooKeeper). */
async function chooseClientPorts(count: number): Promise<number[]> {
  const preferred = Array.from({ length: count }, (_, i) => FIRST_CLIENT_PORT + i);
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
  if (options.fresh) fs.rmSync(zkDir, { recursive: true, force: true });

  let shuttingDown = false;
  console.log(`samsa: starting a ZooKeeper ensemble of ${options.zookeepers} (data in ${zkDir})...`);
  const ensemble = await ZooKeeperEnsemble.start({
    size: options.zookeepers,
    baseDir: zkDir,
    keepData: true,
    clientPorts: await chooseClientPorts(options.zookeepers),
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
  console.log('samsa: broker processes arrive with the broker issue; for now only ZooKeeper is running.');
  console.log('samsa: press Ctrl-C to stop.');

  // The java children keep the event loop alive; this timer keeps it alive if they all crash.
  const keepAlive = setInterval(() => undefined, 60_000);
  await new Promise<void>((resolve) => {
    const shutdown = (signal: NodeJS.Signals): void => {
      if (shuttingDown) {
        // a second Ctrl-C: no more grace
        void ensemble.stop({ signal: 'SIGKILL' });
        return;
      }
      shuttingDown = true;
      console.log(`\nsamsa: ${signal}: stopping ZooKeeper...`);
      ensemble
        .stop({ signal: 'SIGTERM', graceMs: 10_000 })
        .catch((err: unknown) => console.error(`samsa: stopping ZooKeeper failed: ${String(err)}`))
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

async function main(): Promise<void> {
  await yargs(hideBin(process.argv))
    .scriptName('samsa-cluster')
    .command(
      'up',
      'start a local cluster (a ZooKeeper ensemble; brokers are pending) and run until Ctrl-C',
      (y) =>
        y
          .option('zookeepers', { type: 'number', choices: [1, 3, 5], default: 3, describe: 'ZooKeeper servers in the ensemble' })
          .option('data-dir', { type: 'string', default: path.join(REPO_ROOT, '.samsa'), describe: 'where ZooKeeper (and later broker) data lives' })
          .option('fresh', { type: 'boolean', default: false, describe: 'delete existing ZooKeeper data first' }),
      async (argv) => {
        await up({ zookeepers: argv.zookeepers as EnsembleSize, dataDir: path.resolve(argv['data-dir']), fresh: argv.fresh });
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
