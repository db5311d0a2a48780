/**
 * samsa-console: the web console on its own, against any Samsa (or Kafka 2.8 ZooKeeper-mode) cluster.
 * Without the launcher it owns no processes, so the page shows the cluster and the producer/consumer
 * panel but no stop/start buttons. Runs until Ctrl-C.
 */
import { requireArg, runTool, toolParser } from '../tools/common/cli';
import { ToolError } from '../tools/common/tool-error';

const USAGE = 'samsa-console --zookeeper <host:port[/chroot]> --bootstrap-server <host:port> [--port 8080] [--host 127.0.0.1]';

interface ConsoleArgs {
  zookeeper?: string;
  bootstrapServer?: string;
  port: number;
  host: string;
}

export async function samsaConsole(argv: readonly string[], out: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const a = (await toolParser('samsa-console', argv, USAGE)
    .option('zookeeper', { type: 'string', describe: 'REQUIRED: The ZooKeeper connect string, host:port[,host:port…][/chroot].' })
    .option('bootstrap-server', { type: 'string', describe: 'REQUIRED: The broker(s) to connect to, host:port (comma-separated list allowed).' })
    .option('port', { type: 'number', default: 8080, describe: 'The HTTP port of the console (0 = any free port).' })
    .option('host', { type: 'string', default: '127.0.0.1', describe: 'The address to listen on (0.0.0.0 to serve other machines, e.g. in a container).' })
    .parseAsync()) as unknown as ConsoleArgs;
  requireArg(a.zookeeper, 'zookeeper');
  requireArg(a.bootstrapServer, 'bootstrap-server');
  if (!Number.isInteger(a.port) || a.port < 0 || a.port > 65535) throw new ToolError(`--port must be 0..65535, not ${a.port}`);
  // The server and its ZooKeeper binding load only now, so --help and argument mistakes answer fast.
  const { startConsoleServer } = await import('./console-server');
  const server = await startConsoleServer({ zookeeperConnect: a.zookeeper ?? '', bootstrapServers: a.bootstrapServer ?? '', port: a.port, host: a.host }).catch((err: unknown) => {
    const code = (err as { code?: string }).code;
    if (code === 'EADDRINUSE') throw new ToolError(`port ${a.port} is already in use (try --port 0)`);
    throw err;
  });
  out(`samsa-console: serving ${server.url} (ZooKeeper ${a.zookeeper}, bootstrap ${a.bootstrapServer}); Ctrl-C stops\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}

if (require.main === module) void runTool('samsa-console: ', () => samsaConsole(process.argv.slice(2)));
