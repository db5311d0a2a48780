/**
 * The active controller's event handlers (KafkaController.process*): loading the context on failover,
 * broker startup / failure / modification, topic and partition creation, topic deletion requests, ISR
 * change notifications and StopReplica responses. Each runs on the controller's single event queue.
 */
import type { Logger } from '../common/logger';
import { KafkaProtocolError } from '../protocol';
import { tpKey, type BrokerInfo, type KafkaZkClient, type TopicPartition } from '../zk/kafka-zk-client';
import type { ControllerChannelManager } from './channel-manager';
import type { ControllerContext, PartitionAndReplica } from './controller-context';
import { PartitionReassignmentManager, type OngoingReassignment, type ReassignmentError, type ReassignmentRequest } from './partition-reassignment';
import type { PartitionStateMachine } from './partition-state-machine';
import type { ReplicaStateMachine } from './replica-state-machine';
import type { ControllerBrokerRequestBatch, StopReplicaPartitionResult } from './request-batch';
import type { TopicDeletionManager } from './topic-deletion-manager';

export interface ControllerHandlersOptions {
  brokerId: number;
  context: ControllerContext;
  zkClient: KafkaZkClient;
  channelManager: ControllerChannelManager;
  batch: ControllerBrokerRequestBatch;
  partitionStateMachine: PartitionStateMachine;
  replicaStateMachine: ReplicaStateMachine;
  topicDeletionManager: TopicDeletionManager;
  deleteTopicEnable: boolean;
  logger: Logger;
  watchPartitionModifications(topic: string): Promise<void>;
  unwatchPartitionModifications(topic: string): void;
  watchBrokerModifications(brokerId: number): Promise<void>;
  unwatchBrokerModifications(brokerId: number): void;
  /** Queues an event for the active controller (ZooKeeper watches of partition reassignment). */
  enqueue?(name: string, process: (handlers: ControllerHandlers) => Promise<void>): void;
}

function sameRegistration(a: BrokerInfo, b: BrokerInfo): boolean {
  const strip = (x: BrokerInfo): string => JSON.stringify({ ...x.registration, timestamp: undefined });
  return strip(a) === strip(b);
}

export class ControllerHandlers {
  private readonly context: ControllerContext;
  private readonly zkClient: KafkaZkClient;
  private readonly log: Logger;
  private readonly reassignment: PartitionReassignmentManager;

  constructor(private readonly o: ControllerHandlersOptions) {
    this.context = o.context;
    this.zkClient = o.zkClient;
    this.log = o.logger;
    this.reassignment = new PartitionReassignmentManager({
      context: o.context,
      zkClient: o.zkClient,
      batch: o.batch,
      partitionStateMachine: o.partitionStateMachine,
      replicaStateMachine: o.replicaStateMachine,
      topicDeletionManager: o.topicDeletionManager,
      deleteTopicEnable: o.deleteTopicEnable,
      logger: o.logger.child({ component: 'PartitionReassignment' }),
      // Events from this controller's watches run only while it is still the one handling them.
      enqueue: (name, process) => o.enqueue?.(name, (h) => (h === this ? process() : Promise.resolve())),
    });
  }

  /** Resignation: closes the watches these handlers registered. */
  close(): void {
    this.reassignment.close();
  }

  /** Kafka's initializeControllerContext: brokers, topics (+ ids), assignments and leadership. */
  async initializeControllerContext(): Promise<void> {
    const brokers = await this.zkClient.getAllBrokersInCluster();
    for (const b of brokers) this.context.liveBrokers.set(b.id, b);
    for (const b of brokers) await this.o.watchBrokerModifications(b.id);
    const topics = await this.zkClient.getAllTopicsInCluster();
    for (const t of topics) this.context.allTopics.add(t);
    for (const t of topics) await this.o.watchPartitionModifications(t);
    await this.loadAssignments(topics);
    this.reassignment.loadPartitionsBeingReassigned();
    const states = await this.zkClient.getTopicPartitionStates(this.context.allPartitions());
    for (const [key, state] of states) this.context.partitionLeadershipInfo.set(key, state);
    this.o.channelManager.startup(brokers);
    this.log.info(
      { liveBrokers: this.context.liveBrokerIds(), topics: topics.length, partitions: this.context.allPartitions().length },
      'initialized controller context',
    );
  }

