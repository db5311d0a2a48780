/**
 * The broker's configuration (Kafka 2.8's KafkaConfig, ZooKeeper mode): server.properties parsed
 * as java.util.Properties, `--override key=value` layered on top, every value parsed and validated
 * against the key table (config-keys.ts) with Kafka's defaults, and the cross-key rules of
 * KafkaConfig.validateValues (listeners, inter-broker listener, broker id range). Errors are
 * ConfigException with Kafka's wording; unknown keys are accepted and reported in `unknownKeys`.
 * The properties/command-line parsing (server-properties.ts), listener parsing (end-point.ts) and
 * ConfigException (config-exception.ts) live next door and are re-exported from here.
 */
import { brokerLogDefaults, ConfigError, parseConfigValue } from '../log/log-config';
import {
  BROKER_CONFIG_KEYS,
  BROKER_KEYS_BY_NAME,
  type BrokerConfigType,
  type BrokerConfigValue,
  isKnownBrokerConfig,
} from './config-keys';
import { check, ConfigException } from './config-exception';
import { type EndPoint, parseListeners, parseProtocolMap, type SecurityProtocol } from './end-point';
import { parseServerProperties } from './server-properties';

export { BROKER_CONFIG_KEYS, isKnownBrokerConfig } from './config-keys';
export { ConfigException } from './config-exception';
export { type EndPoint, parseListeners, parseProtocolMap, type SecurityProtocol } from './end-point';
export { BROKER_USAGE, parseBrokerArgs, parseOverrides, parseServerProperties } from './server-properties';

// ---------------------------------------------------------------------------------------------
// Value parsing

function parseValue(name: string, type: BrokerConfigType, raw: string): BrokerConfigValue {
  try {
    switch (type) {
      case 'password':
      case 'class':
        return raw.trim();
      case 'short': {
        const trimmed = raw.trim();
        const n = /^[+-]?\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
        if (!(n >= -32768 && n <= 32767)) throw ConfigException.invalid(name, raw, 'Not a number of type SHORT');
        return n;
      }
      default:
        return parseConfigValue(name, type, raw);
    }
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigException(e.message, name);
    throw e;
  }
}

export type PropertiesInput = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

function toMap(input: PropertiesInput): Map<string, string> {
  return input instanceof Map ? new Map(input) : new Map(Object.entries(input as Record<string, string>));
}

export class KafkaConfig {
  /** Effective raw properties (file, then overrides). */
  readonly originals: ReadonlyMap<string, string>;
  /** Keys Kafka does not know: accepted and ignored, to be logged as warnings. */
  readonly unknownKeys: readonly string[];
  private readonly values: Map<string, BrokerConfigValue | null>;

  readonly brokerId: number;
  readonly brokerIdGenerationEnable: boolean;
  readonly maxReservedBrokerId: number;
  readonly brokerRack: string | null;
  readonly listenerSecurityProtocolMap: ReadonlyMap<string, SecurityProtocol>;
  readonly listeners: readonly EndPoint[];
  readonly advertisedListeners: readonly EndPoint[];
  readonly interBrokerListenerName: string;
  readonly interBrokerSecurityProtocol: SecurityProtocol;
  readonly controlPlaneListenerName: string | null;
  readonly logDirs: readonly string[];
  readonly zookeeperConnect: string;
  /** zookeeper.connect without its chroot ("h1:2181,h2:2181"). */
  readonly zookeeperServers: string;
  /** The chroot path ("/kafka") or '' when none. */
  readonly zookeeperChroot: string;
  readonly zookeeperSessionTimeoutMs: number;
  readonly zookeeperConnectionTimeoutMs: number;
  readonly zookeeperMaxInFlightRequests: number;
  readonly numPartitions: number;
  readonly defaultReplicationFactor: number;
  readonly autoCreateTopicsEnable: boolean;
  readonly deleteTopicEnable: boolean;
  readonly messageMaxBytes: number;
  readonly socketRequestMaxBytes: number;
  readonly minInSyncReplicas: number;
  readonly uncleanLeaderElectionEnable: boolean;
  /** Effective retention (log.retention.ms > .minutes > .hours; negative = -1, forever). */
  readonly logRetentionTimeMillis: number;
  /** Effective roll time (log.roll.ms > log.roll.hours). */
  readonly logRollTimeMillis: number;
  readonly logRollTimeJitterMillis: number;
  readonly logRetentionBytes: number;
  readonly logSegmentBytes: number;
  readonly logRetentionCheckIntervalMs: number;
  readonly logCleanerEnable: boolean;
  readonly interBrokerProtocolVersion: string;
  readonly offsetsTopicReplicationFactor: number;
  readonly offsetsTopicPartitions: number;
  readonly transactionTopicReplicationFactor: number;
  readonly transactionTopicPartitions: number;
  readonly transactionTopicMinISR: number;
  readonly groupInitialRebalanceDelayMs: number;
  readonly groupMinSessionTimeoutMs: number;
  readonly groupMaxSessionTimeoutMs: number;
  readonly replicaLagTimeMaxMs: number;
  readonly controlledShutdownEnable: boolean;
  readonly autoLeaderRebalanceEnable: boolean;
  readonly leaderImbalancePerBrokerPercentage: number;
  readonly leaderImbalanceCheckIntervalSeconds: number;
  readonly requestTimeoutMs: number;
  readonly fetchMaxBytes: number;

