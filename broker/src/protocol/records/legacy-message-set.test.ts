import { ProtocolDecodeError } from '../decode-error';
import { compress } from './compression';
import { CompressionType, TimestampType } from './constants';
import { crc32 } from './crc32';
import { downConvertToMessageSet, upConvertToRecordBatch } from './legacy-conversion';
import { type LegacyRecordInput, decodeLegacyMessageSet, encodeLegacyMessageSet, legacyRecords } from './legacy-message-set';
import { validateBatchHeader } from './record-batch';
import { encodeRecordBatch } from './record-batch-builder';
import { decodeRecordBatch } from './record-batch-decoder';
import { sampleRecords } from './testing/samples';

const LEGACY_CODECS = [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4] as const;

function inputs(seed: number, n: number): LegacyRecordInput[] {
  return sampleRecords(seed, n).map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp }));
}

const hex = (b: Buffer | null | undefined): string | null => (b == null ? null : b.toString('hex'));

describe.each([0, 1] as const)('legacy message set v%d', (magic) => {
  it.each(LEGACY_CODECS)('round-trips with codec %d', async (compression) => {
    const records = inputs(magic * 10 + compression, 40);
    const buf = await encodeLegacyMessageSet({ magic, compression, baseOffset: 500n, records });
    const set = await decodeLegacyMessageSet(buf);
    expect(set.partialBytes).toBe(0);
    expect(set.validBytes).toBe(buf.length);
    expect(set.entries).toHaveLength(compression === CompressionType.None ? 40 : 1);
    const decoded = legacyRecords(set);
    expect(decoded.map((r) => [r.offset, r.magic, hex(r.key), hex(r.value), r.timestamp])).toEqual(
      records.map((r, i) => [500n + BigInt(i), magic, hex(r.key), hex(r.value), magic === 0 ? -1n : BigInt(r.timestamp!)]),
    );
    expect(decoded.every((r) => r.timestampType === (magic === 0 ? TimestampType.NoTimestampType : TimestampType.CreateTime))).toBe(true);
    if (compression !== CompressionType.None) {
      const wrapper = set.entries[0]!;
      expect(wrapper.offset).toBe(539n);
      expect(wrapper.key).toBeNull();
      expect(wrapper.compression).toBe(compression);
      if (magic === 1) expect(wrapper.timestamp).toBe(BigInt(Math.max(...records.map((r) => Number(r.timestamp)))));
    }
  });

  it('tolerates a trailing partial entry', async () => {
    const buf = await encodeLegacyMessageSet({ magic, records: inputs(3, 3) });
    const firstSize = (await decodeLegacyMessageSet(buf)).entries[0]!.sizeInBytes;
    for (const cut of [1, 11, 12, 20, firstSize - 1]) {
      const set = await decodeLegacyMessageSet(Buffer.concat([buf, buf.subarray(0, cut)]));
      expect(set.entries).toHaveLength(3);
      expect(set.partialBytes).toBe(cut);
    }
  });

  it('detects CRC corruption', async () => {
    const buf = await encodeLegacyMessageSet({ magic, records: inputs(4, 2) });
    buf[buf.length - 1]! ^= 1;
    await expect(decodeLegacyMessageSet(buf)).rejects.toThrow(/crc/);
    await expect(decodeLegacyMessageSet(buf, { verifyCrc: false })).resolves.toBeDefined();
  });

  it('rejects key and value lengths that run past the message', async () => {
    const buf = await encodeLegacyMessageSet({ magic, records: [{ key: Buffer.from('k'), value: Buffer.from('v'), timestamp: 0 }] });
    const keyLenAt = 12 + (magic === 0 ? 6 : 14);
    buf.writeInt32BE(1000, keyLenAt);
    buf.writeUInt32BE(crc32(buf, 16), 12);
    await expect(decodeLegacyMessageSet(buf)).rejects.toThrow(/key length/);
  });
});

