/**
 * What Kafka 2.8's DynamicBrokerConfig knows about broker configs set in ZooKeeper
 * (/config/brokers/<id> and /config/brokers/<default>): which keys may be changed at run time, which
 * only per broker, their types, the broker synonyms of each topic config (LogConfig.TopicConfigSynonyms)
 * and of each broker config (DynamicBrokerConfig.brokerConfigSynonyms), and the validation AlterConfigs
 * runs before persisting (validateConfigs + the reconfiguration checks this broker can apply).
 */
import { brokerLogDefaults, parseConfigValue, type ConfigType } from '../log/log-config';
import { ConfigError } from '../log/log-config';
import { ConfigException } from './errors';

/** LogConfig.TopicConfigSynonyms: topic config -> the broker config that supplies its default. */
export const TOPIC_CONFIG_SYNONYMS: ReadonlyMap<string, string> = new Map([
  ['segment.bytes', 'log.segment.bytes'],
  ['segment.ms', 'log.roll.ms'],
  ['segment.jitter.ms', 'log.roll.jitter.ms'],
  ['segment.index.bytes', 'log.index.size.max.bytes'],
  ['flush.messages', 'log.flush.interval.messages'],
  ['flush.ms', 'log.flush.interval.ms'],
  ['retention.bytes', 'log.retention.bytes'],
  ['retention.ms', 'log.retention.ms'],
  ['max.message.bytes', 'message.max.bytes'],
  ['index.interval.bytes', 'log.index.interval.bytes'],
  ['delete.retention.ms', 'log.cleaner.delete.retention.ms'],
  ['min.compaction.lag.ms', 'log.cleaner.min.compaction.lag.ms'],
  ['max.compaction.lag.ms', 'log.cleaner.max.compaction.lag.ms'],
  ['file.delete.delay.ms', 'log.segment.delete.delay.ms'],
  ['min.cleanable.dirty.ratio', 'log.cleaner.min.cleanable.ratio'],
  ['cleanup.policy', 'log.cleanup.policy'],
  ['unclean.leader.election.enable', 'unclean.leader.election.enable'],
  ['min.insync.replicas', 'min.insync.replicas'],
  ['compression.type', 'compression.type'],
  ['preallocate', 'log.preallocate'],
  ['message.format.version', 'log.message.format.version'],
  ['message.timestamp.type', 'log.message.timestamp.type'],
  ['message.timestamp.difference.max.ms', 'log.message.timestamp.difference.max.ms'],
  ['message.downconversion.enable', 'log.message.downconversion.enable'],
]);

const LISTENER_CONFIG = /^listener\.name\.[^.]*\.(.*)$/;

/** DynamicBrokerConfig.brokerConfigSynonyms (matchListenerOverride = true), highest precedence first. */
export function brokerConfigSynonyms(name: string): string[] {
  switch (name) {
    case 'log.roll.ms':
    case 'log.roll.hours':
      return ['log.roll.ms', 'log.roll.hours'];
    case 'log.roll.jitter.ms':
    case 'log.roll.jitter.hours':
      return ['log.roll.jitter.ms', 'log.roll.jitter.hours'];
    case 'log.flush.interval.ms':
      return ['log.flush.interval.ms', 'log.flush.scheduler.interval.ms'];
    case 'log.retention.ms':
    case 'log.retention.minutes':
    case 'log.retention.hours':
      return ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'];
    default: {
      const m = LISTENER_CONFIG.exec(name);
      // listener.name.<l>.sasl.jaas.config style keys have the mechanism in them too; the base name is the rest
      return m === null ? [name] : [name, m[1] as string];
    }
  }
}

type DynamicType = ConfigType | 'password';

const t = (type: DynamicType, ...names: string[]): [string, DynamicType][] => names.map((n) => [n, type]);

