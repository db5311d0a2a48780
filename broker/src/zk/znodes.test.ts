import {
  ACL_ZK_PATHS,
  BrokerIdZNode,
  ClusterIdZNode,
  ConfigEntityChangeNotificationSequenceZNode,
  ConfigEntityZNode,
  ConsumerOffsetZNode,
  ControllerEpochZNode,
  ControllerZNode,
  DelegationTokenChangeNotificationSequenceZNode,
  DelegationTokenInfoZNode,
  DeleteTopicsTopicZNode,
  ExtendedAclChangeZNode,
  FeatureZNode,
  IsrChangeNotificationSequenceZNode,
  LiteralAclChangeZNode,
  LogDirEventNotificationSequenceZNode,
  PERSISTENT_ZK_PATHS,
  PreferredReplicaElectionZNode,
  ProducerIdBlockZNode,
  ReassignPartitionsZNode,
  ResourceZNode,
  SECURE_ROOT_PATHS,
  TopicPartitionStateZNode,
  TopicPartitionZNode,
  TopicPartitionsZNode,
  TopicZNode,
  ZnodeDataError,
  desanitize,
  isSensitivePath,
  parsePartitionStatePath,
  sanitize,
  sequenceNumber,
  sequenceSuffix,
  type BrokerRegistration,
} from './znodes';

const buf = (s: string): Buffer => Buffer.from(s, 'utf8');
const json = (b: Buffer): unknown => JSON.parse(b.toString('utf8'));

/** Asserts decode throws a ZnodeDataError whose message names `path`. */
function expectMalformed(fn: () => unknown, path: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ZnodeDataError);
  expect((caught as ZnodeDataError).path).toBe(path);
  expect((caught as ZnodeDataError).message).toContain(path);
}

// Reference examples, verbatim from kafka-classic.md §1.1.
const REF = {
  controller: '{"version":1,"brokerid":1,"timestamp":"1620000000000"}',
  broker: `{"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT","SSL":"SSL"},
 "endpoints":["PLAINTEXT://kafka1:9092","SSL://kafka1:9093"],
 "jmx_port":-1,"features":{},"host":"kafka1","timestamp":"1620000000000","port":9092,"version":5,
 "rack":"us-east-1a"}`,
  topic: `{"version":3,"topic_id":"pVjI6SiSQ7mpGJ3Y5N3v2A",
 "partitions":{"0":[1,2,3],"1":[2,3,1],"2":[3,1,2]},
 "adding_replicas":{},"removing_replicas":{}}`,
  state: '{"controller_epoch":3,"leader":1,"version":1,"leader_epoch":7,"isr":[1,2,3]}',
  topicConfig: '{"version":1,"config":{"retention.ms":"86400000","cleanup.policy":"compact"}}',
  configChangeV2: '{"version":2,"entity_path":"topics/foo"}',
  configChangeV1: '{"version":1,"entity_type":"topics","entity_name":"foo"}',
  userConfig: `{"version":1,"config":{
  "SCRAM-SHA-256":"salt=MWtxcjhsZ2V5dzN0dWJ0c3N6bXJsdjd6NQ==,stored_key=...,server_key=...,iterations=4096",
  "producer_byte_rate":"1048576","consumer_byte_rate":"2097152","request_percentage":"200"}}`,
  reassign: '{"version":1,"partitions":[{"topic":"foo","partition":0,"replicas":[4,5,6]}]}',
  preferred: '{"version":1,"partitions":[{"topic":"foo","partition":0}]}',
  isrChange: '{"version":1,"partitions":[{"topic":"foo","partition":0},{"topic":"bar","partition":3}]}',
  logDirEvent: '{"version":1,"broker":2,"event":1}',
  clusterId: '{"version":"1","id":"Qm3hvN1hTS6GnzDb1BaiXw"}',
  producerIdBlock: '{"version":1,"broker":0,"block_start":"1000","block_end":"1999"}',
  feature: '{"features":{},"version":1,"status":1}',
  acl: `{"version":1,"acls":[
  {"principal":"User:alice","permissionType":"Allow","operation":"Read","host":"*"},
  {"principal":"User:bob","permissionType":"Deny","operation":"Write","host":"10.0.0.5"}]}`,
  aclChange: 'TOPIC:foo',
  extendedAclChange: '{"version":1,"resourceType":"TOPIC","name":"foo-","patternType":"PREFIXED"}',
} as const;

