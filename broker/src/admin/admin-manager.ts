/**
 * Kafka 2.8's ZkAdminManager (topic half; configs are in config-helper.ts): CreateTopics,
 * DeleteTopics and CreatePartitions written to ZooKeeper through AdminZkClient, then — like Kafka's
 * DelayedCreatePartitions / DelayedDeleteTopics in the topic purgatory — the answer waits until this
 * broker's metadata cache shows a leader for every new partition (or no longer knows a deleted topic),
 * or the request timeout passes (REQUEST_TIMED_OUT). The controller does the rest, reacting to the znodes.
 */
import { createLogger, type Logger } from '../common/logger';
import { ZERO_UUID } from '../protocol';
import { ErrorCode, KafkaProtocolError } from '../protocol';
import type { CreatePartitionsTopic } from '../protocol/generated/create-partitions-request';
import type { CreatableTopic } from '../protocol/generated/create-topics-request';
import type { CreatableTopicConfigs } from '../protocol/generated/create-topics-response';
import { TopicAlreadyMarkedForDeletionError, TopicAssignmentChangedError, type AdminZkClient } from '../zk/admin-zk-client';
import type { DescribeConfigsResource } from '../protocol/generated/describe-configs-request';
import type { DescribeConfigsResult } from '../protocol/generated/describe-configs-response';
import { LogConfig } from '../log/log-config';
import { ConfigHelper, type AlterConfigsEntry, type ConfigResourceRequest, type IncrementalAlterConfigsEntry } from './config-helper';
import type { ConfigRepository } from './config-repository';
import type { StaticBrokerConfigEntry } from './config-types';
import { AdminOperationException, apiError, apiErrorFromThrowable, API_ERROR_NONE, type ApiError } from './errors';
import { assignReplicasToBrokers, validateNewPartitionsAssignment, type BrokerMetadata } from './replica-assignment';
import { TopicPurgatory } from './topic-purgatory';

/** The slice of the metadata cache the admin manager reads (MetadataCache satisfies it structurally). */
export interface AdminMetadataView {
  aliveBrokers(): ReadonlyArray<{ readonly id: number; readonly rack: string | null }>;
  /** undefined when the topic is unknown (Kafka's metadataCache.contains is false). */
  partitionCount(topic: string): number | undefined;
  partitionState(topic: string, partition: number): { readonly leader: number } | undefined;
  /** Called after every applied UpdateMetadata; returns the unsubscribe function. */
  onUpdate(listener: () => void): () => void;
}

export interface AdminManagerOptions {
  readonly brokerId: number;
  readonly zk: AdminZkClient;
  readonly metadata: AdminMetadataView;
  readonly configRepository: ConfigRepository;
  /** num.partitions */
  readonly numPartitions: number;
  /** default.replication.factor */
  readonly defaultReplicationFactor: number;
  /** delete.topic.enable */
  readonly deleteTopicEnable: boolean;
  /** Every KafkaConfig key with its static value (DescribeConfigs of the broker). */
  readonly staticBrokerConfigs: readonly StaticBrokerConfigEntry[];
  /** Settings for topics created automatically (internal topics); default: num.partitions / default.replication.factor. */
  readonly autoCreateSettings?: (topic: string) => { numPartitions: number; replicationFactor: number; configs?: ReadonlyMap<string, string> } | undefined;
  readonly logger?: Logger;
}

export interface CreateTopicOutcome extends ApiError {
  /** The id written to /brokers/topics/<t> (ZERO_UUID for validate_only or on error). */
  readonly topicId: string;
  /** For v5+ responses (Kafka's maybePopulateMetadataAndConfigs); -1 / [] on error. */
  readonly numPartitions: number;
  readonly replicationFactor: number;
  readonly configs: readonly CreatableTopicConfigs[];
}

interface Pending {
  readonly topic: string;
  error: ApiError;
  partitions: number[];
}

const NO_NUM_PARTITIONS = -1;
const NO_REPLICATION_FACTOR = -1;

export class AdminManager {
  private readonly log: Logger;
  private readonly purgatory: TopicPurgatory;
  private readonly configs: ConfigHelper;

  constructor(private readonly options: AdminManagerOptions) {
    this.log = options.logger ?? createLogger('AdminManager', { brokerId: options.brokerId });
    this.purgatory = new TopicPurgatory(options.metadata);
    this.configs = new ConfigHelper({
      brokerId: options.brokerId,
      zk: options.zk,
      repository: options.configRepository,
      topicExists: (t) => this.contains(t),
      staticBrokerConfigs: options.staticBrokerConfigs,
      logger: this.log,
    });
  }

  /** Completes waiting requests as they stand (Kafka's topicPurgatory.shutdown drops them). */
  shutdown(): void {
    this.purgatory.shutdown();
  }

