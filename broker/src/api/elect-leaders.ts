/**
 * ElectLeaders (key 43), versions 0-2: an admin asks for preferred (type 0) or unclean (type 1) leader
 * elections. Source: KafkaApis.handleElectReplicaLeader, ReplicaManager.electLeaders, DelayedElectLeader,
 * KafkaController.processReplicaLeaderElection, ElectLeadersRequest.getErrorResponse.
 *  - v0 has no election type: PREFERRED. The top-level errorCode exists from v1 and is NONE here (only
 *    CLUSTER_AUTHORIZATION_FAILED sets it in Kafka, and Samsa has no authorizer).
 *  - Null topicPartitions means every partition this broker's metadata cache knows; then partitions
 *    that needed no election (ELECTION_NOT_NEEDED) are left out of the answer.
 *  - Any broker accepts it and hands it to its controller; a broker that is not the active controller
 *    answers NOT_CONTROLLER per partition (top level NONE), as Kafka 2.8 does.
 *  - Partitions the controller elected a leader for are answered once this broker's metadata cache shows
 *    that leader (UpdateMetadata from the controller), or REQUEST_TIMED_OUT after timeoutMs.
 */
import { ApiKey, ErrorCode } from '../protocol';
import type { ElectLeadersRequest } from '../protocol/generated/elect-leaders-request';
import type { ElectLeadersResponse, ReplicaElectionResult } from '../protocol/generated/elect-leaders-response';
import type { ApiHandler } from './registry';

type ElectLeadersKey = typeof ApiKey.ElectLeaders;

interface TopicPartition {
  topic: string;
  partition: number;
}

/** One partition's result from the controller: errorCode 0 with the elected leader, or an error. */
export interface ElectLeadersPartitionResult {
  partition: TopicPartition;
  errorCode: number;
  errorMessage: string | null;
  leader: number;
}

/** What the handler needs of the KafkaController. */
export interface ElectLeadersController {
  electLeaders(electionType: 0 | 1, partitions: TopicPartition[] | null): Promise<ElectLeadersPartitionResult[]>;
}

/** What the handler needs of the MetadataCache (all partitions; leaders as UpdateMetadata set them). */
export interface ElectLeadersMetadata {
  allTopics(): string[];
  partitionCount(topic: string): number | undefined;
  partitionState(topic: string, partition: number): { leader: number } | undefined;
  onUpdate(listener: () => void): () => void;
}

export interface ElectLeadersHandlerDeps {
  controller: () => ElectLeadersController | undefined;
  metadataCache: ElectLeadersMetadata;
}

interface Answer {
  errorCode: number;
  errorMessage: string | null;
}

const key = (tp: TopicPartition): string => `${tp.topic}-${tp.partition}`;

function requestedPartitions(req: ElectLeadersRequest): TopicPartition[] | null {
  if (req.topicPartitions === null) return null;
  const byKey = new Map<string, TopicPartition>();
  for (const t of req.topicPartitions) for (const partition of t.partitionId) byKey.set(key({ topic: t.topic, partition }), { topic: t.topic, partition });
  return [...byKey.values()];
}

function allPartitions(cache: ElectLeadersMetadata): TopicPartition[] {
  const out: TopicPartition[] = [];
  for (const topic of cache.allTopics()) {
    const count = cache.partitionCount(topic) ?? 0;
    for (let partition = 0; partition < count; partition++) if (cache.partitionState(topic, partition) !== undefined) out.push({ topic, partition });
  }
  return out;
}

function groupByTopic(answers: ReadonlyArray<{ partition: TopicPartition; answer: Answer }>): ReplicaElectionResult[] {
  const byTopic = new Map<string, ReplicaElectionResult>();
  for (const { partition, answer } of answers) {
    let topic = byTopic.get(partition.topic);
    if (topic === undefined) {
      topic = { topic: partition.topic, partitionResult: [] };
      byTopic.set(partition.topic, topic);
    }
    topic.partitionResult.push({ partitionId: partition.partition, errorCode: answer.errorCode, errorMessage: answer.errorMessage });
  }
  return [...byTopic.values()];
}

/**
 * DelayedElectLeader: resolves once the metadata cache shows each expected leader, answering
 * REQUEST_TIMED_OUT for the partitions still waiting at the deadline.
 */
function awaitLeaders(cache: ElectLeadersMetadata, expected: ReadonlyMap<string, { partition: TopicPartition; leader: number }>, timeoutMs: number): Promise<Map<string, Answer>> {
  const done = new Map<string, Answer>();
  const waiting = new Map(expected);
  const update = (): void => {
    for (const [k, { partition, leader }] of waiting) {
      if (cache.partitionState(partition.topic, partition.partition)?.leader === leader) {
        waiting.delete(k);
        done.set(k, { errorCode: ErrorCode.NONE, errorMessage: null });
      }
    }
  };
  update();
  if (waiting.size === 0) return Promise.resolve(done);
  return new Promise((resolve) => {
    const finish = (): void => {
      clearTimeout(timer);
      unsubscribe();
      update();
      for (const k of waiting.keys()) done.set(k, { errorCode: ErrorCode.REQUEST_TIMED_OUT, errorMessage: null });
      resolve(done);
    };
    const unsubscribe = cache.onUpdate(() => {
      update();
      if (waiting.size === 0) finish();
    });
    const timer = setTimeout(finish, Math.max(0, timeoutMs));
  });
}

export function electLeadersHandler(deps: ElectLeadersHandlerDeps): ApiHandler<ElectLeadersKey> {
  return {
    apiKey: ApiKey.ElectLeaders,
    minVersion: 0,
    maxVersion: 2,
    async handle(_ctx, req) {
      const requested = requestedPartitions(req);
      const partitions = requested ?? allPartitions(deps.metadataCache);
      const electionType = req.electionType === 1 ? 1 : 0;
      const controller = deps.controller();
      const results: ElectLeadersPartitionResult[] =
        controller === undefined
          ? partitions.map((partition) => ({ partition, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: null, leader: -1 }))
          : await controller.electLeaders(electionType, partitions);
      const expected = new Map<string, { partition: TopicPartition; leader: number }>();
      for (const r of results) if (r.errorCode === ErrorCode.NONE) expected.set(key(r.partition), { partition: r.partition, leader: r.leader });
      const confirmed = await awaitLeaders(deps.metadataCache, expected, req.timeoutMs);
      const answers = results
        .map((r) => ({ partition: r.partition, answer: confirmed.get(key(r.partition)) ?? { errorCode: r.errorCode, errorMessage: r.errorMessage } }))
        // Elections across all partitions only report the ones that were elected or failed.
        .filter((a) => requested !== null || a.answer.errorCode !== ErrorCode.ELECTION_NOT_NEEDED);
      const response: ElectLeadersResponse = { throttleTimeMs: 0, errorCode: ErrorCode.NONE, replicaElectionResults: groupByTopic(answers) };
      return response;
    },
    errorResponse(_ctx, req, errorCode) {
      const answer = { errorCode, errorMessage: null };
      const partitions = requestedPartitions(req) ?? [];
      return { throttleTimeMs: 0, errorCode, replicaElectionResults: groupByTopic(partitions.map((partition) => ({ partition, answer }))) };
    },
  };
}
