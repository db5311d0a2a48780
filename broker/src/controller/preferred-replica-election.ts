/**
 * Replica leader elections on the active controller, as Kafka 2.8's KafkaController runs them:
 *  - ElectLeaders from an admin client (processReplicaLeaderElection, AdminClientTriggered): PREFERRED
 *    moves leadership to each partition's first assigned replica, UNCLEAN elects a leader for partitions
 *    without a live one even from outside the ISR;
 *  - /admin/preferred_replica_election (ZkTriggered): written by kafka-preferred-replica-election.sh,
 *    run on creation and at failover, then deleted (removePartitionsFromPreferredReplicaElection);
 *  - the auto leader rebalance (checkAndTriggerAutoLeaderRebalance, AutoTriggered), scheduled every
 *    leader.imbalance.check.interval.seconds, first 5 s after failover.
 */
import type { Logger } from '../common/logger';
import type { ScheduledTask, Scheduler } from '../common/scheduler';
import { ErrorCode, KafkaProtocolError } from '../protocol';
import { ControllerMovedError, tpKey, type KafkaZkClient, type TopicPartition } from '../zk/kafka-zk-client';
import type { ControllerContext } from './controller-context';
import { preferredReplicaPartitionLeaderElection } from './election';
import { StateChangeFailedError, type PartitionStateMachine } from './partition-state-machine';

/** Kafka's org.apache.kafka.common.ElectionType (the ElectLeaders request's electionType byte). */
export const ElectionType = { PREFERRED: 0, UNCLEAN: 1 } as const;
export type ElectionTypeValue = (typeof ElectionType)[keyof typeof ElectionType];

/** Kafka's ElectionTrigger. */
export type ElectionTrigger = 'AdminClientTriggered' | 'ZkTriggered' | 'AutoTriggered';

/** One partition's answer (Kafka's Either[ApiError, leader]): errorCode 0 with the elected leader, or an error. */
export interface PartitionElectionResult {
  partition: TopicPartition;
  errorCode: number;
  errorMessage: string | null;
  /** The elected leader when errorCode is 0, else -1. */
  leader: number;
}

/** Kafka waits 5 seconds after failover before the first auto rebalance check. */
export const AUTO_LEADER_REBALANCE_INITIAL_DELAY_MS = 5000;

export interface ReplicaLeaderElectionOptions {
  context: ControllerContext;
  zkClient: KafkaZkClient;
  partitionStateMachine: PartitionStateMachine;
  logger: Logger;
  /** auto.leader.rebalance.enable */
  autoLeaderRebalanceEnable: boolean;
  /** leader.imbalance.per.broker.percentage */
  leaderImbalancePerBrokerPercentage: number;
  /** leader.imbalance.check.interval.seconds, in ms. */
  leaderImbalanceCheckIntervalMs: number;
  /** Without one the auto rebalance is not scheduled. */
  scheduler?: Scheduler;
  /** Puts work on the controller's event queue (the scheduled check runs as an event, as Kafka's). */
  enqueue(name: string, process: () => Promise<void>): void;
}

function errorResult(partition: TopicPartition, code: keyof typeof ErrorCode, message: string | null): PartitionElectionResult {
  return { partition, errorCode: ErrorCode[code], errorMessage: message, leader: -1 };
}

/** Every requested partition answered NOT_CONTROLLER (Kafka: when the controller is not active). */
export function notControllerResults(partitions: readonly TopicPartition[] | null): PartitionElectionResult[] {
  return (partitions ?? []).map((tp) => errorResult(tp, 'NOT_CONTROLLER', null));
}

function dedupe(partitions: readonly TopicPartition[]): TopicPartition[] {
  const byKey = new Map<string, TopicPartition>();
  for (const tp of partitions) byKey.set(tpKey(tp), { topic: tp.topic, partition: tp.partition });
  return [...byKey.values()];
}

export class ReplicaLeaderElection {
  private readonly context: ControllerContext;
  private readonly log: Logger;
  private rebalanceTask: ScheduledTask | null = null;
  private stopped = false;

  constructor(private readonly o: ReplicaLeaderElectionOptions) {
    this.context = o.context;
    this.log = o.logger;
  }

