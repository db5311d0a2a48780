import { ProtocolDecodeError } from '../decode-error';
import { CompressionType, ControlRecordType, TimestampType } from './constants';
import { encodeControlRecordKey, encodeEndTransactionMarker, parseControlRecord } from './control-record';
import type { SimpleRecord } from './record';
import { DefaultRecordBatch, validateBatchHeader } from './record-batch';
import { encodeRecordBatch, encodeRecordBatchSync } from './record-batch-builder';
import { decodeRecordBatch, decodeRecordBatches } from './record-batch-decoder';
import { sampleRecords } from './testing/samples';

const CODECS = [
  CompressionType.None,
  CompressionType.Gzip,
  CompressionType.Snappy,
  CompressionType.Lz4,
  CompressionType.Zstd,
] as const;

const hex = (b: Buffer | null | undefined): string | null => (b == null ? null : b.toString('hex'));

/** Compares through hex strings: jest's deep equality on thousands of Buffers is slow. */
function expectSameRecords(decoded: Awaited<ReturnType<typeof decodeRecordBatch>>, records: SimpleRecord[], baseOffset = 0n): void {
  const actual = decoded.records.map((r) => ({
    offset: r.offset,
    timestamp: r.timestamp,
    key: hex(r.key),
    value: hex(r.value),
    headers: r.headers.map((h) => [h.key, hex(h.value)]),
  }));
  const expected = records.map((src, i) => ({
    offset: baseOffset + BigInt(src.offsetDelta ?? i),
    timestamp: BigInt(src.timestamp),
    key: hex(src.key),
    value: hex(src.value),
    headers: (src.headers ?? []).map((h) => [h.key, hex(h.value)]),
  }));
  expect(actual).toEqual(expected);
}

/** Re-signs a batch after a test edits a CRC-covered field. */
function resign(buf: Buffer): Buffer {
  buf.writeUInt32BE(new DefaultRecordBatch(buf).computeChecksum(), 17);
  return buf;
}

describe('RecordBatch v2 encode/decode', () => {
  it.each(CODECS)('round-trips a batch with codec %d', async (compression) => {
    const records = sampleRecords(10 + compression, 200);
    const buf = await encodeRecordBatch({
      records,
      compression,
      baseOffset: 1000n,
      partitionLeaderEpoch: 4,
      producerId: 99n,
      producerEpoch: 2,
      baseSequence: 50,
    });
    const view = validateBatchHeader(buf);
    expect(view.compression).toBe(compression);
    const decoded = await decodeRecordBatch(buf, { origin: 'client' });
    expect(decoded).toMatchObject({
      baseOffset: 1000n,
      sizeInBytes: buf.length,
      partitionLeaderEpoch: 4,
      magic: 2,
      compression,
      producerId: 99n,
      producerEpoch: 2,
      baseSequence: 50,
      recordsCount: 200,
      lastOffsetDelta: 199,
      isControl: false,
      isTransactional: false,
      timestampType: TimestampType.CreateTime,
      firstTimestamp: BigInt(records[0]!.timestamp),
    });
    expect(decoded.crc).toBe(view.crc);
    expectSameRecords(decoded, records, 1000n);
  });

  it('compresses large batches across many codec blocks', async () => {
    const records = sampleRecords(5, 3000);
    for (const compression of CODECS) {
      const buf = await encodeRecordBatch({ records, compression });
      expectSameRecords(await decodeRecordBatch(buf), records);
    }
  });

  it('keeps explicit offset deltas, bigint timestamps and far-apart timestamps', async () => {
    const records: SimpleRecord[] = [
      { key: Buffer.from('a'), value: Buffer.from('1'), timestamp: 10n ** 15n, offsetDelta: 0 },
      { key: Buffer.from('b'), value: null, timestamp: -1, offsetDelta: 3 },
      { key: null, value: Buffer.alloc(0), timestamp: 2n ** 62n, offsetDelta: 2 ** 31 - 1 },
    ];
    const buf = await encodeRecordBatch({ records, baseOffset: 5n });
    const decoded = await decodeRecordBatch(buf);
    expectSameRecords(decoded, records, 5n);
    expect(decoded.lastOffsetDelta).toBe(2 ** 31 - 1);
    expect(decoded.maxTimestamp).toBe(2n ** 62n);
  });

  it('reports the batch maxTimestamp for every record of a LogAppendTime batch', async () => {
    const records = sampleRecords(3, 4);
    const buf = await encodeRecordBatch({ records, timestampType: TimestampType.LogAppendTime, maxTimestamp: 42n });
    const decoded = await decodeRecordBatch(buf);
    expect(decoded.timestampType).toBe(TimestampType.LogAppendTime);
    expect(decoded.records.map((r) => r.timestamp)).toEqual([42n, 42n, 42n, 42n]);
  });

  it('rejects bad offset deltas and oversized numbers when encoding', () => {
    const r = (offsetDelta: number): SimpleRecord => ({ value: null, timestamp: 0, offsetDelta });
    expect(() => encodeRecordBatchSync({ records: [r(1), r(1)] })).toThrow(RangeError);
    expect(() => encodeRecordBatchSync({ records: [r(-1)] })).toThrow(RangeError);
    expect(() => encodeRecordBatchSync({ records: [r(0)], baseOffset: 2 ** 60 })).toThrow(RangeError);
    expect(() => encodeRecordBatchSync({ records: [r(0)], compression: CompressionType.Gzip })).toThrow(RangeError);
  });

  it('decodes an empty (compacted) batch from a log', async () => {
    const buf = encodeRecordBatchSync({ records: [], baseOffset: 10n, lastOffsetDelta: 4, producerId: 3n });
    const decoded = await decodeRecordBatch(buf);
    expect(decoded.records).toEqual([]);
    expect(decoded.firstTimestamp).toBe(-1n);
    await expect(decodeRecordBatch(buf, { origin: 'client' })).rejects.toThrow(ProtocolDecodeError);
  });

  it('does not decompress an empty compressed batch', async () => {
    const buf = resign(encodeRecordBatchSync({ records: [], lastOffsetDelta: 2 }));
    buf.writeInt16BE(CompressionType.Zstd, 21);
    expect((await decodeRecordBatch(resign(buf))).records).toEqual([]);
  });

  it('decodes several batches and a trailing partial one', async () => {
    const a = await encodeRecordBatch({ records: sampleRecords(1, 3), compression: CompressionType.Lz4 });
    const b = await encodeRecordBatch({ records: sampleRecords(2, 3), baseOffset: 3 });
    const { batches, partialBytes } = await decodeRecordBatches(Buffer.concat([a, b, b.subarray(0, 30)]));
    expect(batches.map((x) => x.baseOffset)).toEqual([0n, 3n]);
    expect(partialBytes).toBe(30);
  });
});

