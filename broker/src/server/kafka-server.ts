/**
 * KafkaServer (Kafka 2.8's KafkaServer, ZooKeeper mode): the start order of a broker's parts and
 * their shutdown in reverse.
 *
 * Start: ZooKeeper session → persistent paths, cluster id, broker id → config repository (topic
 * overrides, dynamic broker configs) → LogManager (recovery) → MetadataCache, ReplicaManager →
 * AdminManager, DynamicConfigManager → ApiRegistry + SocketServer (listeners bound) → broker
 * registration (/brokers/ids/<id>, its czxid is the broker epoch) → KafkaController (every broker
 * runs one; the one that creates /controller is active).
 *
 * Stop: controller, socket server, dynamic configs, replica manager (HW checkpoint), log manager
 * (clean-shutdown marker), and the ZooKeeper session last: closing it deletes /brokers/ids/<id> at
 * once, so the controller reacts without waiting for the session timeout.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { AdminManager, ConfigRepository, DynamicConfigManager, staticBrokerConfigEntries } from '../admin';
import { ApiRegistry } from '../api';
import { BufferPool } from '../common/buffer-pool';
import { createLogger, rootLogger, type Logger } from '../common/logger';
import { TimerScheduler } from '../common/scheduler';
import { SYSTEM_TIME } from '../common/time';
import { KafkaController } from '../controller';
import { LogManager, READ_BUFFERS, readMetaProperties } from '../log';
import { MetadataCache } from '../metadata';
import { SocketServer } from '../network';
import { zkPropagateIsrChanges, zkUpdateIsr } from '../cluster';
import { FetchSessionCache, ReplicaManager } from '../replica';
import { scheduleIsrTasks, type IsrTasks } from '../replica/isr-tasks';
import { AdminZkClient, KafkaZkClient, ZkClient } from '../zk';
import type { BrokerEndpoint } from '../zk/znodes';
import { registerApiHandlers } from './api-handlers';
import { createGroupCoordinator, offsetsTopicCreator } from './group-coordinator-setup';
import type { GroupCoordinator } from '../coordinator/group';
import { brokerClientChannel, controlledShutdown, findControllerNode } from './controlled-shutdown';
import { ConfigException, type KafkaConfig } from './config';
import { BROKER_CONFIG_KEYS } from './config-keys';

type ServerState = 'NotRunning' | 'Starting' | 'RunningAsBroker' | 'PendingControlledShutdown' | 'ShuttingDown';

/** Kafka's CoreUtils.generateUuidAsBase64: a random UUID, base64url without padding (22 chars). */
function generateClusterId(): string {
  const b = randomBytes(16);
  b[6] = ((b[6] as number) & 0x0f) | 0x40;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  return b.toString('base64url');
}

export class KafkaServer {
  private state: ServerState = 'NotRunning';
  private log: Logger;
  private readonly scheduler: TimerScheduler;
  private zk: ZkClient | undefined;
  private kafkaZk: KafkaZkClient | undefined;
  private logManager: LogManager | undefined;
  private replicaManager: ReplicaManager | undefined;
  private dynamicConfigManager: DynamicConfigManager | undefined;
  private adminManager: AdminManager | undefined;
  private metadataCache: MetadataCache | undefined;
  private isrTasks: IsrTasks | undefined;
  private configRepository: ConfigRepository | undefined;
  private socketServer: SocketServer | undefined;
  private controller: KafkaController | undefined;
  private groupCoordinator: GroupCoordinator | undefined;
  private brokerEpoch = -1n;
  private registration: BrokerEndpoint[] = [];
  brokerId: number;
  clusterId = '';

  constructor(readonly config: KafkaConfig) {
    this.brokerId = config.brokerId;
    this.log = createLogger('KafkaServer', config.brokerId >= 0 ? { brokerId: config.brokerId } : {});
    this.scheduler = new TimerScheduler((name, err) => this.log.error({ err, task: name }, `Uncaught error in scheduled task '${name}'`));
  }

  /** Ports bound per listener name (after startup). */
  boundPorts(): Record<string, number> {
    return this.socketServer?.boundPorts() ?? {};
  }