describe('/cluster/id', () => {
  it('encodes exactly like Kafka (version is a string)', () => {
    expect(json(ClusterIdZNode.encode('Qm3hvN1hTS6GnzDb1BaiXw'))).toEqual(JSON.parse(REF.clusterId));
    expect(ClusterIdZNode.path).toBe('/cluster/id');
  });
  it('decodes the reference and rejects malformed data', () => {
    expect(ClusterIdZNode.decode(buf(REF.clusterId))).toBe('Qm3hvN1hTS6GnzDb1BaiXw');
    expectMalformed(() => ClusterIdZNode.decode(buf('{"version":"1"}')), '/cluster/id');
    expectMalformed(() => ClusterIdZNode.decode(buf('{"version":"1","id":5}')), '/cluster/id');
    expectMalformed(() => ClusterIdZNode.decode(buf('not json')), '/cluster/id');
    expectMalformed(() => ClusterIdZNode.decode(null), '/cluster/id');
  });
});

describe('/controller and /controller_epoch', () => {
  it('encodes /controller exactly like Kafka', () => {
    expect(json(ControllerZNode.encode(1, 1620000000000))).toEqual(JSON.parse(REF.controller));
    const round = ControllerZNode.decode(ControllerZNode.encode(7, 1700000000123));
    expect(round).toEqual({ brokerId: 7, timestamp: 1700000000123 });
  });
  it('decodes the reference; tolerant of a missing timestamp; strict on brokerid type', () => {
    expect(ControllerZNode.decode(buf(REF.controller))).toEqual({ brokerId: 1, timestamp: 1620000000000 });
    expect(ControllerZNode.decode(buf('{"version":1,"brokerid":4}'))).toEqual({ brokerId: 4 });
    expectMalformed(() => ControllerZNode.decode(buf('{"version":1,"brokerid":"1"}')), '/controller');
    expectMalformed(() => ControllerZNode.decode(buf('[1]')), '/controller');
  });
  it('/controller_epoch is plain decimal text', () => {
    expect(ControllerEpochZNode.encode(3).toString('utf8')).toBe('3');
    expect(ControllerEpochZNode.decode(buf('3'))).toBe(3);
    expect(ControllerEpochZNode.decode(ControllerEpochZNode.encode(0))).toBe(0);
    expectMalformed(() => ControllerEpochZNode.decode(buf('{"epoch":3}')), '/controller_epoch');
    expectMalformed(() => ControllerEpochZNode.decode(buf('99999999999')), '/controller_epoch');
    expectMalformed(() => ControllerEpochZNode.decode(Buffer.alloc(0)), '/controller_epoch');
  });
});

