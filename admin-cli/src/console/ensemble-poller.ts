/**
 * Who in the ZooKeeper ensemble answers, and who leads: `srvr` (whitelisted by default since 3.5) sent to
 * every server of the connect string about once a second.
 */
import { fourLetterWord } from '../cluster/zookeeper-ensemble';
import type { ZooKeeperMode, ZooKeeperServerView } from './cluster-model';

/** The servers of a connect string `h:p,h:p[/chroot]`, numbered from 1 in order. */
export function ensembleServers(connectString: string): Array<{ id: number; host: string; port: number }> {
  const slash = connectString.indexOf('/');
  const hosts = slash >= 0 ? connectString.slice(0, slash) : connectString;
  return hosts
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s, i) => {
      const colon = s.lastIndexOf(':');
      const port = colon < 0 ? 2181 : Number(s.slice(colon + 1));
      if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`invalid ZooKeeper server '${s}' in ${connectString}`);
      return { id: i + 1, host: colon < 0 ? s : s.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), port };
    });
}

/** The `Mode:` line of a `srvr` answer; a server that is up but not serving reads as down. */
export function parseSrvrMode(answer: string): ZooKeeperMode {
  const m = /^Mode: (\w+)/m.exec(answer);
  const mode = m?.[1];
  return mode === 'leader' || mode === 'follower' || mode === 'observer' || mode === 'standalone' ? mode : 'down';
}

export class EnsemblePoller {
  private readonly servers: ZooKeeperServerView[];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    connectString: string,
    private readonly onChange: () => void,
    private readonly intervalMs = 1000,
  ) {
    this.servers = ensembleServers(connectString).map((s) => ({ ...s, mode: 'unknown' }));
  }

  start(): void {
    this.running = this.poll();
  }

  view(): ZooKeeperServerView[] {
    return this.servers.map((s) => ({ ...s }));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private async poll(): Promise<void> {
    const modes = await Promise.all(this.servers.map((s) => fourLetterWord(s.port, 'srvr', Math.min(800, this.intervalMs), s.host).then(parseSrvrMode, () => 'down' as const)));
    if (this.closed) return;
    let changed = false;
    this.servers.forEach((s, i) => {
      const mode = modes[i] ?? 'down';
      if (s.mode !== mode) changed = true;
      s.mode = mode;
    });
    if (changed) this.onChange();
    this.timer = setTimeout(() => {
      this.running = this.poll();
    }, this.intervalMs);
  }
}
