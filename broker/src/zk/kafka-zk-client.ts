/**
 * Kafka's KafkaZkClient: the broker's and controller's typed operations on ZooKeeper, built only on
 * ZkClient and the znode catalogue (znodes.ts). Reads of many znodes are issued together (Kafka's
 * pipelined async requests). Without ZooKeeper multi, fencing is by each znode's own zkVersion (README).
 */
import { createLogger, type Logger } from '../common/logger';
import type { ZkClient } from './client';
import { isZkError, ZkError } from './errors';
import { randomTopicId, type BrokerInfo, type LeaderAndIsr, type LeaderIsrAndEpoch, type TopicAssignmentWithVersion, type UpdateLeaderAndIsrResult } from './kafka-zk-types';
import { registerControllerAndIncrementControllerEpoch } from './controller-registration';
import { createTopicPartitionStatesRaw, getTopicPartitionStates, updateLeaderAndIsr } from './topic-partition-states';
import {
  BrokerIdZNode,
  BrokerIdsZNode,
  BrokerSequenceIdZNode,
  ClusterIdZNode,
  ConfigEntityZNode,
  ControllerEpochZNode,
  ControllerZNode,
  ConsumerOffsetZNode,
  DeleteTopicsTopicZNode,
  DeleteTopicsZNode,
  FeatureZNode,
  IsrChangeNotificationSequenceZNode,
  IsrChangeNotificationZNode,
  PERSISTENT_ZK_PATHS,
  PreferredReplicaElectionZNode,
  ReassignPartitionsZNode,
  TopicZNode,
  TopicsZNode,
  type BrokerRegistration,
  type ConfigType,
  type PartitionAssignment,
  type PartitionReassignment,
  type TopicPartition,
} from './znodes';

export type { TopicPartition } from './znodes';
export { ControllerMovedError, randomTopicId, tpKey } from './kafka-zk-types';
export type { BrokerInfo, LeaderAndIsr, LeaderIsrAndEpoch, TopicAssignmentWithVersion, UpdateLeaderAndIsrResult } from './kafka-zk-types';

export class KafkaZkClient {
  private readonly log: Logger;

  constructor(
    readonly zk: ZkClient,
    logger?: Logger,
  ) {
    this.log = logger ?? createLogger('KafkaZkClient');
  }

  // ---- cluster, broker registration ------------------------------------------------------------

  /** createTopLevelPaths: every persistent path of ZkData.PersistentZkPaths. */
  async makeSurePersistentPathsExist(): Promise<void> {
    for (const path of PERSISTENT_ZK_PATHS) await this.zk.ensurePath(path);
  }

  /** The cluster id in /cluster/id, writing `proposed` when there is none (a racing writer wins). */
  async getOrCreateClusterId(proposed: string): Promise<string> {
    const existing = await this.zk.getOrNull(ClusterIdZNode.path);
    if (existing !== null) return ClusterIdZNode.decode(existing.data);
    try {
      await this.zk.createRecursive(ClusterIdZNode.path, ClusterIdZNode.encode(proposed));
      return proposed;
    } catch (err) {
      if (!isZkError(err, 'NODEEXISTS')) throw err;
      return ClusterIdZNode.decode((await this.zk.get(ClusterIdZNode.path)).data);
    }
  }

  /** Kafka's generateBrokerId: bump /brokers/seqid's zkVersion; id = version + reserved.broker.max.id. */
  async generateBrokerId(maxReservedBrokerId: number): Promise<number> {
    for (;;) {
      try {
        const stat = await this.zk.set(BrokerSequenceIdZNode.path, null, -1);
        return stat.version + maxReservedBrokerId;
      } catch (err) {
        if (!isZkError(err, 'NONODE')) throw err;
        await this.zk.ensurePath(BrokerSequenceIdZNode.path);
      }
    }
  }

  /**
   * Creates the ephemeral /brokers/ids/<id> and returns the broker epoch (its czxid). A znode left by
   * this very session (a create resent after a lost connection) is accepted; one owned by another
   * session means the id is taken.
   */
  async registerBroker(brokerId: number, registration: BrokerRegistration): Promise<bigint> {
    const path = BrokerIdZNode.path(brokerId);
    try {
      await this.zk.createRecursive(path, BrokerIdZNode.encode(registration), { mode: 'ephemeral' });
    } catch (err) {
      if (!isZkError(err, 'NODEEXISTS')) throw err;
      const existing = await this.zk.exists(path);
      if (existing === null || existing.ephemeralOwner !== this.zk.sessionId) {
        throw new Error(
          `Error while registering broker ${brokerId}: ${path} already exists and is owned by another ZooKeeper session ` +
            `(${existing?.ephemeralOwner ?? 'unknown'}); broker.id ${brokerId} is taken by a live broker`,
          { cause: err },
        );
      }
    }
    const stat = await this.zk.exists(path);
    if (stat === null) throw new ZkError('NONODE', -101, 'registerBroker', path, 'registration vanished');
    this.log.info({ brokerId, path, brokerEpoch: stat.czxid.toString() }, 'registered broker');
    return stat.czxid;
  }

