import { ProtocolDecodeError } from '../decode-error';
import { CompressionType, TimestampType } from './constants';
import { DefaultRecordBatch, RecordBatchIterator, recordsMagic, scanRecordBatches, validateBatchHeader } from './record-batch';
import { encodeRecordBatch, encodeRecordBatchSync } from './record-batch-builder';
import { sampleRecords } from './testing/samples';

function batch(count = 5, extra: Partial<Parameters<typeof encodeRecordBatchSync>[0]> = {}): Buffer {
  return encodeRecordBatchSync({
    records: sampleRecords(count, count),
    baseOffset: 0,
    producerId: 1234n,
    producerEpoch: 7,
    baseSequence: 100,
    isTransactional: true,
    ...extra,
  });
}

/** Rewrites the CRC after a test edits a covered field, so the next check is reached. */
function resign(buf: Buffer): void {
  buf.writeUInt32BE(new DefaultRecordBatch(buf).computeChecksum(), 17);
}

function decodeError(fn: () => unknown): ProtocolDecodeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolDecodeError);
    return e as ProtocolDecodeError;
  }
  throw new Error('expected a ProtocolDecodeError');
}

describe('DefaultRecordBatch view', () => {
  it('reads every header field in place', () => {
    const records = sampleRecords(1, 5);
    const buf = encodeRecordBatchSync({
      records,
      baseOffset: 42n,
      partitionLeaderEpoch: 9,
      producerId: 1234n,
      producerEpoch: 7,
      baseSequence: 100,
      isTransactional: true,
    });
    const v = validateBatchHeader(buf);
    expect(v.baseOffset).toBe(42n);
    expect(v.sizeInBytes).toBe(buf.length);
    expect(v.batchLength).toBe(buf.length - 12);
    expect(v.partitionLeaderEpoch).toBe(9);
    expect(v.magic).toBe(2);
    expect(v.compression).toBe(CompressionType.None);
    expect(v.timestampType).toBe(TimestampType.CreateTime);
    expect(v.isTransactional).toBe(true);
    expect(v.isControl).toBe(false);
    expect(v.lastOffsetDelta).toBe(4);
    expect(v.lastOffset).toBe(46n);
    expect(v.nextOffset).toBe(47n);
    expect(v.firstTimestamp).toBe(BigInt(records[0]!.timestamp));
    expect(v.maxTimestamp).toBe(BigInt(Math.max(...records.map((r) => Number(r.timestamp)))));
    expect(v.producerId).toBe(1234n);
    expect(v.hasProducerId).toBe(true);
    expect(v.producerEpoch).toBe(7);
    expect(v.baseSequence).toBe(100);
    expect(v.lastSequence).toBe(104);
    expect(v.recordsCount).toBe(5);
    expect(v.isValid()).toBe(true);
    expect(v.bytes().buffer).toBe(buf.buffer);
  });

  it('wraps lastSequence past Int.MAX to 0 as Kafka does', () => {
    const v = validateBatchHeader(batch(5, { baseSequence: 2 ** 31 - 2 }));
    expect(v.lastSequence).toBe(2);
  });

  it('views a batch in the middle of a larger buffer', () => {
    const b = batch();
    const buf = Buffer.concat([Buffer.alloc(7, 0xee), b, Buffer.alloc(3)]);
    const v = validateBatchHeader(buf, 7);
    expect(v.recordsCount).toBe(5);
    expect(v.bytes()).toEqual(b);
  });

  it('sets baseOffset and partitionLeaderEpoch without touching the CRC', () => {
    const buf = batch();
    const crc = buf.readUInt32BE(17);
    const v = validateBatchHeader(buf);
    v.setBaseOffset(2n ** 40n + 5n);
    v.setPartitionLeaderEpoch(77);
    expect(v.baseOffset).toBe(2n ** 40n + 5n);
    expect(v.partitionLeaderEpoch).toBe(77);
    expect(buf.readUInt32BE(17)).toBe(crc);
    expect(v.isValid()).toBe(true);
    v.setBaseOffset(123);
    expect(v.baseOffset).toBe(123n);
    v.setLastOffset(1000n);
    expect(v.baseOffset).toBe(996n);
  });

  it('sets maxTimestamp and LogAppendTime and recomputes the CRC', () => {
    const buf = batch();
    const before = buf.readUInt32BE(17);
    const v = validateBatchHeader(buf);
    v.setMaxTimestamp(TimestampType.LogAppendTime, 1_800_000_000_000);
    expect(v.timestampType).toBe(TimestampType.LogAppendTime);
    expect(v.maxTimestamp).toBe(1_800_000_000_000n);
    expect(v.isTransactional).toBe(true);
    expect(buf.readUInt32BE(17)).not.toBe(before);
    expect(() => validateBatchHeader(buf)).not.toThrow();
  });
});

