/**
 * kafka-console-producer, kafka-console-consumer and kafka-configs run as a user runs them (child
 * processes, stdin piped in) against a real cluster (3 ZooKeeper servers, 3 brokers): keyed lines make a
 * round trip in Kafka 2.8's DefaultMessageFormatter layout, a named group's offsets show in
 * kafka-consumer-groups, and topic and broker configs are altered and described in ConfigCommand's words.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { useKafkaCluster } from '../broker/support/fixture';
import { waitFor } from '../helpers/wait';

const REPO = path.resolve(__dirname, '../..');
const fx = useKafkaCluster({ zookeepers: 3, brokers: 3, overrides: { 'group.initial.rebalance.delay.ms': '0' } });

interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs bin/<name> with --bootstrap-server, `input` on its stdin (then EOF). */
function tool(name: string, args: string[], input = ''): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(REPO, 'bin', name), ['--bootstrap-server', fx.cluster.bootstrapServers, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

const KEYED = ['alpha:1', 'beta:2', 'gamma:3', 'alpha:4', 'beta:5', 'gamma:6'];

test('console round trip: keyed lines in, the same keys and values out with partition and offset, a group whose offsets kafka-consumer-groups shows', async () => {
  const admin = await fx.admin();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: 'console', numPartitions: 3, replicationFactor: 3 }] });

  const produced = await tool('kafka-console-producer', ['--topic', 'console', '--property', 'parse.key=true', '--property', 'key.separator=:', '--request-required-acks', 'all'], `${KEYED.join('\n')}\n`);
  expect(produced).toEqual({ code: 0, stdout: '', stderr: '' });

  const consumed = await tool('kafka-console-consumer', ['--topic', 'console', '--from-beginning', '--group', 'console-group', '--max-messages', '6', '--property', 'print.key=true', '--property', 'print.partition=true', '--property', 'print.offset=true']);
  expect(consumed.code).toBe(0);
  expect(consumed.stderr).toBe('Processed a total of 6 messages\n');
  const lines = consumed.stdout.trimEnd().split('\n');
  expect(lines).toHaveLength(6);
  const parsed = lines.map((l) => {
    const m = /^Partition:(\d)\tOffset:(\d+)\t(\w+)\t(\d)$/.exec(l);
    expect(m).not.toBeNull();
    return { partition: Number(m?.[1]), offset: Number(m?.[2]), key: m?.[3] ?? '', value: m?.[4] ?? '' };
  });
  expect(parsed.map((p) => `${p.key}:${p.value}`).sort()).toEqual([...KEYED].sort());
  // One key, one partition (the default partitioner), in the order the lines were piped in.
  for (const key of ['alpha', 'beta', 'gamma']) {
    const mine = parsed.filter((p) => p.key === key);
    expect(new Set(mine.map((p) => p.partition)).size).toBe(1);
    expect(mine.map((p) => p.value)).toEqual(KEYED.filter((l) => l.startsWith(`${key}:`)).map((l) => l.split(':')[1]));
    expect(mine[1]?.offset).toBeGreaterThan(mine[0]?.offset ?? 0);
  }

  const described = await tool('kafka-consumer-groups', ['--describe', '--group', 'console-group']);
  const rows = described.stdout.split('\n').filter((l) => l.startsWith('console-group '));
  // kafkajs commits only partitions it consumed from (Kafka's consumer would also commit 0 for an empty one).
  expect(rows).toHaveLength(new Set(parsed.map((p) => p.partition)).size);
  const byPartition = new Map(rows.map((r) => r.split(/ +/)).map((c) => [Number(c[2]), { current: c[3], end: c[4], lag: c[5] }]));
  for (const [p, row] of byPartition) {
    const count = parsed.filter((x) => x.partition === p).length;
    expect(row).toEqual({ current: String(count), end: String(count), lag: '0' });
  }

  const one = await tool('kafka-console-consumer', ['--topic', 'console', '--partition', String(parsed[0]?.partition ?? 0), '--offset', 'earliest', '--max-messages', '1', '--property', 'print.offset=true', '--property', 'print.timestamp=true']);
  expect(one.stdout).toMatch(/^CreateTime:\d{13}\tOffset:0\t\d\n$/);
  expect(one.stderr).toBe('Processed a total of 1 messages\n');
  // --partition assigns (Kafka's ConsoleConsumer): a numeric offset reads from there, one past the end
  // resets to the end (auto.offset.reset=latest) and nothing arrives; no group is ever joined.
  const p0 = String(parsed[0]?.partition ?? 0);
  const count0 = parsed.filter((x) => x.partition === parsed[0]?.partition).length;
  const fromOne = await tool('kafka-console-consumer', ['--topic', 'console', '--partition', p0, '--offset', '1', '--timeout-ms', '1500', '--property', 'print.offset=true', '--property', 'print.value=false']);
  expect(fromOne.stdout).toBe(Array.from({ length: count0 - 1 }, (_, i) => `Offset:${i + 1}\n`).join(''));
  const beyond = await tool('kafka-console-consumer', ['--topic', 'console', '--partition', p0, '--offset', '999', '--timeout-ms', '1500']);
  expect({ code: beyond.code, stdout: beyond.stdout }).toEqual({ code: 0, stdout: '' });
  expect((await tool('kafka-consumer-groups', ['--list'])).stdout.split('\n').filter((g) => g.startsWith('console-consumer-'))).toEqual([]);

  const idle = await tool('kafka-console-consumer', ['--topic', 'console', '--timeout-ms', '1500']);
  expect(idle).toEqual({ code: 0, stdout: '', stderr: 'ERROR Error processing message, terminating consumer process: org.apache.kafka.common.errors.TimeoutException\nProcessed a total of 0 messages\n' });
}, 90_000);

