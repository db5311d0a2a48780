/**
 * ZkClient against a real one-server ZooKeeper: result codes, conditional writes, ephemerals,
 * re-arming watches, and session expiry with automatic re-establishment.
 */
import net from 'node:net';
import { ZooKeeperEnsemble } from '../../admin-cli/src/cluster/zookeeper-ensemble';
import { isZkError, ZkClient, ZkError, type ZkClientOptions, type ZkNode } from '../../broker/src/zk';
import { waitFor } from '../helpers/wait';

// Servers start and elect in seconds; jest's project-level testTimeout is not applied per project.
jest.setTimeout(60_000);

let ensemble: ZooKeeperEnsemble;
const clients: ZkClient[] = [];
let testRoot = '';
let counter = 0;

async function connect(options: Partial<ZkClientOptions> = {}): Promise<ZkClient> {
  const client = await ZkClient.connect({
    connectString: ensemble.connectString,
    sessionTimeoutMs: 10_000,
    connectTimeoutMs: 10_000,
    ...options,
  });
  clients.push(client);
  return client;
}

/** Resolves with the error a promise rejects with (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<ZkError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ZkError) return err;
    throw err;
  }
  throw new Error('expected a ZkError');
}

beforeAll(async () => {
  ensemble = await ZooKeeperEnsemble.start({ size: 1 });
});

afterAll(async () => {
  await ensemble?.stop();
});

beforeEach(() => {
  testRoot = `/zk-client-test-${++counter}`;
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

describe('ZkClient', () => {
  test('create, get, set and delete round-trip data and stats', async () => {
    const zk = await connect();
    const path = await zk.createRecursive(`${testRoot}/a`, Buffer.from('one'));
    expect(path).toBe(`${testRoot}/a`);

    const created = await zk.get(path);
    expect(created.data?.toString()).toBe('one');
    expect(created.stat.version).toBe(0);
    expect(typeof created.stat.czxid).toBe('bigint');
    expect(created.stat.czxid).toBeGreaterThan(0n);
    expect(created.stat.ephemeralOwner).toBe('0');

    const updated = await zk.set(path, Buffer.from('two'));
    expect(updated.version).toBe(1);
    expect(updated.czxid).toBe(created.stat.czxid);
    expect(updated.mzxid).toBeGreaterThan(created.stat.mzxid);
    expect((await zk.get(path)).data?.toString()).toBe('two');

    await zk.delete(path);
    expect(await zk.exists(path)).toBeNull();
    expect(await zk.getOrNull(path)).toBeNull();
  });

  test('result codes become ZkErrors with the ZooKeeper code name', async () => {
    const zk = await connect();
    await zk.ensurePath(`${testRoot}/parent/child`);

    expect((await rejection(zk.get(`${testRoot}/missing`))).code).toBe('NONODE');
    expect((await rejection(zk.create(`${testRoot}/parent`, null))).code).toBe('NODEEXISTS');
    expect((await rejection(zk.delete(`${testRoot}/parent`))).code).toBe('NOTEMPTY');
    expect((await rejection(zk.create(`${testRoot}/no/such/parent`, null))).code).toBe('NONODE');
    const err = await rejection(zk.getChildren(`${testRoot}/missing`));
    expect(isZkError(err, 'NONODE')).toBe(true);
    expect(err.path).toBe(`${testRoot}/missing`);
  });

  test('a conditional set with a stale zkVersion fails with BADVERSION and changes nothing', async () => {
    const zk = await connect();
    const path = await zk.createRecursive(`${testRoot}/state`, Buffer.from('v0'));
    const first = await zk.set(path, Buffer.from('v1'), 0);
    expect(first.version).toBe(1);

    const stale = await rejection(zk.set(path, Buffer.from('stale'), 0));
    expect(stale.code).toBe('BADVERSION');
    expect((await zk.get(path)).data?.toString()).toBe('v1');
    expect((await rejection(zk.delete(path, 0))).code).toBe('BADVERSION');
    await zk.delete(path, 1);
  });

  test('sequential creates get ten-digit increasing suffixes', async () => {
    const zk = await connect();
    await zk.ensurePath(`${testRoot}/changes`);
    const a = await zk.create(`${testRoot}/changes/config_change_`, Buffer.from('{}'), { mode: 'persistent_sequential' });
    const b = await zk.create(`${testRoot}/changes/config_change_`, Buffer.from('{}'), { mode: 'persistent_sequential' });
    expect(a).toMatch(/\/config_change_\d{10}$/);
    expect(b > a).toBe(true);
    expect((await zk.getChildren(`${testRoot}/changes`)).sort()).toEqual([a, b].map((p) => p.split('/').pop()));
  });

  test('deleteRecursive removes a subtree and ignores a missing path', async () => {
    const zk = await connect();
    await zk.createRecursive(`${testRoot}/t/p/0/state`, Buffer.from('{}'));
    await zk.createRecursive(`${testRoot}/t/p/1/state`, Buffer.from('{}'));
    await zk.deleteRecursive(`${testRoot}/t`);
    expect(await zk.exists(`${testRoot}/t`)).toBeNull();
    await zk.deleteRecursive(`${testRoot}/t`);
  });

  test('an ephemeral znode belongs to the session and vanishes when the session closes', async () => {
    const owner = await connect();
    const observer = await connect();
    await owner.ensurePath(`${testRoot}/brokers/ids`);
    const path = await owner.create(`${testRoot}/brokers/ids/1`, Buffer.from('{}'), { mode: 'ephemeral' });
    const stat = await observer.exists(path);
    expect(stat?.ephemeralOwner).toBe(owner.sessionId);

    const seen: Array<unknown> = [];
    const watch = await observer.watchExists(path, (s) => {
      seen.push(s);
    });
    expect(watch.value?.czxid).toBe(stat?.czxid);
    await owner.close();
    await waitFor(() => seen.includes(null), 'the ephemeral znode to disappear');
    expect(await observer.exists(path)).toBeNull();
  });

  test('a data watch fires and re-arms: successive changes, deletion and re-creation are all observed', async () => {
    const zk = await connect();
    const writer = await connect();
    const path = await zk.createRecursive(`${testRoot}/controller`, Buffer.from('1'));
    const seen: Array<string | null> = [];
    const watch = await zk.watchData(path, (node: ZkNode | null) => {
      seen.push(node === null ? null : (node.data?.toString() ?? ''));
    });
    expect(watch.value?.data?.toString()).toBe('1');

    await writer.set(path, Buffer.from('2'));
    await waitFor(() => seen.length === 1, 'the first change');
    await writer.set(path, Buffer.from('3'));
    await waitFor(() => seen.length === 2, 'the second change');
    await writer.delete(path);
    await waitFor(() => seen.length === 3, 'the deletion');
    await writer.create(path, Buffer.from('4'));
    await waitFor(() => seen.length === 4, 'the re-creation');
    expect(seen).toEqual(['2', '3', null, '4']);
    expect(watch.value?.data?.toString()).toBe('4');

    watch.close();
    await writer.set(path, Buffer.from('5'));
    await writer.sync(path);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen).toHaveLength(4);
  });

  test('a data watch on a missing znode reports its creation', async () => {
    const zk = await connect();
    const seen: Array<string | null> = [];
    const watch = await zk.watchData(`${testRoot}/later`, (node) => {
      seen.push(node?.data?.toString() ?? null);
    });
    expect(watch.value).toBeNull();
    await zk.createRecursive(`${testRoot}/later`, Buffer.from('here'));
    await waitFor(() => seen.length === 1, 'the creation');
    expect(seen).toEqual(['here']);
  });

  test('a children watch fires on each added and removed child', async () => {
    const zk = await connect();
    const writer = await connect();
    await zk.ensurePath(`${testRoot}/ids`);
    const seen: string[][] = [];
    const watch = await zk.watchChildren(`${testRoot}/ids`, (children) => {
      seen.push([...(children ?? [])].sort());
    });
    expect(watch.value).toEqual([]);

    await writer.create(`${testRoot}/ids/1`, null, { mode: 'ephemeral' });
    await waitFor(() => seen.length === 1, 'the first child');
    await writer.create(`${testRoot}/ids/2`, null, { mode: 'ephemeral' });
    await waitFor(() => seen.length === 2, 'the second child');
    await writer.delete(`${testRoot}/ids/1`);
    await waitFor(() => seen.length === 3, 'the removal');
    expect(seen).toEqual([['1'], ['1', '2'], ['2']]);
  });

  test('after session expiry the client opens a new session, emits events and re-arms its watches', async () => {
    const zk = await connect({ sessionTimeoutMs: 4_000 });
    const other = await connect();
    await zk.ensurePath(`${testRoot}/ids`);
    await zk.create(`${testRoot}/ids/1`, null, { mode: 'ephemeral' });
    const oldSession = zk.sessionId;

    const events: string[] = [];
    zk.on('expired', (id) => events.push(`expired ${id}`));
    zk.on('new-session', (id) => events.push(`new-session ${id}`));
    const seenChildren: string[][] = [];
    await zk.watchChildren(`${testRoot}/ids`, (children) => {
      seenChildren.push([...(children ?? [])].sort());
    });
    const seenData: Array<string | null> = [];
    await zk.watchData(`${testRoot}/ids`, (node) => {
      seenData.push(node?.data?.toString() ?? null);
    });

    zk.expireSessionForTesting();
    await waitFor(() => events.length === 2, 'expiry and a new session');
    expect(events[0]).toBe(`expired ${oldSession}`);
    expect(events[1]).toMatch(/^new-session [0-9a-f]+$/);
    expect(zk.sessionId).not.toBe(oldSession);
    expect(zk.connected).toBe(true);

    // The expired session's ephemeral is gone, and the re-armed children watch reported it.
    expect(await other.exists(`${testRoot}/ids/1`)).toBeNull();
    await waitFor(() => seenChildren.some((c) => c.length === 0), 'the re-armed children watch to see no children');

    // Watches work on the new session: another client's changes reach them.
    await other.create(`${testRoot}/ids/2`, null, { mode: 'ephemeral' });
    await waitFor(() => seenChildren.some((c) => c.join() === '2'), 'the new child');
    await other.set(`${testRoot}/ids`, Buffer.from('changed'));
    await waitFor(() => seenData.includes('changed'), 'the data change');

    // And the new session can own ephemerals again.
    await zk.create(`${testRoot}/ids/1`, null, { mode: 'ephemeral' });
    expect((await other.exists(`${testRoot}/ids/1`))?.ephemeralOwner).toBe(zk.sessionId);
  });

  test('a chroot in the connect string is created when asked and scopes every path', async () => {
    const chrooted = await connect({ connectString: `${ensemble.connectString}${testRoot}/kafka`, createChroot: true });
    const plain = await connect();
    await chrooted.createRecursive('/brokers/topics/foo', Buffer.from('{}'));
    expect((await plain.get(`${testRoot}/kafka/brokers/topics/foo`)).data?.toString()).toBe('{}');
    expect(await chrooted.getChildren('/brokers/topics')).toEqual(['foo']);
  });

  test('connect fails with TIMEOUT when no server answers', async () => {
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const started = Date.now();
      const err = await rejection(ZkClient.connect({ connectString: `127.0.0.1:${port}`, sessionTimeoutMs: 4_000, connectTimeoutMs: 1_000 }));
      expect(err.code).toBe('TIMEOUT');
      expect(err.message).toContain(`127.0.0.1:${port}`);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test('requests after close() fail with CLOSED', async () => {
    const zk = await connect();
    await zk.close();
    expect((await rejection(zk.exists('/'))).code).toBe('CLOSED');
  });
});
