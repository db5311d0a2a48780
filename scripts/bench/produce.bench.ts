/**
 * `npm run bench:produce`: produce and fetch speed of one Samsa broker (1 ZooKeeper, RF=1), issue 4.
 *
 * - the machine's loopback TCP bandwidth, measured first in the same run (a child-process sink);
 * - librdkafka producers (confluent-kafka with per-message delivery latency, and kcat -P from a
 *   prepared file) and the kafkajs producer: 100-byte records, acks=1, one and eight partitions:
 *   records/s, MB/s, produce latency p50/p99 (target: >= 300,000 records/s with librdkafka);
 * - librdkafka consumer (kcat -C -e from the beginning): records/s (target >= 1,000,000).
 *
 * SAMSA_BENCH_SCALE scales the record counts (0.05 for a quick run). The rows are printed as a table
 * and written as JSON (BenchResult[]) to SAMSA_BENCH_JSON, default .samsa/bench/produce.json.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { cpus } from 'node:os';
import path from 'node:path';
import { Kafka, logLevel, type Message } from 'kafkajs';
import { KafkaCluster, REPO_ROOT } from '../../integration-tests/helpers/kafka-cluster';
import type { BenchResult } from './bench-result';
import { confluentProduce, kcatConsume, kcatProduce, prepareKcatInput, PYTHON, type ProduceRun } from './produce-librdkafka';

const SCALE = Number(process.env.SAMSA_BENCH_SCALE ?? '1');
const RECORD_BYTES = 100;
const LIBRDKAFKA_RECORDS = Math.max(10_000, Math.round(2_000_000 * SCALE));
const KAFKAJS_RECORDS = Math.max(10_000, Math.round(300_000 * SCALE));
const MB = 1e6;

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (fs.existsSync(candidate)) return candidate;
  }
  return null;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Loopback TCP bandwidth: this process writes 1 MiB chunks for `ms` into a sink in a child process. */
async function loopbackBandwidth(ms = 1500): Promise<number> {
  const sinkCode = `require('net').createServer((s) => { let n = 0; s.on('data', (d) => { n += d.length; }); s.on('end', () => s.end(String(n))); })
    .listen(0, '127.0.0.1', function () { process.stdout.write(String(this.address().port) + '\\n'); });`;
  const sink = spawn(process.execPath, ['-e', sinkCode], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      sink.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
      sink.once('error', reject);
    });
    const socket = net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const chunk = Buffer.alloc(1024 * 1024, 7);
    const start = process.hrtime.bigint();
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (!socket.write(chunk)) await new Promise<void>((resolve) => socket.once('drain', () => resolve()));
    }
    const received = await new Promise<number>((resolve) => {
      const parts: Buffer[] = [];
      socket.on('data', (d: Buffer) => parts.push(d));
      socket.on('end', () => resolve(Number(Buffer.concat(parts).toString())));
      socket.end();
    });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    socket.destroy();
    return received / seconds;
  } finally {
    sink.kill('SIGKILL');
  }
}

/** kafkajs producer: sends of 1000 records, four in flight, round-robin over the partitions. */
async function kafkajsProduce(bootstrap: string, topic: string, records: number, partitions: number): Promise<ProduceRun> {
  const kafka = new Kafka({ clientId: 'samsa-bench', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const value = Buffer.alloc(RECORD_BYTES, 'x');
    const perSend = 1000;
    const latencies: number[] = [];
    let errors = 0;
    let next = 0;
    const sendOne = async (first: number): Promise<void> => {
      const n = Math.min(perSend, records - first);
      const messages: Message[] = Array.from({ length: n }, (_, i) => ({ value, partition: (first + i) % partitions }));
      const t0 = process.hrtime.bigint();
      try {
        await producer.send({ topic, acks: 1, messages });
      } catch {
        errors += n;
      }
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    };
    const worker = async (): Promise<void> => {
      while (next < records) {
        const first = next;
        next += perSend;
        await sendOne(first);
      }
    };
    const start = process.hrtime.bigint();
    await Promise.all([worker(), worker(), worker(), worker()]);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    latencies.sort((a, b) => a - b);
    // Every record of a send waits for the whole send: the send latency is each record's latency.
    return { records, seconds, errors, p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99) };
  } finally {
    await producer.disconnect();
  }
}

