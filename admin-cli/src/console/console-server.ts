/**
 * The web console's HTTP server (node:http, no framework): the page and its static files, a JSON
 * snapshot, Server-Sent Events, the producer/consumer panel and the launcher's control routes
 * (cluster-control.ts; answered by control-routes.ts, 404 when this console owns no processes).
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createLogger } from '../../../broker/src/common/logger';
import { handleControlRequest } from '../cluster/control-routes';
import type { ClusterControl } from './cluster-control';
import { ConsoleState, type ConsoleSnapshot } from './console-state';
import { PanelInputError, RecordPanel } from './record-panel';
import type { TimelineEvent } from './cluster-model';

export interface ConsoleServerOptions {
  /** host:port,…[/chroot] */
  zookeeperConnect: string;
  bootstrapServers: string;
  /** 0 = any free port. */
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  control?: ClusterControl;
}

export interface ConsoleServer {
  /** http://127.0.0.1:P/ */
  readonly url: string;
  close(): Promise<void>;
}

const PUBLIC_DIR = path.join(__dirname, 'public');
const STATIC: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/console.js': { file: 'console.js', type: 'text/javascript; charset=utf-8' },
  '/console.css': { file: 'console.css', type: 'text/css; charset=utf-8' },
};
const MAX_BODY = 1 << 20;
const SSE_KEEPALIVE_MS = 15_000;

/** A request the client got wrong: answered 400 `{error}`. */
class BadRequest extends Error {}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

const firstLine = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';

async function readJsonBody(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new BadRequest('request body too large');
    chunks.push(chunk);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BadRequest('the body is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequest('the body must be a JSON object');
  return body as Record<string, unknown>;
}

function optionalInt(value: unknown, name: string, min: number): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new BadRequest(`${name} must be an integer >= ${min}`);
  return n;
}

function requiredString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw new BadRequest(`${name} is required`);
  return value;
}

/** A Server-Sent Events stream: one `event:` + `data:` message per write. */
function sseWrite(res: http.ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const logger = createLogger('console');
  const host = options.host ?? '127.0.0.1';
  const state = await ConsoleState.start({ zookeeperConnect: options.zookeeperConnect, bootstrapServers: options.bootstrapServers, control: options.control, logger });
  const panel = new RecordPanel(options.bootstrapServers);
  const streams = new Set<http.ServerResponse>();

  const openEvents = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    sseWrite(res, 'snapshot', { state: state.snapshot(), timeline: state.events() });
    const unsubscribe = state.subscribe((s: ConsoleSnapshot, events: TimelineEvent[]) => {
      sseWrite(res, 'state', s);
      if (events.length > 0) sseWrite(res, 'timeline', events);
    });
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), SSE_KEEPALIVE_MS);
    streams.add(res);
    const done = (): void => {
      clearInterval(keepalive);
      unsubscribe();
      streams.delete(res);
    };
    req.on('close', done);
    res.on('close', done);
  };

  const route = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    if (await handleControlRequest(options.control, req, res)) {
      // Show the effect now rather than at the next poll.
      if (method === 'POST') await state.refresh();
      return;
    }
    const asset = STATIC[url.pathname];
    if (asset !== undefined && (method === 'GET' || method === 'HEAD')) {
      const body = await fs.readFile(path.join(PUBLIC_DIR, asset.file));
      res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-cache' });
      res.end(method === 'HEAD' ? undefined : body);
      return;
    }
    if (url.pathname === '/api/state' && method === 'GET') return sendJson(res, 200, { ...state.snapshot(), timeline: state.events() });
    if (url.pathname === '/events' && method === 'GET') return openEvents(req, res);
    if (url.pathname === '/api/produce' && method === 'POST') {
      const body = await readJsonBody(req);
      const key = body.key;
      if (key !== undefined && key !== null && typeof key !== 'string') throw new BadRequest('key must be a string');
      if (typeof body.value !== 'string') throw new BadRequest('value is required (a string)');
      const result = await panel.produce({ topic: requiredString(body.topic, 'topic'), key: key ?? null, value: body.value, partition: optionalInt(body.partition, 'partition', 0) });
      return sendJson(res, 200, result);
    }
    if (url.pathname === '/api/consume' && method === 'GET') {
      const q = url.searchParams;
      const offset = optionalInt(q.get('offset'), 'offset', 0);
      const result = await panel.consume({
        topic: requiredString(q.get('topic'), 'topic'),
        partition: optionalInt(q.get('partition'), 'partition', 0) ?? 0,
        offset: offset === undefined ? undefined : BigInt(offset),
        max: Math.min(optionalInt(q.get('max'), 'max', 1) ?? 20, 500),
      });
      return sendJson(res, 200, result);
    }
    sendJson(res, 404, { error: `no such path: ${method} ${url.pathname}` });
  };

  const server = http.createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      const status = err instanceof BadRequest || err instanceof PanelInputError ? 400 : 502;
      if (status === 502) logger.warn({ err, url: req.url }, 'console request failed');
      if (res.headersSent) res.end();
      else sendJson(res, status, { error: firstLine(err) });
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await Promise.all([state.close(), panel.close()]);
    throw err;
  }
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    close: () =>
      (closing ??= (async () => {
        for (const res of streams) res.end();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await Promise.all([stopped, state.close(), panel.close()]);
      })()),
  };
}
