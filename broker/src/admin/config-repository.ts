/**
 * The broker's view of the configs kept in ZooKeeper (Kafka's ZkConfigRepository + the state of
 * DynamicBrokerConfig): topic overrides from /config/topics/<t>, dynamic broker configs from
 * /config/brokers/<default> and /config/brokers/<id>. `logConfigFor(topic)` layers them as Kafka
 * does: static broker props, then the dynamic default, then this broker's dynamic config (dynamic keys
 * only) give the broker log defaults (copyKafkaConfigToLog), and the topic's overrides sit on top.
 */
import { createLogger, type Logger } from '../common/logger';
import { brokerLogDefaults, ConfigError, LogConfig, type ConfigValue } from '../log/log-config';
import type { AdminZkClient } from '../zk/admin-zk-client';
import type { ZkWatch } from '../zk/watch';
import { ConfigEntityTypeZNode, ConfigEntityZNode, DEFAULT_ENTITY } from '../zk/znodes/config';
import { isDynamicBrokerConfig, layerBrokerConfigs } from './dynamic-broker-config';

export interface ConfigRepositoryOptions {
  readonly zk: AdminZkClient;
  readonly brokerId: number;
  /** server.properties after --override (KafkaConfig.originals). */
  readonly staticBrokerProps: ReadonlyMap<string, string>;
  readonly logger?: Logger;
}

export class ConfigRepository {
  private readonly zk: AdminZkClient;
  private readonly log: Logger;
  readonly brokerId: number;
  readonly staticBrokerProps: ReadonlyMap<string, string>;
  private readonly topicConfigs = new Map<string, Map<string, string>>();
  private readonly logConfigs = new Map<string, LogConfig>();
  private dynamicDefault = new Map<string, string>();
  private dynamicBroker = new Map<string, string>();
  private effective = new Map<string, string>();
  private defaults: Record<string, ConfigValue> = {};
  private defaultLogConfig: LogConfig;
  private topicsWatch: ZkWatch<string[] | null> | null = null;
  private syncing: Promise<void> = Promise.resolve();

  constructor(options: ConfigRepositoryOptions) {
    this.zk = options.zk;
    this.brokerId = options.brokerId;
    this.staticBrokerProps = new Map(options.staticBrokerProps);
    this.log = options.logger ?? createLogger('ConfigRepository', { brokerId: options.brokerId });
    this.defaultLogConfig = this.recomputeBroker();
  }

  /** Loads every topic's overrides and both dynamic broker entities (KafkaServer startup). */
  async load(): Promise<void> {
    this.dynamicDefault = await this.fetchBrokerEntity(DEFAULT_ENTITY);
    this.dynamicBroker = await this.fetchBrokerEntity(String(this.brokerId));
    this.defaultLogConfig = this.recomputeBroker();
    // Topics created later are picked up as their /config/topics node appears: it is written before
    // the topic's assignment, so it is known before the controller asks this broker to host a replica.
    this.topicsWatch?.close();
    this.topicsWatch = await this.zk.zk.watchChildren(ConfigEntityTypeZNode.path('topics'), (children) => {
      this.syncing = this.syncing
        .then(() => this.syncTopics(children ?? [], false))
        .catch((err: unknown) => this.log.error({ err }, 'could not load topic configs'));
    });
    this.logConfigs.clear();
    await this.syncTopics(this.topicsWatch.value ?? [], true);
  }

  /** Stops following /config/topics. */
  close(): void {
    this.topicsWatch?.close();
    this.topicsWatch = null;
  }

  private async syncTopics(children: readonly string[], reloadAll: boolean): Promise<void> {
    const present = new Set(children);
    for (const topic of [...this.topicConfigs.keys()]) {
      if (present.has(topic)) continue;
      this.topicConfigs.delete(topic);
      this.logConfigs.delete(topic);
    }
    for (const topic of children) {
      if (!reloadAll && this.topicConfigs.has(topic)) continue;
      this.topicConfigs.set(topic, await this.zk.fetchEntityConfig('topics', topic));
      this.logConfigs.delete(topic);
    }
  }

  /** The LogConfig a log of `topic` runs with now. */
  logConfigFor(topic: string): LogConfig {
    const overrides = this.topicConfigs.get(topic);
    if (overrides === undefined) return this.defaultLogConfig;
    let config = this.logConfigs.get(topic);
    if (config === undefined) {
      config = this.buildLogConfig(topic, overrides);
      this.logConfigs.set(topic, config);
    }
    return config;
  }

  /** The topic's overrides (/config/topics/<t>), empty when none. */
  topicOverrides(topic: string): ReadonlyMap<string, string> {
    return this.topicConfigs.get(topic) ?? new Map();
  }

