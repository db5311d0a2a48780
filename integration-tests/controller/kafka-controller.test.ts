/**
 * KafkaController against a real one-server ZooKeeper, with small recording brokers (real sockets)
 * standing in for the brokers the controller talks to: election and failover with a rising epoch,
 * topic creation → partition state znodes + LeaderAndIsr / UpdateMetadata, broker failure → a new
 * leader from the live ISR, partition addition, and topic deletion (enabled and disabled).
 */
import { ZooKeeperEnsemble } from '../../admin-cli/src/cluster/zookeeper-ensemble';
import { createLogger } from '../../broker/src/common/logger';
import { KafkaController } from '../../broker/src/controller';
import { ApiKey } from '../../broker/src/protocol';
import { KafkaZkClient, ZkClient } from '../../broker/src/zk';
import {
  BrokerIdZNode,
  ConfigEntityZNode,
  DeleteTopicsTopicZNode,
  TopicPartitionStateZNode,
  TopicZNode,
  type LeaderIsrAndControllerEpoch,
  type PartitionAssignment,
} from '../../broker/src/zk/znodes';
import { waitFor } from '../helpers/wait';
import { RecordingBroker } from './recording-broker';

jest.setTimeout(90_000);

let ensemble: ZooKeeperEnsemble;
let counter = 0;
let chroot = '';

interface TestBroker {
  id: number;
  zk: ZkClient;
  kzk: KafkaZkClient;
  server: RecordingBroker;
  epoch: bigint;
  controller: KafkaController | null;
}

const brokers: TestBroker[] = [];

async function startBroker(id: number): Promise<TestBroker> {
  const zk = await ZkClient.connect({ connectString: `${ensemble.connectString}${chroot}`, sessionTimeoutMs: 10_000, connectTimeoutMs: 10_000, createChroot: true });
  const kzk = new KafkaZkClient(zk);
  await kzk.makeSurePersistentPathsExist();
  const server = new RecordingBroker(id);
  await server.start();
  const epoch = await kzk.registerBroker(id, {
    version: 5,
    endpoints: [{ listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port: server.port }],
    jmxPort: -1,
    rack: `rack-${id}`,
    features: {},
  });
  const b: TestBroker = { id, zk, kzk, server, epoch, controller: null };
  brokers.push(b);
  return b;
}

async function startController(b: TestBroker, overrides: { deleteTopicEnable?: boolean } = {}): Promise<KafkaController> {
  const controller = new KafkaController({
    brokerId: b.id,
    brokerEpoch: () => b.epoch,
    zkClient: b.kzk,
    interBrokerListenerName: 'PLAINTEXT',
    deleteTopicEnable: overrides.deleteTopicEnable ?? true,
    uncleanLeaderElectionEnable: false,
    requestTimeoutMs: 5_000,
    logger: createLogger('controller-test', { brokerId: b.id }),
  });
  b.controller = controller;
  await controller.startup();
  return controller;
}

/** Ends a broker's ZooKeeper session (its registration and any /controller it holds vanish). */
async function killSession(b: TestBroker): Promise<void> {
  await b.controller?.shutdown();
  await b.zk.close();
}

/** The partition state znode, or undefined while it does not exist (what waitFor keeps polling on). */
async function partitionState(zk: ZkClient, topic: string, partition: number): Promise<(LeaderIsrAndControllerEpoch & { zkVersion: number }) | undefined> {
  const node = await zk.getOrNull(TopicPartitionStateZNode.path(topic, partition));
  return node === null ? undefined : { ...TopicPartitionStateZNode.decode(node.data), zkVersion: node.stat.version };
}

function assignment(...replicas: number[][]): Map<number, PartitionAssignment> {
  return new Map(replicas.map((r, p) => [p, { replicas: r, addingReplicas: [], removingReplicas: [] }]));
}

beforeAll(async () => {
  ensemble = await ZooKeeperEnsemble.start({ size: 1 });
});
afterAll(async () => {
  await ensemble?.stop();
});
beforeEach(() => {
  chroot = `/controller-test-${++counter}`;
});
afterEach(async () => {
  for (const b of brokers.splice(0)) {
    await b.controller?.shutdown();
    await b.zk.close();
    await b.server.stop();
  }
});