describe('/brokers/ids/<id>', () => {
  const reg: BrokerRegistration = {
    version: 5,
    endpoints: [
      { listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: 'kafka1', port: 9092 },
      { listenerName: 'SSL', securityProtocol: 'SSL', host: 'kafka1', port: 9093 },
    ],
    jmxPort: -1,
    rack: 'us-east-1a',
    features: {},
    timestamp: 1620000000000,
  };

  it('builds the path', () => {
    expect(BrokerIdZNode.path(1)).toBe('/brokers/ids/1');
  });
  it('encodes v5 exactly like Kafka', () => {
    expect(json(BrokerIdZNode.encode(reg))).toEqual(JSON.parse(REF.broker));
  });
  it('decodes the reference', () => {
    expect(BrokerIdZNode.decode(buf(REF.broker))).toEqual(reg);
  });
  it('omits rack when unset, and writes host null / port -1 with no PLAINTEXT endpoint', () => {
    const j = json(
      BrokerIdZNode.encode({
        ...reg,
        rack: null,
        endpoints: [{ listenerName: 'CLIENT', securityProtocol: 'SASL_SSL', host: 'h', port: 9094 }],
      }),
    ) as Record<string, unknown>;
    expect(j).not.toHaveProperty('rack');
    expect(j.host).toBeNull();
    expect(j.port).toBe(-1);
    expect(j.endpoints).toEqual(['CLIENT://h:9094']);
    expect(j.listener_security_protocol_map).toEqual({ CLIENT: 'SASL_SSL' });
    expect(typeof j.timestamp).toBe('string');
  });
  it('uses the first PLAINTEXT endpoint for host/port and brackets IPv6', () => {
    const j = json(
      BrokerIdZNode.encode({
        ...reg,
        endpoints: [
          { listenerName: 'SSL', securityProtocol: 'SSL', host: 'a', port: 1 },
          { listenerName: 'INTERNAL', securityProtocol: 'PLAINTEXT', host: '::1', port: 2 },
          { listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: 'c', port: 3 },
        ],
      }),
    ) as Record<string, unknown>;
    expect(j.host).toBe('::1');
    expect(j.port).toBe(2);
    expect(j.endpoints).toEqual(['SSL://a:1', 'INTERNAL://[::1]:2', 'PLAINTEXT://c:3']);
    const back = BrokerIdZNode.decode(buf(JSON.stringify(j)));
    expect(back.endpoints[1]).toEqual({ listenerName: 'INTERNAL', securityProtocol: 'PLAINTEXT', host: '::1', port: 2 });
  });
  it('round-trips features (v5) and drops them at v4', () => {
    const withFeatures = { ...reg, features: { 'metadata.version': { minVersion: 1, maxVersion: 3 } } };
    expect(BrokerIdZNode.decode(BrokerIdZNode.encode(withFeatures))).toEqual(withFeatures);
    const j = json(BrokerIdZNode.encode(withFeatures)) as Record<string, unknown>;
    expect(j.features).toEqual({ 'metadata.version': { min_version: 1, max_version: 3 } });
    const v4 = json(BrokerIdZNode.encode({ ...withFeatures, version: 4 })) as Record<string, unknown>;
    expect(v4).not.toHaveProperty('features');
    expect(v4.version).toBe(4);
  });
  it('decodes older versions', () => {
    expect(BrokerIdZNode.decode(buf('{"version":1,"host":"localhost","port":9092,"jmx_port":9999,"timestamp":"2233345666"}'))).toEqual({
      version: 1,
      endpoints: [{ listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: 'localhost', port: 9092 }],
      jmxPort: 9999,
      rack: null,
      features: {},
      timestamp: 2233345666,
    });
    const v3 = BrokerIdZNode.decode(
      buf('{"version":3,"host":"localhost","port":9092,"jmx_port":9999,"timestamp":"2233345666","endpoints":["PLAINTEXT://host1:9092","SSL://host1:9093"],"rack":"dc1"}'),
    );
    expect(v3.endpoints.map((e) => e.securityProtocol)).toEqual(['PLAINTEXT', 'SSL']);
    expect(v3.rack).toBe('dc1');
    const v4 = BrokerIdZNode.decode(
      buf('{"version":4,"host":null,"port":-1,"jmx_port":-1,"timestamp":"1","endpoints":["CLIENT://host1:9092","REPLICATION://:9093"],"listener_security_protocol_map":{"CLIENT":"SSL","REPLICATION":"PLAINTEXT"},"rack":null}'),
    );
    expect(v4.endpoints).toEqual([
      { listenerName: 'CLIENT', securityProtocol: 'SSL', host: 'host1', port: 9092 },
      { listenerName: 'REPLICATION', securityProtocol: 'PLAINTEXT', host: null, port: 9093 },
    ]);
    expect(v4.rack).toBeNull();
  });
  it('rejects malformed registrations, naming the path', () => {
    const p = '/brokers/ids/3';
    expectMalformed(() => BrokerIdZNode.decode(buf('{"version":5,"endpoints":[]}'), p), p); // no jmx_port
    expectMalformed(() => BrokerIdZNode.decode(buf('{"version":"5","jmx_port":-1,"endpoints":[]}'), p), p);
    expectMalformed(() => BrokerIdZNode.decode(buf('{"version":0,"jmx_port":-1}'), p), p);
    expectMalformed(() => BrokerIdZNode.decode(buf('{"version":5,"jmx_port":-1,"endpoints":["nonsense"]}'), p), p);
    expectMalformed(
      () => BrokerIdZNode.decode(buf('{"version":5,"jmx_port":-1,"endpoints":["X://h:1"],"listener_security_protocol_map":{}}'), p),
      p,
    );
    expectMalformed(() => BrokerIdZNode.decode(buf('{"version":5,"jmx_port":-1,"endpoints":["PLAINTEXT://h:1"],"timestamp":"abc"}'), p), p);
    expectMalformed(() => BrokerIdZNode.decode(buf('{"version":5,'), p), p);
    expectMalformed(() => BrokerIdZNode.decode(buf('{"version":5,"jmx_port":-1}')), '/brokers/ids/<id>');
  });
});

