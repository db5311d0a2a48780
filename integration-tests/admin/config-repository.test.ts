/**
 * ConfigRepository against a real one-server ZooKeeper: what a starting broker loads from /config
 * and how it layers it (static props < dynamic default < this broker's dynamic config < topic overrides).
 */
import { ZooKeeperEnsemble } from '../../admin-cli/src/cluster/zookeeper-ensemble';
import { ConfigRepository } from '../../broker/src/admin';
import { AdminZkClient, ZkClient } from '../../broker/src/zk';
import { waitFor } from '../helpers/wait';

jest.setTimeout(60_000);

let ensemble: ZooKeeperEnsemble;
let zk: ZkClient;
let repo: ConfigRepository | undefined;

beforeAll(async () => {
  ensemble = await ZooKeeperEnsemble.start({ size: 1 });
  zk = await ZkClient.connect({ connectString: `${ensemble.connectString}/config-repo`, sessionTimeoutMs: 10_000, connectTimeoutMs: 10_000, createChroot: true });
});

afterAll(async () => {
  repo?.close();
  await zk?.close();
  await ensemble?.stop();
});

const write = (path: string, config: Record<string, string>): Promise<string> =>
  zk.createRecursive(path, Buffer.from(JSON.stringify({ version: 1, config })));

test('startup load layers static < dynamic default < per-broker < topic, drops invalid and static-only dynamic keys, follows new topics', async () => {
  await write('/config/brokers/<default>', { 'log.retention.ms': '1000', 'log.segment.bytes': '2000000', 'num.partitions': '7' });
  await write('/config/brokers/1', { 'log.segment.bytes': '3000000', 'min.insync.replicas': '0' });
  await write('/config/brokers/2', { 'log.segment.bytes': '4000000' });
  await write('/config/topics/t', { 'retention.ms': '5', 'not.a.topic.config': 'x' });
  repo = new ConfigRepository({
    zk: new AdminZkClient(zk),
    brokerId: 1,
    staticBrokerProps: new Map([['log.retention.hours', '1'], ['log.segment.bytes', '1000000'], ['compression.type', 'gzip']]),
  });
  await repo.load();
  const defaults = repo.defaultConfig();
  expect(defaults.retentionMs).toBe(1000); // dynamic default log.retention.ms over static log.retention.hours
  expect(defaults.segmentSize).toBe(3000000); // this broker's value over the default; broker 2's ignored
  expect(defaults.minInSyncReplicas).toBe(1); // invalid dynamic value dropped
  expect(defaults.compressionType).toBe('gzip'); // static
  expect(repo.dynamicDefaultBrokerConfigs().has('num.partitions')).toBe(false); // not dynamic: ignored
  const t = repo.logConfigFor('t');
  expect(t.retentionMs).toBe(5);
  expect([...t.overriddenConfigs]).toEqual(['retention.ms']);
  expect(repo.logConfigFor('unknown-topic').retentionMs).toBe(1000);

  await write('/config/topics/later', { 'cleanup.policy': 'compact' });
  await waitFor(() => repo!.logConfigFor('later').compact, 'new topic config picked up');
  await zk.delete('/config/topics/later');
  await waitFor(() => !repo!.topics().includes('later'), 'deleted topic config dropped');
  expect((await repo.fetchLogConfig('t')).retentionMs).toBe(5);
});
