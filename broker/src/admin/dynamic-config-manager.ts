/**
 * Kafka 2.8's DynamicConfigManager over ZkNodeChangeNotificationListener: watches the children of
 * /config/changes, processes every config_change_<seq> newer than the last one handled, in sequence
 * order (version 2 `entity_path` and legacy version 1 `entity_type`/`entity_name`), re-reads the
 * entity's config and hands the result to the broker: a topic's new LogConfig, or a broker entity's
 * new dynamic config (after which every topic's LogConfig is re-derived, as DynamicLogConfig does).
 * Notifications older than 15 minutes are purged, as Kafka's listener does after each pass.
 */
import { createLogger, type Logger } from '../common/logger';
import { SYSTEM_TIME, type Time } from '../common/time';
import type { LogConfig } from '../log/log-config';
import type { ZkClient } from '../zk/client';
import { isZkError } from '../zk/errors';
import type { ZkWatch } from '../zk/watch';
import { ConfigEntityChangeNotificationSequenceZNode, ConfigEntityChangeNotificationZNode, sequenceNumber } from '../zk/znodes';
import type { ConfigRepository } from './config-repository';

/** ZkNodeChangeNotificationListener's changeExpirationMs default (15 minutes). */
export const CONFIG_CHANGE_EXPIRATION_MS = 15 * 60 * 1000;

export interface DynamicConfigManagerOptions {
  readonly zk: ZkClient;
  readonly repository: ConfigRepository;
  /** A topic's config changed (its own overrides, or the broker defaults under it). */
  readonly onTopicConfigChange: (topic: string, config: LogConfig) => void;
  /** This broker's effective dynamic config changed (entity `<default>` or its own id). */
  readonly onBrokerConfigChange?: (entityName: string, effective: ReadonlyMap<string, string>) => void;
  /** Topics to re-derive after a broker default change; defaults to the repository's topics. */
  readonly topicsToReconfigure?: () => Iterable<string>;
  readonly time?: Time;
  readonly changeExpirationMs?: number;
  readonly logger?: Logger;
}

export class DynamicConfigManager {
  private readonly zk: ZkClient;
  private readonly repo: ConfigRepository;
  private readonly log: Logger;
  private readonly time: Time;
  private readonly expirationMs: number;
  private watch: ZkWatch<string[] | null> | null = null;
  private lastExecutedChange = -1;
  private running = false;
  /** Set when the children changed while a pass was running: run another. */
  private rerun = false;
  private stopped = false;
  private pass: Promise<void> = Promise.resolve();

  constructor(private readonly options: DynamicConfigManagerOptions) {
    this.zk = options.zk;
    this.repo = options.repository;
    this.time = options.time ?? SYSTEM_TIME;
    this.expirationMs = options.changeExpirationMs ?? CONFIG_CHANGE_EXPIRATION_MS;
    this.log = options.logger ?? createLogger('DynamicConfigManager', { brokerId: options.repository.brokerId });
  }

  /** Starts watching /config/changes and processes what is already there. */
  async startup(): Promise<void> {
    await this.zk.ensurePath(ConfigEntityChangeNotificationZNode.path);
    this.watch = await this.zk.watchChildren(ConfigEntityChangeNotificationZNode.path, () => this.schedule());
    this.schedule();
    await this.pass;
  }

  /** Stops watching; waits for a pass in progress. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    this.watch?.close();
    this.watch = null;
    await this.pass;
  }

  /** Resolves once the notifications seen so far are processed (tests, startup). */
  async idle(): Promise<void> {
    while (this.running) await this.pass;
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.running = true;
    this.pass = this.loop().finally(() => {
      this.running = false;
    });
  }

  private async loop(): Promise<void> {
    do {
      this.rerun = false;
      try {
        await this.processNotifications();
      } catch (err) {
        // Kafka retries on the next children change; a later notification re-reads the same znodes.
        this.log.error({ err }, 'error processing config change notifications');
      }
    } while (this.rerun && !this.stopped);
  }

  private async processNotifications(): Promise<void> {
    let children: string[];
    try {
      children = await this.zk.getChildren(ConfigEntityChangeNotificationZNode.path);
    } catch (err) {
      if (isZkError(err, 'NONODE')) return;
      throw err;
    }
    const prefix = ConfigEntityChangeNotificationSequenceZNode.prefix;
    const changes = children
      .filter((c) => c.startsWith(prefix))
      .map((c) => ({ name: c, seq: Number(sequenceNumber(c, prefix)) }))
      .sort((a, b) => a.seq - b.seq);
    for (const change of changes) {
      if (this.stopped) return;
      if (change.seq <= this.lastExecutedChange) continue;
      await this.processNotification(ConfigEntityChangeNotificationSequenceZNode.path(sequenceNumber(change.name, prefix)));
      this.lastExecutedChange = change.seq;
    }
    await this.purgeObsoleteNotifications(changes.map((c) => c.name));
  }

  private async processNotification(path: string): Promise<void> {
    const node = await this.zk.getOrNull(path);
    if (node === null) return;
    let entityPath: string;
    try {
      entityPath = ConfigEntityChangeNotificationSequenceZNode.decode(node.data, path).entityPath;
    } catch (err) {
      this.log.error({ path, err }, 'ignoring a malformed config change notification');
      return;
    }
    const slash = entityPath.indexOf('/');
    const entityType = entityPath.slice(0, slash);
    const entityName = entityPath.slice(slash + 1);
    this.log.info({ entityPath }, 'processing config change notification');
    if (entityType === 'topics') {
      const config = await this.repo.reloadTopicConfig(entityName);
      this.options.onTopicConfigChange(entityName, config);
    } else if (entityType === 'brokers') {
      if (!(await this.repo.reloadBrokerConfig(entityName))) return;
      this.options.onBrokerConfigChange?.(entityName, this.repo.effectiveBrokerProps());
      const topics = this.options.topicsToReconfigure?.() ?? this.repo.topics();
      for (const topic of topics) this.options.onTopicConfigChange(topic, this.repo.logConfigFor(topic));
    } else {
      // users / clients / ips carry quotas and SCRAM credentials, which this broker does not enforce yet
      this.log.debug({ entityPath }, 'config change for an entity type without a handler');
    }
  }

  /** ZkNodeChangeNotificationListener.purgeObsoleteNotifications: delete changes older than the expiry. */
  private async purgeObsoleteNotifications(names: readonly string[]): Promise<void> {
    const now = this.time.milliseconds();
    for (const name of names) {
      const path = ConfigEntityChangeNotificationSequenceZNode.path(sequenceNumber(name, ConfigEntityChangeNotificationSequenceZNode.prefix));
      const stat = await this.zk.exists(path);
      if (stat === null || now - stat.ctime <= this.expirationMs) continue;
      try {
        await this.zk.delete(path, stat.version);
      } catch (err) {
        if (!isZkError(err, 'NONODE') && !isZkError(err, 'BADVERSION')) throw err;
      }
    }
  }
}
