/**
 * The leader's ISR writes against a real one-server ZooKeeper (Kafka 2.8's ZkPartitionStateStore path):
 * conditional on the zkVersion, a BADVERSION that already holds the wanted state counts, anything else
 * is stale; ISR change notifications are sequential znodes the controller can read back.
 */
import { ZooKeeperEnsemble } from '../../admin-cli/src/cluster/zookeeper-ensemble';
import { zkPropagateIsrChanges, zkUpdateIsr } from '../../broker/src/cluster';
import { KafkaZkClient, ZkClient } from '../../broker/src/zk';
import { TopicPartitionStateZNode } from '../../broker/src/zk/znodes';

jest.setTimeout(60_000);

let ensemble: ZooKeeperEnsemble;
let zk: ZkClient;
let kzk: KafkaZkClient;
const tp = { topic: 't', partition: 0 };

beforeAll(async () => {
  ensemble = await ZooKeeperEnsemble.start({ size: 1 });
  zk = await ZkClient.connect({ connectString: `${ensemble.connectString}/isr`, sessionTimeoutMs: 10_000, connectTimeoutMs: 10_000, createChroot: true });
  kzk = new KafkaZkClient(zk);
  await kzk.makeSurePersistentPathsExist();
  await kzk.createTopicPartitionStatesRaw([{ partition: tp, leaderAndIsr: { leader: 1, leaderEpoch: 2, isr: [1, 2, 3], zkVersion: 0 } }], 4);
});
afterAll(async () => {
  await zk?.close();
  await ensemble?.stop();
});

describe('zkUpdateIsr / zkPropagateIsrChanges', () => {
  test('writes the shrunk ISR conditionally on the zkVersion, then a retry of the same write counts, a different one is stale', async () => {
    const updateIsr = zkUpdateIsr(kzk);
    const update = { leader: 1, leaderEpoch: 2, isr: [1, 3], controllerEpoch: 4 };
    expect(await updateIsr(tp, update, 0)).toEqual({ zkVersion: 1 });
    expect(TopicPartitionStateZNode.decode((await zk.get(TopicPartitionStateZNode.path('t', 0))).data)).toEqual({ leader: 1, leaderEpoch: 2, isr: [1, 3], controllerEpoch: 4 });
    expect(await updateIsr(tp, update, 0)).toEqual({ zkVersion: 1 });
    expect(await updateIsr(tp, { ...update, isr: [1] }, 0)).toBe('stale');
    expect(await updateIsr({ topic: 'gone', partition: 0 }, update, 0)).toBe('stale');
  });

  test('writes one isr_change_ notification listing the partitions', async () => {
    await zkPropagateIsrChanges(kzk)([tp, { topic: 'u', partition: 3 }]);
    const seqs = await kzk.getAllIsrChangeNotifications();
    expect(seqs).toHaveLength(1);
    expect(await kzk.getPartitionsFromIsrChangeNotifications(seqs)).toEqual([tp, { topic: 'u', partition: 3 }]);
  });
});
