/**
 * Kafka 2.8's (ZooKeeper-mode) MetadataCache: the broker's view of the cluster as the controller last
 * sent it in UpdateMetadata — live brokers with their listener endpoints, every partition's leader,
 * leader epoch, replicas, ISR and offline replicas, topic ids and the controller id. Metadata,
 * DescribeCluster and the produce/fetch "does this partition exist" checks read it.
 *
 * Rules copied from MetadataCache.scala:
 *  - UpdateMetadata is a partial update: partition states not mentioned are kept; a state whose leader
 *    is LeaderDuringDelete (-2) removes the partition (and the topic with its id once it has none left)
 *    and is reported back as deleted. Live brokers and the controller id are replaced every time.
 *  - getTopicMetadata: a leader with no endpoint for the request's listener gives leader -1 and
 *    LEADER_NOT_AVAILABLE when the leader is not alive, LISTENER_NOT_FOUND (v6+, `errorUnavailableListeners`)
 *    or LEADER_NOT_AVAILABLE (older) when it is alive but lacks the listener. With v0
 *    (`errorUnavailableEndpoints`) replicas and ISR are filtered to live brokers and a shortened list
 *    gives REPLICA_NOT_AVAILABLE; later versions list them unfiltered.
 */
import { type Logger, createLogger } from '../common/logger';
import type { TopicPartition } from '../log/log-names';
import { ErrorCode, ZERO_UUID } from '../protocol';
import type { MetadataResponsePartition, MetadataResponseTopic } from '../protocol/generated/metadata-response';
import type { UpdateMetadataPartitionState, UpdateMetadataRequest } from '../protocol/generated/update-metadata-request';
import { isInternalTopic } from './topic';

/** LeaderAndIsr.LeaderDuringDelete: the controller marks partitions of a topic being deleted with it. */
export const LEADER_DURING_DELETE = -2;
/** MetadataResponse.NO_LEADER_ID. */
export const NO_LEADER_ID = -1;
/** Kafka's default for the authorized-operations fields when they are not asked for (Int.MinValue). */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

/** SecurityProtocol ids → names (ListenerName.forSecurityProtocol for UpdateMetadata v1-2). */
const SECURITY_PROTOCOL_NAMES: Readonly<Record<number, string>> = { 0: 'PLAINTEXT', 1: 'SSL', 2: 'SASL_PLAINTEXT', 3: 'SASL_SSL' };

export interface BrokerEndpoint {
  listener: string;
  host: string;
  port: number;
  securityProtocol: number;
}

export interface AliveBroker {
  id: number;
  rack: string | null;
  endpoints: ReadonlyArray<BrokerEndpoint>;
}

/** A broker as a client on one listener sees it (Kafka's Node). */
export interface BrokerNode {
  id: number;
  host: string;
  port: number;
  rack: string | null;
}

export class MetadataCache {
  private readonly logger: Logger;
  private brokers = new Map<number, AliveBroker>();
  /** topic → partition → state, partitions kept in a Map so each topic's partitions stay together. */
  private readonly states = new Map<string, Map<number, UpdateMetadataPartitionState>>();
  private readonly topicIds = new Map<string, string>();
  private readonly listeners = new Set<() => void>();
  private _controllerId: number | null = null;

  constructor(
    readonly brokerId: number,
    logger?: Logger,
  ) {
    this.logger = logger?.child({ component: 'MetadataCache' }) ?? createLogger('MetadataCache', { brokerId });
  }

  get controllerId(): number | null {
    return this._controllerId;
  }