interface Row {
  client: string;
  partitions: number;
  run: ProduceRun;
}

function produceResults(rows: readonly Row[]): BenchResult[] {
  const out: BenchResult[] = [];
  for (const { client, partitions, run } of rows) {
    const label = `produce ${client}, ${partitions} partition${partitions === 1 ? '' : 's'}, ${RECORD_BYTES}-byte records, acks=1`;
    out.push({ name: `${label}: records/s`, value: run.records / run.seconds, unit: 'records/s' });
    out.push({ name: `${label}: MB/s (record values)`, value: (run.records * RECORD_BYTES) / run.seconds / MB, unit: 'MB/s' });
    if (run.p50Ms !== undefined) out.push({ name: `${label}: latency p50`, value: run.p50Ms, unit: 'ms' });
    if (run.p99Ms !== undefined) out.push({ name: `${label}: latency p99`, value: run.p99Ms, unit: 'ms' });
    if (run.errors > 0) out.push({ name: `${label}: failed records`, value: run.errors, unit: 'records' });
  }
  return out;
}

function printTable(loopback: number, rows: readonly Row[], consumers: ReadonlyArray<{ partitions: number; records: number; seconds: number }>): void {
  const w = (s: string, n: number): string => s.padStart(n);
  const f = (v: number | undefined, digits = 0): string => (v === undefined || Number.isNaN(v) ? '-' : v.toFixed(digits));
  process.stdout.write(`\nloopback TCP bandwidth: ${(loopback / MB).toFixed(0)} MB/s\n\n`);
  process.stdout.write(`${'producer'.padEnd(22)}${w('parts', 6)}${w('records', 10)}${w('records/s', 12)}${w('MB/s', 8)}${w('p50 ms', 9)}${w('p99 ms', 9)}${w('errors', 8)}\n`);
  for (const { client, partitions, run } of rows) {
    process.stdout.write(
      `${client.padEnd(22)}${w(String(partitions), 6)}${w(String(run.records), 10)}${w(f(run.records / run.seconds), 12)}` +
        `${w(f((run.records * RECORD_BYTES) / run.seconds / MB, 1), 8)}${w(f(run.p50Ms, 2), 9)}${w(f(run.p99Ms, 2), 9)}${w(String(run.errors), 8)}\n`,
    );
  }
  process.stdout.write(`\n${'consumer (kcat -C -e)'.padEnd(22)}${w('parts', 6)}${w('records', 10)}${w('records/s', 12)}${w('MB/s', 8)}\n`);
  for (const c of consumers) {
    process.stdout.write(
      `${''.padEnd(22)}${w(String(c.partitions), 6)}${w(String(c.records), 10)}${w(f(c.records / c.seconds), 12)}${w(f((c.records * RECORD_BYTES) / c.seconds / MB, 1), 8)}\n`,
    );
  }
}