  private contains(topic: string): boolean {
    return this.options.metadata.partitionCount(topic) !== undefined;
  }

  private aliveBrokers(): BrokerMetadata[] {
    return this.options.metadata
      .aliveBrokers()
      .map((b) => ({ id: b.id, rack: b.rack }))
      .sort((a, b) => a.id - b.id);
  }

  private hasLeader(topic: string, partition: number): boolean {
    const state = this.options.metadata.partitionState(topic, partition);
    return state !== undefined && state.leader !== -1;
  }

  // ------------------------------------------------------------------------------------------------
  // CreateTopics

  /**
   * ZkAdminManager.createTopics for topics already de-duplicated by the caller. With timeoutMs <= 0
   * (and not validate_only) a successful creation is answered REQUEST_TIMED_OUT, as in Kafka.
   */
  async createTopics(topics: readonly CreatableTopic[], timeoutMs: number, validateOnly: boolean): Promise<Map<string, CreateTopicOutcome>> {
    const results = new Map<string, CreateTopicOutcome>();
    const pending: Pending[] = [];
    for (const topic of topics) {
      const outcome = await this.createTopic(topic, validateOnly);
      results.set(topic.name, outcome);
      pending.push({ topic: topic.name, error: outcome, partitions: [...Array(outcome.numPartitions > 0 ? outcome.numPartitions : 0).keys()] });
    }
    const final = await this.awaitLeaders(pending, timeoutMs, validateOnly);
    for (const [topic, error] of final) {
      const outcome = results.get(topic) as CreateTopicOutcome;
      results.set(topic, { ...outcome, ...error });
    }
    return results;
  }

  private async createTopic(topic: CreatableTopic, validateOnly: boolean): Promise<CreateTopicOutcome> {
    const failed = (error: ApiError): CreateTopicOutcome => ({ ...error, topicId: ZERO_UUID, numPartitions: -1, replicationFactor: -1, configs: [] });
    try {
      if (this.contains(topic.name)) throw new KafkaProtocolError('TOPIC_ALREADY_EXISTS', `Topic '${topic.name}' already exists.`);
      const nullConfigs = topic.configs.filter((c) => c.value === null).map((c) => c.name);
      if (nullConfigs.length > 0) throw new KafkaProtocolError('INVALID_REQUEST', `Null value not supported for topic configs : ${nullConfigs.join(',')}`);
      if ((topic.numPartitions !== NO_NUM_PARTITIONS || topic.replicationFactor !== NO_REPLICATION_FACTOR) && topic.assignments.length > 0) {
        throw new KafkaProtocolError(
          'INVALID_REQUEST',
          'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.',
        );
      }
      const numPartitions = topic.numPartitions === NO_NUM_PARTITIONS ? this.options.numPartitions : topic.numPartitions;
      const replicationFactor = topic.replicationFactor === NO_REPLICATION_FACTOR ? this.options.defaultReplicationFactor : topic.replicationFactor;
      let assignment: Map<number, number[]>;
      if (topic.assignments.length === 0) {
        assignment = assignReplicasToBrokers(this.aliveBrokers(), numPartitions, replicationFactor);
      } else {
        // Unknown brokers are not checked here (unlike CreatePartitions), as in Kafka's TopicCommand path.
        assignment = new Map(topic.assignments.map((a) => [a.partitionIndex, [...a.brokerIds]]));
      }
      const configs = new Map(topic.configs.map((c) => [c.name, c.value as string]));
      await this.options.zk.validateTopicCreate(topic.name, assignment, configs);
      const described = this.describeNewTopicConfigs(configs);
      let topicId = ZERO_UUID;
      if (!validateOnly) {
        topicId = (await this.options.zk.createTopicWithAssignment(topic.name, configs, assignment, { validate: false, usesTopicId: true })) ?? ZERO_UUID;
      }
      return { ...API_ERROR_NONE, topicId, numPartitions: assignment.size, replicationFactor: (assignment.get(0) ?? []).length, configs: described };
    } catch (err) {
      if (err instanceof KafkaProtocolError) this.log.info({ topic: topic.name, err: err.message }, 'error processing create topic request');
      else this.log.error({ topic: topic.name, err }, 'error processing create topic request');
      return failed(apiErrorFromThrowable(err));
    }
  }

  /** The configs a v5+ CreateTopics response lists (every topic config, with source, as DescribeConfigs). */
  private describeNewTopicConfigs(overrides: ReadonlyMap<string, string>): CreatableTopicConfigs[] {
    const logConfig = LogConfig.fromProps(this.options.configRepository.logDefaults(), overrides);
    return this.configs.describeTopicConfigs(logConfig, overrides).map((e) => ({
      name: e.name,
      value: e.value,
      readOnly: e.readOnly,
      configSource: e.configSource,
      isSensitive: e.isSensitive,
    }));
  }

