/**
 * Kafka 2.8's partition reassignment (KIP-455) on the active controller: KafkaController's
 * onPartitionReassignment and the requests that drive it (AlterPartitionReassignments,
 * ListPartitionReassignments, the legacy /admin/reassign_partitions znode, ISR changes, broker startup,
 * controller failover). RS = replicas, ORS = original, TRS = target, AR = TRS − ORS, RR = ORS − TRS.
 *
 *  U. /brokers/topics/<t> gets RS = TRS ++ ORS with AR/RR (ZooKeeper first, so a new controller can
 *     resume), then memory; replicas added by a superseded reassignment are stopped and deleted.
 *  A. While TRS ⊄ ISR: bump the leader epoch in the state znode, send LeaderAndIsr to RS (isNew for AR),
 *     AR → NewReplica; then wait for the ISR (the state znode's data watch, ISR change notifications).
 *  B. Once TRS ⊆ ISR: AR → Online; RS = TRS in memory; elect from TRS if the leader is not in it or dead,
 *     else bump the epoch; RR → Offline → DeletionStarted → DeletionSuccessful → NonExistent (StopReplica
 *     delete); /brokers/topics/<t> gets RS = TRS; drop it from /admin/reassign_partitions; UpdateMetadata.
 *
 * Leaders write ISR changes to ZooKeeper here (DESIGN.md "ISR propagation", no AlterIsr), so Kafka's
 * PartitionReassignmentIsrChangeHandler (a data watch on the state znode) is what notices the catch-up.
 */
import type { Logger } from '../common/logger';
import type { ZkWatch } from '../zk/watch';
import { isZkError } from '../zk/errors';
import { ControllerMovedError, tpKey, type KafkaZkClient, type LeaderIsrAndEpoch, type TopicPartition } from '../zk/kafka-zk-client';
import { ReassignPartitionsZNode, TopicPartitionStateZNode, type PartitionAssignment, type PartitionReassignment as ZkReassignment } from '../zk/znodes';
import type { ControllerContext, PartitionAndReplica } from './controller-context';
import type { PartitionStateMachine } from './partition-state-machine';
import { isBeingReassigned, isReassignmentComplete, maybeBuildReassignment, originReplicas, replicaAssignment, sameAssignment, targetReplicas, validateReplicas } from './replica-assignment';
import type { ReplicaStateMachine } from './replica-state-machine';
import type { ControllerBrokerRequestBatch } from './request-batch';
import type { TopicDeletionManager } from './topic-deletion-manager';

/** Kafka's ApiError for one partition of a reassignment request. */
export interface ReassignmentError {
  errorCode: ReassignmentErrorName;
  message: string | null;
}

export type ReassignmentErrorName = 'NONE' | 'UNKNOWN_TOPIC_OR_PARTITION' | 'INVALID_REPLICA_ASSIGNMENT' | 'NO_REASSIGNMENT_IN_PROGRESS' | 'UNKNOWN_SERVER_ERROR';

/** One partition of AlterPartitionReassignments: a target replica list, or null to cancel. */
export interface ReassignmentRequest extends TopicPartition {
  replicas: number[] | null;
}

/** One ongoing reassignment as ListPartitionReassignments reports it. */
export interface OngoingReassignment extends TopicPartition {
  assignment: PartitionAssignment;
}

export interface PartitionReassignmentOptions {
  context: ControllerContext;
  zkClient: KafkaZkClient;
  batch: ControllerBrokerRequestBatch;
  partitionStateMachine: PartitionStateMachine;
  replicaStateMachine: ReplicaStateMachine;
  topicDeletionManager: TopicDeletionManager;
  deleteTopicEnable: boolean;
  logger: Logger;
  /** Queues work on the controller's event queue (ZooKeeper watches fire outside it). */
  enqueue(name: string, process: () => Promise<void>): void;
}

const NONE: ReassignmentError = { errorCode: 'NONE', message: null };
const NO_PARTITION: ReassignmentError = { errorCode: 'UNKNOWN_TOPIC_OR_PARTITION', message: 'The partition does not exist.' };
const MAX_ZK_RETRIES = 10;