  async getSortedBrokerList(): Promise<number[]> {
    const children = (await this.zk.getOrNull(BrokerIdsZNode.path)) === null ? [] : await this.zk.getChildren(BrokerIdsZNode.path);
    return children.map(Number).filter((n) => Number.isInteger(n)).sort((a, b) => a - b);
  }

  /** Every registered broker with its epoch (Kafka's getAllBrokerAndEpochsInCluster), by id. */
  async getAllBrokersInCluster(): Promise<BrokerInfo[]> {
    const ids = await this.getSortedBrokerList();
    const brokers = await Promise.all(ids.map((id) => this.getBroker(id)));
    return brokers.filter((b): b is BrokerInfo => b !== null);
  }

  async getBroker(brokerId: number): Promise<BrokerInfo | null> {
    const path = BrokerIdZNode.path(brokerId);
    const node = await this.zk.getOrNull(path);
    if (node === null) return null;
    return { id: brokerId, registration: BrokerIdZNode.decode(node.data, path), epoch: node.stat.czxid };
  }

  // ---- controller ------------------------------------------------------------------------------

  async getControllerId(): Promise<number | null> {
    const node = await this.zk.getOrNull(ControllerZNode.path);
    return node === null ? null : ControllerZNode.decode(node.data).brokerId;
  }

  /**
   * Kafka 2.8's KafkaController.enableFeatureVersioning (IBP >= 2.7-IV0): /feature exists with status
   * Enabled; created with no finalized features (2.8's defaults are empty), an Enabled node kept as
   * it is, a Disabled one switched to Enabled with the default (empty) features.
   */
  async enableFeatureVersioning(): Promise<void> {
    const existing = await this.zk.getOrNull(FeatureZNode.path);
    const enabled = FeatureZNode.encode({ status: FeatureZNode.StatusEnabled, features: {} });
    if (existing === null) {
      try {
        await this.zk.create(FeatureZNode.path, enabled);
      } catch (err) {
        if (!isZkError(err, 'NODEEXISTS')) throw err;
      }
      return;
    }
    if (FeatureZNode.decode(existing.data).status === FeatureZNode.StatusEnabled) return;
    await this.zk.set(FeatureZNode.path, enabled, existing.stat.version);
  }

  /** /controller_epoch's value and zkVersion, or null when it does not exist. */
  async getControllerEpoch(): Promise<{ epoch: number; zkVersion: number } | null> {
    const node = await this.zk.getOrNull(ControllerEpochZNode.path);
    return node === null ? null : { epoch: ControllerEpochZNode.decode(node.data), zkVersion: node.stat.version };
  }

  /** Kafka's registerControllerAndIncrementControllerEpoch (see controller-registration.ts); ControllerMovedError when lost. */
  async registerControllerAndIncrementControllerEpoch(controllerId: number, nowMs: number = Date.now()): Promise<{ epoch: number; epochZkVersion: number }> {
    return registerControllerAndIncrementControllerEpoch(this, controllerId, nowMs);
  }

  /** Deletes /controller if it is still this controller's (resignation, triggerControllerMove). */
  async deleteController(controllerId: number): Promise<void> {
    const node = await this.zk.getOrNull(ControllerZNode.path);
    if (node === null || ControllerZNode.decode(node.data).brokerId !== controllerId) return;
    try {
      await this.zk.delete(ControllerZNode.path, node.stat.version);
    } catch (err) {
      if (!isZkError(err, 'NONODE') && !isZkError(err, 'BADVERSION')) throw err;
    }
  }

  // ---- topics ----------------------------------------------------------------------------------

  async getAllTopicsInCluster(): Promise<string[]> {
    try {
      return await this.zk.getChildren(TopicsZNode.path);
    } catch (err) {
      if (isZkError(err, 'NONODE')) return [];
      throw err;
    }
  }

  /** /brokers/topics/<t> for each topic that exists: assignment, topic id and zkVersion. */
  async getReplicaAssignmentAndTopicIds(topics: Iterable<string>): Promise<Map<string, TopicAssignmentWithVersion>> {
    const list = [...topics];
    const nodes = await Promise.all(list.map((t) => this.zk.getOrNull(TopicZNode.path(t))));
    const out = new Map<string, TopicAssignmentWithVersion>();
    list.forEach((topic, i) => {
      const node = nodes[i];
      if (node === null) return;
      const a = TopicZNode.decode(node.data, TopicZNode.path(topic));
      out.set(topic, { topic, topicId: a.topicId, partitions: a.partitions, zkVersion: node.stat.version });
    });
    return out;
  }

