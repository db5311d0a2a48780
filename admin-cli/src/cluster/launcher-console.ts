/**
 * Where the launcher serves its web console and the control API: the console server (which answers
 * the control routes through control-routes.ts), or with `--no-console` only the launcher's small
 * control server on a free port, so the demo commands still work.
 */
import type { ClusterControl } from '../console/cluster-control';
import { startControlServer } from './control-server';

export interface LauncherEndpoints {
  /** The console page's URL, null with --no-console. */
  consoleUrl: string | null;
  /** Base URL of the control API (the console's, or the control server's). */
  controlUrl: string;
  close(): Promise<void>;
}

export interface LauncherEndpointOptions {
  zookeeperConnect: string;
  bootstrapServers: string;
  control: ClusterControl;
  /** null: no console (--no-console); 0: any free port. */
  consolePort: number | null;
}

export async function startLauncherEndpoints(options: LauncherEndpointOptions): Promise<LauncherEndpoints> {
  if (options.consolePort === null) {
    const server = await startControlServer(options.control, 0);
    return { consoleUrl: null, controlUrl: server.url, close: () => server.close() };
  }
  // Loaded only here: `--no-console` and the demo commands need none of the console's code.
  const { startConsoleServer } = await import('../console/console-server');
  const server = await startConsoleServer({
    zookeeperConnect: options.zookeeperConnect,
    bootstrapServers: options.bootstrapServers,
    port: options.consolePort,
    control: options.control,
  });
  return { consoleUrl: server.url, controlUrl: server.url, close: () => server.close() };
}

/** The control server alone, when the console failed: the cluster and the demo commands still work. */
export async function startControlOnly(control: ClusterControl): Promise<LauncherEndpoints> {
  return startLauncherEndpoints({ zookeeperConnect: '', bootstrapServers: '', control, consolePort: null });
}
