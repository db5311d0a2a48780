import { createLogger } from '../common/logger';
import type { KafkaZkClient } from '../zk/kafka-zk-client';
import type { ControllerChannelManager } from './channel-manager';
import { ControllerContext } from './controller-context';
import { PartitionStateMachine } from './partition-state-machine';
import { ReplicaStateMachine } from './replica-state-machine';
import { ControllerBrokerRequestBatch } from './request-batch';

/** No ZooKeeper: these transitions must be refused or applied without touching it. */
const noZk = new Proxy({}, { get: () => () => Promise.reject(new Error('ZooKeeper must not be used')) }) as unknown as KafkaZkClient;

function setup(): { context: ControllerContext; psm: PartitionStateMachine; rsm: ReplicaStateMachine; sent: number[] } {
  const sent: number[] = [];
  const channel = { sendRequest: (brokerId: number) => sent.push(brokerId) } as unknown as ControllerChannelManager;
  const context = new ControllerContext();
  context.updatePartitionFullReplicaAssignment({ topic: 't', partition: 0 }, { replicas: [1], addingReplicas: [], removingReplicas: [] });
  const logger = createLogger('test');
  const batch = new ControllerBrokerRequestBatch(1, 'PLAINTEXT', context, channel, { onStopReplicaDeletionResponse: () => undefined }, logger);
  const psm = new PartitionStateMachine({ context, zkClient: noZk, batch, logger, uncleanLeaderElectionEnabled: () => Promise.resolve(false) });
  const rsm = new ReplicaStateMachine({ context, zkClient: noZk, batch, logger });
  return { context, psm, rsm, sent };
}

const tp = { topic: 't', partition: 0 };

describe('PartitionStateMachine', () => {
  test('refuses an invalid transition and leaves the state as it was', async () => {
    const { context, psm } = setup();
    context.putPartitionState(tp, 'OnlinePartition');
    const r = await psm.handleStateChanges([tp], 'NonExistentPartition');
    expect(r.failed.get('t-0')?.error.message).toMatch(/OnlinePartition -> NonExistentPartition/);
    expect(context.partitionState(tp)).toBe('OnlinePartition');
  });

  test('NonExistent -> New -> Offline -> NonExistent only marks states', async () => {
    const { context, psm, sent } = setup();
    await psm.handleStateChanges([tp], 'NewPartition');
    expect(context.partitionState(tp)).toBe('NewPartition');
    await psm.handleStateChanges([tp], 'OfflinePartition');
    await psm.handleStateChanges([tp], 'NonExistentPartition');
    expect(context.partitionState(tp)).toBe('NonExistentPartition');
    expect(sent).toEqual([]);
  });
});

describe('ReplicaStateMachine', () => {
  test('refuses to start deleting an online replica', async () => {
    const { context, rsm } = setup();
    const r = { ...tp, replica: 1 };
    context.putReplicaState(r, 'OnlineReplica');
    await rsm.handleStateChanges([r], 'ReplicaDeletionStarted');
    expect(context.replicaState(r)).toBe('OnlineReplica');
  });

  test('NonExistentReplica removes the replica from the assignment after a successful deletion', async () => {
    const { context, rsm } = setup();
    const r = { ...tp, replica: 1 };
    context.putReplicaState(r, 'ReplicaDeletionSuccessful');
    await rsm.handleStateChanges([r], 'NonExistentReplica');
    expect(context.replicaState(r)).toBe('NonExistentReplica');
    expect(context.partitionReplicaAssignment(tp)).toEqual([]);
  });
});