describe('/brokers/topics/...', () => {
  it('builds paths', () => {
    expect(TopicZNode.path('foo')).toBe('/brokers/topics/foo');
    expect(TopicPartitionsZNode.path('foo')).toBe('/brokers/topics/foo/partitions');
    expect(TopicPartitionZNode.path('foo', 2)).toBe('/brokers/topics/foo/partitions/2');
    expect(TopicPartitionStateZNode.path('foo', 2)).toBe('/brokers/topics/foo/partitions/2/state');
    expect(parsePartitionStatePath('/brokers/topics/foo/partitions/2/state')).toEqual({ topic: 'foo', partition: 2 });
    expect(parsePartitionStatePath('/brokers/topics/foo/partitions/x/state')).toBeNull();
  });
  const plain = (replicas: number[]) => ({ replicas, addingReplicas: [], removingReplicas: [] });
  it('encodes the topic assignment exactly like Kafka 2.8 (version 3)', () => {
    const encoded = TopicZNode.encode({
      topicId: 'pVjI6SiSQ7mpGJ3Y5N3v2A',
      partitions: new Map([
        [0, plain([1, 2, 3])],
        [1, plain([2, 3, 1])],
        [2, plain([3, 1, 2])],
      ]),
    });
    expect(json(encoded)).toEqual(JSON.parse(REF.topic));
  });
  it('omits topic_id when unknown and writes reassignment sides', () => {
    const a = {
      partitions: new Map([
        [0, { replicas: [4, 5, 6, 1, 2, 3], addingReplicas: [4, 5, 6], removingReplicas: [1, 2, 3] }],
        [1, plain([2, 3, 1])],
      ]),
    };
    expect(json(TopicZNode.encode(a))).toEqual({
      version: 3,
      partitions: { '0': [4, 5, 6, 1, 2, 3], '1': [2, 3, 1] },
      adding_replicas: { '0': [4, 5, 6] },
      removing_replicas: { '0': [1, 2, 3] },
    });
    expect(TopicZNode.decode(TopicZNode.encode(a))).toEqual(a);
  });
  it('decodes the reference, older versions, and null data', () => {
    const d = TopicZNode.decode(buf(REF.topic));
    expect(d.topicId).toBe('pVjI6SiSQ7mpGJ3Y5N3v2A');
    expect(d.partitions.get(1)).toEqual(plain([2, 3, 1]));
    expect(d.partitions.size).toBe(3);
    expect(TopicZNode.decode(buf('{"version":1,"partitions":{"0":[1]}}'))).toEqual({ partitions: new Map([[0, plain([1])]]) });
    expect(TopicZNode.decode(null)).toEqual({ partitions: new Map() });
    expect(TopicZNode.decode(buf('{"version":2}'))).toEqual({ partitions: new Map() });
  });
  it('rejects malformed assignments', () => {
    const p = '/brokers/topics/foo';
    expectMalformed(() => TopicZNode.decode(buf('{"version":3,"partitions":{"0":["1"]}}'), p), p);
    expectMalformed(() => TopicZNode.decode(buf('{"version":3,"partitions":{"a":[1]}}'), p), p);
    expectMalformed(() => TopicZNode.decode(buf('{"version":3,"partitions":[]}'), p), p);
    expectMalformed(() => TopicZNode.decode(buf('{"version":3,"topic_id":"short","partitions":{}}'), p), p);
    expectMalformed(() => TopicZNode.decode(buf('{"version":3,"partitions":{"0":[1]},"adding_replicas":{"0":"x"}}'), p), p);
  });
  it('encodes partition state exactly like Kafka and decodes the reference', () => {
    const s = { leader: 1, leaderEpoch: 7, isr: [1, 2, 3], controllerEpoch: 3 };
    expect(json(TopicPartitionStateZNode.encode(s))).toEqual(JSON.parse(REF.state));
    expect(TopicPartitionStateZNode.decode(buf(REF.state))).toEqual(s);
    expect(TopicPartitionStateZNode.decode(buf('{"controller_epoch":3,"leader":-1,"version":1,"leader_epoch":7,"isr":[2],"leader_recovery_state":1}'))).toEqual({
      ...s,
      leader: -1,
      isr: [2],
    });
    const p = TopicPartitionStateZNode.path('foo', 0);
    expectMalformed(() => TopicPartitionStateZNode.decode(buf('{"leader":1,"leader_epoch":7,"isr":[1]}'), p), p);
    expectMalformed(() => TopicPartitionStateZNode.decode(buf('{"leader":1.5,"leader_epoch":7,"isr":[1],"controller_epoch":1}'), p), p);
  });
});

