/**
 * python3-confluent-kafka's AdminClient (librdkafka) against a 3-ZooKeeper + 3-broker cluster:
 * create/list/describe/delete topics, create partitions, describe/alter topic and broker configs.
 * The client runs as /usr/bin/python3 integration-tests/broker/py/admin_client.py, printing JSON.
 */
import path from 'node:path';
import { ClusterIdZNode, ConfigEntityZNode, TopicZNode } from '../../broker/src/zk/znodes';
import { waitFor } from '../helpers/wait';
import { useKafkaCluster } from './support/fixture';
import { confluentKafkaAvailable, PYTHON, runToolOk } from './support/tools';

jest.setTimeout(120_000);

interface PyError {
  code: number | null;
  name: string;
  str: string;
}
interface PyTopic {
  error: PyError | null;
  partitions: Record<string, { leader: number; replicas: number[]; isrs: number[]; error: PyError | null }>;
}
interface PyMetadata {
  cluster_id: string;
  controller_id: number;
  brokers: Record<string, string>;
  topics: Record<string, PyTopic>;
}
interface PyConfigs {
  error: PyError | null;
  configs: Record<string, { value: string | null; source: string; is_default: boolean; is_read_only: boolean; is_sensitive: boolean }>;
}

const SCRIPT = path.join(__dirname, 'py', 'admin_client.py');
const available = confluentKafkaAvailable();
if (!available) process.stderr.write(`confluent.test.ts: SKIPPED: ${PYTHON} cannot import confluent_kafka (apt-get install python3-confluent-kafka)\n`);
const describeWithConfluent = available ? describe : describe.skip;

