/**
 * Kafka's ZkPartitionStateMachine: moves partitions between NewPartition, OnlinePartition,
 * OfflinePartition and NonExistentPartition (table in states.ts). Going online either initializes
 * leadership (a new partition: create the state znode) or elects a leader (conditional update of the
 * state znode on its zkVersion, re-read and retried on BADVERSION). The resulting LeaderAndIsr /
 * UpdateMetadata requests are collected in the batch and sent once per state change.
 */
import type { Logger } from '../common/logger';
import { ControllerMovedError, tpKey, type KafkaZkClient, type LeaderAndIsr, type TopicPartition } from '../zk/kafka-zk-client';
import type { ControllerContext } from './controller-context';
import { initialLeaderAndIsr, leaderForControlledShutdown, leaderForOffline, leaderForPreferredReplica, leaderForReassign, targetReplicas } from './election';
import type { ControllerBrokerRequestBatch } from './request-batch';
import { isValidPartitionTransition, type PartitionState } from './states';

export interface PartitionStateMachineOptions {
  context: ControllerContext;
  zkClient: KafkaZkClient;
  batch: ControllerBrokerRequestBatch;
  logger: Logger;
  /** unclean.leader.election.enable for a topic: its /config/topics override, else the broker default. */
  uncleanLeaderElectionEnabled(topic: string): Promise<boolean>;
}

/**
 * Kafka's PartitionLeaderElectionStrategy: 'offline' reads unclean.leader.election.enable of the topic,
 * 'offlineAllowUnclean' (ElectLeaders UNCLEAN from an admin client) allows unclean election regardless;
 * 'preferred' moves leadership to assignment[0]; 'reassign' to the first live in-sync target replica.
 */
export type ElectionStrategy = 'offline' | 'offlineAllowUnclean' | 'controlledShutdown' | 'preferred' | 'reassign';

/** Kafka's StateChangeFailedException: no eligible leader for the strategy (ElectLeaders maps it to its own error). */
export class StateChangeFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateChangeFailedError';
  }
}

export interface ElectionResults {
  succeeded: TopicPartition[];
  failed: Map<string, { partition: TopicPartition; error: Error }>;
}

export class PartitionStateMachine {
  private readonly context: ControllerContext;
  private readonly log: Logger;

  constructor(private readonly options: PartitionStateMachineOptions) {
    this.context = options.context;
    this.log = options.logger;
  }

  /**
   * Failover: partitions with a live leader start Online, with a dead one Offline, without leadership
   * New; then every New/Offline partition goes through an Online election.
   */
  async startup(): Promise<void> {
    for (const tp of this.context.allPartitions()) {
      const info = this.context.partitionLeadershipInfo.get(tpKey(tp));
      if (info === undefined) this.context.putPartitionState(tp, 'NewPartition');
      else if (this.context.isReplicaOnline(info.leaderAndIsr.leader)) this.context.putPartitionState(tp, 'OnlinePartition');
      else this.context.putPartitionState(tp, 'OfflinePartition');
    }
    await this.triggerOnlinePartitionStateChange();
  }

  /** Offline and New partitions (of topics not being deleted) → Online with offline leader election. */
  async triggerOnlinePartitionStateChange(): Promise<ElectionResults> {
    const partitions = this.context
      .partitionsInStates(['OfflinePartition', 'NewPartition'])
      .filter((tp) => !this.context.topicsToBeDeleted.has(tp.topic));
    return this.handleStateChanges(partitions, 'OnlinePartition');
  }

  async handleStateChanges(partitions: readonly TopicPartition[], target: PartitionState, strategy: ElectionStrategy = 'offline'): Promise<ElectionResults> {
    const results: ElectionResults = { succeeded: [], failed: new Map() };
    if (partitions.length === 0) return results;
    this.options.batch.newBatch();
    try {
      await this.doHandleStateChanges(partitions, target, results, strategy);
      this.options.batch.sendRequestsToBrokers(this.context.epoch);
    } catch (err) {
      this.options.batch.clear();
      throw err;
    }
    return results;
  }

