/**
 * Metadata (key 3), versions 0-11. Source: KafkaApis.handleTopicMetadataRequest/getTopicMetadata,
 * MetadataCache.getTopicMetadata, AutoTopicCreationManager (2.8, ZooKeeper mode).
 *  - All topics: null topics (v1+), or an empty list at v0. v10-11 requests may not use topic ids
 *    (INVALID_REQUEST), nor null names.
 *  - Unknown topics: auto-created when auto.create.topics.enable, the request allows it (v4+ flag; always
 *    before v4) and it is not an all-topics request — then LEADER_NOT_AVAILABLE (the creation was
 *    written or already existed, as Kafka maps TOPIC_ALREADY_EXISTS and its timeout-0 REQUEST_TIMED_OUT),
 *    or the creation's error. Illegal names are INVALID_TOPIC_EXCEPTION, the rest UNKNOWN_TOPIC_OR_PARTITION.
 *  - v0 filters replicas/ISR to live brokers (REPLICA_NOT_AVAILABLE when shortened); v6+ answers
 *    LISTENER_NOT_FOUND for a live leader without the request's listener.
 *  - Brokers are the live ones with an endpoint on the request's listener; controller id from the cache.
 *  - Authorized operations (v8+): without an authorizer Kafka reports every supported operation when
 *    asked, else Int.MinValue.
 */
import { ApiKey, ErrorCode, KafkaProtocolError, ZERO_UUID } from '../protocol';
import type { MetadataRequest } from '../protocol/generated/metadata-request';
import type { MetadataResponse, MetadataResponseTopic } from '../protocol/generated/metadata-response';
import { AUTHORIZED_OPERATIONS_OMITTED, type MetadataCache } from '../metadata/metadata-cache';
import { invalidTopicReason, isInternalTopic } from '../metadata/topic';
import type { ApiHandler } from './registry';

type MetadataKey = typeof ApiKey.Metadata;

/** AclOperation codes Kafka's AclEntry.supportedOperations lists for topics and the cluster. */
const TOPIC_OPERATIONS = [3, 4, 5, 6, 7, 8, 10, 11]; // READ WRITE CREATE DELETE ALTER DESCRIBE DESCRIBE_CONFIGS ALTER_CONFIGS
const CLUSTER_OPERATIONS = [5, 7, 8, 9, 10, 11, 12]; // CREATE ALTER DESCRIBE CLUSTER_ACTION DESCRIBE_CONFIGS ALTER_CONFIGS IDEMPOTENT_WRITE

/** Kafka's Utils.to32BitField. */
export function to32BitField(bits: readonly number[]): number {
  let field = 0;
  for (const b of bits) field |= 1 << b;
  return field;
}
export const TOPIC_AUTHORIZED_OPERATIONS = to32BitField(TOPIC_OPERATIONS);
export const CLUSTER_AUTHORIZED_OPERATIONS = to32BitField(CLUSTER_OPERATIONS);

export interface MetadataHandlerDeps {
  metadataCache: MetadataCache;
  clusterId: string;
  /** auto.create.topics.enable (true). */
  autoCreateTopicsEnable: boolean;
  /** AdminManager.autoCreateTopics: error code per topic (NONE when the creation was written). */
  autoCreateTopics?: (topics: readonly string[]) => Promise<Map<string, number>>;
}

function topicError(cache: MetadataCache, errorCode: number, name: string): MetadataResponseTopic {
  return { errorCode, name, topicId: cache.topicId(name), isInternal: isInternalTopic(name), partitions: [], topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED };
}

export function metadataHandler(deps: MetadataHandlerDeps): ApiHandler<MetadataKey> {
  const cache = deps.metadataCache;
  return {
    apiKey: ApiKey.Metadata,
    minVersion: 0,
    maxVersion: 11,
    async handle(ctx, req: MetadataRequest): Promise<MetadataResponse> {
      const version = ctx.apiVersion;
      const allTopics = req.topics === null || (req.topics.length === 0 && version === 0);
      if (!allTopics) {
        for (const t of req.topics ?? []) {
          if (t.name === null) throw new KafkaProtocolError('INVALID_REQUEST', `Topic name can not be null for version ${version}`);
          if (t.topicId !== ZERO_UUID) throw new KafkaProtocolError('INVALID_REQUEST', `Topic IDs are not supported in requests for version ${version}`);
        }
      }
      const requested = allTopics ? cache.allTopics() : [...new Set((req.topics ?? []).map((t) => t.name as string))];
      const errorUnavailableEndpoints = version === 0;
      const errorUnavailableListeners = version >= 6;
      const known = cache.getTopicMetadata(requested, ctx.listenerName, errorUnavailableEndpoints, errorUnavailableListeners);
      let topics = known;
      if (!allTopics && known.length < requested.length) {
        const knownNames = new Set(known.map((t) => t.name));
        const missing = requested.filter((t) => !knownNames.has(t));
        const allowAutoCreation = deps.autoCreateTopicsEnable && (version < 4 || req.allowAutoTopicCreation);
        const missingResponses = new Map<string, MetadataResponseTopic>();
        const creatable: string[] = [];
        for (const name of missing) {
          if (invalidTopicReason(name) !== null) missingResponses.set(name, topicError(cache, ErrorCode.INVALID_TOPIC_EXCEPTION, name));
          else if (allowAutoCreation && deps.autoCreateTopics !== undefined) creatable.push(name);
          else missingResponses.set(name, topicError(cache, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name));
        }
        if (creatable.length > 0) {
          const created = await deps.autoCreateTopics!(creatable);
          for (const name of creatable) {
            const code = created.get(name) ?? ErrorCode.UNKNOWN_SERVER_ERROR;
            const mapped = code === ErrorCode.NONE || code === ErrorCode.TOPIC_ALREADY_EXISTS || code === ErrorCode.REQUEST_TIMED_OUT ? ErrorCode.LEADER_NOT_AVAILABLE : code;
            missingResponses.set(name, topicError(cache, mapped, name));
          }
        }
        topics = [...known, ...missing.map((name) => missingResponses.get(name)!)];
      }
      let clusterAuthorizedOperations = AUTHORIZED_OPERATIONS_OMITTED;
      if (version >= 8) {
        if (version <= 10 && req.includeClusterAuthorizedOperations) clusterAuthorizedOperations = CLUSTER_AUTHORIZED_OPERATIONS;
        if (req.includeTopicAuthorizedOperations) for (const t of topics) t.topicAuthorizedOperations = TOPIC_AUTHORIZED_OPERATIONS;
      }
      return {
        throttleTimeMs: 0,
        brokers: cache.aliveBrokerNodes(ctx.listenerName).map((n) => ({ nodeId: n.id, host: n.host, port: n.port, rack: n.rack })),
        clusterId: deps.clusterId,
        controllerId: cache.controllerId ?? -1,
        topics,
        clusterAuthorizedOperations,
      };
    },
    errorResponse(_ctx, req, errorCode) {
      // Kafka's MetadataRequest.getErrorResponse: every requested topic with the error, no brokers.
      return {
        throttleTimeMs: 0,
        brokers: [],
        clusterId: null,
        controllerId: -1,
        topics: (req.topics ?? []).map((t) => ({ ...topicError(cache, errorCode, t.name ?? ''), topicId: ZERO_UUID, isInternal: false })),
        clusterAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
      };
    },
  };
}
