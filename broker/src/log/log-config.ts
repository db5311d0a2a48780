/**
 * Topic-level log configuration (Kafka's LogConfig) with Kafka 2.8's names, types, validators and
 * defaults, layered as Kafka layers it: the broker's `log.`-prefixed settings become the topic
 * defaults (brokerLogDefaults, Kafka's copyKafkaConfigToLog), per-topic overrides from ZooKeeper
 * sit on top (LogConfig.fromProps), and a Log swaps in a new LogConfig at run time
 * (Log.updateConfig). Values arrive as strings (server.properties, ZooKeeper JSON, AlterConfigs)
 * and are parsed and validated here; errors name the key, in Kafka's ConfigException wording.
 */
import { KafkaProtocolError } from '../protocol/error-codes';

/** Long.MAX_VALUE, as close as a JS number gets (2^63); shown as Kafka shows it. */
export const LONG_MAX_VALUE = 2 ** 63;
const LONG_MAX_STRING = '9223372036854775807';
const INT_MAX = 2147483647;
const INT_MIN = -2147483648;

export type ConfigType = 'int' | 'long' | 'double' | 'boolean' | 'string' | 'list';
export type ConfigValue = number | boolean | string | readonly string[];
export type ConfigInputValue = ConfigValue | null | undefined;
export type ConfigInput = Readonly<Record<string, ConfigInputValue>> | ReadonlyMap<string, ConfigInputValue>;

/** Kafka's ConfigException, carried as INVALID_CONFIG so AlterConfigs/CreateTopics can answer with it. */
export class ConfigError extends KafkaProtocolError {
  readonly key: string;
  constructor(key: string, value: unknown, reason?: string) {
    super('INVALID_CONFIG', `Invalid value ${String(value)} for configuration ${key}${reason ? `: ${reason}` : ''}`);
    this.key = key;
  }
}

type Validator = (value: ConfigValue) => string | null;

const atLeast = (min: number): Validator => (v) => (typeof v === 'number' && v < min ? `Value must be at least ${min}` : null);
const between = (min: number, max: number): Validator => (v) =>
  typeof v !== 'number' ? null : v < min ? `Value must be at least ${min}` : v > max ? `Value must be no more than ${max}` : null;
const validString = (...allowed: string[]): Validator => (v) =>
  typeof v === 'string' && !allowed.includes(v) ? `String must be one of: ${allowed.join(', ')}` : null;
const validList = (...allowed: string[]): Validator => (v) => {
  if (!Array.isArray(v)) return null;
  const bad = (v as readonly string[]).find((item) => !allowed.includes(item));
  return bad === undefined ? null : `Invalid value ${bad} for configuration: String must be one of: ${allowed.join(', ')}`;
};

/** ApiVersion strings Kafka 2.8 accepts for message.format.version. */
const API_VERSIONS = [
  '0.8.0', '0.8.1', '0.8.2', '0.9.0', '0.10.0-IV0', '0.10.0-IV1', '0.10.1-IV0', '0.10.1-IV1', '0.10.1-IV2',
  '0.10.2-IV0', '0.11.0-IV0', '0.11.0-IV1', '0.11.0-IV2', '1.0-IV0', '1.1-IV0', '2.0-IV0', '2.0-IV1', '2.1-IV0',
  '2.1-IV1', '2.1-IV2', '2.2-IV0', '2.2-IV1', '2.3-IV0', '2.3-IV1', '2.4-IV0', '2.4-IV1', '2.5-IV0', '2.6-IV0',
  '2.7-IV0', '2.7-IV1', '2.7-IV2', '2.8-IV0', '2.8-IV1',
];
const API_VERSION_KEYS = new Set([...API_VERSIONS, ...API_VERSIONS.map((v) => v.replace(/-IV\d+$/, ''))]);

/** Kafka's ApiVersion.apply key: 3 dotted parts for 0.x, else 2 ("2.8.1" means 2.8). */
function apiVersionKey(version: string): string {
  return version.split('.').slice(0, version.startsWith('0.') ? 3 : 2).join('.');
}
const apiVersion: Validator = (v) =>
  typeof v === 'string' && !API_VERSION_KEYS.has(apiVersionKey(v)) ? `Version \`${v}\` is not a valid version` : null;