  /** Parses server.properties text and applies overrides (the `--override` ones). */
  static fromText(text: string, overrides: PropertiesInput = {}): KafkaConfig {
    const props = parseServerProperties(text);
    for (const [key, value] of toMap(overrides)) props.set(key, value);
    return new KafkaConfig(props);
  }

  constructor(props: PropertiesInput) {
    const originals = toMap(props);
    this.originals = originals;
    this.unknownKeys = [...originals.keys()].filter((key) => !isKnownBrokerConfig(key));
    const values = new Map<string, BrokerConfigValue | null>();
    for (const def of BROKER_CONFIG_KEYS) {
      const raw = originals.get(def.name);
      let value: BrokerConfigValue | null;
      if (raw === undefined) {
        if (def.required) throw ConfigException.missing(def.name);
        value = def.defaultValue;
      } else {
        value = parseValue(def.name, def.type, raw);
        const problem = def.validator?.(value);
        if (problem) throw ConfigException.invalid(def.name, raw, problem);
      }
      values.set(def.name, value);
    }
    this.values = values;

    const int = (key: string): number => this.getNumber(key);
    const bool = (key: string): boolean => this.getBoolean(key);

    this.brokerIdGenerationEnable = bool('broker.id.generation.enable');
    this.maxReservedBrokerId = int('reserved.broker.max.id');
    this.brokerId = int('broker.id');
    this.brokerRack = this.getString('broker.rack');

    // ZooKeeper
    this.zookeeperConnect = this.getString('zookeeper.connect') as string;
    const slash = this.zookeeperConnect.indexOf('/');
    this.zookeeperServers = slash < 0 ? this.zookeeperConnect : this.zookeeperConnect.slice(0, slash);
    const chroot = slash < 0 ? '' : this.zookeeperConnect.slice(slash);
    if (chroot.length > 1 && (chroot.endsWith('/') || chroot.includes('//'))) {
      throw ConfigException.invalid('zookeeper.connect', this.zookeeperConnect, `Invalid chroot path ${chroot}`);
    }
    this.zookeeperChroot = chroot === '/' ? '' : chroot;
    this.zookeeperSessionTimeoutMs = int('zookeeper.session.timeout.ms');
    this.zookeeperConnectionTimeoutMs = this.getNumberOrNull('zookeeper.connection.timeout.ms') ?? this.zookeeperSessionTimeoutMs;
    this.zookeeperMaxInFlightRequests = int('zookeeper.max.in.flight.requests');

    // Listeners
    this.listenerSecurityProtocolMap = parseProtocolMap(this.getString('listener.security.protocol.map') as string);
    const listenersText =
      this.getString('listeners') ?? `PLAINTEXT://${this.getString('host.name') ?? ''}:${int('port')}`;
    this.listeners = parseListeners(listenersText, this.listenerSecurityProtocolMap, 'listeners');
    const advertisedText = this.getString('advertised.listeners');
    if (advertisedText !== null) {
      this.advertisedListeners = parseListeners(advertisedText, this.listenerSecurityProtocolMap, 'advertised.listeners');
    } else if (this.getString('advertised.host.name') !== null || this.getNumberOrNull('advertised.port') !== null) {
      const host = this.getString('advertised.host.name') ?? this.getString('host.name') ?? '';
      const port = this.getNumberOrNull('advertised.port') ?? int('port');
      this.advertisedListeners = parseListeners(`PLAINTEXT://${host}:${port}`, this.listenerSecurityProtocolMap, 'advertised.listeners');
    } else {
      this.advertisedListeners = this.listeners;
    }
    const ibName = this.getString('inter.broker.listener.name');
    if (ibName !== null) {
      if (originals.has('security.inter.broker.protocol')) {
        throw new ConfigException('Only one of inter.broker.listener.name and security.inter.broker.protocol should be set.');
      }
      const name = ibName.toUpperCase();
      const protocol = this.listenerSecurityProtocolMap.get(name);
      if (!protocol) {
        throw new ConfigException(
          `Listener with name ${name} defined in inter.broker.listener.name not found in listener.security.protocol.map.`,
        );
      }
      this.interBrokerListenerName = name;
      this.interBrokerSecurityProtocol = protocol;
    } else {
      const protocol = this.getString('security.inter.broker.protocol') as SecurityProtocol;
      this.interBrokerListenerName = protocol;
      this.interBrokerSecurityProtocol = protocol;
    }
    const cpName = this.getString('control.plane.listener.name');
    this.controlPlaneListenerName = cpName === null ? null : cpName.toUpperCase();

    // Logs
    const dirs = this.getString('log.dirs') ?? (this.getString('log.dir') as string);
    this.logDirs = dirs.split(/\s*,\s*/).map((d) => d.trim()).filter((d) => d !== '');

    this.numPartitions = int('num.partitions');
    this.defaultReplicationFactor = int('default.replication.factor');
    this.autoCreateTopicsEnable = bool('auto.create.topics.enable');
    this.deleteTopicEnable = bool('delete.topic.enable');
    this.messageMaxBytes = int('message.max.bytes');
    this.socketRequestMaxBytes = int('socket.request.max.bytes');
    this.minInSyncReplicas = int('min.insync.replicas');
    this.uncleanLeaderElectionEnable = bool('unclean.leader.election.enable');
    const HOUR = 3600000;
    const retentionMs =
      this.getNumberOrNull('log.retention.ms') ??
      (this.getNumberOrNull('log.retention.minutes') !== null
        ? (this.getNumberOrNull('log.retention.minutes') as number) * 60000
        : int('log.retention.hours') * HOUR);
    this.logRetentionTimeMillis = retentionMs < 0 ? -1 : retentionMs;
    this.logRollTimeMillis = this.getNumberOrNull('log.roll.ms') ?? int('log.roll.hours') * HOUR;
    this.logRollTimeJitterMillis = this.getNumberOrNull('log.roll.jitter.ms') ?? int('log.roll.jitter.hours') * HOUR;
    this.logRetentionBytes = int('log.retention.bytes');
    this.logSegmentBytes = int('log.segment.bytes');
    this.logRetentionCheckIntervalMs = int('log.retention.check.interval.ms');
    this.logCleanerEnable = bool('log.cleaner.enable');
    this.interBrokerProtocolVersion = this.getString('inter.broker.protocol.version') as string;
    this.offsetsTopicReplicationFactor = int('offsets.topic.replication.factor');
    this.offsetsTopicPartitions = int('offsets.topic.num.partitions');
    this.transactionTopicReplicationFactor = int('transaction.state.log.replication.factor');
    this.transactionTopicPartitions = int('transaction.state.log.num.partitions');
    this.transactionTopicMinISR = int('transaction.state.log.min.isr');
    this.groupInitialRebalanceDelayMs = int('group.initial.rebalance.delay.ms');
    this.groupMinSessionTimeoutMs = int('group.min.session.timeout.ms');
    this.groupMaxSessionTimeoutMs = int('group.max.session.timeout.ms');
    this.replicaLagTimeMaxMs = int('replica.lag.time.max.ms');
    this.controlledShutdownEnable = bool('controlled.shutdown.enable');
    this.autoLeaderRebalanceEnable = bool('auto.leader.rebalance.enable');
    this.leaderImbalancePerBrokerPercentage = int('leader.imbalance.per.broker.percentage');
    this.leaderImbalanceCheckIntervalSeconds = int('leader.imbalance.check.interval.seconds');
    this.requestTimeoutMs = int('request.timeout.ms');
    this.fetchMaxBytes = int('fetch.max.bytes');

    this.validateValues();
    this.toLogConfigDefaults(); // validates the log.* keys as topic defaults, like Kafka's startup
  }