export class PartitionReassignmentManager {
  private readonly context: ControllerContext;
  private readonly zkClient: KafkaZkClient;
  private readonly log: Logger;
  /** Kafka's controllerContext.partitionsBeingReassigned (keyed `topic-partition`). */
  readonly partitionsBeingReassigned = new Map<string, TopicPartition>();
  private readonly isrChangeWatches = new Map<string, ZkWatch<unknown>>();
  private reassignPartitionsWatch: ZkWatch<unknown> | null = null;
  private closed = false;

  constructor(private readonly o: PartitionReassignmentOptions) {
    this.context = o.context;
    this.zkClient = o.zkClient;
    this.log = o.logger;
  }

  /** Resignation: the watches go (a new controller registers its own). */
  close(): void {
    this.closed = true;
    this.reassignPartitionsWatch?.close();
    this.reassignPartitionsWatch = null;
    for (const w of this.isrChangeWatches.values()) w.close();
    this.isrChangeWatches.clear();
  }

  /** A deleted topic's reassignments are gone with it (Kafka's controllerContext.removeTopic). */
  removeTopic(topic: string): void {
    for (const [key, tp] of [...this.partitionsBeingReassigned]) {
      if (tp.topic !== topic) continue;
      this.unwatchIsrChange(tp);
      this.partitionsBeingReassigned.delete(key);
    }
  }

  /** Partitions whose loaded assignment has adding/removing replicas (initializeControllerContext). */
  loadPartitionsBeingReassigned(): void {
    for (const tp of this.context.allPartitions()) {
      const a = this.context.partitionFullReplicaAssignment(tp);
      if (a !== undefined && isBeingReassigned(a)) this.partitionsBeingReassigned.set(tpKey(tp), tp);
    }
  }

  /** Topics with a reassignment in flight cannot be deleted meanwhile (fetchTopicDeletionsInProgress). */
  markTopicsIneligibleForDeletion(): void {
    for (const tp of this.partitionsBeingReassigned.values()) this.markTopicIneligibleForDeletion(tp.topic);
  }

  /**
   * Kafka's initializePartitionReassignments (failover): the legacy znode's requests first (they win),
   * then the reassignments found in /brokers/topics are resumed.
   */
  async initializePartitionReassignments(): Promise<void> {
    await this.watchReassignPartitions();
    const zkResumed = await this.processZkPartitionReassignment();
    await this.maybeResumeReassignments((tp) => !zkResumed.has(tpKey(tp)));
  }

  /** Kafka's maybeResumeReassignments (failover; broker startup for reassignments targeting it). */
  async maybeResumeReassignments(shouldResume: (tp: TopicPartition, assignment: PartitionAssignment) => boolean): Promise<void> {
    for (const tp of [...this.partitionsBeingReassigned.values()]) {
      const a = this.context.partitionFullReplicaAssignment(tp);
      if (a === undefined || !shouldResume(tp, a)) continue;
      try {
        await this.onPartitionReassignment(tp, a);
      } catch (err) {
        // One partition that cannot go on must not cost the controller its failover; the next trigger retries.
        if (err instanceof ControllerMovedError) throw err;
        this.log.error({ err, partition: tpKey(tp) }, 'error resuming reassignment of partition');
      }
    }
  }

  /** Broker startup: reassignments with a target replica on a new broker continue. */
  async onBrokerStartup(newBrokers: ReadonlySet<number>): Promise<void> {
    await this.maybeResumeReassignments((_tp, a) => targetReplicas(a).some((id) => newBrokers.has(id)));
  }

  // ---- requests --------------------------------------------------------------------------------

  /**
   * Kafka's processApiPartitionReassignment: validates each target, cancels (null) or starts each
   * reassignment, and drops the partitions from /admin/reassign_partitions (the API request wins).
   */
  async processApiPartitionReassignment(requests: readonly ReassignmentRequest[]): Promise<Map<string, { partition: TopicPartition; error: ReassignmentError }>> {
    const results = new Map<string, { partition: TopicPartition; error: ReassignmentError }>();
    const toReassign = new Map<string, { partition: TopicPartition; assignment: PartitionAssignment }>();
    const live = new Set(this.context.liveBrokerIds());
    for (const r of requests) {
      const tp = { topic: r.topic, partition: r.partition };
      const current = this.context.partitionFullReplicaAssignment(tp) ?? replicaAssignment([]);
      const invalid = r.replicas === null ? null : validateReplicas(current, r.replicas, live);
      if (invalid !== null) {
        results.set(tpKey(tp), { partition: tp, error: { errorCode: 'INVALID_REPLICA_ASSIGNMENT', message: invalid } });
        continue;
      }
      const assignment = maybeBuildReassignment(current, r.replicas);
      if (assignment === null) results.set(tpKey(tp), { partition: tp, error: { errorCode: 'NO_REASSIGNMENT_IN_PROGRESS', message: 'No partition reassignment is in progress.' } });
      else toReassign.set(tpKey(tp), { partition: tp, assignment });
    }
    await this.maybeRemoveFromZkReassignment((tp) => toReassign.has(tpKey(tp)));
    for (const [k, v] of await this.maybeTriggerPartitionReassignment([...toReassign.values()])) results.set(k, v);
    return results;
  }