  /** Failover: finish the elections left in /admin/preferred_replica_election, then start the rebalance timer. */
  async onControllerFailover(): Promise<void> {
    const pending = await this.fetchPendingPreferredReplicaElections();
    await this.onReplicaElection(pending, ElectionType.PREFERRED, 'ZkTriggered');
    if (this.o.autoLeaderRebalanceEnable) this.scheduleAutoLeaderRebalanceTask(AUTO_LEADER_REBALANCE_INITIAL_DELAY_MS);
  }

  /** Resignation / shutdown: no more scheduled checks. */
  shutdown(): void {
    this.stopped = true;
    this.rebalanceTask?.cancel();
    this.rebalanceTask = null;
  }

  /**
   * Kafka's processReplicaLeaderElection. `partitions` null means: the ones listed in
   * /admin/preferred_replica_election (ZkTriggered; nothing when it is absent).
   */
  async processReplicaLeaderElection(
    requested: readonly TopicPartition[] | null,
    electionType: ElectionTypeValue,
    trigger: ElectionTrigger,
  ): Promise<PartitionElectionResult[]> {
    // A ZooKeeper event queued before this controller resigned belongs to a closed watch.
    if (this.stopped && trigger !== 'AdminClientTriggered') return [];
    let partitions: TopicPartition[];
    if (requested !== null) partitions = dedupe(requested);
    else {
      try {
        partitions = dedupe(await this.o.zkClient.getPreferredReplicaElection());
      } catch (err) {
        if (err instanceof ControllerMovedError) throw err;
        this.log.error({ err }, 'could not read /admin/preferred_replica_election; leaving it in place');
        return [];
      }
    }
    const known = new Set(this.context.allPartitions().map(tpKey));
    const unknown = partitions.filter((tp) => !known.has(tpKey(tp)));
    for (const tp of unknown) this.log.info(`Skipping replica leader election (${electionType}) for partition ${tpKey(tp)} by ${trigger} since it doesn't exist.`);
    const knownPartitions = partitions.filter((tp) => known.has(tpKey(tp)));
    const beingDeleted = knownPartitions.filter((tp) => this.context.topicsToBeDeleted.has(tp.topic));
    if (beingDeleted.length > 0) {
      this.log.warn(`Skipping replica leader election (${electionType}) for partitions ${beingDeleted.map(tpKey).join(',')} by ${trigger} since the respective topics are being deleted`);
    }
    const live = knownPartitions.filter((tp) => !this.context.topicsToBeDeleted.has(tp.topic));
    const liveBrokers = this.context.liveBrokerIdSet();
    const electable: TopicPartition[] = [];
    const alreadyValidLeader: TopicPartition[] = [];
    for (const tp of live) {
      const leader = this.context.partitionLeadershipInfo.get(tpKey(tp))?.leaderAndIsr.leader ?? -1;
      const needed =
        electionType === ElectionType.PREFERRED ? leader !== this.context.partitionReplicaAssignment(tp)[0] : leader === -1 || !liveBrokers.has(leader);
      (needed ? electable : alreadyValidLeader).push(tp);
    }
    const elected = await this.onReplicaElection(electable, electionType, trigger);
    const results: PartitionElectionResult[] = [];
    for (const tp of electable) {
      const outcome = elected.get(tpKey(tp));
      if (outcome === undefined || outcome.error !== undefined) {
        const error = outcome?.error ?? new Error('no election result');
        if (error instanceof StateChangeFailedError) {
          results.push(errorResult(tp, electionType === ElectionType.PREFERRED ? 'PREFERRED_LEADER_NOT_AVAILABLE' : 'ELIGIBLE_LEADERS_NOT_AVAILABLE', error.message));
        } else if (error instanceof KafkaProtocolError) {
          results.push({ partition: tp, errorCode: error.code, errorMessage: error.message, leader: -1 });
        } else {
          results.push(errorResult(tp, 'UNKNOWN_SERVER_ERROR', error.message));
        }
      } else {
        results.push({ partition: tp, errorCode: ErrorCode.NONE, errorMessage: null, leader: outcome.leader });
      }
    }
    for (const tp of alreadyValidLeader) results.push(errorResult(tp, 'ELECTION_NOT_NEEDED', null));
    for (const tp of beingDeleted) results.push(errorResult(tp, 'INVALID_TOPIC_EXCEPTION', 'The topic is being deleted'));
    for (const tp of unknown) results.push(errorResult(tp, 'UNKNOWN_TOPIC_OR_PARTITION', 'The partition does not exist.'));
    return results;
  }

