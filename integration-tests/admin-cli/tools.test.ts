/**
 * The Kafka-style admin tools (bin/kafka-topics, kafka-consumer-groups, kafka-leader-election,
 * kafka-reassign-partitions) run as a user runs them, as child processes against a real cluster (3
 * ZooKeeper servers, 3 brokers), with their output compared to Kafka 2.8's formats and their errors to
 * one line on stderr with exit code 1.
 */
import fs from 'node:fs';
import path from 'node:path';
import { useKafkaCluster } from '../broker/support/fixture';
import { waitFor } from '../helpers/wait';
import { runTool, type ToolResult } from './support/run-tool';

const fx = useKafkaCluster({ zookeepers: 3, brokers: 3, overrides: { 'auto.leader.rebalance.enable': 'false' } });

const tool = (name: string, ...args: string[]): Promise<ToolResult> => runTool(name, ['--bootstrap-server', fx.cluster.bootstrapServers, ...args]);

test('kafka-topics: create (with the 2.8 messages), list sorted, describe in the tab-separated 2.8 layout, alter partitions, delete', async () => {
  expect(await tool('kafka-topics', '--create', '--topic', 'orders', '--partitions', '3', '--replication-factor', '2', '--config', 'retention.ms=86400000')).toEqual({ code: 0, stdout: 'Created topic orders.\n', stderr: '' });
  const dotted = await tool('kafka-topics', '--create', '--topic', 'my.events', '--replica-assignment', '1:2,2:3,3:1');
  expect(dotted.stdout).toBe(
    "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.\nCreated topic my.events.\n",
  );
  const exists = await tool('kafka-topics', '--create', '--topic', 'orders', '--partitions', '1');
  expect(exists).toEqual({ code: 1, stdout: '', stderr: "Error while executing topic command : Topic 'orders' already exists.\n" });
  expect((await tool('kafka-topics', '--create', '--topic', 'orders', '--partitions', '1', '--if-not-exists')).code).toBe(0);
  expect((await tool('kafka-topics', '--list')).stdout).toBe('my.events\norders\n');

  await waitFor(async () => (await tool('kafka-topics', '--describe', '--topic', 'my\\.events')).stdout.includes('Isr: 3,1'), 'the tool output', 30_000, 250);
  const described = (await tool('kafka-topics', '--describe', '--topic', 'my\\.events')).stdout.split('\n');
  expect(described[0]).toMatch(/^Topic: my\.events\tTopicId: [A-Za-z0-9_-]{22}\tPartitionCount: 3\tReplicationFactor: 2\tConfigs: $/);
  expect(described.slice(1, 4)).toEqual([
    '\tTopic: my.events\tPartition: 0\tLeader: 1\tReplicas: 1,2\tIsr: 1,2',
    '\tTopic: my.events\tPartition: 1\tLeader: 2\tReplicas: 2,3\tIsr: 2,3',
    '\tTopic: my.events\tPartition: 2\tLeader: 3\tReplicas: 3,1\tIsr: 3,1',
  ]);
  expect((await tool('kafka-topics', '--describe', '--topics-with-overrides')).stdout).toMatch(/^Topic: orders\tTopicId: \S+\tPartitionCount: 3\tReplicationFactor: 2\tConfigs: retention\.ms=86400000\n$/);

  expect(await tool('kafka-topics', '--alter', '--topic', 'orders', '--partitions', '5')).toEqual({ code: 0, stdout: '', stderr: '' });
  await waitFor(async () => (await tool('kafka-topics', '--describe', '--topic', 'orders')).stdout.includes('PartitionCount: 5'), 'the tool output', 30_000, 250);
  expect(await tool('kafka-topics', '--delete', '--topic', 'my\\.events')).toEqual({ code: 0, stdout: '', stderr: '' });
  await waitFor(async () => (await tool('kafka-topics', '--list')).stdout === 'orders\n', 'the tool output', 30_000, 250);
}, 180_000);

