/**
 * KafkaZkClient against a real one-server ZooKeeper: the znodes it writes and reads the way Kafka 2.8's
 * KafkaZkClient does (registration, controller election, topic ids, partition states).
 */
import { ZooKeeperEnsemble } from '../../admin-cli/src/cluster/zookeeper-ensemble';
import { ControllerMovedError, KafkaZkClient, ZkClient } from '../../broker/src/zk';
import {
  BrokerIdZNode,
  ConfigEntityZNode,
  ControllerEpochZNode,
  ControllerZNode,
  DeleteTopicsTopicZNode,
  TopicPartitionStateZNode,
  TopicZNode,
  type BrokerRegistration,
} from '../../broker/src/zk/znodes';

jest.setTimeout(60_000);

let ensemble: ZooKeeperEnsemble;
const clients: ZkClient[] = [];
let counter = 0;
let chroot = '';

async function connect(): Promise<KafkaZkClient> {
  const zk = await ZkClient.connect({ connectString: `${ensemble.connectString}${chroot}`, sessionTimeoutMs: 10_000, connectTimeoutMs: 10_000, createChroot: true });
  clients.push(zk);
  return new KafkaZkClient(zk);
}

function registration(port: number): BrokerRegistration {
  return {
    version: 5,
    endpoints: [{ listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port }],
    jmxPort: -1,
    rack: 'r1',
    features: {},
  };
}

