/**
 * The launcher's own HTTP server for the control API, used when no console serves it (`--no-console`,
 * or no console server built): the demo commands (`samsa-cluster stop-broker 2` …) call it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClusterControl } from '../console/cluster-control';
import { handleControlRequest } from './control-routes';

export interface ControlServer {
  /** http://127.0.0.1:P/ */
  readonly url: string;
  close(): Promise<void>;
}

const INDEX = [
  'samsa local cluster: control API (no web console in this launcher)',
  '  GET  /api/cluster',
  '  POST /api/brokers/<id>/stop[?graceful=1] | start | pause | resume',
  '  POST /api/zookeepers/<id>/stop | start',
  '',
].join('\n');

export async function startControlServer(control: ClusterControl, port: number, host = '127.0.0.1'): Promise<ControlServer> {
  const server = http.createServer((req, res) => {
    handleControlRequest(control, req, res)
      .then((handled) => {
        if (handled) return;
        const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
        res.writeHead(pathname === '/' ? 200 : 404, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(pathname === '/' ? INDEX : `no such path: ${pathname}\n`);
      })
      .catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: String(err) }));
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${bound}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
