import {
  BROKER_CONFIG_KEYS,
  ConfigException,
  KafkaConfig,
  parseBrokerArgs,
  parseListeners,
  parseOverrides,
  parseProtocolMap,
  parseServerProperties,
} from './config';

const ZK = { 'zookeeper.connect': 'localhost:2181' };
const cfg = (props: Record<string, string> = {}): KafkaConfig => new KafkaConfig({ ...ZK, ...props });
const LONG_MAX = 2 ** 63;

function errorOf(fn: () => unknown): ConfigException {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigException);
    return e as ConfigException;
  }
  throw new Error('expected a ConfigException');
}

describe('parseServerProperties', () => {
  it('handles separators, comments, blank lines and whitespace', () => {
    const props = parseServerProperties(
      [
        '# comment',
        '! also a comment',
        '',
        '   ',
        'a=1',
        'b:2',
        'c 3',
        '  d  =  4  ',
        'e\t:\tfive',
        'f',
        'g=',
        'h = = x',
        'i=a=b',
      ].join('\n'),
    );
    expect(Object.fromEntries(props)).toEqual({
      a: '1',
      b: '2',
      c: '3',
      d: '4  ',
      e: 'five',
      f: '',
      g: '',
      h: '= x',
      i: 'a=b',
    });
  });

  it('joins continuation lines, dropping leading whitespace of the next line', () => {
    const props = parseServerProperties('listeners=PLAINTEXT://:9092,\\\n    SSL://:9093\r\nx=1\\\\\ny=2');
    expect(props.get('listeners')).toBe('PLAINTEXT://:9092,SSL://:9093');
    expect(props.get('x')).toBe('1\\'); // even number of backslashes: no continuation
    expect(props.get('y')).toBe('2');
  });

  it('does not continue comment lines, and handles CR line endings', () => {
    const props = parseServerProperties('# comment \\\na=1\rb=2');
    expect(Object.fromEntries(props)).toEqual({ a: '1', b: '2' });
  });

  it('unescapes keys and values', () => {
    const props = parseServerProperties('my\\ key\\=x=v\\tw\\u0041\\\\z\\q\n\\#notcomment=1');
    expect(props.get('my key=x')).toBe('v\twA\\zq');
    expect(props.get('#notcomment')).toBe('1');
    expect(() => parseServerProperties('a=\\u00zz')).toThrow('Malformed \\uxxxx encoding.');
  });

  it('lets later duplicates win', () => {
    expect(parseServerProperties('a=1\na=2').get('a')).toBe('2');
  });
});

describe('command line', () => {
  it('parses the properties file and --override pairs', () => {
    const { propertiesFile, overrides } = parseBrokerArgs([
      'server.properties',
      '--override',
      'broker.id=3',
      '--override',
      'listeners=PLAINTEXT://:9093',
      '--override=a=b=c',
    ]);
    expect(propertiesFile).toBe('server.properties');
    expect(Object.fromEntries(overrides)).toEqual({ 'broker.id': '3', listeners: 'PLAINTEXT://:9093', a: 'b=c' });
  });

  it('rejects bad arguments', () => {
    expect(() => parseBrokerArgs([])).toThrow(/USAGE/);
    expect(() => parseBrokerArgs(['s.properties', 'stray'])).toThrow(/Found non argument parameters: stray/);
    expect(() => parseOverrides(['novalue'])).toThrow('Invalid command line properties: novalue');
  });

  it('overrides win over the file', () => {
    const config = KafkaConfig.fromText('zookeeper.connect=zk:2181\nbroker.id=0\nnum.partitions=3\n', {
      'broker.id': '7',
      'num.partitions': '5',
    });
    expect(config.brokerId).toBe(7);
    expect(config.numPartitions).toBe(5);
    expect(config.zookeeperConnect).toBe('zk:2181');
  });
});