describe('/admin and notifications', () => {
  it('delete_topics path', () => {
    expect(DeleteTopicsTopicZNode.path('foo')).toBe('/admin/delete_topics/foo');
  });
  it('reassign_partitions', () => {
    const r = [{ topic: 'foo', partition: 0, replicas: [4, 5, 6] }];
    expect(json(ReassignPartitionsZNode.encode(r))).toEqual(JSON.parse(REF.reassign));
    expect(ReassignPartitionsZNode.decode(buf(REF.reassign))).toEqual(r);
    expectMalformed(() => ReassignPartitionsZNode.decode(buf('{"version":1,"partitions":[{"topic":"foo","partition":0}]}')), '/admin/reassign_partitions');
  });
  it('preferred_replica_election', () => {
    expect(json(PreferredReplicaElectionZNode.encode([{ topic: 'foo', partition: 0 }]))).toEqual(JSON.parse(REF.preferred));
    expect(PreferredReplicaElectionZNode.decode(buf(REF.preferred))).toEqual([{ topic: 'foo', partition: 0 }]);
    expectMalformed(() => PreferredReplicaElectionZNode.decode(buf('{"version":1}')), '/admin/preferred_replica_election');
  });
  it('isr_change_notification', () => {
    const tps = [
      { topic: 'foo', partition: 0 },
      { topic: 'bar', partition: 3 },
    ];
    expect(json(IsrChangeNotificationSequenceZNode.encode(tps))).toEqual(JSON.parse(REF.isrChange));
    expect(IsrChangeNotificationSequenceZNode.decode(buf(REF.isrChange))).toEqual(tps);
    expect(IsrChangeNotificationSequenceZNode.path()).toBe('/isr_change_notification/isr_change_');
    expect(IsrChangeNotificationSequenceZNode.path(sequenceSuffix(42))).toBe('/isr_change_notification/isr_change_0000000042');
    expect(sequenceNumber('/isr_change_notification/isr_change_0000000042', 'isr_change_')).toBe('0000000042');
    const p = IsrChangeNotificationSequenceZNode.path('0000000001');
    expectMalformed(() => IsrChangeNotificationSequenceZNode.decode(buf('{"version":1,"partitions":[{"topic":1,"partition":0}]}'), p), p);
  });
  it('log_dir_event_notification', () => {
    expect(json(LogDirEventNotificationSequenceZNode.encode(2))).toEqual(JSON.parse(REF.logDirEvent));
    expect(LogDirEventNotificationSequenceZNode.decode(buf(REF.logDirEvent))).toEqual({ brokerId: 2, event: 1 });
    expect(LogDirEventNotificationSequenceZNode.path('0000000000')).toBe('/log_dir_event_notification/log_dir_event_0000000000');
    expectMalformed(() => LogDirEventNotificationSequenceZNode.decode(buf('{"version":1}')), '/log_dir_event_notification/log_dir_event_<seq>');
  });
});

