/**
 * librdkafka drivers for `npm run bench:produce`: a confluent-kafka (python3) producer whose delivery
 * callbacks give per-message latency, kcat -P from a prepared file, and kcat -C -e as the consumer.
 * Each runs as a child process so it gets its own core next to the broker.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface ProduceRun {
  records: number;
  seconds: number;
  errors: number;
  /** Per-message produce latency in ms (confluent-kafka only). */
  p50Ms?: number;
  p99Ms?: number;
}

export const PYTHON = '/usr/bin/python3';

/**
 * The producer: the topic's metadata fetched first (list_topics), then produce() in a tight loop
 * (polling for delivery reports every 1000 messages, and on BufferError), chunks of 1000 records per
 * partition in turn, then flush. Latency = Message.latency().
 */
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
})
value = b"x" * size
# Ask for the topic's metadata before the clock starts: otherwise librdkafka may send its first
# metadata request (brokers only) before the topic handle exists, and then learns the partitions'
# leaders only at its 1 s topic scan, a client start-up race that adds ~1 s to every latency.
producer.list_topics(topic, timeout=10)
latencies = []
errors = [0]  # failed deliveries; undelivered ones count too (count - delivered)
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

interface Output {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: readonly string[], stdoutFile?: string): Promise<Output> {
  return new Promise((resolve, reject) => {
    const fd = stdoutFile === undefined ? null : fs.openSync(stdoutFile, 'w');
    const child = spawn(command, args, { stdio: ['ignore', fd ?? 'pipe', 'pipe'] });
    if (fd !== null) fs.closeSync(fd);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

function failure(what: string, out: Output): Error {
  return new Error(`${what} exited with ${String(out.code)}\n${out.stderr.slice(-2000)}`);
}

/** confluent-kafka's producer (acks 1 or all): records/s with per-message latency quantiles. */
export async function confluentProduce(bootstrap: string, topic: string, records: number, partitions: number, recordBytes: number, acks: '1' | 'all' = '1'): Promise<ProduceRun> {
  const out = await run(PYTHON, ['-c', PYTHON_PRODUCER, bootstrap, topic, String(records), String(partitions), String(recordBytes), acks]);
  if (out.code !== 0) throw failure('confluent-kafka producer', out);
  const parsed = JSON.parse(out.stdout) as { records: number; seconds: number; errors: number; p50Ms: number | null; p99Ms: number | null };
  return { records: parsed.records, seconds: parsed.seconds, errors: parsed.errors, p50Ms: parsed.p50Ms ?? undefined, p99Ms: parsed.p99Ms ?? undefined };
}

/** Writes `records` newline-separated values of `recordBytes` bytes for kcat -l. */
export function prepareKcatInput(dir: string, records: number, recordBytes: number): string {
  const file = path.join(dir, `kcat-input-${records}x${recordBytes}.txt`);
  const line = Buffer.from(`${'x'.repeat(recordBytes)}\n`);
  const chunk = Buffer.concat(Array.from({ length: 10_000 }, () => line));
  const fd = fs.openSync(file, 'w');
  try {
    let left = records;
    while (left > 0) {
      const n = Math.min(left, 10_000);
      fs.writeSync(fd, chunk, 0, n * line.length);
      left -= n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

const KCAT_PRODUCER_TUNING = [
  '-X', 'acks=1',
  '-X', 'linger.ms=5',
  '-X', 'batch.num.messages=10000',
  '-X', 'batch.size=1000000',
  '-X', 'queue.buffering.max.messages=2000000',
  '-X', 'queue.buffering.max.kbytes=2097152',
];

/** kcat -P -l <file>: one partition pins -p 0, several use librdkafka's partitioner (sticky for null keys). */
export async function kcatProduce(kcat: string, bootstrap: string, topic: string, file: string, records: number, partitions: number): Promise<ProduceRun> {
  const partitionArgs = partitions === 1 ? ['-p', '0'] : [];
  const start = process.hrtime.bigint();
  const out = await run(kcat, ['-P', '-b', bootstrap, '-t', topic, ...partitionArgs, ...KCAT_PRODUCER_TUNING, '-l', file]);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (out.code !== 0) throw failure('kcat -P', out);
  return { records, seconds, errors: 0 };
}

/** kcat -C -e from the beginning of every partition; counts the records it printed (one line each). */
export async function kcatConsume(kcat: string, bootstrap: string, topic: string, dir: string): Promise<{ records: number; seconds: number }> {
  const sink = path.join(dir, `kcat-consume-${topic}.txt`);
  const start = process.hrtime.bigint();
  const out = await run(
    kcat,
    ['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%o\n', '-X', 'fetch.message.max.bytes=4194304', '-X', 'queued.min.messages=1000000',
      // -e ends at the first fetch that finds every partition at its end; with librdkafka's default
      // fetch.wait.max.ms that fetch is parked for 500 ms, which is not fetch throughput.
      '-X', 'fetch.wait.max.ms=50'],
    sink,
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (out.code !== 0) throw failure('kcat -C', out);
  let records = 0;
  const data = fs.readFileSync(sink);
  for (let i = data.indexOf(10); i >= 0; i = data.indexOf(10, i + 1)) records++;
  fs.rmSync(sink, { force: true });
  return { records, seconds };
}