  /**
   * Kafka's setTopicAssignmentRaw: writes a topic's full assignment (with adding/removing replicas),
   * conditional on the zkVersion read (no multi-op to check the controller epoch). Returns the new
   * zkVersion; throws the ZkError (BADVERSION, NONODE) otherwise.
   */
  async setTopicAssignment(topic: string, topicId: string | undefined, partitions: ReadonlyMap<number, PartitionAssignment>, expectedZkVersion: number): Promise<number> {
    const data = TopicZNode.encode({ topicId, partitions: new Map(partitions) });
    return (await this.zk.set(TopicZNode.path(topic), data, expectedZkVersion)).version;
  }

  /** /admin/reassign_partitions (legacy reassignment requests); empty when absent or (as Kafka) not valid JSON. */
  async getPartitionReassignment(): Promise<PartitionReassignment[]> {
    const node = await this.zk.getOrNull(ReassignPartitionsZNode.path);
    if (node === null) return [];
    try {
      return ReassignPartitionsZNode.decode(node.data);
    } catch (err) {
      this.log.warn({ err }, 'Ignoring partition reassignment due to invalid json');
      return [];
    }
  }

  /** Kafka's setOrCreatePartitionReassignment: rewrites the pending legacy reassignments. */
  async setOrCreatePartitionReassignment(reassignments: readonly PartitionReassignment[]): Promise<void> {
    const data = ReassignPartitionsZNode.encode(reassignments);
    try {
      await this.zk.set(ReassignPartitionsZNode.path, data);
    } catch (err) {
      if (!isZkError(err, 'NONODE')) throw err;
      await this.zk.create(ReassignPartitionsZNode.path, data);
    }
  }

  async deletePartitionReassignment(): Promise<void> {
    await this.deleteIfExists(ReassignPartitionsZNode.path);
  }

  async reassignPartitionsInProgress(): Promise<boolean> {
    return (await this.zk.exists(ReassignPartitionsZNode.path)) !== null;
  }

  /**
   * Writes a fresh topic id into each topic znode that lacks one (Kafka 2.8 at IBP >= 2.8), conditional
   * on the zkVersion read. On BADVERSION the znode is read again and its id (if someone wrote one) used.
   */
  async setTopicIds(topics: TopicAssignmentWithVersion[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const t of topics) {
      if (t.topicId !== undefined) {
        out.set(t.topic, t.topicId);
        continue;
      }
      const id = randomTopicId();
      const path = TopicZNode.path(t.topic);
      try {
        await this.zk.set(path, TopicZNode.encode({ topicId: id, partitions: t.partitions }), t.zkVersion);
        out.set(t.topic, id);
      } catch (err) {
        if (!isZkError(err, 'BADVERSION') && !isZkError(err, 'NONODE')) throw err;
        const again = (await this.getReplicaAssignmentAndTopicIds([t.topic])).get(t.topic);
        if (again === undefined) continue;
        if (again.topicId !== undefined) out.set(t.topic, again.topicId);
        else out.set(t.topic, (await this.setTopicIds([again])).get(t.topic) ?? id);
      }
    }
    return out;
  }

  /** The partition state znodes that exist, with their zkVersions (topic-partition-states.ts). */
  async getTopicPartitionStates(partitions: Iterable<TopicPartition>): Promise<Map<string, LeaderIsrAndEpoch>> {
    return getTopicPartitionStates(this.zk, partitions);
  }

  /** Kafka's createTopicPartitionStatesRaw: per partition null on success, else the ZkError (NODEEXISTS: another controller won). */
  async createTopicPartitionStatesRaw(states: ReadonlyArray<{ partition: TopicPartition; leaderAndIsr: LeaderAndIsr }>, controllerEpoch: number): Promise<Map<string, ZkError | null>> {
    return createTopicPartitionStatesRaw(this.zk, states, controllerEpoch);
  }

  /** Kafka's updateLeaderAndIsr: conditional sets on each state's zkVersion; BADVERSION ⇒ retry. */
  async updateLeaderAndIsr(updates: ReadonlyArray<{ partition: TopicPartition; leaderAndIsr: LeaderAndIsr }>, controllerEpoch: number): Promise<UpdateLeaderAndIsrResult> {
    return updateLeaderAndIsr(this.zk, updates, controllerEpoch);
  }

  // ---- topic deletion, configs -----------------------------------------------------------------

  async getTopicDeletions(): Promise<string[]> {
    try {
      return await this.zk.getChildren(DeleteTopicsZNode.path);
    } catch (err) {
      if (isZkError(err, 'NONODE')) return [];
      throw err;
    }
  }

