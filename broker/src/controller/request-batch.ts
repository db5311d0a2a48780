/**
 * Kafka's ControllerBrokerRequestBatch: the LeaderAndIsr, UpdateMetadata and StopReplica requests one
 * state change produces, collected per broker and sent together (LeaderAndIsr v5, UpdateMetadata v7,
 * StopReplica v3, as a 2.8 controller at IBP 2.8), each with the controller id, the controller epoch and
 * the recipient's broker epoch. UpdateMetadata carries every live broker (all endpoints, rack).
 */
import type { Logger } from '../common/logger';
import { ApiKey, ZERO_UUID } from '../protocol';
import type { LeaderAndIsrPartitionState, LeaderAndIsrRequest } from '../protocol/generated/leader-and-isr-request';
import type { LeaderAndIsrResponse } from '../protocol/generated/leader-and-isr-response';
import type { StopReplicaRequest } from '../protocol/generated/stop-replica-request';
import type { StopReplicaResponse } from '../protocol/generated/stop-replica-response';
import type { UpdateMetadataPartitionState, UpdateMetadataRequest } from '../protocol/generated/update-metadata-request';
import { tpKey, type TopicPartition } from '../zk/kafka-zk-client';
import type { SecurityProtocol } from '../zk/znodes';
import type { ControllerChannelManager } from './channel-manager';
import type { ControllerContext } from './controller-context';

export const LEADER_AND_ISR_VERSION = 5;
export const UPDATE_METADATA_VERSION = 7;
export const STOP_REPLICA_VERSION = 3;

/** LeaderAndIsr.LeaderDuringDelete / EpochDuringDelete / NoEpoch. */
export const LEADER_DURING_DELETE = -2;
export const EPOCH_DURING_DELETE = -2;
export const NO_EPOCH = -1;

const SECURITY_PROTOCOL_IDS: Readonly<Record<SecurityProtocol, number>> = { PLAINTEXT: 0, SSL: 1, SASL_PLAINTEXT: 2, SASL_SSL: 3 };

export interface StopReplicaPartitionResult {
  partition: TopicPartition;
  errorCode: number;
}

export interface RequestBatchCallbacks {
  /** Responses to StopReplica requests that deleted partitions (topic deletion). */
  onStopReplicaDeletionResponse(brokerId: number, results: StopReplicaPartitionResult[]): void;
  onLeaderAndIsrResponse?(brokerId: number, response: LeaderAndIsrResponse): void;
}

export class ControllerBrokerRequestBatch {
  private readonly leaderAndIsr = new Map<number, Map<string, { topic: string; state: LeaderAndIsrPartitionState }>>();
  private readonly updateMetadataBrokers = new Set<number>();
  private readonly updateMetadataPartitions = new Map<string, TopicPartition>();
  private readonly stopReplica = new Map<number, Map<string, { tp: TopicPartition; deletePartition: boolean; leaderEpoch: number }>>();

  constructor(
    private readonly controllerId: number,
    private readonly interBrokerListenerName: string,
    private readonly context: ControllerContext,
    private readonly channel: ControllerChannelManager,
    private readonly callbacks: RequestBatchCallbacks,
    private readonly log: Logger,
  ) {}

  newBatch(): void {
    if (this.leaderAndIsr.size > 0 || this.updateMetadataBrokers.size > 0 || this.stopReplica.size > 0) {
      throw new Error('controller to broker state change requests batch is not empty while creating a new one');
    }
  }

  clear(): void {
    this.leaderAndIsr.clear();
    this.updateMetadataBrokers.clear();
    this.updateMetadataPartitions.clear();
    this.stopReplica.clear();
  }