/** Kafka's ThrottledReplicaListValidator: "*" or partition:broker pairs. */
const throttledReplicas: Validator = (v) => {
  if (!Array.isArray(v)) return null;
  const list = v as readonly string[];
  const ok = (list.length === 1 && list[0] === '*') || list.every((s) => /^\d+:\d+$/.test(s));
  return ok ? null : 'Must be the wildcard (*) or of the form \'PartitionId:BrokerId\'';
};

interface ConfigKey {
  name: string;
  type: ConfigType;
  defaultValue: ConfigValue;
  validator?: Validator;
}

const key = (name: string, type: ConfigType, defaultValue: ConfigValue, validator?: Validator): ConfigKey => ({
  name,
  type,
  defaultValue,
  validator,
});

/** Every topic-level config of Kafka 2.8's LogConfig.configDef, with its 2.8 default. */
export const TOPIC_CONFIG_KEYS: readonly ConfigKey[] = [
  key('segment.bytes', 'int', 1073741824, atLeast(14)),
  key('segment.ms', 'long', 604800000, atLeast(1)),
  key('segment.jitter.ms', 'long', 0, atLeast(0)),
  key('segment.index.bytes', 'int', 10485760, atLeast(0)),
  key('flush.messages', 'long', LONG_MAX_VALUE, atLeast(0)),
  key('flush.ms', 'long', LONG_MAX_VALUE, atLeast(0)),
  key('retention.bytes', 'long', -1),
  key('retention.ms', 'long', 604800000, atLeast(-1)),
  key('max.message.bytes', 'int', 1048588, atLeast(0)),
  key('index.interval.bytes', 'int', 4096, atLeast(0)),
  key('delete.retention.ms', 'long', 86400000, atLeast(0)),
  key('min.compaction.lag.ms', 'long', 0, atLeast(0)),
  key('max.compaction.lag.ms', 'long', LONG_MAX_VALUE, atLeast(1)),
  key('file.delete.delay.ms', 'long', 60000, atLeast(0)),
  key('min.cleanable.dirty.ratio', 'double', 0.5, between(0, 1)),
  key('cleanup.policy', 'list', ['delete'], validList('compact', 'delete')),
  key('unclean.leader.election.enable', 'boolean', false),
  key('min.insync.replicas', 'int', 1, atLeast(1)),
  key('compression.type', 'string', 'producer', validString('uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer')),
  key('preallocate', 'boolean', false),
  key('message.format.version', 'string', '2.8-IV1', apiVersion),
  key('message.timestamp.type', 'string', 'CreateTime', validString('CreateTime', 'LogAppendTime')),
  key('message.timestamp.difference.max.ms', 'long', LONG_MAX_VALUE, atLeast(0)),
  key('leader.replication.throttled.replicas', 'list', [], throttledReplicas),
  key('follower.replication.throttled.replicas', 'list', [], throttledReplicas),
  key('message.downconversion.enable', 'boolean', true),
];

const KEYS_BY_NAME = new Map(TOPIC_CONFIG_KEYS.map((k) => [k.name, k]));

function entriesOf(input: ConfigInput): [string, ConfigInputValue][] {
  return input instanceof Map ? [...input.entries()] : Object.entries(input as Record<string, ConfigInputValue>);
}