  async deleteTopicDeletions(topics: Iterable<string>): Promise<void> {
    await Promise.all([...topics].map((t) => this.deleteIfExists(DeleteTopicsTopicZNode.path(t))));
  }

  /** The partitions listed in /admin/preferred_replica_election (empty when the znode is absent). */
  async getPreferredReplicaElection(): Promise<TopicPartition[]> {
    const node = await this.zk.getOrNull(PreferredReplicaElectionZNode.path);
    return node === null ? [] : PreferredReplicaElectionZNode.decode(node.data);
  }

  /** Deletes /admin/preferred_replica_election once its elections ran (absent is fine). */
  async deletePreferredReplicaElection(): Promise<void> {
    await this.deleteIfExists(PreferredReplicaElectionZNode.path);
  }

  /** Deletes /brokers/topics/<t> and everything under it. */
  async deleteTopicZNode(topic: string): Promise<void> {
    await this.zk.deleteRecursive(TopicZNode.path(topic));
  }

  async deleteTopicConfigs(topics: Iterable<string>): Promise<void> {
    await Promise.all([...topics].map((t) => this.zk.deleteRecursive(ConfigEntityZNode.topicPath(t))));
  }

  async topicExists(topic: string): Promise<boolean> {
    return (await this.zk.exists(TopicZNode.path(topic))) !== null;
  }

  /** /config/<type>/<name> as a map (empty when absent). */
  async getEntityConfigs(entityType: ConfigType, entityName: string): Promise<Map<string, string>> {
    const path = ConfigEntityZNode.path(entityType, entityName);
    const node = await this.zk.getOrNull(path);
    return node === null ? new Map() : ConfigEntityZNode.decode(node.data, path);
  }

  // ---- ISR change notifications ----------------------------------------------------------------

  /** Sequence numbers of the pending /isr_change_notification/isr_change_<seq> znodes, sorted. */
  async getAllIsrChangeNotifications(): Promise<string[]> {
    try {
      const children = await this.zk.getChildren(IsrChangeNotificationZNode.path);
      return children.map((c) => c.substring(IsrChangeNotificationSequenceZNode.prefix.length)).sort();
    } catch (err) {
      if (isZkError(err, 'NONODE')) return [];
      throw err;
    }
  }

  /** The partitions listed in the given notifications (ones deleted meanwhile are skipped). */
  async getPartitionsFromIsrChangeNotifications(sequenceNumbers: readonly string[]): Promise<TopicPartition[]> {
    const nodes = await Promise.all(sequenceNumbers.map((s) => this.zk.getOrNull(IsrChangeNotificationSequenceZNode.path(s))));
    const out: TopicPartition[] = [];
    nodes.forEach((node, i) => {
      if (node === null) return;
      try {
        out.push(...IsrChangeNotificationSequenceZNode.decode(node.data, IsrChangeNotificationSequenceZNode.path(sequenceNumbers[i])));
      } catch (err) {
        this.log.warn({ err }, 'ignoring malformed ISR change notification');
      }
    });
    return out;
  }

  async deleteIsrChangeNotifications(sequenceNumbers: readonly string[]): Promise<void> {
    await Promise.all(sequenceNumbers.map((s) => this.deleteIfExists(IsrChangeNotificationSequenceZNode.path(s))));
  }

  /** Writes an ISR change notification (the leader side, pre-2.7-IV2 path). */
  async propagateIsrChanges(partitions: Iterable<TopicPartition>): Promise<string> {
    return this.zk.create(IsrChangeNotificationSequenceZNode.path(), IsrChangeNotificationSequenceZNode.encode(partitions), {
      mode: 'persistent_sequential',
    });
  }

  /** Kafka's setOrCreateConsumerOffset: the ZooKeeper offset store of OffsetCommit v0. */
  async setConsumerOffset(group: string, topic: string, partition: number, offset: bigint): Promise<void> {
    const path = ConsumerOffsetZNode.path(group, topic, partition);
    try {
      await this.zk.set(path, ConsumerOffsetZNode.encode(offset));
    } catch (err) {
      if (!isZkError(err, 'NONODE')) throw err;
      await this.zk.createRecursive(path, ConsumerOffsetZNode.encode(offset));
    }
  }

  /** Kafka's getConsumerOffset (OffsetFetch v0): null when nothing was committed. */
  async getConsumerOffset(group: string, topic: string, partition: number): Promise<bigint | null> {
    const path = ConsumerOffsetZNode.path(group, topic, partition);
    const node = await this.zk.getOrNull(path);
    return node === null ? null : ConsumerOffsetZNode.decode(node.data, path);
  }

  private async deleteIfExists(path: string): Promise<void> {
    try {
      await this.zk.delete(path);
    } catch (err) {
      if (!isZkError(err, 'NONODE')) throw err;
    }
  }
}