test('kafka-topics --zookeeper lists and describes from the znodes, as the deprecated 2.8 path did', async () => {
  expect((await tool('kafka-topics', '--create', '--topic', 'zk-listed', '--replica-assignment', '2:3,3:1', '--config', 'cleanup.policy=compact')).code).toBe(0);
  const zkTool = (...args: string[]): Promise<ToolResult> => runTool('kafka-topics', ['--zookeeper', fx.cluster.zkConnect, ...args]);
  expect((await zkTool('--list')).stdout.split('\n')).toContain('zk-listed');
  await waitFor(async () => (await zkTool('--describe', '--topic', 'zk-listed')).stdout.includes('Isr: 3,1'), 'both partitions online', 30_000, 250);
  const described = (await zkTool('--describe', '--topic', 'zk-listed')).stdout.split('\n');
  expect(described[0]).toMatch(/^Topic: zk-listed\tTopicId: [A-Za-z0-9_-]{22}\tPartitionCount: 2\tReplicationFactor: 2\tConfigs: cleanup\.policy=compact$/);
  expect(described.slice(1, 3)).toEqual(['\tTopic: zk-listed\tPartition: 0\tLeader: 2\tReplicas: 2,3\tIsr: 2,3', '\tTopic: zk-listed\tPartition: 1\tLeader: 3\tReplicas: 3,1\tIsr: 3,1']);
  expect((await zkTool('--list', '--bootstrap-server', fx.cluster.bootstrapServers)).stderr).toBe('Error while executing topic command : Only one of --bootstrap-server or --zookeeper must be specified\n');
}, 120_000);

test('kafka-topics: user mistakes and an unreachable cluster are one line on stderr with exit code 1', async () => {
  expect(await tool('kafka-topics', '--describe', '--topic', 'nope')).toEqual({ code: 1, stdout: '', stderr: "Error while executing topic command : Topic 'nope' does not exist as expected\n" });
  expect((await tool('kafka-topics', '--list', '--describe')).stderr).toBe('Error while executing topic command : Command must include exactly one action: --list, --describe, --create, --alter or --delete\n');
  expect((await tool('kafka-topics', '--describe', '--partitions', '3')).stderr).toBe('Error while executing topic command : Option "[partitions]" can\'t be used with option "[describe]"\n');
  const started = Date.now();
  const { code, stderr } = await runTool('kafka-topics', ['--bootstrap-server', '127.0.0.1:1', '--list', '--timeout', '2000']);
  expect(code).toBe(1);
  expect(stderr).toBe('Error while executing topic command : Could not connect to the cluster at 127.0.0.1:1 within 2000 ms (is a broker running there?)\n');
  expect(Date.now() - started).toBeLessThan(15_000);
}, 60_000);

test('kafka-consumer-groups: describe shows 2.8 columns with LAG before and after consumption, reset-offsets moves it, delete removes the group', async () => {
  const admin = await fx.admin();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: 'lagged', numPartitions: 2, replicationFactor: 3 }] });
  const producer = await fx.producer();
  await producer.send({ topic: 'lagged', messages: Array.from({ length: 10 }, (_, i) => ({ partition: i % 2, value: `v${i}` })) });
  const consumer = fx.kafka().consumer({ groupId: 'cli-group', sessionTimeout: 10_000 });
  await consumer.connect();
  await consumer.subscribe({ topic: 'lagged', fromBeginning: true });
  let consumed = 0;
  await consumer.run({ autoCommitInterval: 100, eachMessage: async () => void consumed++ });
  await waitFor(() => consumed === 10, 'the tool output', 60_000, 250);
  await waitFor(async () => (await tool('kafka-consumer-groups', '--describe', '--group', 'cli-group')).stdout.split('\n').filter((l) => / 5 +5 +0 /.test(l)).length === 2, 'the tool output', 30_000, 250);
  const stable = (await tool('kafka-consumer-groups', '--describe', '--group', 'cli-group')).stdout.split('\n');
  expect(stable[0]).toBe('');
  const memberId = stable[2]?.split(/ +/)[6] ?? '';
  const header = ['GROUP'.padEnd(15), 'TOPIC'.padEnd(15), 'PARTITION'.padEnd(10), 'CURRENT-OFFSET'.padEnd(15), 'LOG-END-OFFSET'.padEnd(15), 'LAG'.padEnd(15), 'CONSUMER-ID'.padEnd(Math.max(15, memberId.length)), 'HOST'.padEnd(15), 'CLIENT-ID'];
  expect(stable[1]).toBe(header.join(' '));
  expect(stable[2]).toMatch(/^cli-group +lagged +0 +5 +5 +0 +samsa-integration-\S+ \/127\.0\.0\.1 +samsa-integration$/);
  expect((await tool('kafka-consumer-groups', '--list')).stdout).toBe('cli-group\n');
  expect((await tool('kafka-consumer-groups', '--describe', '--group', 'cli-group', '--state')).stdout).toMatch(/\nGROUP +COORDINATOR \(ID\) +ASSIGNMENT-STRATEGY +STATE +#MEMBERS\ncli-group +127\.0\.0\.1:\d+ {2}\(\d\) +RoundRobinAssigner +Stable +1\n/);
  expect((await tool('kafka-consumer-groups', '--reset-offsets', '--group', 'cli-group', '--topic', 'lagged', '--to-earliest', '--execute')).stderr).toBe(
    "Error: Assignments can only be reset if the group 'cli-group' is inactive, but the current state is Stable.\n",
  );

  await consumer.disconnect();
  await producer.send({ topic: 'lagged', messages: [{ partition: 0, value: 'late' }] });
  const idle = await tool('kafka-consumer-groups', '--describe', '--group', 'cli-group');
  expect(idle.stderr).toBe("\nConsumer group 'cli-group' has no active members.\n");
  expect(idle.stdout).toMatch(/\ncli-group +lagged +0 +5 +6 +1 +- +- +-\n/);
  const reset = await tool('kafka-consumer-groups', '--reset-offsets', '--group', 'cli-group', '--topic', 'lagged:0', '--to-offset', '2', '--execute');
  expect(reset.stdout).toBe(`\n${'GROUP'.padEnd(30)} ${'TOPIC'.padEnd(30)} ${'PARTITION'.padEnd(10)} ${'NEW-OFFSET'.padEnd(15)}\n${'cli-group'.padEnd(30)} ${'lagged'.padEnd(30)} ${'0'.padEnd(10)} ${'2'.padEnd(15)}\n`);
  expect((await tool('kafka-consumer-groups', '--describe', '--group', 'cli-group')).stdout).toMatch(/\ncli-group +lagged +0 +2 +6 +4 +- +- +-\n/);
  expect((await tool('kafka-consumer-groups', '--delete', '--group', 'cli-group')).stdout).toBe("Deletion of requested consumer groups ('cli-group') was successful.\n");
  expect((await tool('kafka-consumer-groups', '--describe', '--group', 'cli-group')).stdout).toBe("\nError: Consumer group 'cli-group' does not exist.\n");
}, 180_000);