  /**
   * Auto-creation for Metadata (AutoTopicCreationManager, ZooKeeper mode): CreateTopics with
   * timeout 0. Per topic NONE when the creation is in ZooKeeper (TOPIC_ALREADY_EXISTS and Kafka's
   * expected REQUEST_TIMED_OUT count as NONE: Metadata then answers LEADER_NOT_AVAILABLE), else the error.
   */
  async autoCreateTopics(topics: readonly string[]): Promise<Map<string, number>> {
    const creatable: CreatableTopic[] = topics.map((name) => {
      const s = this.options.autoCreateSettings?.(name);
      return {
        name,
        numPartitions: s?.numPartitions ?? this.options.numPartitions,
        replicationFactor: s?.replicationFactor ?? this.options.defaultReplicationFactor,
        assignments: [],
        configs: [...(s?.configs ?? new Map<string, string>())].map(([k, v]) => ({ name: k, value: v })),
      };
    });
    const out = new Map<string, number>();
    for (const [topic, outcome] of await this.createTopics(creatable, 0, false)) {
      const code = outcome.errorCode;
      out.set(topic, code === ErrorCode.TOPIC_ALREADY_EXISTS || code === ErrorCode.REQUEST_TIMED_OUT ? ErrorCode.NONE : code);
    }
    return out;
  }

  /** DelayedCreatePartitions: success turns into REQUEST_TIMED_OUT for topics still missing a leader at the deadline. */
  private async awaitLeaders(pending: Pending[], timeoutMs: number, validateOnly: boolean): Promise<Map<string, ApiError>> {
    const ok = pending.filter((p) => p.error.errorCode === ErrorCode.NONE);
    const result = new Map(pending.map((p) => [p.topic, p.error]));
    if (timeoutMs <= 0 || validateOnly || ok.length === 0) {
      if (!validateOnly) for (const p of ok) result.set(p.topic, apiError(ErrorCode.REQUEST_TIMED_OUT));
      return result;
    }
    const missing = (p: Pending): boolean => p.partitions.some((partition) => !this.hasLeader(p.topic, partition));
    await this.purgatory.waitUntil(() => ok.every((p) => !missing(p)), timeoutMs);
    for (const p of ok) if (missing(p)) result.set(p.topic, apiError(ErrorCode.REQUEST_TIMED_OUT));
    return result;
  }

  // ------------------------------------------------------------------------------------------------
  // DeleteTopics