describe('legacy message set rules', () => {
  it('anchors v1 relative inner offsets on the wrapper offset', async () => {
    const buf = await encodeLegacyMessageSet({ magic: 1, compression: CompressionType.Gzip, baseOffset: 10n, records: inputs(1, 3) });
    buf.writeBigInt64BE(1000n, 0); // the broker assigned the wrapper (= last inner) offset 1000
    const set = await decodeLegacyMessageSet(buf);
    expect(legacyRecords(set).map((r) => r.offset)).toEqual([998n, 999n, 1000n]);
  });

  it('keeps inner offsets when the wrapper offset is smaller than the last relative one (kafkajs writes 0)', async () => {
    const buf = await encodeLegacyMessageSet({ magic: 1, compression: CompressionType.Gzip, records: inputs(1, 3) });
    buf.writeBigInt64BE(0n, 0);
    expect(legacyRecords(await decodeLegacyMessageSet(buf)).map((r) => r.offset)).toEqual([0n, 1n, 2n]);
  });

  it('uses absolute inner offsets for v0 wrappers', async () => {
    const buf = await encodeLegacyMessageSet({ magic: 0, compression: CompressionType.Snappy, baseOffset: 70n, records: inputs(1, 3) });
    expect(buf.readBigInt64BE(0)).toBe(72n);
    expect(legacyRecords(await decodeLegacyMessageSet(buf)).map((r) => r.offset)).toEqual([70n, 71n, 72n]);
  });

  it('gives inner messages the wrapper timestamp under LogAppendTime', async () => {
    const buf = await encodeLegacyMessageSet({
      magic: 1,
      compression: CompressionType.Lz4,
      timestampType: TimestampType.LogAppendTime,
      logAppendTime: 99n,
      records: inputs(2, 3),
    });
    const recs = legacyRecords(await decodeLegacyMessageSet(buf));
    expect(recs.map((r) => [r.timestamp, r.timestampType])).toEqual(Array(3).fill([99n, TimestampType.LogAppendTime]));
  });

  async function wrapperAround(inner: Buffer, magic: 0 | 1, codec = CompressionType.Gzip): Promise<Buffer> {
    const compressed = await compress(codec, inner, { magic });
    const head = magic === 0 ? 6 : 14;
    const size = head + 8 + compressed.length;
    const buf = Buffer.alloc(12 + size);
    buf.writeInt32BE(size, 8);
    buf[16] = magic;
    buf[17] = codec;
    buf.writeInt32BE(-1, 12 + head);
    buf.writeInt32BE(compressed.length, 12 + head + 4);
    compressed.copy(buf, 12 + head + 8);
    buf.writeUInt32BE(crc32(buf, 16), 12);
    return buf;
  }

  it('rejects nested compression, mismatched inner magic, and empty wrappers', async () => {
    const nested = await encodeLegacyMessageSet({ magic: 1, compression: CompressionType.Gzip, records: inputs(1, 2) });
    await expect(decodeLegacyMessageSet(await wrapperAround(nested, 1))).rejects.toThrow(/must not be compressed/);
    const v0Inner = await encodeLegacyMessageSet({ magic: 0, records: inputs(1, 2) });
    await expect(decodeLegacyMessageSet(await wrapperAround(v0Inner, 1))).rejects.toThrow(/does not match wrapper magic/);
    await expect(decodeLegacyMessageSet(await wrapperAround(Buffer.alloc(0), 1))).rejects.toThrow(/no inner records/);
    await expect(decodeLegacyMessageSet(await wrapperAround(v0Inner.subarray(0, 20), 0))).rejects.toThrow(ProtocolDecodeError);
  });

  it('rejects a message smaller than the minimum overhead and an unknown magic', async () => {
    const buf = await encodeLegacyMessageSet({ magic: 1, records: inputs(1, 1) });
    const small = Buffer.from(buf);
    small.writeInt32BE(13, 8);
    await expect(decodeLegacyMessageSet(small)).rejects.toThrow(/minimum/);
    const v2 = await encodeRecordBatch({ records: sampleRecords(1, 1) });
    await expect(decodeLegacyMessageSet(v2)).rejects.toThrow(/magic 2/);
  });

  it('refuses zstd for magic < 2', async () => {
    await expect(encodeLegacyMessageSet({ magic: 1, compression: CompressionType.Zstd, records: inputs(1, 1) })).rejects.toThrow(
      RangeError,
    );
  });
});

describe('conversion', () => {
  it.each([0, 1] as const)('up-converts a compressed v%d set to one v2 batch', async (magic) => {
    const records = inputs(5, 20);
    const set = await decodeLegacyMessageSet(
      await encodeLegacyMessageSet({ magic, compression: CompressionType.Snappy, baseOffset: 1n, records }),
    );
    const batch = await upConvertToRecordBatch(set, { baseOffset: 300n, partitionLeaderEpoch: 2 });
    const view = validateBatchHeader(batch);
    expect(view.compression).toBe(CompressionType.Snappy);
    expect(view.recordsCount).toBe(20);
    const decoded = await decodeRecordBatch(batch);
    expect(decoded.partitionLeaderEpoch).toBe(2);
    expect(decoded.records.map((r) => [r.offset, hex(r.key), hex(r.value), r.timestamp])).toEqual(
      records.map((r, i) => [300n + BigInt(i), hex(r.key), hex(r.value), magic === 0 ? -1n : BigInt(r.timestamp!)]),
    );
  });

  it('up-converts preserving source offsets, with another codec and LogAppendTime', async () => {
    const set = await decodeLegacyMessageSet(await encodeLegacyMessageSet({ magic: 1, baseOffset: 40n, records: inputs(6, 5) }));
    const batch = await upConvertToRecordBatch(set.entries[0]!.records.concat(set.entries[4]!.records), {
      preserveOffsets: true,
      compression: CompressionType.Zstd,
      timestampType: TimestampType.LogAppendTime,
      logAppendTime: 1234n,
    });
    const decoded = await decodeRecordBatch(batch);
    expect(decoded.records.map((r) => [r.offset, r.timestamp])).toEqual([
      [40n, 1234n],
      [44n, 1234n],
    ]);
    expect(decoded.compression).toBe(CompressionType.Zstd);
  });

  it.each([0, 1] as const)('down-converts v2 batches to magic %d, dropping control batches', async (magic) => {
    const records = sampleRecords(8, 6);
    const a = await decodeRecordBatch(await encodeRecordBatch({ records, baseOffset: 10n, compression: CompressionType.Lz4 }));
    const b = await decodeRecordBatch(await encodeRecordBatch({ records: records.slice(0, 2), baseOffset: 16n }));
    const marker = { ...b, isControl: true };
    const set = await decodeLegacyMessageSet(await downConvertToMessageSet([a, marker, b], { magic }));
    expect(set.entries).toHaveLength(1 + 2);
    expect(set.entries[0]!.compression).toBe(CompressionType.Lz4);
    expect(legacyRecords(set).map((r) => [r.offset, hex(r.value), r.timestamp])).toEqual(
      [...records, ...records.slice(0, 2)].map((r, i) => [10n + BigInt(i), hex(r.value), magic === 0 ? -1n : BigInt(r.timestamp)]),
    );
  });
});
