/**
 * Kafka's ZkReplicaStateMachine: moves replicas between the states of states.ts. Online and New send
 * the replica its partition's current LeaderAndIsr; Offline sends StopReplica(delete=false) and takes
 * the replica out of the ISR in ZooKeeper (conditional on zkVersion); DeletionStarted sends
 * StopReplica(delete=true). Requests are batched and sent once per state change.
 */
import type { Logger } from '../common/logger';
import { ControllerMovedError, tpKey, type KafkaZkClient, type LeaderAndIsr, type TopicPartition } from '../zk/kafka-zk-client';
import type { ControllerContext, PartitionAndReplica } from './controller-context';
import { removeReplicaFromIsr } from './election';
import type { ControllerBrokerRequestBatch } from './request-batch';
import { isValidReplicaTransition, type ReplicaState } from './states';

export interface ReplicaStateMachineOptions {
  context: ControllerContext;
  zkClient: KafkaZkClient;
  batch: ControllerBrokerRequestBatch;
  logger: Logger;
}

function rkey(r: PartitionAndReplica): string {
  return `${r.topic}-${r.partition}:${r.replica}`;
}

export class ReplicaStateMachine {
  private readonly context: ControllerContext;
  private readonly log: Logger;

  constructor(private readonly options: ReplicaStateMachineOptions) {
    this.context = options.context;
    this.log = options.logger;
  }

  /** Failover: replicas on live brokers → OnlineReplica (LeaderAndIsr to each), the rest → OfflineReplica. */
  async startup(): Promise<void> {
    const all = this.context.replicasForPartition(this.context.allPartitions());
    const online: PartitionAndReplica[] = [];
    const offline: PartitionAndReplica[] = [];
    for (const r of all) {
      if (this.context.isReplicaOnline(r.replica)) {
        this.context.putReplicaState(r, 'OnlineReplica');
        online.push(r);
      } else {
        // Kafka marks them ReplicaDeletionIneligible first, so the Offline transition is valid.
        this.context.putReplicaState(r, 'ReplicaDeletionIneligible');
        offline.push(r);
      }
    }
    await this.handleStateChanges(online, 'OnlineReplica');
    await this.handleStateChanges(offline, 'OfflineReplica');
  }

  async handleStateChanges(replicas: readonly PartitionAndReplica[], target: ReplicaState): Promise<void> {
    if (replicas.length === 0) return;
    this.options.batch.newBatch();
    try {
      const byReplica = new Map<number, PartitionAndReplica[]>();
      for (const r of replicas) byReplica.set(r.replica, [...(byReplica.get(r.replica) ?? []), r]);
      for (const [replicaId, rs] of byReplica) await this.doHandleStateChanges(replicaId, rs, target);
      this.options.batch.sendRequestsToBrokers(this.context.epoch);
    } catch (err) {
      this.options.batch.clear();
      throw err;
    }
  }

