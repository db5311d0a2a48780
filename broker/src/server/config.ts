/**
 * The broker's configuration (Kafka 2.8's KafkaConfig, ZooKeeper mode): server.properties parsed
 * as java.util.Properties, `--override key=value` layered on top, every value parsed and validated
 * against the key table (config-keys.ts) with Kafka's defaults, and the cross-key rules of
 * KafkaConfig.validateValues (listeners, inter-broker listener, broker id range). Errors are
 * ConfigException with Kafka's wording; unknown keys are accepted and reported in `unknownKeys`.
 */
import { brokerLogDefaults, ConfigError, parseConfigValue } from '../log/log-config';
import {
  BROKER_CONFIG_KEYS,
  BROKER_KEYS_BY_NAME,
  type BrokerConfigType,
  type BrokerConfigValue,
  isKnownBrokerConfig,
  SECURITY_PROTOCOLS,
} from './config-keys';

export { BROKER_CONFIG_KEYS, isKnownBrokerConfig } from './config-keys';

export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];

/** Kafka's org.apache.kafka.common.config.ConfigException. */
export class ConfigException extends Error {
  readonly key: string | undefined;
  constructor(message: string, key?: string) {
    super(message);
    this.name = 'ConfigException';
    this.key = key;
  }
  static invalid(key: string, value: unknown, reason?: string): ConfigException {
    return new ConfigException(`Invalid value ${String(value)} for configuration ${key}${reason ? `: ${reason}` : ''}`, key);
  }
  static missing(key: string): ConfigException {
    return new ConfigException(`Missing required configuration "${key}" which has no default value.`, key);
  }
}

/** One listener endpoint (Kafka's EndPoint). host '' = bind all interfaces. */
export interface EndPoint {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly securityProtocol: SecurityProtocol;
}

// ---------------------------------------------------------------------------------------------
// java.util.Properties text format

function isWhite(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\f';
}

/** Splits into logical lines (Properties.LineReader): comments/blank lines dropped, continuations joined. */
function logicalLines(text: string): string[] {
  const natural = text.split(/\r\n|\r|\n/);
  const out: string[] = [];
  let pending: string | null = null;
  for (const raw of natural) {
    let i = 0;
    while (i < raw.length && isWhite(raw[i] as string)) i++;
    const line = raw.slice(i);
    if (pending === null) {
      if (line === '' || line[0] === '#' || line[0] === '!') continue;
    }
    let slashes = 0;
    for (let j = line.length - 1; j >= 0 && line[j] === '\\'; j--) slashes++;
    const continues = slashes % 2 === 1;
    const body = continues ? line.slice(0, -1) : line;
    pending = (pending ?? '') + body;
    if (!continues) {
      out.push(pending);
      pending = null;
    }
  }
  if (pending !== null) out.push(pending); // backslash at end of input: Java drops it and keeps the line
  return out;
}

function unescape(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c !== '\\') {
      out += c;
      continue;
    }
    i++;
    if (i >= s.length) break;
    const e = s[i] as string;
    if (e === 'u') {
      const hex = s.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new ConfigException('Malformed \\uxxxx encoding.');
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else {
      out += e === 't' ? '\t' : e === 'n' ? '\n' : e === 'r' ? '\r' : e === 'f' ? '\f' : e;
    }
  }
  return out;
}

/**
 * Parses java.util.Properties text (Properties.load): `#`/`!` comments, `key=value`, `key:value`
 * or `key value` (first unescaped `=`, `:` or whitespace ends the key), trailing-backslash line
 * continuations (leading whitespace of the next line dropped), `\t \n \r \f \uXXXX` escapes, any
 * other escaped character taken literally. Later duplicates win. Order is preserved.
 */
export function parseServerProperties(text: string): Map<string, string> {
  const props = new Map<string, string>();
  for (const line of logicalLines(text)) {
    let keyEnd = 0;
    let valueStart = line.length;
    let hasSep = false;
    let escaped = false;
    for (; keyEnd < line.length; keyEnd++) {
      const c = line[keyEnd] as string;
      if (escaped) {
        escaped = false;
        continue;
      }
      if (c === '\\') {
        escaped = true;
        continue;
      }
      if (c === '=' || c === ':') {
        valueStart = keyEnd + 1;
        hasSep = true;
        break;
      }
      if (isWhite(c)) {
        valueStart = keyEnd + 1;
        break;
      }
    }
    while (valueStart < line.length && isWhite(line[valueStart] as string)) valueStart++;
    if (!hasSep && valueStart < line.length && (line[valueStart] === '=' || line[valueStart] === ':')) {
      valueStart++;
      while (valueStart < line.length && isWhite(line[valueStart] as string)) valueStart++;
    }
    props.set(unescape(line.slice(0, keyEnd)), unescape(line.slice(valueStart)));
  }
  return props;
}

