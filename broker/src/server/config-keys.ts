/**
 * Kafka 2.8's broker configuration keys (KafkaConfig.configDef, ZooKeeper mode) with their types,
 * 2.8.2 defaults (KafkaConfig.Defaults) and validators. `null` default = "null" in Kafka (the key is
 * optional); `required` = no default at all (Kafka's NO_DEFAULT_VALUE).
 */
import { LONG_MAX_VALUE } from '../log/log-config';

export type BrokerConfigType = 'int' | 'short' | 'long' | 'double' | 'boolean' | 'string' | 'list' | 'password' | 'class';
export type BrokerConfigValue = number | boolean | string | readonly string[];
/** Returns Kafka's reason text when the value is invalid, else null. */
export type BrokerValidator = (value: BrokerConfigValue) => string | null;

export interface BrokerConfigKey {
  readonly name: string;
  readonly type: BrokerConfigType;
  readonly defaultValue: BrokerConfigValue | null;
  readonly required?: boolean;
  readonly validator?: BrokerValidator;
}

export const INT_MAX = 2147483647;
const DOUBLE_MAX = Number.MAX_VALUE;

export const atLeast = (min: number): BrokerValidator => (v) =>
  typeof v === 'number' && v < min ? `Value must be at least ${min}` : null;
export const between = (min: number, max: number): BrokerValidator => (v) =>
  typeof v !== 'number' ? null : v < min ? `Value must be at least ${min}` : v > max ? `Value must be no more than ${max}` : null;
export const oneOf = (...allowed: string[]): BrokerValidator => (v) =>
  typeof v === 'string' && !allowed.includes(v) ? `String must be one of: ${allowed.join(', ')}` : null;
const listOf = (...allowed: string[]): BrokerValidator => (v) => {
  if (!Array.isArray(v)) return null;
  const bad = (v as readonly string[]).find((s) => !allowed.includes(s));
  return bad === undefined ? null : `Invalid value ${bad} for configuration: String must be one of: ${allowed.join(', ')}`;
};
const API_VERSION = /^(0\.8\.[0-2]|0\.9\.0|0\.10\.[0-2]|0\.11\.0|1\.[01]|2\.[0-8])(\.\d+)?(-IV\d)?$/;
const apiVersion: BrokerValidator = (v) =>
  typeof v === 'string' && !API_VERSION.test(v) ? `Version \`${v}\` is not a valid version` : null;

export const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;

const k = (
  name: string,
  type: BrokerConfigType,
  defaultValue: BrokerConfigValue | null,
  validator?: BrokerValidator,
): BrokerConfigKey => ({ name, type, defaultValue, validator });