describe('KafkaController', () => {
  test('two controllers compete, one wins; when its session ends the other takes over with a higher epoch', async () => {
    const b1 = await startBroker(1);
    const b2 = await startBroker(2);
    const elected: number[] = [];
    const c1 = await startController(b1);
    c1.on('elected', (e) => elected.push(e));
    const c2 = await startController(b2);
    c2.on('elected', (e) => elected.push(e));
    expect([c1.isActive, c2.isActive]).toEqual([true, false]);
    expect(c1.epoch).toBe(1);
    expect(c2.controllerId).toBe(1);
    expect(await b2.kzk.getControllerId()).toBe(1);

    // The active controller told every live broker about the cluster (UpdateMetadata, all endpoints and racks).
    const um = await waitFor(() => b2.server.updateMetadata()[0], 'UpdateMetadata to broker 2');
    expect(um).toMatchObject({ controllerId: 1, controllerEpoch: 1, brokerEpoch: b2.epoch });
    expect(um.liveBrokers.map((lb) => [lb.id, lb.rack, lb.endpoints[0].port])).toEqual([
      [1, 'rack-1', b1.server.port],
      [2, 'rack-2', b2.server.port],
    ]);
    expect(b2.server.requests[0].clientId).toBe('controller-1-to-broker-2');

    await killSession(b1);
    // isActive turns true when /controller is won; 'elected' follows once the failover work is done.
    await waitFor(() => c2.isActive && elected.includes(2), 'broker 2 to become the controller');
    expect(c2.epoch).toBe(2);
    expect((await b2.kzk.getControllerEpoch())?.epoch).toBe(2);
    const after = await waitFor(() => b2.server.updateMetadata().find((r) => r.controllerEpoch === 2), 'UpdateMetadata from the new controller');
    expect(after.liveBrokers.map((lb) => lb.id)).toEqual([2]);
  });

  test('a controller whose session expires resigns, re-registers its broker and is elected again with a higher epoch', async () => {
    const b1 = await startBroker(1);
    const events: string[] = [];
    const controller = new KafkaController({
      brokerId: 1,
      brokerEpoch: () => b1.epoch,
      zkClient: b1.kzk,
      interBrokerListenerName: 'PLAINTEXT',
      deleteTopicEnable: true,
      uncleanLeaderElectionEnable: false,
      requestTimeoutMs: 5_000,
      logger: createLogger('controller-test', { brokerId: 1 }),
      reregisterBroker: async () => {
        events.push('reregister');
        b1.epoch = await b1.kzk.registerBroker(1, {
          version: 5,
          endpoints: [{ listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port: b1.server.port }],
          jmxPort: -1,
          rack: null,
          features: {},
        });
      },
    });
    b1.controller = controller;
    controller.on('elected', (e) => events.push(`elected ${e}`));
    controller.on('resigned', () => events.push('resigned'));
    await controller.startup();
    expect(controller.epoch).toBe(1);
    const firstEpoch = b1.epoch;
    b1.zk.expireSessionForTesting();
    await waitFor(() => controller.isActive && controller.epoch === 2 && events.includes('elected 2'), 're-election after session expiry');
    expect(events).toEqual(['elected 1', 'resigned', 'reregister', 'elected 2']);
    expect(b1.epoch).toBeGreaterThan(firstEpoch);
    const um = await waitFor(() => b1.server.updateMetadata().find((r) => r.controllerEpoch === 2), 'UpdateMetadata from epoch 2');
    expect(um.brokerEpoch).toBe(b1.epoch);
  });

  test('a new controller loads existing topics from ZooKeeper and elects leaders for partitions of the dead controller', async () => {
    const [b1, b2] = [await startBroker(1), await startBroker(2)];
    await startController(b1);
    const c2 = await startController(b2);
    await b1.zk.create(TopicZNode.path('legacy'), TopicZNode.encode({ partitions: assignment([1, 2], [2, 1]) }));
    await waitFor(async () => (await partitionState(b1.zk, 'legacy', 0))?.leader === 1, 'legacy-0 led by 1');
    await waitFor(() => partitionState(b1.zk, 'legacy', 1), 'state of legacy-1');
    b2.server.requests.length = 0;
    await killSession(b1);
    await waitFor(() => c2.isActive, 'broker 2 to become the controller');
    await waitFor(async () => (await partitionState(b2.zk, 'legacy', 0))?.leader === 2, 'legacy-0 led by 2');
    // As in Kafka's failover order: the replica state machine first takes dead broker 1 out of the ISR
    // (leader -1, epoch 1), then the partition state machine elects broker 2 (epoch 2).
    expect(await partitionState(b2.zk, 'legacy', 0)).toMatchObject({ leader: 2, leaderEpoch: 2, isr: [2], controllerEpoch: 2 });
    // Replica state machine startup re-sends LeaderAndIsr for every partition to its live replicas.
    await waitFor(
      () => {
        const seen = new Set(b2.server.leaderAndIsr().filter((r) => r.controllerEpoch === 2).flatMap((r) => r.topicStates.flatMap((t) => t.partitionStates.map((p) => p.partitionIndex))));
        return seen.has(0) && seen.has(1);
      },
      'LeaderAndIsr for both legacy partitions from controller epoch 2',
    );
  });

  test('unclean leader election follows the topic config override in /config/topics', async () => {
    const [b1, b2, b3] = [await startBroker(1), await startBroker(2), await startBroker(3)];
    await b3.zk.createRecursive(ConfigEntityZNode.topicPath('risky'), ConfigEntityZNode.encode({ 'unclean.leader.election.enable': 'true' }));
    // Existing topics whose only in-sync replica is broker 1, written before the controller starts.
    for (const topic of ['risky', 'safe']) {
      await b3.zk.create(TopicZNode.path(topic), TopicZNode.encode({ partitions: assignment([1, 2]) }));
      await b3.zk.createRecursive(TopicPartitionStateZNode.path(topic, 0), TopicPartitionStateZNode.encode({ leader: 1, leaderEpoch: 3, isr: [1], controllerEpoch: 1 }));
    }
    const c = await startController(b3);
    expect(c.isActive).toBe(true);
    await killSession(b1);
    await waitFor(async () => (await partitionState(b3.zk, 'risky', 0))?.leader === 2, 'unclean election of broker 2 for risky-0');
    expect(await partitionState(b3.zk, 'risky', 0)).toMatchObject({ leader: 2, leaderEpoch: 4, isr: [2] });
    await c.idle();
    // No clean choice and no override: no leader, and the last ISR member stays in the ISR.
    expect(await partitionState(b3.zk, 'safe', 0)).toMatchObject({ leader: -1, isr: [1] });
    expect(b2.server.leaderAndIsr().some((r) => r.topicStates.some((t) => t.topicName === 'risky' && t.partitionStates[0].leader === 2))).toBe(true);
  });

  test('a new topic gets a topic id, partition states and LeaderAndIsr/UpdateMetadata; a dead broker hands leadership to a live ISR member', async () => {
    const [b1, b2, b3] = [await startBroker(1), await startBroker(2), await startBroker(3)];
    const controller = await startController(b1);
    expect(controller.isActive).toBe(true);

    await b1.zk.create(TopicZNode.path('orders'), TopicZNode.encode({ partitions: assignment([1, 2], [2, 3]) }));
    const p0 = await waitFor(() => partitionState(b1.zk, 'orders', 0), 'state of orders-0');
    const p1 = await waitFor(() => partitionState(b1.zk, 'orders', 1), 'state of orders-1');
    expect(p0).toEqual({ leader: 1, leaderEpoch: 0, isr: [1, 2], controllerEpoch: 1, zkVersion: 0 });
    expect(p1).toEqual({ leader: 2, leaderEpoch: 0, isr: [2, 3], controllerEpoch: 1, zkVersion: 0 });
    const topicId = TopicZNode.decode((await b1.zk.get(TopicZNode.path('orders'))).data).topicId;
    expect(topicId).toMatch(/^[A-Za-z0-9_-]{22}$/);

    // LeaderAndIsr v5 goes to the replicas of each partition only, with isNew and the topic id.
    const lisrPartitions = async (b: TestBroker): Promise<number[]> => {
      const parts = b.server.leaderAndIsr().flatMap((r) => r.topicStates.filter((t) => t.topicName === 'orders').flatMap((t) => t.partitionStates.map((p) => p.partitionIndex)));
      return [...new Set(parts)].sort();
    };
    await waitFor(async () => (await lisrPartitions(b2)).length === 2, 'LeaderAndIsr for both partitions on broker 2');
    expect(await lisrPartitions(b1)).toEqual([0]);
    expect(await lisrPartitions(b3)).toEqual([1]);
    const lisr = b1.server.requests.find((r) => r.apiKey === ApiKey.LeaderAndIsr);
    expect(lisr?.version).toBe(5);
    expect(b1.server.leaderAndIsr()[0]).toMatchObject({ controllerId: 1, controllerEpoch: 1, brokerEpoch: b1.epoch });
    expect(b1.server.leaderAndIsr()[0].topicStates[0]).toMatchObject({
      topicName: 'orders',
      topicId,
      partitionStates: [{ partitionIndex: 0, leader: 1, leaderEpoch: 0, isr: [1, 2], zkVersion: 0, replicas: [1, 2], isNew: true }],
    });
    expect(b1.server.leaderAndIsr()[0].liveLeaders).toEqual([{ brokerId: 1, hostName: '127.0.0.1', port: b1.server.port }]);
    for (const b of [b1, b2, b3]) {
      await waitFor(
        () => b.server.updateMetadata().some((r) => r.topicStates.some((t) => t.topicName === 'orders' && t.topicId === topicId)),
        `UpdateMetadata with orders on broker ${b.id}`,
      );
    }
    expect(b3.server.requests.filter((r) => r.apiKey === ApiKey.UpdateMetadata).every((r) => r.version === 7)).toBe(true);

    // Broker 2 dies: it led orders-1, whose ISR holds 3; orders-0 keeps leader 1 with a shrunk ISR.
    await killSession(b2);
    await waitFor(async () => (await partitionState(b1.zk, 'orders', 1))?.leader === 3, 'orders-1 led by broker 3');
    expect(await partitionState(b1.zk, 'orders', 1)).toMatchObject({ leader: 3, leaderEpoch: 1, isr: [3], controllerEpoch: 1 });
    await waitFor(async () => (await partitionState(b1.zk, 'orders', 0))?.isr.length === 1, 'orders-0 ISR shrink');
    expect(await partitionState(b1.zk, 'orders', 0)).toMatchObject({ leader: 1, isr: [1] });
    await waitFor(
      () => b3.server.leaderAndIsr().some((r) => r.topicStates.some((t) => t.partitionStates.some((p) => p.partitionIndex === 1 && p.leader === 3 && p.leaderEpoch === 1))),
      'LeaderAndIsr making broker 3 the leader of orders-1',
    );
    await waitFor(
      () => b1.server.updateMetadata().some((r) => r.liveBrokers.length === 2 && r.topicStates.some((t) => t.partitionStates.some((p) => p.partitionIndex === 1 && p.leader === 3 && p.offlineReplicas.includes(2)))),
      'UpdateMetadata with the new leader and the offline replica',
    );
  });

  test('ISR change notifications written by a leader reach every broker through UpdateMetadata and are deleted', async () => {
    const [b1, b2] = [await startBroker(1), await startBroker(2)];
    const controller = await startController(b1);
    await b1.zk.create(TopicZNode.path('isr'), TopicZNode.encode({ partitions: assignment([2, 1]) }));
    const state = await waitFor(() => partitionState(b1.zk, 'isr', 0), 'state of isr-0');
    // The leader (broker 2) shrinks the ISR the pre-2.7-IV2 way: conditional state write + notification.
    await b2.zk.set(
      TopicPartitionStateZNode.path('isr', 0),
      TopicPartitionStateZNode.encode({ leader: 2, leaderEpoch: state.leaderEpoch, isr: [2], controllerEpoch: state.controllerEpoch }),
      state.zkVersion,
    );
    await b2.kzk.propagateIsrChanges([{ topic: 'isr', partition: 0 }]);
    for (const b of [b1, b2]) {
      await waitFor(
        () => b.server.updateMetadata().some((r) => r.topicStates.some((t) => t.topicName === 'isr' && t.partitionStates[0].isr.length === 1 && t.partitionStates[0].zkVersion === 1)),
        `UpdateMetadata with the shrunk ISR on broker ${b.id}`,
      );
    }
    await waitFor(async () => (await b1.kzk.getAllIsrChangeNotifications()).length === 0, 'notifications deleted');
    expect(controller.isActive).toBe(true);
  });

  test('controlled shutdown moves leadership off the broker and shrinks it out of the ISR before it leaves', async () => {
    const [b1, b2, b3] = [await startBroker(1), await startBroker(2), await startBroker(3)];
    const controller = await startController(b1);
    await b1.zk.create(TopicZNode.path('cs'), TopicZNode.encode({ partitions: assignment([2, 3], [3, 2], [2]) }));
    await waitFor(() => partitionState(b1.zk, 'cs', 2), 'state of cs-2');
    await expect(controller.controlledShutdown(2, b2.epoch - 1n)).rejects.toMatchObject({ code: 77 });
    await expect(controller.controlledShutdown(9, -1n)).rejects.toMatchObject({ code: 8 });
    const remaining = await controller.controlledShutdown(2, b2.epoch);
    // cs-2 has broker 2 as its only replica: it stays, and the broker is told it still leads it.
    expect(remaining).toEqual([]);
    expect(await partitionState(b1.zk, 'cs', 0)).toMatchObject({ leader: 3, leaderEpoch: 1, isr: [3] });
    expect(await partitionState(b1.zk, 'cs', 1)).toMatchObject({ leader: 3, isr: [3] });
    expect(await partitionState(b1.zk, 'cs', 2)).toMatchObject({ leader: 2, isr: [2] });
    await waitFor(
      () => b3.server.leaderAndIsr().some((r) => r.topicStates.some((t) => t.partitionStates.some((p) => p.partitionIndex === 0 && p.leader === 3))),
      'LeaderAndIsr making broker 3 leader of cs-0',
    );
    await waitFor(() => b2.server.stopReplica().some((r) => r.topicStates.some((t) => t.partitionStates.some((p) => p.partitionIndex === 1 && !p.deletePartition))), 'StopReplica for cs-1 to broker 2');
    // A non-controller refuses with NOT_CONTROLLER.
    const other = new KafkaController({
      brokerId: 3, brokerEpoch: () => b3.epoch, zkClient: b3.kzk, interBrokerListenerName: 'PLAINTEXT', deleteTopicEnable: true,
      uncleanLeaderElectionEnable: false, requestTimeoutMs: 5_000, logger: createLogger('controller-test', { brokerId: 3 }),
    });
    b3.controller = other;
    await other.startup();
    await expect(other.controlledShutdown(2, b2.epoch)).rejects.toMatchObject({ code: 41 });
  });

  test('a changed broker registration (same session) is sent to every broker in UpdateMetadata', async () => {
    const [b1, b2] = [await startBroker(1), await startBroker(2)];
    await startController(b1);
    await waitFor(() => b1.server.updateMetadata().length > 0, 'first UpdateMetadata');
    await b2.zk.set(
      BrokerIdZNode.path(2),
      BrokerIdZNode.encode({
        version: 5,
        endpoints: [
          { listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port: b2.server.port },
          { listenerName: 'EXTERNAL', securityProtocol: 'SASL_SSL', host: 'b2.example', port: 19093 },
        ],
        jmxPort: -1,
        rack: 'rack-2b',
        features: {},
      }),
    );
    const um = await waitFor(
      () => b1.server.updateMetadata().find((r) => r.liveBrokers.some((lb) => lb.id === 2 && lb.rack === 'rack-2b')),
      'UpdateMetadata with the new registration of broker 2',
    );
    expect(um.liveBrokers.find((lb) => lb.id === 2)?.endpoints).toEqual([
      { port: b2.server.port, host: '127.0.0.1', listener: 'PLAINTEXT', securityProtocol: 0 },
      { port: 19093, host: 'b2.example', listener: 'EXTERNAL', securityProtocol: 3 },
    ]);
  });

  test('partitions added to a topic znode come online', async () => {
    const [b1] = [await startBroker(1), await startBroker(2)];
    await startController(b1);
    await b1.zk.create(TopicZNode.path('grow'), TopicZNode.encode({ partitions: assignment([1]) }));
    await waitFor(() => partitionState(b1.zk, 'grow', 0), 'state of grow-0');
    const node = await b1.zk.get(TopicZNode.path('grow'));
    const current = TopicZNode.decode(node.data);
    await b1.zk.set(TopicZNode.path('grow'), TopicZNode.encode({ topicId: current.topicId, partitions: assignment([1], [2, 1]) }), node.stat.version);
    const p1 = await waitFor(() => partitionState(b1.zk, 'grow', 1), 'state of grow-1');
    expect(p1).toMatchObject({ leader: 2, isr: [2, 1], leaderEpoch: 0 });
  });

  test('topic deletion: StopReplica(delete) to every replica, then the znodes are removed', async () => {
    const [b1, b2] = [await startBroker(1), await startBroker(2)];
    await startController(b1);
    await b1.zk.create(TopicZNode.path('doomed'), TopicZNode.encode({ partitions: assignment([1, 2], [2, 1]) }));
    await b1.zk.createRecursive(ConfigEntityZNode.topicPath('doomed'), ConfigEntityZNode.encode({ 'retention.ms': '1000' }));
    await waitFor(() => partitionState(b1.zk, 'doomed', 1), 'state of doomed-1');
    await b1.zk.create(DeleteTopicsTopicZNode.path('doomed'), null);
    await waitFor(async () => (await b1.zk.exists(TopicZNode.path('doomed'))) === null, 'topic znode removed');
    expect(await b1.zk.exists(ConfigEntityZNode.topicPath('doomed'))).toBeNull();
    expect(await b1.zk.exists(DeleteTopicsTopicZNode.path('doomed'))).toBeNull();
    for (const b of [b1, b2]) {
      const deletes = b.server.stopReplica().flatMap((r) => r.topicStates.flatMap((t) => t.partitionStates.filter((p) => p.deletePartition).map((p) => p.partitionIndex)));
      expect([...new Set(deletes)].sort()).toEqual([0, 1]);
      const withDelete = b.server.stopReplica().find((r) => r.topicStates.some((t) => t.partitionStates.some((p) => p.deletePartition)));
      expect(withDelete?.topicStates[0].partitionStates[0].leaderEpoch).toBe(-2);
    }
    expect(b2.server.updateMetadata().some((r) => r.topicStates.some((t) => t.topicName === 'doomed' && t.partitionStates.every((p) => p.leader === -2)))).toBe(true);
  });

  test('topic deletion waits for a replica on a dead broker and completes when the broker returns', async () => {
    const [b1, b2] = [await startBroker(1), await startBroker(2)];
    const controller = await startController(b1);
    await b1.zk.create(TopicZNode.path('later'), TopicZNode.encode({ partitions: assignment([1, 2]) }));
    await waitFor(() => partitionState(b1.zk, 'later', 0), 'state of later-0');
    await killSession(b2);
    await b2.server.stop();
    await waitFor(async () => (await partitionState(b1.zk, 'later', 0))?.isr.length === 1, 'broker 2 out of the ISR');
    await b1.zk.create(DeleteTopicsTopicZNode.path('later'), null);
    await waitFor(() => b1.server.stopReplica().some((r) => r.topicStates.some((t) => t.topicName === 'later' && t.partitionStates[0].deletePartition)), 'StopReplica(delete) to broker 1');
    await controller.idle();
    expect(await b1.zk.exists(TopicZNode.path('later'))).not.toBeNull();

    const back = await startBroker(2);
    await waitFor(async () => (await b1.zk.exists(TopicZNode.path('later'))) === null, 'deletion completed after broker 2 returned');
    expect(back.server.stopReplica().some((r) => r.topicStates.some((t) => t.topicName === 'later' && t.partitionStates[0].deletePartition))).toBe(true);
    expect(await b1.kzk.getTopicDeletions()).toEqual([]);
  });

  test('with delete.topic.enable=false the deletion request is removed and the topic stays', async () => {
    const [b1] = [await startBroker(1)];
    const controller = await startController(b1, { deleteTopicEnable: false });
    await b1.zk.create(TopicZNode.path('kept'), TopicZNode.encode({ partitions: assignment([1]) }));
    await waitFor(() => partitionState(b1.zk, 'kept', 0), 'state of kept-0');
    await b1.zk.create(DeleteTopicsTopicZNode.path('kept'), null);
    await waitFor(async () => (await b1.zk.exists(DeleteTopicsTopicZNode.path('kept'))) === null, 'deletion request removed');
    await controller.idle();
    expect(await b1.zk.exists(TopicZNode.path('kept'))).not.toBeNull();
    expect(b1.server.stopReplica()).toEqual([]);
  });
});