  /** Kafka's processListPartitionReassignments: the listed partitions (or all) that are being reassigned. */
  listPartitionReassignments(partitions: readonly TopicPartition[] | null): OngoingReassignment[] {
    const candidates = partitions ?? [...this.partitionsBeingReassigned.values()];
    const out: OngoingReassignment[] = [];
    const seen = new Set<string>();
    for (const tp of candidates) {
      if (seen.has(tpKey(tp))) continue;
      seen.add(tpKey(tp));
      const a = this.context.partitionFullReplicaAssignment(tp);
      if (a !== undefined && isBeingReassigned(a)) out.push({ topic: tp.topic, partition: tp.partition, assignment: a });
    }
    return out;
  }

  /**
   * Kafka's processZkPartitionReassignment: the requests in /admin/reassign_partitions. Partitions that
   * cannot be reassigned are dropped from the znode. Returns the partitions started.
   */
  async processZkPartitionReassignment(): Promise<Set<string>> {
    const requests = await this.zkClient.getPartitionReassignment();
    if (requests.length === 0) return new Set();
    const failed = new Set<string>();
    const toReassign: { partition: TopicPartition; assignment: PartitionAssignment }[] = [];
    for (const r of requests) {
      const tp = { topic: r.topic, partition: r.partition };
      const assignment = maybeBuildReassignment(this.context.partitionFullReplicaAssignment(tp) ?? replicaAssignment([]), r.replicas);
      if (assignment === null) failed.add(tpKey(tp));
      else toReassign.push({ partition: tp, assignment });
    }
    const started = new Set<string>();
    for (const [k, { error }] of await this.maybeTriggerPartitionReassignment(toReassign)) {
      if (error.errorCode === 'NONE') started.add(k);
      else failed.add(k);
    }
    if (failed.size > 0) {
      this.log.warn({ partitions: [...failed] }, 'failed reassignment through zk');
      await this.maybeRemoveFromZkReassignment((tp) => failed.has(tpKey(tp)));
    }
    return started;
  }

  /** Kafka's processPartitionReassignmentIsrChange: the ISR moved; complete the reassignment if TRS ⊆ ISR. */
  async processPartitionReassignmentIsrChange(tp: TopicPartition): Promise<void> {
    if (!this.partitionsBeingReassigned.has(tpKey(tp))) return;
    const a = this.context.partitionFullReplicaAssignment(tp);
    if (a === undefined) return;
    if (isReassignmentComplete(a, (await this.readState(tp))?.leaderAndIsr.isr)) {
      this.log.info({ partition: tpKey(tp), targetReplicas: targetReplicas(a) }, 'target replicas have all caught up with the leader for reassigning partition');
      await this.onPartitionReassignment(tp, a);
    }
  }

  /** Kafka's maybeTriggerPartitionReassignment: topics being deleted and unknown partitions are refused. */
  private async maybeTriggerPartitionReassignment(
    reassignments: readonly { partition: TopicPartition; assignment: PartitionAssignment }[],
  ): Promise<Map<string, { partition: TopicPartition; error: ReassignmentError }>> {
    const out = new Map<string, { partition: TopicPartition; error: ReassignmentError }>();
    for (const { partition: tp, assignment } of reassignments) {
      let error = NONE;
      if (this.o.topicDeletionManager.isTopicQueuedUpForDeletion(tp.topic)) {
        this.log.info({ partition: tpKey(tp) }, 'skipping reassignment since the topic is currently being deleted');
        error = NO_PARTITION;
      } else if (this.context.partitionReplicaAssignment(tp).length === 0) {
        error = NO_PARTITION;
      } else {
        try {
          await this.onPartitionReassignment(tp, assignment);
        } catch (err) {
          if (err instanceof ControllerMovedError) throw err;
          this.log.error({ err, partition: tpKey(tp) }, 'error completing reassignment of partition');
          error = { errorCode: 'UNKNOWN_SERVER_ERROR', message: null };
        }
      }
      out.set(tpKey(tp), { partition: tp, error });
    }
    return out;
  }

