/**
 * An independent reader: kafkajs 2.2.4's RecordBatch decoder (src/protocol/recordBatch/v0/decoder.js)
 * reads the cleaned log as a consumer would receive it in a fetch, batch by batch.
 */
import { CompressionType } from '../../protocol/records';
import { type KafkajsDecodedBatch, kafkajs } from '../../protocol/records/testing/kafkajs';
import type { Log } from '../log';
import { type TestLogContext, useTestLogContext } from '../testing/log-test-utils';
import { T0, appendBatch, cleanerFor, openCompactedLog, readRaw } from './testing/cleaner-test-utils';

async function kafkajsBatches(raw: Buffer): Promise<KafkajsDecodedBatch[]> {
  const out: KafkajsDecodedBatch[] = [];
  for (let pos = 0; pos < raw.length; ) {
    const size = raw.readInt32BE(pos + 8) + 12;
    out.push(await kafkajs.decodeRecordBatch(raw.subarray(pos, pos + size)));
    pos += size;
  }
  return out;
}

describe('a cleaned log read by kafkajs', () => {
  let ctx: TestLogContext;
  let log: Log;
  useTestLogContext((c) => (ctx = c), () => log);

  it('gives the surviving records with their offsets, timestamps and batch fields', async () => {
    log = await openCompactedLog(ctx);
    await appendBatch(log, [{ key: 'a', value: 'a1' }, { key: 'b', value: 'b1' }, { key: 'c', value: 'c1' }], { producerId: 4, producerEpoch: 1, baseSequence: 0 });
    await appendBatch(log, Array.from({ length: 6 }, (_, i) => ({ key: `g${i % 3}`, value: `gz${i}`.repeat(10) })), { compression: CompressionType.Gzip });
    await appendBatch(log, [{ key: 'a', value: 'a2' }, { key: 'c', value: null }]);
    await appendBatch(log, [{ key: 'b', value: 'b2' }], { producerId: 4, producerEpoch: 1, baseSequence: 3 });
    await log.roll();
    await appendBatch(log, [{ key: 'z', value: 'z' }]);
    await cleanerFor(ctx, log).cleanOnce(log, log.logEndOffset);

    const batches = await kafkajsBatches(await readRaw(log));
    const summary = batches.map((b) => ({
      firstOffset: b.firstOffset,
      lastOffsetDelta: b.lastOffsetDelta,
      producerId: b.producerId,
      firstSequence: b.firstSequence,
      records: b.records.map((r) => [r.offset, r.key?.toString() ?? null, r.value?.toString() ?? null, r.timestamp]),
    }));
    expect(summary).toEqual([
      // Every record of producer 4's first batch is superseded, but it is not the producer's last: dropped.
      {
        firstOffset: '3',
        lastOffsetDelta: 5,
        producerId: '-1',
        firstSequence: -1,
        records: [6, 7, 8].map((o) => [String(o), `g${o % 3}`, `gz${o - 3}`.repeat(10), String(T0 + o - 3)]),
      },
      { firstOffset: '9', lastOffsetDelta: 1, producerId: '-1', firstSequence: -1, records: [['9', 'a', 'a2', String(T0)], ['10', 'c', null, String(T0 + 1)]] },
      { firstOffset: '11', lastOffsetDelta: 0, producerId: '4', firstSequence: 3, records: [['11', 'b', 'b2', String(T0)]] },
      { firstOffset: '12', lastOffsetDelta: 0, producerId: '-1', firstSequence: -1, records: [['12', 'z', 'z', String(T0)]] },
    ]);
  });

  it('reads an empty batch kept for a producer as a batch with no records', async () => {
    log = await openCompactedLog(ctx);
    await appendBatch(log, [{ key: 'k', value: 'v1' }], { producerId: 8, producerEpoch: 2, baseSequence: 5 });
    await appendBatch(log, [{ key: 'k', value: 'v2' }]);
    await log.roll();
    await appendBatch(log, [{ key: 'z', value: 'z' }]);
    await cleanerFor(ctx, log).cleanOnce(log, log.logEndOffset);
    const [empty, kept] = await kafkajsBatches(await readRaw(log));
    expect(empty).toMatchObject({ firstOffset: '0', lastOffsetDelta: 0, producerId: '8', producerEpoch: 2, firstSequence: 5, records: [] });
    expect(kept!.records.map((r) => r.value?.toString())).toEqual(['v2']);
  });
});
