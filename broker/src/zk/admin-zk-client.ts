/**
 * Kafka 2.8's AdminZkClient (plus the KafkaZkClient calls it makes): topic creation with an explicit
 * assignment, partition addition, marking topics for deletion, and entity config writes with their
 * change notifications. Everything goes through znodes.ts for paths and JSON.
 *
 * Topic creation writes /config/topics/<t> first (set, else create), then creates /brokers/topics/<t>
 * (version 3 JSON with a fresh topic id); NODEEXISTS there is TOPIC_ALREADY_EXISTS. Config changes
 * write /config/<type>/<name>, then a /config/changes/config_change_<seq> notification that every
 * broker's DynamicConfigManager follows.
 */
import { randomUUID } from 'node:crypto';
import { createLogger, type Logger } from '../common/logger';
import { LogConfig } from '../log/log-config';
import { KafkaProtocolError } from '../protocol/error-codes';
import type { ZkClient } from './client';
import { KafkaZkClient } from './kafka-zk-client';
import { isZkError } from './errors';
import { DeleteTopicsTopicZNode, DeleteTopicsZNode } from './znodes/admin';
import {
  ConfigEntityChangeNotificationSequenceZNode,
  ConfigEntityChangeNotificationZNode,
  ConfigEntityZNode,
  DEFAULT_ENTITY,
  type ConfigType,
} from './znodes/config';
import { TopicZNode, type PartitionAssignment, type TopicAssignment } from './znodes/topics';

/** Kafka's Topic.MAX_NAME_LENGTH. */
export const MAX_TOPIC_NAME_LENGTH = 249;
const LEGAL_TOPIC_CHARS = /^[a-zA-Z0-9._-]+$/;

/** Kafka's Topic.validate: InvalidTopicException (INVALID_TOPIC_EXCEPTION) with Kafka's messages. */
export function validateTopicName(topic: string): void {
  const invalid = (message: string): never => {
    throw new KafkaProtocolError('INVALID_TOPIC_EXCEPTION', message);
  };
  if (topic.length === 0) invalid("Topic name is illegal, it can't be empty");
  if (topic === '.' || topic === '..') invalid('Topic name cannot be "." or ".."');
  if (topic.length > MAX_TOPIC_NAME_LENGTH) {
    invalid(`Topic name is illegal, it can't be longer than ${MAX_TOPIC_NAME_LENGTH} characters, topic name: ${topic}`);
  }
  if (!LEGAL_TOPIC_CHARS.test(topic)) {
    invalid(`Topic name "${topic}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`);
  }
}

/** Kafka's Topic.hasCollisionChars: '.' and '_' collide in metric names. */
export function hasCollisionChars(topic: string): boolean {
  return topic.includes('_') || topic.includes('.');
}

/** Kafka's Topic.hasCollision: equal once every '.' is read as '_'. */
export function hasCollision(a: string, b: string): boolean {
  return a.replace(/\./g, '_') === b.replace(/\./g, '_');
}

/** A fresh topic id as 2.8's Uuid.randomUuid (a random version-4 UUID), printed as Kafka prints it. */
export function newTopicId(): string {
  return Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url');
}

/** /brokers/topics/<t> as read, with the zkVersion a conditional rewrite needs. */
export interface VersionedTopicAssignment {
  readonly assignment: TopicAssignment;
  readonly zkVersion: number;
}

/** The topic znode changed between read and conditional write (BADVERSION): re-read and retry. */
export class TopicAssignmentChangedError extends Error {
  override readonly name = 'TopicAssignmentChangedError';
}

/** Kafka's TopicAlreadyMarkedForDeletionException (not an ApiException). */
export class TopicAlreadyMarkedForDeletionError extends Error {
  override readonly name = 'TopicAlreadyMarkedForDeletionError';
}

export type ConfigMap = ReadonlyMap<string, string>;

export class AdminZkClient {
  private readonly log: Logger;
  /** Kafka's AdminZkClient sits on a KafkaZkClient; the reads they share are made there. */
  private readonly kafkaZkClient: KafkaZkClient;

  constructor(
    readonly zk: ZkClient,
    logger?: Logger,
  ) {
    this.log = logger ?? createLogger('AdminZkClient');
    this.kafkaZkClient = new KafkaZkClient(zk, this.log);
  }

  async topicExists(topic: string): Promise<boolean> {
    return this.kafkaZkClient.topicExists(topic);
  }

  async isTopicMarkedForDeletion(topic: string): Promise<boolean> {
    return (await this.zk.exists(DeleteTopicsTopicZNode.path(topic))) !== null;
  }

  /** Children of /brokers/topics (empty when the path does not exist yet). */
  async getAllTopicsInCluster(): Promise<string[]> {
    return this.kafkaZkClient.getAllTopicsInCluster();
  }

  /** /brokers/topics/<t> decoded, or null when the topic does not exist. */
  async getTopicAssignment(topic: string): Promise<VersionedTopicAssignment | null> {
    const node = await this.zk.getOrNull(TopicZNode.path(topic));
    if (node === null) return null;
    return { assignment: TopicZNode.decode(node.data, TopicZNode.path(topic)), zkVersion: node.stat.version };
  }