test('console tools: a keyed line without the separator, an unknown topic and bad flags are one line with exit code 1', async () => {
  const bad = await tool('kafka-console-producer', ['--topic', 'console', '--property', 'parse.key=true', '--property', 'key.separator=:'], 'k:v\nnokey\n');
  expect(bad).toEqual({ code: 1, stdout: '', stderr: 'org.apache.kafka.common.KafkaException: No key found on line 2: nokey\n' });
  expect(await tool('kafka-console-consumer', ['--topic', 'nope', '--max-messages', '1'])).toEqual({ code: 1, stdout: '', stderr: "Topic 'nope' does not exist\n" });
  expect(await tool('kafka-console-consumer', ['--topic', 'console', '--offset', '3'])).toEqual({ code: 1, stdout: '', stderr: 'The partition is required when offset is specified.\n' });
}, 60_000);

test('kafka-configs: alter, describe and delete topic and broker configs with the 2.8 lines', async () => {
  const admin = await fx.admin();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: 'configured', numPartitions: 1, replicationFactor: 1 }] });
  const topic = ['--entity-type', 'topics', '--entity-name', 'configured'];
  expect(await tool('kafka-configs', [...topic, '--alter', '--add-config', 'retention.ms=1000,cleanup.policy=[compact,delete]'])).toEqual({ code: 0, stdout: 'Completed updating config for topic configured.\n', stderr: '' });
  const described = await waitFor(async () => {
    const r = await tool('kafka-configs', [...topic, '--describe']);
    return r.stdout.includes('retention.ms') ? r : false;
  }, 'the topic configs', 20_000, 250);
  const lines = described.stdout.trimEnd().split('\n');
  expect(lines[0]).toBe('Dynamic configs for topic configured are:');
  expect(lines.slice(1)).toEqual([
    expect.stringMatching(/^ {2}cleanup\.policy=compact,delete sensitive=false synonyms=\{DYNAMIC_TOPIC_CONFIG:cleanup\.policy=compact,delete, DEFAULT_CONFIG:log\.cleanup\.policy=delete\}$/),
    // Kafka 2.8 adds DEFAULT_CONFIG:log.retention.hours=168; Samsa's DescribeConfigs does not list it yet.
    expect.stringMatching(/^ {2}retention\.ms=1000 sensitive=false synonyms=\{DYNAMIC_TOPIC_CONFIG:retention\.ms=1000(, DEFAULT_CONFIG:log\.retention\.hours=168)?\}$/),
  ]);
  expect(await tool('kafka-configs', [...topic, '--alter', '--delete-config', 'retention.ms'])).toEqual({ code: 0, stdout: 'Completed updating config for topic configured.\n', stderr: '' });
  await waitFor(async () => !(await tool('kafka-configs', [...topic, '--describe'])).stdout.includes('retention.ms'), 'retention.ms to go', 20_000, 250);
  expect(await tool('kafka-configs', [...topic, '--alter', '--delete-config', 'nope'])).toEqual({ code: 1, stdout: '', stderr: 'Invalid config(s): nope\n' });
  const unknown = await tool('kafka-configs', ['--entity-type', 'topics', '--entity-name', 'missing', '--describe']);
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toMatch(/^Error while executing config command with args '.*--entity-name missing --describe': .+\n$/);

  const broker = ['--entity-type', 'brokers', '--entity-name', '1'];
  expect(await tool('kafka-configs', [...broker, '--alter', '--add-config', 'log.cleaner.threads=2'])).toEqual({ code: 0, stdout: 'Completed updating config for broker 1.\n', stderr: '' });
  const brokerDescribed = await tool('kafka-configs', [...broker, '--describe']);
  expect(brokerDescribed.stdout).toMatch(/^Dynamic configs for broker 1 are:\n {2}log\.cleaner\.threads=2 sensitive=false synonyms=\{DYNAMIC_BROKER_CONFIG:log\.cleaner\.threads=2, DEFAULT_CONFIG:log\.cleaner\.threads=1\}\n$/);
  expect(await tool('kafka-configs', ['--entity-type', 'brokers', '--entity-default', '--alter', '--add-config', 'log.cleaner.threads=3'])).toEqual({ code: 0, stdout: 'Completed updating default config for brokers in the cluster.\n', stderr: '' });
  // Kafka 2.8 also lists DEFAULT_CONFIG:log.cleaner.threads=1 here; Samsa's DescribeConfigs leaves it out for the default entity.
  expect((await tool('kafka-configs', ['--entity-type', 'brokers', '--entity-default', '--describe'])).stdout).toMatch(/^Default configs for brokers in the cluster are:\n {2}log\.cleaner\.threads=3 sensitive=false synonyms=\{DYNAMIC_DEFAULT_BROKER_CONFIG:log\.cleaner\.threads=3(, DEFAULT_CONFIG:log\.cleaner\.threads=1)?\}\n$/);
  expect(await tool('kafka-configs', [...broker, '--alter', '--delete-config', 'log.cleaner.threads'])).toEqual({ code: 0, stdout: 'Completed updating config for broker 1.\n', stderr: '' });
  expect((await tool('kafka-configs', [...broker, '--describe'])).stdout).toBe('Dynamic configs for broker 1 are:\n');
}, 60_000);