  private async doHandleStateChanges(partitions: readonly TopicPartition[], target: PartitionState, results: ElectionResults, strategy: ElectionStrategy): Promise<void> {
    const valid: TopicPartition[] = [];
    for (const tp of partitions) {
      const from = this.context.partitionState(tp);
      if (isValidPartitionTransition(from, target)) valid.push(tp);
      else {
        this.log.error({ partition: tpKey(tp), from, to: target }, `Invalid partition state transition from ${from} to ${target} for ${tpKey(tp)}`);
        results.failed.set(tpKey(tp), { partition: tp, error: new Error(`invalid state transition ${from} -> ${target}`) });
      }
    }
    switch (target) {
      case 'NewPartition':
      case 'OfflinePartition':
      case 'NonExistentPartition':
        for (const tp of valid) this.context.putPartitionState(tp, target);
        results.succeeded.push(...valid);
        return;
      case 'OnlinePartition': {
        const uninitialized = valid.filter((tp) => this.context.partitionState(tp) === 'NewPartition');
        const toElect = valid.filter((tp) => this.context.partitionState(tp) !== 'NewPartition');
        if (uninitialized.length > 0) {
          for (const tp of await this.initializeLeaderAndIsrForPartitions(uninitialized)) {
            this.context.putPartitionState(tp, 'OnlinePartition');
            results.succeeded.push(tp);
          }
        }
        if (toElect.length > 0) {
          const elected = await this.electLeaderForPartitions(toElect, strategy);
          for (const tp of elected.succeeded) {
            this.context.putPartitionState(tp, 'OnlinePartition');
            results.succeeded.push(tp);
          }
          for (const [k, v] of elected.failed) results.failed.set(k, v);
        }
        return;
      }
    }
  }

  /** New → Online: leader = first live replica, ISR = live replicas; create the state znodes. */
  private async initializeLeaderAndIsrForPartitions(partitions: readonly TopicPartition[]): Promise<TopicPartition[]> {
    const live = this.context.liveBrokerIdSet();
    const toCreate: { partition: TopicPartition; leaderAndIsr: LeaderAndIsr }[] = [];
    for (const tp of partitions) {
      const leaderAndIsr = initialLeaderAndIsr(this.context.partitionReplicaAssignment(tp), live);
      if (leaderAndIsr === null) {
        this.log.error({ partition: tpKey(tp) }, `Controller failed to initialize ${tpKey(tp)}: no assigned replica is alive`);
        continue;
      }
      toCreate.push({ partition: tp, leaderAndIsr });
    }
    const created = await this.options.zkClient.createTopicPartitionStatesRaw(toCreate, this.context.epoch);
    const ok: TopicPartition[] = [];
    for (const { partition: tp, leaderAndIsr } of toCreate) {
      const err = created.get(tpKey(tp));
      if (err !== null && err !== undefined) {
        this.log.error({ partition: tpKey(tp), err: err.message }, 'failed to initialize partition state: the state znode exists or could not be created');
        continue;
      }
      this.context.partitionLeadershipInfo.set(tpKey(tp), { leaderAndIsr, controllerEpoch: this.context.epoch });
      this.options.batch.addLeaderAndIsrRequestForBrokers(leaderAndIsr.isr, tp, true);
      ok.push(tp);
    }
    return ok;
  }

  /** Online/Offline → Online: leader election under the strategy, retried on BADVERSION with a fresh read. */
  async electLeaderForPartitions(partitions: readonly TopicPartition[], strategy: ElectionStrategy = 'offline'): Promise<ElectionResults> {
    const results: ElectionResults = { succeeded: [], failed: new Map() };
    let remaining = [...partitions];
    for (let attempt = 0; remaining.length > 0; attempt++) {
      if (attempt >= 10) {
        for (const tp of remaining) results.failed.set(tpKey(tp), { partition: tp, error: new Error('gave up electing after repeated BADVERSION') });
        break;
      }
      remaining = await this.doElectLeaderForPartitions(remaining, results, strategy);
    }
    return results;
  }

