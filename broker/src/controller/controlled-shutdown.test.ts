import { createLogger } from '../common/logger';
import { ApiKey, ErrorCode, KafkaProtocolError } from '../protocol';
import type { LeaderAndIsrRequest } from '../protocol/generated/leader-and-isr-request';
import type { StopReplicaRequest } from '../protocol/generated/stop-replica-request';
import { type KafkaZkClient, type LeaderIsrAndEpoch, tpKey } from '../zk/kafka-zk-client';
import { ControllerHandlers, type ControllerHandlersOptions } from './controller-handlers';
import { PartitionStateMachine } from './partition-state-machine';
import { ReplicaStateMachine } from './replica-state-machine';
import { ControllerBrokerRequestBatch } from './request-batch';
import { contextWithBrokers, memoryPartitionStates, recordingChannel, type SentRequest } from './testing/controller-fixture';

const logger = createLogger('test');

function memoryZk(states: Map<string, LeaderIsrAndEpoch>): KafkaZkClient {
  return memoryPartitionStates(states) as unknown as KafkaZkClient;
}

function setup() {
  const sent: SentRequest[] = [];
  const channel = recordingChannel(sent);
  const context = contextWithBrokers();
  const states = new Map<string, LeaderIsrAndEpoch>();
  const add = (partition: number, replicas: number[], leader: number): void => {
    const tp = { topic: 't', partition };
    context.allTopics.add('t');
    context.updatePartitionFullReplicaAssignment(tp, { replicas, addingReplicas: [], removingReplicas: [] });
    const state = { leaderAndIsr: { leader, leaderEpoch: 3, isr: [...replicas], zkVersion: 7 }, controllerEpoch: 5 };
    states.set(tpKey(tp), structuredClone(state));
    context.partitionLeadershipInfo.set(tpKey(tp), state);
    context.putPartitionState(tp, 'OnlinePartition');
    for (const replica of replicas) context.putReplicaState({ ...tp, replica }, 'OnlineReplica');
  };
  add(0, [1, 2, 3], 1);
  add(1, [2, 1, 3], 2);
  add(2, [1], 1);
  const zkClient = memoryZk(states);
  const batch = new ControllerBrokerRequestBatch(2, 'PLAINTEXT', context, channel, { onStopReplicaDeletionResponse: () => undefined }, logger);
  const partitionStateMachine = new PartitionStateMachine({ context, zkClient, batch, logger, uncleanLeaderElectionEnabled: () => Promise.resolve(false) });
  const replicaStateMachine = new ReplicaStateMachine({ context, zkClient, batch, logger });
  const handlers = new ControllerHandlers({
    brokerId: 2,
    context,
    zkClient,
    batch,
    partitionStateMachine,
    replicaStateMachine,
    logger,
    channelManager: channel,
    deleteTopicEnable: true,
  } as unknown as ControllerHandlersOptions);
  return { handlers, context, states, sent };
}

function leaderAndIsrTo(sent: SentRequest[], brokerId: number, partition: number) {
  return sent
    .filter((s) => s.brokerId === brokerId && s.apiKey === ApiKey.LeaderAndIsr)
    .flatMap((s) => (s.request as LeaderAndIsrRequest).topicStates.flatMap((t) => t.partitionStates))
    .filter((p) => p.partitionIndex === partition);
}

describe('controller: controlled shutdown (doControlledShutdown)', () => {
  it('moves leaders off the broker (ControlledShutdownPartitionLeaderElection) and tells it too, then reports nothing left', async () => {
    const { handlers, states, sent, context } = setup();
    expect(await handlers.controlledShutdown(1, 101n)).toEqual([]);
    expect(context.shuttingDownBrokerIds.has(1)).toBe(true);
    expect(states.get('t-0')!.leaderAndIsr).toEqual({ leader: 2, leaderEpoch: 4, isr: [2, 3], zkVersion: 8 });
    for (const b of [1, 2, 3]) expect(leaderAndIsrTo(sent, b, 0).at(-1)).toMatchObject({ leader: 2, leaderEpoch: 4, isr: [2, 3] });
    const um = sent.filter((s) => s.apiKey === ApiKey.UpdateMetadata).map((s) => s.brokerId);
    expect(new Set(um)).toEqual(new Set([1, 2, 3]));
  });

  it('takes the broker out of the ISR of partitions it follows (StopReplica to it, LeaderAndIsr to the others)', async () => {
    const { handlers, states, sent } = setup();
    await handlers.controlledShutdown(1, 101n);
    expect(states.get('t-1')!.leaderAndIsr).toEqual({ leader: 2, leaderEpoch: 4, isr: [2, 3], zkVersion: 8 });
    expect(leaderAndIsrTo(sent, 2, 1).at(-1)).toMatchObject({ leader: 2, isr: [2, 3] });
    expect(leaderAndIsrTo(sent, 1, 1)).toEqual([]);
    const stops = sent.filter((s) => s.brokerId === 1 && s.apiKey === ApiKey.StopReplica).flatMap((s) => (s.request as StopReplicaRequest).topicStates.flatMap((t) => t.partitionStates));
    expect(stops.map((p) => [p.partitionIndex, p.deletePartition])).toContainEqual([1, false]);
    // A single-replica partition has nowhere to go and is not reported.
    expect(states.get('t-2')!.leaderAndIsr.leader).toBe(1);
  });

  it('reports the partitions still led when no other in-sync replica can take over', async () => {
    const { handlers, context, states } = setup();
    for (const m of [states, context.partitionLeadershipInfo]) {
      const info = m.get('t-0')!;
      m.set('t-0', { ...info, leaderAndIsr: { ...info.leaderAndIsr, isr: [1] } });
    }
    expect(await handlers.controlledShutdown(1, 101n)).toEqual([{ topic: 't', partition: 0 }]);
    expect(states.get('t-0')!.leaderAndIsr).toEqual({ leader: 1, leaderEpoch: 3, isr: [1], zkVersion: 7 });
  });

  it('refuses an older broker epoch (STALE_BROKER_EPOCH) and an unknown broker (BROKER_NOT_AVAILABLE)', async () => {
    const { handlers } = setup();
    await expect(handlers.controlledShutdown(1, 100n)).rejects.toMatchObject({ code: ErrorCode.STALE_BROKER_EPOCH });
    await expect(handlers.controlledShutdown(9, -1n)).rejects.toBeInstanceOf(KafkaProtocolError);
  });
});
