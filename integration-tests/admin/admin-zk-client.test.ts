/**
 * AdminZkClient against a real one-server ZooKeeper: the exact znodes and JSON Kafka 2.8's
 * AdminZkClient writes for topic creation, partition addition, deletion marks and config changes.
 */
import { ZooKeeperEnsemble } from '../../admin-cli/src/cluster/zookeeper-ensemble';
import { ErrorCode, KafkaProtocolError } from '../../broker/src/protocol';
import { AdminZkClient, TopicAlreadyMarkedForDeletionError, ZkClient } from '../../broker/src/zk';

jest.setTimeout(60_000);

let ensemble: ZooKeeperEnsemble;
let zk: ZkClient;
let admin: AdminZkClient;
let counter = 0;

beforeAll(async () => {
  ensemble = await ZooKeeperEnsemble.start({ size: 1 });
});

afterAll(async () => {
  await ensemble?.stop();
});

beforeEach(async () => {
  // a fresh chroot per test, as a broker with zookeeper.connect=.../chroot would see it
  zk = await ZkClient.connect({
    connectString: `${ensemble.connectString}/admin-zk-${++counter}`,
    sessionTimeoutMs: 10_000,
    connectTimeoutMs: 10_000,
    createChroot: true,
  });
  admin = new AdminZkClient(zk);
});

afterEach(async () => {
  await zk.close();
});

async function json(path: string): Promise<unknown> {
  const node = await zk.get(path);
  return JSON.parse((node.data ?? Buffer.alloc(0)).toString('utf8'));
}

async function codeOf(p: Promise<unknown>): Promise<number | string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof KafkaProtocolError) return err.code;
    return (err as Error).name;
  }
  return 'no error';
}

