import { ZkError } from '../../../broker/src/zk';
import type { ZkStat } from '../../../broker/src/zk';
import { formatStat, javaDateString, runZkCommand, tokenize, type ZkShellClient } from './zookeeper-shell-commands';

const stat: ZkStat = { czxid: 0x1an, mzxid: 0x1bn, pzxid: 0x1cn, ctime: 0, mtime: 1600000000000, version: 2, cversion: 3, aversion: 0, ephemeralOwner: '100abc', dataLength: 5, numChildren: 0 };

function fakeZk(): ZkShellClient & { created: string[] } {
  const nodes = new Map<string, Buffer | null>([['/brokers/ids', null], ['/brokers/ids/2', null], ['/brokers/ids/1', null], ['/controller', Buffer.from('{"brokerid":1}')]]);
  const noNode = (op: string, p: string): ZkError => new ZkError('NONODE', -101, op, p);
  const created: string[] = [];
  return {
    created,
    getChildren: async (p) => [...nodes.keys()].filter((k) => k.startsWith(`${p}/`) && !k.slice(p.length + 1).includes('/')).map((k) => k.slice(p.length + 1)),
    get: async (p) => {
      if (!nodes.has(p)) throw noNode('get', p);
      return { data: nodes.get(p) ?? null, stat };
    },
    exists: async (p) => (nodes.has(p) ? stat : null),
    create: async (p, data) => {
      if (nodes.has(p)) throw new ZkError('NODEEXISTS', -110, 'create', p);
      nodes.set(p, data);
      created.push(p);
      return p;
    },
    set: async () => stat,
    delete: async (p) => {
      if (!nodes.has(p)) throw noNode('delete', p);
      nodes.delete(p);
    },
    deleteRecursive: async () => undefined,
  };
}

async function run(zk: ZkShellClient, line: string): Promise<string[]> {
  const lines: string[] = [];
  await runZkCommand(zk, tokenize(line), (l) => lines.push(l));
  return lines;
}

test('ZooKeeperMain ls prints the sorted children as a Java list', async () => {
  expect(await run(fakeZk(), 'ls /brokers/ids')).toEqual(['[1, 2]']);
});

test('get prints the data, and the stat lines with -s', async () => {
  expect(await run(fakeZk(), 'get /controller')).toEqual(['{"brokerid":1}']);
  expect((await run(fakeZk(), 'get -s /controller')).slice(1, 3)).toEqual(['cZxid = 0x1a', 'ctime = Thu Jan 01 00:00:00 UTC 1970']);
});

test('missing nodes and existing nodes are reported in ZooKeeperMain words', async () => {
  await expect(run(fakeZk(), 'get /nope')).rejects.toThrow('Node does not exist: /nope');
  await expect(run(fakeZk(), 'stat /nope')).rejects.toThrow('Node does not exist: /nope');
  await expect(run(fakeZk(), 'create /controller x')).rejects.toThrow('Node already exists: /controller');
  await expect(run(fakeZk(), 'ls brokers')).rejects.toThrow('Path must start with / character');
  await expect(run(fakeZk(), 'frobnicate /')).rejects.toThrow('ZooKeeper -server host:port cmd args');
});

test('create prints "Created <path>", quoted data keeps its spaces', async () => {
  const zk = fakeZk();
  expect(await run(zk, 'create -e /x "a b"')).toEqual(['Created /x']);
  expect(await run(zk, 'get /x')).toEqual(['a b']);
});

test('stat prints the StatPrinter field lines', () => {
  expect(formatStat(stat)).toEqual([
    'cZxid = 0x1a',
    'ctime = Thu Jan 01 00:00:00 UTC 1970',
    'mZxid = 0x1b',
    `mtime = ${javaDateString(1600000000000)}`,
    'pZxid = 0x1c',
    'cversion = 3',
    'dataVersion = 2',
    'aclVersion = 0',
    'ephemeralOwner = 0x100abc',
    'dataLength = 5',
    'numChildren = 0',
  ]);
  expect(javaDateString(1600000000000)).toBe('Sun Sep 13 12:26:40 UTC 2020');
});
