import { staticBrokerConfigEntries } from './static-broker-configs';
import { LONG_MAX_VALUE } from '../log/log-config';

describe('static broker config entries (DescribeConfigs of a broker)', () => {
  test('defaults as ConfigDef prints them, server.properties values marked static, unknown keys sensitive', () => {
    const entries = staticBrokerConfigEntries(
      [
        { name: 'num.partitions', type: 'int', defaultValue: 1 },
        { name: 'log.cleanup.policy', type: 'list', defaultValue: ['delete'] },
        { name: 'log.flush.interval.messages', type: 'long', defaultValue: LONG_MAX_VALUE },
        { name: 'log.retention.ms', type: 'long', defaultValue: null },
        { name: 'ssl.key.password', type: 'password', defaultValue: null },
      ],
      new Map([['num.partitions', ' 3 '], ['log.cleanup.policy', 'compact , delete'], ['my.own', 'x']]),
    );
    expect(entries).toEqual([
      { name: 'num.partitions', value: '3', isSensitive: false, isDefault: false, defaultValue: '1', configType: 'int' },
      { name: 'log.cleanup.policy', value: 'compact,delete', isSensitive: false, isDefault: false, defaultValue: 'delete', configType: 'list' },
      { name: 'log.flush.interval.messages', value: '9223372036854775807', isSensitive: false, isDefault: true, defaultValue: '9223372036854775807', configType: 'long' },
      { name: 'log.retention.ms', value: null, isSensitive: false, isDefault: true, defaultValue: null, configType: 'long' },
      { name: 'ssl.key.password', value: null, isSensitive: true, isDefault: true, defaultValue: null, configType: 'password' },
      { name: 'my.own', value: 'x', isSensitive: true, isDefault: false },
    ]);
  });
});