describe('defaults', () => {
  it('match Kafka 2.8', () => {
    const c = cfg();
    expect(c.brokerId).toBe(-1);
    expect(c.brokerIdGenerationEnable).toBe(true);
    expect(c.maxReservedBrokerId).toBe(1000);
    expect(c.listeners).toEqual([{ name: 'PLAINTEXT', host: '', port: 9092, securityProtocol: 'PLAINTEXT' }]);
    expect(c.advertisedListeners).toEqual(c.listeners);
    expect(Object.fromEntries(c.listenerSecurityProtocolMap)).toEqual({
      PLAINTEXT: 'PLAINTEXT',
      SSL: 'SSL',
      SASL_PLAINTEXT: 'SASL_PLAINTEXT',
      SASL_SSL: 'SASL_SSL',
    });
    expect(c.interBrokerListenerName).toBe('PLAINTEXT');
    expect(c.interBrokerSecurityProtocol).toBe('PLAINTEXT');
    expect(c.logDirs).toEqual(['/tmp/kafka-logs']);
    expect(c.zookeeperSessionTimeoutMs).toBe(18000);
    expect(c.zookeeperConnectionTimeoutMs).toBe(18000);
    expect(c.zookeeperMaxInFlightRequests).toBe(10);
    expect(c.numPartitions).toBe(1);
    expect(c.defaultReplicationFactor).toBe(1);
    expect(c.autoCreateTopicsEnable).toBe(true);
    expect(c.deleteTopicEnable).toBe(true);
    expect(c.messageMaxBytes).toBe(1048588);
    expect(c.socketRequestMaxBytes).toBe(104857600);
    expect(c.minInSyncReplicas).toBe(1);
    expect(c.uncleanLeaderElectionEnable).toBe(false);
    expect(c.logRetentionTimeMillis).toBe(168 * 3600000);
    expect(c.logRollTimeMillis).toBe(604800000);
    expect(c.logRollTimeJitterMillis).toBe(0);
    expect(c.logRetentionBytes).toBe(-1);
    expect(c.logSegmentBytes).toBe(1073741824);
    expect(c.logRetentionCheckIntervalMs).toBe(300000);
    expect(c.interBrokerProtocolVersion).toBe('2.8-IV1');
    expect(c.offsetsTopicReplicationFactor).toBe(3);
    expect(c.offsetsTopicPartitions).toBe(50);
    expect(c.transactionTopicReplicationFactor).toBe(3);
    expect(c.transactionTopicPartitions).toBe(50);
    expect(c.transactionTopicMinISR).toBe(2);
    expect(c.groupInitialRebalanceDelayMs).toBe(3000);
    expect(c.groupMinSessionTimeoutMs).toBe(6000);
    expect(c.groupMaxSessionTimeoutMs).toBe(1800000);
    expect(c.replicaLagTimeMaxMs).toBe(30000);
    expect(c.fetchMaxBytes).toBe(57671680);
    expect(c.brokerRack).toBeNull();
    expect(c.unknownKeys).toEqual([]);
  });

  it('match Kafka 2.8 for the rest of the section-10 table', () => {
    const c = cfg();
    const expected: Record<string, unknown> = {
      'log.cleanup.policy': ['delete'],
      'log.cleaner.enable': true,
      'log.cleaner.threads': 1,
      'log.cleaner.dedupe.buffer.size': 134217728,
      'log.cleaner.backoff.ms': 15000,
      'log.cleaner.min.cleanable.ratio': 0.5,
      'log.cleaner.delete.retention.ms': 86400000,
      'log.cleaner.min.compaction.lag.ms': 0,
      'log.cleaner.max.compaction.lag.ms': LONG_MAX,
      'log.index.size.max.bytes': 10485760,
      'log.index.interval.bytes': 4096,
      'log.segment.delete.delay.ms': 60000,
      'log.flush.interval.messages': LONG_MAX,
      'log.flush.interval.ms': null,
      'log.message.timestamp.type': 'CreateTime',
      'log.message.timestamp.difference.max.ms': LONG_MAX,
      'log.message.format.version': '2.8-IV1',
      'compression.type': 'producer',
      'socket.send.buffer.bytes': 102400,
      'socket.receive.buffer.bytes': 102400,
      'num.network.threads': 3,
      'num.io.threads': 8,
      'queued.max.requests': 500,
      'background.threads': 10,
      'auto.leader.rebalance.enable': true,
      'leader.imbalance.per.broker.percentage': 10,
      'leader.imbalance.check.interval.seconds': 300,
      'controlled.shutdown.enable': true,
      'controlled.shutdown.max.retries': 3,
      'controlled.shutdown.retry.backoff.ms': 5000,
      'replica.fetch.max.bytes': 1048576,
      'replica.fetch.wait.max.ms': 500,
      'replica.fetch.min.bytes': 1,
      'replica.fetch.response.max.bytes': 10485760,
      'replica.fetch.backoff.ms': 1000,
      'num.replica.fetchers': 1,
      'replica.socket.timeout.ms': 30000,
      'replica.high.watermark.checkpoint.interval.ms': 5000,
      'num.recovery.threads.per.data.dir': 1,
      'offsets.topic.segment.bytes': 104857600,
      'offsets.load.buffer.size': 5242880,
      'offsets.retention.minutes': 10080,
      'offsets.retention.check.interval.ms': 600000,
      'offsets.commit.timeout.ms': 5000,
      'offsets.commit.required.acks': -1,
      'offset.metadata.max.bytes': 4096,
      'transaction.state.log.segment.bytes': 104857600,
      'transaction.max.timeout.ms': 900000,
      'transactional.id.expiration.ms': 604800000,
      'transaction.abort.timed.out.transaction.cleanup.interval.ms': 10000,
      'transaction.remove.expired.transaction.cleanup.interval.ms': 3600000,
      'group.max.size': 2147483647,
      'connections.max.idle.ms': 600000,
      'max.connections.per.ip': 2147483647,
      'max.connections': 2147483647,
      'request.timeout.ms': 30000,
      'controller.socket.timeout.ms': 30000,
      'max.incremental.fetch.session.cache.slots': 1000,
      'authorizer.class.name': '',
      'sasl.enabled.mechanisms': ['GSSAPI'],
      'sasl.mechanism.inter.broker.protocol': 'GSSAPI',
      'quota.window.num': 11,
      'quota.window.size.seconds': 1,
      'zookeeper.set.acl': false,
      'zookeeper.connection.timeout.ms': null,
      'ssl.client.auth': 'none',
    };
    for (const [key, value] of Object.entries(expected)) expect([key, c.get(key)]).toEqual([key, value]);
  });

  it('has each key once', () => {
    const names = BROKER_CONFIG_KEYS.map((k) => k.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('accepts the shipped 2.8.2 server.properties', () => {
    const shipped = `
broker.id=0
num.network.threads=3
num.io.threads=8
socket.send.buffer.bytes=102400
socket.receive.buffer.bytes=102400
socket.request.max.bytes=104857600
log.dirs=/tmp/kafka-logs
num.partitions=1
num.recovery.threads.per.data.dir=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
log.retention.hours=168
log.segment.bytes=1073741824
log.retention.check.interval.ms=300000
zookeeper.connect=localhost:2181
zookeeper.connection.timeout.ms=18000
group.initial.rebalance.delay.ms=0
`;
    const c = KafkaConfig.fromText(shipped);
    expect(c.brokerId).toBe(0);
    expect(c.offsetsTopicReplicationFactor).toBe(1);
    expect(c.groupInitialRebalanceDelayMs).toBe(0);
    expect(c.unknownKeys).toEqual([]);
  });
});

describe('typed values and precedence', () => {
  it('log.dirs wins over log.dir, and is a comma list', () => {
    expect(cfg({ 'log.dir': '/a' }).logDirs).toEqual(['/a']);
    expect(cfg({ 'log.dir': '/a', 'log.dirs': '/b, /c' }).logDirs).toEqual(['/b', '/c']);
  });

  it('retention: ms > minutes > hours; negative means forever', () => {
    expect(cfg({ 'log.retention.hours': '1' }).logRetentionTimeMillis).toBe(3600000);
    expect(cfg({ 'log.retention.hours': '1', 'log.retention.minutes': '2' }).logRetentionTimeMillis).toBe(120000);
    expect(cfg({ 'log.retention.minutes': '2', 'log.retention.ms': '5' }).logRetentionTimeMillis).toBe(5);
    expect(cfg({ 'log.retention.ms': '-5' }).logRetentionTimeMillis).toBe(-1);
  });

  it('roll: ms > hours', () => {
    expect(cfg({ 'log.roll.hours': '2' }).logRollTimeMillis).toBe(7200000);
    expect(cfg({ 'log.roll.hours': '2', 'log.roll.ms': '1000' }).logRollTimeMillis).toBe(1000);
  });

  it('maps log.* keys to topic defaults through brokerLogDefaults', () => {
    const d = cfg({ 'log.retention.minutes': '3', 'log.cleanup.policy': 'compact', 'message.max.bytes': '2000' }).toLogConfigDefaults();
    expect(d['retention.ms']).toBe(180000);
    expect(d['cleanup.policy']).toEqual(['compact']);
    expect(d['max.message.bytes']).toBe(2000);
    expect(d['segment.ms']).toBe(604800000);
  });

  it('parses booleans case-insensitively and trims values', () => {
    expect(cfg({ 'auto.create.topics.enable': ' FALSE ' }).autoCreateTopicsEnable).toBe(false);
    expect(cfg({ 'num.partitions': ' 4 ' }).numPartitions).toBe(4);
  });

  it('connection timeout defaults to the session timeout', () => {
    expect(cfg({ 'zookeeper.session.timeout.ms': '6000' }).zookeeperConnectionTimeoutMs).toBe(6000);
    expect(cfg({ 'zookeeper.connection.timeout.ms': '1000' }).zookeeperConnectionTimeoutMs).toBe(1000);
  });
});

describe('zookeeper.connect', () => {
  it('is required, with Kafka\'s message', () => {
    expect(errorOf(() => new KafkaConfig({})).message).toBe(
      'Missing required configuration "zookeeper.connect" which has no default value.',
    );
  });

  it('splits the chroot', () => {
    const c = cfg({ 'zookeeper.connect': 'h1:2181,h2:2181/kafka/prod' });
    expect(c.zookeeperServers).toBe('h1:2181,h2:2181');
    expect(c.zookeeperChroot).toBe('/kafka/prod');
    expect(cfg().zookeeperChroot).toBe('');
    expect(cfg({ 'zookeeper.connect': 'h:1/' }).zookeeperChroot).toBe('');
    expect(() => cfg({ 'zookeeper.connect': 'h:1/kafka/' })).toThrow(/Invalid chroot path/);
  });
});

describe('invalid values', () => {
  it('use Kafka\'s messages', () => {
    expect(errorOf(() => cfg({ 'num.partitions': 'abc' })).message).toBe(
      'Invalid value abc for configuration num.partitions: Not a number of type INT',
    );
    expect(errorOf(() => cfg({ 'num.partitions': '0' })).message).toBe(
      'Invalid value 0 for configuration num.partitions: Value must be at least 1',
    );
    expect(errorOf(() => cfg({ 'delete.topic.enable': 'yes' })).message).toBe(
      'Invalid value yes for configuration delete.topic.enable: Expected value to be either true or false',
    );
    expect(errorOf(() => cfg({ 'log.retention.ms': '1.5' })).message).toBe(
      'Invalid value 1.5 for configuration log.retention.ms: Not a number of type LONG',
    );
    expect(errorOf(() => cfg({ 'offsets.topic.replication.factor': '40000' })).message).toBe(
      'Invalid value 40000 for configuration offsets.topic.replication.factor: Not a number of type SHORT',
    );
    expect(errorOf(() => cfg({ 'compression.type': 'brotli' })).message).toBe(
      'Invalid value brotli for configuration compression.type: String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer',
    );
    expect(errorOf(() => cfg({ 'message.max.bytes': '3000000000' })).key).toBe('message.max.bytes');
  });

  it('check broker.id against reserved.broker.max.id', () => {
    expect(cfg({ 'broker.id': '1000' }).brokerId).toBe(1000);
    expect(() => cfg({ 'broker.id': '1001' })).toThrow(
      'broker.id must be equal or greater than -1 and not greater than reserved.broker.max.id',
    );
    expect(cfg({ 'broker.id': '5000', 'broker.id.generation.enable': 'false' }).brokerId).toBe(5000);
    expect(() => cfg({ 'broker.id.generation.enable': 'false' })).toThrow('broker.id must be equal or greater than 0');
  });
});

describe('listeners', () => {
  const map = parseProtocolMap('PLAINTEXT:PLAINTEXT,SSL:SSL,INTERNAL:PLAINTEXT,CTRL:SSL');

  it('parse names (upper-cased), hosts (empty = all interfaces, IPv6) and ports', () => {
    expect(parseListeners('plaintext://0.0.0.0:9092, SSL://:9093,internal://[::1]:9094,CTRL://host.example:0', map)).toEqual([
      { name: 'PLAINTEXT', host: '0.0.0.0', port: 9092, securityProtocol: 'PLAINTEXT' },
      { name: 'SSL', host: '', port: 9093, securityProtocol: 'SSL' },
      { name: 'INTERNAL', host: '::1', port: 9094, securityProtocol: 'PLAINTEXT' },
      { name: 'CTRL', host: 'host.example', port: 0, securityProtocol: 'SSL' },
    ]);
  });

  it('reject duplicates, unparseable entries and unmapped names', () => {
    expect(() => parseListeners('PLAINTEXT://:9092,plaintext://:9093', map)).toThrow(/Each listener must have a different name/);
    expect(() => parseListeners('PLAINTEXT://:9092,SSL://:9092', map)).toThrow(/Each listener must have a different port/);
    expect(parseListeners('PLAINTEXT://:0,SSL://:0', map)).toHaveLength(2);
    expect(() => parseListeners('PLAINTEXT//:9092', map)).toThrow(/Unable to parse PLAINTEXT\/\/:9092 to a broker endpoint/);
    expect(() => parseListeners('OTHER://:9092', map)).toThrow(/No security protocol defined for listener OTHER/);
    expect(() => parseProtocolMap('A:BOGUS')).toThrow(/listener.security.protocol.map/);
  });

  it('advertised listeners default to listeners and must be a subset', () => {
    const c = cfg({
      listeners: 'PLAINTEXT://:9092,INTERNAL://:9094',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,INTERNAL:SASL_PLAINTEXT',
      'inter.broker.listener.name': 'internal',
      'advertised.listeners': 'PLAINTEXT://broker1:9092,INTERNAL://broker1:9094',
    });
    expect(c.interBrokerListenerName).toBe('INTERNAL');
    expect(c.interBrokerSecurityProtocol).toBe('SASL_PLAINTEXT');
    expect(c.advertisedListener('INTERNAL')).toEqual({ name: 'INTERNAL', host: 'broker1', port: 9094, securityProtocol: 'SASL_PLAINTEXT' });
    expect(() => cfg({ 'advertised.listeners': 'SSL://h:9093' })).toThrow(
      /advertised.listeners listener names must be equal to or a subset of the ones defined in listeners/,
    );
    expect(() => cfg({ 'advertised.listeners': 'PLAINTEXT://0.0.0.0:9092' })).toThrow(/nonroutable meta-address 0.0.0.0/);
  });

  it('inter-broker listener must be one of the listeners', () => {
    expect(() => cfg({ listeners: 'SSL://:9093' })).toThrow(
      'inter.broker.listener.name must be a listener name defined in advertised.listeners. The valid options based on currently configured listeners are SSL',
    );
    expect(cfg({ listeners: 'SSL://:9093', 'security.inter.broker.protocol': 'SSL' }).interBrokerListenerName).toBe('SSL');
    expect(() => cfg({ 'inter.broker.listener.name': 'PLAINTEXT', 'security.inter.broker.protocol': 'PLAINTEXT' })).toThrow(
      'Only one of inter.broker.listener.name and security.inter.broker.protocol should be set.',
    );
    expect(() => cfg({ 'inter.broker.listener.name': 'nope' })).toThrow(
      'Listener with name NOPE defined in inter.broker.listener.name not found in listener.security.protocol.map.',
    );
  });

  it('fall back to the deprecated host.name/port', () => {
    const c = cfg({ 'host.name': 'h', port: '9999' });
    expect(c.listeners).toEqual([{ name: 'PLAINTEXT', host: 'h', port: 9999, securityProtocol: 'PLAINTEXT' }]);
  });
});

describe('unknown keys', () => {
  it('are reported and otherwise ignored; listener.name.* overrides are known', () => {
    const c = cfg({
      'no.such.key': 'x',
      'log.no.such': 'y',
      'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config': 'z',
      'log.retention.bytes': '100',
    });
    expect(c.unknownKeys).toEqual(['no.such.key', 'log.no.such']);
    expect(c.listenerOverride('SASL_SSL', 'scram-sha-256.sasl.jaas.config')).toBe('z');
    expect(c.logRetentionBytes).toBe(100);
  });
});