  /**
   * AdminZkClient.validateTopicCreate: legal name, not marked for deletion, not existing, no '.'/'_'
   * collision with an existing topic, a well-formed assignment, valid topic configs.
   */
  async validateTopicCreate(topic: string, assignment: ReadonlyMap<number, readonly number[]>, config: ConfigMap): Promise<void> {
    validateTopicName(topic);
    if (await this.isTopicMarkedForDeletion(topic)) {
      throw new KafkaProtocolError('TOPIC_ALREADY_EXISTS', `Topic '${topic}' is marked for deletion.`);
    }
    if (await this.topicExists(topic)) throw new KafkaProtocolError('TOPIC_ALREADY_EXISTS', `Topic '${topic}' already exists.`);
    if (hasCollisionChars(topic)) {
      const all = await this.getAllTopicsInCluster();
      // Checked again: the topic may have been created meanwhile and would "collide" with itself.
      if (all.includes(topic)) throw new KafkaProtocolError('TOPIC_ALREADY_EXISTS', `Topic '${topic}' already exists.`);
      const colliding = all.find((t) => hasCollision(topic, t));
      if (colliding !== undefined) {
        throw new KafkaProtocolError('INVALID_TOPIC_EXCEPTION', `Topic '${topic}' collides with existing topic: ${colliding}`);
      }
    }
    validateAssignmentShape(assignment);
    validateTopicConfigs(config);
  }

  /**
   * AdminZkClient.createTopicWithAssignment: (validate,) write the topic config, then create the
   * assignment znode with a fresh topic id. Returns the topic id written.
   */
  async createTopicWithAssignment(
    topic: string,
    config: ConfigMap,
    assignment: ReadonlyMap<number, readonly number[]>,
    options: { validate?: boolean; usesTopicId?: boolean } = {},
  ): Promise<string | undefined> {
    if (options.validate ?? true) await this.validateTopicCreate(topic, assignment, config);
    this.log.info({ topic, config: Object.fromEntries(config), assignment: Object.fromEntries(assignment) }, 'creating topic');
    // Not transactional with the assignment, as in Kafka: the config is written first.
    await this.setOrCreateEntityConfigs('topics', topic, config);
    const topicId = (options.usesTopicId ?? true) ? newTopicId() : undefined;
    const partitions = new Map<number, PartitionAssignment>();
    for (const [p, replicas] of assignment) partitions.set(p, { replicas: [...replicas], addingReplicas: [], removingReplicas: [] });
    try {
      await this.zk.createRecursive(TopicZNode.path(topic), TopicZNode.encode({ topicId, partitions }));
    } catch (err) {
      if (isZkError(err, 'NODEEXISTS')) throw new KafkaProtocolError('TOPIC_ALREADY_EXISTS', `Topic '${topic}' already exists.`);
      throw err;
    }
    return topicId;
  }

  /**
   * Partition addition (AdminZkClient.createPartitionsWithAssignment): the existing assignment plus the
   * new partitions, written conditionally on the zkVersion it was read at; the topic id is kept.
   * Returns the full new assignment. BADVERSION -> TopicAssignmentChangedError.
   */
  async addPartitions(
    topic: string,
    existing: VersionedTopicAssignment,
    newPartitions: ReadonlyMap<number, readonly number[]>,
  ): Promise<Map<number, number[]>> {
    const partitions = new Map<number, PartitionAssignment>(existing.assignment.partitions);
    for (const [p, replicas] of newPartitions) partitions.set(p, { replicas: [...replicas], addingReplicas: [], removingReplicas: [] });
    this.log.info({ topic, newPartitions: Object.fromEntries(newPartitions) }, 'adding partitions');
    try {
      await this.zk.set(TopicZNode.path(topic), TopicZNode.encode({ topicId: existing.assignment.topicId, partitions }), existing.zkVersion);
    } catch (err) {
      if (isZkError(err, 'BADVERSION')) throw new TopicAssignmentChangedError(`assignment of topic ${topic} changed concurrently`);
      if (isZkError(err, 'NONODE')) throw new KafkaProtocolError('UNKNOWN_TOPIC_OR_PARTITION', `The topic '${topic}' does not exist.`);
      throw err;
    }
    return new Map([...partitions.entries()].map(([p, a]) => [p, a.replicas]));
  }

  /** KafkaZkClient.createDeleteTopicPath: /admin/delete_topics/<t> with no data. NODEEXISTS propagates. */
  async createDeleteTopicPath(topic: string): Promise<void> {
    await this.zk.ensurePath(DeleteTopicsZNode.path);
    await this.zk.create(DeleteTopicsTopicZNode.path(topic), null);
  }

