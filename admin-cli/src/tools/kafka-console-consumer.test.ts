import type { KafkaMessage } from 'kafkajs';
import { consoleConsumerConfig, toConsoleRecord } from './kafka-console-consumer';
import { parseAcks } from './kafka-console-producer';

describe('ConsoleConsumer option checks (2.8)', () => {
  const base = { bootstrapServer: 'h:1', topic: 't' };
  test('without --group a random console-consumer-<0..99999> group is used and not committed to', () => {
    const cfg = consoleConsumerConfig(base, () => 0.123456);
    expect(cfg.groupId).toBe('console-consumer-12345');
    expect(cfg.groupIdPassed).toBe(false);
    expect(consoleConsumerConfig({ ...base, group: 'g' }).groupIdPassed).toBe(true);
  });

  test('--from-beginning starts at earliest, else latest; --offset parses earliest|latest|n', () => {
    expect(consoleConsumerConfig(base).start).toEqual({ kind: 'latest' });
    expect(consoleConsumerConfig({ ...base, fromBeginning: true }).start).toEqual({ kind: 'earliest' });
    expect(consoleConsumerConfig({ ...base, partition: 0, offset: 'EARLIEST' }).start).toEqual({ kind: 'earliest' });
    expect(consoleConsumerConfig({ ...base, partition: 0, offset: '42' }).start).toEqual({ kind: 'offset', offset: 42n });
  });

  test('invalid combinations fail in Kafka words', () => {
    expect(() => consoleConsumerConfig({ bootstrapServer: 'h:1' })).toThrow('Exactly one of whitelist/topic is required.');
    expect(() => consoleConsumerConfig({ ...base, offset: '1' })).toThrow('The partition is required when offset is specified.');
    expect(() => consoleConsumerConfig({ ...base, partition: 0, offset: '1', fromBeginning: true })).toThrow('Options from-beginning and offset cannot be specified together.');
    expect(() => consoleConsumerConfig({ ...base, partition: 0, offset: '-1' })).toThrow("The provided offset value '-1' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long.");
    expect(() => consoleConsumerConfig({ ...base, partition: 0, group: 'g' })).toThrow('Options group and partition cannot be specified together.');
    expect(() => consoleConsumerConfig({ ...base, group: 'a', consumerProperty: ['group.id=b'] })).toThrow("Detected group ids: 'a', 'b'");
  });

  test('a kafkajs message becomes a formatter record with its batch timestamp type and headers', () => {
    const m = { key: null, value: Buffer.from('v'), timestamp: '5', offset: '7', attributes: 0, size: 0, headers: { h: Buffer.from('x') }, batchContext: { timestampType: 1 } };
    expect(toConsoleRecord(2, m as unknown as KafkaMessage)).toEqual({ partition: 2, offset: '7', timestamp: '5', timestampType: 'LogAppendTime', key: null, value: Buffer.from('v'), headers: [{ key: 'h', value: Buffer.from('x') }] });
  });
});

describe('ConsoleProducer --request-required-acks', () => {
  test('all and -1 mean every ISR replica, 0 and 1 as given, anything else is refused', () => {
    expect(parseAcks('all')).toBe(-1);
    expect(parseAcks('-1')).toBe(-1);
    expect(parseAcks('0')).toBe(0);
    expect(parseAcks('1')).toBe(1);
    expect(() => parseAcks('2')).toThrow('Invalid value 2 for configuration acks');
  });
});