describe('/config', () => {
  it('builds entity paths with sanitized names and literal <default>', () => {
    expect(ConfigEntityZNode.topicPath('foo')).toBe('/config/topics/foo');
    expect(ConfigEntityZNode.brokerPath(1)).toBe('/config/brokers/1');
    expect(ConfigEntityZNode.brokerPath('<default>')).toBe('/config/brokers/<default>');
    expect(ConfigEntityZNode.clientPath('<default>')).toBe('/config/clients/<default>');
    expect(ConfigEntityZNode.userPath('CN=a b*')).toBe('/config/users/CN%3Da%20b%2A');
    expect(ConfigEntityZNode.userClientPath('alice', 'app 1')).toBe('/config/users/alice/clients/app%201');
    expect(ConfigEntityZNode.ipPath('::1')).toBe('/config/ips/%3A%3A1');
  });
  it('encodes topic config exactly like Kafka (all values strings) and decodes the references', () => {
    const cfg = { 'retention.ms': '86400000', 'cleanup.policy': 'compact' };
    expect(json(ConfigEntityZNode.encode(cfg))).toEqual(JSON.parse(REF.topicConfig));
    expect(ConfigEntityZNode.decode(buf(REF.topicConfig))).toEqual(new Map(Object.entries(cfg)));
    const user = ConfigEntityZNode.decode(buf(REF.userConfig));
    expect(user.get('producer_byte_rate')).toBe('1048576');
    expect(user.get('SCRAM-SHA-256')).toMatch(/^salt=.*iterations=4096$/);
    expect(user.size).toBe(4);
  });
  it('is tolerant where Kafka is (null, missing config) and strict on value types', () => {
    expect(ConfigEntityZNode.decode(null).size).toBe(0);
    expect(ConfigEntityZNode.decode(buf('{"version":1}')).size).toBe(0);
    const p = '/config/topics/foo';
    expectMalformed(() => ConfigEntityZNode.decode(buf('{"version":1,"config":{"retention.ms":86400000}}'), p), p);
    expectMalformed(() => ConfigEntityZNode.decode(buf('{"version":1,'), p), p);
  });
  it('config change notifications (v2 written, v1 accepted)', () => {
    expect(json(ConfigEntityChangeNotificationSequenceZNode.encode('topics/foo'))).toEqual(JSON.parse(REF.configChangeV2));
    expect(ConfigEntityChangeNotificationSequenceZNode.decode(buf(REF.configChangeV2))).toEqual({ entityPath: 'topics/foo' });
    expect(ConfigEntityChangeNotificationSequenceZNode.decode(buf(REF.configChangeV1))).toEqual({ entityPath: 'topics/foo' });
    expect(ConfigEntityChangeNotificationSequenceZNode.createPath).toBe('/config/changes/config_change_');
    const p = ConfigEntityChangeNotificationSequenceZNode.path('0000000007');
    expect(p).toBe('/config/changes/config_change_0000000007');
    expectMalformed(() => ConfigEntityChangeNotificationSequenceZNode.decode(buf('{"version":1,"entity_type":"users","entity_name":"a"}'), p), p);
    expectMalformed(() => ConfigEntityChangeNotificationSequenceZNode.decode(buf('{"version":2,"entity_path":"topics"}'), p), p);
    expectMalformed(() => ConfigEntityChangeNotificationSequenceZNode.decode(buf('{"version":3,"entity_path":"topics/foo"}'), p), p);
  });
  it('sanitizes like Kafka Sanitizer', () => {
    expect(sanitize('User:alice')).toBe('User%3Aalice');
    expect(sanitize('a b*+é')).toBe('a%20b%2A%2B%C3%A9');
    expect(sanitize('ok.name_-1')).toBe('ok.name_-1');
    expect(desanitize('a%20b%2A%2B%C3%A9')).toBe('a b*+é');
    expect(desanitize('a+b')).toBe('a b');
  });
});

describe('/latest_producer_id_block', () => {
  it('encodes bounds as strings, exactly like Kafka', () => {
    const b = { brokerId: 0, blockStart: 1000n, blockEnd: 1999n };
    expect(json(ProducerIdBlockZNode.encode(b))).toEqual(JSON.parse(REF.producerIdBlock));
    expect(ProducerIdBlockZNode.decode(buf(REF.producerIdBlock))).toEqual(b);
    const big = { brokerId: 3, blockStart: 9007199254740993n, blockEnd: 9007199254741992n };
    expect(ProducerIdBlockZNode.decode(ProducerIdBlockZNode.encode(big))).toEqual(big);
  });
  it('null means no block yet; numbers instead of strings are malformed', () => {
    expect(ProducerIdBlockZNode.decode(null)).toBeNull();
    const p = '/latest_producer_id_block';
    expectMalformed(() => ProducerIdBlockZNode.decode(buf('{"version":1,"broker":0,"block_start":1000,"block_end":"1999"}')), p);
    expectMalformed(() => ProducerIdBlockZNode.decode(buf('{"version":1,"broker":0,"block_start":"x","block_end":"1999"}')), p);
    expectMalformed(() => ProducerIdBlockZNode.decode(buf('{"version":1,"broker":0,"block_start":"99999999999999999999","block_end":"1"}')), p);
  });
});

