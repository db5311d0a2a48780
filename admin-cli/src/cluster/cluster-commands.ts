/**
 * The demo commands (`samsa-cluster status`, `stop-broker 2 [--graceful]`, …): find the running
 * launcher through <data-dir>/cluster.json and call its control API. Every failure is one line.
 */
import path from 'node:path';
import type { ClusterStatus } from '../console/cluster-control';
import { ToolError } from '../tools/common/tool-error';
import { findLauncher, type LauncherState } from './launcher-state';
import { demoRoute, describeResult, formatStatus, type ControllerView, type DemoAction } from './status-format';

/** How a path is shown: relative to the working directory when it is below it. */
function shown(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/** The running launcher's state, or the one-line reason there is none. */
export function runningLauncher(dataDir: string): LauncherState {
  let found;
  try {
    found = findLauncher(dataDir);
  } catch (err) {
    throw new ToolError(`no local cluster is running (${err instanceof Error ? err.message : String(err)}); start one with npm start`);
  }
  if (found.kind === 'none') throw new ToolError(`no local cluster is running (no ${shown(found.file)}); start one with npm start`);
  if (found.kind === 'stale') {
    throw new ToolError(`no local cluster is running (${shown(found.file)} is left from launcher pid ${found.pid}, which is gone); start one with npm start`);
  }
  return found.state;
}

/** Calls a control route; the answer's ClusterStatus, or a ToolError carrying the `{error}` line. */
export async function callControl(state: LauncherState, method: 'GET' | 'POST', route: string): Promise<ClusterStatus> {
  const url = new URL(route, state.controlUrl).toString();
  let response: Response;
  try {
    // a graceful stop or a start may take a minute (controlled shutdown, an old session expiring)
    response = await fetch(url, { method, signal: AbortSignal.timeout(method === 'GET' ? 15_000 : 180_000) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = err instanceof Error && err.name === 'TimeoutError' ? 'no answer in time' : (cause?.code ?? cause?.message ?? String(err));
    throw new ToolError(`the launcher (pid ${state.pid}) does not answer at ${state.controlUrl}: ${why}`);
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: reported below
  }
  if (!response.ok) {
    const error = (body as { error?: unknown } | null)?.error;
    throw new ToolError(typeof error === 'string' ? error : `${method} ${url} answered HTTP ${response.status}`);
  }
  if (body === null || typeof body !== 'object' || !Array.isArray((body as ClusterStatus).brokers)) {
    throw new ToolError(`${method} ${url} did not answer with the cluster status`);
  }
  return body as ClusterStatus;
}

/** /controller from ZooKeeper; undefined when ZooKeeper does not answer within a few seconds. */
async function controllerOf(zookeeperConnect: string): Promise<ControllerView | null | undefined> {
  if (zookeeperConnect === '') return undefined;
  // ZooKeeper's client is loaded only for status.
  const { connectLauncherZk, readController } = await import('./local-broker');
  let zk;
  try {
    zk = await connectLauncherZk(zookeeperConnect, 3000);
  } catch {
    return undefined;
  }
  try {
    return await readController(zk);
  } catch {
    return undefined;
  } finally {
    await zk.close().catch(() => undefined);
  }
}

export async function statusCommand(dataDir: string, out: (line: string) => void): Promise<number> {
  const state = runningLauncher(dataDir);
  const status = await callControl(state, 'GET', 'api/cluster');
  const controller = await controllerOf(status.zookeeperConnect);
  out(`launcher: pid ${state.pid}${state.consoleUrl === '' ? '' : `, console ${state.consoleUrl}`}`);
  for (const line of formatStatus(status, controller)) out(line);
  return 0;
}

export async function demoCommand(dataDir: string, action: DemoAction, out: (line: string) => void): Promise<number> {
  const state = runningLauncher(dataDir);
  const { method, path: route } = demoRoute(action);
  const status = await callControl(state, method, route);
  out(describeResult(action, status));
  return 0;
}
