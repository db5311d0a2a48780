/**
 * The inspection tools (kafka-log-dirs, kafka-dump-log, kafka-broker-api-versions, zookeeper-shell) run
 * as a user runs them, as child processes against a real cluster (3 ZooKeeper servers, 3 brokers),
 * their output compared with Kafka 2.8's formats.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { AdminConnection } from '../../admin-cli/src/tools/common/admin-connection';
import { ApiKey } from '../../broker/src/protocol';
import { useKafkaCluster } from '../broker/support/fixture';
import { REPO, runTool, type ToolResult } from './support/run-tool';
import { waitFor } from '../helpers/wait';

const fx = useKafkaCluster({ zookeepers: 3, brokers: 3, overrides: { 'auto.leader.rebalance.enable': 'false' } });

const tool = (name: string, ...args: string[]): Promise<ToolResult> => runTool(name, args);

interface LogDirsJson {
  version: number;
  brokers: Array<{ broker: number; logDirs: Array<{ logDir: string; error: string | null; partitions: Array<{ partition: string; size: number; offsetLag: number; isFuture: boolean }> }> }>;
}

const T0 = 1_600_000_000_000;

beforeAll(async () => {
  const admin = await fx.admin();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: 'inspected', numPartitions: 2, replicationFactor: 3 }] });
  const producer = await fx.producer();
  await producer.send({ topic: 'inspected', acks: -1, messages: [0, 1, 2].map((i) => ({ partition: 0, key: `k${i}`, value: `v${i}`, timestamp: String(T0 + i) })) });
}, 60_000);

test('kafka-log-dirs --describe: the 2.8 header lines, then JSON naming every replica of the topic with its size', async () => {
  let doc: LogDirsJson | null = null;
  await waitFor(
    async () => {
      const r = await tool('kafka-log-dirs', '--bootstrap-server', fx.cluster.bootstrapServers, '--describe', '--topic-list', 'inspected');
      const lines = r.stdout.split('\n');
      expect(lines.slice(0, 2)).toEqual(['Querying brokers for log directories information', 'Received log directory information from brokers 1,2,3']);
      doc = JSON.parse(lines[2] ?? '') as LogDirsJson;
      // followers report a size once they have fetched the batch
      return doc.brokers.every((b) => (b.logDirs[0]?.partitions.find((p) => p.partition === 'inspected-0')?.size ?? 0) > 0);
    },
    'every replica of inspected-0 to have a size',
    30_000,
    500,
  );
  const json = doc as unknown as LogDirsJson;
  expect(json.version).toBe(1);
  expect(json.brokers.map((b) => b.broker)).toEqual([1, 2, 3]);
  for (const b of json.brokers) {
    expect(b.logDirs).toEqual([{ logDir: fx.cluster.dataDir(b.broker), error: null, partitions: expect.any(Array) as unknown }]);
    const parts = b.logDirs[0]!.partitions.sort((x, y) => x.partition.localeCompare(y.partition));
    expect(parts.map((p) => [p.partition, p.offsetLag, p.isFuture])).toEqual([
      ['inspected-0', 0, false],
      ['inspected-1', 0, false],
    ]);
    expect(parts[1]!.size).toBe(0);
  }

  const one = await tool('kafka-log-dirs', '--bootstrap-server', fx.cluster.bootstrapServers, '--describe', '--broker-list', '2', '--topic-list', 'inspected');
  expect(JSON.parse(one.stdout.split('\n')[2] ?? '').brokers.map((b: { broker: number }) => b.broker)).toEqual([2]);
  const missing = await tool('kafka-log-dirs', '--bootstrap-server', fx.cluster.bootstrapServers, '--describe', '--broker-list', '1,9');
  expect(missing).toEqual({ code: 1, stdout: 'ERROR: The given brokers do not exist from --broker-list: 9. Current existent brokers: 1,2,3\n', stderr: '' });
  expect(await tool('kafka-log-dirs', '--bootstrap-server', fx.cluster.bootstrapServers)).toEqual({ code: 1, stdout: '', stderr: 'This tool only supports --describe\n' });
}, 60_000);

test('kafka-dump-log reads a broker segment from disk: the batch line, and with --print-data-log the records', async () => {
  const dir = path.join(fx.cluster.dataDir(1), 'inspected-0');
  const log = path.join(dir, '00000000000000000000.log');
  const r = await tool('kafka-dump-log', '--files', log, '--print-data-log');
  expect(r.code).toBe(0);
  const lines = r.stdout.trimEnd().split('\n');
  expect(lines[0]).toBe(`Dumping ${log}`);
  expect(lines[1]).toBe('Starting offset: 0');
  expect(lines[2]).toMatch(
    /^baseOffset: 0 lastOffset: 2 count: 3 baseSequence: -?\d+ lastSequence: -?\d+ producerId: -?\d+ producerEpoch: -?\d+ partitionLeaderEpoch: 0 isTransactional: false isControl: false position: 0 CreateTime: 1600000000002 size: \d+ magic: 2 compresscodec: NONE crc: \d+ isvalid: true$/,
  );
  expect(lines.slice(3).map((l) => l.replace(/ sequence: -?\d+/, ''))).toEqual([0, 1, 2].map((i) => `| offset: ${i} CreateTime: ${T0 + i} keySize: 2 valueSize: 2 headerKeys: [] key: k${i} payload: v${i}`));

  const shallow = await tool('kafka-dump-log', '--files', `${log},${path.join(dir, '00000000000000000000.timeindex')}`);
  expect(shallow.code).toBe(0);
  expect(shallow.stdout.split('\n').filter((l) => l.startsWith('|'))).toEqual([]);
  expect(shallow.stdout).toContain(`Dumping ${path.join(dir, '00000000000000000000.timeindex')}\n`);
  expect(await tool('kafka-dump-log', '--files', path.join(dir, '00000000000000000999.log'))).toEqual({
    code: 1,
    stdout: `Dumping ${path.join(dir, '00000000000000000999.log')}\n`,
    stderr: `${path.join(dir, '00000000000000000999.log')} (No such file or directory)\n`,
  });
}, 60_000);

test('kafka-broker-api-versions lists every broker with the version ranges its ApiVersions reports', async () => {
  const r = await tool('kafka-broker-api-versions', '--bootstrap-server', fx.cluster.bootstrapServers);
  expect(r.code).toBe(0);
  const conn = await AdminConnection.connect({ bootstrapServers: fx.cluster.brokerAddress(1), clientId: 'test', timeoutMs: 10_000 });
  const versions = await conn.send(ApiKey.ApiVersions, { clientSoftwareName: 'test', clientSoftwareVersion: '1' }, 0).finally(() => conn.close());
  const range = (k: number): string => {
    const v = versions.apiKeys.find((a) => a.apiKey === k)!;
    return v.minVersion === v.maxVersion ? `${v.minVersion}` : `${v.minVersion} to ${v.maxVersion}`;
  };
  for (const id of [1, 2, 3]) expect(r.stdout).toContain(`${fx.cluster.brokerAddress(id)} (id: ${id} rack: null) -> (\n\tProduce(0): ${range(0)} [usable: `);
  expect(r.stdout).toContain(`\tFetch(1): ${range(1)} [usable: `);
  expect(r.stdout.match(/\n\)\n/g)).toHaveLength(3);
}, 60_000);

test('zookeeper-shell one-shot: ls /brokers/ids and get /controller, a missing node is an error', async () => {
  const ls = await tool('zookeeper-shell', fx.cluster.zkConnect, 'ls', '/brokers/ids');
  expect(ls).toEqual({ code: 0, stdout: `Connecting to ${fx.cluster.zkConnect}\n\nWATCHER::\n\nWatchedEvent state:SyncConnected type:None path:null\n[1, 2, 3]\n`, stderr: '' });
  const controller = await fx.cluster.controllerId();
  const get = await tool('zookeeper-shell', fx.cluster.zkConnect, 'get', '/controller');
  expect(get.code).toBe(0);
  expect(JSON.parse(get.stdout.trimEnd().split('\n').at(-1) ?? '')).toMatchObject({ version: 1, brokerid: controller });
  expect(await tool('zookeeper-shell', fx.cluster.zkConnect, 'get', '/nope')).toMatchObject({ code: 1, stderr: 'Node does not exist: /nope\n' });
}, 60_000);

test('zookeeper-shell interactive: commands read at the ZooKeeperMain prompt until quit', async () => {
  const child = spawn(path.join(REPO, 'bin', 'zookeeper-shell'), [fx.cluster.zkConnect], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stdin.end('create /shell-test hello\nget /shell-test\nls /brokers/ids\nquit\n');
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(code).toBe(0);
  const prompt = `[zk: ${fx.cluster.zkConnect}(CONNECTED)`;
  expect(stdout).toContain(`Welcome to ZooKeeper!\n`);
  expect(stdout).toContain(`${prompt} 0] Created /shell-test\n${prompt} 1] hello\n${prompt} 2] [1, 2, 3]\n${prompt} 3] `);
}, 60_000);