beforeAll(async () => {
  ensemble = await ZooKeeperEnsemble.start({ size: 1 });
});
afterAll(async () => {
  await ensemble?.stop();
});
beforeEach(() => {
  chroot = `/kzk-${++counter}`;
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

describe('KafkaZkClient', () => {
  test('creates the persistent paths, keeps the first cluster id, and generates broker ids from /brokers/seqid', async () => {
    const kzk = await connect();
    await kzk.makeSurePersistentPathsExist();
    for (const p of ['/brokers/ids', '/brokers/topics', '/admin/delete_topics', '/isr_change_notification', '/config/topics', '/brokers/seqid']) {
      expect(await kzk.zk.exists(p)).not.toBeNull();
    }
    expect(await kzk.getOrCreateClusterId('AAAAAAAAAAAAAAAAAAAAAA')).toBe('AAAAAAAAAAAAAAAAAAAAAA');
    expect(await kzk.getOrCreateClusterId('BBBBBBBBBBBBBBBBBBBBBB')).toBe('AAAAAAAAAAAAAAAAAAAAAA');
    expect(await kzk.generateBrokerId(1000)).toBe(1001);
    expect(await kzk.generateBrokerId(1000)).toBe(1002);
  });

  test('registerBroker returns the czxid as broker epoch and refuses an id held by another session', async () => {
    const a = await connect();
    const b = await connect();
    await a.makeSurePersistentPathsExist();
    const epoch = await a.registerBroker(1, registration(9092));
    const node = await a.zk.get(BrokerIdZNode.path(1));
    expect(epoch).toBe(node.stat.czxid);
    expect(node.stat.ephemeralOwner).toBe(a.zk.sessionId);
    await expect(b.registerBroker(1, registration(9093))).rejects.toThrow(/broker 1.*\/brokers\/ids\/1/);
    await b.registerBroker(2, registration(9093));
    const all = await a.getAllBrokersInCluster();
    expect(all.map((x) => x.id)).toEqual([1, 2]);
    expect(all[0]).toMatchObject({ id: 1, epoch, registration: { rack: 'r1', endpoints: [{ host: '127.0.0.1', port: 9092 }] } });
    expect(await a.getBroker(3)).toBeNull();
  });

  test('controller election bumps /controller_epoch and a second contender gets ControllerMovedError', async () => {
    const a = await connect();
    const b = await connect();
    const first = await a.registerControllerAndIncrementControllerEpoch(1, Date.now());
    expect(first.epoch).toBe(1);
    expect(ControllerEpochZNode.decode((await a.zk.get('/controller_epoch')).data)).toBe(1);
    expect(ControllerZNode.decode((await a.zk.get('/controller')).data).brokerId).toBe(1);
    await expect(b.registerControllerAndIncrementControllerEpoch(2, Date.now())).rejects.toBeInstanceOf(ControllerMovedError);
    expect(await b.getControllerId()).toBe(1);
    await a.deleteController(1);
    const second = await b.registerControllerAndIncrementControllerEpoch(2, Date.now());
    expect(second.epoch).toBe(2);
    expect(second.epochZkVersion).toBe(first.epochZkVersion + 1);
  });

  test('assigns topic ids to topics without one, creates and conditionally updates partition states', async () => {
    const kzk = await connect();
    await kzk.makeSurePersistentPathsExist();
    const partitions = new Map([[0, { replicas: [1, 2], addingReplicas: [], removingReplicas: [] }]]);
    await kzk.zk.create(TopicZNode.path('t1'), Buffer.from(JSON.stringify({ version: 1, partitions: { '0': [1, 2] } })));
    expect(await kzk.getAllTopicsInCluster()).toEqual(['t1']);
    const read = await kzk.getReplicaAssignmentAndTopicIds(['t1', 'missing']);
    expect([...read.keys()]).toEqual(['t1']);
    expect(read.get('t1')?.topicId).toBeUndefined();
    expect(read.get('t1')?.partitions).toEqual(partitions);
    const ids = await kzk.setTopicIds([...read.values()]);
    const after = TopicZNode.decode((await kzk.zk.get(TopicZNode.path('t1'))).data);
    expect(after.topicId).toBe(ids.get('t1'));
    expect(after.partitions).toEqual(partitions);

    const tp = { topic: 't1', partition: 0 };
    const created = await kzk.createTopicPartitionStatesRaw([{ partition: tp, leaderAndIsr: { leader: 1, leaderEpoch: 0, isr: [1, 2], zkVersion: 0 } }], 5);
    expect(created.get('t1-0')).toBeNull();
    expect(TopicPartitionStateZNode.decode((await kzk.zk.get(TopicPartitionStateZNode.path('t1', 0))).data)).toEqual({
      leader: 1, leaderEpoch: 0, isr: [1, 2], controllerEpoch: 5,
    });
    const again = await kzk.createTopicPartitionStatesRaw([{ partition: tp, leaderAndIsr: { leader: 1, leaderEpoch: 0, isr: [1, 2], zkVersion: 0 } }], 5);
    expect(again.get('t1-0')?.code).toBe('NODEEXISTS');

    const states = await kzk.getTopicPartitionStates([tp, { topic: 't1', partition: 9 }]);
    expect(states.size).toBe(1);
    const state = states.get('t1-0');
    expect(state).toEqual({ leaderAndIsr: { leader: 1, leaderEpoch: 0, isr: [1, 2], zkVersion: 0 }, controllerEpoch: 5 });
    const ok = await kzk.updateLeaderAndIsr([{ partition: tp, leaderAndIsr: { leader: 2, leaderEpoch: 1, isr: [2], zkVersion: 0 } }], 5);
    expect(ok.finished.get('t1-0')?.leaderAndIsr).toEqual({ leader: 2, leaderEpoch: 1, isr: [2], zkVersion: 1 });
    const stale = await kzk.updateLeaderAndIsr([{ partition: tp, leaderAndIsr: { leader: 1, leaderEpoch: 1, isr: [1], zkVersion: 0 } }], 5);
    expect(stale.partitionsToRetry).toEqual([tp]);
    expect(stale.finished.size).toBe(0);
  });

  test('topic deletion znodes, topic configs and ISR change notifications', async () => {
    const kzk = await connect();
    await kzk.makeSurePersistentPathsExist();
    await kzk.zk.create(DeleteTopicsTopicZNode.path('gone'), null);
    await kzk.zk.create(ConfigEntityZNode.topicPath('gone'), ConfigEntityZNode.encode({ 'unclean.leader.election.enable': 'true' }));
    await kzk.zk.createRecursive(TopicPartitionStateZNode.path('gone', 0), Buffer.from('{}'));
    expect(await kzk.getTopicDeletions()).toEqual(['gone']);
    expect(await kzk.getEntityConfigs('topics', 'gone')).toEqual(new Map([['unclean.leader.election.enable', 'true']]));
    await kzk.deleteTopicZNode('gone');
    await kzk.deleteTopicConfigs(['gone']);
    await kzk.deleteTopicDeletions(['gone']);
    expect(await kzk.topicExists('gone')).toBe(false);
    expect(await kzk.getEntityConfigs('topics', 'gone')).toEqual(new Map());
    expect(await kzk.getTopicDeletions()).toEqual([]);

    await kzk.propagateIsrChanges([{ topic: 'a', partition: 0 }]);
    await kzk.propagateIsrChanges([{ topic: 'b', partition: 1 }]);
    const seqs = await kzk.getAllIsrChangeNotifications();
    expect(seqs).toHaveLength(2);
    expect(await kzk.getPartitionsFromIsrChangeNotifications(seqs)).toEqual([{ topic: 'a', partition: 0 }, { topic: 'b', partition: 1 }]);
    await kzk.deleteIsrChangeNotifications(seqs);
    expect(await kzk.getAllIsrChangeNotifications()).toEqual([]);
  });
});