  // ---- the algorithm ---------------------------------------------------------------------------

  /** Kafka's onPartitionReassignment (phases U, A, B above). */
  async onPartitionReassignment(tp: TopicPartition, reassignment: PartitionAssignment): Promise<void> {
    this.markTopicIneligibleForDeletion(tp.topic);
    await this.updateCurrentReassignment(tp, reassignment);
    const adding = reassignment.addingReplicas.map((replica) => ({ ...tp, replica }));
    if (!isReassignmentComplete(reassignment, (await this.readState(tp))?.leaderAndIsr.isr)) {
      // A1 + A2: the bumped epoch lets every replica of RS learn the new assignment; AR starts fetching.
      await this.updateLeaderEpochAndSendRequest(tp, reassignment);
      await this.o.replicaStateMachine.handleStateChanges(
        adding.filter((r) => this.context.replicaState(r) === 'NonExistentReplica'),
        'NewReplica',
      );
      return;
    }
    // B1-B8
    await this.o.replicaStateMachine.handleStateChanges(adding, 'OnlineReplica');
    const completed = replicaAssignment(targetReplicas(reassignment));
    this.context.updatePartitionFullReplicaAssignment(tp, completed);
    await this.moveReassignedPartitionLeaderIfRequired(tp, completed);
    await this.stopRemovedReplicasOfReassignedPartition(tp, reassignment.removingReplicas);
    await this.updateReplicaAssignmentForPartition(tp, completed);
    await this.removePartitionFromReassigningPartitions(tp, completed);
    this.sendUpdateMetadataRequest([tp]);
    this.log.info({ partition: tpKey(tp), replicas: completed.replicas }, 'completed reassignment of partition');
    await this.o.topicDeletionManager.resumeDeletionForTopics([tp.topic]);
  }

  /**
   * Kafka's updateCurrentReassignment: ZooKeeper, then memory; replicas of a superseded (or cancelled)
   * reassignment that the new one does not keep are stopped and deleted. The state znode is watched.
   */
  private async updateCurrentReassignment(tp: TopicPartition, reassignment: PartitionAssignment): Promise<void> {
    const current = this.context.partitionFullReplicaAssignment(tp) ?? replicaAssignment([]);
    if (!sameAssignment(current, reassignment)) {
      this.log.info({ partition: tpKey(tp), from: current, to: reassignment }, 'updating assignment of partition');
      await this.updateReplicaAssignmentForPartition(tp, reassignment);
      this.context.updatePartitionFullReplicaAssignment(tp, reassignment);
      const unneeded = current.replicas.filter((id) => !reassignment.replicas.includes(id));
      if (unneeded.length > 0) await this.stopRemovedReplicasOfReassignedPartition(tp, unneeded);
    }
    await this.watchIsrChange(tp);
    this.partitionsBeingReassigned.set(tpKey(tp), tp);
  }

  /** Kafka's moveReassignedPartitionLeaderIfRequired (B3). */
  private async moveReassignedPartitionLeaderIfRequired(tp: TopicPartition, completed: PartitionAssignment): Promise<void> {
    const leader = this.context.partitionLeadershipInfo.get(tpKey(tp))?.leaderAndIsr.leader ?? -1;
    if (completed.replicas.includes(leader) && this.context.isReplicaOnline(leader)) {
      // The leader stays: a new epoch carries the shrunk replica set to it and the followers.
      await this.updateLeaderEpochAndSendRequest(tp, completed);
      return;
    }
    this.log.info({ partition: tpKey(tp), leader, replicas: completed.replicas }, 'leader of the reassigned partition is not in the new replicas or not alive; re-electing');
    const results = await this.o.partitionStateMachine.handleStateChanges([tp], 'OnlinePartition', 'reassign');
    for (const { error } of results.failed.values()) {
      if (error instanceof ControllerMovedError) throw error;
      this.log.error({ partition: tpKey(tp), err: error.message }, 'failed to move the leader of the reassigned partition');
    }
  }

