import { spawn } from 'child_process';
import { promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  checkAndWriteMetaProperties,
  consumeCleanShutdownMarker,
  formatProperties,
  InconsistentBrokerIdException,
  InconsistentBrokerMetadataException,
  InconsistentClusterIdException,
  javaDateString,
  LogDirLock,
  LogDirLockedException,
  parseProperties,
  readMetaProperties,
  writeCleanShutdownMarker,
  writeMetaProperties,
} from './log-dir';

let root: string;

beforeEach(async () => {
  root = await fsp.mkdtemp(path.join(os.tmpdir(), 'samsa-logdir-'));
});

afterEach(async () => {
  await fsp.rm(root, { recursive: true, force: true });
});

async function mkdir(name: string): Promise<string> {
  const dir = path.join(root, name);
  await fsp.mkdir(dir, { recursive: true });
  return dir;
}

const JUNE_1_2021 = new Date(Date.UTC(2021, 5, 1, 12, 0, 0));

describe('meta.properties', () => {
  it('is written in java.util.Properties form: comment, date, cluster.id, version, broker.id', async () => {
    const dir = await mkdir('d');
    await writeMetaProperties(dir, { brokerId: 1, clusterId: 'Qm3hvN1hTS6GnzDb1BaiXw' }, JUNE_1_2021);
    expect(await fsp.readFile(path.join(dir, 'meta.properties'), 'utf8')).toBe(
      '#\n#Tue Jun 01 12:00:00 UTC 2021\ncluster.id=Qm3hvN1hTS6GnzDb1BaiXw\nversion=0\nbroker.id=1\n',
    );
    expect(await fsp.readdir(dir)).toEqual(['meta.properties']);
  });

  it('round-trips broker id and cluster id', async () => {
    const dir = await mkdir('d');
    await writeMetaProperties(dir, { brokerId: 42, clusterId: 'abc-DEF_123' });
    const meta = await readMetaProperties(dir);
    expect(meta).toMatchObject({ version: 0, brokerId: 42, clusterId: 'abc-DEF_123' });
  });

  it('reads a missing file as undefined and removes a stale meta.properties.tmp', async () => {
    const dir = await mkdir('d');
    await fsp.writeFile(path.join(dir, 'meta.properties.tmp'), 'junk');
    expect(await readMetaProperties(dir)).toBeUndefined();
    expect(await fsp.readdir(dir)).toEqual([]);
  });

  it('reads any key order, comments, blank lines, separators, whitespace and escapes', async () => {
    const dir = await mkdir('d');
    await fsp.writeFile(
      path.join(dir, 'meta.properties'),
      '! a comment\n\n   # another\r\nbroker.id : 7\n  cluster.id=ab\\\n    cd\\u0041\nversion 0\n',
    );
    expect(await readMetaProperties(dir)).toMatchObject({ version: 0, brokerId: 7, clusterId: 'abcdA' });
  });

  it('treats a missing version as 0, as Kafka does', async () => {
    const dir = await mkdir('d');
    await fsp.writeFile(path.join(dir, 'meta.properties'), 'broker.id=3\n');
    expect(await readMetaProperties(dir)).toMatchObject({ version: 0, brokerId: 3, clusterId: undefined });
  });

  it('escapes like Properties.store so awkward values parse back unchanged', () => {
    const value = ' lead=odd:#!\\ tab\tnl\né';
    const text = formatProperties([['k ey', value]], JUNE_1_2021);
    expect(text).toContain('k\\ ey=\\ lead\\=odd\\:\\#\\!\\\\ tab\\tnl\\n\\u00E9');
    expect(parseProperties(text).get('k ey')).toBe(value);
  });

  it('formats dates like java.util.Date.toString in UTC', () => {
    expect(javaDateString(new Date(Date.UTC(2024, 0, 7, 3, 4, 5)))).toBe('Sun Jan 07 03:04:05 UTC 2024');
  });
});

