import { encodeRecordBatchSync } from '../../../broker/src/protocol/records';
import { dumpLog, dumpOffsetIndex, dumpTimeIndex, fileBaseOffset, indexSanityProblem, readIndexEntries } from './dump-log-segments';

function segment(): Buffer {
  const first = encodeRecordBatchSync({
    baseOffset: 0n,
    partitionLeaderEpoch: 0,
    records: [
      { key: Buffer.from('k0'), value: Buffer.from('v0'), timestamp: 1600000000000 },
      { key: null, value: Buffer.from('v1'), timestamp: 1600000000001, headers: [{ key: 'h', value: null }] },
    ],
  });
  const second = encodeRecordBatchSync({ baseOffset: 2n, partitionLeaderEpoch: 1, producerId: 7n, producerEpoch: 0, baseSequence: 5, records: [{ value: null, timestamp: 1600000000005 }] });
  return Buffer.concat([first, second]);
}

function collect(): { lines: string[]; out: (l: string) => void } {
  const lines: string[] = [];
  return { lines, out: (l) => lines.push(l) };
}

test('DumpLogSegments prints one shallow line per batch with its header fields, position and validity', async () => {
  const { lines, out } = collect();
  const buf = segment();
  expect(await dumpLog('/d/00000000000000000000.log', buf, { printDataLog: false, deepIteration: false }, out)).toEqual([]);
  expect(lines[0]).toBe('Starting offset: 0');
  expect(lines[1]).toMatch(
    /^baseOffset: 0 lastOffset: 1 count: 2 baseSequence: -1 lastSequence: -1 producerId: -1 producerEpoch: -1 partitionLeaderEpoch: 0 isTransactional: false isControl: false position: 0 CreateTime: 1600000000001 size: \d+ magic: 2 compresscodec: NONE crc: \d+ isvalid: true$/,
  );
  const firstSize = Number(/size: (\d+)/.exec(lines[1]!)![1]);
  expect(lines[2]).toMatch(new RegExp(`^baseOffset: 2 lastOffset: 2 count: 1 baseSequence: 5 lastSequence: 5 producerId: 7 producerEpoch: 0 partitionLeaderEpoch: 1 .* position: ${firstSize} CreateTime: 1600000000005 `));
  expect(lines).toHaveLength(3);
});

test('--print-data-log adds the record lines with key and payload; null keys and values are left out', async () => {
  const { lines, out } = collect();
  await dumpLog('00000000000000000000.log', segment(), { printDataLog: true, deepIteration: false }, out);
  expect(lines.filter((l) => l.startsWith('|'))).toEqual([
    '| offset: 0 CreateTime: 1600000000000 keySize: 2 valueSize: 2 sequence: -1 headerKeys: [] key: k0 payload: v0',
    '| offset: 1 CreateTime: 1600000000001 keySize: -1 valueSize: 2 sequence: -1 headerKeys: [h] payload: v1',
    '| offset: 2 CreateTime: 1600000000005 keySize: -1 valueSize: -1 sequence: 5 headerKeys: []',
  ]);
});

test('a torn batch at the end of a segment is reported as invalid bytes', async () => {
  const { lines, out } = collect();
  const buf = segment();
  await dumpLog('00000000000000000000.log', Buffer.concat([buf, buf.subarray(0, 20)]), { printDataLog: false, deepIteration: true }, out);
  expect(lines.at(-1)).toBe('Found 20 invalid bytes at the end of 00000000000000000000.log');
});

test('a file not named after an offset is refused', () => {
  expect(fileBaseOffset('/x/00000000000000000042.timeindex')).toBe(42n);
  expect(() => fileBaseOffset('foo.log')).toThrow('is not named after an offset');
});

test('offset index entries stop at the preallocated zero tail and are checked against the segment', () => {
  const log = segment();
  const second = log.readInt32BE(8) + 12;
  const index = Buffer.alloc(32);
  index.writeInt32BE(0, 0);
  index.writeInt32BE(0, 4);
  index.writeInt32BE(2, 8);
  index.writeInt32BE(second, 12);
  expect(readIndexEntries(index, 0n, 'offset')).toHaveLength(2);
  const { lines, out } = collect();
  expect(dumpOffsetIndex('00000000000000000000.index', index, log, false, out)).toEqual([[0n, 1n]]);
  expect(lines).toEqual(['offset: 0 position: 0', `offset: 2 position: ${second}`]);
  const quiet = collect();
  dumpOffsetIndex('00000000000000000000.index', index, log, true, quiet.out);
  expect(quiet.lines).toEqual([]);
  dumpOffsetIndex('00000000000000000000.index', Buffer.alloc(0), log, false, quiet.out);
  expect(quiet.lines).toEqual(['00000000000000000000.index is empty.']);
});

test('time index entries print timestamp and offset, and a timestamp the batch lacks is a mismatch', () => {
  const log = segment();
  const ti = Buffer.alloc(24);
  ti.writeBigInt64BE(1600000000001n, 0);
  ti.writeInt32BE(1, 8);
  ti.writeBigInt64BE(1600000000009n, 12);
  ti.writeInt32BE(2, 20);
  const { lines, out } = collect();
  const errors = dumpTimeIndex('00000000000000000000.timeindex', ti, Buffer.alloc(0), log, false, out);
  expect(lines).toEqual(['timestamp: 1600000000001 offset: 1', 'timestamp: 1600000000009 offset: 2']);
  expect(errors).toEqual({ mismatches: [[1600000000009n, 1600000000005n]], outOfOrder: [], notFound: [] });
});

test('index sanity check rejects a size that is not a whole number of entries', () => {
  expect(indexSanityProblem('a.index', Buffer.alloc(16), 0n, 'offset')).toBeNull();
  expect(indexSanityProblem('a.index', Buffer.alloc(13), 0n, 'offset')).toBe('Index file a.index is corrupt, found 13 bytes which is neither positive nor a multiple of 8.');
});
