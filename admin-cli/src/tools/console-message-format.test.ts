import { DefaultMessageFormatter, LineMessageReader, parseKeyValueArgs, type ConsoleRecord } from './console-message-format';

const record = (over: Partial<ConsoleRecord> = {}): ConsoleRecord => ({
  partition: 0,
  offset: '3',
  timestamp: '1600000000000',
  timestampType: 'CreateTime',
  key: Buffer.from('k'),
  value: Buffer.from('v'),
  headers: [],
  ...over,
});

describe('parseKeyValueArgs (CommandLineUtils.parseKeyValueArgs)', () => {
  test('k=v pairs, a bare key means an empty value, a=b=c is refused', () => {
    expect([...parseKeyValueArgs(['print.key=true', 'key.separator=:', 'flag'])]).toEqual([
      ['print.key', 'true'],
      ['key.separator', ':'],
      ['flag', ''],
    ]);
    expect(() => parseKeyValueArgs(['a=b=c'])).toThrow('Invalid command line properties: a=b=c');
  });
});

describe('DefaultMessageFormatter (2.8)', () => {
  test('prints only the value by default', () => {
    expect(new DefaultMessageFormatter().format(record())).toBe('v\n');
  });

  test('orders timestamp, partition, offset, key, value, each separated by key.separator', () => {
    const f = new DefaultMessageFormatter(parseKeyValueArgs(['print.timestamp=true', 'print.partition=true', 'print.offset=true', 'print.key=true']));
    expect(f.format(record())).toBe('CreateTime:1600000000000\tPartition:0\tOffset:3\tk\tv\n');
  });

  test('null keys and values print as null (null.literal), a custom key.separator is used verbatim', () => {
    const f = new DefaultMessageFormatter(parseKeyValueArgs(['print.key=true', 'key.separator=:']));
    expect(f.format(record({ key: null, value: null }))).toBe('null:null\n');
    expect(new DefaultMessageFormatter(parseKeyValueArgs(['print.key=true', 'null.literal=-'])).format(record({ key: null }))).toBe('-\tv\n');
  });

  test('LogAppendTime and records without a timestamp are named as Kafka names them', () => {
    const f = new DefaultMessageFormatter(parseKeyValueArgs(['print.timestamp=TRUE']));
    expect(f.format(record({ timestampType: 'LogAppendTime' }))).toBe('LogAppendTime:1600000000000\tv\n');
    expect(f.format(record({ timestampType: 'NO_TIMESTAMP' }))).toBe('NO_TIMESTAMP\tv\n');
  });

  test('headers print as NO_HEADERS or key:value joined by headers.separator, before the key', () => {
    const f = new DefaultMessageFormatter(parseKeyValueArgs(['print.headers=true', 'print.key=true']));
    expect(f.format(record())).toBe('NO_HEADERS\tk\tv\n');
    expect(f.format(record({ headers: [{ key: 'a', value: Buffer.from('1') }, { key: 'b', value: null }] }))).toBe('a:1,b:null\tk\tv\n');
  });

  test('print.value=false ends the line after the last printed field', () => {
    const f = new DefaultMessageFormatter(parseKeyValueArgs(['print.key=true', 'print.value=false']));
    expect(f.format(record())).toBe('k\n');
  });
});

describe('LineMessageReader (2.8)', () => {
  test('without parse.key the whole line is the value', () => {
    expect(new LineMessageReader().read('a:b')).toEqual({ key: null, value: 'a:b' });
  });

  test('parse.key splits at the first key.separator (tab by default)', () => {
    const r = new LineMessageReader(parseKeyValueArgs(['parse.key=true', 'key.separator=:']));
    expect(r.read('k1:v:1')).toEqual({ key: 'k1', value: 'v:1' });
    expect(r.read('k2:')).toEqual({ key: 'k2', value: '' });
    expect(new LineMessageReader(parseKeyValueArgs(['parse.key=true'])).read('k\tv')).toEqual({ key: 'k', value: 'v' });
  });

  test('a keyed line without the separator fails with its line number, unless ignore.error', () => {
    const r = new LineMessageReader(parseKeyValueArgs(['parse.key=true', 'key.separator=:']));
    r.read('a:1');
    expect(() => r.read('nokey')).toThrow('No key found on line 2: nokey');
    expect(new LineMessageReader(parseKeyValueArgs(['parse.key=true', 'ignore.error=true'])).read('nokey')).toEqual({ key: null, value: 'nokey' });
  });
});
