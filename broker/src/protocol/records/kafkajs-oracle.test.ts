/**
 * Oracle: kafkajs 2.2.4's own record encoders and decoders against Samsa's, both directions.
 * gzip goes through kafkajs's built-in codec. kafkajs has no snappy/lz4/zstd of its own; the
 * adapters registered here avoid Samsa's framing code: snappy compresses raw (as kafkajs-snappy
 * does) and reads xerial with a few local lines, lz4 uses lz4_flex's frame encoder/decoder
 * (lz4-napi), zstd calls the wasm library directly.
 */
import { compress as zstdCompress, decompress as zstdDecompress } from '@bokuweb/zstd-wasm';
import { compressFrameSync, decompressFrameSync } from 'lz4-napi';
import { compressSync as snappyCompress, uncompressSync as snappyUncompress } from 'snappy';
import { compress } from './compression';
import { CompressionType } from './constants';
import { decodeLegacyMessageSet, encodeLegacyMessageSet, legacyRecords } from './legacy-message-set';
import type { SimpleRecord } from './record';
import { validateBatchHeader } from './record-batch';
import { encodeRecordBatch } from './record-batch-builder';
import { decodeRecordBatch } from './record-batch-decoder';
import { type KafkajsHeaders, kafkajs } from './testing/kafkajs';
import { sampleRecords } from './testing/samples';

function xerialDecode(buf: Buffer): Buffer {
  const raw = (b: Buffer): Buffer => snappyUncompress(b, { asBuffer: true }) as Buffer;
  if (buf.subarray(0, 8).toString('hex') !== '82534e4150505900') return raw(buf);
  const out: Buffer[] = [];
  for (let pos = 16; pos < buf.length; ) {
    const n = buf.readInt32BE(pos);
    out.push(raw(buf.subarray(pos + 4, pos + 4 + n)));
    pos += 4 + n;
  }
  return Buffer.concat(out);
}

beforeAll(async () => {
  // Initialise the wasm module through Samsa's codec: a second init() of the same module swaps
  // its memory under the first user.
  await compress(CompressionType.Zstd, Buffer.alloc(0));
  kafkajs.registerCodec(CompressionType.Snappy, {
    compress: async (e) => snappyCompress(e.buffer),
    decompress: async (b) => xerialDecode(b),
  });
  kafkajs.registerCodec(CompressionType.Lz4, {
    compress: async (e) => compressFrameSync(e.buffer),
    decompress: async (b) => decompressFrameSync(b),
  });
  kafkajs.registerCodec(CompressionType.Zstd, {
    compress: async (e) => Buffer.from(zstdCompress(e.buffer, 3)),
    decompress: async (b) => Buffer.from(zstdDecompress(b, { defaultHeapSize: 64 << 20 })),
  });
});

const CODECS = [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];
const hex = (b: Buffer | null | undefined): string | null => (b == null ? null : b.toString('hex'));

/** kafkajs cannot encode null header values (it sizes them with Buffer.byteLength). */
function withoutNullHeaders(records: SimpleRecord[]): SimpleRecord[] {
  return records.map((r) => ({ ...r, headers: (r.headers ?? []).filter((h) => h.value !== null) }));
}

function kafkajsHeaders(r: SimpleRecord): KafkajsHeaders {
  const out: KafkajsHeaders = {};
  for (const h of r.headers ?? []) out[h.key] = h.value;
  return out;
}

describe('kafkajs RecordBatch encoder -> Samsa', () => {
  it.each(CODECS)('decodes a kafkajs batch with codec %d', async (compression) => {
    const records = withoutNullHeaders(sampleRecords(30 + compression, 120));
    const first = Number(records[0]!.timestamp);
    const buf = await kafkajs.recordBatch({
      compression,
      firstOffset: kafkajs.long(0),
      firstTimestamp: first,
      maxTimestamp: Math.max(...records.map((r) => Number(r.timestamp))),
      lastOffsetDelta: records.length - 1,
      producerId: kafkajs.long(555),
      producerEpoch: 4,
      firstSequence: 9,
      transactional: true,
      records: records.map((r, i) =>
        kafkajs.record({
          offsetDelta: i,
          timestampDelta: Number(r.timestamp) - first,
          key: r.key ?? null,
          value: r.value ?? null,
          headers: kafkajsHeaders(r),
        }),
      ),
    });
    const view = validateBatchHeader(buf, 0, { origin: 'client' });
    expect(view.compression).toBe(compression);
    const decoded = await decodeRecordBatch(buf);
    expect(decoded).toMatchObject({ producerId: 555n, producerEpoch: 4, baseSequence: 9, isTransactional: true });
    expect(decoded.records.map((r) => [r.offset, r.timestamp, hex(r.key), hex(r.value), r.headers.map((h) => [h.key, hex(h.value)])])).toEqual(
      records.map((r, i) => [BigInt(i), BigInt(r.timestamp), hex(r.key), hex(r.value), (r.headers ?? []).map((h) => [h.key, hex(h.value)])]),
    );
  });
});

