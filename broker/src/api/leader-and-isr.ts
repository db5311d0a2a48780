/**
 * LeaderAndIsr (key 4), versions 0-5: the controller tells this broker which partitions it leads or
 * follows. Source: KafkaApis.handleLeaderAndIsrRequest, ReplicaManager.becomeLeaderOrFollower.
 *  - A broker epoch older than this broker's registration is STALE_BROKER_EPOCH for every partition
 *    (the request was meant for a previous incarnation); -1 is never stale.
 *  - An older controller epoch is STALE_CONTROLLER_EPOCH (ReplicaManager); per-partition codes as there.
 *  - v5 groups the partition errors by topic id (taken from the request's topic states); v0-4 list
 *    them with topic names.
 */
import { ApiKey, ErrorCode } from '../protocol';
import type { LeaderAndIsrRequest } from '../protocol/generated/leader-and-isr-request';
import type { LeaderAndIsrPartitionError, LeaderAndIsrResponse } from '../protocol/generated/leader-and-isr-response';
import type { ReplicaManager } from '../replica/replica-manager';
import { isBrokerEpochStale } from '../replica/control-requests';
import type { PartitionError } from '../replica/types';
import type { TopicPartition } from '../zk/kafka-zk-client';
import type { ApiHandler, RequestContext } from './registry';

type LeaderAndIsrKey = typeof ApiKey.LeaderAndIsr;

export interface LeaderAndIsrHandlerDeps {
  replicaManager: ReplicaManager;
  /** This broker's current epoch (czxid of its /brokers/ids znode; -1 before registration). */
  brokerEpoch: () => bigint;
  /**
   * Kafka's onLeadershipChange: partitions this request made this broker lead or follow (without
   * error), so the coordinators load or unload their internal-topic partitions.
   */
  onLeadershipChange?: (leaders: TopicPartition[], followers: TopicPartition[]) => void;
}

function leadershipChanges(brokerId: number, req: LeaderAndIsrRequest, errors: readonly PartitionError[]): { leaders: TopicPartition[]; followers: TopicPartition[] } {
  const failed = new Set(errors.filter((e) => e.errorCode !== ErrorCode.NONE).map((e) => `${e.topicPartition.topic}\u0000${e.topicPartition.partition}`));
  const leaders: TopicPartition[] = [];
  const followers: TopicPartition[] = [];
  const states = [
    ...req.ungroupedPartitionStates.map((s) => ({ topic: s.topicName, partition: s.partitionIndex, leader: s.leader })),
    ...req.topicStates.flatMap((t) => t.partitionStates.map((s) => ({ topic: t.topicName, partition: s.partitionIndex, leader: s.leader }))),
  ];
  for (const s of states) {
    if (failed.has(`${s.topic}\u0000${s.partition}`)) continue;
    (s.leader === brokerId ? leaders : followers).push({ topic: s.topic, partition: s.partition });
  }
  return { leaders, followers };
}

function requestPartitions(req: LeaderAndIsrRequest): PartitionError[] {
  const out: PartitionError[] = [];
  for (const s of req.ungroupedPartitionStates) out.push({ topicPartition: { topic: s.topicName, partition: s.partitionIndex }, errorCode: ErrorCode.NONE });
  for (const t of req.topicStates) for (const s of t.partitionStates) out.push({ topicPartition: { topic: t.topicName, partition: s.partitionIndex }, errorCode: ErrorCode.NONE });
  return out;
}

function buildResponse(version: number, req: LeaderAndIsrRequest, errorCode: number, partitions: readonly PartitionError[]): LeaderAndIsrResponse {
  const toError = (p: PartitionError): LeaderAndIsrPartitionError => ({ topicName: p.topicPartition.topic, partitionIndex: p.topicPartition.partition, errorCode: p.errorCode });
  if (version < 5) return { errorCode, partitionErrors: partitions.map(toError), topics: [] };
  const ids = new Map(req.topicStates.map((t) => [t.topicName, t.topicId]));
  const byTopic = new Map<string, LeaderAndIsrPartitionError[]>();
  for (const p of partitions) {
    let list = byTopic.get(p.topicPartition.topic);
    if (list === undefined) byTopic.set(p.topicPartition.topic, (list = []));
    list.push(toError(p));
  }
  return { errorCode, partitionErrors: [], topics: [...byTopic].map(([topic, partitionErrors]) => ({ topicId: ids.get(topic) ?? '', partitionErrors })) };
}

export function leaderAndIsrHandler(deps: LeaderAndIsrHandlerDeps): ApiHandler<LeaderAndIsrKey> {
  const errorResponse = (ctx: RequestContext, req: LeaderAndIsrRequest, errorCode: number): LeaderAndIsrResponse =>
    buildResponse(ctx.apiVersion, req, errorCode, requestPartitions(req).map((p) => ({ ...p, errorCode })));
  return {
    apiKey: ApiKey.LeaderAndIsr,
    minVersion: 0,
    maxVersion: 5,
    async handle(ctx, req) {
      if (isBrokerEpochStale(req.brokerEpoch, deps.brokerEpoch())) {
        deps.replicaManager.logger.info(`Received LeaderAndIsr request with broker epoch ${req.brokerEpoch} smaller than the current broker epoch ${deps.brokerEpoch()}`);
        return errorResponse(ctx, req, ErrorCode.STALE_BROKER_EPOCH);
      }
      const result = await deps.replicaManager.becomeLeaderOrFollower(ctx.correlationId, req);
      if (deps.onLeadershipChange !== undefined && result.errorCode === ErrorCode.NONE) {
        const { leaders, followers } = leadershipChanges(deps.replicaManager.brokerId, req, result.partitionErrors);
        deps.onLeadershipChange(leaders, followers);
      }
      return buildResponse(ctx.apiVersion, req, result.errorCode, result.partitionErrors);
    },
    errorResponse,
  };
}