  /** LeaderAndIsr for `tp` to `brokerIds`, plus UpdateMetadata of `tp` to every live broker. */
  addLeaderAndIsrRequestForBrokers(brokerIds: Iterable<number>, tp: TopicPartition, isNew: boolean): void {
    const info = this.context.partitionLeadershipInfo.get(tpKey(tp));
    const assignment = this.context.partitionFullReplicaAssignment(tp);
    if (info !== undefined && assignment !== undefined) {
      for (const brokerId of brokerIds) {
        if (brokerId < 0) continue;
        let perBroker = this.leaderAndIsr.get(brokerId);
        if (perBroker === undefined) {
          perBroker = new Map();
          this.leaderAndIsr.set(brokerId, perBroker);
        }
        const already = perBroker.get(tpKey(tp))?.state.isNew ?? false;
        perBroker.set(tpKey(tp), {
          topic: tp.topic,
          state: {
            topicName: tp.topic,
            partitionIndex: tp.partition,
            controllerEpoch: info.controllerEpoch,
            leader: info.leaderAndIsr.leader,
            leaderEpoch: info.leaderAndIsr.leaderEpoch,
            isr: info.leaderAndIsr.isr,
            zkVersion: info.leaderAndIsr.zkVersion,
            replicas: assignment.replicas,
            addingReplicas: assignment.addingReplicas,
            removingReplicas: assignment.removingReplicas,
            isNew: isNew || already,
          },
        });
      }
    }
    this.addUpdateMetadataRequestForBrokers(this.context.liveBrokerIds(), [tp]);
  }

  addUpdateMetadataRequestForBrokers(brokerIds: Iterable<number>, partitions: Iterable<TopicPartition>): void {
    for (const id of brokerIds) this.updateMetadataBrokers.add(id);
    for (const tp of partitions) this.updateMetadataPartitions.set(tpKey(tp), tp);
  }

  addStopReplicaRequestForBrokers(brokerIds: Iterable<number>, tp: TopicPartition, deletePartition: boolean): void {
    const info = this.context.partitionLeadershipInfo.get(tpKey(tp));
    const leaderEpoch = this.context.topicsToBeDeleted.has(tp.topic) ? EPOCH_DURING_DELETE : (info?.leaderAndIsr.leaderEpoch ?? NO_EPOCH);
    for (const brokerId of brokerIds) {
      let perBroker = this.stopReplica.get(brokerId);
      if (perBroker === undefined) {
        perBroker = new Map();
        this.stopReplica.set(brokerId, perBroker);
      }
      // A delete asked for earlier in the same batch is kept.
      const prior = perBroker.get(tpKey(tp));
      perBroker.set(tpKey(tp), { tp, deletePartition: deletePartition || (prior?.deletePartition ?? false), leaderEpoch });
    }
  }

  /** Sends everything collected, in Kafka's order (LeaderAndIsr, UpdateMetadata, StopReplica), and clears. */
  sendRequestsToBrokers(controllerEpoch: number): void {
    try {
      this.sendLeaderAndIsrRequests(controllerEpoch);
      this.sendUpdateMetadataRequests(controllerEpoch);
      this.sendStopReplicaRequests(controllerEpoch);
    } finally {
      this.clear();
    }
  }

  private brokerEpoch(brokerId: number): bigint {
    return this.context.liveBrokerEpoch(brokerId) ?? -1n;
  }

  private sendLeaderAndIsrRequests(controllerEpoch: number): void {
    for (const [brokerId, states] of this.leaderAndIsr) {
      if (!this.context.isLiveOrShuttingDown(brokerId)) continue;
      const byTopic = new Map<string, LeaderAndIsrPartitionState[]>();
      const leaderIds = new Set<number>();
      for (const { topic, state } of states.values()) {
        const list = byTopic.get(topic) ?? [];
        list.push(state);
        byTopic.set(topic, list);
        leaderIds.add(state.leader);
      }
      const liveLeaders = [...leaderIds].flatMap((id) => {
        const b = this.context.liveBrokers.get(id);
        const ep = b?.registration.endpoints.find((e) => e.listenerName === this.interBrokerListenerName);
        return b === undefined || ep === undefined ? [] : [{ brokerId: id, hostName: ep.host ?? '', port: ep.port }];
      });
      const request: LeaderAndIsrRequest = {
        controllerId: this.controllerId,
        controllerEpoch,
        brokerEpoch: this.brokerEpoch(brokerId),
        type: 0,
        ungroupedPartitionStates: [],
        topicStates: [...byTopic].map(([topicName, partitionStates]) => ({
          topicName,
          topicId: this.context.topicIds.get(topicName) ?? ZERO_UUID,
          partitionStates,
        })),
        liveLeaders,
      };
      this.log.debug({ brokerId, partitions: states.size }, 'sending LeaderAndIsr request');
      this.channel.sendRequest(brokerId, ApiKey.LeaderAndIsr, LEADER_AND_ISR_VERSION, request, (response) => {
        this.callbacks.onLeaderAndIsrResponse?.(brokerId, response);
      });
    }
  }

