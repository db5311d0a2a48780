/**
 * CreateTopics (key 19), versions 0-7.
 *
 * Source: Kafka 2.8 KafkaApis.handleCreateTopicsRequest + ZkAdminManager.createTopics.
 *  - Only the active controller serves it: any other broker answers NOT_CONTROLLER for every topic.
 *  - A name given more than once: INVALID_REQUEST "Found multiple entries for this topic." for each.
 *  - The rest go to AdminManager.createTopics, which writes them to ZooKeeper and waits (timeout_ms)
 *    for leaders. A failed topic's v5+ configs / num_partitions / replication_factor are reset.
 *  - v5+ carry the topic's configs with sources; v7 the topic id written to /brokers/topics/<t>.
 */
import { ApiKey, ErrorCode } from '../protocol';
import type { CreateTopicsRequest } from '../protocol/generated/create-topics-request';
import { defaultCreatableTopicResult, type CreatableTopicResult, type CreateTopicsResponse } from '../protocol/generated/create-topics-response';
import type { AdminManager } from '../admin';
import type { ApiHandler, RequestContext } from './registry';

type CreateTopicsKey = typeof ApiKey.CreateTopics;

export interface CreateTopicsHandlerDeps {
  readonly adminManager: Pick<AdminManager, 'createTopics'>;
  /** True while this broker is the active controller. */
  readonly isActiveController: () => boolean;
}

export function createTopicsHandler(deps: CreateTopicsHandlerDeps): ApiHandler<CreateTopicsKey> {
  return {
    apiKey: ApiKey.CreateTopics,
    minVersion: 0,
    maxVersion: 7,

    async handle(_ctx: RequestContext, request: CreateTopicsRequest): Promise<CreateTopicsResponse> {
      const results: CreatableTopicResult[] = request.topics.map((t) => ({ ...defaultCreatableTopicResult(), name: t.name }));
      if (!deps.isActiveController()) {
        for (const r of results) r.errorCode = ErrorCode.NOT_CONTROLLER;
        return { throttleTimeMs: 0, topics: results };
      }
      const counts = new Map<string, number>();
      for (const t of request.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
      for (const r of results) {
        if ((counts.get(r.name) ?? 0) > 1) {
          r.errorCode = ErrorCode.INVALID_REQUEST;
          r.errorMessage = 'Found multiple entries for this topic.';
        }
      }
      const toCreate = request.topics.filter((t) => counts.get(t.name) === 1);
      const outcomes = await deps.adminManager.createTopics(toCreate, request.timeoutMs, request.validateOnly);
      for (const r of results) {
        const outcome = counts.get(r.name) === 1 ? outcomes.get(r.name) : undefined;
        if (outcome === undefined) continue;
        r.errorCode = outcome.errorCode;
        r.errorMessage = outcome.errorMessage;
        r.topicId = outcome.topicId;
        if (outcome.errorCode === ErrorCode.NONE) {
          r.numPartitions = outcome.numPartitions;
          r.replicationFactor = outcome.replicationFactor;
          r.configs = outcome.configs.map((c) => ({ ...c }));
        } else {
          // Kafka resets the metadata and configs of a topic whose creation failed.
          r.configs = [];
          r.numPartitions = -1;
          r.replicationFactor = -1;
          r.topicConfigErrorCode = ErrorCode.NONE;
        }
      }
      return { throttleTimeMs: 0, topics: results };
    },

    errorResponse(_ctx: RequestContext, request: CreateTopicsRequest, errorCode: number): CreateTopicsResponse {
      return {
        throttleTimeMs: 0,
        topics: request.topics.map((t) => ({ ...defaultCreatableTopicResult(), name: t.name, errorCode, errorMessage: null })),
      };
    },
  };
}