  /** Kafka's KafkaConfig.validateValues (the ZooKeeper-mode rules). */
  private validateValues(): void {
    if (this.brokerIdGenerationEnable) {
      check(
        this.brokerId >= -1 && this.brokerId <= this.maxReservedBrokerId,
        'broker.id must be equal or greater than -1 and not greater than reserved.broker.max.id',
        'broker.id',
      );
    } else {
      check(this.brokerId >= 0, 'broker.id must be equal or greater than 0', 'broker.id');
    }
    check(this.logRollTimeMillis >= 1, 'log.roll.ms must be greater than or equal to 1', 'log.roll.ms');
    check(this.logRollTimeJitterMillis >= 0, 'log.roll.jitter.ms must be greater than or equal to 0', 'log.roll.jitter.ms');
    check(this.logRetentionTimeMillis >= 1 || this.logRetentionTimeMillis === -1, 'log.retention.ms must be unlimited (-1) or, equal or greater than 1', 'log.retention.ms');
    check(this.logDirs.length > 0, 'At least one log directory must be defined via log.dirs or log.dir.', 'log.dirs');
    check(this.getNumber('log.cleaner.dedupe.buffer.size') / this.getNumber('log.cleaner.threads') > 1024 * 1024,
      'log.cleaner.dedupe.buffer.size must be at least 1MB per cleaner thread.', 'log.cleaner.dedupe.buffer.size');
    const replicaFetchWaitMaxMs = this.getNumber('replica.fetch.wait.max.ms');
    check(replicaFetchWaitMaxMs <= this.getNumber('replica.socket.timeout.ms'),
      'replica.socket.timeout.ms should always be at least replica.fetch.wait.max.ms to prevent unnecessary socket timeouts', 'replica.fetch.wait.max.ms');
    check(replicaFetchWaitMaxMs <= this.replicaLagTimeMaxMs,
      'replica.fetch.wait.max.ms should always be less than or equal to replica.lag.time.max.ms to prevent frequent changes in ISR', 'replica.fetch.wait.max.ms');
    check(this.offsetsTopicReplicationFactor >= 1, 'offsets.topic.replication.factor must be greater than or equal to 1', 'offsets.topic.replication.factor');
    check(this.groupMaxSessionTimeoutMs >= this.groupMinSessionTimeoutMs,
      'group.max.session.timeout.ms must be greater than or equal to group.min.session.timeout.ms', 'group.max.session.timeout.ms');
    const listenerNames = new Set(this.listeners.map((e) => e.name));
    const advertisedNames = new Set(this.advertisedListeners.map((e) => e.name));
    check(
      [...advertisedNames].every((n) => listenerNames.has(n)),
      `advertised.listeners listener names must be equal to or a subset of the ones defined in listeners. Found ${[...advertisedNames].join(',')}. The valid options based on the current configuration are ${[...listenerNames].join(',')}`,
      'advertised.listeners',
    );
    check(
      advertisedNames.has(this.interBrokerListenerName),
      `inter.broker.listener.name must be a listener name defined in advertised.listeners. The valid options based on currently configured listeners are ${[...advertisedNames].join(',')}`,
      'inter.broker.listener.name',
    );
    check(
      !this.advertisedListeners.some((e) => e.host === '0.0.0.0'),
      'advertised.listeners cannot use the nonroutable meta-address 0.0.0.0. Use a routable IP address.',
      'advertised.listeners',
    );
    if (this.controlPlaneListenerName !== null) {
      check(listenerNames.has(this.controlPlaneListenerName),
        `control.plane.listener.name must be a listener name defined in listeners. The valid options based on currently configured listeners are ${[...listenerNames].join(',')}`,
        'control.plane.listener.name');
      check(this.controlPlaneListenerName !== this.interBrokerListenerName,
        'control.plane.listener.name, when defined, should have a different value from the inter broker listener name. Currently they both have the value ' + this.controlPlaneListenerName,
        'control.plane.listener.name');
    }
  }