describeWithConfluent('confluent-kafka AdminClient', () => {
  const fx = useKafkaCluster({ zookeepers: 3, brokers: 3 });

  async function py<T>(command: string, arg?: unknown): Promise<T> {
    const args = [SCRIPT, fx.cluster.bootstrapServers, command];
    if (arg !== undefined) args.push(JSON.stringify(arg));
    const run = await runToolOk(PYTHON, args, { timeoutMs: 90_000 });
    return JSON.parse(run.stdout) as T;
  }
  const list = (): Promise<PyMetadata> => py<PyMetadata>('list');
  const describeConfigs = (type: 'topic' | 'broker', name: string): Promise<PyConfigs> => py<PyConfigs>('describe-configs', { type, name });

  test('create_topics creates topics with partitions, replication factor and configs; per-topic errors as Kafka answers', async () => {
    const created = await py<Record<string, PyError | null>>('create', [
      { topic: 'cf-a', partitions: 3, replication_factor: 1 },
      { topic: 'cf-b', partitions: 2, replication_factor: 3, config: { 'retention.ms': '3600000', 'cleanup.policy': 'compact' } },
    ]);
    expect(created).toEqual({ 'cf-a': null, 'cf-b': null });

    const errors = await py<Record<string, PyError | null>>('create', [
      { topic: 'cf-a', partitions: 1, replication_factor: 1 },
      { topic: 'cf-too-many-replicas', partitions: 1, replication_factor: 4 },
      { topic: 'cf-bad-config', partitions: 1, replication_factor: 1, config: { 'cleanup.policy': 'nonsense' } },
    ]);
    expect(errors['cf-a']?.name).toBe('TOPIC_ALREADY_EXISTS');
    expect(errors['cf-too-many-replicas']?.name).toBe('INVALID_REPLICATION_FACTOR');
    expect(errors['cf-bad-config']?.name).toBe('INVALID_CONFIG');
  });

  test('create_topics with validate_only checks the request but creates nothing', async () => {
    const validated = await py<Record<string, PyError | null>>('create-validate', [{ topic: 'cf-validate-only', partitions: 4, replication_factor: 2 }]);
    expect(validated).toEqual({ 'cf-validate-only': null });
    expect((await list()).topics['cf-validate-only']).toBeUndefined();
    expect(await fx.cluster.readZk(TopicZNode.path('cf-validate-only'))).toBeNull();
  });

  test('list_topics shows the three brokers, the controller, the cluster id and each partition with a leader', async () => {
    const md = await list();
    expect(Object.keys(md.brokers).map(Number).sort()).toEqual(fx.cluster.brokerIds);
    for (const [id, address] of Object.entries(md.brokers)) expect(address).toBe(fx.cluster.brokerAddress(Number(id)));
    expect(md.controller_id).toBe(await fx.cluster.controllerId());
    expect(md.cluster_id).toBe(ClusterIdZNode.decode((await fx.cluster.readZk(ClusterIdZNode.path))!.data));
    expect(Object.keys(md.topics['cf-a'].partitions).sort()).toEqual(['0', '1', '2']);
    for (const p of Object.values(md.topics['cf-a'].partitions)) {
      expect(p.error).toBeNull();
      expect(p.replicas).toEqual([p.leader]);
    }
  });

  test('describing one topic gives its partitions with three replicas, the first leading, all in the ISR', async () => {
    const topic = await py<PyTopic>('describe-topic', 'cf-b');
    expect(topic.error).toBeNull();
    expect(Object.keys(topic.partitions).sort()).toEqual(['0', '1']);
    for (const p of Object.values(topic.partitions)) {
      expect([...p.replicas].sort()).toEqual(fx.cluster.brokerIds);
      expect(p.leader).toBe(p.replicas[0]);
      expect([...p.isrs].sort()).toEqual(fx.cluster.brokerIds);
    }
  });

  test('create_partitions grows a topic to the new total; shrinking is refused with INVALID_PARTITIONS', async () => {
    expect(await py('create-partitions', { topic: 'cf-a', total: 6 })).toEqual({ 'cf-a': null });
    await waitFor(async () => Object.keys((await list()).topics['cf-a']?.partitions ?? {}).length === 6, 'cf-a to show 6 partitions', 30_000, 500);
    const assignment = TopicZNode.decode((await fx.cluster.readZk(TopicZNode.path('cf-a')))!.data);
    expect([...assignment.partitions.keys()].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    for (let p = 3; p < 6; p++) expect((await fx.cluster.waitForLeader('cf-a', p)).leader).toBeGreaterThan(0);

    const shrink = await py<Record<string, PyError | null>>('create-partitions', { topic: 'cf-a', total: 2 });
    expect(shrink['cf-a']?.name).toBe('INVALID_PARTITIONS');
    const unknown = await py<Record<string, PyError | null>>('create-partitions', { topic: 'cf-nope', total: 2 });
    expect(unknown['cf-nope']?.name).toBe('UNKNOWN_TOPIC_OR_PART');
  });

  test('describe_configs of a topic shows its overrides as DYNAMIC_TOPIC_CONFIG and the rest as defaults', async () => {
    const { error, configs } = await describeConfigs('topic', 'cf-b');
    expect(error).toBeNull();
    expect(configs['retention.ms']).toMatchObject({ value: '3600000', source: 'DYNAMIC_TOPIC_CONFIG', is_default: false });
    expect(configs['cleanup.policy']).toMatchObject({ value: 'compact', source: 'DYNAMIC_TOPIC_CONFIG' });
    expect(configs['segment.bytes']).toMatchObject({ value: '1073741824', is_default: true, source: 'DEFAULT_CONFIG' });
    expect(configs['max.message.bytes']?.value).toBe('1048588');
  });

  test('alter_configs (non-incremental) replaces the topic config set, in ZooKeeper and in describe_configs', async () => {
    expect(await py('alter-configs', { type: 'topic', name: 'cf-b', config: { 'retention.ms': '7200000' } })).toEqual({ error: null });
    const zkConfig = ConfigEntityZNode.decode((await fx.cluster.readZk(ConfigEntityZNode.topicPath('cf-b')))!.data);
    expect(Object.fromEntries(zkConfig)).toEqual({ 'retention.ms': '7200000' });
    const { configs } = await describeConfigs('topic', 'cf-b');
    expect(configs['retention.ms']).toMatchObject({ value: '7200000', source: 'DYNAMIC_TOPIC_CONFIG' });
    // Not in the new set, so back to the default.
    expect(configs['cleanup.policy']).toMatchObject({ value: 'delete', is_default: true });

    const invalid = await py<{ error: PyError | null }>('alter-configs', { type: 'topic', name: 'cf-b', config: { 'retention.ms': 'soon' } });
    // Kafka wraps the ConfigException of an AlterConfigs value in InvalidRequestException.
    expect(invalid.error?.name).toBe('INVALID_REQUEST');
  });

  test('describe_configs of a broker lists its static and default configs', async () => {
    const { error, configs } = await describeConfigs('broker', '1');
    expect(error).toBeNull();
    expect(configs['broker.id']).toMatchObject({ value: '1', source: 'STATIC_BROKER_CONFIG' });
    expect(configs['zookeeper.session.timeout.ms']).toMatchObject({ value: '6000', source: 'STATIC_BROKER_CONFIG' });
    expect(configs['num.network.threads']).toMatchObject({ value: '3', source: 'DEFAULT_CONFIG' });
  });

  test('alter_configs of a broker stores a dynamic broker config under /config/brokers/<id>', async () => {
    expect(await py('alter-configs', { type: 'broker', name: '2', config: { 'log.retention.ms': '86400000' } })).toEqual({ error: null });
    const zkConfig = ConfigEntityZNode.decode((await fx.cluster.readZk(ConfigEntityZNode.brokerPath(2)))!.data);
    expect(zkConfig.get('log.retention.ms')).toBe('86400000');
    const { configs } = await describeConfigs('broker', '2');
    expect(configs['log.retention.ms']).toMatchObject({ value: '86400000', source: 'DYNAMIC_BROKER_CONFIG' });
  });

  test('delete_topics removes the topic: gone from metadata and from /brokers/topics', async () => {
    expect(await py('delete', ['cf-a'])).toEqual({ 'cf-a': null });
    await waitFor(async () => (await list()).topics['cf-a'] === undefined, 'cf-a to leave the metadata', 30_000, 500);
    await waitFor(async () => (await fx.cluster.readZk(TopicZNode.path('cf-a'))) === null, '/brokers/topics/cf-a to be deleted', 30_000);
    const again = await py<Record<string, PyError | null>>('delete', ['cf-a']);
    expect(again['cf-a']?.name).toBe('UNKNOWN_TOPIC_OR_PART');
  });
});