describe('AdminZkClient (Kafka 2.8 znodes)', () => {
  test('createTopicWithAssignment writes /config/topics then a version 3 /brokers/topics JSON with a fresh topic id', async () => {
    const topicId = await admin.createTopicWithAssignment(
      'orders',
      new Map([['retention.ms', '86400000'], ['cleanup.policy', 'compact']]),
      new Map([[0, [1, 2]], [1, [2, 3]], [2, [3, 1]]]),
    );
    expect(topicId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(await json('/config/topics/orders')).toEqual({ version: 1, config: { 'retention.ms': '86400000', 'cleanup.policy': 'compact' } });
    expect(await json('/brokers/topics/orders')).toEqual({
      version: 3,
      topic_id: topicId,
      partitions: { '0': [1, 2], '1': [2, 3], '2': [3, 1] },
      adding_replicas: {},
      removing_replicas: {},
    });
    // Java UUID.randomUUID: version 4, IETF variant
    const bytes = Buffer.from(topicId as string, 'base64url');
    expect(bytes[6]! >> 4).toBe(4);
    expect(bytes[8]! >> 6).toBe(2);
    // the config znode exists (empty) even for a topic without overrides
    await admin.createTopicWithAssignment('plain', new Map(), new Map([[0, [1]]]));
    expect((await zk.get('/config/topics/plain')).data?.toString()).toBe('{"version":1,"config":{}}');
  });

  test('creating an existing topic is TOPIC_ALREADY_EXISTS; name rules and "." / "_" collisions are Kafka\'s', async () => {
    await admin.createTopicWithAssignment('a.b', new Map(), new Map([[0, [1]]]));
    expect(await codeOf(admin.createTopicWithAssignment('a.b', new Map(), new Map([[0, [1]]])))).toBe(ErrorCode.TOPIC_ALREADY_EXISTS);
    await expect(admin.createTopicWithAssignment('a_b', new Map(), new Map([[0, [1]]]))).rejects.toThrow(
      "Topic 'a_b' collides with existing topic: a.b",
    );
    expect(await codeOf(admin.createTopicWithAssignment('x'.repeat(250), new Map(), new Map([[0, [1]]])))).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    await expect(admin.createTopicWithAssignment('bad name', new Map(), new Map([[0, [1]]]))).rejects.toThrow(
      'Topic name "bad name" is illegal, it contains a character other than ASCII alphanumerics, \'.\', \'_\' and \'-\'',
    );
    expect(await codeOf(admin.createTopicWithAssignment('..', new Map(), new Map([[0, [1]]])))).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(await codeOf(admin.createTopicWithAssignment('x'.repeat(249), new Map(), new Map([[0, [1]]])))).toBe('no error');
    // the write path also refuses a duplicate create that skipped validation (NODEEXISTS)
    expect(await codeOf(admin.createTopicWithAssignment('a.b', new Map(), new Map([[0, [1]]]), { validate: false }))).toBe(
      ErrorCode.TOPIC_ALREADY_EXISTS,
    );
  });

  test('invalid configs and assignments are refused before anything is written', async () => {
    expect(await codeOf(admin.createTopicWithAssignment('t', new Map([['nope', '1']]), new Map([[0, [1]]])))).toBe(ErrorCode.INVALID_CONFIG);
    await expect(admin.createTopicWithAssignment('t', new Map([['retention.ms', 'x']]), new Map([[0, [1]]]))).rejects.toThrow(
      'Invalid value x for configuration retention.ms',
    );
    expect(await codeOf(admin.createTopicWithAssignment('t', new Map(), new Map([[0, [1, 1]]])))).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
    expect(await zk.exists('/config/topics/t')).toBeNull();
    expect(await zk.exists('/brokers/topics/t')).toBeNull();
  });

  test('addPartitions rewrites the assignment conditionally on its zkVersion and keeps the topic id', async () => {
    const topicId = await admin.createTopicWithAssignment('grow', new Map(), new Map([[0, [1, 2]]]));
    const before = await admin.getTopicAssignment('grow');
    expect(before?.zkVersion).toBe(0);
    await admin.addPartitions('grow', before!, new Map([[1, [2, 1]], [2, [1, 2]]]));
    expect(await json('/brokers/topics/grow')).toEqual({
      version: 3,
      topic_id: topicId,
      partitions: { '0': [1, 2], '1': [2, 1], '2': [1, 2] },
      adding_replicas: {},
      removing_replicas: {},
    });
    // a stale version is refused
    expect(await codeOf(admin.addPartitions('grow', before!, new Map([[3, [1, 2]]])))).toBe('TopicAssignmentChangedError');
  });

  test('deleteTopic writes /admin/delete_topics/<t> with no data; unknown and already-marked topics as Kafka', async () => {
    await admin.createTopicWithAssignment('gone', new Map(), new Map([[0, [1]]]));
    await admin.deleteTopic('gone');
    const node = await zk.get('/admin/delete_topics/gone');
    expect(node.stat.dataLength).toBe(0);
    expect(await admin.isTopicMarkedForDeletion('gone')).toBe(true);
    await expect(admin.deleteTopic('gone')).rejects.toBeInstanceOf(TopicAlreadyMarkedForDeletionError);
    expect(await codeOf(admin.deleteTopic('never'))).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    // a topic marked for deletion cannot be created again until the controller finished
    await expect(admin.validateTopicCreate('gone', new Map([[0, [1]]]), new Map())).rejects.toThrow("Topic 'gone' is marked for deletion.");
  });

  test('changeTopicConfig / changeBrokerConfig write the entity then a version 2 change notification', async () => {
    await admin.createTopicWithAssignment('cfg', new Map(), new Map([[0, [1]]]));
    await admin.changeTopicConfig('cfg', new Map([['retention.ms', '1000']]));
    await admin.changeBrokerConfig(null, new Map([['log.retention.ms', '5000']]));
    await admin.changeBrokerConfig(7, new Map([['log.cleaner.threads', '2']]));
    expect(await json('/config/topics/cfg')).toEqual({ version: 1, config: { 'retention.ms': '1000' } });
    expect(await json('/config/brokers/<default>')).toEqual({ version: 1, config: { 'log.retention.ms': '5000' } });
    expect(await json('/config/brokers/7')).toEqual({ version: 1, config: { 'log.cleaner.threads': '2' } });
    const changes = (await zk.getChildren('/config/changes')).sort();
    expect(changes).toEqual(['config_change_0000000000', 'config_change_0000000001', 'config_change_0000000002']);
    expect((await zk.get('/config/changes/config_change_0000000000')).data?.toString()).toBe('{"version":2,"entity_path":"topics/cfg"}');
    expect(await json('/config/changes/config_change_0000000001')).toEqual({ version: 2, entity_path: 'brokers/<default>' });
    expect(await json('/config/changes/config_change_0000000002')).toEqual({ version: 2, entity_path: 'brokers/7' });
    expect(Object.fromEntries(await admin.fetchEntityConfig('topics', 'cfg'))).toEqual({ 'retention.ms': '1000' });
    expect((await admin.fetchEntityConfig('topics', 'missing')).size).toBe(0);
    expect(await codeOf(admin.changeTopicConfig('missing', new Map()))).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
});
