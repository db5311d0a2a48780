/**
 * Oracle: kafka-python 2.0.2, an independent implementation of every codec's Kafka framing
 * (xerial snappy, LZ4 frames incl. the magic 0 checksum quirk, zstd, gzip).
 * - Always: batches and message sets kafka-python wrote (testing/fixtures/kafka-python.json)
 *   decode in Samsa to the records they were built from.
 * - When /usr/bin/python3 has python3-kafka (+ snappy, lz4, zstandard, xxhash): Samsa's own
 *   output is decoded live by kafka-python, CRCs checked.
 */
import { CompressionType, ControlRecordType } from './constants';
import { encodeEndTransactionMarker } from './control-record';
import { decodeLegacyMessageSet, encodeLegacyMessageSet, legacyRecords } from './legacy-message-set';
import { validateBatchHeader } from './record-batch';
import { encodeRecordBatch } from './record-batch-builder';
import { decodeRecordBatch } from './record-batch-decoder';
import fixtures from './testing/fixtures/kafka-python.json';
import type { Fixture, FixtureRecord } from './testing/generate-kafka-python-fixtures';
import { type PyBatch, pythonOracleAvailable, runPythonOracle } from './testing/python-oracle';
import { sampleRecords } from './testing/samples';

const hex = (b: Buffer | null | undefined): string | null => (b == null ? null : b.toString('hex'));
const all = fixtures as Fixture[];

describe('kafka-python batches (fixtures) -> Samsa', () => {
  it.each(all.filter((f) => f.magic === 2).map((f) => [f.name, f] as const))('decodes %s', async (_name, f) => {
    const buf = Buffer.from(f.hex, 'hex');
    const view = validateBatchHeader(buf, 0, { origin: 'client' });
    expect(view.compression).toBe(f.compression);
    const decoded = await decodeRecordBatch(buf);
    expect(decoded).toMatchObject({
      producerId: BigInt(f.producerId ?? -1),
      producerEpoch: f.producerEpoch ?? -1,
      baseSequence: f.baseSequence ?? -1,
      isTransactional: f.isTransactional ?? false,
    });
    expect(
      decoded.records.map((r): FixtureRecord => ({
        offset: Number(r.offset),
        timestamp: Number(r.timestamp),
        key: hex(r.key),
        value: hex(r.value),
        headers: r.headers.map((h): [string, string | null] => [h.key, hex(h.value)]),
      })),
    ).toEqual(f.records);
  });

  it.each(all.filter((f) => f.magic < 2).map((f) => [f.name, f] as const))('decodes %s', async (_name, f) => {
    const set = await decodeLegacyMessageSet(Buffer.from(f.hex, 'hex'));
    expect(set.partialBytes).toBe(0);
    expect(set.entries[0]!.compression).toBe(f.compression);
    expect(legacyRecords(set).map((r) => [Number(r.offset), Number(r.timestamp), hex(r.key), hex(r.value)])).toEqual(
      f.records.map((r) => [r.offset, f.magic === 0 ? -1 : r.timestamp, r.key, r.value]),
    );
  });
});

const live = pythonOracleAvailable() ? describe : describe.skip;

live('Samsa -> kafka-python (live, /usr/bin/python3)', () => {
  const CODECS = [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

  it('decodes Samsa v2 batches of every codec, control batches included', async () => {
    const records = sampleRecords(77, 150);
    const batches = await Promise.all(
      CODECS.map((compression) =>
        encodeRecordBatch({ records, compression, baseOffset: 10n, producerId: 5n, producerEpoch: 1, baseSequence: 0, isTransactional: true }),
      ),
    );
    const marker = encodeEndTransactionMarker({ type: ControlRecordType.Commit, coordinatorEpoch: 2, producerId: 5n, producerEpoch: 1, timestamp: 1, baseOffset: 160n });
    const results = runPythonOracle([...batches, marker].map((b) => ({ op: 'decode' as const, hex: b.toString('hex') })));
    const expected = records.map((r, i) => ({
      offset: 10 + i,
      timestamp: Number(r.timestamp),
      timestamp_type: 0,
      key: hex(r.key),
      value: hex(r.value),
      headers: (r.headers ?? []).map((h) => [h.key, hex(h.value)]),
    }));
    CODECS.forEach((compression, i) => {
      const [batch] = results[i]!.batches as PyBatch[];
      expect(results[i]!.error).toBeUndefined();
      expect(batch).toMatchObject({ magic: 2, base_offset: 10, compression, crc_ok: true, is_transactional: true });
      expect(batch!.records).toEqual(expected);
    });
    const [control] = results[CODECS.length]!.batches as PyBatch[];
    expect(control).toMatchObject({ crc_ok: true, is_control: true, base_offset: 160 });
  });

  it('decodes Samsa legacy message sets of every codec (magic 0 LZ4 with its legacy header checksum)', async () => {
    const records = sampleRecords(78, 30).map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp }));
    const cases = [0, 1].flatMap((magic) => [0, 1, 2, 3].map((compression) => ({ magic: magic as 0 | 1, compression: compression as CompressionType })));
    const sets = await Promise.all(cases.map((c) => encodeLegacyMessageSet({ ...c, baseOffset: 1000n, records })));
    const results = runPythonOracle(sets.map((b) => ({ op: 'decode' as const, hex: b.toString('hex') })));
    cases.forEach((c, i) => {
      expect(results[i]!.error).toBeUndefined();
      const batches = results[i]!.batches as PyBatch[];
      expect(batches.every((b) => b.crc_ok && b.magic === c.magic && b.compression === c.compression)).toBe(true);
      expect(batches.flatMap((b) => b.records).map((r) => [r.offset, r.timestamp, r.key, r.value])).toEqual(
        records.map((r, j) => [1000 + j, c.magic === 0 ? null : Number(r.timestamp), hex(r.key), hex(r.value)]),
      );
    });
  });
});