/** Kafka's CommandLineUtils.parseKeyValueArgs for `--override key=value` (split at the first '='). */
export function parseOverrides(args: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new ConfigException(`Invalid command line properties: ${args.join(' ')}`);
    out.set(arg.slice(0, eq), arg.slice(eq + 1));
  }
  return out;
}

export const BROKER_USAGE = 'USAGE: samsa-broker server.properties [--override property=value]*';

/** `samsa-broker server.properties [--override key=value]…` (Kafka.getPropsFromArgs). */
export function parseBrokerArgs(argv: readonly string[]): { propertiesFile: string; overrides: Map<string, string> } {
  if (argv.length === 0 || argv.includes('--help')) throw new ConfigException(BROKER_USAGE);
  const [propertiesFile, ...rest] = argv as [string, ...string[]];
  const values: string[] = [];
  const stray: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    if (arg === '--override') {
      const next = rest[++i];
      if (next === undefined) throw new ConfigException(`Option override requires an argument\n${BROKER_USAGE}`);
      values.push(next);
    } else if (arg.startsWith('--override=')) {
      values.push(arg.slice('--override='.length));
    } else {
      stray.push(arg);
    }
  }
  if (stray.length > 0) throw new ConfigException(`Found non argument parameters: ${stray.join(',')}\n${BROKER_USAGE}`);
  return { propertiesFile, overrides: parseOverrides(values) };
}

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

const LISTENER_RE = /^(.*):\/\/\[?([0-9a-zA-Z\-%._:]*)\]?:(-?[0-9]+)$/;

function check(cond: boolean, message: string, key?: string): void {
  if (!cond) throw new ConfigException(message, key);
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

/** Kafka's listener.security.protocol.map parsing: NAME:PROTOCOL pairs, names normalised to upper case. */
export function parseProtocolMap(text: string): Map<string, SecurityProtocol> {
  const out = new Map<string, SecurityProtocol>();
  const key = 'listener.security.protocol.map';
  for (const entry of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const colon = entry.lastIndexOf(':');
    if (colon <= 0) throw ConfigException.invalid(key, text, `Map entry '${entry}' is not of the form 'key:value'`);
    const name = entry.slice(0, colon).trim().toUpperCase();
    const protocol = entry.slice(colon + 1).trim().toUpperCase();
    if (!(SECURITY_PROTOCOLS as readonly string[]).includes(protocol)) {
      throw ConfigException.invalid(key, text, `No enum constant org.apache.kafka.common.security.auth.SecurityProtocol.${protocol}`);
    }
    if (out.has(name)) throw ConfigException.invalid(key, text, `Duplicate listener name ${name}`);
    out.set(name, protocol as SecurityProtocol);
  }
  return out;
}

/**
 * Kafka's CoreUtils.listenerListToEndPoints: `NAME://host:port` entries (IPv6 in brackets, empty
 * host = all interfaces), names upper-cased and looked up in the protocol map, then validated:
 * distinct names, distinct ports (port 0 excepted).
 */
export function parseListeners(text: string, protocolMap: ReadonlyMap<string, SecurityProtocol>, key = 'listeners'): EndPoint[] {
  const entries = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const endpoints = entries.map((entry): EndPoint => {
    const m = LISTENER_RE.exec(entry);
    if (!m) throw ConfigException.invalid(key, text, `Unable to parse ${entry} to a broker endpoint`);
    const name = (m[1] as string).toUpperCase();
    const port = Number(m[3]);
    if (port < 0 || port > 65535) throw ConfigException.invalid(key, text, `Invalid port ${m[3]} in ${entry}`);
    const protocol = protocolMap.get(name);
    if (!protocol) throw ConfigException.invalid(key, text, `No security protocol defined for listener ${name}`);
    return { name, host: m[2] as string, port, securityProtocol: protocol };
  });
  const names = endpoints.map((e) => e.name);
  check(new Set(names).size === names.length, `requirement failed: Each listener must have a different name, listeners: ${text}`, key);
  const ports = endpoints.map((e) => e.port).filter((p) => p !== 0);
  check(new Set(ports).size === ports.length, `requirement failed: Each listener must have a different port, listeners: ${text}`, key);
  return endpoints;
}