/** Kafka's ConfigDef.parseType: strings are trimmed and parsed; typed values are checked. */
export function parseConfigValue(name: string, type: ConfigType, raw: ConfigValue): ConfigValue {
  const text = typeof raw === 'string' ? raw.trim() : raw;
  switch (type) {
    case 'boolean':
      if (typeof text === 'boolean') return text;
      if (typeof text === 'string' && /^(true|false)$/i.test(text)) return text.toLowerCase() === 'true';
      throw new ConfigError(name, raw, 'Expected value to be either true or false');
    case 'int':
    case 'long': {
      const label = type === 'int' ? 'INT' : 'LONG';
      let value: number;
      if (typeof text === 'number') {
        if (!Number.isInteger(text)) throw new ConfigError(name, raw, `Not a number of type ${label}`);
        value = text;
      } else if (typeof text === 'string' && /^[+-]?\d+$/.test(text)) {
        const big = BigInt(text);
        const [min, max] = type === 'int' ? [BigInt(INT_MIN), BigInt(INT_MAX)] : [-(2n ** 63n), 2n ** 63n - 1n];
        if (big < min || big > max) throw new ConfigError(name, raw, `Not a number of type ${label}`);
        value = Number(big);
      } else {
        throw new ConfigError(name, raw, `Not a number of type ${label}`);
      }
      if (type === 'int' && (value > INT_MAX || value < INT_MIN)) throw new ConfigError(name, raw, 'Not a number of type INT');
      return value;
    }
    case 'double': {
      const value = typeof text === 'number' ? text : typeof text === 'string' && text !== '' ? Number(text) : Number.NaN;
      if (Number.isNaN(value)) throw new ConfigError(name, raw, 'Not a number of type DOUBLE');
      return value;
    }
    case 'string':
      if (typeof text !== 'string') throw new ConfigError(name, raw, 'Expected value to be a string');
      return text;
    case 'list':
      if (Array.isArray(text)) return (text as readonly string[]).map((s) => String(s).trim());
      if (typeof text !== 'string') throw new ConfigError(name, raw, 'Expected a comma separated list');
      return text === '' ? [] : text.split(/\s*,\s*/);
  }
}

function parseTopicValue(name: string, raw: ConfigValue): ConfigValue {
  const def = KEYS_BY_NAME.get(name);
  if (!def) throw new ConfigError(name, raw, `Unknown topic config name: ${name}`);
  const value = parseConfigValue(name, def.type, raw);
  const problem = def.validator?.(value);
  if (problem) throw new ConfigError(name, raw, problem);
  return value;
}

export class LogConfig {
  readonly segmentSize: number;
  readonly segmentMs: number;
  readonly segmentJitterMs: number;
  readonly maxIndexSize: number;
  readonly flushInterval: number;
  readonly flushMs: number;
  readonly retentionSize: number;
  readonly retentionMs: number;
  readonly maxMessageSize: number;
  readonly indexInterval: number;
  readonly fileDeleteDelayMs: number;
  readonly deleteRetentionMs: number;
  readonly compactionLagMs: number;
  readonly maxCompactionLagMs: number;
  readonly minCleanableRatio: number;
  readonly cleanupPolicy: readonly string[];
  readonly compact: boolean;
  readonly delete: boolean;
  readonly uncleanLeaderElectionEnable: boolean;
  readonly minInSyncReplicas: number;
  readonly compressionType: string;
  readonly preallocate: boolean;
  readonly messageFormatVersion: string;
  readonly messageTimestampType: 'CreateTime' | 'LogAppendTime';
  readonly messageTimestampDifferenceMaxMs: number;
  readonly leaderReplicationThrottledReplicas: readonly string[];
  readonly followerReplicationThrottledReplicas: readonly string[];
  readonly messageDownConversionEnable: boolean;
  /** Keys set explicitly for this topic (Kafka's overriddenConfigs; DescribeConfigs source). */
  readonly overriddenConfigs: ReadonlySet<string>;
  private readonly values: ReadonlyMap<string, ConfigValue>;

