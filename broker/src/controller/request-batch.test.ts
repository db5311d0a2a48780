import { createLogger } from '../common/logger';
import { ApiKey, type ApiMessages } from '../protocol';
import type { ControllerChannelManager } from './channel-manager';
import { ControllerContext } from './controller-context';
import { ControllerBrokerRequestBatch, LEADER_AND_ISR_VERSION, STOP_REPLICA_VERSION, UPDATE_METADATA_VERSION } from './request-batch';

type Sent = { brokerId: number; apiKey: number; version: number; request: unknown };

function setup(): { context: ControllerContext; batch: ControllerBrokerRequestBatch; sent: Sent[] } {
  const sent: Sent[] = [];
  const channel = {
    sendRequest<K extends keyof ApiMessages>(brokerId: number, apiKey: K, version: number, request: ApiMessages[K]['request']): void {
      sent.push({ brokerId, apiKey, version, request });
    },
  } as unknown as ControllerChannelManager;
  const context = new ControllerContext();
  context.epoch = 7;
  for (const id of [1, 2, 3]) {
    context.liveBrokers.set(id, {
      id,
      epoch: BigInt(100 + id),
      registration: {
        version: 5,
        endpoints: [
          { listenerName: 'INTERNAL', securityProtocol: 'PLAINTEXT', host: `h${id}`, port: 9000 + id },
          { listenerName: 'EXTERNAL', securityProtocol: 'SASL_SSL', host: `e${id}`, port: 9100 + id },
        ],
        jmxPort: -1,
        rack: id === 1 ? 'r1' : null,
        features: {},
      },
    });
    context.allTopics.add('t');
  }
  context.topicIds.set('t', 'AAAAAAAAAAAAAAAAAAAAAQ');
  context.updatePartitionFullReplicaAssignment({ topic: 't', partition: 0 }, { replicas: [1, 2, 4], addingReplicas: [], removingReplicas: [] });
  context.partitionLeadershipInfo.set('t-0', { leaderAndIsr: { leader: 1, leaderEpoch: 5, isr: [1, 2], zkVersion: 9 }, controllerEpoch: 6 });
  const batch = new ControllerBrokerRequestBatch(0, 'INTERNAL', context, channel, { onStopReplicaDeletionResponse: () => undefined }, createLogger('test'));
  return { context, batch, sent };
}

describe('ControllerBrokerRequestBatch', () => {
  test('LeaderAndIsr v5 goes to the named brokers, UpdateMetadata v7 to every live broker, each with its broker epoch', () => {
    const { batch, sent } = setup();
    batch.newBatch();
    batch.addLeaderAndIsrRequestForBrokers([1, 2], { topic: 't', partition: 0 }, true);
    batch.sendRequestsToBrokers(7);
    const lisr = sent.filter((s) => s.apiKey === ApiKey.LeaderAndIsr);
    expect(lisr.map((s) => [s.brokerId, s.version])).toEqual([[1, LEADER_AND_ISR_VERSION], [2, LEADER_AND_ISR_VERSION]]);
    expect(lisr[1].request).toMatchObject({
      controllerId: 0,
      controllerEpoch: 7,
      brokerEpoch: 102n,
      topicStates: [{ topicName: 't', topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', partitionStates: [{ leader: 1, leaderEpoch: 5, isr: [1, 2], zkVersion: 9, replicas: [1, 2, 4], isNew: true, controllerEpoch: 6 }] }],
      liveLeaders: [{ brokerId: 1, hostName: 'h1', port: 9001 }],
    });
    const um = sent.filter((s) => s.apiKey === ApiKey.UpdateMetadata);
    expect(um.map((s) => [s.brokerId, s.version])).toEqual([[1, UPDATE_METADATA_VERSION], [2, UPDATE_METADATA_VERSION], [3, UPDATE_METADATA_VERSION]]);
    expect(um[2].request).toMatchObject({
      brokerEpoch: 103n,
      topicStates: [{ topicName: 't', partitionStates: [{ leader: 1, offlineReplicas: [4] }] }],
      liveBrokers: [
        { id: 1, rack: 'r1', endpoints: [{ listener: 'INTERNAL', host: 'h1', port: 9001, securityProtocol: 0 }, { listener: 'EXTERNAL', host: 'e1', port: 9101, securityProtocol: 3 }] },
        { id: 2, rack: null },
        { id: 3, rack: null },
      ],
    });
    // The order Kafka sends in: LeaderAndIsr before UpdateMetadata.
    expect(sent.findIndex((s) => s.apiKey === ApiKey.UpdateMetadata)).toBeGreaterThan(sent.findIndex((s) => s.apiKey === ApiKey.LeaderAndIsr));
  });

  test('a topic queued for deletion gets leader -2 in UpdateMetadata and leader epoch -2 in StopReplica v3', () => {
    const { context, batch, sent } = setup();
    context.topicsToBeDeleted.add('t');
    batch.newBatch();
    batch.addStopReplicaRequestForBrokers([2], { topic: 't', partition: 0 }, false);
    batch.addStopReplicaRequestForBrokers([2], { topic: 't', partition: 0 }, true);
    batch.addUpdateMetadataRequestForBrokers([1], [{ topic: 't', partition: 0 }]);
    batch.sendRequestsToBrokers(7);
    const stop = sent.find((s) => s.apiKey === ApiKey.StopReplica);
    expect(stop?.version).toBe(STOP_REPLICA_VERSION);
    expect(stop?.request).toMatchObject({ brokerEpoch: 102n, topicStates: [{ topicName: 't', partitionStates: [{ partitionIndex: 0, leaderEpoch: -2, deletePartition: true }] }] });
    const um = sent.find((s) => s.apiKey === ApiKey.UpdateMetadata);
    expect(um?.request).toMatchObject({ topicStates: [{ partitionStates: [{ leader: -2 }] }] });
  });

  test('requests to brokers that are not live are not sent, and a new batch must start empty', () => {
    const { batch, sent } = setup();
    batch.newBatch();
    batch.addLeaderAndIsrRequestForBrokers([4], { topic: 't', partition: 0 }, false);
    expect(() => batch.newBatch()).toThrow(/not empty/);
    batch.sendRequestsToBrokers(7);
    expect(sent.filter((s) => s.brokerId === 4)).toEqual([]);
    expect(() => batch.newBatch()).not.toThrow();
  });
});