export const BROKER_CONFIG_KEYS: readonly BrokerConfigKey[] = [
  // ZooKeeper
  { name: 'zookeeper.connect', type: 'string', defaultValue: null, required: true },
  k('zookeeper.session.timeout.ms', 'int', 18000),
  k('zookeeper.connection.timeout.ms', 'int', null),
  k('zookeeper.set.acl', 'boolean', false),
  k('zookeeper.max.in.flight.requests', 'int', 10, atLeast(1)),
  k('zookeeper.clientCnxnSocket', 'string', null),
  k('zookeeper.ssl.client.enable', 'boolean', false),
  k('zookeeper.ssl.keystore.location', 'string', null),
  k('zookeeper.ssl.keystore.password', 'password', null),
  k('zookeeper.ssl.keystore.type', 'string', null),
  k('zookeeper.ssl.truststore.location', 'string', null),
  k('zookeeper.ssl.truststore.password', 'password', null),
  k('zookeeper.ssl.truststore.type', 'string', null),
  k('zookeeper.ssl.protocol', 'string', 'TLSv1.2'),
  k('zookeeper.ssl.enabled.protocols', 'list', null),
  k('zookeeper.ssl.cipher.suites', 'list', null),
  k('zookeeper.ssl.endpoint.identification.algorithm', 'string', 'HTTPS'),
  k('zookeeper.ssl.crl.enable', 'boolean', false),
  k('zookeeper.ssl.ocsp.enable', 'boolean', false),
  // General
  k('broker.id.generation.enable', 'boolean', true),
  k('reserved.broker.max.id', 'int', 1000, atLeast(0)),
  k('broker.id', 'int', -1),
  k('message.max.bytes', 'int', 1048588, atLeast(0)),
  k('num.network.threads', 'int', 3, atLeast(1)),
  k('num.io.threads', 'int', 8, atLeast(1)),
  k('background.threads', 'int', 10, atLeast(1)),
  k('queued.max.requests', 'int', 500, atLeast(1)),
  k('queued.max.request.bytes', 'long', -1),
  k('request.timeout.ms', 'int', 30000),
  k('connection.setup.timeout.ms', 'long', 10000),
  k('connection.setup.timeout.max.ms', 'long', 30000),
  k('authorizer.class.name', 'string', ''),
  k('super.users', 'string', null),
  k('allow.everyone.if.no.acl.found', 'boolean', false),
  // KRaft preview keys present in 2.8 (unused in ZooKeeper mode)
  k('process.roles', 'list', [], listOf('broker', 'controller')),
  k('node.id', 'int', -1),
  k('controller.listener.names', 'string', null),
  k('controller.quorum.voters', 'list', []),
  k('metadata.log.dir', 'string', null),
  // Socket server
  k('port', 'int', 9092),
  k('host.name', 'string', ''),
  k('listeners', 'string', null),
  k('advertised.host.name', 'string', null),
  k('advertised.port', 'int', null),
  k('advertised.listeners', 'string', null),
  k('listener.security.protocol.map', 'string', 'PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL'),
  k('control.plane.listener.name', 'string', null),
  k('socket.send.buffer.bytes', 'int', 102400),
  k('socket.receive.buffer.bytes', 'int', 102400),
  k('socket.request.max.bytes', 'int', 104857600, atLeast(1)),
  k('max.connections.per.ip', 'int', INT_MAX, atLeast(0)),
  k('max.connections.per.ip.overrides', 'string', ''),
  k('max.connections', 'int', INT_MAX, atLeast(0)),
  k('max.connection.creation.rate', 'int', INT_MAX, atLeast(0)),
  k('connections.max.idle.ms', 'long', 600000),
  k('connection.failed.authentication.delay.ms', 'int', 100, atLeast(0)),
  // Rack
  k('broker.rack', 'string', null),
  // Log
  k('num.partitions', 'int', 1, atLeast(1)),
  k('log.dir', 'string', '/tmp/kafka-logs'),
  k('log.dirs', 'string', null),
  k('log.segment.bytes', 'int', 1073741824, atLeast(14)),
  k('log.roll.ms', 'long', null),
  k('log.roll.hours', 'int', 168, atLeast(1)),
  k('log.roll.jitter.ms', 'long', null),
  k('log.roll.jitter.hours', 'int', 0, atLeast(0)),
  k('log.retention.ms', 'long', null),
  k('log.retention.minutes', 'int', null),
  k('log.retention.hours', 'int', 168),
  k('log.retention.bytes', 'long', -1),
  k('log.retention.check.interval.ms', 'long', 300000, atLeast(1)),
  k('log.cleanup.policy', 'list', ['delete'], listOf('compact', 'delete')),
  k('log.cleaner.threads', 'int', 1, atLeast(0)),
  k('log.cleaner.io.max.bytes.per.second', 'double', DOUBLE_MAX),
  k('log.cleaner.dedupe.buffer.size', 'long', 134217728),
  k('log.cleaner.io.buffer.size', 'int', 524288, atLeast(0)),
  k('log.cleaner.io.buffer.load.factor', 'double', 0.9),
  k('log.cleaner.backoff.ms', 'long', 15000, atLeast(0)),
  k('log.cleaner.min.cleanable.ratio', 'double', 0.5),
  k('log.cleaner.enable', 'boolean', true),
  k('log.cleaner.delete.retention.ms', 'long', 86400000),
  k('log.cleaner.min.compaction.lag.ms', 'long', 0),
  k('log.cleaner.max.compaction.lag.ms', 'long', LONG_MAX_VALUE, atLeast(1)),
  k('log.index.size.max.bytes', 'int', 10485760, atLeast(4)),
  k('log.index.interval.bytes', 'int', 4096, atLeast(0)),
  k('log.flush.interval.messages', 'long', LONG_MAX_VALUE, atLeast(1)),
  k('log.segment.delete.delay.ms', 'long', 60000, atLeast(0)),
  k('log.flush.scheduler.interval.ms', 'long', LONG_MAX_VALUE),
  k('log.flush.interval.ms', 'long', null),
  k('log.flush.offset.checkpoint.interval.ms', 'int', 60000, atLeast(0)),
  k('log.flush.start.offset.checkpoint.interval.ms', 'int', 60000, atLeast(0)),
  k('log.preallocate', 'boolean', false),
  k('num.recovery.threads.per.data.dir', 'int', 1, atLeast(1)),
  k('auto.create.topics.enable', 'boolean', true),
  k('min.insync.replicas', 'int', 1, atLeast(1)),
  k('log.message.format.version', 'string', '2.8-IV1', apiVersion),
  k('log.message.timestamp.type', 'string', 'CreateTime', oneOf('CreateTime', 'LogAppendTime')),
  k('log.message.timestamp.difference.max.ms', 'long', LONG_MAX_VALUE),
  k('create.topic.policy.class.name', 'class', null),
  k('alter.config.policy.class.name', 'class', null),
  k('log.message.downconversion.enable', 'boolean', true),
  // Replication
  k('controller.socket.timeout.ms', 'int', 30000),
  k('default.replication.factor', 'int', 1),
  k('replica.lag.time.max.ms', 'long', 30000),
  k('replica.socket.timeout.ms', 'int', 30000),
  k('replica.socket.receive.buffer.bytes', 'int', 65536),
  k('replica.fetch.max.bytes', 'int', 1048576, atLeast(0)),
  k('replica.fetch.wait.max.ms', 'int', 500),
  k('replica.fetch.backoff.ms', 'int', 1000, atLeast(0)),
  k('replica.fetch.min.bytes', 'int', 1),
  k('replica.fetch.response.max.bytes', 'int', 10485760, atLeast(0)),
  k('num.replica.fetchers', 'int', 1),
  k('replica.high.watermark.checkpoint.interval.ms', 'long', 5000),
  k('fetch.purgatory.purge.interval.requests', 'int', 1000),
  k('producer.purgatory.purge.interval.requests', 'int', 1000),
  k('delete.records.purgatory.purge.interval.requests', 'int', 1),
  k('auto.leader.rebalance.enable', 'boolean', true),
  k('leader.imbalance.per.broker.percentage', 'int', 10),
  k('leader.imbalance.check.interval.seconds', 'long', 300),
  k('unclean.leader.election.enable', 'boolean', false),
  k('security.inter.broker.protocol', 'string', 'PLAINTEXT', oneOf(...SECURITY_PROTOCOLS)),
  k('inter.broker.listener.name', 'string', null),
  k('inter.broker.protocol.version', 'string', '2.8-IV1', apiVersion),
  k('replica.selector.class', 'string', null),
  k('num.replica.alter.log.dirs.threads', 'int', null),
  // Controlled shutdown
  k('controlled.shutdown.max.retries', 'int', 3),
  k('controlled.shutdown.retry.backoff.ms', 'long', 5000),
  k('controlled.shutdown.enable', 'boolean', true),
  // Group coordinator
  k('group.min.session.timeout.ms', 'int', 6000),
  k('group.max.session.timeout.ms', 'int', 1800000),
  k('group.initial.rebalance.delay.ms', 'int', 3000),
  k('group.max.size', 'int', INT_MAX, atLeast(1)),
  // Offset management
  k('offset.metadata.max.bytes', 'int', 4096),
  k('offsets.load.buffer.size', 'int', 5242880, atLeast(1)),
  k('offsets.topic.replication.factor', 'short', 3, atLeast(1)),
  k('offsets.topic.num.partitions', 'int', 50, atLeast(1)),
  k('offsets.topic.segment.bytes', 'int', 104857600, atLeast(1)),
  k('offsets.topic.compression.codec', 'int', 0),
  k('offsets.retention.minutes', 'int', 10080, atLeast(1)),
  k('offsets.retention.check.interval.ms', 'long', 600000, atLeast(1)),
  k('offsets.commit.timeout.ms', 'int', 5000, atLeast(1)),
  k('offsets.commit.required.acks', 'short', -1),
  k('delete.topic.enable', 'boolean', true),
  k('compression.type', 'string', 'producer', oneOf('uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer')),
  // Transactions
  k('transactional.id.expiration.ms', 'int', 604800000, atLeast(1)),
  k('transaction.max.timeout.ms', 'int', 900000, atLeast(1)),
  k('transaction.state.log.min.isr', 'int', 2, atLeast(1)),
  k('transaction.state.log.load.buffer.size', 'int', 5242880, atLeast(1)),
  k('transaction.state.log.replication.factor', 'short', 3, atLeast(1)),
  k('transaction.state.log.num.partitions', 'int', 50, atLeast(1)),
  k('transaction.state.log.segment.bytes', 'int', 104857600, atLeast(1)),
  k('transaction.abort.timed.out.transaction.cleanup.interval.ms', 'int', 10000, atLeast(1)),
  k('transaction.remove.expired.transaction.cleanup.interval.ms', 'int', 3600000, atLeast(1)),
  // Fetch sessions
  k('max.incremental.fetch.session.cache.slots', 'int', 1000, atLeast(0)),
  k('fetch.max.bytes', 'int', 57671680, atLeast(1024)),
  // Metrics
  k('metric.reporters', 'list', []),
  k('metrics.num.samples', 'int', 2, atLeast(1)),
  k('metrics.sample.window.ms', 'long', 30000, atLeast(1)),
  k('metrics.recording.level', 'string', 'INFO'),
  k('kafka.metrics.reporters', 'list', []),
  k('kafka.metrics.polling.interval.secs', 'int', 10, atLeast(1)),
  // Quotas
  k('quota.window.num', 'int', 11, atLeast(1)),
  k('replication.quota.window.num', 'int', 11, atLeast(1)),
  k('alter.log.dirs.replication.quota.window.num', 'int', 11, atLeast(1)),
  k('quota.window.size.seconds', 'int', 1, atLeast(1)),
  k('replication.quota.window.size.seconds', 'int', 1, atLeast(1)),
  k('alter.log.dirs.replication.quota.window.size.seconds', 'int', 1, atLeast(1)),
  k('client.quota.callback.class', 'class', null),
  // Security: principal, SSL, SASL, delegation tokens, password encoder
  k('principal.builder.class', 'class', null),
  k('connections.max.reauth.ms', 'long', 0),
  k('security.providers', 'string', null),
  k('ssl.protocol', 'string', 'TLSv1.3'),
  k('ssl.provider', 'string', null),
  k('ssl.cipher.suites', 'list', []),
  k('ssl.enabled.protocols', 'list', ['TLSv1.2', 'TLSv1.3']),
  k('ssl.keystore.type', 'string', 'JKS'),
  k('ssl.keystore.location', 'string', null),
  k('ssl.keystore.password', 'password', null),
  k('ssl.key.password', 'password', null),
  k('ssl.keystore.key', 'password', null),
  k('ssl.keystore.certificate.chain', 'password', null),
  k('ssl.truststore.type', 'string', 'JKS'),
  k('ssl.truststore.location', 'string', null),
  k('ssl.truststore.password', 'password', null),
  k('ssl.truststore.certificates', 'password', null),
  k('ssl.keymanager.algorithm', 'string', 'SunX509'),
  k('ssl.trustmanager.algorithm', 'string', 'PKIX'),
  k('ssl.endpoint.identification.algorithm', 'string', 'https'),
  k('ssl.secure.random.implementation', 'string', null),
  k('ssl.client.auth', 'string', 'none', oneOf('required', 'requested', 'none')),
  k('ssl.principal.mapping.rules', 'string', 'DEFAULT'),
  k('ssl.engine.factory.class', 'class', null),
  k('sasl.mechanism.inter.broker.protocol', 'string', 'GSSAPI'),
  k('sasl.jaas.config', 'password', null),
  k('sasl.enabled.mechanisms', 'list', ['GSSAPI']),
  k('sasl.server.callback.handler.class', 'class', null),
  k('sasl.client.callback.handler.class', 'class', null),
  k('sasl.login.class', 'class', null),
  k('sasl.login.callback.handler.class', 'class', null),
  k('sasl.kerberos.service.name', 'string', null),
  k('sasl.kerberos.kinit.cmd', 'string', '/usr/bin/kinit'),
  k('sasl.kerberos.ticket.renew.window.factor', 'double', 0.8),
  k('sasl.kerberos.ticket.renew.jitter', 'double', 0.05),
  k('sasl.kerberos.min.time.before.relogin', 'long', 60000),
  k('sasl.kerberos.principal.to.local.rules', 'list', ['DEFAULT']),
  k('sasl.login.refresh.window.factor', 'double', 0.8),
  k('sasl.login.refresh.window.jitter', 'double', 0.05),
  k('sasl.login.refresh.min.period.seconds', 'short', 60),
  k('sasl.login.refresh.buffer.seconds', 'short', 300),
  k('delegation.token.master.key', 'password', null),
  k('delegation.token.max.lifetime.ms', 'long', 604800000, atLeast(1)),
  k('delegation.token.expiry.time.ms', 'long', 86400000, atLeast(1)),
  k('delegation.token.expiry.check.interval.ms', 'long', 3600000, atLeast(1)),
  k('password.encoder.secret', 'password', null),
  k('password.encoder.old.secret', 'password', null),
  k('password.encoder.keyfactory.algorithm', 'string', null),
  k('password.encoder.cipher.algorithm', 'string', 'AES/CBC/PKCS5Padding'),
  k('password.encoder.key.length', 'int', 128, atLeast(8)),
  k('password.encoder.iterations', 'int', 4096, atLeast(1024)),
];

export const BROKER_KEYS_BY_NAME: ReadonlyMap<string, BrokerConfigKey> = new Map(BROKER_CONFIG_KEYS.map((key) => [key.name, key]));

/** Prefixes Kafka accepts as families of known keys (per-listener overrides). */
export const KNOWN_KEY_PREFIXES: readonly string[] = ['listener.name.'];

export function isKnownBrokerConfig(name: string): boolean {
  return BROKER_KEYS_BY_NAME.has(name) || KNOWN_KEY_PREFIXES.some((p) => name.startsWith(p));
}