  /** Topics with a /config/topics node (Kafka writes one for every topic it creates). */
  topics(): string[] {
    return [...this.topicConfigs.keys()];
  }

  /** /config/brokers/<default> as loaded. */
  dynamicDefaultBrokerConfigs(): ReadonlyMap<string, string> {
    return this.dynamicDefault;
  }

  /** /config/brokers/<this broker's id> as loaded. */
  dynamicBrokerConfigs(): ReadonlyMap<string, string> {
    return this.dynamicBroker;
  }

  /** Static props layered with the dynamic ones (the broker's current KafkaConfig). */
  effectiveBrokerProps(): ReadonlyMap<string, string> {
    return this.effective;
  }

  /** Topic defaults from the effective broker config (LogManager.currentDefaultConfig). */
  logDefaults(): Readonly<Record<string, ConfigValue>> {
    return this.defaults;
  }

  /** LogConfig with only the broker defaults (a topic without overrides). */
  defaultConfig(): LogConfig {
    return this.defaultLogConfig;
  }

  /**
   * Re-reads /config/topics/<t> and returns the topic's LogConfig, as Kafka reads ZooKeeper when it
   * creates a log (also TopicConfigHandler on a change notification).
   */
  async reloadTopicConfig(topic: string): Promise<LogConfig> {
    const node = await this.zk.zk.exists(ConfigEntityZNode.topicPath(topic));
    if (node === null) this.topicConfigs.delete(topic);
    else this.topicConfigs.set(topic, await this.zk.fetchEntityConfig('topics', topic));
    this.logConfigs.delete(topic);
    return this.logConfigFor(topic);
  }

  /** Kafka reads a topic's config from ZooKeeper when it creates a log: the same as reloadTopicConfig. */
  fetchLogConfig(topic: string): Promise<LogConfig> {
    return this.reloadTopicConfig(topic);
  }

  /**
   * Re-reads /config/brokers/<entity> (BrokerConfigHandler). Returns true when it is this broker's
   * entity or the default, i.e. when the effective config (and so every topic's LogConfig) may change.
   */
  async reloadBrokerConfig(entityName: string): Promise<boolean> {
    if (entityName === DEFAULT_ENTITY) this.dynamicDefault = await this.fetchBrokerEntity(DEFAULT_ENTITY);
    else if (entityName === String(this.brokerId)) this.dynamicBroker = await this.fetchBrokerEntity(entityName);
    else return false;
    this.defaultLogConfig = this.recomputeBroker();
    this.logConfigs.clear();
    return true;
  }

  private async fetchBrokerEntity(entityName: string): Promise<Map<string, string>> {
    const props = await this.zk.fetchEntityConfig('brokers', entityName);
    for (const key of [...props.keys()]) {
      if (!isDynamicBrokerConfig(key)) {
        this.log.warn({ entity: entityName, key }, 'ignoring a broker config that cannot be updated dynamically');
        props.delete(key);
      }
    }
    return props;
  }

  /**
   * Layers the broker configs and derives the log defaults. Like DynamicBrokerConfig.removeInvalidConfigs,
   * a dynamic value that makes the defaults invalid is dropped (and logged) instead of failing the broker.
   */
  private recomputeBroker(): LogConfig {
    for (;;) {
      const effective = layerBrokerConfigs(this.staticBrokerProps, this.dynamicDefault, this.dynamicBroker);
      try {
        const defaults = brokerLogDefaults(effective);
        const config = new LogConfig(defaults);
        this.effective = effective;
        this.defaults = defaults;
        return config;
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        const layer = this.dynamicBroker.has(err.key) ? this.dynamicBroker : this.dynamicDefault.has(err.key) ? this.dynamicDefault : null;
        if (layer === null) throw err;
        this.log.error({ key: err.key, err }, 'dropping an invalid dynamic broker config');
        layer.delete(err.key);
      }
    }
  }

  /** LogConfig.fromProps(defaults, overrides); unknown or invalid override keys are dropped and logged. */
  private buildLogConfig(topic: string, overrides: ReadonlyMap<string, string>): LogConfig {
    const usable = new Map([...overrides].filter(([k]) => LogConfig.isTopicConfig(k)));
    for (;;) {
      try {
        return LogConfig.fromProps(this.defaults, usable);
      } catch (err) {
        if (!(err instanceof ConfigError) || !usable.has(err.key)) throw err;
        this.log.error({ topic, key: err.key, err }, 'ignoring an invalid topic config override');
        usable.delete(err.key);
      }
    }
  }
}
