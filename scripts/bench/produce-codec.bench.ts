/**
 * Decode + encode of a Produce request carrying 100 partitions × 16 KiB batches (the generated codec
 * plus request framing), reported as requests/s and MB/s of frame bytes.
 */
import { ProduceRequest, decodeProduceRequest, encodeProduceRequest } from '../../broker/src/protocol/generated/produce-request';
import { decodeRequestFrame, encodeRequestFrame } from '../../broker/src/protocol/headers';
import type { BenchResult } from './bench-result';

const PARTITIONS = 100;
const BATCH_BYTES = 16 * 1024;

function buildRequest(): ProduceRequest {
  const batch = Buffer.alloc(BATCH_BYTES, 0x5a);
  return {
    transactionalId: null,
    acks: -1,
    timeoutMs: 30000,
    topicData: [
      {
        name: 'bench-topic',
        partitionData: Array.from({ length: PARTITIONS }, (_, index) => ({ index, records: Buffer.from(batch) })),
      },
    ],
  };
}

function timeLoop(minMs: number, fn: () => void): { iterations: number; seconds: number } {
  for (let i = 0; i < 50; i++) fn(); // warm up the JIT
  const start = process.hrtime.bigint();
  let iterations = 0;
  let elapsed = 0;
  while (elapsed < minMs) {
    for (let i = 0; i < 20; i++) fn();
    iterations += 20;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return { iterations, seconds: elapsed / 1000 };
}

export function benchProduceCodec(version = 7, minMs = 1500): BenchResult[] {
  const request = buildRequest();
  const header = { apiKey: 0, apiVersion: version, correlationId: 1, clientId: 'bench' };
  const frame = encodeRequestFrame(header, (w) => encodeProduceRequest(w, request, version));
  const body = frame.subarray(4);
  const mb = frame.length / 1e6;
  let sink = 0;

  const decode = timeLoop(minMs, () => {
    const { header: h, body: r } = decodeRequestFrame(body);
    const req = decodeProduceRequest(r, h.requestApiVersion);
    sink += req.topicData[0].partitionData.length;
  });
  const encode = timeLoop(minMs, () => {
    sink += encodeRequestFrame(header, (w) => encodeProduceRequest(w, request, version)).length;
  });
  const roundTrip = timeLoop(minMs, () => {
    const { header: h, body: r } = decodeRequestFrame(body);
    const req = decodeProduceRequest(r, h.requestApiVersion);
    sink += encodeRequestFrame(header, (w) => encodeProduceRequest(w, req, version)).length;
  });
  if (sink === 0) throw new Error('unreachable');

  const label = `Produce v${version} request, ${PARTITIONS} partitions × 16 KiB (${(frame.length / 1024 / 1024).toFixed(2)} MiB frame)`;
  const rows: BenchResult[] = [];
  for (const [what, t] of [['decode', decode], ['encode', encode], ['decode + encode', roundTrip]] as const) {
    const rps = t.iterations / t.seconds;
    rows.push({ name: `${label}: ${what}`, value: rps, unit: 'requests/s' });
    rows.push({ name: `${label}: ${what}`, value: (rps * mb) / 1000, unit: 'GB/s' });
  }
  return rows;
}

if (require.main === module) {
  for (const r of benchProduceCodec()) process.stdout.write(`${r.name}: ${r.value.toFixed(r.unit === 'GB/s' ? 2 : 0)} ${r.unit}\n`);
}
