import { exceptionClassName, formatLogDirsJson, parseBrokerList } from './log-dirs-format';

test('LogDirsCommand JSON: version 1, brokers with their log dirs, partitions named topic-partition', () => {
  const res = {
    throttleTimeMs: 0,
    results: [
      {
        errorCode: 0,
        logDir: '/data/1',
        topics: [
          { name: 'a', partitions: [{ partitionIndex: 0, partitionSize: 123n, offsetLag: 0n, isFutureKey: false }] },
          { name: 'b', partitions: [{ partitionIndex: 2, partitionSize: 5n, offsetLag: 1n, isFutureKey: true }] },
        ],
      },
      { errorCode: 56, logDir: '/data/2', topics: [] },
    ],
  };
  expect(formatLogDirsJson([[1, res]], new Set(['a']))).toBe(
    '{"version":1,"brokers":[{"broker":1,"logDirs":[{"logDir":"/data/1","error":null,"partitions":[{"partition":"a-0","size":123,"offsetLag":0,"isFuture":false}]},{"logDir":"/data/2","error":"org.apache.kafka.common.errors.KafkaStorageException","partitions":[]}]}]}',
  );
  expect(JSON.parse(formatLogDirsJson([[1, res]], new Set())).brokers[0].logDirs[0].partitions).toHaveLength(2);
});

test('error codes become Kafka exception class names', () => {
  expect(exceptionClassName(3)).toBe('org.apache.kafka.common.errors.UnknownTopicOrPartitionException');
});

test('--broker-list is comma-separated ids; a non-number is refused as Java words it', () => {
  expect(parseBrokerList('1,2,,2')).toEqual([1, 2]);
  expect(() => parseBrokerList('1,x')).toThrow('For input string: "x"');
});
