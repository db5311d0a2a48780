import { encodeControlRecordKey, encodeLegacyMessageSet, encodeRecordBatchSync } from '../../../../broker/src/protocol/records';
import { decodeFetchedRecords } from './partition-fetch';

const v = (s: string): Buffer => Buffer.from(s);

describe('decodeFetchedRecords (what an assigned consumer makes of a Fetch record set)', () => {
  it('reads legacy magic 0/1 message sets and v2 batches in one record set, in offset order, from the fetch offset on', async () => {
    const legacy = await encodeLegacyMessageSet({ magic: 1, baseOffset: 0n, records: [{ value: v('a'), timestamp: 10n }, { value: v('b'), timestamp: 11n }] });
    const v2 = encodeRecordBatchSync({ baseOffset: 2n, records: [{ key: v('k'), value: v('c'), timestamp: 12n, headers: [{ key: 'h', value: v('x') }] }, { value: v('d'), timestamp: 13n }] });
    const { records, nextOffset } = await decodeFetchedRecords(Buffer.concat([legacy, v2]), 1n);
    expect(records.map((r) => [r.offset, r.value?.toString(), r.timestampType])).toEqual([
      [1n, 'b', 'CreateTime'],
      [2n, 'c', 'CreateTime'],
      [3n, 'd', 'CreateTime'],
    ]);
    expect(records[1]).toMatchObject({ key: v('k'), timestamp: 12n, headers: [{ key: 'h', value: v('x') }] });
    expect(nextOffset).toBe(4n);
  });

  it('leaves control batches out but moves past them, and ignores a partial last batch as clients do', async () => {
    const data = encodeRecordBatchSync({ baseOffset: 5n, records: [{ value: v('e'), timestamp: 1n }] });
    const control = encodeRecordBatchSync({ baseOffset: 6n, isControl: true, isTransactional: true, producerId: 1n, producerEpoch: 0, records: [{ key: encodeControlRecordKey(1), value: Buffer.alloc(6), timestamp: 1n }] });
    const next = encodeRecordBatchSync({ baseOffset: 7n, records: [{ value: v('f'), timestamp: 1n }] });
    const { records, nextOffset } = await decodeFetchedRecords(Buffer.concat([data, control, next.subarray(0, next.length - 3)]), 5n);
    expect(records.map((r) => r.value?.toString())).toEqual(['e']);
    expect(nextOffset).toBe(7n);
  });

  it('an empty or null record set leaves the offset where it was', async () => {
    expect(await decodeFetchedRecords(null, 9n)).toEqual({ records: [], nextOffset: 9n });
    expect(await decodeFetchedRecords(Buffer.alloc(0), 9n)).toEqual({ records: [], nextOffset: 9n });
  });
});
