/**
 * Unit-test fixtures for the controller: partition state znodes in memory with ZooKeeper's conditional
 * update on zkVersion, a context with live brokers, and a channel that records what would be sent.
 */
import { type LeaderAndIsr, type LeaderIsrAndEpoch, type TopicPartition, tpKey } from '../../zk/kafka-zk-client';
import type { ControllerChannelManager } from '../channel-manager';
import { ControllerContext } from '../controller-context';

/** getTopicPartitionStates / updateLeaderAndIsr over `states`, as KafkaZkClient does them. */
export function memoryPartitionStates(states: Map<string, LeaderIsrAndEpoch>): {
  getTopicPartitionStates(tps: TopicPartition[]): Promise<Map<string, LeaderIsrAndEpoch>>;
  updateLeaderAndIsr(updates: { partition: TopicPartition; leaderAndIsr: LeaderAndIsr }[], controllerEpoch: number): Promise<{ finished: Map<string, { partition: TopicPartition; leaderAndIsr?: LeaderAndIsr }>; partitionsToRetry: TopicPartition[] }>;
} {
  return {
    getTopicPartitionStates: (tps) => Promise.resolve(new Map(tps.filter((tp) => states.has(tpKey(tp))).map((tp) => [tpKey(tp), structuredClone(states.get(tpKey(tp))!)]))),
    updateLeaderAndIsr: (updates, controllerEpoch) => {
      const finished = new Map<string, { partition: TopicPartition; leaderAndIsr?: LeaderAndIsr }>();
      const partitionsToRetry: TopicPartition[] = [];
      for (const { partition, leaderAndIsr } of updates) {
        if (states.get(tpKey(partition))?.leaderAndIsr.zkVersion !== leaderAndIsr.zkVersion) partitionsToRetry.push(partition);
        else {
          const next = { ...leaderAndIsr, zkVersion: leaderAndIsr.zkVersion + 1 };
          states.set(tpKey(partition), { leaderAndIsr: next, controllerEpoch });
          finished.set(tpKey(partition), { partition, leaderAndIsr: next });
        }
      }
      return Promise.resolve({ finished, partitionsToRetry });
    },
  };
}

/** A controller context at epoch 5 with brokers 1..3 live (broker epoch 100 + id). */
export function contextWithBrokers(ids: readonly number[] = [1, 2, 3]): ControllerContext {
  const context = new ControllerContext();
  context.epoch = 5;
  for (const id of ids) {
    context.liveBrokers.set(id, {
      id,
      epoch: BigInt(100 + id),
      registration: { version: 5, endpoints: [{ listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: 'h', port: 9090 + id }], jmxPort: -1, rack: null, features: {} },
    });
  }
  return context;
}

export interface SentRequest {
  brokerId: number;
  apiKey: number;
  request: unknown;
}

/** A channel manager that records every request instead of sending it. */
export function recordingChannel(sent: SentRequest[]): ControllerChannelManager {
  return { sendRequest: (brokerId: number, apiKey: number, _v: number, request: unknown) => void sent.push({ brokerId, apiKey, request }) } as unknown as ControllerChannelManager;
}
