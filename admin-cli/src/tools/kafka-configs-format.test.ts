import { alterCompleted, describeHeading, formatConfigEntry, parseConfigsToBeAdded, parseConfigsToBeDeleted, validateTopicName } from './kafka-configs-format';
import { configCommand } from './kafka-configs';

describe('ConfigCommand --add-config / --delete-config parsing', () => {
  test('commas inside [..] belong to the value and the brackets are dropped', () => {
    expect(parseConfigsToBeAdded('retention.ms=1000,cleanup.policy=[compact,delete], segment.ms = 5')).toEqual([
      ['retention.ms', '1000'],
      ['cleanup.policy', 'compact,delete'],
      ['segment.ms', '5'],
    ]);
  });

  test('an entry without key=val is refused in Kafka words', () => {
    expect(() => parseConfigsToBeAdded('retention.ms')).toThrow('Invalid entity config: all configs to be added must be in the format "key=val".');
  });

  test('delete-config takes comma-separated keys, repeated or not', () => {
    expect(parseConfigsToBeDeleted(['a, b', 'c'])).toEqual(['a', 'b', 'c']);
  });
});

describe('ConfigCommand output lines', () => {
  test('describe headings: Dynamic/All configs for topic|broker, Default configs for brokers', () => {
    expect(describeHeading('topics', 'orders', false)).toBe('Dynamic configs for topic orders are:');
    expect(describeHeading('brokers', '1', true)).toBe('All configs for broker 1 are:');
    expect(describeHeading('brokers', '', false)).toBe('Default configs for brokers in the cluster are:');
  });

  test('a config line names each synonym with its source', () => {
    expect(
      formatConfigEntry({
        name: 'retention.ms',
        value: '1000',
        isSensitive: false,
        synonyms: [
          { name: 'retention.ms', value: '1000', source: 1 },
          { name: 'log.retention.hours', value: '168', source: 5 },
        ],
      }),
    ).toBe('  retention.ms=1000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=1000, DEFAULT_CONFIG:log.retention.hours=168}');
    expect(formatConfigEntry({ name: 'ssl.key.password', value: null, isSensitive: true, synonyms: [{ name: 'ssl.key.password', value: null, source: 2 }] })).toBe(
      '  ssl.key.password=null sensitive=true synonyms={DYNAMIC_BROKER_CONFIG:ssl.key.password=null}',
    );
  });

  test('alter completion lines for a topic, a broker and the broker default', () => {
    expect(alterCompleted('topics', 'orders')).toBe('Completed updating config for topic orders.');
    expect(alterCompleted('brokers', '1')).toBe('Completed updating config for broker 1.');
    expect(alterCompleted('brokers', '')).toBe('Completed updating default config for brokers in the cluster.');
  });

  test('topic names are validated as Topic.validate does', () => {
    expect(() => validateTopicName('bad name')).toThrow('Topic name "bad name" is illegal, it contains a character other than ASCII alphanumerics');
    expect(() => validateTopicName('..')).toThrow('Topic name cannot be "." or ".."');
  });
});

describe('ConfigCommandOptions checks', () => {
  const base = { bootstrapServer: 'h:1' };
  test('exactly one action', () => {
    expect(() => configCommand({ ...base, entityType: ['topics'], entityName: ['t'] })).toThrow('Command must include exactly one action: --describe, --alter');
    expect(() => configCommand({ ...base, describe: true, alter: true, entityType: ['topics'] })).toThrow('exactly one action');
  });

  test('alter needs an entity name and something to change', () => {
    expect(() => configCommand({ ...base, alter: true, entityType: ['topics'], addConfig: 'a=b' })).toThrow('an entity name must be specified with --alter of topics');
    expect(() => configCommand({ ...base, alter: true, entityType: ['topics'], entityName: ['t'] })).toThrow('At least one of --add-config or --delete-config must be specified with --alter');
  });

  test('broker names are integer ids; --entity-default and the shortcuts name the same entities', () => {
    expect(() => configCommand({ ...base, describe: true, entityType: ['brokers'], entityName: ['x'] })).toThrow('The entity name for brokers must be a valid integer broker id, found: x');
    expect(configCommand({ ...base, describe: true, entityType: ['brokers'], entityDefault: true }).entityName).toBe('');
    expect(configCommand({ ...base, alter: true, brokerDefaults: true, addConfig: 'a=b' })).toMatchObject({ entityType: 'brokers', entityName: '', add: [['a', 'b']] });
    expect(configCommand({ ...base, describe: true, topic: 'orders' })).toMatchObject({ entityType: 'topics', entityName: 'orders' });
  });

  test('unknown entity types and a missing bootstrap server are refused', () => {
    expect(() => configCommand({ ...base, describe: true, entityType: ['users'] })).toThrow('Invalid entity type users, the entity type must be one of topics, brokers');
    expect(() => configCommand({ describe: true, entityType: ['topics'] })).toThrow('--bootstrap-server');
  });
});
