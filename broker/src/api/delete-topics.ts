/**
 * DeleteTopics (key 20), versions 0-6.
 *
 * Source: Kafka 2.8 KafkaApis.handleDeleteTopicsRequest + ZkAdminManager.deleteTopics.
 *  - Not the active controller: NOT_CONTROLLER for every topic.
 *  - delete.topic.enable=false: TOPIC_DELETION_DISABLED (INVALID_REQUEST before v3) for every topic.
 *  - v6 names topics by name or id (not both: the whole request fails with INVALID_REQUEST); an id this
 *    broker cannot resolve is UNKNOWN_TOPIC_ID.
 *  - Unknown topics: UNKNOWN_TOPIC_OR_PARTITION. The rest are marked in /admin/delete_topics and the
 *    answer waits until they are gone from the metadata cache (REQUEST_TIMED_OUT after timeout_ms).
 */
import { ApiKey, ErrorCode, KafkaProtocolError, ZERO_UUID } from '../protocol';
import type { DeleteTopicsRequest } from '../protocol/generated/delete-topics-request';
import { defaultDeletableTopicResult, type DeletableTopicResult, type DeleteTopicsResponse } from '../protocol/generated/delete-topics-response';
import type { AdminManager } from '../admin';
import type { ApiHandler, RequestContext } from './registry';

type DeleteTopicsKey = typeof ApiKey.DeleteTopics;

export interface DeleteTopicsHandlerDeps {
  readonly adminManager: Pick<AdminManager, 'deleteTopics'>;
  readonly isActiveController: () => boolean;
  /** Topic name for a topic id (the controller context / metadata cache), undefined when unknown. */
  readonly topicNameById: (topicId: string) => string | undefined;
}

/** DeleteTopicsRequest.topics(): v0-5 names become (name, ZERO_UUID). */
function requestedTopics(request: DeleteTopicsRequest, version: number): { name: string | null; topicId: string }[] {
  return version >= 6 ? request.topics.map((t) => ({ name: t.name, topicId: t.topicId })) : request.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
}

export function deleteTopicsHandler(deps: DeleteTopicsHandlerDeps): ApiHandler<DeleteTopicsKey> {
  return {
    apiKey: ApiKey.DeleteTopics,
    minVersion: 0,
    maxVersion: 6,

    async handle(ctx: RequestContext, request: DeleteTopicsRequest): Promise<DeleteTopicsResponse> {
      const topics = requestedTopics(request, ctx.apiVersion);
      const result = (t: { name: string | null; topicId: string }, errorCode: number): DeletableTopicResult => ({
        ...defaultDeletableTopicResult(),
        name: t.name,
        topicId: t.topicId,
        errorCode,
      });
      if (!deps.isActiveController()) return { throttleTimeMs: 0, responses: topics.map((t) => result(t, ErrorCode.NOT_CONTROLLER)) };
      const responses: DeletableTopicResult[] = [];
      for (const t of topics) {
        if (t.name !== null && t.topicId !== ZERO_UUID) throw new KafkaProtocolError('INVALID_REQUEST', 'Topic name and topic ID can not both be specified.');
        const name = t.topicId === ZERO_UUID ? t.name : (deps.topicNameById(t.topicId) ?? null);
        responses.push(result({ name, topicId: t.topicId }, name === null ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.NONE));
      }
      const names = [...new Set(responses.filter((r) => r.errorCode === ErrorCode.NONE).map((r) => r.name as string))];
      if (names.length > 0) {
        const codes = await deps.adminManager.deleteTopics(names, request.timeoutMs);
        for (const r of responses) {
          const code = r.errorCode === ErrorCode.NONE ? codes.get(r.name as string) : undefined;
          if (code !== undefined) r.errorCode = code === ErrorCode.TOPIC_DELETION_DISABLED && ctx.apiVersion < 3 ? ErrorCode.INVALID_REQUEST : code;
        }
      }
      return { throttleTimeMs: 0, responses };
    },

    errorResponse(ctx: RequestContext, request: DeleteTopicsRequest, errorCode: number): DeleteTopicsResponse {
      return {
        throttleTimeMs: 0,
        responses: requestedTopics(request, ctx.apiVersion).map((t) => ({ ...defaultDeletableTopicResult(), name: t.name, topicId: t.topicId, errorCode })),
      };
    },
  };
}
