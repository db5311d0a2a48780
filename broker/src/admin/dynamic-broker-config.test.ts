import {
  brokerConfigSynonyms,
  isDynamicBrokerConfig,
  layerBrokerConfigs,
  TOPIC_CONFIG_SYNONYMS,
  validateDynamicBrokerConfig,
} from './dynamic-broker-config';
import { TOPIC_CONFIG_KEYS } from '../log/log-config';

const known = new Set(['num.partitions', 'log.retention.hours', 'log.retention.ms', 'num.io.threads', 'listeners', 'log.segment.bytes']);
const ctx = { knownBrokerConfigs: known, current: new Map([['num.io.threads', '8']]) };

function validate(props: Record<string, string>, perBroker = true): string | null {
  const map = new Map(Object.entries(props));
  try {
    validateDynamicBrokerConfig(map, perBroker, layerBrokerConfigs(new Map(), new Map(), map), ctx);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

describe('DynamicBrokerConfig rules', () => {
  test('every topic config but the throttled-replica lists has a broker synonym (LogConfig.TopicConfigSynonyms)', () => {
    const withoutSynonym = TOPIC_CONFIG_KEYS.map((k) => k.name).filter((n) => !TOPIC_CONFIG_SYNONYMS.has(n));
    expect(withoutSynonym).toEqual(['leader.replication.throttled.replicas', 'follower.replication.throttled.replicas']);
  });

  test('brokerConfigSynonyms lists the retention / roll / flush families highest precedence first', () => {
    expect(brokerConfigSynonyms('log.retention.hours')).toEqual(['log.retention.ms', 'log.retention.minutes', 'log.retention.hours']);
    expect(brokerConfigSynonyms('log.roll.ms')).toEqual(['log.roll.ms', 'log.roll.hours']);
    expect(brokerConfigSynonyms('log.flush.interval.ms')).toEqual(['log.flush.interval.ms', 'log.flush.scheduler.interval.ms']);
    expect(brokerConfigSynonyms('message.max.bytes')).toEqual(['message.max.bytes']);
  });

  test('only the ms forms of log retention / roll are dynamic (hours are not, as in Kafka)', () => {
    expect(isDynamicBrokerConfig('log.retention.ms')).toBe(true);
    expect(isDynamicBrokerConfig('log.retention.hours')).toBe(false);
    expect(isDynamicBrokerConfig('log.message.format.version')).toBe(false);
    expect(isDynamicBrokerConfig('listener.name.internal.ssl.keystore.location')).toBe(true);
  });

  test('validation messages are Kafka\'s ConfigException texts', () => {
    expect(validate({ 'num.partitions': '3', 'log.retention.hours': '1' })).toBe('Cannot update these configs dynamically: Set(num.partitions, log.retention.hours)');
    expect(validate({ 'ssl.keystore.location': '/x' })).toBe(
      'These security configs can be dynamically updated only per-listener using the listener prefix: Set(ssl.keystore.location)',
    );
    expect(validate({ 'log.retention.ms': 'soon' })).toBe('Invalid value soon for configuration log.retention.ms: Not a number of type LONG');
    expect(validate({ listeners: 'PLAINTEXT://:9093' }, false)).toBe('Cannot update these configs at default cluster level, broker id must be specified: Set(listeners)');
    expect(validate({ 'num.io.threads': '3' })).toBe('Dynamic thread count update validation failed for num.io.threads=3, value should be at least half the current value 8');
    expect(validate({ 'log.segment.bytes': '10' })).toBe('Invalid value 10 for configuration log.segment.bytes: Value must be at least 14');
    expect(validate({ 'log.retention.ms': '1000', 'my.custom.key': 'x' })).toBeNull();
  });

  test('layering: dynamic default over static, per-broker over default, synonyms of a dynamic key dropped', () => {
    const merged = layerBrokerConfigs(
      new Map([['log.retention.hours', '24'], ['log.segment.bytes', '100000']]),
      new Map([['log.retention.ms', '1000'], ['log.segment.bytes', '200000'], ['num.partitions', '9']]),
      new Map([['log.segment.bytes', '300000']]),
    );
    expect(Object.fromEntries(merged)).toEqual({ 'log.retention.ms': '1000', 'log.segment.bytes': '300000' });
  });
});