  /**
   * Kafka's `new LogConfig(props, overriddenConfigs)`: every topic key from `props`, else its
   * 2.8 default. Unknown keys and invalid values throw ConfigError naming the key.
   */
  constructor(props: ConfigInput = {}, overriddenConfigs: Iterable<string> = []) {
    const values = new Map<string, ConfigValue>();
    for (const def of TOPIC_CONFIG_KEYS) values.set(def.name, def.defaultValue);
    for (const [name, raw] of entriesOf(props)) {
      if (raw === undefined || raw === null) continue;
      values.set(name, parseTopicValue(name, raw));
    }
    this.values = values;
    this.overriddenConfigs = new Set(overriddenConfigs);
    const num = (k: string): number => values.get(k) as number;
    const bool = (k: string): boolean => values.get(k) as boolean;
    const str = (k: string): string => values.get(k) as string;
    const list = (k: string): readonly string[] => values.get(k) as readonly string[];
    this.segmentSize = num('segment.bytes');
    this.segmentMs = num('segment.ms');
    this.segmentJitterMs = num('segment.jitter.ms');
    this.maxIndexSize = num('segment.index.bytes');
    this.flushInterval = num('flush.messages');
    this.flushMs = num('flush.ms');
    this.retentionSize = num('retention.bytes');
    this.retentionMs = num('retention.ms');
    this.maxMessageSize = num('max.message.bytes');
    this.indexInterval = num('index.interval.bytes');
    this.fileDeleteDelayMs = num('file.delete.delay.ms');
    this.deleteRetentionMs = num('delete.retention.ms');
    this.compactionLagMs = num('min.compaction.lag.ms');
    this.maxCompactionLagMs = num('max.compaction.lag.ms');
    this.minCleanableRatio = num('min.cleanable.dirty.ratio');
    this.cleanupPolicy = list('cleanup.policy').map((p) => p.toLowerCase());
    this.compact = this.cleanupPolicy.includes('compact');
    this.delete = this.cleanupPolicy.includes('delete');
    this.uncleanLeaderElectionEnable = bool('unclean.leader.election.enable');
    this.minInSyncReplicas = num('min.insync.replicas');
    this.compressionType = str('compression.type').toLowerCase();
    this.preallocate = bool('preallocate');
    this.messageFormatVersion = str('message.format.version');
    this.messageTimestampType = str('message.timestamp.type') as 'CreateTime' | 'LogAppendTime';
    this.messageTimestampDifferenceMaxMs = num('message.timestamp.difference.max.ms');
    this.leaderReplicationThrottledReplicas = list('leader.replication.throttled.replicas');
    this.followerReplicationThrottledReplicas = list('follower.replication.throttled.replicas');
    this.messageDownConversionEnable = bool('message.downconversion.enable');
    // Kafka's LogConfig.validateValues: the one cross-key rule.
    if (this.compactionLagMs > this.maxCompactionLagMs) {
      throw new ConfigError(
        'min.compaction.lag.ms',
        this.compactionLagMs,
        `conflict topic config setting min.compaction.lag.ms (${this.compactionLagMs}) > max.compaction.lag.ms (${configString(this.maxCompactionLagMs)})`,
      );
    }
  }

  /** Kafka's LogConfig.fromProps: topic defaults (from the broker) layered with topic overrides. */
  static fromProps(defaults: ConfigInput, overrides: ConfigInput = {}): LogConfig {
    const merged = new Map<string, ConfigInputValue>(entriesOf(defaults));
    const overridden: string[] = [];
    for (const [name, value] of entriesOf(overrides)) {
      if (value === undefined || value === null) continue;
      merged.set(name, value);
      overridden.push(name);
    }
    return new LogConfig(merged, overridden);
  }

  /** Kafka's LogConfig.validate (AlterConfigs, CreateTopics): names known, values valid, keys consistent. */
  static validate(overrides: ConfigInput): void {
    for (const [name] of entriesOf(overrides)) {
      if (!KEYS_BY_NAME.has(name)) throw new ConfigError(name, name, `Unknown topic config name: ${name}`);
    }
    void new LogConfig(overrides);
  }

  static isTopicConfig(name: string): boolean {
    return KEYS_BY_NAME.has(name);
  }

  static configType(name: string): ConfigType | undefined {
    return KEYS_BY_NAME.get(name)?.type;
  }

  /** A config with these overrides layered on this one (the current ones stay overridden). */
  withOverrides(overrides: ConfigInput): LogConfig {
    const merged = new Map<string, ConfigInputValue>(this.values);
    const overridden = new Set(this.overriddenConfigs);
    for (const [name, value] of entriesOf(overrides)) {
      if (value === undefined || value === null) continue;
      merged.set(name, value);
      overridden.add(name);
    }
    return new LogConfig(merged, overridden);
  }