  private async doElectLeaderForPartitions(partitions: readonly TopicPartition[], results: ElectionResults, strategy: ElectionStrategy): Promise<TopicPartition[]> {
    const zkStates = await this.options.zkClient.getTopicPartitionStates(partitions);
    const live = this.context.liveBrokerIdSet();
    const liveOrShuttingDown = new Set(this.context.liveBrokerIds());
    const recipientsOf = new Map<string, number[]>();
    const updates: { partition: TopicPartition; leaderAndIsr: LeaderAndIsr }[] = [];
    for (const tp of partitions) {
      const state = zkStates.get(tpKey(tp));
      if (state === undefined) {
        results.failed.set(tpKey(tp), { partition: tp, error: new Error(`state znode of ${tpKey(tp)} is missing`) });
        continue;
      }
      if (state.controllerEpoch > this.context.epoch) {
        // A newer controller wrote this state: this one is a zombie (Kafka: ControllerMovedException).
        throw new ControllerMovedError(
          `aborted leader election for ${tpKey(tp)}: its state was written by controller epoch ${state.controllerEpoch}, newer than ${this.context.epoch}`,
        );
      }
      const assignment = this.context.partitionReplicaAssignment(tp);
      if (strategy === 'controlledShutdown') {
        const next = leaderForControlledShutdown(state.leaderAndIsr, assignment, liveOrShuttingDown, this.context.shuttingDownBrokerIds);
        if (next === null) {
          results.failed.set(tpKey(tp), { partition: tp, error: new StateChangeFailedError(`no live in-sync replica outside the shutting-down brokers for ${tpKey(tp)}`) });
          continue;
        }
        recipientsOf.set(tpKey(tp), assignment.filter((id) => liveOrShuttingDown.has(id)));
        updates.push({ partition: tp, leaderAndIsr: next });
        continue;
      }
      if (strategy === 'preferred' || strategy === 'reassign') {
        // Kafka sends the new leadership to the assignment (preferred) or the target replicas (reassign).
        const candidates = strategy === 'preferred' ? assignment : targetReplicas(this.context.partitionFullReplicaAssignment(tp) ?? { replicas: [], removingReplicas: [] });
        const next = strategy === 'preferred' ? leaderForPreferredReplica(state.leaderAndIsr, candidates, live) : leaderForReassign(state.leaderAndIsr, candidates, live);
        if (next === null) {
          const what = strategy === 'preferred' ? `preferred replica ${assignment[0] ?? -1}` : `any target replica of [${candidates.join(',')}]`;
          results.failed.set(tpKey(tp), {
            partition: tp,
            error: new StateChangeFailedError(
              `Failed to elect leader for partition ${tpKey(tp)} under strategy ${strategy}: ${what} is not live and in the ISR [${state.leaderAndIsr.isr.join(',')}]`,
            ),
          });
          continue;
        }
        recipientsOf.set(tpKey(tp), candidates.filter((id) => liveOrShuttingDown.has(id)));
        updates.push({ partition: tp, leaderAndIsr: next });
        continue;
      }
      const hasLiveIsr = state.leaderAndIsr.isr.some((id) => live.has(id));
      // Kafka reads the topic config only when no live ISR member exists; an admin's UNCLEAN election allows it outright.
      const unclean = hasLiveIsr ? false : strategy === 'offlineAllowUnclean' || (await this.options.uncleanLeaderElectionEnabled(tp.topic));
      const elected = leaderForOffline(state.leaderAndIsr, assignment, live, unclean);
      if (elected === null) {
        results.failed.set(tpKey(tp), {
          partition: tp,
          error: new StateChangeFailedError(`No replica in ISR for partition ${tpKey(tp)} is alive. Live brokers are: [${[...live].join(',')}], ISR brokers are: [${state.leaderAndIsr.isr.join(',')}]`),
        });
        this.log.error({ partition: tpKey(tp) }, 'offline partition leader election failed: no eligible live replica');
        continue;
      }
      if (elected.unclean) this.log.warn({ partition: tpKey(tp), leader: elected.leaderAndIsr.leader }, 'unclean leader election: data may be lost');
      updates.push({ partition: tp, leaderAndIsr: elected.leaderAndIsr });
    }
    if (updates.length === 0) return [];
    const result = await this.options.zkClient.updateLeaderAndIsr(updates, this.context.epoch);
    for (const { partition: tp, leaderAndIsr, error } of result.finished.values()) {
      if (leaderAndIsr === undefined) {
        results.failed.set(tpKey(tp), { partition: tp, error: error ?? new Error('update failed') });
        continue;
      }
      this.context.partitionLeadershipInfo.set(tpKey(tp), { leaderAndIsr, controllerEpoch: this.context.epoch });
      const recipients = recipientsOf.get(tpKey(tp)) ?? this.context.partitionReplicaAssignment(tp).filter((id) => live.has(id));
      this.options.batch.addLeaderAndIsrRequestForBrokers(recipients, tp, false);
      this.log.info({ partition: tpKey(tp), leader: leaderAndIsr.leader, leaderEpoch: leaderAndIsr.leaderEpoch, isr: leaderAndIsr.isr }, 'elected leader');
      results.succeeded.push(tp);
    }
    return result.partitionsToRetry;
  }
}
