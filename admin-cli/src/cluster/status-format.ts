/** How `samsa-cluster status` and the other demo commands word their answers (pure, unit-tested). */
import type { ClusterStatus } from '../console/cluster-control';

export interface ControllerView {
  brokerId: number;
  epoch: number | null;
}

/** Left-aligned columns, two spaces apart. */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
}

/**
 * The status table: ZooKeeper servers (state, mode, port, pid), brokers (state, pid, address, which is
 * the controller). `controller` undefined: unknown (ZooKeeper did not answer); null: none elected.
 */
export function formatStatus(status: ClusterStatus, controller: ControllerView | null | undefined): string[] {
  const lines: string[] = [];
  lines.push(`ZooKeeper ensemble (zookeeper.connect=${status.zookeeperConnect})`);
  lines.push(
    ...table([
      ['SERVER', 'STATE', 'MODE', 'PORT', 'PID'],
      ...status.zookeepers.map((z) => [String(z.id), z.state, z.mode, String(z.clientPort), z.pid === null ? '-' : String(z.pid)]),
    ]).map((l) => `  ${l}`),
  );
  lines.push(`Brokers (bootstrap.servers=${status.bootstrapServers})`);
  lines.push(
    ...table([
      ['BROKER', 'STATE', 'PID', 'ADDRESS', ''],
      ...status.brokers.map((b) => [
        String(b.id),
        b.state,
        b.pid === null ? '-' : String(b.pid),
        `${b.host}:${b.port}`,
        controller?.brokerId === b.id ? 'controller' : '',
      ]),
    ]).map((l) => `  ${l}`),
  );
  if (controller === undefined) lines.push('controller: unknown (ZooKeeper did not answer)');
  else if (controller === null) lines.push('controller: none elected');
  else lines.push(`controller: broker ${controller.brokerId}${controller.epoch === null ? '' : ` (epoch ${controller.epoch})`}`);
  lines.push(`data: ${status.dataDir}`);
  return lines;
}

export type DemoAction =
  | { command: 'stop-broker'; id: number; graceful: boolean }
  | { command: 'start-broker' | 'pause-broker' | 'resume-broker' | 'stop-zookeeper' | 'start-zookeeper'; id: number };

/** The control route a demo command calls: method and path relative to the control URL. */
export function demoRoute(action: DemoAction): { method: 'POST'; path: string } {
  const [verb, noun] = action.command.split('-') as [string, 'broker' | 'zookeeper'];
  const graceful = action.command === 'stop-broker' && action.graceful ? '?graceful=1' : '';
  return { method: 'POST', path: `api/${noun === 'broker' ? 'brokers' : 'zookeepers'}/${action.id}/${verb}${graceful}` };
}

/** One line saying what a demo command did, from the status the control API answered with. */
export function describeResult(action: DemoAction, status: ClusterStatus): string {
  const broker = status.brokers.find((b) => b.id === action.id);
  const zk = status.zookeepers.find((z) => z.id === action.id);
  switch (action.command) {
    case 'stop-broker':
      return `broker ${action.id} stopped (${action.graceful ? 'SIGTERM: controlled shutdown' : 'kill -9'})`;
    case 'start-broker':
      return `broker ${action.id} started: pid ${broker?.pid ?? '-'}, ${broker === undefined ? '?' : `${broker.host}:${broker.port}`}, registered in ZooKeeper`;
    case 'pause-broker':
      return `broker ${action.id} paused (SIGSTOP): its ZooKeeper session expires unless it is resumed (resume-broker ${action.id})`;
    case 'resume-broker':
      return `broker ${action.id} resumed (SIGCONT)`;
    case 'stop-zookeeper':
      return `ZooKeeper server ${action.id} stopped (kill -9)`;
    case 'start-zookeeper':
      return `ZooKeeper server ${action.id} started (${zk?.mode ?? 'down'})`;
  }
}