export async function benchProduce(): Promise<BenchResult[]> {
  const kcat = onPath('kcat') ?? onPath('kafkacat');
  const hasConfluent = fs.existsSync(PYTHON);
  const loopback = await loopbackBandwidth();
  const cluster = await KafkaCluster.start({ zookeepers: 1, brokers: 1, logLevel: process.env.SAMSA_BROKER_LOG_LEVEL ?? 'warn' });
  try {
    const bootstrap = cluster.bootstrapServers;
    const kafka = new Kafka({ clientId: 'samsa-bench-admin', brokers: [bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const topics = ['cf', 'kcat', 'kjs'].flatMap((c) => [1, 8].map((p) => ({ topic: `bench-${c}-p${p}`, numPartitions: p, replicationFactor: 1 })));
    await admin.createTopics({ waitForLeaders: true, topics });
    await admin.disconnect();

    const rows: Row[] = [];
    const consumers: Array<{ partitions: number; records: number; seconds: number; brokerCpuSeconds: number }> = [];
    const notes: BenchResult[] = [];
    for (const partitions of [1, 8]) {
      if (hasConfluent) {
        rows.push({ client: 'librdkafka/confluent', partitions, run: await confluentProduce(bootstrap, `bench-cf-p${partitions}`, LIBRDKAFKA_RECORDS, partitions, RECORD_BYTES) });
      }
      if (kcat !== null) {
        const input = prepareKcatInput(cluster.baseDir, LIBRDKAFKA_RECORDS, RECORD_BYTES);
        rows.push({ client: 'librdkafka/kcat -P', partitions, run: await kcatProduce(kcat, bootstrap, `bench-kcat-p${partitions}`, input, LIBRDKAFKA_RECORDS, partitions) });
        fs.rmSync(input, { force: true });
        const brokerPid = cluster.pid(cluster.brokerIds[0] as number);
        const cpuBefore = processCpuSeconds(brokerPid);
        const consumed = await kcatConsume(kcat, bootstrap, `bench-kcat-p${partitions}`, cluster.baseDir);
        consumers.push({ partitions, ...consumed, brokerCpuSeconds: processCpuSeconds(brokerPid) - cpuBefore });
      }
      rows.push({ client: 'kafkajs', partitions, run: await kafkajsProduce(bootstrap, `bench-kjs-p${partitions}`, KAFKAJS_RECORDS, partitions) });
    }
    if (kcat === null) notes.push({ name: 'kcat is not installed: kcat producer and the consumer were not measured', value: 0, unit: '' });
    if (!hasConfluent) notes.push({ name: `${PYTHON} is missing: the confluent-kafka producer was not measured`, value: 0, unit: '' });

    printTable(loopback, rows, consumers);
    const results: BenchResult[] = [{ name: 'loopback TCP bandwidth (one connection, 1 MiB writes)', value: loopback / MB, unit: 'MB/s' }, ...produceResults(rows)];
    for (const c of consumers) {
      results.push({ name: `consume kcat -C -e, ${c.partitions} partition(s): records/s`, value: c.records / c.seconds, unit: 'records/s' });
      results.push({ name: `consume kcat -C -e, ${c.partitions} partition(s): records read`, value: c.records, unit: 'records' });
      // The client is the bottleneck on 2 cores; this is what the broker could serve per CPU second.
      results.push({ name: `consume kcat -C -e, ${c.partitions} partition(s): records per broker CPU second`, value: c.records / c.brokerCpuSeconds, unit: 'records/s' });
    }
    return [...results, ...notes];
  } finally {
    await cluster.stop();
  }
}

/** User + system CPU seconds of a process so far (Linux /proc), NaN when unknown. */
function processCpuSeconds(pid: number | null): number {
  if (pid === null) return Number.NaN;
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime are fields 14 and 15 of stat(5); after "pid (comm) " they sit at 11 and 12.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

if (require.main === module) {
  process.env.LOG_LEVEL ??= 'warn';
  process.stdout.write(`node ${process.version}, ${cpus().length} cores, SAMSA_BENCH_SCALE=${SCALE}\n`);
  benchProduce()
    .then((results) => {
      const file = process.env.SAMSA_BENCH_JSON ?? path.join(REPO_ROOT, '.samsa', 'bench', 'produce.json');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
      process.stdout.write(`\n${results.map((r) => `${r.name.padEnd(96)} ${r.value.toFixed(r.value >= 100 ? 0 : 2).padStart(12)} ${r.unit}`).join('\n')}\n\nJSON: ${file}\n`);
    })
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    });
}