  /**
   * Kafka's onReplicaElection: PREFERRED runs the preferred strategy; UNCLEAN the offline one, allowing
   * unclean election only when an admin asked. Elections not asked by an admin end by clearing
   * /admin/preferred_replica_election (except the auto rebalance's).
   */
  private async onReplicaElection(
    partitions: readonly TopicPartition[],
    electionType: ElectionTypeValue,
    trigger: ElectionTrigger,
  ): Promise<Map<string, { leader: number; error?: undefined } | { error: Error }>> {
    const out = new Map<string, { leader: number; error?: undefined } | { error: Error }>();
    if (partitions.length > 0) {
      this.log.info(`Starting replica leader election (${electionType === ElectionType.PREFERRED ? 'PREFERRED' : 'UNCLEAN'}) for partitions ${partitions.map(tpKey).join(',')} triggered by ${trigger}`);
    }
    try {
      const strategy = electionType === ElectionType.PREFERRED ? 'preferred' : trigger === 'AdminClientTriggered' ? 'offlineAllowUnclean' : 'offline';
      try {
        const results = await this.o.partitionStateMachine.handleStateChanges(partitions, 'OnlinePartition', strategy);
        for (const tp of results.succeeded) out.set(tpKey(tp), { leader: this.context.partitionLeadershipInfo.get(tpKey(tp))?.leaderAndIsr.leader ?? -1 });
        for (const [key, { error }] of results.failed) out.set(key, { error });
      } catch (err) {
        if (err instanceof ControllerMovedError) throw err;
        // Kafka's handleStateChanges: any other failure fails every partition of the call.
        const error = err instanceof Error ? err : new Error(String(err));
        this.log.error({ err: error }, `Error completing replica leader election for partitions ${partitions.map(tpKey).join(',')}`);
        for (const tp of partitions) out.set(tpKey(tp), { error });
      }
      if (trigger !== 'AdminClientTriggered') {
        for (const [key, r] of out) if (r.error !== undefined) this.log.error({ err: r.error.message }, `Error completing replica leader election for partition ${key}`);
      }
      return out;
    } finally {
      if (trigger !== 'AdminClientTriggered') await this.removePartitionsFromPreferredReplicaElection(partitions, trigger === 'AutoTriggered');
    }
  }

  /** Kafka's removePartitionsFromPreferredReplicaElection: logs each outcome; deletes the admin znode. */
  private async removePartitionsFromPreferredReplicaElection(partitions: readonly TopicPartition[], isTriggeredByAutoRebalance: boolean): Promise<void> {
    for (const tp of partitions) {
      const leader = this.context.partitionLeadershipInfo.get(tpKey(tp))?.leaderAndIsr.leader ?? -1;
      const preferred = this.context.partitionReplicaAssignment(tp)[0] ?? -1;
      if (leader === preferred) this.log.info(`Partition ${tpKey(tp)} completed preferred replica leader election. New leader is ${preferred}`);
      else this.log.warn(`Partition ${tpKey(tp)} failed to complete preferred replica leader election to ${preferred}. Leader is still ${leader}`);
    }
    if (!isTriggeredByAutoRebalance) await this.o.zkClient.deletePreferredReplicaElection();
  }