  /** Reads assignments, gives topics without an id one (Kafka 2.8 processTopicIds), fills the context. */
  private async loadAssignments(topics: readonly string[]): Promise<TopicPartition[]> {
    const assignments = await this.zkClient.getReplicaAssignmentAndTopicIds(topics);
    const ids = await this.zkClient.setTopicIds([...assignments.values()]);
    const added: TopicPartition[] = [];
    for (const [topic, a] of assignments) {
      const id = ids.get(topic);
      if (id !== undefined) this.context.topicIds.set(topic, id);
      for (const [partition, assignment] of [...a.partitions].sort((x, y) => x[0] - y[0])) {
        this.context.updatePartitionFullReplicaAssignment({ topic, partition }, assignment);
        added.push({ topic, partition });
      }
    }
    return added;
  }

  private sendUpdateMetadataRequest(brokerIds: readonly number[], partitions: readonly TopicPartition[]): void {
    const batch = this.o.batch;
    batch.newBatch();
    batch.addUpdateMetadataRequestForBrokers(brokerIds, partitions);
    batch.sendRequestsToBrokers(this.context.epoch);
  }

  // ---- brokers ---------------------------------------------------------------------------------

  async processBrokerChange(): Promise<void> {
    const current = await this.zkClient.getAllBrokersInCluster();
    const curById = new Map(current.map((b) => [b.id, b]));
    const live = this.context.liveBrokerIds();
    const newBrokers = current.filter((b) => !this.context.liveBrokers.has(b.id));
    const dead = live.filter((id) => !curById.has(id));
    const bounced = current.filter((b) => {
      const known = this.context.liveBrokers.get(b.id);
      return known !== undefined && b.epoch > known.epoch;
    });
    this.log.info(
      { newBrokers: newBrokers.map((b) => b.id), deadBrokers: dead, bouncedBrokers: bounced.map((b) => b.id), liveBrokers: current.map((b) => b.id) },
      'broker change',
    );
    for (const b of newBrokers) {
      this.context.liveBrokers.set(b.id, b);
      this.o.channelManager.addBroker(b);
    }
    if (newBrokers.length > 0) await this.onBrokerStartup(newBrokers.map((b) => b.id));
    if (bounced.length > 0) {
      for (const b of bounced) {
        this.context.liveBrokers.delete(b.id);
        this.context.shuttingDownBrokerIds.delete(b.id);
        await this.o.channelManager.removeBroker(b.id);
      }
      await this.onBrokerFailure(bounced.map((b) => b.id));
      for (const b of bounced) {
        this.context.liveBrokers.set(b.id, b);
        this.o.channelManager.addBroker(b);
      }
      await this.onBrokerStartup(bounced.map((b) => b.id));
    }
    if (dead.length > 0) {
      for (const id of dead) {
        this.context.liveBrokers.delete(id);
        this.context.shuttingDownBrokerIds.delete(id);
        await this.o.channelManager.removeBroker(id);
      }
      await this.onBrokerFailure(dead);
    }
  }