describe('validateBatchHeader', () => {
  it('detects a flipped bit anywhere in the CRC-covered region', () => {
    const clean = batch(3);
    for (let i = 21; i < clean.length; i++) {
      const buf = Buffer.from(clean);
      buf[i]! ^= 0x10;
      expect(decodeError(() => validateBatchHeader(buf)).message).toMatch(/corrupt|count/);
    }
  });

  it('detects a corrupted stored CRC', () => {
    const buf = batch();
    buf[18]! ^= 1;
    const err = decodeError(() => validateBatchHeader(buf));
    expect(err.message).toMatch(/stored crc/);
    expect(err.offset).toBe(17);
  });

  it('accepts changes to the fields outside the CRC (baseOffset, leader epoch)', () => {
    const buf = batch();
    buf.fill(0x5a, 0, 8);
    buf.fill(0x01, 12, 16);
    expect(() => validateBatchHeader(buf)).not.toThrow();
  });

  it('rejects an unsupported magic', () => {
    const buf = batch();
    buf[16] = 1;
    expect(decodeError(() => validateBatchHeader(buf)).offset).toBe(16);
  });

  it.each([
    ['below the minimum', 48],
    ['negative', -1],
    ['past the end of the buffer', 1_000_000],
    ['absurd', 2 ** 31 - 1],
  ])('rejects a batch length %s', (_name, length) => {
    const buf = batch();
    buf.writeInt32BE(length, 8);
    expect(decodeError(() => validateBatchHeader(buf)).offset).toBe(8);
  });

  it('rejects a truncated batch', () => {
    const buf = batch();
    for (const n of [0, 11, 16, 60, buf.length - 1]) {
      expect(() => validateBatchHeader(buf.subarray(0, n))).toThrow(ProtocolDecodeError);
    }
  });

  it('enforces count == lastOffsetDelta + 1 for client batches but allows compacted ones from a log', async () => {
    const compacted = await encodeRecordBatch({
      records: [
        { value: Buffer.from('a'), timestamp: 1, offsetDelta: 0 },
        { value: Buffer.from('b'), timestamp: 2, offsetDelta: 5 },
      ],
    });
    expect(decodeError(() => validateBatchHeader(compacted)).message).toMatch(/inconsistent record count 2/);
    expect(validateBatchHeader(compacted, 0, { origin: 'log' }).lastOffsetDelta).toBe(5);
    const empty = encodeRecordBatchSync({ records: [], lastOffsetDelta: 9 });
    expect(() => validateBatchHeader(empty)).toThrow(ProtocolDecodeError);
    expect(validateBatchHeader(empty, 0, { origin: 'log' }).recordsCount).toBe(0);
  });

  it('rejects counts that cannot fit, checked after the CRC', () => {
    const buf = encodeRecordBatchSync({ records: sampleRecords(2, 2), lastOffsetDelta: 999 });
    buf.writeInt32BE(1000, 57);
    resign(buf);
    expect(decodeError(() => validateBatchHeader(buf, 0, { origin: 'log' })).message).toMatch(/cannot fit/);
  });

  it('rejects negative lastOffsetDelta and counts', () => {
    const buf = batch();
    buf.writeInt32BE(-1, 23);
    resign(buf);
    expect(decodeError(() => validateBatchHeader(buf, 0, { origin: 'log' })).message).toMatch(/lastOffsetDelta/);
  });
});

describe('RecordBatchIterator', () => {
  it('walks concatenated batches and reports a trailing partial batch', () => {
    const a = batch(3);
    const b = batch(4, { baseOffset: 3 });
    const c = batch(2, { baseOffset: 7 });
    for (const cut of [1, 11, 12, 16, 17, 40, c.length - 1]) {
      const buf = Buffer.concat([a, b, c.subarray(0, cut)]);
      const scan = scanRecordBatches(buf, { origin: 'log' });
      expect(scan.batches.map((x) => x.baseOffset)).toEqual([0n, 3n]);
      expect(scan.validBytes).toBe(a.length + b.length);
      expect(scan.partialBytes).toBe(cut);
    }
    const whole = scanRecordBatches(Buffer.concat([a, b, c]));
    expect(whole.batches).toHaveLength(3);
    expect(whole.partialBytes).toBe(0);
  });

  it('throws on corruption in a whole batch rather than calling it partial', () => {
    const a = batch(3);
    const b = batch(4);
    b[b.length - 1]! ^= 0xff;
    const it = new RecordBatchIterator(Buffer.concat([a, b]));
    expect(it.next().done).toBe(false);
    expect(() => it.next()).toThrow(/corrupt/);
  });

  it('throws on an impossible length or magic even in the trailing bytes', () => {
    const a = batch(3);
    const bad = Buffer.from(batch(2).subarray(0, 20));
    bad.writeInt32BE(10, 8);
    expect(() => scanRecordBatches(Buffer.concat([a, bad]))).toThrow(/smaller than the minimum/);
    const badMagic = Buffer.from(batch(2).subarray(0, 20));
    badMagic[16] = 7;
    expect(() => scanRecordBatches(Buffer.concat([a, badMagic]))).toThrow(/magic 7/);
  });

  it('turns a batch larger than maxBatchSize into an error instead of a partial', () => {
    const a = batch(3);
    expect(scanRecordBatches(a.subarray(0, 30)).partialBytes).toBe(30);
    expect(() => scanRecordBatches(a.subarray(0, 30), { maxBatchSize: 64 })).toThrow(/exceeds the maximum/);
  });

  it('can skip CRC checks when asked', () => {
    const a = batch(3);
    a[a.length - 1]! ^= 1;
    expect(scanRecordBatches(a, { validate: false }).batches).toHaveLength(1);
  });

  it('handles an empty buffer', () => {
    expect(scanRecordBatches(Buffer.alloc(0))).toEqual({ batches: [], validBytes: 0, partialBytes: 0 });
  });
});

describe('recordsMagic', () => {
  it('reads the magic byte that both formats keep at byte 16', () => {
    expect(recordsMagic(batch())).toBe(2);
    expect(recordsMagic(Buffer.alloc(10))).toBe(-1);
  });
});