describe('/feature', () => {
  it('encodes and decodes exactly like Kafka', () => {
    expect(json(FeatureZNode.encode({ status: 1, features: {} }))).toEqual(JSON.parse(REF.feature));
    expect(FeatureZNode.decode(buf(REF.feature))).toEqual({ status: 1, features: {} });
    const f = { status: 0 as const, features: { 'metadata.version': { minVersionLevel: 1, maxVersionLevel: 2 } } };
    expect(json(FeatureZNode.encode(f))).toEqual({
      version: 1,
      status: 0,
      features: { 'metadata.version': { min_version_level: 1, max_version_level: 2 } },
    });
    expect(FeatureZNode.decode(FeatureZNode.encode(f))).toEqual(f);
  });
  it('rejects malformed feature nodes', () => {
    const p = '/feature';
    expectMalformed(() => FeatureZNode.decode(buf('{"version":1,"status":1}')), p);
    expectMalformed(() => FeatureZNode.decode(buf('{"version":1,"features":{}}')), p);
    expectMalformed(() => FeatureZNode.decode(buf('{"version":1,"features":{},"status":2}')), p);
    expectMalformed(() => FeatureZNode.decode(buf('{"version":0,"features":{},"status":1}')), p);
    expectMalformed(() => FeatureZNode.decode(buf('{"version":1,"features":{"x":{"min_version_level":3,"max_version_level":2}},"status":1}')), p);
  });
});

describe('ACLs', () => {
  const acls = [
    { principal: 'User:alice', permissionType: 'Allow' as const, operation: 'Read' as const, host: '*' },
    { principal: 'User:bob', permissionType: 'Deny' as const, operation: 'Write' as const, host: '10.0.0.5' },
  ];
  it('builds paths for literal and prefixed stores', () => {
    expect(ResourceZNode.path({ resourceType: 'Topic', name: 'foo', patternType: 'LITERAL' })).toBe('/kafka-acl/Topic/foo');
    expect(ResourceZNode.path({ resourceType: 'TransactionalId', name: 'tx-', patternType: 'PREFIXED' })).toBe(
      '/kafka-acl-extended/prefixed/TransactionalId/tx-',
    );
  });
  it('encodes ACL JSON exactly like Kafka and decodes the reference', () => {
    expect(json(ResourceZNode.encode(acls))).toEqual(JSON.parse(REF.acl));
    expect(ResourceZNode.decode(buf(REF.acl))).toEqual(acls);
    expect(ResourceZNode.decode(null)).toEqual([]);
    const odd = ResourceZNode.decode(
      buf('{"version":1,"acls":[{"principal":"User:x","permissionType":"ALLOW","operation":"IDEMPOTENT_WRITE","host":"*"}]}'),
    );
    expect(odd[0].operation).toBe('IdempotentWrite');
    expect(odd[0].permissionType).toBe('Allow');
    const p = '/kafka-acl/Topic/foo';
    expectMalformed(() => ResourceZNode.decode(buf('{"version":1,"acls":[{"principal":"User:x","permissionType":"Allow","operation":"Fly","host":"*"}]}'), p), p);
    expectMalformed(() => ResourceZNode.decode(buf('{"version":1}'), p), p);
  });
  it('literal change notifications are plain text', () => {
    const r = { resourceType: 'Topic' as const, name: 'foo', patternType: 'LITERAL' as const };
    expect(LiteralAclChangeZNode.encode(r).toString('utf8')).toBe(REF.aclChange);
    expect(LiteralAclChangeZNode.decode(buf(REF.aclChange))).toEqual(r);
    expect(LiteralAclChangeZNode.decode(buf('TRANSACTIONAL_ID:a:b'))).toEqual({ resourceType: 'TransactionalId', name: 'a:b', patternType: 'LITERAL' });
    expect(LiteralAclChangeZNode.encode({ resourceType: 'TransactionalId', name: 't', patternType: 'LITERAL' }).toString()).toBe('TRANSACTIONAL_ID:t');
    expect(LiteralAclChangeZNode.createPath).toBe('/kafka-acl-changes/acl_changes_');
    expectMalformed(() => LiteralAclChangeZNode.decode(buf('nocolon')), '/kafka-acl-changes/acl_changes_<seq>');
    expectMalformed(() => LiteralAclChangeZNode.decode(buf('WIDGET:foo')), '/kafka-acl-changes/acl_changes_<seq>');
  });
  it('extended change notifications are JSON', () => {
    const r = { resourceType: 'Topic' as const, name: 'foo-', patternType: 'PREFIXED' as const };
    expect(json(ExtendedAclChangeZNode.encode(r))).toEqual(JSON.parse(REF.extendedAclChange));
    expect(ExtendedAclChangeZNode.decode(buf(REF.extendedAclChange))).toEqual(r);
    expectMalformed(
      () => ExtendedAclChangeZNode.decode(buf('{"version":2,"resourceType":"TOPIC","name":"f","patternType":"PREFIXED"}')),
      '/kafka-acl-extended-changes/acl_changes_<seq>',
    );
  });
});

