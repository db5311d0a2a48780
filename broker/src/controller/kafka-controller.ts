/**
 * Kafka 2.8's KafkaController in ZooKeeper mode. Every broker runs one; the one that creates the
 * ephemeral /controller (and bumps /controller_epoch) is active. All work happens as events on one
 * queue: ZooKeeper watches (brokers, topics, partitions, deletions, ISR notifications, /controller),
 * session expiry, and broker responses. The active controller loads its context from ZooKeeper, drives
 * the partition and replica state machines and tells brokers through ControllerChannelManager.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from '../common/logger';
import type { Scheduler } from '../common/scheduler';
import { SYSTEM_TIME, type Time } from '../common/time';
import type { ZkWatch } from '../zk/watch';
import { KafkaProtocolError } from '../protocol';
import { ControllerMovedError, type KafkaZkClient, type TopicPartition } from '../zk/kafka-zk-client';
import { BrokerIdZNode, BrokerIdsZNode, ControllerZNode, DeleteTopicsZNode, IsrChangeNotificationZNode, TopicZNode, TopicsZNode } from '../zk/znodes';
import { ControllerChannelManager } from './channel-manager';
import { ControllerContext } from './controller-context';
import { ControllerEventManager, type ControllerEvent } from './event-manager';
import { PartitionStateMachine } from './partition-state-machine';
import { ReplicaStateMachine } from './replica-state-machine';
import { ControllerBrokerRequestBatch } from './request-batch';
import { TopicDeletionManager } from './topic-deletion-manager';
import { ControllerHandlers } from './controller-handlers';
import type { OngoingReassignment, ReassignmentError, ReassignmentRequest } from './partition-reassignment';
import { ElectionType, notControllerResults, ReplicaLeaderElection, type ElectionTypeValue, type PartitionElectionResult } from './preferred-replica-election';
import { PreferredReplicaElectionZNode } from '../zk/znodes';

export interface KafkaControllerOptions {
  brokerId: number;
  /** This broker's current epoch (czxid of its /brokers/ids/<id>). */
  brokerEpoch: () => bigint;
  zkClient: KafkaZkClient;
  /** inter.broker.listener.name: the endpoint controller requests go to. */
  interBrokerListenerName: string;
  /** delete.topic.enable */
  deleteTopicEnable: boolean;
  /** unclean.leader.election.enable (broker default; /config/topics/<t> overrides it). */
  uncleanLeaderElectionEnable: boolean;
  /** controller.socket.timeout.ms / request.timeout.ms for controller requests. */
  requestTimeoutMs: number;
  logger: Logger;
  time?: Time;
  scheduler?: Scheduler;
  /**
   * Re-registers /brokers/ids/<id> after a new ZooKeeper session, before re-election (Kafka's
   * RegisterBrokerAndReelect). Without it the owner re-registers on 'new-session' itself.
   */
  reregisterBroker?: () => Promise<void>;
  /** auto.leader.rebalance.enable (default true). */
  autoLeaderRebalanceEnable?: boolean;
  /** leader.imbalance.per.broker.percentage (default 10). */
  leaderImbalancePerBrokerPercentage?: number;
  /** leader.imbalance.check.interval.seconds (default 300). */
  leaderImbalanceCheckIntervalSeconds?: number;
}

export type KafkaControllerEvents = {
  elected: [epoch: number];
  resigned: [];
};

export class KafkaController extends EventEmitter<KafkaControllerEvents> {
  readonly context = new ControllerContext();
  private readonly eventManager: ControllerEventManager;
  private readonly log: Logger;
  private readonly time: Time;
  private readonly zkClient: KafkaZkClient;
  private activeControllerId = -1;
  private controllerWatch: ZkWatch<unknown> | null = null;
  /** Watches only the active controller holds (closed on resignation). */
  private readonly activeWatches: ZkWatch<unknown>[] = [];
  readonly partitionModificationWatches = new Map<string, ZkWatch<unknown>>();
  readonly brokerModificationWatches = new Map<number, ZkWatch<unknown>>();
  private channelManager: ControllerChannelManager | null = null;
  private handlers: ControllerHandlers | null = null;
  private replicaLeaderElection: ReplicaLeaderElection | null = null;
  private started = false;
  private stopped = false;
  private readonly onExpired = (): void => this.eventManager.clearAndPut(this.event('Expire', () => this.processExpire()));
  private readonly onNewSession = (): void => this.eventManager.put(this.event('RegisterBrokerAndReelect', () => this.processRegisterBrokerAndReelect()));