/** DynamicLogConfig.ReconfigurableConfigs: every topic synonym except log.message.format.version. */
const LOG_CONFIGS: [string, DynamicType][] = [
  ...t('int', 'log.segment.bytes', 'log.index.size.max.bytes', 'message.max.bytes', 'log.index.interval.bytes', 'min.insync.replicas'),
  ...t(
    'long',
    'log.roll.ms',
    'log.roll.jitter.ms',
    'log.flush.interval.messages',
    'log.flush.interval.ms',
    'log.retention.bytes',
    'log.retention.ms',
    'log.cleaner.delete.retention.ms',
    'log.cleaner.min.compaction.lag.ms',
    'log.cleaner.max.compaction.lag.ms',
    'log.segment.delete.delay.ms',
    'log.message.timestamp.difference.max.ms',
  ),
  ...t('double', 'log.cleaner.min.cleanable.ratio'),
  ...t('list', 'log.cleanup.policy'),
  ...t('boolean', 'unclean.leader.election.enable', 'log.preallocate', 'log.message.downconversion.enable'),
  ...t('string', 'compression.type', 'log.message.timestamp.type'),
];

/** The keys (DynamicThreadPool) whose changes Kafka bounds to [half, double] of the current value. */
export const THREAD_POOL_CONFIGS: readonly string[] = [
  'num.io.threads',
  'num.network.threads',
  'num.replica.fetchers',
  'num.recovery.threads.per.data.dir',
  'background.threads',
];

/** SslConfigs.RECONFIGURABLE_CONFIGS and the SASL keys: per listener (prefixed) and per broker only. */
const SECURITY_CONFIGS: [string, DynamicType][] = [
  ...t('string', 'ssl.keystore.type', 'ssl.keystore.location', 'ssl.truststore.type', 'ssl.truststore.location'),
  ...t('password', 'ssl.keystore.password', 'ssl.key.password', 'ssl.truststore.password', 'ssl.keystore.key', 'ssl.keystore.certificate.chain', 'ssl.truststore.certificates', 'sasl.jaas.config'),
  ...t('list', 'sasl.enabled.mechanisms'),
];

/** DynamicListenerConfig: per broker only. */
const LISTENER_CONFIGS: [string, DynamicType][] = t('string', 'listeners', 'advertised.listeners', 'listener.security.protocol.map');

/** DynamicBrokerConfig.AllDynamicConfigs with each key's type. */
export const DYNAMIC_BROKER_CONFIGS: ReadonlyMap<string, DynamicType> = new Map<string, DynamicType>([
  ...LOG_CONFIGS,
  ...t('int', 'log.cleaner.threads', 'log.cleaner.io.buffer.size'),
  ...t('long', 'log.cleaner.dedupe.buffer.size', 'log.cleaner.backoff.ms'),
  ...t('double', 'log.cleaner.io.buffer.load.factor', 'log.cleaner.io.max.bytes.per.second'),
  ...t('int', ...THREAD_POOL_CONFIGS),
  ...t('long', 'leader.replication.throttled.rate', 'follower.replication.throttled.rate', 'replica.alter.log.dirs.io.max.bytes.per.second'),
  ...t('int', 'max.connections.per.ip', 'max.connections', 'max.connection.creation.rate'),
  ...t('string', 'max.connections.per.ip.overrides'),
  ...t('list', 'metric.reporters'),
  ...SECURITY_CONFIGS,
  ...LISTENER_CONFIGS,
]);

const SECURITY_NAMES = new Set(SECURITY_CONFIGS.map(([n]) => n));
const PER_BROKER_NAMES = new Set([...SECURITY_NAMES, ...LISTENER_CONFIGS.map(([n]) => n)]);

/** The base name of a listener-prefixed key (`listener.name.internal.ssl.keystore.location` -> `ssl.keystore.location`). */
function baseName(name: string): string {
  const m = LISTENER_CONFIG.exec(name);
  return m === null ? name : (m[1] as string);
}

export function isDynamicBrokerConfig(name: string): boolean {
  return DYNAMIC_BROKER_CONFIGS.has(name) || (LISTENER_CONFIG.test(name) && DYNAMIC_BROKER_CONFIGS.has(baseName(name)));
}

/** The ConfigDef type of a dynamic key (listener prefixes resolved), or undefined. */
export function dynamicConfigType(name: string): DynamicType | undefined {
  return DYNAMIC_BROKER_CONFIGS.get(baseName(name));
}

export function isPasswordConfig(name: string): boolean {
  return dynamicConfigType(name) === 'password';
}

/** Scala's Set.toString, as Kafka's messages print sets of names. */
function scalaSet(names: readonly string[]): string {
  return `Set(${names.join(', ')})`;
}