  /**
   * KafkaApis.handleDeleteTopicsRequest + ZkAdminManager.deleteTopics: delete.topic.enable=false ->
   * TOPIC_DELETION_DISABLED for all; unknown -> UNKNOWN_TOPIC_OR_PARTITION; else /admin/delete_topics/<t>
   * is written (already there counts as success) and the answer waits until the topic is gone.
   */
  async deleteTopics(topics: readonly string[], timeoutMs: number): Promise<Map<string, number>> {
    const result = new Map<string, number>();
    if (!this.options.deleteTopicEnable) {
      for (const t of topics) result.set(t, ErrorCode.TOPIC_DELETION_DISABLED);
      return result;
    }
    const toDelete: string[] = [];
    for (const topic of topics) {
      if (!this.contains(topic)) {
        result.set(topic, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        continue;
      }
      try {
        await this.options.zk.deleteTopic(topic);
        toDelete.push(topic);
      } catch (err) {
        if (err instanceof TopicAlreadyMarkedForDeletionError) {
          // still tracked, so repeated calls all wait for the deletion
          toDelete.push(topic);
          continue;
        }
        this.log.error({ topic, err }, 'error processing delete topic request');
        result.set(topic, apiErrorFromThrowable(err).errorCode);
      }
    }
    if (toDelete.length > 0 && timeoutMs > 0) await this.purgatory.waitUntil(() => toDelete.every((t) => !this.contains(t)), timeoutMs);
    for (const topic of toDelete) result.set(topic, timeoutMs > 0 && !this.contains(topic) ? ErrorCode.NONE : ErrorCode.REQUEST_TIMED_OUT);
    return result;
  }

  // ------------------------------------------------------------------------------------------------
  // CreatePartitions

  /** ZkAdminManager.createPartitions (+ the handler's queued-for-deletion check), per topic in order. */
  async createPartitions(topics: readonly CreatePartitionsTopic[], timeoutMs: number, validateOnly: boolean): Promise<Map<string, ApiError>> {
    const pending: Pending[] = [];
    for (const topic of topics) {
      let outcome: { error: ApiError; partitions: number[] };
      for (let attempt = 0; ; attempt++) {
        try {
          outcome = { error: API_ERROR_NONE, partitions: await this.createPartitionsFor(topic, validateOnly) };
          break;
        } catch (err) {
          // The controller rewrote the topic znode between read and write (e.g. it added the topic id).
          if (err instanceof TopicAssignmentChangedError && attempt < 3) continue;
          if (!(err instanceof KafkaProtocolError)) this.log.error({ topic: topic.name, err }, 'error processing create partitions request');
          outcome = { error: apiErrorFromThrowable(err), partitions: [] };
          break;
        }
      }
      pending.push({ topic: topic.name, ...outcome });
    }
    return this.awaitLeaders(pending, timeoutMs, validateOnly);
  }

  private async createPartitionsFor(request: CreatePartitionsTopic, validateOnly: boolean): Promise<number[]> {
    const topic = request.name;
    if (await this.options.zk.isTopicMarkedForDeletion(topic)) throw new KafkaProtocolError('INVALID_TOPIC_EXCEPTION', 'The topic is queued for deletion.');
    const allBrokers = this.aliveBrokers();
    const existing = await this.options.zk.getTopicAssignment(topic);
    const partitions = existing?.assignment.partitions ?? new Map();
    for (const a of partitions.values()) {
      if (a.addingReplicas.length > 0 || a.removingReplicas.length > 0) {
        throw new KafkaProtocolError('REASSIGNMENT_IN_PROGRESS', `A partition reassignment is in progress for the topic '${topic}'.`);
      }
    }
    if (existing === null || partitions.size === 0) throw new KafkaProtocolError('UNKNOWN_TOPIC_OR_PARTITION', `The topic '${topic}' does not exist.`);
    const oldCount = partitions.size;
    const increment = request.count - oldCount;
    if (increment < 0) {
      throw new KafkaProtocolError('INVALID_PARTITIONS', `Topic currently has ${oldCount} partitions, which is higher than the requested ${request.count}.`);
    }
    if (increment === 0) throw new KafkaProtocolError('INVALID_PARTITIONS', `Topic already has ${oldCount} partitions.`);
    let proposed: Map<number, number[]> | null = null;
    if (request.assignments !== null) {
      const brokerIds = new Set(allBrokers.map((b) => b.id));
      const unknown = [...new Set(request.assignments.flatMap((a) => a.brokerIds))].filter((b) => !brokerIds.has(b));
      if (unknown.length > 0) throw new KafkaProtocolError('INVALID_REPLICA_ASSIGNMENT', `Unknown broker(s) in replica assignment: ${unknown.join(', ')}.`);
      if (request.assignments.length !== increment) {
        throw new KafkaProtocolError(
          'INVALID_REPLICA_ASSIGNMENT',
          `Increasing the number of partitions by ${increment} but ${request.assignments.length} assignments provided.`,
        );
      }
      proposed = new Map(request.assignments.map((a, i) => [oldCount + i, [...a.brokerIds]]));
    }
    // AdminZkClient.createNewPartitionsAssignment
    const partition0 = partitions.get(0)?.replicas;
    if (partition0 === undefined) {
      throw new AdminOperationException(`Unexpected existing replica assignment for topic '${topic}', partition id 0 is missing.`);
    }
    let added: Map<number, number[]>;
    if (proposed !== null) {
      validateNewPartitionsAssignment(proposed, partition0.length, new Set(allBrokers.map((b) => b.id)));
      added = proposed;
    } else {
      const startIndex = Math.max(0, allBrokers.findIndex((b) => b.id >= (partition0[0] as number)));
      added = assignReplicasToBrokers(allBrokers, increment, partition0.length, startIndex, oldCount);
    }
    const all = [...partitions.keys(), ...added.keys()];
    if (validateOnly) return all;
    const written = await this.options.zk.addPartitions(topic, existing, added);
    return [...written.keys()];
  }

  // ------------------------------------------------------------------------------------------------
  // Configs (config-helper.ts)

  describeConfigs(resources: readonly DescribeConfigsResource[], includeSynonyms: boolean): DescribeConfigsResult[] {
    return this.configs.describeConfigs(resources, includeSynonyms);
  }

  alterConfigs(resources: readonly ConfigResourceRequest<AlterConfigsEntry>[], validateOnly: boolean): Promise<ApiError[]> {
    return this.configs.alterConfigs(resources, validateOnly);
  }

  incrementalAlterConfigs(resources: readonly ConfigResourceRequest<IncrementalAlterConfigsEntry>[], validateOnly: boolean): Promise<ApiError[]> {
    return this.configs.incrementalAlterConfigs(resources, validateOnly);
  }
}