  constructor(private readonly options: KafkaControllerOptions) {
    super();
    this.log = options.logger;
    this.time = options.time ?? SYSTEM_TIME;
    this.zkClient = options.zkClient;
    this.eventManager = new ControllerEventManager(this.log);
  }

  get isActive(): boolean {
    return this.activeControllerId === this.options.brokerId && this.handlers !== null;
  }

  /** The controller epoch this controller was elected with (0 when not active). */
  get epoch(): number {
    return this.context.epoch;
  }

  /** The broker id in /controller as last seen (-1 when none). */
  get controllerId(): number {
    return this.activeControllerId;
  }

  /** Resolves once every event queued so far has been processed (tests, orderly shutdown). */
  async idle(): Promise<void> {
    await this.eventManager.idle();
  }

  /** Registers the session handlers and the /controller watch, then runs the first election. */
  async startup(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.zkClient.zk.on('expired', this.onExpired);
    this.zkClient.zk.on('new-session', this.onNewSession);
    this.controllerWatch = await this.zkClient.zk.watchExists(ControllerZNode.path, (stat) => {
      if (stat === null) this.eventManager.put(this.event('Reelect', () => this.processReelect()));
      else this.eventManager.put(this.event('ControllerChange', () => this.maybeResign()));
    });
    this.eventManager.put(this.event('Startup', () => this.elect()));
    await this.eventManager.idle();
  }

  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.zkClient.zk.off('expired', this.onExpired);
    this.zkClient.zk.off('new-session', this.onNewSession);
    this.controllerWatch?.close();
    await this.eventManager.close();
    await this.onControllerResignation();
  }

  private put(name: string, process: () => Promise<void>): void {
    this.eventManager.put(this.event(name, process));
  }

  private event(name: string, process: () => Promise<void>): ControllerEvent {
    return { name, process };
  }

  /**
   * ControlledShutdown (API 7) on the controller: queued like every event; resolves with the partitions
   * the broker still leads. Fails with NOT_CONTROLLER when this broker is not (or stops being) the
   * controller, STALE_BROKER_EPOCH or BROKER_NOT_AVAILABLE as Kafka does.
   */
  controlledShutdown(brokerId: number, brokerEpoch: bigint): Promise<TopicPartition[]> {
    return new Promise<TopicPartition[]>((resolve, reject) => {
      const notController = (): void => reject(new KafkaProtocolError('NOT_CONTROLLER', 'Controller moved to another broker. Aborting controlled shutdown'));
      this.eventManager.put({
        name: 'ControlledShutdown',
        preempt: notController,
        process: async () => {
          const handlers = this.handlers;
          if (handlers === null) return notController();
          try {
            resolve(await handlers.controlledShutdown(brokerId, brokerEpoch));
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        },
      });
    });
  }

  /**
   * ElectLeaders on the controller (Kafka's electLeaders → ReplicaLeaderElection, AdminClientTriggered):
   * queued like every event; per-partition results. NOT_CONTROLLER for every partition when this broker
   * is not (or stops being) the controller.
   */
  electLeaders(electionType: ElectionTypeValue, partitions: TopicPartition[] | null): Promise<PartitionElectionResult[]> {
    return new Promise<PartitionElectionResult[]>((resolve, reject) => {
      const notController = (): void => resolve(notControllerResults(partitions));
      this.eventManager.put({
        name: 'ReplicaLeaderElection',
        preempt: notController,
        process: async () => {
          const election = this.replicaLeaderElection;
          if (this.handlers === null || election === null) return notController();
          try {
            resolve(await election.processReplicaLeaderElection(partitions ?? this.context.allPartitions(), electionType, 'AdminClientTriggered'));
          } catch (err) {
            if (!(err instanceof ControllerMovedError)) return reject(err instanceof Error ? err : new Error(String(err)));
            notController();
            await this.maybeResign();
          }
        },
      });
    });
  }

  /**
   * AlterPartitionReassignments on the controller (Kafka's alterPartitionReassignments →
   * ApiPartitionReassignment): queued; per-partition errors (null replicas cancel). Fails with
   * NOT_CONTROLLER when this broker is not (or stops being) the controller.
   */
  alterPartitionReassignments(requests: ReassignmentRequest[]): Promise<Map<string, { partition: TopicPartition; error: ReassignmentError }>> {
    return this.queuedControllerRequest('ApiPartitionReassignment', (h) => h.alterPartitionReassignments(requests));
  }

  /** ListPartitionReassignments on the controller (null = every partition being reassigned). */
  listPartitionReassignments(partitions: TopicPartition[] | null): Promise<OngoingReassignment[]> {
    return this.queuedControllerRequest('ListPartitionReassignments', (h) => Promise.resolve(h.listPartitionReassignments(partitions)));
  }

  /** A request only the active controller answers, run on its event queue (the controlledShutdown pattern). */
  private queuedControllerRequest<T>(name: string, run: (handlers: ControllerHandlers) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const notController = (): void => reject(new KafkaProtocolError('NOT_CONTROLLER', 'This is not the correct controller for this cluster.'));
      this.eventManager.put({
        name,
        preempt: notController,
        process: async () => {
          const handlers = this.handlers;
          if (handlers === null) return notController();
          try {
            resolve(await run(handlers));
          } catch (err) {
            if (!(err instanceof ControllerMovedError)) return reject(err instanceof Error ? err : new Error(String(err)));
            notController();
            await this.maybeResign();
          }
        },
      });
    });
  }

  // ---- election --------------------------------------------------------------------------------

  private async elect(): Promise<void> {
    const current = await this.zkClient.getControllerId();
    this.activeControllerId = current ?? -1;
    if (current !== null) {
      this.log.debug({ controllerId: current }, 'broker has been elected as the controller elsewhere, so stopping the election process');
      return;
    }
    try {
      const { epoch, epochZkVersion } = await this.zkClient.registerControllerAndIncrementControllerEpoch(this.options.brokerId, this.time.milliseconds());
      this.context.reset();
      this.context.epoch = epoch;
      this.context.epochZkVersion = epochZkVersion;
      this.activeControllerId = this.options.brokerId;
      this.log.info({ epoch }, `${this.options.brokerId} successfully elected as the controller. Epoch incremented to ${epoch} and epoch zk version is now ${epochZkVersion}`);
      await this.onControllerFailover();
      this.emit('elected', epoch);
    } catch (err) {
      if (err instanceof ControllerMovedError) {
        this.log.info({ err: err.message }, 'controller moved to another broker while electing');
        await this.maybeResign();
        return;
      }
      this.log.error({ err }, 'error while electing or becoming controller; resigning');
      await this.triggerControllerMove();
    }
  }

  private async maybeResign(): Promise<void> {
    const wasActive = this.isActive;
    this.activeControllerId = (await this.zkClient.getControllerId()) ?? -1;
    if (wasActive && this.activeControllerId !== this.options.brokerId) {
      this.log.info({ newController: this.activeControllerId }, 'controller moved to another broker; resigning');
      await this.onControllerResignation();
    }
  }

  private async processReelect(): Promise<void> {
    await this.maybeResign();
    await this.elect();
  }

  private async processExpire(): Promise<void> {
    this.activeControllerId = -1;
    await this.onControllerResignation();
  }

  private async processRegisterBrokerAndReelect(): Promise<void> {
    if (this.options.reregisterBroker !== undefined) await this.options.reregisterBroker();
    await this.processReelect();
  }

  /** Kafka's triggerControllerMove: resign and give up /controller so another broker takes over. */
  private async triggerControllerMove(): Promise<void> {
    const wasActive = this.handlers !== null;
    this.activeControllerId = -1;
    if (wasActive) await this.onControllerResignation();
    try {
      await this.zkClient.deleteController(this.options.brokerId);
    } catch (err) {
      this.log.warn({ err }, 'could not delete /controller while moving the controller');
    }
  }

  // ---- failover / resignation ------------------------------------------------------------------

  private async onControllerFailover(): Promise<void> {
    const context = this.context;
    await this.zkClient.enableFeatureVersioning();
    const channel = new ControllerChannelManager({
      controllerId: this.options.brokerId,
      interBrokerListenerName: this.options.interBrokerListenerName,
      requestTimeoutMs: this.options.requestTimeoutMs,
      logger: this.log.child({ component: 'ControllerChannelManager' }),
    });
    this.channelManager = channel;
    const batch = new ControllerBrokerRequestBatch(this.options.brokerId, this.options.interBrokerListenerName, context, channel, {
      onStopReplicaDeletionResponse: (brokerId, results) =>
        this.putActive('TopicDeletionStopReplicaResponseReceived', (h) => h.processStopReplicaDeletionResponse(brokerId, results)),
      onLeaderAndIsrResponse: (brokerId, response) => {
        if (response.errorCode !== 0) this.log.warn({ brokerId, errorCode: response.errorCode }, 'LeaderAndIsr request failed on broker');
      },
    }, this.log.child({ component: 'ControllerBrokerRequestBatch' }));
    const partitionStateMachine = new PartitionStateMachine({
      context,
      zkClient: this.zkClient,
      batch,
      logger: this.log.child({ component: 'PartitionStateMachine' }),
      uncleanLeaderElectionEnabled: async (topic) => {
        const value = (await this.zkClient.getEntityConfigs('topics', topic)).get('unclean.leader.election.enable');
        return value === undefined ? this.options.uncleanLeaderElectionEnable : value.trim().toLowerCase() === 'true';
      },
    });
    const replicaStateMachine = new ReplicaStateMachine({ context, zkClient: this.zkClient, batch, logger: this.log.child({ component: 'ReplicaStateMachine' }) });
    const topicDeletionManager = new TopicDeletionManager({
      context,
      zkClient: this.zkClient,
      partitionStateMachine,
      replicaStateMachine,
      batch,
      deleteTopicEnable: this.options.deleteTopicEnable,
      logger: this.log.child({ component: 'TopicDeletionManager' }),
      mutePartitionModifications: (topic) => this.unwatchPartitionModifications(topic),
    });
    const handlers = new ControllerHandlers({
      brokerId: this.options.brokerId,
      context,
      zkClient: this.zkClient,
      channelManager: channel,
      batch,
      partitionStateMachine,
      replicaStateMachine,
      topicDeletionManager,
      deleteTopicEnable: this.options.deleteTopicEnable,
      logger: this.log,
      watchPartitionModifications: (topic) => this.watchPartitionModifications(topic),
      unwatchPartitionModifications: (topic) => this.unwatchPartitionModifications(topic),
      watchBrokerModifications: (id) => this.watchBrokerModifications(id),
      unwatchBrokerModifications: (id) => this.unwatchBrokerModifications(id),
      enqueue: (name, process) => this.putActive(name, process),
    });
    this.handlers = handlers;
    const replicaLeaderElection = new ReplicaLeaderElection({
      context,
      zkClient: this.zkClient,
      partitionStateMachine,
      logger: this.log.child({ component: 'ReplicaLeaderElection' }),
      autoLeaderRebalanceEnable: this.options.autoLeaderRebalanceEnable ?? true,
      leaderImbalancePerBrokerPercentage: this.options.leaderImbalancePerBrokerPercentage ?? 10,
      leaderImbalanceCheckIntervalMs: (this.options.leaderImbalanceCheckIntervalSeconds ?? 300) * 1000,
      scheduler: this.options.scheduler,
      enqueue: (name, process) => this.putActive(name, () => process()),
    });
    this.replicaLeaderElection = replicaLeaderElection;

    const zk = this.zkClient.zk;
    this.activeWatches.push(
      await zk.watchChildren(BrokerIdsZNode.path, () => this.putActive('BrokerChange', (h) => h.processBrokerChange())),
      await zk.watchChildren(TopicsZNode.path, () => this.putActive('TopicChange', (h) => h.processTopicChange())),
      await zk.watchChildren(DeleteTopicsZNode.path, () => this.putActive('TopicDeletion', (h) => h.processTopicDeletion())),
      await zk.watchChildren(IsrChangeNotificationZNode.path, (children) => {
        if (children !== null && children.length > 0) this.putActive('IsrChangeNotification', (h) => h.processIsrChangeNotification());
      }),
      await zk.watchExists(PreferredReplicaElectionZNode.path, (stat) => {
        if (stat !== null) this.putActive('ReplicaLeaderElection', async () => void (await replicaLeaderElection.processReplicaLeaderElection(null, ElectionType.PREFERRED, 'ZkTriggered')));
      }),
    );
    // Pending ISR notifications are covered by reading every partition state below.
    await this.zkClient.deleteIsrChangeNotifications(await this.zkClient.getAllIsrChangeNotifications());
    await handlers.initializeControllerContext();
    await topicDeletionManager.init(await this.zkClient.getTopicDeletions());
    batch.newBatch();
    batch.addUpdateMetadataRequestForBrokers(context.liveBrokerIds(), []);
    batch.sendRequestsToBrokers(context.epoch);
    await replicaStateMachine.startup();
    await partitionStateMachine.startup();
    await handlers.initializePartitionReassignments();
    await topicDeletionManager.resumeDeletions();
    await replicaLeaderElection.onControllerFailover();
    this.log.info({ epoch: context.epoch }, 'ready to serve as the new controller');
  }

  private async onControllerResignation(): Promise<void> {
    const wasActive = this.handlers !== null;
    for (const w of this.activeWatches.splice(0)) w.close();
    this.replicaLeaderElection?.shutdown();
    this.replicaLeaderElection = null;
    for (const topic of [...this.partitionModificationWatches.keys()]) this.unwatchPartitionModifications(topic);
    for (const id of [...this.brokerModificationWatches.keys()]) this.unwatchBrokerModifications(id);
    this.handlers?.close();
    this.handlers = null;
    const channel = this.channelManager;
    this.channelManager = null;
    await channel?.shutdown();
    this.context.reset();
    if (wasActive) {
      this.log.info('resigned as the controller');
      this.emit('resigned');
    }
  }

  /** Queues an event that only the active controller processes (skipped after resignation, as Kafka). */
  private putActive(name: string, process: (handlers: ControllerHandlers) => Promise<void>): void {
    this.put(name, async () => {
      const handlers = this.handlers;
      if (handlers === null) return;
      try {
        await process(handlers);
      } catch (err) {
        if (!(err instanceof ControllerMovedError)) throw err;
        // Kafka's ControllerEventProcessor: a newer controller exists, so give up if /controller moved.
        this.log.info({ err: err.message, event: name }, 'controller moved to another broker; resigning if no longer the controller');
        await this.maybeResign();
      }
    });
  }

  // ---- per-topic and per-broker watches --------------------------------------------------------

  private async watchPartitionModifications(topic: string): Promise<void> {
    if (this.partitionModificationWatches.has(topic)) return;
    const w = await this.zkClient.zk.watchData(TopicZNode.path(topic), (node) => {
      if (node !== null) this.putActive('PartitionModifications', (h) => h.processPartitionModifications(topic));
    });
    if (this.handlers === null) w.close();
    else this.partitionModificationWatches.set(topic, w);
  }

  private unwatchPartitionModifications(topic: string): void {
    this.partitionModificationWatches.get(topic)?.close();
    this.partitionModificationWatches.delete(topic);
  }

  private async watchBrokerModifications(id: number): Promise<void> {
    if (this.brokerModificationWatches.has(id)) return;
    const w = await this.zkClient.zk.watchData(BrokerIdZNode.path(id), (node) => {
      if (node !== null) this.putActive('BrokerModification', (h) => h.processBrokerModification(id));
    });
    if (this.handlers === null) w.close();
    else this.brokerModificationWatches.set(id, w);
  }

  private unwatchBrokerModifications(id: number): void {
    this.brokerModificationWatches.get(id)?.close();
    this.brokerModificationWatches.delete(id);
  }
}
