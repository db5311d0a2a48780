import { ConfigError, LogConfig, TOPIC_CONFIG_KEYS, brokerLogDefaults } from './log-config';

describe('LogConfig', () => {
  it("has Kafka 2.8's topic defaults", () => {
    const c = new LogConfig();
    expect(c.segmentSize).toBe(1073741824);
    expect(c.segmentMs).toBe(604800000);
    expect(c.segmentJitterMs).toBe(0);
    expect(c.maxIndexSize).toBe(10485760);
    expect(c.indexInterval).toBe(4096);
    expect(c.retentionMs).toBe(604800000);
    expect(c.retentionSize).toBe(-1);
    expect(c.cleanupPolicy).toEqual(['delete']);
    expect([c.delete, c.compact]).toEqual([true, false]);
    expect(c.deleteRetentionMs).toBe(86400000);
    expect(c.minCleanableRatio).toBe(0.5);
    expect(c.compactionLagMs).toBe(0);
    expect(c.fileDeleteDelayMs).toBe(60000);
    expect(c.maxMessageSize).toBe(1048588);
    expect(c.messageTimestampType).toBe('CreateTime');
    expect(c.minInSyncReplicas).toBe(1);
    expect(c.compressionType).toBe('producer');
    expect(c.uncleanLeaderElectionEnable).toBe(false);
    expect(c.preallocate).toBe(false);
    expect(c.messageFormatVersion).toBe('2.8-IV1');
    expect(c.messageDownConversionEnable).toBe(true);
    // Long.MAX_VALUE settings are shown exactly as Kafka shows them.
    for (const k of ['max.compaction.lag.ms', 'message.timestamp.difference.max.ms', 'flush.messages', 'flush.ms']) {
      expect(c.valueString(k)).toBe('9223372036854775807');
    }
    expect(c.toStringMap().size).toBe(TOPIC_CONFIG_KEYS.length);
  });

  it('parses string overrides into typed values', () => {
    const c = new LogConfig({
      'segment.bytes': ' 1048576 ',
      'cleanup.policy': 'compact, delete',
      'min.cleanable.dirty.ratio': '0.25',
      preallocate: 'TRUE',
      'retention.ms': '-1',
      'message.timestamp.type': 'LogAppendTime',
      'message.format.version': '2.8',
    });
    expect(c.segmentSize).toBe(1048576);
    expect(c.cleanupPolicy).toEqual(['compact', 'delete']);
    expect([c.compact, c.delete]).toEqual([true, true]);
    expect(c.minCleanableRatio).toBe(0.25);
    expect(c.preallocate).toBe(true);
    expect(c.retentionMs).toBe(-1);
    expect(c.messageTimestampType).toBe('LogAppendTime');
    expect(c.valueString('cleanup.policy')).toBe('compact,delete');
  });

  it('rejects invalid values with errors naming the key, as INVALID_CONFIG', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ 'segment.bytes': 'lots' }, /Invalid value lots for configuration segment.bytes: Not a number of type INT/],
      [{ 'segment.bytes': '10' }, /configuration segment.bytes: Value must be at least 14/],
      [{ 'segment.bytes': '4294967296' }, /segment.bytes: Not a number of type INT/],
      [{ 'retention.ms': '-2' }, /retention.ms: Value must be at least -1/],
      [{ 'min.cleanable.dirty.ratio': '1.5' }, /min.cleanable.dirty.ratio: Value must be no more than 1/],
      [{ 'cleanup.policy': 'delete,archive' }, /cleanup.policy/],
      [{ preallocate: 'yes' }, /preallocate: Expected value to be either true or false/],
      [{ 'compression.type': 'brotli' }, /compression.type: String must be one of/],
      [{ 'message.format.version': '9.9' }, /message.format.version/],
      [{ 'no.such.config': '1' }, /Unknown topic config name: no.such.config/],
      [{ 'min.compaction.lag.ms': '10', 'max.compaction.lag.ms': '5' }, /conflict topic config setting/],
    ];
    for (const [props, message] of cases) {
      let thrown: unknown;
      try {
        new LogConfig(props);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(ConfigError);
      expect((thrown as ConfigError).message).toMatch(message);
      expect((thrown as ConfigError).name).toBe('INVALID_CONFIG');
    }
    expect(() => LogConfig.validate({ 'retention.ms': '1000' })).not.toThrow();
  });

  it('layers per-topic overrides over broker defaults and records which keys were overridden', () => {
    const defaults = brokerLogDefaults({ 'log.segment.bytes': '1000000', 'log.retention.hours': '1', 'log.cleanup.policy': 'compact' });
    const c = LogConfig.fromProps(defaults, { 'retention.ms': '5000' });
    expect(c.segmentSize).toBe(1000000);
    expect(c.retentionMs).toBe(5000);
    expect(c.compact).toBe(true);
    expect([...c.overriddenConfigs]).toEqual(['retention.ms']);
    const updated = c.withOverrides({ 'segment.ms': 1234 });
    expect(updated.segmentMs).toBe(1234);
    expect(updated.retentionMs).toBe(5000);
    expect([...updated.overriddenConfigs].sort()).toEqual(['retention.ms', 'segment.ms']);
  });

  it('maps the broker log.* keys to topic defaults with precedence ms > minutes > hours for retention', () => {
    expect(brokerLogDefaults({})['retention.ms']).toBe(168 * 3600000);
    expect(brokerLogDefaults({ 'log.retention.hours': '2' })['retention.ms']).toBe(7200000);
    expect(brokerLogDefaults({ 'log.retention.hours': '2', 'log.retention.minutes': '3' })['retention.ms']).toBe(180000);
    expect(brokerLogDefaults({ 'log.retention.hours': '2', 'log.retention.minutes': '3', 'log.retention.ms': '42' })['retention.ms']).toBe(42);
    expect(brokerLogDefaults({ 'log.retention.ms': '-5' })['retention.ms']).toBe(-1);
  });

  it('maps log.roll.ms over log.roll.hours, and the other broker names to topic names', () => {
    expect(brokerLogDefaults({ 'log.roll.hours': '1' })['segment.ms']).toBe(3600000);
    expect(brokerLogDefaults({ 'log.roll.hours': '1', 'log.roll.ms': '777' })['segment.ms']).toBe(777);
    expect(brokerLogDefaults({ 'log.roll.jitter.hours': '1' })['segment.jitter.ms']).toBe(3600000);
    const d = brokerLogDefaults({
      'log.index.interval.bytes': '100',
      'log.index.size.max.bytes': '2048',
      'log.cleaner.delete.retention.ms': '5',
      'log.cleaner.min.cleanable.ratio': '0.9',
      'log.cleaner.min.compaction.lag.ms': '6',
      'log.segment.delete.delay.ms': '7',
      'message.max.bytes': '8',
      'log.retention.bytes': '9',
      'log.message.timestamp.type': 'LogAppendTime',
      'log.flush.interval.messages': '10',
      'log.flush.scheduler.interval.ms': '11',
    });
    const c = new LogConfig(d);
    expect([c.indexInterval, c.maxIndexSize, c.deleteRetentionMs, c.minCleanableRatio, c.compactionLagMs]).toEqual([100, 2048, 5, 0.9, 6]);
    expect([c.fileDeleteDelayMs, c.maxMessageSize, c.retentionSize, c.flushInterval, c.flushMs]).toEqual([7, 8, 9, 10, 11]);
    expect(c.messageTimestampType).toBe('LogAppendTime');
    expect(brokerLogDefaults({ 'log.flush.scheduler.interval.ms': '11', 'log.flush.interval.ms': '12' })['flush.ms']).toBe(12);
    expect(() => brokerLogDefaults({ 'log.roll.hours': '0' })).toThrow(/log.roll.hours: Value must be at least 1/);
  });

  it('rolls compacted topics by min(segment.ms, max.compaction.lag.ms) and sizes preallocated files', () => {
    expect(new LogConfig({ 'segment.ms': '1000', 'max.compaction.lag.ms': '500' }).maxSegmentMs).toBe(1000);
    expect(new LogConfig({ 'cleanup.policy': 'compact', 'segment.ms': '1000', 'max.compaction.lag.ms': '500' }).maxSegmentMs).toBe(500);
    expect(new LogConfig({ preallocate: 'true', 'segment.bytes': '1000' }).initFileSize).toBe(1000);
    expect(new LogConfig({ 'segment.bytes': '1000' }).initFileSize).toBe(0);
    expect(new LogConfig({ 'message.format.version': '0.10.2' }).messageFormatRecordVersion).toBe(1);
    expect(new LogConfig({ 'message.format.version': '0.9.0' }).messageFormatRecordVersion).toBe(0);
  });
});