describe('delegation tokens and legacy consumer offsets', () => {
  it('token info JSON', () => {
    const t = {
      tokenId: 'tok1',
      owner: 'User:alice',
      renewers: ['User:bob'],
      issueTimestamp: 1,
      maxTimestamp: 3,
      expiryTimestamp: 2,
    };
    expect(json(DelegationTokenInfoZNode.encode(t))).toEqual({
      version: 1,
      owner: 'User%3Aalice',
      renewers: ['User%3Abob'],
      issueTimestamp: 1,
      maxTimestamp: 3,
      expiryTimestamp: 2,
      tokenId: 'tok1',
    });
    expect(DelegationTokenInfoZNode.decode(DelegationTokenInfoZNode.encode(t))).toEqual(t);
    expect(DelegationTokenInfoZNode.path('tok1')).toBe('/delegation_token/tokens/tok1');
    expect(DelegationTokenInfoZNode.decode(null)).toBeNull();
    expectMalformed(() => DelegationTokenInfoZNode.decode(buf('{"version":1,"owner":"x"}')), '/delegation_token/tokens/<tokenId>');
    expect(DelegationTokenChangeNotificationSequenceZNode.decode(DelegationTokenChangeNotificationSequenceZNode.encode('tok1'))).toBe('tok1');
  });
  it('consumer offsets are plain text', () => {
    expect(ConsumerOffsetZNode.path('g', 't', 0)).toBe('/consumers/g/offsets/t/0');
    expect(ConsumerOffsetZNode.encode(42n).toString()).toBe('42');
    expect(ConsumerOffsetZNode.decode(buf('42'))).toBe(42n);
    expect(ConsumerOffsetZNode.decode(null)).toBeNull();
    expectMalformed(() => ConsumerOffsetZNode.decode(buf('x')), '/consumers/<group>/offsets/<topic>/<partition>');
  });
});

describe('path lists', () => {
  it('PERSISTENT_ZK_PATHS matches ZkData.PersistentZkPaths (2.8)', () => {
    expect(PERSISTENT_ZK_PATHS).toEqual([
      '/consumers',
      '/brokers/ids',
      '/brokers/topics',
      '/config/changes',
      '/admin/delete_topics',
      '/brokers/seqid',
      '/isr_change_notification',
      '/latest_producer_id_block',
      '/log_dir_event_notification',
      '/config/topics',
      '/config/clients',
      '/config/users',
      '/config/brokers',
      '/config/ips',
    ]);
  });
  it('authorizer, secure and sensitive paths', () => {
    expect(ACL_ZK_PATHS).toEqual(['/kafka-acl', '/kafka-acl-changes', '/kafka-acl-extended/prefixed', '/kafka-acl-extended-changes']);
    expect(SECURE_ROOT_PATHS).toContain('/controller_epoch');
    expect(isSensitivePath('/config/users/alice')).toBe(true);
    expect(isSensitivePath('/config/topics/foo')).toBe(false);
  });
});