  private sendUpdateMetadataRequests(controllerEpoch: number): void {
    if (this.updateMetadataBrokers.size === 0) return;
    const byTopic = new Map<string, UpdateMetadataPartitionState[]>();
    for (const tp of this.updateMetadataPartitions.values()) {
      const info = this.context.partitionLeadershipInfo.get(tpKey(tp));
      if (info === undefined) continue;
      const replicas = this.context.partitionReplicaAssignment(tp);
      const beingDeleted = this.context.topicsToBeDeleted.has(tp.topic);
      const list = byTopic.get(tp.topic) ?? [];
      list.push({
        topicName: tp.topic,
        partitionIndex: tp.partition,
        controllerEpoch: info.controllerEpoch,
        leader: beingDeleted ? LEADER_DURING_DELETE : info.leaderAndIsr.leader,
        leaderEpoch: info.leaderAndIsr.leaderEpoch,
        isr: info.leaderAndIsr.isr,
        zkVersion: info.leaderAndIsr.zkVersion,
        replicas,
        offlineReplicas: replicas.filter((r) => !this.context.isReplicaOnline(r)),
      });
      byTopic.set(tp.topic, list);
    }
    const liveBrokers = this.context.liveBrokerIds().map((id) => {
      const reg = this.context.liveBrokers.get(id)?.registration;
      return {
        id,
        v0Host: '',
        v0Port: 0,
        endpoints: (reg?.endpoints ?? []).map((e) => ({
          port: e.port,
          host: e.host ?? '',
          listener: e.listenerName,
          securityProtocol: SECURITY_PROTOCOL_IDS[e.securityProtocol],
        })),
        rack: reg?.rack ?? null,
      };
    });
    const topicStates = [...byTopic].map(([topicName, partitionStates]) => ({
      topicName,
      topicId: this.context.topicIds.get(topicName) ?? ZERO_UUID,
      partitionStates,
    }));
    for (const brokerId of [...this.updateMetadataBrokers].sort((a, b) => a - b)) {
      if (!this.context.isLiveOrShuttingDown(brokerId)) continue;
      const request: UpdateMetadataRequest = {
        controllerId: this.controllerId,
        controllerEpoch,
        brokerEpoch: this.brokerEpoch(brokerId),
        ungroupedPartitionStates: [],
        topicStates,
        liveBrokers,
      };
      this.channel.sendRequest(brokerId, ApiKey.UpdateMetadata, UPDATE_METADATA_VERSION, request, (response) => {
        if (response.errorCode !== 0) this.log.warn({ brokerId, errorCode: response.errorCode }, 'UpdateMetadata failed on broker');
      });
    }
  }

  private sendStopReplicaRequests(controllerEpoch: number): void {
    for (const [brokerId, entries] of this.stopReplica) {
      if (!this.context.isLiveOrShuttingDown(brokerId)) continue;
      const byTopic = new Map<string, { partitionIndex: number; leaderEpoch: number; deletePartition: boolean }[]>();
      let anyDelete = false;
      for (const e of entries.values()) {
        const list = byTopic.get(e.tp.topic) ?? [];
        list.push({ partitionIndex: e.tp.partition, leaderEpoch: e.leaderEpoch, deletePartition: e.deletePartition });
        byTopic.set(e.tp.topic, list);
        anyDelete ||= e.deletePartition;
      }
      const deleted = [...entries.values()].filter((e) => e.deletePartition).map((e) => e.tp);
      const request: StopReplicaRequest = {
        controllerId: this.controllerId,
        controllerEpoch,
        brokerEpoch: this.brokerEpoch(brokerId),
        deletePartitions: false,
        ungroupedPartitions: [],
        topics: [],
        topicStates: [...byTopic].map(([topicName, partitionStates]) => ({ topicName, partitionStates })),
      };
      this.channel.sendRequest(brokerId, ApiKey.StopReplica, STOP_REPLICA_VERSION, request, (response: StopReplicaResponse) => {
        if (!anyDelete) return;
        const errors = new Map(response.partitionErrors.map((p) => [tpKey({ topic: p.topicName, partition: p.partitionIndex }), p.errorCode]));
        const results = deleted.map((tp) => ({ partition: tp, errorCode: response.errorCode !== 0 ? response.errorCode : (errors.get(tpKey(tp)) ?? 0) }));
        this.callbacks.onStopReplicaDeletionResponse(brokerId, results);
      });
    }
  }
}
