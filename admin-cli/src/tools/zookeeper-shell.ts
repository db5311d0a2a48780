/**
 * zookeeper-shell: Kafka 2.8's ZooKeeper shell (ZooKeeper 3.5's ZooKeeperMain). With a command after
 * the connect string it runs that one command and exits (1 when it failed); without, it reads commands
 * at ZooKeeperMain's prompt "[zk: H:P(CONNECTED) N] " until quit or end of input.
 */
import readline from 'node:readline';
import type { ZkClient } from '../../../broker/src/zk';
import { runTool, toolParser } from './common/cli';
import { ToolError } from './common/tool-error';

const USAGE = 'zookeeper-shell <host:port[/chroot]> [command args]   (commands: ls, get, stat, create, set, delete, deleteall, quit)';

export interface ZkShellIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Interactive input; stdin by default. */
  input?: NodeJS.ReadableStream;
  connectTimeoutMs?: number;
}

const defaultIo: ZkShellIo = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };

export async function zookeeperShell(argv: readonly string[], io: ZkShellIo = defaultIo): Promise<number> {
  const [server, ...command] = argv;
  if (server === undefined || server === '--help' || server === '-h') {
    // yargs prints the house-style help (and exits) for --help; no connect string is a usage error.
    await toolParser('zookeeper-shell', server === undefined ? [] : ['--help'], USAGE).parseAsync();
    throw new ToolError(`USAGE: zookeeper-shell zookeeper_host:port[/path] [args...]`);
  }
  // ZooKeeper's binding loads only now, so --help answers fast.
  const { ZkClient: Client } = require('../../../broker/src/zk') as typeof import('../../../broker/src/zk');
  const { runZkCommand, tokenize, ZkShellError } = require('./zookeeper-shell-commands') as typeof import('./zookeeper-shell-commands');
  io.out(`Connecting to ${server}`);
  let zk: ZkClient;
  try {
    zk = await Client.connect({ connectString: server, sessionTimeoutMs: 30_000, connectTimeoutMs: io.connectTimeoutMs ?? 10_000 });
  } catch {
    throw new ToolError(`Could not connect to ZooKeeper at ${server} within ${io.connectTimeoutMs ?? 10_000} ms`);
  }
  try {
    const interactive = command.length === 0;
    if (interactive) {
      io.out('Welcome to ZooKeeper!');
      io.out('JLine support is disabled');
    }
    // ZooKeeperMain's default watcher prints the session's connection event.
    io.out('');
    io.out('WATCHER::');
    io.out('');
    io.out('WatchedEvent state:SyncConnected type:None path:null');
    if (!interactive) {
      if (command[0] === 'quit') return 0;
      try {
        await runZkCommand(zk, command, io.out);
        return 0;
      } catch (err) {
        if (!(err instanceof ZkShellError)) throw err;
        io.err(err.message);
        return 1;
      }
    }
    const rl = readline.createInterface({ input: io.input ?? process.stdin, terminal: false });
    let count = 0;
    const prompt = (): boolean => process.stdout.write(`[zk: ${server}(${zk.connected ? 'CONNECTED' : 'CONNECTING'}) ${count}] `);
    prompt();
    for await (const line of rl) {
      const words = tokenize(line);
      if (words[0] === 'quit') break;
      if (words.length > 0) {
        count++;
        try {
          await runZkCommand(zk, words, io.out);
        } catch (err) {
          if (!(err instanceof ZkShellError)) throw err;
          io.err(err.message);
        }
      }
      prompt();
    }
    rl.close();
    return 0;
  } finally {
    await zk.close();
  }
}

if (require.main === module) void runTool('', () => zookeeperShell(process.argv.slice(2)));