  /** The parsed value of any known key (null for unset optional keys). */
  get(name: string): BrokerConfigValue | null {
    if (!this.values.has(name)) throw new ConfigException(`Unknown configuration '${name}'`, name);
    return this.values.get(name) as BrokerConfigValue | null;
  }

  getNumber(name: string): number {
    const v = this.get(name);
    if (typeof v !== 'number') throw new ConfigException(`Configuration ${name} is not set or not a number`, name);
    return v;
  }

  getNumberOrNull(name: string): number | null {
    const v = this.get(name);
    return typeof v === 'number' ? v : null;
  }

  getBoolean(name: string): boolean {
    return this.get(name) === true;
  }

  getString(name: string): string | null {
    const v = this.get(name);
    return v === null ? null : String(v);
  }

  getList(name: string): readonly string[] {
    const v = this.get(name);
    return Array.isArray(v) ? (v as readonly string[]) : [];
  }

  /** `listener.name.<listener>.<key>` override for a listener, else the plain key (Kafka's valuesWithPrefixOverride). */
  listenerOverride(listenerName: string, key: string): string | null {
    const prefixed = this.originals.get(`listener.name.${listenerName.toLowerCase()}.${key}`);
    if (prefixed !== undefined) return prefixed;
    const plain = this.originals.get(key);
    return plain ?? (BROKER_KEYS_BY_NAME.has(key) ? this.getString(key) : null);
  }

  /** The bound listener for a name (as used for inter-broker and controller connections). */
  advertisedListener(name: string): EndPoint | undefined {
    return this.advertisedListeners.find((e) => e.name === name);
  }

  /**
   * Topic-level defaults from the broker's `log.*` keys (Kafka's copyKafkaConfigToLog), via the
   * log layer's brokerLogDefaults; errors come back as ConfigException.
   */
  toLogConfigDefaults(): Record<string, BrokerConfigValue> {
    try {
      return brokerLogDefaults(this.originals);
    } catch (e) {
      if (e instanceof ConfigError) throw new ConfigException(e.message, e.key);
      throw e;
    }
  }
}