  private async onBrokerStartup(newBrokers: readonly number[]): Promise<void> {
    this.log.info({ newBrokers }, 'new broker startup callback');
    const newSet = new Set(newBrokers);
    const existing = this.context.liveBrokerIds().filter((id) => !newSet.has(id));
    // Existing brokers learn of the new ones; new ones get every partition with a leader.
    this.sendUpdateMetadataRequest(existing, []);
    this.sendUpdateMetadataRequest(newBrokers, this.context.partitionsWithLeaders());
    const replicas = this.context.replicasOnBrokers(newSet);
    await this.o.replicaStateMachine.handleStateChanges(replicas, 'OnlineReplica');
    await this.o.partitionStateMachine.triggerOnlinePartitionStateChange();
    await this.reassignment.onBrokerStartup(newSet);
    const topicsWaiting = [...new Set(replicas.map((r) => r.topic))].filter((t) => this.context.topicsToBeDeleted.has(t));
    if (topicsWaiting.length > 0) await this.o.topicDeletionManager.resumeDeletionForTopics(topicsWaiting);
    for (const id of newBrokers) await this.o.watchBrokerModifications(id);
  }

  private async onBrokerFailure(deadBrokers: readonly number[]): Promise<void> {
    this.log.info({ deadBrokers }, 'broker failure callback');
    await this.onReplicasBecomeOffline(this.context.replicasOnBrokers(new Set(deadBrokers)));
    for (const id of deadBrokers) this.o.unwatchBrokerModifications(id);
  }

  private async onReplicasBecomeOffline(replicas: readonly PartitionAndReplica[]): Promise<void> {
    const forDeletion = replicas.filter((r) => this.context.topicsToBeDeleted.has(r.topic));
    const notForDeletion = replicas.filter((r) => !this.context.topicsToBeDeleted.has(r.topic));
    const offlineLeader = this.context.partitionsWithOfflineLeader();
    await this.o.partitionStateMachine.handleStateChanges(offlineLeader, 'OfflinePartition');
    await this.o.partitionStateMachine.triggerOnlinePartitionStateChange();
    await this.o.replicaStateMachine.handleStateChanges(notForDeletion, 'OfflineReplica');
    if (forDeletion.length > 0) await this.o.topicDeletionManager.failReplicaDeletion(forDeletion);
    // Without a leadership change nothing else tells the brokers that these brokers are gone.
    if (offlineLeader.length === 0) this.sendUpdateMetadataRequest(this.context.liveBrokerIds(), []);
  }

  async processBrokerModification(brokerId: number): Promise<void> {
    const known = this.context.liveBrokers.get(brokerId);
    if (known === undefined) return;
    const now = await this.zkClient.getBroker(brokerId);
    if (now === null || now.epoch !== known.epoch || sameRegistration(known, now)) return;
    this.log.info({ brokerId }, 'broker registration changed; updating metadata');
    this.context.liveBrokers.set(brokerId, now);
    await this.o.channelManager.removeBroker(brokerId);
    this.o.channelManager.addBroker(now);
    this.sendUpdateMetadataRequest(this.context.liveBrokerIds(), []);
  }

  /**
   * Kafka's doControlledShutdown: the broker stops being eligible; partitions it leads (with other
   * replicas) get a ControlledShutdown election, partitions it follows drop it from the ISR (StopReplica
   * + OfflineReplica). Returns the replicated partitions it still leads (the broker retries while any remain).
   */
  async controlledShutdown(brokerId: number, brokerEpoch: bigint): Promise<TopicPartition[]> {
    const known = this.context.liveBrokers.get(brokerId);
    // -1 = a broker that predates KIP-380 and sends no epoch: accepted, as Kafka does.
    if (known !== undefined && brokerEpoch !== -1n && brokerEpoch < known.epoch) {
      throw new KafkaProtocolError('STALE_BROKER_EPOCH', `broker epoch ${brokerEpoch} of broker ${brokerId} is older than ${known.epoch}`);
    }
    if (known === undefined) throw new KafkaProtocolError('BROKER_NOT_AVAILABLE', `Broker id ${brokerId} does not exist.`);
    this.context.shuttingDownBrokerIds.add(brokerId);
    this.log.info({ brokerId }, 'shutting down broker');
    const toActOn = this.context.allPartitions().filter((tp) => {
      const replicas = this.context.partitionReplicaAssignment(tp);
      return replicas.includes(brokerId) && replicas.length > 1 && this.context.partitionLeadershipInfo.has(tpKey(tp)) && !this.context.topicsToBeDeleted.has(tp.topic);
    });
    const ledBy = (tp: TopicPartition): boolean => this.context.partitionLeadershipInfo.get(tpKey(tp))?.leaderAndIsr.leader === brokerId;
    const led = toActOn.filter(ledBy);
    const followed = toActOn.filter((tp) => !ledBy(tp));
    await this.o.partitionStateMachine.handleStateChanges(led, 'OnlinePartition', 'controlledShutdown');
    const batch = this.o.batch;
    batch.newBatch();
    for (const tp of followed) batch.addStopReplicaRequestForBrokers([brokerId], tp, false);
    batch.sendRequestsToBrokers(this.context.epoch);
    await this.o.replicaStateMachine.handleStateChanges(followed.map((tp) => ({ ...tp, replica: brokerId })), 'OfflineReplica');
    return this.context
      .allPartitions()
      .filter((tp) => ledBy(tp) && !this.context.topicsToBeDeleted.has(tp.topic) && this.context.partitionReplicaAssignment(tp).length > 1);
  }

