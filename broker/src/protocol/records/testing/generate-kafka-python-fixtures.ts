/**
 * Regenerates fixtures/kafka-python.json: batches and message sets written by kafka-python
 * 2.0.2 (an independent implementation), which the unit tests decode with Samsa on every run,
 * python or not. Run: npx tsx broker/src/protocol/records/testing/generate-kafka-python-fixtures.ts
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type PyOp, type PyResult, pythonOracleAvailable, runPythonOracle } from './python-oracle';
import { sampleRecords } from './samples';

export interface FixtureRecord {
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: [string, string | null][];
}

export interface Fixture {
  name: string;
  magic: number;
  compression: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  isTransactional?: boolean;
  records: FixtureRecord[];
  hex: string;
}

const hex = (b: Buffer | null | undefined): string | null => (b == null ? null : b.toString('hex'));

export function fixtureRecords(seed: number, count: number, withHeaders: boolean): FixtureRecord[] {
  return sampleRecords(seed, count).map((r, i) => ({
    offset: i,
    timestamp: Number(r.timestamp),
    key: hex(r.key),
    value: hex(r.value),
    headers: withHeaders ? (r.headers ?? []).map((h): [string, string | null] => [h.key, hex(h.value)]) : [],
  }));
}

function main(): void {
  if (!pythonOracleAvailable()) throw new Error('needs /usr/bin/python3 with kafka-python, snappy, lz4, zstandard, xxhash');
  const fixtures: Omit<Fixture, 'hex'>[] = [];
  const ops: PyOp[] = [];
  for (const compression of [0, 1, 2, 3, 4]) {
    const records = fixtureRecords(100 + compression, 12, true);
    const idempotent = compression === 2;
    fixtures.push({
      name: `v2 codec ${compression}${idempotent ? ' transactional' : ''}`,
      magic: 2,
      compression,
      records,
      ...(idempotent ? { producerId: 4242, producerEpoch: 3, baseSequence: 17, isTransactional: true } : {}),
    });
    ops.push({
      op: 'encode_v2',
      compression,
      records,
      ...(idempotent ? { producer_id: 4242, producer_epoch: 3, base_sequence: 17, is_transactional: true } : {}),
    });
  }
  for (const magic of [0, 1] as const) {
    for (const compression of [0, 1, 2, 3]) {
      const records = fixtureRecords(200 + magic * 10 + compression, 8, false);
      fixtures.push({ name: `legacy v${magic} codec ${compression}`, magic, compression, records });
      ops.push({ op: 'encode_legacy', magic, compression, records });
    }
  }
  const results: PyResult[] = runPythonOracle(ops);
  const out: Fixture[] = fixtures.map((f, i) => {
    const r = results[i]!;
    if (r.hex === undefined) throw new Error(`${f.name}: ${r.error}`);
    return { ...f, hex: r.hex };
  });
  writeFileSync(join(__dirname, 'fixtures', 'kafka-python.json'), JSON.stringify(out, null, 1) + '\n');
  console.log(`wrote ${out.length} fixtures`);
}

if (require.main === module) main();
