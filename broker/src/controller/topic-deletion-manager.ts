/**
 * Kafka's TopicDeletionManager. A topic queued in /admin/delete_topics is deleted when every replica has
 * acknowledged StopReplica(delete=true): its partitions go Offline → NonExistent (UpdateMetadata with
 * leader -2 so brokers forget it), replicas on live brokers go OfflineReplica → ReplicaDeletionStarted;
 * replicas on dead brokers make the topic ineligible until their broker returns. When all replicas are
 * ReplicaDeletionSuccessful the znodes go: /brokers/topics/<t>, /config/topics/<t>, /admin/delete_topics/<t>.
 */
import type { Logger } from '../common/logger';
import type { KafkaZkClient } from '../zk/kafka-zk-client';
import type { ControllerContext, PartitionAndReplica } from './controller-context';
import type { PartitionStateMachine } from './partition-state-machine';
import type { ReplicaStateMachine } from './replica-state-machine';
import type { ControllerBrokerRequestBatch } from './request-batch';

export interface TopicDeletionManagerOptions {
  context: ControllerContext;
  zkClient: KafkaZkClient;
  partitionStateMachine: PartitionStateMachine;
  replicaStateMachine: ReplicaStateMachine;
  batch: ControllerBrokerRequestBatch;
  deleteTopicEnable: boolean;
  logger: Logger;
  /** Stops watching /brokers/topics/<t> for partition changes (the topic is going away). */
  mutePartitionModifications(topic: string): void;
}

export class TopicDeletionManager {
  private readonly context: ControllerContext;
  private readonly log: Logger;

  constructor(private readonly options: TopicDeletionManagerOptions) {
    this.context = options.context;
    this.log = options.logger;
  }

  /** Failover: topics already queued (and ineligible ones: a replica on a dead broker). */
  async init(initialTopicsToBeDeleted: Iterable<string>): Promise<void> {
    const topics = [...initialTopicsToBeDeleted].filter((t) => this.context.allTopics.has(t));
    if (!this.options.deleteTopicEnable) {
      await this.options.zkClient.deleteTopicDeletions(topics);
      return;
    }
    for (const t of topics) {
      this.context.topicsToBeDeleted.add(t);
      if (this.context.replicasForTopic(t).some((r) => !this.context.isReplicaOnline(r.replica))) this.context.topicsIneligibleForDeletion.add(t);
    }
  }

  isTopicQueuedUpForDeletion(topic: string): boolean {
    return this.context.topicsToBeDeleted.has(topic);
  }

  async enqueueTopicsForDeletion(topics: Iterable<string>): Promise<void> {
    if (!this.options.deleteTopicEnable) return;
    for (const t of topics) this.context.topicsToBeDeleted.add(t);
    await this.resumeDeletions();
  }

  /** A broker came back, or a blocking condition cleared: retry topics waiting on it. */
  async resumeDeletionForTopics(topics: Iterable<string>): Promise<void> {
    const queued = [...topics].filter((t) => this.context.topicsToBeDeleted.has(t));
    if (queued.length === 0) return;
    for (const t of queued) this.context.topicsIneligibleForDeletion.delete(t);
    await this.resumeDeletions();
  }

  /** StopReplica(delete=true) succeeded for these replicas. */
  async completeReplicaDeletion(replicas: readonly PartitionAndReplica[]): Promise<void> {
    const started = replicas.filter((r) => this.context.replicaState(r) === 'ReplicaDeletionStarted');
    await this.options.replicaStateMachine.handleStateChanges(started, 'ReplicaDeletionSuccessful');
    await this.resumeDeletions();
  }

  /** StopReplica(delete=true) failed (or the broker died): the topic waits until retried. */
  async failReplicaDeletion(replicas: readonly PartitionAndReplica[]): Promise<void> {
    if (replicas.length === 0) return;
    const queued = replicas.filter((r) => this.context.topicsToBeDeleted.has(r.topic));
    await this.options.replicaStateMachine.handleStateChanges(queued, 'ReplicaDeletionIneligible');
    for (const r of queued) this.context.topicsIneligibleForDeletion.add(r.topic);
    await this.resumeDeletions();
  }