describe('checkAndWriteMetaProperties', () => {
  it('writes meta.properties to every dir on first start and accepts the same ids on restart', async () => {
    const dirs = [await mkdir('a'), await mkdir('b')];
    await checkAndWriteMetaProperties(dirs, 1, 'cluster-A');
    await checkAndWriteMetaProperties(dirs, 1, 'cluster-A');
    for (const dir of dirs) expect(await readMetaProperties(dir)).toMatchObject({ brokerId: 1, clusterId: 'cluster-A' });
  });

  it('fills in a dir added to log.dirs later', async () => {
    const a = await mkdir('a');
    await checkAndWriteMetaProperties([a], 1, 'c');
    const b = await mkdir('b');
    await checkAndWriteMetaProperties([a, b], 1, 'c');
    expect(await readMetaProperties(b)).toMatchObject({ brokerId: 1, clusterId: 'c' });
  });

  it('refuses a dir that belongs to another cluster with Kafka\'s wording', async () => {
    const dir = await mkdir('a');
    await writeMetaProperties(dir, { brokerId: 1, clusterId: 'Y' });
    await expect(checkAndWriteMetaProperties([dir], 1, 'X')).rejects.toThrow(InconsistentClusterIdException);
    await expect(checkAndWriteMetaProperties([dir], 1, 'X')).rejects.toThrow(
      "The Cluster ID X doesn't match stored clusterId Some(Y) in meta.properties. " +
        'The broker is trying to join the wrong cluster. Configured zookeeper.connect may be wrong.',
    );
    expect(await readMetaProperties(dir)).toMatchObject({ clusterId: 'Y' });
  });

  it('refuses a dir that belongs to another broker id with Kafka\'s wording', async () => {
    const dir = await mkdir('a');
    await writeMetaProperties(dir, { brokerId: 2, clusterId: 'c' });
    const err = await checkAndWriteMetaProperties([dir], 1, 'c').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InconsistentBrokerIdException);
    expect((err as Error).message).toBe(
      "Configured broker.id 1 doesn't match stored broker.id Some(2) in meta.properties. " +
        'If you moved your data, make sure your configured broker.id matches. ' +
        'If you intend to create a new broker, you should remove all data in your data directories (log.dirs).',
    );
  });

  it('refuses log dirs whose stored ids disagree with each other', async () => {
    const a = await mkdir('a');
    const b = await mkdir('b');
    await writeMetaProperties(a, { brokerId: 1, clusterId: 'c' });
    await writeMetaProperties(b, { brokerId: 2, clusterId: 'c' });
    await expect(checkAndWriteMetaProperties([a, b], 1, 'c')).rejects.toThrow(InconsistentBrokerMetadataException);
    await expect(checkAndWriteMetaProperties([a, b], 1, 'c')).rejects.toThrow(
      /BrokerMetadata is not consistent across log\.dirs[\s\S]*broker\.id=2/,
    );
  });

  it('refuses a meta.properties version other than 0 (KRaft)', async () => {
    const dir = await mkdir('a');
    await fsp.writeFile(path.join(dir, 'meta.properties'), 'version=1\nnode.id=1\ncluster.id=c\n');
    await expect(checkAndWriteMetaProperties([dir], 1, 'c')).rejects.toThrow(/only support version 0/);
  });
});

describe('LogDirLock', () => {
  it('creates .lock holding this pid and removes it on release', async () => {
    const dir = await mkdir('d');
    const lock = await LogDirLock.acquire(dir);
    expect(await fsp.readFile(path.join(dir, '.lock'), 'utf8')).toBe(`${process.pid}\n`);
    expect((await fsp.readdir(dir)).sort()).toEqual(['.lock']);
    await lock.release();
    await lock.release();
    expect(await fsp.readdir(dir)).toEqual([]);
  });

  it('refuses a second lock on the same dir from this process until the first is released', async () => {
    const dir = await mkdir('d');
    const lock = await LogDirLock.acquire(dir);
    await expect(LogDirLock.acquire(dir)).rejects.toThrow(LogDirLockedException);
    await lock.release();
    await (await LogDirLock.acquire(dir)).release();
  });

  it('refuses a lock held by another live pid, and takes it over once that process is gone', async () => {
    const dir = await mkdir('d');
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    const childPid = child.pid as number;
    try {
      await fsp.writeFile(path.join(dir, '.lock'), `${childPid}\n`);
      await expect(LogDirLock.acquire(dir)).rejects.toThrow(
        `Failed to acquire lock on file .lock in ${dir}. A Kafka instance in another process or thread is using this directory.`,
      );
      expect(await fsp.readFile(path.join(dir, '.lock'), 'utf8')).toBe(`${childPid}\n`);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    const lock = await LogDirLock.acquire(dir);
    expect(await fsp.readFile(path.join(dir, '.lock'), 'utf8')).toBe(`${process.pid}\n`);
    await lock.release();
  });

  it('treats an empty .lock (as Kafka leaves behind) as stale', async () => {
    const dir = await mkdir('d');
    await fsp.writeFile(path.join(dir, '.lock'), '');
    const lock = await LogDirLock.acquire(dir);
    await lock.release();
    expect(await fsp.readdir(dir)).toEqual([]);
  });

  it('lets only one of two concurrent acquirers in this process win', async () => {
    const dir = await mkdir('d');
    const results = await Promise.allSettled([LogDirLock.acquire(dir), LogDirLock.acquire(dir)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'fulfilled') await r.value.release();
  });
});

describe('.kafka_cleanshutdown', () => {
  it('reports a clean shutdown only when the marker existed, and deletes it', async () => {
    const dir = await mkdir('d');
    expect(await consumeCleanShutdownMarker(dir)).toBe(false);
    await writeCleanShutdownMarker(dir);
    expect(await fsp.readdir(dir)).toEqual(['.kafka_cleanshutdown']);
    expect(await consumeCleanShutdownMarker(dir)).toBe(true);
    expect(await fsp.readdir(dir)).toEqual([]);
    expect(await consumeCleanShutdownMarker(dir)).toBe(false);
  });
});