export interface DynamicValidationContext {
  /** Every config name the broker knows (KafkaConfig.configNames). */
  readonly knownBrokerConfigs: ReadonlySet<string>;
  /** The broker's effective config before the change (for the thread-pool bounds and log checks). */
  readonly current: ReadonlyMap<string, string>;
}

/**
 * DynamicBrokerConfig.validate: no static-only keys, security keys only listener-prefixed, types,
 * per-broker-only keys not at the default level, passwords not storable (no password.encoder.secret),
 * then the reconfiguration checks on the merged config. Throws ConfigException with Kafka's message.
 * `merged` is the effective config the change would produce.
 */
export function validateDynamicBrokerConfig(
  props: ReadonlyMap<string, string>,
  perBrokerConfig: boolean,
  merged: ReadonlyMap<string, string>,
  ctx: DynamicValidationContext,
): void {
  const names = [...props.keys()];
  const nonDynamic = names.filter((n) => ctx.knownBrokerConfigs.has(n) && !isDynamicBrokerConfig(n));
  if (nonDynamic.length > 0) throw new ConfigException(`Cannot update these configs dynamically: ${scalaSet(nonDynamic)}`);
  const unprefixedSecurity = names.filter((n) => SECURITY_NAMES.has(n));
  if (unprefixedSecurity.length > 0) {
    throw new ConfigException(`These security configs can be dynamically updated only per-listener using the listener prefix: ${scalaSet(unprefixedSecurity)}`);
  }
  for (const [name, value] of props) {
    const type = dynamicConfigType(name);
    if (type === undefined || type === 'password') continue;
    try {
      parseConfigValue(name, type, value);
    } catch (err) {
      if (err instanceof ConfigError) throw new ConfigException(err.message);
      throw err;
    }
  }
  if (!perBrokerConfig) {
    const perBroker = names.filter((n) => PER_BROKER_NAMES.has(baseName(n)));
    if (perBroker.length > 0) {
      throw new ConfigException(`Cannot update these configs at default cluster level, broker id must be specified: ${scalaSet(perBroker)}`);
    }
  }
  // DynamicBrokerConfig.toPersistentProps: passwords are stored encoded with password.encoder.secret,
  // which this broker does not support.
  for (const name of names) {
    if (isPasswordConfig(name)) {
      throw new ConfigException(perBrokerConfig ? 'Password encoder secret not configured' : 'Password config can be defined only at broker level');
    }
  }
  for (const name of THREAD_POOL_CONFIGS) {
    const next = merged.get(name);
    const prev = ctx.current.get(name);
    if (next === undefined || prev === undefined || next === prev) continue;
    const newValue = Number(next);
    const oldValue = Number(prev);
    const msg = `Dynamic thread count update validation failed for ${name}=${next}`;
    if (newValue <= 0) throw new ConfigException(`${msg}, value should be at least 1`);
    if (newValue < Math.trunc(oldValue / 2)) throw new ConfigException(`${msg}, value should be at least half the current value ${oldValue}`);
    if (newValue > oldValue * 2) throw new ConfigException(`${msg}, value should not be greater than double the current value ${oldValue}`);
  }
  // A new KafkaConfig is built from the merged props: the log defaults must still be valid.
  try {
    brokerLogDefaults(merged);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigException(err.message);
    throw err;
  }
}

/**
 * The effective broker config as DynamicBrokerConfig layers it: static props, then the dynamic
 * cluster default, then this broker's dynamic config; only dynamic keys (and custom keys the broker
 * does not know) are taken from ZooKeeper.
 */
export function layerBrokerConfigs(
  staticProps: ReadonlyMap<string, string>,
  dynamicDefault: ReadonlyMap<string, string>,
  dynamicBroker: ReadonlyMap<string, string>,
): Map<string, string> {
  const out = new Map(staticProps);
  for (const layer of [dynamicDefault, dynamicBroker]) {
    for (const [k, v] of layer) {
      if (!isDynamicBrokerConfig(k)) continue;
      // overrideProps: drop k's synonyms first so precedence follows the layer (log.retention.ms over .hours)
      if (!LISTENER_CONFIG.test(k)) for (const synonym of brokerConfigSynonyms(k)) out.delete(synonym);
      out.set(k, v);
    }
  }
  return out;
}
