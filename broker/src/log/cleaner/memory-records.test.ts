import { CompressionType, type SimpleRecord, decodeRecordBatch, encodeRecordBatch } from '../../protocol/records';
import { BatchRetention, type BatchInfo, type RecordFilter, type RecordView, filterTo } from './memory-records';
import { OffsetMap } from './offset-map';

const records: SimpleRecord[] = [
  { key: Buffer.from('a'), value: Buffer.from('1'), timestamp: 1_000, offsetDelta: 0, headers: [{ key: 'h', value: Buffer.from('x') }] },
  { key: Buffer.from('b'), value: null, timestamp: 3_000_000_000, offsetDelta: 2 },
  { key: Buffer.from('c'), value: Buffer.from('3'), timestamp: 5_000_000_000, offsetDelta: 5, headers: [{ key: 'n', value: null }] },
  { key: Buffer.from('d'), value: Buffer.from('4'), timestamp: 2_000, offsetDelta: 6 },
];

const keepKeys = (keys: string[], retention: BatchRetention = BatchRetention.DELETE_EMPTY): RecordFilter => ({
  checkBatchRetention: () => retention,
  shouldRetainRecord: (_b: BatchInfo, r: RecordView) => keys.includes(r.key()),
});

describe('filterTo', () => {
  it.each([CompressionType.None, CompressionType.Gzip, CompressionType.Zstd])(
    'rebuilds a partly kept batch exactly as a builder given the kept records and the original header fields would (codec %d)',
    async (compression) => {
      const header = { baseOffset: 100, partitionLeaderEpoch: 4, producerId: 77, producerEpoch: 2, baseSequence: 10, isTransactional: true, compression };
      const input = await encodeRecordBatch({ ...header, records, lastOffsetDelta: 8 });
      const result = await filterTo(input, keepKeys(['b', 'c']));
      const expected = await encodeRecordBatch({ ...header, records: [records[1]!, records[2]!], lastOffsetDelta: 8 });
      expect(result.output.equals(expected)).toBe(true);
      expect(result).toMatchObject({ bytesRead: input.length, messagesRead: 4, messagesRetained: 2, maxOffset: 105, maxTimestamp: 5_000_000_000, shallowOffsetOfMaxTimestamp: 108 });
      const decoded = await decodeRecordBatch(result.output);
      expect(decoded.records.map((r) => [Number(r.offset), Number(r.timestamp), r.headers.length])).toEqual([
        [102, 3_000_000_000, 0],
        [105, 5_000_000_000, 1],
      ]);
    },
  );

  it('passes whole batches through untouched, drops emptied ones, and keeps an empty header when asked', async () => {
    const a = await encodeRecordBatch({ records: records.slice(0, 2), baseOffset: 0 });
    const b = await encodeRecordBatch({ records: records.slice(2), baseOffset: 10, producerId: 5, producerEpoch: 1, baseSequence: 3, lastOffsetDelta: 6 });
    const input = Buffer.concat([a, b, b.subarray(0, 30)]);
    const kept = await filterTo(input, keepKeys(['a', 'b']));
    expect(kept.output.equals(a)).toBe(true);
    expect(kept.bytesRead).toBe(a.length + b.length);
    const empty = await filterTo(input, keepKeys([], BatchRetention.RETAIN_EMPTY));
    const header = await decodeRecordBatch(empty.output.subarray(61));
    expect(header).toMatchObject({ baseOffset: 10n, lastOffsetDelta: 6, recordsCount: 0, producerId: 5n, producerEpoch: 1, baseSequence: 3, firstTimestamp: 5_000_000_000n, maxTimestamp: 5_000_000_000n });
    expect(empty.output.length).toBe(2 * 61);
  });

  it('rejects a corrupt batch instead of giving it a fresh checksum', async () => {
    const input = await encodeRecordBatch({ records, baseOffset: 0 });
    input[input.length - 1] ^= 0xff;
    await expect(filterTo(input, keepKeys(['a']))).rejects.toThrow(/corrupt/);
  });
});

describe('OffsetMap', () => {
  const k = (text: string): [Buffer, number, number] => {
    // Keys are read where they lie: put them at an offset inside a larger buffer.
    const buf = Buffer.concat([Buffer.from('xx'), Buffer.from(text), Buffer.from('yy')]);
    return [buf, 2, text.length];
  };

  it('keeps the latest offset per key, -1 for unknown keys', () => {
    const map = new OffsetMap(10_000, 0.9);
    map.tryPut(...k('a'), 1);
    map.tryPut(...k('b'), 2);
    map.tryPut(...k('a'), 2 ** 40 + 3);
    expect([map.get(...k('a')), map.get(...k('b')), map.get(...k('c')), map.size, map.latestOffset]).toEqual([2 ** 40 + 3, 2, -1, 2, 2 ** 40 + 3]);
  });

  it('tells apart 300,000 keys of every length class (no collisions, growth keeps them all)', () => {
    const map = new OffsetMap(128 * 1024 * 1024, 0.9);
    const key = (i: number): [Buffer, number, number] => k(`${'k'.repeat(i % 37)}${i}`);
    let refused = 0;
    for (let i = 0; i < 300_000; i++) if (!map.tryPut(...key(i), i)) refused++;
    expect(refused).toBe(0);
    expect(map.size).toBe(300_000);
    for (let i = 0; i < 300_000; i += 997) expect(map.get(...key(i))).toBe(i);
    expect(map.get(...k(''))).toBe(-1);
  });

  it('stops taking new keys at slots x load factor, but still updates held ones', () => {
    const map = new OffsetMap(24 * 1024, 0.5);
    expect(map.slots).toBe(1024);
    let n = 0;
    while (map.tryPut(...k(`key-${n}`), n)) n++;
    expect(n).toBe(512);
    expect(map.get(...k(`key-${n}`))).toBe(-1);
    expect(map.tryPut(...k('key-0'), 99)).toBe(true);
    expect(map.get(...k('key-0'))).toBe(99);
    expect(map.utilization).toBe(0.5);
    map.clear();
    expect([map.size, map.latestOffset, map.utilization, map.get(...k('key-0'))]).toEqual([0, -1, 0, -1]);
  });
});