test('kafka-reassign-partitions moves a partition and kafka-leader-election returns leadership to the preferred replica', async () => {
  expect((await tool('kafka-topics', '--create', '--topic', 'moving', '--replica-assignment', '1:2')).code).toBe(0);
  const plan = path.join(fx.cluster.baseDir, 'plan.json');
  fs.writeFileSync(plan, JSON.stringify({ version: 1, partitions: [{ topic: 'moving', partition: 0, replicas: [3, 2] }] }));
  const executed = await tool('kafka-reassign-partitions', '--execute', '--reassignment-json-file', plan);
  expect(executed.stdout).toBe(
    'Current partition replica assignment\n\n{"version":1,"partitions":[{"topic":"moving","partition":0,"replicas":[1,2],"log_dirs":["any","any"]}]}\n\nSave this to use as the --reassignment-json-file option during rollback\nSuccessfully started partition reassignment for moving-0\n',
  );
  await waitFor(async () => (await tool('kafka-reassign-partitions', '--verify', '--reassignment-json-file', plan)).stdout === 'Status of partition reassignment:\nReassignment of partition moving-0 is complete.\n', 'the tool output', 60_000, 250);
  // The controller elected 2 (first live ISR member of the target [3,2]); the preferred replica is 3.
  await waitFor(async () => (await tool('kafka-topics', '--describe', '--topic', 'moving')).stdout.includes('Replicas: 3,2\tIsr: 3,2') || (await tool('kafka-topics', '--describe', '--topic', 'moving')).stdout.includes('Replicas: 3,2\tIsr: 2,3'), 'the tool output', 60_000, 250);
  const elected = await tool('kafka-leader-election', '--election-type', 'preferred', '--topic', 'moving', '--partition', '0');
  expect(['Successfully completed leader election (PREFERRED) for partitions moving-0\n', 'Valid replica already elected for partitions moving-0\n']).toContain(elected.stdout);
  expect((await tool('kafka-topics', '--describe', '--topic', 'moving')).stdout).toContain('\tPartition: 0\tLeader: 3\tReplicas: 3,2');
  const unknown = await tool('kafka-leader-election', '--election-type', 'preferred', '--topic', 'nope', '--partition', '0');
  expect(unknown).toEqual({ code: 1, stdout: 'Error completing leader election (PREFERRED) for partition: nope-0: UNKNOWN_TOPIC_OR_PARTITION: The partition does not exist.\n', stderr: 'Error: 1 replica(s) could not be elected\n' });
}, 180_000);