  // ---- topics and partitions -------------------------------------------------------------------

  async processTopicChange(): Promise<void> {
    const topics = new Set(await this.zkClient.getAllTopicsInCluster());
    const newTopics = [...topics].filter((t) => !this.context.allTopics.has(t));
    const deletedTopics = [...this.context.allTopics].filter((t) => !topics.has(t));
    for (const t of deletedTopics) {
      this.o.unwatchPartitionModifications(t);
      this.reassignment.removeTopic(t);
      this.context.removeTopic(t);
    }
    for (const t of newTopics) this.context.allTopics.add(t);
    for (const t of newTopics) await this.o.watchPartitionModifications(t);
    if (newTopics.length === 0) return;
    this.log.info({ newTopics, deletedTopics }, 'topic change');
    const added = await this.loadAssignments(newTopics);
    if (added.length > 0) await this.onNewPartitionCreation(added);
  }

  async processPartitionModifications(topic: string): Promise<void> {
    if (!this.context.allTopics.has(topic)) return;
    const assignment = (await this.zkClient.getReplicaAssignmentAndTopicIds([topic])).get(topic);
    if (assignment === undefined) return;
    const toAdd = [...assignment.partitions]
      .filter(([partition]) => this.context.partitionFullReplicaAssignment({ topic, partition }) === undefined)
      .sort((a, b) => a[0] - b[0]);
    if (toAdd.length === 0) return;
    if (this.o.topicDeletionManager.isTopicQueuedUpForDeletion(topic)) {
      this.log.info({ topic }, 'skipping adding partitions to a topic queued up for deletion');
      return;
    }
    const added: TopicPartition[] = [];
    for (const [partition, a] of toAdd) {
      this.context.updatePartitionFullReplicaAssignment({ topic, partition }, a);
      added.push({ topic, partition });
    }
    this.log.info({ topic, partitions: added.map((tp) => tp.partition) }, 'new partitions to be added');
    await this.onNewPartitionCreation(added);
  }

  private async onNewPartitionCreation(partitions: readonly TopicPartition[]): Promise<void> {
    this.log.info({ partitions: partitions.map(tpKey) }, 'new partition creation callback');
    const psm = this.o.partitionStateMachine;
    const rsm = this.o.replicaStateMachine;
    await psm.handleStateChanges(partitions, 'NewPartition');
    await rsm.handleStateChanges(this.context.replicasForPartition(partitions), 'NewReplica');
    await psm.handleStateChanges(partitions, 'OnlinePartition');
    await rsm.handleStateChanges(this.context.replicasForPartition(partitions), 'OnlineReplica');
  }

  // ---- topic deletion --------------------------------------------------------------------------