  /** Kafka's stopRemovedReplicasOfReassignedPartition (B4, B5): out of the ISR, then deleted. */
  private async stopRemovedReplicasOfReassignedPartition(tp: TopicPartition, removed: readonly number[]): Promise<void> {
    if (removed.length === 0) return;
    const replicas: PartitionAndReplica[] = removed.map((replica) => ({ ...tp, replica }));
    const rsm = this.o.replicaStateMachine;
    await rsm.handleStateChanges(replicas, 'OfflineReplica');
    await rsm.handleStateChanges(replicas, 'ReplicaDeletionStarted');
    // As Kafka: no wait for the StopReplica responses (a failed delete is not retried).
    await rsm.handleStateChanges(replicas, 'ReplicaDeletionSuccessful');
    await rsm.handleStateChanges(replicas, 'NonExistentReplica');
  }

  /**
   * Kafka's updateLeaderEpochAndSendRequest: the state znode gets leader epoch + 1 (same leader and
   * ISR; conditional on its zkVersion, re-read on BADVERSION), then LeaderAndIsr goes to ORS and, with
   * isNew, to AR.
   */
  private async updateLeaderEpochAndSendRequest(tp: TopicPartition, assignment: PartitionAssignment): Promise<void> {
    const updated = await this.updateLeaderEpoch(tp);
    if (updated === null) {
      this.log.error({ partition: tpKey(tp) }, 'failed to send LeaderAndIsr request with the new replica assignment for the partition being reassigned');
      return;
    }
    const batch = this.o.batch;
    batch.newBatch();
    batch.addLeaderAndIsrRequestForBrokers(originReplicas(assignment), tp, false);
    batch.addLeaderAndIsrRequestForBrokers(assignment.addingReplicas, tp, true);
    batch.sendRequestsToBrokers(this.context.epoch);
    this.log.info(
      { partition: tpKey(tp), leader: updated.leaderAndIsr.leader, leaderEpoch: updated.leaderAndIsr.leaderEpoch, replicas: assignment.replicas },
      'sent LeaderAndIsr request with the new replica assignment for the partition being reassigned',
    );
  }

  /** Kafka's updateLeaderEpoch: null when the partition has no state znode. */
  private async updateLeaderEpoch(tp: TopicPartition): Promise<LeaderIsrAndEpoch | null> {
    for (let attempt = 0; attempt < MAX_ZK_RETRIES; attempt++) {
      const state = await this.readState(tp);
      if (state === undefined) return null;
      if (state.controllerEpoch > this.context.epoch) {
        throw new ControllerMovedError(`leader and ISR of ${tpKey(tp)} were written by controller epoch ${state.controllerEpoch}, newer than ${this.context.epoch}`);
      }
      const next = { ...state.leaderAndIsr, leaderEpoch: state.leaderAndIsr.leaderEpoch + 1 };
      const result = await this.zkClient.updateLeaderAndIsr([{ partition: tp, leaderAndIsr: next }], this.context.epoch);
      const done = result.finished.get(tpKey(tp));
      if (done?.error !== undefined) throw done.error;
      if (done?.leaderAndIsr !== undefined) {
        const info = { leaderAndIsr: done.leaderAndIsr, controllerEpoch: this.context.epoch };
        this.context.partitionLeadershipInfo.set(tpKey(tp), info);
        return info;
      }
    }
    throw new Error(`could not bump the leader epoch of ${tpKey(tp)}: its state kept changing`);
  }

  /**
   * Kafka's updateReplicaAssignmentForPartition: the topic's assignment as the controller knows it,
   * with this partition's new one, written conditionally; partitions only the znode has (added
   * meanwhile, not yet seen by the controller) are kept.
   */
  private async updateReplicaAssignmentForPartition(tp: TopicPartition, assignment: PartitionAssignment): Promise<void> {
    for (let attempt = 0; attempt < MAX_ZK_RETRIES; attempt++) {
      const znode = (await this.zkClient.getReplicaAssignmentAndTopicIds([tp.topic])).get(tp.topic);
      if (znode === undefined) throw new Error(`Failed to update assignment for ${tpKey(tp)} since the topic has no current assignment`);
      const partitions = new Map(znode.partitions);
      for (const p of this.context.partitionsForTopic(tp.topic)) {
        const a = this.context.partitionFullReplicaAssignment(p);
        if (a !== undefined) partitions.set(p.partition, a);
      }
      partitions.set(tp.partition, assignment);
      try {
        await this.zkClient.setTopicAssignment(tp.topic, this.context.topicIds.get(tp.topic) ?? znode.topicId, partitions, znode.zkVersion);
        this.log.info({ partition: tpKey(tp), assignment }, 'successfully updated assignment of partition');
        return;
      } catch (err) {
        if (!isZkError(err, 'BADVERSION')) throw err;
      }
    }
    throw new Error(`could not update the assignment of ${tpKey(tp)}: its topic znode kept changing`);
  }

