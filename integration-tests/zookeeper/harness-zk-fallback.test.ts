/**
 * The harness's fallback ZooKeeper read (a child process with its own session, used when the test
 * process's session cannot reach the ensemble) returns what the in-process client returns.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ZooKeeperEnsemble } from '../../admin-cli/src/cluster/zookeeper-ensemble';
import { ZkClient } from '../../broker/src/zk';
import { readZkInChild } from '../helpers/kafka-cluster';

test('readZkInChild reads data and stat of a znode (null when absent) like the in-process client', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'samsa-zk-fallback-'));
  const ensemble = await ZooKeeperEnsemble.start({ size: 1, baseDir: dir });
  const zk = await ZkClient.connect({ connectString: ensemble.connectString, sessionTimeoutMs: 10_000, connectTimeoutMs: 10_000 });
  try {
    await zk.createRecursive('/a/b', Buffer.from('{"v":1}'));
    await zk.set('/a/b', Buffer.from('{"v":2}'), 0);
    const here = await zk.getOrNull('/a/b');
    const there = await readZkInChild(`${ensemble.connectString}/a`, '/b');
    expect(there).toEqual(here);
    expect(there?.data?.toString()).toBe('{"v":2}');
    expect(there?.stat.version).toBe(1);
    expect(await readZkInChild(ensemble.connectString, '/nope')).toBeNull();
  } finally {
    await zk.close();
    await ensemble.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