  get(name: string): ConfigValue {
    const value = this.values.get(name);
    if (value === undefined) throw new ConfigError(name, name, `Unknown topic config name: ${name}`);
    return value;
  }

  /** The value as Kafka prints it (DescribeConfigs): lists comma-joined, Long.MAX exact. */
  valueString(name: string): string {
    return configString(this.get(name));
  }

  /** Every topic config as Kafka prints it, in definition order. */
  toStringMap(): Map<string, string> {
    return new Map(TOPIC_CONFIG_KEYS.map((k) => [k.name, this.valueString(k.name)]));
  }

  /** segment.ms used for rolling: compacted topics roll by max.compaction.lag.ms too. */
  get maxSegmentMs(): number {
    return this.compact && this.maxCompactionLagMs > 0 ? Math.min(this.maxCompactionLagMs, this.segmentMs) : this.segmentMs;
  }

  /** Size a new .log is preallocated to (preallocate=true) or 0. */
  get initFileSize(): number {
    return this.preallocate ? this.segmentSize : 0;
  }

  /** Kafka's randomSegmentJitter: fixed per segment, in [0, min(segment.jitter.ms, segment.ms)). */
  randomSegmentJitter(): number {
    if (this.segmentJitterMs === 0) return 0;
    return Math.floor(Math.random() * Math.min(this.segmentJitterMs, this.segmentMs));
  }

  /** The record format message.format.version implies (Kafka's recordVersion): 0, 1 or 2. */
  get messageFormatRecordVersion(): 0 | 1 | 2 {
    const [major, minor] = apiVersionKey(this.messageFormatVersion).replace(/-IV\d+$/, '').split('.').map(Number);
    if (major === 0 && (minor ?? 0) < 10) return 0;
    if (major === 0 && (minor ?? 0) < 11) return 1;
    return 2;
  }
}

function configString(value: ConfigValue): string {
  if (Array.isArray(value)) return (value as readonly string[]).join(',');
  if (typeof value === 'number' && value >= LONG_MAX_VALUE) return LONG_MAX_STRING;
  return String(value);
}

interface BrokerKey {
  name: string;
  type: ConfigType;
  defaultValue: ConfigValue | null;
  validator?: Validator;
}

const bkey = (name: string, type: ConfigType, defaultValue: ConfigValue | null, validator?: Validator): BrokerKey => ({
  name,
  type,
  defaultValue,
  validator,
});

/** The broker settings (KafkaConfig) that feed topic defaults, with their 2.8 defaults and validators. */
const BROKER_KEYS: readonly BrokerKey[] = [
  bkey('log.segment.bytes', 'int', 1073741824, atLeast(14)),
  bkey('log.roll.ms', 'long', null),
  bkey('log.roll.hours', 'int', 168, atLeast(1)),
  bkey('log.roll.jitter.ms', 'long', null),
  bkey('log.roll.jitter.hours', 'int', 0, atLeast(0)),
  bkey('log.index.size.max.bytes', 'int', 10485760, atLeast(4)),
  bkey('log.flush.interval.messages', 'long', LONG_MAX_VALUE, atLeast(1)),
  bkey('log.flush.interval.ms', 'long', null),
  bkey('log.flush.scheduler.interval.ms', 'long', LONG_MAX_VALUE),
  bkey('log.retention.bytes', 'long', -1),
  bkey('log.retention.ms', 'long', null),
  bkey('log.retention.minutes', 'int', null),
  bkey('log.retention.hours', 'int', 168),
  bkey('message.max.bytes', 'int', 1048588, atLeast(0)),
  bkey('log.index.interval.bytes', 'int', 4096, atLeast(0)),
  bkey('log.cleaner.delete.retention.ms', 'long', 86400000),
  bkey('log.cleaner.min.compaction.lag.ms', 'long', 0),
  bkey('log.cleaner.max.compaction.lag.ms', 'long', LONG_MAX_VALUE, atLeast(1)),
  bkey('log.segment.delete.delay.ms', 'long', 60000, atLeast(0)),
  bkey('log.cleaner.min.cleanable.ratio', 'double', 0.5),
  bkey('log.cleanup.policy', 'list', ['delete'], validList('compact', 'delete')),
  bkey('min.insync.replicas', 'int', 1, atLeast(1)),
  bkey('compression.type', 'string', 'producer', validString('uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer')),
  bkey('unclean.leader.election.enable', 'boolean', false),
  bkey('log.preallocate', 'boolean', false),
  bkey('log.message.format.version', 'string', '2.8-IV1', apiVersion),
  bkey('log.message.timestamp.type', 'string', 'CreateTime', validString('CreateTime', 'LogAppendTime')),
  bkey('log.message.timestamp.difference.max.ms', 'long', LONG_MAX_VALUE),
  bkey('log.message.downconversion.enable', 'boolean', true),
];