  /** Kafka's removePartitionFromReassigningPartitions (B7). */
  private async removePartitionFromReassigningPartitions(tp: TopicPartition, completed: PartitionAssignment): Promise<void> {
    this.unwatchIsrChange(tp);
    await this.maybeRemoveFromZkReassignment((r, replicas) => tpKey(r) === tpKey(tp) && replicas.length === completed.replicas.length && replicas.every((id, i) => id === completed.replicas[i]));
    this.partitionsBeingReassigned.delete(tpKey(tp));
  }

  /**
   * Kafka's maybeRemoveFromZkReassignment: rewrites /admin/reassign_partitions without the matching
   * entries, deleting it when none remain (so the legacy tool can submit again).
   */
  private async maybeRemoveFromZkReassignment(shouldRemove: (tp: TopicPartition, replicas: readonly number[]) => boolean): Promise<void> {
    const pending = await this.zkClient.getPartitionReassignment();
    if (pending.length === 0) return;
    const keep: ZkReassignment[] = pending.filter((r) => !shouldRemove(r, r.replicas));
    if (keep.length === pending.length) return;
    this.log.info({ removed: pending.length - keep.length, remaining: keep.length }, 'removing partitions from the list of reassigned partitions in zookeeper');
    if (keep.length === 0) await this.zkClient.deletePartitionReassignment();
    else await this.zkClient.setOrCreatePartitionReassignment(keep);
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private markTopicIneligibleForDeletion(topic: string): void {
    if (this.o.deleteTopicEnable && this.context.topicsToBeDeleted.has(topic)) this.context.topicsIneligibleForDeletion.add(topic);
  }

  private async readState(tp: TopicPartition): Promise<LeaderIsrAndEpoch | undefined> {
    return (await this.zkClient.getTopicPartitionStates([tp])).get(tpKey(tp));
  }

  private sendUpdateMetadataRequest(partitions: readonly TopicPartition[]): void {
    const batch = this.o.batch;
    batch.newBatch();
    batch.addUpdateMetadataRequestForBrokers(this.context.liveBrokerIds(), partitions);
    batch.sendRequestsToBrokers(this.context.epoch);
  }

  /** Kafka's PartitionReassignmentHandler: a new /admin/reassign_partitions (creation only) is processed. */
  private async watchReassignPartitions(): Promise<void> {
    if (this.reassignPartitionsWatch !== null || this.closed) return;
    let czxid: bigint | null = null;
    const w = await this.zkClient.zk.watchExists(ReassignPartitionsZNode.path, (stat) => {
      const created = stat !== null && stat.czxid !== czxid;
      czxid = stat?.czxid ?? null;
      if (created) this.o.enqueue('ZkPartitionReassignment', async () => void (await this.processZkPartitionReassignment()));
    });
    czxid = w.value?.czxid ?? null;
    if (this.closed) w.close();
    else this.reassignPartitionsWatch = w;
  }

  /** Kafka's PartitionReassignmentIsrChangeHandler on the partition's state znode. */
  private async watchIsrChange(tp: TopicPartition): Promise<void> {
    const key = tpKey(tp);
    if (this.isrChangeWatches.has(key) || this.closed) return;
    const w = await this.zkClient.zk.watchData(TopicPartitionStateZNode.path(tp.topic, tp.partition), (node) => {
      if (node !== null) this.o.enqueue('PartitionReassignmentIsrChange', () => this.processPartitionReassignmentIsrChange(tp));
    });
    if (this.closed || this.isrChangeWatches.has(key)) w.close();
    else this.isrChangeWatches.set(key, w);
  }

  private unwatchIsrChange(tp: TopicPartition): void {
    this.isrChangeWatches.get(tpKey(tp))?.close();
    this.isrChangeWatches.delete(tpKey(tp));
  }
}
