/**
 * The commands of zookeeper-shell (Kafka 2.8 ships ZooKeeper 3.5's ZooKeeperMain): ls, get, stat,
 * create, set, delete, deleteall, printed as ZooKeeperMain prints them — "[a, b]" for ls, the data for
 * get, the Stat field lines ("cZxid = 0x…"), and its error lines ("Node does not exist: /x").
 */
import { isZkError, type ZkClient, type ZkStat } from '../../../broker/src/zk';

/** What the commands need of a ZooKeeper session (ZkClient, or a fake in unit tests). */
export type ZkShellClient = Pick<ZkClient, 'create' | 'get' | 'exists' | 'set' | 'delete' | 'deleteRecursive' | 'getChildren'>;

/** Thrown for a command the user typed wrong or that ZooKeeper refused; its message is ZooKeeperMain's line. */
export class ZkShellError extends Error {}

export const COMMAND_USAGE: Readonly<Record<string, string>> = {
  ls: 'ls [-s] path',
  get: 'get [-s] path',
  stat: 'stat path',
  create: 'create [-s] [-e] path [data]',
  set: 'set [-s] [-v version] path data',
  delete: 'delete [-v version] path',
  deleteall: 'deleteall path',
  quit: 'quit',
};

/** ZooKeeperMain's usage text, shown for an unknown command. */
export function usageText(): string {
  return ['ZooKeeper -server host:port cmd args', ...Object.values(COMMAND_USAGE).map((u) => `\t${u}`)].join('\n');
}

/** Splits a command line into words; single or double quotes keep spaces inside a word. */
export function tokenize(line: string): string[] {
  const words: string[] = [];
  for (const m of line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) words.push(m[1] ?? m[2] ?? m[3] ?? '');
  return words;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number): string => String(n).padStart(2, '0');

/** java.util.Date.toString ("Sun Nov 22 21:17:15 UTC 2026"), in UTC as the JVM prints it with TZ unset. */
export function javaDateString(epochMs: number): string {
  const d = new Date(epochMs);
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

/** ZooKeeper's StatPrinter lines. */
export function formatStat(s: ZkStat): string[] {
  return [
    `cZxid = 0x${s.czxid.toString(16)}`,
    `ctime = ${javaDateString(s.ctime)}`,
    `mZxid = 0x${s.mzxid.toString(16)}`,
    `mtime = ${javaDateString(s.mtime)}`,
    `pZxid = 0x${s.pzxid.toString(16)}`,
    `cversion = ${s.cversion}`,
    `dataVersion = ${s.version}`,
    `aclVersion = ${s.aversion}`,
    `ephemeralOwner = 0x${s.ephemeralOwner}`,
    `dataLength = ${s.dataLength}`,
    `numChildren = ${s.numChildren}`,
  ];
}

interface Parsed {
  flags: Set<string>;
  version: number;
  args: string[];
}

/** Splits a command's words into its flags (from `allowed`), -v's version and the positional args. */
function parseWords(cmd: string, words: readonly string[], allowed: string, minArgs: number): Parsed {
  const flags = new Set<string>();
  const args: string[] = [];
  let version = -1;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (args.length === 0 && /^-[a-z]$/.test(w)) {
      if (!allowed.includes(w[1]!)) throw new ZkShellError(`Unrecognized option: ${w}`);
      if (w === '-v') {
        version = Number(words[++i]);
        if (!Number.isInteger(version)) throw new ZkShellError(`version No is not valid : ${words[i] ?? ''}`);
      } else flags.add(w[1]!);
    } else args.push(w);
  }
  if (args.length < minArgs) throw new ZkShellError(COMMAND_USAGE[cmd] ?? usageText());
  const p = args[0];
  if (p !== undefined && !p.startsWith('/')) throw new ZkShellError(`Path must start with / character`);
  return { flags, version, args };
}

/** ZooKeeperMain's line for a failed ZooKeeper operation on `path`. */
function zkErrorLine(err: unknown, path: string): string {
  if (isZkError(err, 'NONODE')) return `Node does not exist: ${path}`;
  if (isZkError(err, 'NODEEXISTS')) return `Node already exists: ${path}`;
  if (isZkError(err, 'NOTEMPTY')) return `Node not empty: ${path}`;
  if (isZkError(err, 'BADVERSION')) return `version No is not valid : ${path}`;
  if (isZkError(err, 'NOCHILDRENFOREPHEMERALS')) return `Ephemerals cannot have children: ${path}`;
  if (isZkError(err, 'NOAUTH')) return `Insufficient permission : ${path}`;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs one command line's words against ZooKeeper, printing what ZooKeeperMain prints; a refused or
 * mistyped command throws ZkShellError with ZooKeeperMain's error line.
 */
export async function runZkCommand(zk: ZkShellClient, words: readonly string[], out: (line: string) => void): Promise<void> {
  const [cmd, ...rest] = words;
  if (cmd === undefined) return;
  let path = '';
  try {
    switch (cmd) {
      case 'ls': {
        const p = parseWords(cmd, rest, 's', 1);
        path = p.args[0]!;
        const children = [...(await zk.getChildren(path))].sort();
        out(`[${children.join(', ')}]`);
        if (p.flags.has('s')) {
          const stat = await zk.exists(path);
          if (stat !== null) formatStat(stat).forEach((l) => out(l));
        }
        return;
      }
      case 'get': {
        const p = parseWords(cmd, rest, 's', 1);
        path = p.args[0]!;
        const node = await zk.get(path);
        out(node.data === null ? 'null' : node.data.toString('utf8'));
        if (p.flags.has('s')) formatStat(node.stat).forEach((l) => out(l));
        return;
      }
      case 'stat': {
        path = parseWords(cmd, rest, '', 1).args[0]!;
        const stat = await zk.exists(path);
        if (stat === null) throw new ZkShellError(`Node does not exist: ${path}`);
        formatStat(stat).forEach((l) => out(l));
        return;
      }
      case 'create': {
        const p = parseWords(cmd, rest, 'se', 1);
        path = p.args[0]!;
        const seq = p.flags.has('s');
        const mode = p.flags.has('e') ? (seq ? 'ephemeral_sequential' : 'ephemeral') : seq ? 'persistent_sequential' : 'persistent';
        const created = await zk.create(path, p.args[1] === undefined ? null : Buffer.from(p.args[1], 'utf8'), { mode });
        out(`Created ${created}`);
        return;
      }
      case 'set': {
        const p = parseWords(cmd, rest, 'sv', 2);
        path = p.args[0]!;
        const stat = await zk.set(path, Buffer.from(p.args[1]!, 'utf8'), p.version);
        if (p.flags.has('s')) formatStat(stat).forEach((l) => out(l));
        return;
      }
      case 'delete': {
        const p = parseWords(cmd, rest, 'v', 1);
        path = p.args[0]!;
        await zk.delete(path, p.version);
        return;
      }
      case 'deleteall': {
        path = parseWords(cmd, rest, '', 1).args[0]!;
        if ((await zk.exists(path)) === null) throw new ZkShellError(`Node does not exist: ${path}`);
        await zk.deleteRecursive(path);
        return;
      }
      default:
        throw new ZkShellError(usageText());
    }
  } catch (err) {
    if (err instanceof ZkShellError) throw err;
    throw new ZkShellError(zkErrorLine(err, path));
  }
}