  async startup(): Promise<void> {
    if (this.state !== 'NotRunning') throw new Error(`KafkaServer cannot start in state ${this.state}`);
    this.state = 'Starting';
    const config = this.config;
    this.log.info('starting');

    const zk = await ZkClient.connect({
      connectString: config.zookeeperConnect,
      sessionTimeoutMs: config.zookeeperSessionTimeoutMs,
      connectTimeoutMs: config.zookeeperConnectionTimeoutMs,
      createChroot: true,
      logger: this.log.child({ component: 'ZooKeeperClient' }),
    });
    this.zk = zk;
    const kafkaZk = new KafkaZkClient(zk, this.log.child({ component: 'KafkaZkClient' }));
    this.kafkaZk = kafkaZk;
    await kafkaZk.makeSurePersistentPathsExist();
    this.clusterId = await kafkaZk.getOrCreateClusterId(generateClusterId());
    this.log.info({ clusterId: this.clusterId }, `Cluster ID = ${this.clusterId}`);

    this.brokerId = await this.getOrGenerateBrokerId(kafkaZk);
    this.log = createLogger('KafkaServer', { brokerId: this.brokerId });
    // Parent of every component's logger: each line carries the broker id and its own component.
    const brokerLog = rootLogger().child({ brokerId: this.brokerId });

    const adminZk = new AdminZkClient(zk, brokerLog.child({ component: 'AdminZkClient' }));
    const configRepository = new ConfigRepository({ zk: adminZk, brokerId: this.brokerId, staticBrokerProps: config.originals, logger: brokerLog });
    this.configRepository = configRepository;
    await configRepository.load();

    const logManager = await LogManager.startup({
      logDirs: config.logDirs,
      brokerId: this.brokerId,
      clusterId: this.clusterId,
      configFor: (topic) => configRepository.logConfigFor(topic),
      // Retention never passes the high watermark; logs no partition hosts stay at their start (Kafka).
      highWatermarkFor: (tp, log) => this.replicaManager?.highWatermark(tp) ?? log.logStartOffset,
      scheduler: this.scheduler,
      logger: brokerLog,
      retentionCheckMs: config.logRetentionCheckIntervalMs,
      flushCheckMs: config.getNumber('log.flush.scheduler.interval.ms'),
      flushRecoveryOffsetCheckpointMs: config.getNumber('log.flush.offset.checkpoint.interval.ms'),
      flushStartOffsetCheckpointMs: config.getNumber('log.flush.start.offset.checkpoint.interval.ms'),
      fileDeleteDelayMs: config.getNumber('log.segment.delete.delay.ms'),
      recoveryThreadsPerDataDir: config.getNumber('num.recovery.threads.per.data.dir'),
      cleanerConfig: { enableCleaner: config.logCleanerEnable },
    });
    this.logManager = logManager;

    const metadataCache = new MetadataCache(this.brokerId, brokerLog);
    this.metadataCache = metadataCache;
    // Kafka's isr-expiration and isr-change-propagation tasks (the leader's side of ISR changes).
    const isrTasks = scheduleIsrTasks({
      scheduler: this.scheduler,
      time: SYSTEM_TIME,
      partitions: () => this.replicaManager?.allPartitions ?? [],
      replicaLagTimeMaxMs: config.replicaLagTimeMaxMs,
      propagateIsrChanges: zkPropagateIsrChanges(kafkaZk),
      logger: brokerLog.child({ component: 'IsrTasks' }),
    });
    this.isrTasks = isrTasks;
    const replicaManager = new ReplicaManager({
      brokerId: this.brokerId,
      logManager,
      metadataCache,
      scheduler: this.scheduler,
      logger: brokerLog,
      replicaLagTimeMaxMs: config.replicaLagTimeMaxMs,
      highWatermarkCheckpointIntervalMs: config.getNumber('replica.high.watermark.checkpoint.interval.ms'),
      fetchLogConfig: (topic) => configRepository.fetchLogConfig(topic),
      isr: { updateIsr: zkUpdateIsr(kafkaZk), recordIsrChange: (tp) => isrTasks.recordIsrChange(tp) },
      replicaFetcher: {
        interBrokerListenerName: config.interBrokerListenerName,
        settings: {
          maxWaitMs: config.getNumber('replica.fetch.wait.max.ms'),
          minBytes: config.getNumber('replica.fetch.min.bytes'),
          maxBytes: config.getNumber('replica.fetch.max.bytes'),
          responseMaxBytes: config.getNumber('replica.fetch.response.max.bytes'),
          backoffMs: config.getNumber('replica.fetch.backoff.ms'),
          socketTimeoutMs: config.getNumber('replica.socket.timeout.ms'),
        },
      },
    });
    this.replicaManager = replicaManager;

    const adminManager = new AdminManager({
      brokerId: this.brokerId,
      zk: adminZk,
      metadata: metadataCache,
      configRepository,
      numPartitions: config.numPartitions,
      defaultReplicationFactor: config.defaultReplicationFactor,
      deleteTopicEnable: config.deleteTopicEnable,
      staticBrokerConfigs: staticBrokerConfigEntries(BROKER_CONFIG_KEYS, config.originals),
      logger: brokerLog,
    });
    this.adminManager = adminManager;
    this.dynamicConfigManager = new DynamicConfigManager({
      zk,
      repository: configRepository,
      onTopicConfigChange: (topic, logConfig) => {
        for (const log of logManager.allLogs) if (log.topicPartition.topic === topic) log.updateConfig(logConfig);
      },
      logger: brokerLog,
    });
    await this.dynamicConfigManager.startup();

    const registry = new ApiRegistry(brokerLog.child({ component: 'KafkaApis' }));
    const fetchSessionCache = new FetchSessionCache({ maxEntries: config.getNumber('max.incremental.fetch.session.cache.slots'), time: SYSTEM_TIME });
    const groupCoordinator = createGroupCoordinator({ config, replicaManager, metadataCache, scheduler: this.scheduler, logger: brokerLog });
    this.groupCoordinator = groupCoordinator;
    groupCoordinator.startup();
    // Large request frames (Produce) are read into reused buffers; Produce gives its frame back once appended.
    const requestBuffers = new BufferPool();
    registerApiHandlers(registry, {
      groupCoordinator,
      zkOffsets: kafkaZk,
      createOffsetsTopic: offsetsTopicCreator({ config, metadataCache, adminManager, logger: brokerLog.child({ component: 'KafkaApis' }) }),
      fetchSessionCache,
      config,
      brokerId: this.brokerId,
      clusterId: this.clusterId,
      brokerEpoch: () => this.brokerEpoch,
      isActiveController: () => this.controller?.isActive ?? false,
      controller: () => this.controller,
      metadataCache,
      replicaManager,
      adminManager,
      requestBuffers,
    });
    this.socketServer = new SocketServer({
      listeners: config.listeners.map((l) => ({ name: l.name, host: l.host, port: l.port })),
      socketRequestMaxBytes: config.socketRequestMaxBytes,
      connectionsMaxIdleMs: config.getNumber('connections.max.idle.ms'),
      handler: registry,
      // Fetch responses carry log reads uncopied; their pooled buffers return once written.
      onResponseWritten: (piece) => READ_BUFFERS.release(piece),
      allocateRequestFrame: (size) => requestBuffers.acquire(size),
      logger: brokerLog.child({ component: 'SocketServer' }),
    });
    const ports = await this.socketServer.startup();

    this.registration = config.advertisedListeners.map((l) => ({
      listenerName: l.name,
      securityProtocol: l.securityProtocol,
      host: l.host === '' ? hostname() : l.host,
      port: l.port === 0 ? (ports[l.name] ?? 0) : l.port,
    }));
    this.brokerEpoch = await this.registerBroker();
    zk.on('new-session', () => {
      // Without an active controller's re-registration hook the broker re-registers here.
      if (this.controller === undefined) void this.reregister();
    });

    this.controller = new KafkaController({
      brokerId: this.brokerId,
      brokerEpoch: () => this.brokerEpoch,
      zkClient: kafkaZk,
      interBrokerListenerName: config.interBrokerListenerName,
      deleteTopicEnable: config.deleteTopicEnable,
      uncleanLeaderElectionEnable: config.uncleanLeaderElectionEnable,
      autoLeaderRebalanceEnable: config.autoLeaderRebalanceEnable,
      leaderImbalancePerBrokerPercentage: config.leaderImbalancePerBrokerPercentage,
      leaderImbalanceCheckIntervalSeconds: config.leaderImbalanceCheckIntervalSeconds,
      requestTimeoutMs: config.getNumber('controller.socket.timeout.ms'),
      logger: brokerLog,
      scheduler: this.scheduler,
      reregisterBroker: async () => {
        this.brokerEpoch = await this.registerBroker();
      },
    });
    await this.controller.startup();

    this.state = 'RunningAsBroker';
    const listeners = Object.entries(ports).map(([name, port]) => `${name}:${port}`).join(', ');
    brokerLog.info({ ports }, `[KafkaServer id=${this.brokerId}] started (listeners ${listeners})`);
  }