  /** Kafka's fetchPendingPreferredReplicaElections: listed partitions not yet led by their preferred replica. */
  private async fetchPendingPreferredReplicaElections(): Promise<TopicPartition[]> {
    let listed: TopicPartition[];
    try {
      listed = dedupe(await this.o.zkClient.getPreferredReplicaElection());
    } catch (err) {
      this.log.error({ err }, 'could not read /admin/preferred_replica_election at failover');
      return [];
    }
    const pending = listed.filter((tp) => {
      const replicas = this.context.partitionReplicaAssignment(tp);
      if (replicas.length === 0) return false; // topic deleted
      const leader = this.context.partitionLeadershipInfo.get(tpKey(tp))?.leaderAndIsr.leader;
      return leader !== replicas[0] && !this.context.topicsToBeDeleted.has(tp.topic);
    });
    if (listed.length > 0) this.log.info(`Partitions undergoing preferred replica election: ${pending.map(tpKey).join(',')}`);
    return pending;
  }

  // ---- auto leader rebalance -------------------------------------------------------------------

  private scheduleAutoLeaderRebalanceTask(delayMs: number): void {
    const scheduler = this.o.scheduler;
    if (this.stopped || scheduler === undefined) return;
    this.rebalanceTask?.cancel();
    this.rebalanceTask = scheduler.schedule(
      'auto-leader-rebalance-task',
      () => this.o.enqueue('AutoPreferredReplicaLeaderElection', () => this.processAutoPreferredReplicaLeaderElection()),
      delayMs,
    );
  }

  private async processAutoPreferredReplicaLeaderElection(): Promise<void> {
    if (this.stopped) return;
    try {
      this.log.info('Processing automatic preferred replica leader election');
      await this.checkAndTriggerAutoLeaderRebalance();
    } finally {
      this.scheduleAutoLeaderRebalanceTask(this.o.leaderImbalanceCheckIntervalMs);
    }
  }

  /**
   * Kafka's checkAndTriggerAutoLeaderRebalance: per preferred broker, the share of its partitions led
   * by someone else; above leader.imbalance.per.broker.percentage, preferred elections for those whose
   * preferred replica can lead, unless a reassignment is in progress.
   */
  async checkAndTriggerAutoLeaderRebalance(): Promise<void> {
    const byPreferred = new Map<number, TopicPartition[]>();
    for (const tp of this.context.allPartitions()) {
      if (this.context.topicsToBeDeleted.has(tp.topic)) continue;
      const preferred = this.context.partitionReplicaAssignment(tp)[0];
      if (preferred === undefined) continue;
      const list = byPreferred.get(preferred) ?? [];
      list.push(tp);
      byPreferred.set(preferred, list);
    }
    for (const [preferred, partitions] of [...byPreferred].sort((a, b) => a[0] - b[0])) {
      const notPreferred = partitions.filter((tp) => {
        const info = this.context.partitionLeadershipInfo.get(tpKey(tp));
        return info !== undefined && info.leaderAndIsr.leader !== preferred;
      });
      const imbalanceRatio = notPreferred.length / partitions.length;
      this.log.debug({ broker: preferred, imbalanceRatio }, `Leader imbalance ratio for broker ${preferred} is ${imbalanceRatio}`);
      if (imbalanceRatio <= this.o.leaderImbalancePerBrokerPercentage / 100) continue;
      const reassigning = this.partitionsBeingReassigned();
      const candidates = notPreferred.filter(
        (tp) => !reassigning && !this.context.topicsToBeDeleted.has(tp.topic) && this.context.allTopics.has(tp.topic) && this.canPreferredReplicaBeLeader(tp),
      );
      await this.onReplicaElection(candidates, ElectionType.PREFERRED, 'AutoTriggered');
    }
  }

  /** The preferred replica is live (not shutting down) and in the ISR. */
  private canPreferredReplicaBeLeader(tp: TopicPartition): boolean {
    const isr = this.context.partitionLeadershipInfo.get(tpKey(tp))?.leaderAndIsr.isr ?? [];
    return preferredReplicaPartitionLeaderElection(this.context.partitionReplicaAssignment(tp), isr, this.context.liveBrokerIdSet()) !== null;
  }

  /** Kafka's partitionsBeingReassigned.nonEmpty: some assignment still has replicas being added or removed. */
  private partitionsBeingReassigned(): boolean {
    return this.context.allPartitions().some((tp) => {
      const a = this.context.partitionFullReplicaAssignment(tp);
      return a !== undefined && (a.addingReplicas.length > 0 || a.removingReplicas.length > 0);
    });
  }
}