/**
 * Topic-level defaults from the broker's settings (Kafka's KafkaServer.copyKafkaConfigToLog),
 * including the precedence rules: log.roll.ms over log.roll.hours, log.retention.ms over
 * .minutes over .hours (negative means -1, forever), log.flush.interval.ms over
 * log.flush.scheduler.interval.ms. Unrelated broker keys are ignored.
 */
export function brokerLogDefaults(brokerProps: ConfigInput = {}): Record<string, ConfigValue> {
  const given = new Map(entriesOf(brokerProps).filter(([, v]) => v !== undefined && v !== null) as [string, ConfigValue][]);
  const get = (name: string): ConfigValue | null => {
    const def = BROKER_KEYS.find((k) => k.name === name);
    if (!def) throw new Error(`unknown broker log key ${name}`);
    const raw = given.get(name);
    if (raw === undefined) return def.defaultValue;
    const value = parseConfigValue(name, def.type, raw);
    const problem = def.validator?.(value);
    if (problem) throw new ConfigError(name, raw, problem);
    return value;
  };
  const num = (name: string): number | null => get(name) as number | null;
  const HOUR = 3600000;
  const retentionMinutes = num('log.retention.minutes');
  const retentionMs =
    num('log.retention.ms') ?? (retentionMinutes !== null ? retentionMinutes * 60000 : (num('log.retention.hours') as number) * HOUR);
  return {
    'segment.bytes': num('log.segment.bytes') as number,
    'segment.ms': num('log.roll.ms') ?? (num('log.roll.hours') as number) * HOUR,
    'segment.jitter.ms': num('log.roll.jitter.ms') ?? (num('log.roll.jitter.hours') as number) * HOUR,
    'segment.index.bytes': num('log.index.size.max.bytes') as number,
    'flush.messages': num('log.flush.interval.messages') as number,
    'flush.ms': num('log.flush.interval.ms') ?? (num('log.flush.scheduler.interval.ms') as number),
    'retention.bytes': num('log.retention.bytes') as number,
    'retention.ms': retentionMs < 0 ? -1 : retentionMs,
    'max.message.bytes': num('message.max.bytes') as number,
    'index.interval.bytes': num('log.index.interval.bytes') as number,
    'delete.retention.ms': num('log.cleaner.delete.retention.ms') as number,
    'min.compaction.lag.ms': num('log.cleaner.min.compaction.lag.ms') as number,
    'max.compaction.lag.ms': num('log.cleaner.max.compaction.lag.ms') as number,
    'file.delete.delay.ms': num('log.segment.delete.delay.ms') as number,
    'min.cleanable.dirty.ratio': num('log.cleaner.min.cleanable.ratio') as number,
    'cleanup.policy': get('log.cleanup.policy') as readonly string[],
    'min.insync.replicas': num('min.insync.replicas') as number,
    'compression.type': get('compression.type') as string,
    'unclean.leader.election.enable': get('unclean.leader.election.enable') as boolean,
    preallocate: get('log.preallocate') as boolean,
    'message.format.version': get('log.message.format.version') as string,
    'message.timestamp.type': get('log.message.timestamp.type') as string,
    'message.timestamp.difference.max.ms': num('log.message.timestamp.difference.max.ms') as number,
    'message.downconversion.enable': get('log.message.downconversion.enable') as boolean,
  };
}