describe('Samsa RecordBatch encoder -> kafkajs', () => {
  it.each(CODECS)('is decoded by kafkajs with codec %d', async (compression) => {
    const records = sampleRecords(40 + compression, 120);
    const buf = await encodeRecordBatch({
      records,
      compression,
      baseOffset: 7000n,
      partitionLeaderEpoch: 3,
      producerId: 31n,
      producerEpoch: 2,
      baseSequence: 4,
    });
    const batch = await kafkajs.decodeRecordBatch(buf);
    expect(batch).toMatchObject({
      firstOffset: '7000',
      partitionLeaderEpoch: 3,
      producerId: '31',
      producerEpoch: 2,
      firstSequence: 4,
      lastOffsetDelta: 119,
      inTransaction: false,
      isControlBatch: false,
    });
    expect(batch.records.map((r) => [r.offset, r.timestamp, hex(r.key), hex(r.value), Object.entries(r.headers).map(([k, v]) => [k, hex(v as Buffer | null)])])).toEqual(
      records.map((r, i) => [String(7000 + i), String(r.timestamp), hex(r.key), hex(r.value), (r.headers ?? []).map((h) => [h.key, hex(h.value)])]),
    );
  });
});

describe('legacy message sets against kafkajs', () => {
  it.each([0, 1])('decodes a kafkajs v%d message set', async (messageVersion) => {
    const records = sampleRecords(50, 20);
    const buf = kafkajs.messageSet({
      messageVersion,
      compression: CompressionType.None,
      entries: records.map((r) => ({ key: r.key, value: r.value ?? null, timestamp: Number(r.timestamp) })),
    });
    const decoded = legacyRecords(await decodeLegacyMessageSet(buf));
    expect(decoded.map((r) => [r.magic, hex(r.key), hex(r.value), r.timestamp])).toEqual(
      records.map((r) => [messageVersion, hex(r.key), hex(r.value), messageVersion === 0 ? -1n : BigInt(r.timestamp)]),
    );
  });

  it.each([CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4])(
    'decodes a kafkajs produce-v2 style compressed wrapper with codec %d',
    async (compression) => {
      const records = sampleRecords(51, 20);
      const entries = records.map((r) => ({ key: r.key, value: r.value ?? null, timestamp: Number(r.timestamp) }));
      const inner = kafkajs.messageSet({ messageVersion: 1, compression, entries });
      const codec = kafkajs.lookupCodec(compression)!;
      const value = await codec.compress({ buffer: inner, size: () => inner.length });
      const wrapper = kafkajs.messageSet({ messageVersion: 1, entries: [{ compression, timestamp: entries[0]!.timestamp, value }] });
      const decoded = legacyRecords(await decodeLegacyMessageSet(wrapper));
      expect(decoded.map((r) => [r.offset, hex(r.key), hex(r.value), r.timestamp])).toEqual(
        records.map((r, i) => [BigInt(i), hex(r.key), hex(r.value), BigInt(r.timestamp)]),
      );
    },
  );

  it.each([
    [0, CompressionType.None],
    [1, CompressionType.None],
    [0, CompressionType.Gzip],
    [1, CompressionType.Gzip],
    [1, CompressionType.Snappy],
    [1, CompressionType.Lz4],
  ] as const)('is decoded by kafkajs: magic %d codec %d', async (magic, compression) => {
    const records = sampleRecords(52, 20);
    const buf = await encodeLegacyMessageSet({
      magic,
      compression,
      baseOffset: 100n,
      records: records.map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp })),
    });
    const messages = await kafkajs.decodeMessageSet(buf);
    expect(messages.map((m) => [m.offset, m.magicByte, hex(m.key), hex(m.value), m.timestamp])).toEqual(
      records.map((r, i) => [String(100 + i), magic, hex(r.key), hex(r.value), magic === 0 ? undefined : String(r.timestamp)]),
    );
  });
});