  private async reregister(): Promise<void> {
    try {
      this.brokerEpoch = await this.registerBroker();
    } catch (err) {
      this.log.error({ err }, 'Re-registration after a new ZooKeeper session failed');
    }
  }

  private registerBroker(): Promise<bigint> {
    const kafkaZk = this.kafkaZk;
    if (kafkaZk === undefined) throw new Error('not connected to ZooKeeper');
    return kafkaZk.registerBroker(this.brokerId, {
      version: 5,
      endpoints: this.registration,
      jmxPort: -1,
      rack: this.config.brokerRack,
      features: {},
      timestamp: Date.now(),
    });
  }

  /**
   * Kafka's KafkaServer.controlledShutdown: ask the controller to move this broker's leaderships away
   * (and drop it from ISRs) before stopping; after the retries it proceeds uncleanly (and says so).
   */
  private async controlledShutdown(): Promise<void> {
    const { metadataCache, kafkaZk } = this;
    if (metadataCache === undefined || kafkaZk === undefined) return;
    try {
      await controlledShutdown({
        brokerId: this.brokerId,
        brokerEpoch: () => this.brokerEpoch,
        findController: findControllerNode(metadataCache, kafkaZk, this.config.interBrokerListenerName),
        connect: brokerClientChannel({ brokerId: this.brokerId, requestTimeoutMs: this.config.requestTimeoutMs, logger: this.log }),
        maxRetries: this.config.getNumber('controlled.shutdown.max.retries'),
        retryBackoffMs: this.config.getNumber('controlled.shutdown.retry.backoff.ms'),
        logger: this.log.child({ component: 'ControlledShutdown' }),
      });
    } catch (err) {
      this.log.error({ err }, 'Controlled shutdown failed; proceeding to do an unclean shutdown');
    }
  }