  /** Applies an UpdateMetadata request (any version); returns the partitions it deleted. */
  updateMetadata(correlationId: number, req: UpdateMetadataRequest): TopicPartition[] {
    this._controllerId = req.controllerId < 0 ? null : req.controllerId;
    const brokers = new Map<number, AliveBroker>();
    for (const b of req.liveBrokers) {
      // v0 carries one PLAINTEXT host/port; v1-2 endpoints have no listener name (it is the protocol's).
      const endpoints: BrokerEndpoint[] =
        b.endpoints.length === 0 && b.v0Host !== ''
          ? [{ listener: 'PLAINTEXT', host: b.v0Host, port: b.v0Port, securityProtocol: 0 }]
          : b.endpoints.map((ep) => ({
              listener: ep.listener !== '' ? ep.listener : (SECURITY_PROTOCOL_NAMES[ep.securityProtocol] ?? String(ep.securityProtocol)),
              host: ep.host,
              port: ep.port,
              securityProtocol: ep.securityProtocol,
            }));
      brokers.set(b.id, { id: b.id, rack: b.rack, endpoints });
    }
    const own = brokers.get(this.brokerId);
    if (own) {
      const names = own.endpoints.map((e) => e.listener).sort().join(',');
      for (const b of brokers.values()) {
        if (b.endpoints.map((e) => e.listener).sort().join(',') !== names) {
          this.logger.error({ brokers: [...brokers.values()] }, 'Listeners are not identical across brokers');
          break;
        }
      }
    }
    this.brokers = brokers;

    for (const t of req.topicStates) if (t.topicId !== ZERO_UUID && t.topicId !== '') this.topicIds.set(t.topicName, t.topicId);

    const deleted: TopicPartition[] = [];
    let added = 0;
    const apply = (topic: string, state: UpdateMetadataPartitionState): void => {
      if (state.leader === LEADER_DURING_DELETE) {
        const parts = this.states.get(topic);
        parts?.delete(state.partitionIndex);
        if (parts !== undefined && parts.size === 0) {
          this.states.delete(topic);
          this.topicIds.delete(topic);
        }
        deleted.push({ topic, partition: state.partitionIndex });
      } else {
        let parts = this.states.get(topic);
        if (parts === undefined) this.states.set(topic, (parts = new Map()));
        parts.set(state.partitionIndex, { ...state, topicName: topic });
        added++;
      }
    };
    for (const state of req.ungroupedPartitionStates) apply(state.topicName, state);
    for (const t of req.topicStates) for (const state of t.partitionStates) apply(t.topicName, state);
    if (added + deleted.length > 0) {
      this.logger.info(
        `Add ${added} partitions and deleted ${deleted.length} partitions from metadata cache in response to UpdateMetadata request ` +
          `sent by controller ${req.controllerId} epoch ${req.controllerEpoch} with correlation id ${correlationId}`,
      );
    }
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch (err) {
        this.logger.error({ err }, 'metadata update listener failed');
      }
    }
    return deleted;
  }

  /** Called after every applied UpdateMetadata; returns the unsubscribe function. */
  onUpdate(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  aliveBrokers(): ReadonlyArray<AliveBroker> {
    return [...this.brokers.values()];
  }

  aliveBroker(id: number): AliveBroker | undefined {
    return this.brokers.get(id);
  }

  hasAliveBroker(id: number): boolean {
    return this.brokers.has(id);
  }

  /** Live brokers that have an endpoint on `listenerName` (Kafka's getAliveBrokerNodes). */
  aliveBrokerNodes(listenerName: string): BrokerNode[] {
    const out: BrokerNode[] = [];
    for (const b of this.brokers.values()) {
      const node = nodeOf(b, listenerName);
      if (node) out.push(node);
    }
    return out;
  }

  partitionState(topic: string, partition: number): UpdateMetadataPartitionState | undefined {
    return this.states.get(topic)?.get(partition);
  }

  partitionCount(topic: string): number | undefined {
    return this.states.get(topic)?.size;
  }

  contains(topic: string): boolean {
    return this.states.has(topic);
  }

  containsPartition(topic: string, partition: number): boolean {
    return this.states.get(topic)?.has(partition) ?? false;
  }

  allTopics(): string[] {
    return [...this.states.keys()];
  }

  /** The topic's id, ZERO_UUID when unknown. */
  topicId(topic: string): string {
    return this.topicIds.get(topic) ?? ZERO_UUID;
  }

  /** Metadata of the known topics among `topics` (unknown ones are left out, as in Kafka). */
  getTopicMetadata(topics: Iterable<string>, listenerName: string, errorUnavailableEndpoints: boolean, errorUnavailableListeners: boolean): MetadataResponseTopic[] {
    const out: MetadataResponseTopic[] = [];
    for (const topic of topics) {
      const parts = this.states.get(topic);
      if (parts === undefined) continue;
      const partitions = [...parts.values()]
        .sort((a, b) => a.partitionIndex - b.partitionIndex)
        .map((s) => this.partitionMetadata(s, listenerName, errorUnavailableEndpoints, errorUnavailableListeners));
      out.push({
        errorCode: ErrorCode.NONE,
        name: topic,
        topicId: this.topicId(topic),
        isInternal: isInternalTopic(topic),
        partitions,
        topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
      });
    }
    return out;
  }

  private partitionMetadata(s: UpdateMetadataPartitionState, listenerName: string, errorUnavailableEndpoints: boolean, errorUnavailableListeners: boolean): MetadataResponsePartition {
    const filter = (ids: number[]): number[] => (errorUnavailableEndpoints ? ids.filter((id) => this.hasAliveEndpoint(id, listenerName)) : [...ids]);
    const replicaNodes = filter(s.replicas);
    const isrNodes = filter(s.isr);
    const leader = this.brokers.get(s.leader);
    const leaderNode = leader ? nodeOf(leader, listenerName) : undefined;
    let errorCode: number;
    if (leaderNode === undefined) {
      if (leader === undefined) errorCode = ErrorCode.LEADER_NOT_AVAILABLE;
      else errorCode = errorUnavailableListeners ? ErrorCode.LISTENER_NOT_FOUND : ErrorCode.LEADER_NOT_AVAILABLE;
    } else if (replicaNodes.length < s.replicas.length || isrNodes.length < s.isr.length) {
      errorCode = ErrorCode.REPLICA_NOT_AVAILABLE;
    } else {
      errorCode = ErrorCode.NONE;
    }
    return {
      errorCode,
      partitionIndex: s.partitionIndex,
      leaderId: leaderNode === undefined ? NO_LEADER_ID : leaderNode.id,
      leaderEpoch: s.leaderEpoch,
      replicaNodes,
      isrNodes,
      offlineReplicas: [...s.offlineReplicas],
    };
  }

  private hasAliveEndpoint(id: number, listenerName: string): boolean {
    const b = this.brokers.get(id);
    return b !== undefined && b.endpoints.some((e) => e.listener === listenerName);
  }
}

function nodeOf(b: AliveBroker, listenerName: string): BrokerNode | undefined {
  const ep = b.endpoints.find((e) => e.listener === listenerName);
  return ep === undefined ? undefined : { id: b.id, host: ep.host, port: ep.port, rack: b.rack };
}
