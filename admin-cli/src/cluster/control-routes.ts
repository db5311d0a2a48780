/**
 * The control HTTP API of admin-cli/src/console/cluster-control.ts, in one place: the console server
 * and the launcher's own control server (`--no-console`) both answer through handleControlRequest.
 *
 *   GET  /api/cluster                                      → ClusterStatus
 *   POST /api/brokers/<id>/(stop[?graceful=1]|start|pause|resume) → ClusterStatus
 *   POST /api/zookeepers/<id>/(stop|start)                 → ClusterStatus
 * Errors are `{ "error": "<one line>" }` with 400/404/405/409 (500 for an unexpected failure).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ClusterControlError, type ClusterControl } from '../console/cluster-control';

export type ControlRoute =
  | { kind: 'status' }
  | { kind: 'broker'; action: 'stop' | 'start' | 'pause' | 'resume'; id: number; graceful: boolean }
  | { kind: 'zookeeper'; action: 'stop' | 'start'; id: number };

/** A control path asked wrongly: the HTTP status and the one-line error to answer with. */
export interface RouteError {
  kind: 'error';
  status: 400 | 404 | 405;
  error: string;
  allow?: string;
}

export const NO_CONTROL_ERROR = "this console does not own the cluster's processes";

const ACTION_PATH = /^\/api\/(brokers|zookeepers)\/([^/]+)\/([^/]+)$/;

function isTrue(value: string | null): boolean {
  return value !== null && ['', '1', 'true', 'yes'].includes(value.toLowerCase());
}

/**
 * Which control route `method url` asks for; null when the path is not a control route (the caller
 * serves it), a RouteError when it is one asked wrongly (bad id, unknown action, wrong method).
 */
export function parseControlRoute(method: string, url: string): ControlRoute | RouteError | null {
  const parsed = new URL(url, 'http://localhost');
  const pathname = parsed.pathname.replace(/\/+$/, '');
  if (pathname === '/api/cluster') {
    return method === 'GET' || method === 'HEAD' ? { kind: 'status' } : { kind: 'error', status: 405, error: `${method} ${pathname}: use GET`, allow: 'GET' };
  }
  const match = ACTION_PATH.exec(pathname);
  if (match === null) return null;
  const [, group, idText, action] = match as unknown as [string, 'brokers' | 'zookeepers', string, string];
  const what = group === 'brokers' ? 'broker' : 'ZooKeeper server';
  const actions = group === 'brokers' ? ['stop', 'start', 'pause', 'resume'] : ['stop', 'start'];
  if (!actions.includes(action)) {
    return { kind: 'error', status: 404, error: `unknown ${what} action '${action}' (one of ${actions.join(', ')})` };
  }
  if (method !== 'POST') return { kind: 'error', status: 405, error: `${method} ${pathname}: use POST`, allow: 'POST' };
  if (!/^\d+$/.test(idText)) return { kind: 'error', status: 400, error: `${what} id '${idText}' is not a number` };
  const id = Number.parseInt(idText, 10);
  if (group === 'zookeepers') return { kind: 'zookeeper', action: action as 'stop' | 'start', id };
  return { kind: 'broker', action: action as 'stop' | 'start' | 'pause' | 'resume', id, graceful: isTrue(parsed.searchParams.get('graceful')) };
}

/** Runs a parsed route against `control`. */
export async function runControlRoute(control: ClusterControl, route: ControlRoute): Promise<void> {
  if (route.kind === 'status') return;
  if (route.kind === 'zookeeper') {
    await (route.action === 'stop' ? control.stopZooKeeper(route.id) : control.startZooKeeper(route.id));
    return;
  }
  switch (route.action) {
    case 'stop':
      return control.stopBroker(route.id, { graceful: route.graceful });
    case 'start':
      return control.startBroker(route.id);
    case 'pause':
      return control.pauseBroker(route.id);
    case 'resume':
      return control.resumeBroker(route.id);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(text);
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0] ?? message;
}

/**
 * Answers `req` when it is a control route and returns true; returns false (having written nothing)
 * for any other path. Without a ClusterControl the routes answer 404 as the contract says.
 */
export async function handleControlRequest(control: ClusterControl | undefined, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const route = parseControlRoute(req.method ?? 'GET', req.url ?? '/');
  if (route === null) return false;
  req.resume(); // the body (if any) is not used
  if (route.kind === 'error') {
    sendJson(res, route.status, { error: route.error }, route.allow === undefined ? {} : { allow: route.allow });
    return true;
  }
  if (control === undefined) {
    sendJson(res, 404, { error: NO_CONTROL_ERROR });
    return true;
  }
  try {
    await runControlRoute(control, route);
    sendJson(res, 200, await control.status());
  } catch (err) {
    sendJson(res, err instanceof ClusterControlError ? err.status : 500, { error: firstLine(err) });
  }
  return true;
}