describe('RecordBatch v2 decode errors', () => {
  it('rejects records left over after the declared count', async () => {
    const buf = encodeRecordBatchSync({ records: sampleRecords(1, 3) });
    buf.writeInt32BE(2, 57);
    buf.writeInt32BE(1, 23);
    await expect(decodeRecordBatch(resign(buf))).rejects.toThrow(/still remaining/);
  });

  it('rejects a count larger than the records present', async () => {
    const buf = encodeRecordBatchSync({ records: sampleRecords(1, 3), lastOffsetDelta: 3 });
    buf.writeInt32BE(4, 57);
    await expect(decodeRecordBatch(resign(buf))).rejects.toThrow(ProtocolDecodeError);
  });

  it('rejects a record whose length prefix disagrees with its body', async () => {
    const buf = encodeRecordBatchSync({ records: [{ key: Buffer.from('k'), value: Buffer.from('v'), timestamp: 0 }] });
    buf[61] = buf[61]! + 2; // length varint of the only record
    await expect(decodeRecordBatch(resign(buf))).rejects.toThrow(/record size/);
  });

  it('rejects an unknown codec', async () => {
    const buf = encodeRecordBatchSync({ records: sampleRecords(1, 1) });
    buf.writeInt16BE(6, 21);
    await expect(decodeRecordBatch(resign(buf))).rejects.toThrow(/unknown compression codec 6/);
  });

  it('rejects compressed records that are not valid for their codec', async () => {
    for (const compression of [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) {
      const buf = encodeRecordBatchSync({ records: sampleRecords(1, 3) });
      buf.writeInt16BE(compression, 21);
      await expect(decodeRecordBatch(resign(buf))).rejects.toThrow(ProtocolDecodeError);
    }
  });

  it('caps decompressed size', async () => {
    const records: SimpleRecord[] = [{ value: Buffer.alloc(200_000), timestamp: 0 }];
    for (const compression of [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) {
      const buf = await encodeRecordBatch({ records, compression });
      expect(buf.length).toBeLessThan(20_000);
      await expect(decodeRecordBatch(buf, { maxDecompressedBytes: 100_000 })).rejects.toThrow(/limit|bound|exceed|too large|larger/i);
      await expect(decodeRecordBatch(buf, { maxDecompressedBytes: 300_000 })).resolves.toBeDefined();
    }
  });
});

describe('control batches', () => {
  it.each([
    ['COMMIT', ControlRecordType.Commit],
    ['ABORT', ControlRecordType.Abort],
  ] as const)('encodes and decodes a %s marker', async (_name, type) => {
    const buf = encodeEndTransactionMarker({
      type,
      coordinatorEpoch: 17,
      producerId: 8000n,
      producerEpoch: 5,
      baseOffset: 77n,
      partitionLeaderEpoch: 3,
      timestamp: 1_700_000_000_123,
    });
    const view = validateBatchHeader(buf);
    expect(view.isControl).toBe(true);
    expect(view.isTransactional).toBe(true);
    expect(view.baseSequence).toBe(-1);
    const decoded = await decodeRecordBatch(buf);
    expect(decoded.controlRecord).toEqual({ version: 0, type, coordinatorEpoch: 17 });
    expect(decoded.records[0]!.key).toEqual(Buffer.from([0, 0, 0, type]));
    expect(decoded.records[0]!.value).toEqual(Buffer.from([0, 0, 0, 0, 0, 17]));
    expect(decoded).toMatchObject({ producerId: 8000n, producerEpoch: 5, baseOffset: 77n, partitionLeaderEpoch: 3 });
  });

  it('passes unknown control types through without a value', () => {
    expect(parseControlRecord(Buffer.from([0, 1, 0, 9]), null)).toEqual({ version: 1, type: 9 });
  });

  it('rejects short control keys and marker values', async () => {
    expect(() => parseControlRecord(Buffer.from([0, 0, 1]), null)).toThrow(ProtocolDecodeError);
    expect(() => parseControlRecord(encodeControlRecordKey(ControlRecordType.Commit), Buffer.alloc(5))).toThrow(
      ProtocolDecodeError,
    );
    const buf = encodeRecordBatchSync({ records: [{ key: Buffer.from([0]), value: null, timestamp: 0 }], isControl: true });
    await expect(decodeRecordBatch(buf)).rejects.toThrow(/control record key/);
  });
});