  async processTopicDeletion(): Promise<void> {
    const requested = await this.zkClient.getTopicDeletions();
    const nonExistent = requested.filter((t) => !this.context.allTopics.has(t));
    if (nonExistent.length > 0) {
      this.log.warn({ topics: nonExistent }, 'ignoring request to delete non-existing topics');
      await this.zkClient.deleteTopicDeletions(nonExistent);
    }
    const toDelete = requested.filter((t) => this.context.allTopics.has(t));
    if (toDelete.length === 0) return;
    if (!this.o.deleteTopicEnable) {
      this.log.info({ topics: toDelete }, 'removing topic deletion requests since delete topic is disabled');
      await this.zkClient.deleteTopicDeletions(toDelete);
      return;
    }
    this.log.info({ topics: toDelete }, 'starting topic deletion');
    // A topic with a reassignment in flight waits for it (deletion resumes when it completes).
    const reassigning = new Set([...this.reassignment.partitionsBeingReassigned.values()].map((tp) => tp.topic));
    for (const t of toDelete) if (reassigning.has(t)) this.context.topicsIneligibleForDeletion.add(t);
    await this.o.topicDeletionManager.enqueueTopicsForDeletion(toDelete);
  }

  async processStopReplicaDeletionResponse(brokerId: number, results: readonly StopReplicaPartitionResult[]): Promise<void> {
    const failed = results.filter((r) => r.errorCode !== 0).map((r) => ({ ...r.partition, replica: brokerId }));
    const ok = results.filter((r) => r.errorCode === 0).map((r) => ({ ...r.partition, replica: brokerId }));
    if (failed.length > 0) this.log.warn({ brokerId, failed: failed.map(tpKey) }, 'replica deletion failed');
    if (failed.length > 0) await this.o.topicDeletionManager.failReplicaDeletion(failed);
    if (ok.length > 0) await this.o.topicDeletionManager.completeReplicaDeletion(ok);
  }

  // ---- ISR change notifications ----------------------------------------------------------------

  /** Leaders wrote new ISRs to ZooKeeper: reload those states and send UpdateMetadata to every broker. */
  async processIsrChangeNotification(): Promise<void> {
    const seqs = await this.zkClient.getAllIsrChangeNotifications();
    if (seqs.length === 0) return;
    const partitions = await this.zkClient.getPartitionsFromIsrChangeNotifications(seqs);
    await this.zkClient.deleteIsrChangeNotifications(seqs);
    const known = partitions.filter((tp) => this.context.partitionFullReplicaAssignment(tp) !== undefined);
    const states = await this.zkClient.getTopicPartitionStates(known);
    for (const [key, state] of states) this.context.partitionLeadershipInfo.set(key, state);
    this.sendUpdateMetadataRequest(this.context.liveBrokerIds(), known);
    // A reassignment completes once its target replicas are all in the ISR.
    for (const tp of known) await this.reassignment.processPartitionReassignmentIsrChange(tp);
  }

  // ---- partition reassignment ------------------------------------------------------------------

  /** Failover: reassignments from /admin/reassign_partitions, then the ones found in /brokers/topics. */
  async initializePartitionReassignments(): Promise<void> {
    this.reassignment.markTopicsIneligibleForDeletion();
    await this.reassignment.initializePartitionReassignments();
  }

  /** AlterPartitionReassignments on the active controller: per-partition errors. */
  async alterPartitionReassignments(requests: readonly ReassignmentRequest[]): Promise<Map<string, { partition: TopicPartition; error: ReassignmentError }>> {
    return this.reassignment.processApiPartitionReassignment(requests);
  }

  /** ListPartitionReassignments: the given partitions (null = all) that are being reassigned. */
  listPartitionReassignments(partitions: readonly TopicPartition[] | null): OngoingReassignment[] {
    return this.reassignment.listPartitionReassignments(partitions);
  }

  /** Partitions with a reassignment in flight (auto leader rebalance skips while any are). */
  partitionsBeingReassigned(): TopicPartition[] {
    return [...this.reassignment.partitionsBeingReassigned.values()];
  }
}