  private async doHandleStateChanges(replicaId: number, replicas: readonly PartitionAndReplica[], target: ReplicaState): Promise<void> {
    const valid = replicas.filter((r) => {
      const from = this.context.replicaState(r);
      if (isValidReplicaTransition(from, target)) return true;
      this.log.error({ replica: rkey(r), from, to: target }, `Invalid replica state transition from ${from} to ${target} for replica ${rkey(r)}`);
      return false;
    });
    const batch = this.options.batch;
    switch (target) {
      case 'NewReplica':
        for (const r of valid) {
          const info = this.context.partitionLeadershipInfo.get(tpKey(r));
          if (info !== undefined) {
            if (info.leaderAndIsr.leader === replicaId) {
              this.log.error({ replica: rkey(r) }, `Replica ${replicaId} for partition ${tpKey(r)} cannot be moved to NewReplica state as it is being requested to become leader`);
              continue;
            }
            batch.addLeaderAndIsrRequestForBrokers([replicaId], r, true);
          }
          this.context.putReplicaState(r, 'NewReplica');
        }
        return;
      case 'OnlineReplica':
        for (const r of valid) {
          if (this.context.replicaState(r) === 'NewReplica') {
            const assignment = this.context.partitionFullReplicaAssignment(r);
            if (assignment !== undefined && !assignment.replicas.includes(replicaId)) {
              this.context.updatePartitionFullReplicaAssignment(r, { ...assignment, replicas: [...assignment.replicas, replicaId] });
            }
          } else if (this.context.partitionLeadershipInfo.has(tpKey(r))) {
            batch.addLeaderAndIsrRequestForBrokers([replicaId], r, false);
          }
          this.context.putReplicaState(r, 'OnlineReplica');
        }
        return;
      case 'OfflineReplica': {
        for (const r of valid) batch.addStopReplicaRequestForBrokers([replicaId], r, false);
        const withLeadership = valid.filter((r) => this.context.partitionLeadershipInfo.has(tpKey(r)));
        const without = valid.filter((r) => !this.context.partitionLeadershipInfo.has(tpKey(r)));
        const updated = await this.removeReplicasFromIsr(replicaId, withLeadership);
        for (const tp of updated) {
          if (!this.context.topicsToBeDeleted.has(tp.topic)) {
            // Kafka sends to every other assigned replica that is live or shutting down (a leader in controlled shutdown still serves).
            const recipients = this.context.partitionReplicaAssignment(tp).filter((id) => id !== replicaId && this.context.isLiveOrShuttingDown(id));
            batch.addLeaderAndIsrRequestForBrokers(recipients, tp, false);
          }
        }
        batch.addUpdateMetadataRequestForBrokers(this.context.liveBrokerIds(), without);
        for (const r of valid) this.context.putReplicaState(r, 'OfflineReplica');
        return;
      }
      case 'ReplicaDeletionStarted':
        for (const r of valid) {
          this.context.putReplicaState(r, 'ReplicaDeletionStarted');
          batch.addStopReplicaRequestForBrokers([replicaId], r, true);
        }
        return;
      case 'ReplicaDeletionIneligible':
      case 'ReplicaDeletionSuccessful':
        for (const r of valid) this.context.putReplicaState(r, target);
        return;
      case 'NonExistentReplica':
        for (const r of valid) {
          const assignment = this.context.partitionFullReplicaAssignment(r);
          if (assignment !== undefined) {
            this.context.updatePartitionFullReplicaAssignment(r, { ...assignment, replicas: assignment.replicas.filter((id) => id !== replicaId) });
          }
          this.context.putReplicaState(r, 'NonExistentReplica');
        }
        return;
    }
  }

  /**
   * Kafka's removeReplicasFromIsr: for each partition whose ISR holds the replica, write the shrunk
   * ISR (leader -1 if it led; an ISR of one left as it is) conditional on zkVersion, re-reading on
   * BADVERSION. Returns the partitions whose leadership is now current in the context.
   */
  private async removeReplicasFromIsr(replicaId: number, partitions: readonly TopicPartition[]): Promise<TopicPartition[]> {
    const done: TopicPartition[] = [];
    let remaining = [...partitions];
    for (let attempt = 0; remaining.length > 0 && attempt < 10; attempt++) {
      const states = await this.options.zkClient.getTopicPartitionStates(remaining);
      const updates: { partition: TopicPartition; leaderAndIsr: LeaderAndIsr }[] = [];
      for (const tp of remaining) {
        const state = states.get(tpKey(tp));
        if (state === undefined) continue;
        if (state.controllerEpoch > this.context.epoch) {
          throw new ControllerMovedError(
            `leader and ISR of ${tpKey(tp)} were written by controller epoch ${state.controllerEpoch}, newer than ${this.context.epoch}`,
          );
        }
        if (!state.leaderAndIsr.isr.includes(replicaId)) {
          this.context.partitionLeadershipInfo.set(tpKey(tp), state);
          done.push(tp);
          continue;
        }
        updates.push({ partition: tp, leaderAndIsr: removeReplicaFromIsr(state.leaderAndIsr, replicaId) });
      }
      if (updates.length === 0) break;
      const result = await this.options.zkClient.updateLeaderAndIsr(updates, this.context.epoch);
      for (const { partition: tp, leaderAndIsr, error } of result.finished.values()) {
        if (leaderAndIsr === undefined) {
          this.log.error({ partition: tpKey(tp), err: error?.message }, `failed to remove replica ${replicaId} from the ISR`);
          continue;
        }
        this.context.partitionLeadershipInfo.set(tpKey(tp), { leaderAndIsr, controllerEpoch: this.context.epoch });
        done.push(tp);
      }
      remaining = result.partitionsToRetry;
    }
    return done;
  }
}