  /**
   * Kafka's getOrGenerateBrokerId: broker.id from the config must agree with meta.properties in every
   * log dir; with broker.id unset (-1) and generation enabled, reuse the stored id or take a new one
   * from /brokers/seqid.
   */
  private async getOrGenerateBrokerId(kafkaZk: KafkaZkClient): Promise<number> {
    const stored = new Set<number>();
    for (const dir of this.config.logDirs) {
      const meta = await readMetaProperties(dir).catch(() => undefined);
      if (meta?.brokerId !== undefined) stored.add(meta.brokerId);
    }
    if (stored.size > 1) {
      throw new ConfigException(`Failed to match broker.id across log.dirs. This could happen if multiple brokers shared a log directory (log.dirs) or partial data was manually copied from another broker. Found ${[...stored].join(',')}`);
    }
    const storedId = [...stored][0];
    const configured = this.config.brokerId;
    if (configured >= 0 && storedId !== undefined && storedId !== configured) {
      throw new ConfigException(`Configured broker.id ${configured} doesn't match stored broker.id ${storedId} in meta.properties. If you moved your data, make sure your configured broker.id matches. If you intend to create a new broker, you should remove all data in your data directories (log.dirs).`);
    }
    if (configured >= 0) return configured;
    if (storedId !== undefined) return storedId;
    if (this.config.brokerIdGenerationEnable) return kafkaZk.generateBrokerId(this.config.maxReservedBrokerId);
    throw new ConfigException('broker.id must be set (>= 0) when broker.id.generation.enable is false');
  }

  async shutdown(): Promise<void> {
    if (this.state === 'ShuttingDown' || this.state === 'NotRunning' || this.state === 'PendingControlledShutdown') return;
    if (this.state === 'RunningAsBroker' && this.config.controlledShutdownEnable) {
      this.state = 'PendingControlledShutdown';
      await this.controlledShutdown();
    }
    this.state = 'ShuttingDown';
    this.log.info('shutting down');
    const step = async (what: string, fn: () => Promise<void> | undefined): Promise<void> => {
      try {
        await fn();
      } catch (err) {
        this.log.error({ err }, `error while shutting down ${what}`);
      }
    };
    await step('ISR tasks', () => {
      this.isrTasks?.cancel();
      return undefined;
    });
    await step('controller', () => this.controller?.shutdown());
    await step('socket server', () => this.socketServer?.shutdown());
    await step('group coordinator', () => {
      this.groupCoordinator?.shutdown();
      return undefined;
    });
    await step('dynamic config manager', () => this.dynamicConfigManager?.shutdown());
    await step('admin manager', () => {
      this.adminManager?.shutdown();
      return undefined;
    });
    await step('config repository', () => {
      this.configRepository?.close();
      return undefined;
    });
    await step('replica manager', () => this.replicaManager?.shutdown());
    await step('scheduler', () => this.scheduler.shutdown());
    await step('log manager', () => this.logManager?.shutdown());
    await step('ZooKeeper client', () => this.zk?.close());
    this.state = 'NotRunning';
    this.log.info('shut down completed');
  }
}