  /**
   * AdminZkClient.deleteTopic: unknown topic -> UNKNOWN_TOPIC_OR_PARTITION; already marked ->
   * TopicAlreadyMarkedForDeletionError (callers still wait for the deletion).
   */
  async deleteTopic(topic: string): Promise<void> {
    if (!(await this.topicExists(topic))) {
      throw new KafkaProtocolError('UNKNOWN_TOPIC_OR_PARTITION', `Topic \`${topic}\` to delete does not exist`);
    }
    try {
      await this.createDeleteTopicPath(topic);
    } catch (err) {
      if (isZkError(err, 'NODEEXISTS')) throw new TopicAlreadyMarkedForDeletionError(`topic ${topic} is already marked for deletion`);
      throw err;
    }
  }

  /** KafkaZkClient.fetchEntityConfig: /config/<type>/<name> (an empty map when absent). */
  async fetchEntityConfig(entityType: ConfigType, entityName: string): Promise<Map<string, string>> {
    return this.kafkaZkClient.getEntityConfigs(entityType, entityName);
  }

  /** KafkaZkClient.setOrCreateEntityConfigs: set (any version), else create with parents. */
  async setOrCreateEntityConfigs(entityType: ConfigType, entityName: string, config: ConfigMap): Promise<void> {
    const path = ConfigEntityZNode.path(entityType, entityName);
    const data = ConfigEntityZNode.encode(new Map(config));
    try {
      await this.zk.set(path, data);
      return;
    } catch (err) {
      if (!isZkError(err, 'NONODE')) throw err;
    }
    try {
      await this.zk.createRecursive(path, data);
    } catch (err) {
      if (!isZkError(err, 'NODEEXISTS')) throw err;
      await this.zk.set(path, data);
    }
  }

  /** KafkaZkClient.createConfigChangeNotification: a sequential `{"version":2,"entity_path":...}` node. */
  async createConfigChangeNotification(sanitizedEntityPath: string): Promise<string> {
    await this.zk.ensurePath(ConfigEntityChangeNotificationZNode.path);
    return this.zk.create(
      ConfigEntityChangeNotificationSequenceZNode.createPath,
      ConfigEntityChangeNotificationSequenceZNode.encode(sanitizedEntityPath),
      { mode: 'persistent_sequential' },
    );
  }

  /**
   * AdminZkClient.changeTopicConfig: legal name, existing topic (UNKNOWN_TOPIC_OR_PARTITION), valid
   * configs, then the full config replaces /config/topics/<t> and a change notification follows.
   */
  async changeTopicConfig(topic: string, config: ConfigMap): Promise<void> {
    await this.validateTopicConfig(topic, config);
    await this.changeEntityConfig('topics', topic, config);
  }

  /** AdminZkClient.validateTopicConfig. */
  async validateTopicConfig(topic: string, config: ConfigMap): Promise<void> {
    validateTopicName(topic);
    if (!(await this.topicExists(topic))) throw new KafkaProtocolError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${topic}' does not exist.`);
    validateTopicConfigs(config);
  }

  /**
   * AdminZkClient.changeBrokerConfig for one broker id or the cluster default (null). The values
   * are validated by the caller (DynamicBrokerConfig rules live in admin/).
   */
  async changeBrokerConfig(brokerId: number | null, config: ConfigMap): Promise<void> {
    await this.changeEntityConfig('brokers', brokerId === null ? DEFAULT_ENTITY : String(brokerId), config);
  }

  private async changeEntityConfig(entityType: ConfigType, sanitizedEntityName: string, config: ConfigMap): Promise<void> {
    await this.setOrCreateEntityConfigs(entityType, sanitizedEntityName, config);
    await this.createConfigChangeNotification(`${entityType}/${sanitizedEntityName}`);
  }
}

/** The assignment rules of validateTopicCreate (kept here so zk/ needs nothing from admin/). */
function validateAssignmentShape(assignment: ReadonlyMap<number, readonly number[]>): void {
  const invalid = (message: string): never => {
    throw new KafkaProtocolError('INVALID_REPLICA_ASSIGNMENT', message);
  };
  if (new Set([...assignment.values()].map((r) => r.length)).size !== 1) invalid('All partitions should have the same number of replicas');
  for (const replicas of assignment.values()) {
    if (new Set(replicas).size !== replicas.length) {
      invalid(`Duplicate replica assignment found: Map(${[...assignment.entries()].map(([p, r]) => `${p} -> List(${r.join(', ')})`).join(', ')})`);
    }
  }
  const n = assignment.size;
  const sum = [...assignment.keys()].filter((p) => p >= 0).reduce((a, b) => a + b, 0);
  if (sum !== (n * (n - 1)) / 2) invalid('partitions should be a consecutive 0-based integer sequence');
}

/**
 * LogConfig.validate with Kafka's two failure kinds: an unknown name is InvalidConfigurationException
 * (INVALID_CONFIG, "Unknown topic config name: x"); a bad value is a ConfigError (INVALID_CONFIG,
 * "Invalid value ... for configuration ...") that callers may rewrap as Kafka does.
 */
export function validateTopicConfigs(config: ConfigMap): void {
  for (const name of config.keys()) {
    if (!LogConfig.isTopicConfig(name)) throw new KafkaProtocolError('INVALID_CONFIG', `Unknown topic config name: ${name}`);
  }
  LogConfig.validate(config);
}