  async resumeDeletions(): Promise<void> {
    const retry: string[] = [];
    const eligible: string[] = [];
    for (const topic of [...this.context.topicsToBeDeleted]) {
      if (this.context.topicsWithDeletionStarted.has(topic) && this.context.areAllReplicasInState(topic, 'ReplicaDeletionSuccessful')) {
        await this.completeDeleteTopic(topic);
        continue;
      }
      if (!this.context.isAnyReplicaInState(topic, 'ReplicaDeletionStarted') && this.context.isAnyReplicaInState(topic, 'ReplicaDeletionIneligible')) {
        retry.push(topic);
      }
      if (this.isTopicEligibleForDeletion(topic)) eligible.push(topic);
    }
    if (retry.length > 0) await this.retryDeletionForIneligibleReplicas(retry);
    if (eligible.length > 0) await this.onTopicDeletion(eligible);
  }

  private isTopicEligibleForDeletion(topic: string): boolean {
    return (
      this.context.topicsToBeDeleted.has(topic) &&
      !this.context.isAnyReplicaInState(topic, 'ReplicaDeletionStarted') &&
      !this.context.topicsIneligibleForDeletion.has(topic)
    );
  }

  private async retryDeletionForIneligibleReplicas(topics: readonly string[]): Promise<void> {
    const failed = topics.flatMap((t) => this.context.replicasInState(t, 'ReplicaDeletionIneligible')).filter((r) => this.context.isReplicaOnline(r.replica));
    for (const t of topics) if (this.context.replicasForTopic(t).every((r) => this.context.isReplicaOnline(r.replica))) this.context.topicsIneligibleForDeletion.delete(t);
    await this.options.replicaStateMachine.handleStateChanges(failed, 'OfflineReplica');
  }

  private async onTopicDeletion(topics: readonly string[]): Promise<void> {
    const unseen = topics.filter((t) => !this.context.topicsWithDeletionStarted.has(t));
    if (unseen.length > 0) {
      const partitions = unseen.flatMap((t) => this.context.partitionsForTopic(t));
      await this.options.partitionStateMachine.handleStateChanges(partitions, 'OfflinePartition');
      await this.options.partitionStateMachine.handleStateChanges(partitions, 'NonExistentPartition');
      for (const t of unseen) this.context.topicsWithDeletionStarted.add(t);
    }
    // UpdateMetadata with leader -2 tells every broker the partitions are going away.
    const batch = this.options.batch;
    batch.newBatch();
    batch.addUpdateMetadataRequestForBrokers(
      this.context.liveBrokerIds(),
      topics.flatMap((t) => this.context.partitionsForTopic(t)),
    );
    batch.sendRequestsToBrokers(this.context.epoch);
    for (const topic of topics) await this.startReplicaDeletion(topic);
  }

  private async startReplicaDeletion(topic: string): Promise<void> {
    const replicas = this.context.replicasForTopic(topic);
    const dead = replicas.filter((r) => !this.context.isReplicaOnline(r.replica));
    const retry = replicas.filter((r) => this.context.isReplicaOnline(r.replica) && this.context.replicaState(r) !== 'ReplicaDeletionSuccessful');
    this.log.info({ topic, replicas: retry.length, deadReplicas: dead.length }, 'deletion of topic started');
    await this.options.replicaStateMachine.handleStateChanges(dead.filter((r) => this.context.replicaState(r) !== 'ReplicaDeletionIneligible'), 'ReplicaDeletionIneligible');
    await this.options.replicaStateMachine.handleStateChanges(retry, 'OfflineReplica');
    await this.options.replicaStateMachine.handleStateChanges(retry, 'ReplicaDeletionStarted');
    if (dead.length > 0) {
      this.log.info({ topic }, 'topic deletion halted: a replica is on a dead broker');
      this.context.topicsIneligibleForDeletion.add(topic);
    }
  }

  private async completeDeleteTopic(topic: string): Promise<void> {
    this.options.mutePartitionModifications(topic);
    const done = this.context.replicasInState(topic, 'ReplicaDeletionSuccessful');
    await this.options.replicaStateMachine.handleStateChanges(done, 'NonExistentReplica');
    await this.options.zkClient.deleteTopicZNode(topic);
    await this.options.zkClient.deleteTopicConfigs([topic]);
    await this.options.zkClient.deleteTopicDeletions([topic]);
    this.context.removeTopic(topic);
    this.log.info({ topic }, 'deletion of topic successfully completed');
  }
}
