/**
 * The librdkafka producer of `npm run bench:replication`: confluent-kafka (python3) with a chosen
 * acks, per-message delivery latency from Message.latency(). Same loop as produce-librdkafka.ts's
 * producer (chunks of 1000 records per partition in turn, poll every 1000), with acks as an argument.
 */
import { spawn } from 'node:child_process';
import type { ProduceRun } from './produce-librdkafka';
import { PYTHON } from './produce-librdkafka';

export { PYTHON };

const PYTHON_PRODUCER = String.raw`
import json, sys, time
from confluent_kafka import Producer
bootstrap, topic, count, partitions, size, acks = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
producer = Producer({
    "bootstrap.servers": bootstrap,
    "acks": acks,
    "linger.ms": 5,
    "batch.num.messages": 10000,
    "batch.size": 1000000,
    "queue.buffering.max.messages": 2000000,
    "queue.buffering.max.kbytes": 2097152,
    "compression.type": "none",
    "message.timeout.ms": 120000,
})
value = b"x" * size
latencies = []
errors = [0]
def on_delivery(err, msg):
    if err is not None:
        errors[0] += 1
    else:
        latencies.append(msg.latency())
start = time.perf_counter()
for i in range(count):
    partition = (i // 1000) % partitions
    while True:
        try:
            producer.produce(topic, value, partition=partition, on_delivery=on_delivery)
            break
        except BufferError:
            producer.poll(0.005)
    if i % 1000 == 999:
        producer.poll(0)
producer.flush(180)
seconds = time.perf_counter() - start
latencies.sort()
def q(f):
    return latencies[min(len(latencies) - 1, int(f * len(latencies)))] * 1000 if latencies else None
json.dump({"records": count, "seconds": seconds, "errors": count - len(latencies), "p50Ms": q(0.5), "p99Ms": q(0.99)}, sys.stdout)
`;

/** Runs the producer to completion: `records` values of `recordBytes` bytes with acks '1' or 'all'. */
export function librdkafkaProduce(
  bootstrap: string,
  topic: string,
  records: number,
  partitions: number,
  recordBytes: number,
  acks: '1' | 'all',
): Promise<ProduceRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ['-c', PYTHON_PRODUCER, bootstrap, topic, String(records), String(partitions), String(recordBytes), acks], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`confluent-kafka producer exited with ${String(code)}\n${Buffer.concat(err).toString().slice(-2000)}`));
        return;
      }
      const parsed = JSON.parse(Buffer.concat(out).toString()) as { records: number; seconds: number; errors: number; p50Ms: number | null; p99Ms: number | null };
      resolve({ records: parsed.records, seconds: parsed.seconds, errors: parsed.errors, p50Ms: parsed.p50Ms ?? undefined, p99Ms: parsed.p99Ms ?? undefined });
    });
  });
}
