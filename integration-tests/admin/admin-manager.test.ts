/**
 * AdminManager, ConfigRepository and DynamicConfigManager against a real one-server ZooKeeper. A small
 * stand-in for the controller + UpdateMetadata path watches /brokers/topics and /admin/delete_topics and
 * feeds an in-memory metadata view, so the waits (DelayedCreatePartitions / DelayedDeleteTopics) run
 * against real znode changes.
 */
import { ZooKeeperEnsemble } from '../../admin-cli/src/cluster/zookeeper-ensemble';
import {
  AdminManager,
  ConfigRepository,
  ConfigSource,
  DynamicConfigManager,
  type AdminMetadataView,
  type StaticBrokerConfigEntry,
} from '../../broker/src/admin';
import type { LogConfig } from '../../broker/src/log';
import { ErrorCode } from '../../broker/src/protocol';
import { defaultCreatableTopic, type CreatableTopic } from '../../broker/src/protocol/generated/create-topics-request';
import { AdminZkClient, ZkClient, type ZkWatch } from '../../broker/src/zk';
import { TopicZNode } from '../../broker/src/zk/znodes';
import { waitFor } from '../helpers/wait';

jest.setTimeout(60_000);

const BROKER_ID = 1;

/** Metadata cache stand-in: live brokers 1..3, topics as a controller would publish them. */
class FakeMetadata implements AdminMetadataView {
  readonly topics = new Map<string, number[]>(); // partition -> leader
  private readonly listeners = new Set<() => void>();
  aliveBrokers() {
    return [3, 1, 2].map((id) => ({ id, rack: null }));
  }
  partitionCount(topic: string): number | undefined {
    return this.topics.get(topic)?.length;
  }
  partitionState(topic: string, partition: number): { leader: number } | undefined {
    const leader = this.topics.get(topic)?.[partition];
    return leader === undefined ? undefined : { leader };
  }
  onUpdate(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  publish(): void {
    for (const l of [...this.listeners]) l();
  }
}

/** What the controller + UpdateMetadata would do: leaders for new partitions, deletions completed. */
class FakeController {
  enabled = true;
  private watches: ZkWatch<string[] | null>[] = [];
  private readonly dataWatches: ZkWatch<unknown>[] = [];
  private readonly watched = new Set<string>();
  constructor(
    private readonly zk: ZkClient,
    private readonly metadata: FakeMetadata,
  ) {}
  async start(): Promise<void> {
    await this.zk.ensurePath('/brokers/topics');
    await this.zk.ensurePath('/admin/delete_topics');
    this.watches.push(await this.zk.watchChildren('/brokers/topics', () => this.sync()));
    this.watches.push(await this.zk.watchChildren('/admin/delete_topics', () => this.sync()));
  }
  stop(): void {
    for (const w of [...this.watches, ...this.dataWatches]) w.close();
  }
  /** Re-reads topics (new partitions included) and finishes pending deletions. */
  async sync(): Promise<void> {
    if (!this.enabled) return;
    for (const topic of await this.zk.getChildren('/admin/delete_topics')) {
      await this.zk.deleteRecursive(`/brokers/topics/${topic}`);
      await this.zk.deleteRecursive(`/config/topics/${topic}`);
      await this.zk.delete(`/admin/delete_topics/${topic}`);
      this.metadata.topics.delete(topic);
    }
    for (const topic of await this.zk.getChildren('/brokers/topics')) {
      if (!this.watched.has(topic)) {
        // the controller watches each topic's assignment (partition additions)
        this.watched.add(topic);
        this.dataWatches.push(await this.zk.watchData(TopicZNode.path(topic), () => this.sync()));
      }
      const node = await this.zk.getOrNull(TopicZNode.path(topic));
      if (node === null) continue;
      const assignment = TopicZNode.decode(node.data);
      const leaders = [...assignment.partitions.entries()].sort((a, b) => a[0] - b[0]).map(([, a]) => a.replicas[0] as number);
      this.metadata.topics.set(topic, leaders);
    }
    this.metadata.publish();
  }
}

const STATIC: StaticBrokerConfigEntry[] = [
  { name: 'log.segment.bytes', value: '536870912', isSensitive: false, isDefault: false, defaultValue: '1073741824', configType: 'int' },
  { name: 'log.retention.ms', value: null, isSensitive: false, isDefault: true, configType: 'long' },
  { name: 'log.retention.hours', value: '168', isSensitive: false, isDefault: true, configType: 'int' },
  { name: 'log.cleanup.policy', value: 'delete', isSensitive: false, isDefault: true, configType: 'list' },
  { name: 'num.partitions', value: '1', isSensitive: false, isDefault: true, configType: 'int' },
  { name: 'num.io.threads', value: '8', isSensitive: false, isDefault: true, configType: 'int' },
];

let ensemble: ZooKeeperEnsemble;
let counter = 0;
let zk: ZkClient;
let metadata: FakeMetadata;
let controller: FakeController;
let repo: ConfigRepository;
let admin: AdminManager;
let dynamic: DynamicConfigManager;
const topicChanges: [string, LogConfig][] = [];

beforeAll(async () => {
  ensemble = await ZooKeeperEnsemble.start({ size: 1 });
});

afterAll(async () => {
  await ensemble?.stop();
});

async function start(options: { deleteTopicEnable?: boolean } = {}): Promise<void> {
  zk = await ZkClient.connect({
    connectString: `${ensemble.connectString}/admin-manager-${++counter}`,
    sessionTimeoutMs: 10_000,
    connectTimeoutMs: 10_000,
    createChroot: true,
  });
  const adminZk = new AdminZkClient(zk);
  metadata = new FakeMetadata();
  controller = new FakeController(zk, metadata);
  await controller.start();
  repo = new ConfigRepository({ zk: adminZk, brokerId: BROKER_ID, staticBrokerProps: new Map([['log.segment.bytes', '536870912']]) });
  await repo.load();
  admin = new AdminManager({
    brokerId: BROKER_ID,
    zk: adminZk,
    metadata,
    configRepository: repo,
    numPartitions: 2,
    defaultReplicationFactor: 2,
    deleteTopicEnable: options.deleteTopicEnable ?? true,
    staticBrokerConfigs: STATIC,
  });
  topicChanges.length = 0;
  dynamic = new DynamicConfigManager({ zk, repository: repo, onTopicConfigChange: (t, c) => void topicChanges.push([t, c]) });
  await dynamic.startup();
}

afterEach(async () => {
  await dynamic?.shutdown();
  admin?.shutdown();
  repo?.close();
  controller?.stop();
  await zk?.close();
});

const topic = (name: string, extra: Partial<CreatableTopic> = {}): CreatableTopic => ({
  ...defaultCreatableTopic(),
  name,
  numPartitions: -1,
  replicationFactor: -1,
  ...extra,
});

describe('AdminManager.createTopics', () => {
  beforeEach(() => start());

  test('num.partitions / default.replication.factor for -1, waits for leaders, v5 metadata and configs', async () => {
    const result = await admin.createTopics([topic('orders', { configs: [{ name: 'retention.ms', value: '1000' }] })], 10_000, false);
    const r = result.get('orders')!;
    expect(r).toMatchObject({ errorCode: ErrorCode.NONE, errorMessage: null, numPartitions: 2, replicationFactor: 2 });
    expect(r.topicId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(metadata.partitionCount('orders')).toBe(2);
    const json = JSON.parse((await zk.get('/brokers/topics/orders')).data!.toString());
    expect(json.topic_id).toBe(r.topicId);
    expect(Object.values(json.partitions).every((replicas) => (replicas as number[]).length === 2)).toBe(true);
    const byName = new Map(r.configs.map((c) => [c.name, c]));
    expect(byName.get('retention.ms')).toEqual({ name: 'retention.ms', value: '1000', readOnly: false, configSource: ConfigSource.TOPIC_CONFIG, isSensitive: false });
    expect(byName.get('segment.bytes')).toMatchObject({ value: '536870912', configSource: ConfigSource.STATIC_BROKER_CONFIG });
    expect(byName.get('cleanup.policy')).toMatchObject({ value: 'delete', configSource: ConfigSource.DEFAULT_CONFIG });
  });

  test('Kafka errors: replication factor above live brokers, bad configs, existing and illegal names, both counts and assignments', async () => {
    await admin.createTopics([topic('exists')], 10_000, false);
    const result = await admin.createTopics(
      [
        topic('rf', { replicationFactor: 4 }),
        topic('badcfg', { configs: [{ name: 'retention.ms', value: 'soon' }] }),
        topic('unknowncfg', { configs: [{ name: 'retention.hours', value: '1' }] }),
        topic('nullcfg', { configs: [{ name: 'retention.ms', value: null }] }),
        topic('exists'),
        topic('bad/name'),
        topic('both', { numPartitions: 1, assignments: [{ partitionIndex: 0, brokerIds: [1] }] }),
        topic('zero', { numPartitions: 0 }),
      ],
      1000,
      false,
    );
    const view = Object.fromEntries([...result].map(([t, r]) => [t, [r.errorCode, r.errorMessage]]));
    expect(view).toEqual({
      rf: [ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor: 4 larger than available brokers: 3.'],
      badcfg: [ErrorCode.INVALID_CONFIG, 'Invalid value soon for configuration retention.ms: Not a number of type LONG'],
      unknowncfg: [ErrorCode.INVALID_CONFIG, 'Unknown topic config name: retention.hours'],
      nullcfg: [ErrorCode.INVALID_REQUEST, 'Null value not supported for topic configs : retention.ms'],
      exists: [ErrorCode.TOPIC_ALREADY_EXISTS, "Topic 'exists' already exists."],
      'bad/name': [ErrorCode.INVALID_TOPIC_EXCEPTION, 'Topic name "bad/name" is illegal, it contains a character other than ASCII alphanumerics, \'.\', \'_\' and \'-\''],
      both: [ErrorCode.INVALID_REQUEST, 'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.'],
      zero: [ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.'],
    });
    expect(await zk.exists('/brokers/topics/rf')).toBeNull();
  });

  test('explicit assignments are written as given; validate_only writes nothing', async () => {
    const created = await admin.createTopics(
      [topic('manual', { assignments: [{ partitionIndex: 0, brokerIds: [3, 1] }, { partitionIndex: 1, brokerIds: [1, 2] }] })],
      10_000,
      false,
    );
    expect(created.get('manual')).toMatchObject({ errorCode: 0, numPartitions: 2, replicationFactor: 2 });
    expect(JSON.parse((await zk.get('/brokers/topics/manual')).data!.toString()).partitions).toEqual({ '0': [3, 1], '1': [1, 2] });
    const validated = await admin.createTopics([topic('dry', { numPartitions: 5, replicationFactor: 3 })], 10_000, true);
    expect(validated.get('dry')).toMatchObject({ errorCode: 0, numPartitions: 5, replicationFactor: 3 });
    expect(await zk.exists('/brokers/topics/dry')).toBeNull();
    expect(await zk.exists('/config/topics/dry')).toBeNull();
  });

  test('no leader within the timeout is REQUEST_TIMED_OUT (the topic stays created); timeout 0 answers at once', async () => {
    controller.enabled = false;
    const slow = await admin.createTopics([topic('slow')], 300, false);
    expect(slow.get('slow')).toMatchObject({ errorCode: ErrorCode.REQUEST_TIMED_OUT, errorMessage: null });
    expect(await zk.exists('/brokers/topics/slow')).not.toBeNull();
    const auto = await admin.autoCreateTopics(['auto']);
    expect(auto.get('auto')).toBe(ErrorCode.NONE);
    expect(await zk.exists('/brokers/topics/auto')).not.toBeNull();
  });
});

describe('AdminManager.deleteTopics', () => {
  test('unknown topics, deletion that waits until the topic is gone, and delete.topic.enable=false', async () => {
    await start();
    await admin.createTopics([topic('doomed')], 10_000, false);
    const codes = await admin.deleteTopics(['doomed', 'never'], 10_000);
    expect(Object.fromEntries(codes)).toEqual({ doomed: ErrorCode.NONE, never: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
    expect(metadata.partitionCount('doomed')).toBeUndefined();
    expect(await zk.exists('/brokers/topics/doomed')).toBeNull();

    await admin.createTopics([topic('slowdelete')], 10_000, false);
    controller.enabled = false;
    expect((await admin.deleteTopics(['slowdelete'], 200)).get('slowdelete')).toBe(ErrorCode.REQUEST_TIMED_OUT);
    expect(await zk.exists('/admin/delete_topics/slowdelete')).not.toBeNull();
    // marked already: still tracked and answered when done
    const again = admin.deleteTopics(['slowdelete'], 10_000);
    controller.enabled = true;
    await controller.sync();
    expect((await again).get('slowdelete')).toBe(ErrorCode.NONE);
  });

  test('delete.topic.enable=false answers TOPIC_DELETION_DISABLED and writes nothing', async () => {
    await start({ deleteTopicEnable: false });
    await admin.createTopics([topic('kept')], 10_000, false);
    expect((await admin.deleteTopics(['kept'], 1000)).get('kept')).toBe(ErrorCode.TOPIC_DELETION_DISABLED);
    expect(await zk.exists('/admin/delete_topics/kept')).toBeNull();
  });
});

describe('AdminManager.createPartitions', () => {
  beforeEach(() => start());

  test('adds partitions to the assignment znode (keeping the topic id) and waits for their leaders', async () => {
    const created = await admin.createTopics([topic('grow', { numPartitions: 1, replicationFactor: 2 })], 10_000, false);
    const result = await admin.createPartitions([{ name: 'grow', count: 4, assignments: null }], 10_000, false);
    expect(result.get('grow')).toEqual({ errorCode: 0, errorMessage: null });
    const json = JSON.parse((await zk.get('/brokers/topics/grow')).data!.toString());
    expect(Object.keys(json.partitions)).toEqual(['0', '1', '2', '3']);
    expect(json.topic_id).toBe(created.get('grow')!.topicId);
    expect(metadata.partitionCount('grow')).toBe(4);
  });

  test('Kafka errors: not increasing, unknown topic, bad assignments, queued for deletion; validate_only', async () => {
    await admin.createTopics([topic('p', { numPartitions: 2, replicationFactor: 2 })], 10_000, false);
    const r = await admin.createPartitions(
      [
        { name: 'p', count: 2, assignments: null },
        { name: 'missing', count: 3, assignments: null },
      ],
      1000,
      false,
    );
    expect(r.get('p')).toEqual({ errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: 'Topic already has 2 partitions.' });
    expect(r.get('missing')).toEqual({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: "The topic 'missing' does not exist." });
    expect((await admin.createPartitions([{ name: 'p', count: 1, assignments: null }], 1000, false)).get('p')).toEqual({
      errorCode: ErrorCode.INVALID_PARTITIONS,
      errorMessage: 'Topic currently has 2 partitions, which is higher than the requested 1.',
    });
    expect((await admin.createPartitions([{ name: 'p', count: 3, assignments: [{ brokerIds: [1, 9] }] }], 1000, false)).get('p')).toEqual({
      errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      errorMessage: 'Unknown broker(s) in replica assignment: 9.',
    });
    expect((await admin.createPartitions([{ name: 'p', count: 4, assignments: [{ brokerIds: [1, 2] }] }], 1000, false)).get('p')).toEqual({
      errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      errorMessage: 'Increasing the number of partitions by 2 but 1 assignments provided.',
    });
    expect((await admin.createPartitions([{ name: 'p', count: 3, assignments: [{ brokerIds: [3, 1] }] }], 1000, true)).get('p')).toEqual({
      errorCode: 0,
      errorMessage: null,
    });
    expect(Object.keys(JSON.parse((await zk.get('/brokers/topics/p')).data!.toString()).partitions)).toEqual(['0', '1']);
    controller.enabled = false;
    await admin.deleteTopics(['p'], 0);
    expect((await admin.createPartitions([{ name: 'p', count: 3, assignments: null }], 1000, false)).get('p')).toEqual({
      errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION,
      errorMessage: 'The topic is queued for deletion.',
    });
  });
});

describe('configs', () => {
  beforeEach(() => start());

  test('DescribeConfigs of a topic: values, sources, synonyms (Kafka drops those before the primary synonym)', async () => {
    await admin.createTopics([topic('d', { configs: [{ name: 'cleanup.policy', value: 'compact' }] })], 10_000, false);
    await dynamic.idle();
    const [result] = admin.describeConfigs([{ resourceType: 2, resourceName: 'd', configurationKeys: null }], true);
    const byName = new Map(result!.configs.map((c) => [c.name, c]));
    expect(result!.errorCode).toBe(0);
    expect(byName.size).toBe(26);
    expect(byName.get('cleanup.policy')).toMatchObject({
      value: 'compact',
      configSource: ConfigSource.TOPIC_CONFIG,
      configType: 7,
      synonyms: [
        { name: 'cleanup.policy', value: 'compact', source: ConfigSource.TOPIC_CONFIG },
        { name: 'log.cleanup.policy', value: 'delete', source: ConfigSource.DEFAULT_CONFIG },
      ],
    });
    expect(byName.get('segment.bytes')).toMatchObject({
      value: '536870912',
      configSource: ConfigSource.STATIC_BROKER_CONFIG,
      synonyms: [
        { name: 'log.segment.bytes', value: '536870912', source: ConfigSource.STATIC_BROKER_CONFIG },
        { name: 'log.segment.bytes', value: '1073741824', source: ConfigSource.DEFAULT_CONFIG },
      ],
    });
    expect(byName.get('retention.ms')).toMatchObject({ value: '604800000', configSource: ConfigSource.DEFAULT_CONFIG, synonyms: [] });
    const [unknown] = admin.describeConfigs([{ resourceType: 2, resourceName: 'nope', configurationKeys: null }], false);
    expect(unknown).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, configs: [] });
    const [some] = admin.describeConfigs([{ resourceType: 2, resourceName: 'd', configurationKeys: ['retention.ms'] }], false);
    expect(some!.configs.map((c) => c.name)).toEqual(['retention.ms']);
  });

  test('AlterConfigs replaces a topic config, the change notification reaches DynamicConfigManager; errors as Kafka', async () => {
    await admin.createTopics([topic('a', { configs: [{ name: 'cleanup.policy', value: 'compact' }] })], 10_000, false);
    const errors = await admin.alterConfigs(
      [
        { resourceType: 2, resourceName: 'a', configs: [{ name: 'retention.ms', value: '5000' }] },
        { resourceType: 2, resourceName: 'ghost', configs: [] },
        { resourceType: 2, resourceName: 'a', configs: [{ name: 'retention.ms', value: 'x' }] },
        { resourceType: 2, resourceName: 'a', configs: [{ name: 'bogus', value: '1' }] },
      ],
      false,
    );
    expect(errors).toEqual([
      { errorCode: 0, errorMessage: null },
      { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: "The topic 'ghost' does not exist." },
      {
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: "Invalid config value for resource ConfigResource(type=TOPIC, name='a'): Invalid value x for configuration retention.ms: Not a number of type LONG",
      },
      { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: 'Unknown topic config name: bogus' },
    ]);
    expect(JSON.parse((await zk.get('/config/topics/a')).data!.toString())).toEqual({ version: 1, config: { 'retention.ms': '5000' } });
    await waitFor(() => topicChanges.some(([t, c]) => t === 'a' && c.retentionMs === 5000), 'topic config change');
    const change = topicChanges.find(([t]) => t === 'a')![1];
    expect(change.compact).toBe(false); // full replace: cleanup.policy override gone
    expect(change.segmentSize).toBe(536870912);
    expect(repo.logConfigFor('a').retentionMs).toBe(5000);
  });

  test('IncrementalAlterConfigs APPEND / SUBTRACT / DELETE on a topic, validate_only, Kafka errors', async () => {
    await admin.createTopics([topic('inc', { configs: [{ name: 'retention.ms', value: '1000' }] })], 10_000, false);
    expect(
      await admin.incrementalAlterConfigs(
        [{ resourceType: 2, resourceName: 'inc', configs: [{ name: 'cleanup.policy', configOperation: 2, value: 'compact' }, { name: 'retention.ms', configOperation: 1, value: null }] }],
        false,
      ),
    ).toEqual([{ errorCode: 0, errorMessage: null }]);
    expect(JSON.parse((await zk.get('/config/topics/inc')).data!.toString()).config).toEqual({ 'cleanup.policy': 'delete,compact' });
    await admin.incrementalAlterConfigs([{ resourceType: 2, resourceName: 'inc', configs: [{ name: 'cleanup.policy', configOperation: 3, value: 'delete' }] }], false);
    expect(JSON.parse((await zk.get('/config/topics/inc')).data!.toString()).config).toEqual({ 'cleanup.policy': 'compact' });
    await admin.incrementalAlterConfigs([{ resourceType: 2, resourceName: 'inc', configs: [{ name: 'retention.ms', configOperation: 0, value: '7' }] }], true);
    expect(JSON.parse((await zk.get('/config/topics/inc')).data!.toString()).config).toEqual({ 'cleanup.policy': 'compact' });
    const errors = await admin.incrementalAlterConfigs(
      [
        { resourceType: 2, resourceName: 'inc', configs: [{ name: 'retention.ms', configOperation: 2, value: '1' }] },
        { resourceType: 2, resourceName: 'inc', configs: [{ name: 'retention.ms', configOperation: 0, value: null }] },
      ],
      false,
    );
    expect(errors).toEqual([
      { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Config value append is not allowed for config key: retention.ms' },
      { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Null value not supported for : SET:retention.ms' },
    ]);
  });

  test('broker configs: dynamic default layered under topics, per-broker id checks, static-only keys refused', async () => {
    await admin.createTopics([topic('b')], 10_000, false);
    expect(await admin.alterConfigs([{ resourceType: 4, resourceName: '', configs: [{ name: 'log.retention.ms', value: '3600000' }] }], false)).toEqual([
      { errorCode: 0, errorMessage: null },
    ]);
    expect(JSON.parse((await zk.get('/config/brokers/<default>')).data!.toString())).toEqual({ version: 1, config: { 'log.retention.ms': '3600000' } });
    await waitFor(() => repo.logConfigFor('b').retentionMs === 3600000, 'dynamic default applied');
    expect(topicChanges.some(([t, c]) => t === 'b' && c.retentionMs === 3600000)).toBe(true);
    const [described] = admin.describeConfigs([{ resourceType: 2, resourceName: 'b', configurationKeys: ['retention.ms'] }], true);
    expect(described!.configs[0]).toMatchObject({
      value: '3600000',
      configSource: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
      synonyms: [
        { name: 'log.retention.ms', value: '3600000', source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG },
        { name: 'log.retention.hours', value: '168', source: ConfigSource.DEFAULT_CONFIG },
      ],
    });
    const [defaults] = admin.describeConfigs([{ resourceType: 4, resourceName: '', configurationKeys: null }], true);
    expect(defaults!.configs).toEqual([
      expect.objectContaining({ name: 'log.retention.ms', value: '3600000', readOnly: false, configSource: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG }),
    ]);
    const [own] = admin.describeConfigs([{ resourceType: 4, resourceName: '1', configurationKeys: ['num.partitions', 'log.retention.ms'] }], false);
    expect(own!.configs.map((c) => [c.name, c.value, c.readOnly, c.configSource])).toEqual([
      ['log.retention.ms', '3600000', false, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG],
      ['num.partitions', '1', true, ConfigSource.DEFAULT_CONFIG],
    ]);
    const errors = await admin.alterConfigs(
      [
        { resourceType: 4, resourceName: '1', configs: [{ name: 'num.partitions', value: '3' }] },
        { resourceType: 4, resourceName: '2', configs: [] },
        { resourceType: 4, resourceName: '1', configs: [{ name: 'num.io.threads', value: '100' }] },
        { resourceType: 4, resourceName: '1', configs: [{ name: 'log.segment.bytes', value: '1' }] },
      ],
      false,
    );
    expect(errors).toEqual([
      { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: "Invalid config value for resource ConfigResource(type=BROKER, name='1'): Cannot update these configs dynamically: Set(num.partitions)" },
      { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Unexpected broker id, expected 1, but received 2' },
      {
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage:
          "Invalid config value for resource ConfigResource(type=BROKER, name='1'): Dynamic thread count update validation failed for num.io.threads=100, value should not be greater than double the current value 8",
      },
      {
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: "Invalid config value for resource ConfigResource(type=BROKER, name='1'): Invalid value 1 for configuration log.segment.bytes: Value must be at least 14",
      },
    ]);
    expect(await zk.exists('/config/brokers/1')).toBeNull();
  });

  test('DynamicConfigManager processes notifications in order, accepts version 1, and purges expired ones', async () => {
    await admin.createTopics([topic('legacy')], 10_000, false);
    await zk.set('/config/topics/legacy', Buffer.from('{"version":1,"config":{"retention.ms":"42"}}'));
    await zk.create('/config/changes/config_change_', Buffer.from('{"version":1,"entity_type":"topics","entity_name":"legacy"}'), { mode: 'persistent_sequential' });
    await waitFor(() => topicChanges.some(([t, c]) => t === 'legacy' && c.retentionMs === 42), 'version 1 notification');
    await dynamic.shutdown();
    const purging = new DynamicConfigManager({
      zk,
      repository: repo,
      onTopicConfigChange: () => undefined,
      changeExpirationMs: 0,
      time: { milliseconds: () => Date.now() + 1000, hiResMilliseconds: () => 0 },
    });
    await purging.startup();
    await purging.idle();
    expect(await zk.getChildren('/config/changes')).toEqual([]);
    await purging.shutdown();
  });
});
