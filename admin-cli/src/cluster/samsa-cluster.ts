/**
 * `samsa-cluster` (`npm start` = `samsa-cluster up`): runs a local Samsa cluster — a ZooKeeper
 * ensemble and N brokers on loopback — until Ctrl-C, and the demo commands that act on it.
 *
 *   samsa-cluster up [--zookeepers 1|3|5] [--brokers N] [--first-port 9092] [--data-dir D] [--fresh]
 *                    [--console-port 8080 | --no-console]
 *   samsa-cluster status | stop-broker N [--graceful] | start-broker N | pause-broker N | resume-broker N
 *                | stop-zookeeper N | start-zookeeper N   [--data-dir D]
 */
import path from 'node:path';
import type { Argv } from 'yargs';
import { runTool, toolParser } from '../tools/common/cli';
import { ToolError } from '../tools/common/tool-error';
import { REPO_ROOT } from './broker-process';
import type { DemoAction } from './status-format';
import type { EnsembleSize } from './zookeeper-ensemble';

const USAGE = [
  'samsa-cluster <command> [options]',
  '',
  'Runs a local Samsa cluster (`up`, what `npm start` does) and acts on the running one (the demo commands).',
].join('\n');

export const DEFAULT_DATA_DIR = path.join(REPO_ROOT, '.samsa');

interface UpArgs {
  zookeepers: number;
  brokers: number;
  firstPort: number;
  zookeeperPort: number;
  dataDir: string;
  fresh: boolean;
  console: boolean;
  consolePort: number;
  sessionTimeoutMs: number;
}

interface DemoArgs {
  id: number;
  dataDir: string;
  graceful?: boolean;
}

const DEMO_COMMANDS: ReadonlyArray<[DemoAction['command'], string]> = [
  ['stop-broker', 'kill -9 broker N (--graceful: SIGTERM, Kafka controlled shutdown)'],
  ['start-broker', 'start stopped broker N again; returns once it is registered in ZooKeeper'],
  ['pause-broker', 'SIGSTOP broker N: a zombie leader whose ZooKeeper session expires and who gets fenced'],
  ['resume-broker', 'SIGCONT a paused broker N'],
  ['stop-zookeeper', 'kill -9 ZooKeeper server N'],
  ['start-zookeeper', 'start stopped ZooKeeper server N again'],
];

function dataDirOption<T>(y: Argv<T>): Argv<T> {
  return y.option('data-dir', { type: 'string', default: DEFAULT_DATA_DIR, describe: 'the data dir of the cluster (its cluster.json names the launcher)' });
}

function nonNegativeInteger(value: number, flag: string): number {
  if (!Number.isInteger(value) || value < 0) throw new ToolError(`${flag} must be a non-negative integer, not ${String(value)}`);
  return value;
}

/** Parses argv and runs the command; the exit code. */
export async function samsaCluster(argv: readonly string[], out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  let result: Promise<number> = Promise.resolve(0);
  let parser = toolParser('samsa-cluster', argv, USAGE)
    .command(
      'up',
      'start a local cluster (ZooKeeper ensemble + brokers), print where it is, run until Ctrl-C',
      (y) =>
        dataDirOption(y)
          .option('zookeepers', { type: 'number', choices: [1, 3, 5], default: 3, describe: 'ZooKeeper servers in the ensemble' })
          .option('brokers', { type: 'number', default: 3, describe: 'broker processes (ids 1..N)' })
          .option('first-port', { type: 'number', default: 9092, describe: 'first broker port (consecutive ports when free, else any free ones)' })
          .option('zookeeper-port', { type: 'number', default: 2181, describe: 'first ZooKeeper client port (likewise)' })
          .option('fresh', { type: 'boolean', default: false, describe: 'delete the existing ZooKeeper and broker data first' })
          .option('console', { type: 'boolean', default: true, describe: 'serve the web console (--no-console: only the control API, on a free port)' })
          .option('console-port', { type: 'number', default: 8080, describe: 'the console port (0 = any free port)' })
          .option('session-timeout-ms', { type: 'number', default: 6000, describe: "the brokers' zookeeper.session.timeout.ms" }),
      (a) => {
        const args = a as unknown as UpArgs;
        if (!Number.isInteger(args.brokers) || args.brokers < 1) throw new ToolError('--brokers must be a positive integer');
        // The launcher prints its own lines; the console's pino logs (in this process) only warn.
        process.env.LOG_LEVEL ??= 'warn';
        result = import('./cluster-up').then(({ clusterUp }) =>
          clusterUp({
            zookeepers: args.zookeepers as EnsembleSize,
            brokers: args.brokers,
            firstPort: nonNegativeInteger(args.firstPort, '--first-port'),
            firstZooKeeperPort: nonNegativeInteger(args.zookeeperPort, '--zookeeper-port'),
            dataDir: path.resolve(args.dataDir),
            fresh: args.fresh,
            consolePort: args.console ? nonNegativeInteger(args.consolePort, '--console-port') : null,
            sessionTimeoutMs: nonNegativeInteger(args.sessionTimeoutMs, '--session-timeout-ms'),
          }),
        );
      },
    )
    .command('status', 'show the running cluster: ZooKeeper servers, brokers, the controller', dataDirOption, (a) => {
      const args = a as unknown as DemoArgs;
      result = import('./cluster-commands').then(({ statusCommand }) => statusCommand(path.resolve(args.dataDir), out));
    });
  for (const [command, describe] of DEMO_COMMANDS) {
    parser = parser.command(
      `${command} <id>`,
      describe,
      (y) => {
        const withId = dataDirOption(y).positional('id', { type: 'number', describe: command.endsWith('zookeeper') ? 'ZooKeeper server id' : 'broker id' });
        return command === 'stop-broker' ? withId.option('graceful', { type: 'boolean', default: false, describe: 'controlled shutdown (SIGTERM) instead of kill -9' }) : withId;
      },
      (a) => {
        const args = a as unknown as DemoArgs;
        const id = nonNegativeInteger(args.id, 'the id');
        const action: DemoAction = command === 'stop-broker' ? { command, id, graceful: args.graceful === true } : { command, id };
        result = import('./cluster-commands').then(({ demoCommand }) => demoCommand(path.resolve(args.dataDir), action, out));
      },
    );
  }
  await parser.demandCommand(1, 'say what to do, e.g. `samsa-cluster up` (see --help)').parseAsync();
  return result;
}

if (require.main === module) {
  void runTool('samsa: ', () => samsaCluster(process.argv.slice(2))).then(() => {
    // `up` leaves nothing to wait for once stopped; exit even if a library kept a handle open.
    if (process.argv[2] === 'up') process.exit(process.exitCode ?? 0);
  });
}
