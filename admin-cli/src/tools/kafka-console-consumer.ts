/**
 * kafka-console-consumer: Kafka 2.8's ConsoleConsumer. Consumes --topic (in a group: --group, or a random
 * `console-consumer-<0..99999>` one without offset commits, as Kafka) or one --partition from --offset,
 * and prints each record with the DefaultMessageFormatter (`--property print.key=true …`). Stops after
 * --max-messages, after --timeout-ms without a record, or on SIGINT/SIGTERM, then prints
 * `Processed a total of N messages` on stderr.
 */
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { runTool, toolParser } from './common/cli';
import { ToolError } from './common/tool-error';
import { DefaultMessageFormatter, parseKeyValueArgs, type ConsoleRecord, type TimestampTypeName } from './console-message-format';

const USAGE = 'kafka-console-consumer --bootstrap-server <host:port> --topic <topic> [--from-beginning] [--group <g>] [--partition <p> [--offset <o|earliest|latest>]] [--max-messages <n>] [--timeout-ms <ms>] [--property print.key=true …]';

interface ConsumerArgs {
  bootstrapServer?: string;
  topic?: string;
  fromBeginning?: boolean;
  group?: string;
  partition?: number;
  offset?: string;
  maxMessages?: number;
  timeoutMs?: number;
  property?: string[];
  consumerProperty?: string[];
}

/** Where to start: a group's committed offsets (else earliest/latest), or one partition from an offset. */
export type StartPosition = { kind: 'earliest' } | { kind: 'latest' } | { kind: 'offset'; offset: bigint };

export interface ConsoleConsumerConfig {
  bootstrapServer: string;
  topic: string;
  groupId: string;
  /** False for the random group: Kafka then turns offset commits off. */
  groupIdPassed: boolean;
  partition: number | null;
  start: StartPosition;
  maxMessages: number | null;
  timeoutMs: number | null;
  formatter: DefaultMessageFormatter;
}

/** ConsoleConsumer.ConsumerConfig's checks, in its words. */
export function consoleConsumerConfig(a: ConsumerArgs, random: () => number = Math.random): ConsoleConsumerConfig {
  if (a.topic === undefined || a.topic === '') throw new ToolError('Exactly one of whitelist/topic is required.');
  if (a.partition !== undefined) {
    if (a.fromBeginning === true && a.offset !== undefined) throw new ToolError('Options from-beginning and offset cannot be specified together.');
  } else if (a.offset !== undefined) throw new ToolError('The partition is required when offset is specified.');
  let start: StartPosition = a.fromBeginning === true ? { kind: 'earliest' } : { kind: 'latest' };
  if (a.offset !== undefined) {
    const o = a.offset.toLowerCase();
    if (o === 'earliest' || o === 'latest') start = { kind: o };
    else if (/^\d+$/.test(o)) start = { kind: 'offset', offset: BigInt(o) };
    else throw new ToolError(`The provided offset value '${a.offset}' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long.`);
  }
  if (a.bootstrapServer === undefined || a.bootstrapServer === '') throw new ToolError('Missing required argument "[bootstrap-server]"');
  const consumerProps = parseKeyValueArgs(a.consumerProperty ?? []);
  const propGroup = consumerProps.get('group.id');
  if (a.group !== undefined && propGroup !== undefined && a.group !== propGroup) {
    throw new ToolError(`The group ids provided in different places (directly using '--group', via '--consumer-property', or via '--consumer.config') do not match. Detected group ids: '${a.group}', '${propGroup}'`);
  }
  const group = a.group ?? propGroup;
  if (group !== undefined && a.partition !== undefined) throw new ToolError('Options group and partition cannot be specified together.');
  if (a.maxMessages !== undefined && (!Number.isInteger(a.maxMessages) || Number.isNaN(a.maxMessages))) throw new ToolError(`Invalid value for --max-messages: ${a.maxMessages}`);
  if (a.timeoutMs !== undefined && (!Number.isInteger(a.timeoutMs) || a.timeoutMs < 0)) throw new ToolError(`Invalid value for --timeout-ms: ${a.timeoutMs}`);
  return {
    bootstrapServer: a.bootstrapServer,
    topic: a.topic,
    groupId: group ?? `console-consumer-${Math.floor(random() * 100_000)}`,
    groupIdPassed: group !== undefined,
    partition: a.partition ?? null,
    start,
    maxMessages: a.maxMessages === undefined || a.maxMessages < 0 ? null : a.maxMessages,
    timeoutMs: a.timeoutMs ?? null,
    formatter: new DefaultMessageFormatter(parseKeyValueArgs(a.property ?? [])),
  };
}

/** A kafkajs message as the formatter's record (kafkajs keeps the batch's timestamp type in batchContext). */
export function toConsoleRecord(partition: number, m: KafkaMessage): ConsoleRecord {
  const ctx = (m as KafkaMessage & { batchContext?: { timestampType?: number } }).batchContext;
  const type: TimestampTypeName = ctx?.timestampType === 1 ? 'LogAppendTime' : m.timestamp === '-1' ? 'NO_TIMESTAMP' : 'CreateTime';
  const headers: Array<{ key: string; value: Buffer | null }> = [];
  for (const [key, v] of Object.entries(m.headers ?? {})) {
    for (const one of Array.isArray(v) ? v : [v]) headers.push({ key, value: one === undefined ? null : Buffer.from(one) });
  }
  return { partition, offset: m.offset, timestamp: m.timestamp, timestampType: type, key: m.key ?? null, value: m.value ?? null, headers };
}

type StopReason = { kind: 'done' } | { kind: 'timeout' } | { kind: 'error'; error: unknown };

export interface ConsoleConsumerIo {
  out: (text: string) => void;
  err: (line: string) => void;
}

const defaultIo: ConsoleConsumerIo = { out: (t) => void process.stdout.write(t), err: (l) => void process.stderr.write(`${l}\n`) };

export async function kafkaConsoleConsumer(argv: readonly string[], io: ConsoleConsumerIo = defaultIo): Promise<number> {
  const a = (await toolParser('kafka-console-consumer', argv, USAGE)
    .option('bootstrap-server', { type: 'string', describe: 'REQUIRED: The server(s) to connect to, host:port (comma-separated list allowed).' })
    .option('topic', { type: 'string', describe: 'The topic id to consume on.' })
    .option('from-beginning', { type: 'boolean', describe: 'If the consumer does not already have an established offset to consume from, start with the earliest message present in the log rather than the latest message.' })
    .option('group', { type: 'string', describe: 'The consumer group id of the consumer.' })
    .option('partition', { type: 'number', describe: 'The partition to consume from. Consumption starts from the end of the partition unless --offset is specified.' })
    .option('offset', { type: 'string', describe: "The offset id to consume from (a non-negative number), or 'earliest' which means from beginning, or 'latest' which means from end (default: latest)." })
    .option('max-messages', { type: 'number', describe: 'The maximum number of messages to consume before exiting. If not set, consumption is continual.' })
    .option('timeout-ms', { type: 'number', describe: 'If specified, exit if no message is available for consumption for the specified interval.' })
    .option('property', { type: 'string', array: true, describe: 'Properties to initialize the message formatter: print.timestamp, print.key, print.offset, print.partition, print.headers, print.value, key.separator, line.separator, headers.separator, null.literal.' })
    .option('consumer-property', { type: 'string', array: true, describe: 'A mechanism to pass user-defined properties in the form key=value to the consumer (group.id).' })
    .parseAsync()) as unknown as ConsumerArgs;
  const cfg = consoleConsumerConfig(a);

  // kafkajs and the protocol layer load only now, so --help and argument mistakes answer fast.
  const { ErrorCode } = await import('../../../broker/src/protocol');
  const { AdminConnection } = await import('./common/admin-connection');
  const kafkajs = await import('kafkajs');
  const conn = await AdminConnection.connect({ bootstrapServers: cfg.bootstrapServer, clientId: 'console-consumer', timeoutMs: 5000 });
  let partitionCount: number;
  try {
    const md = (await conn.metadata([cfg.topic])).topics.find((t) => t.name === cfg.topic);
    if (md === undefined || md.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw new ToolError(`Topic '${cfg.topic}' does not exist`);
    partitionCount = md.partitions.length;
  } finally {
    await conn.close();
  }
  if (cfg.partition !== null && (cfg.partition < 0 || cfg.partition >= partitionCount)) throw new ToolError(`Partition ${cfg.partition} does not exist in topic ${cfg.topic}`);

  const kafka: Kafka = new kafkajs.Kafka({ clientId: 'console-consumer', brokers: cfg.bootstrapServer.split(','), logLevel: kafkajs.logLevel.NOTHING, connectionTimeout: 5000, retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1000 } });
  const consumer = kafka.consumer({ groupId: cfg.groupId, sessionTimeout: 10_000, heartbeatInterval: 1000, maxWaitTimeInMs: 250 });
  let processed = 0;
  let stopped: StopReason | null = null;
  let stop: (r: StopReason) => void = () => undefined;
  const finished = new Promise<StopReason>((resolve) => {
    stop = (r) => {
      if (stopped !== null) return;
      stopped = r;
      resolve(r);
    };
  });
  let idle: NodeJS.Timeout | undefined;
  const armIdleTimer = (): void => {
    if (cfg.timeoutMs === null) return;
    if (idle !== undefined) clearTimeout(idle);
    idle = setTimeout(() => stop({ kind: 'timeout' }), cfg.timeoutMs);
  };
  const onSignal = (): void => stop({ kind: 'done' });
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (cfg.maxMessages === 0) stop({ kind: 'done' });
    armIdleTimer();
    await consumer.connect();
    consumer.on(consumer.events.CRASH, (e) => {
      if (!e.payload.restart) stop({ kind: 'error', error: e.payload.error });
    });
    await consumer.subscribe({ topic: cfg.topic, fromBeginning: cfg.start.kind === 'earliest' });
    await consumer.run({
      // Kafka commits only for a group the user named; the random one is not meant to be reused.
      autoCommit: cfg.groupIdPassed,
      autoCommitInterval: 1000,
      eachBatchAutoResolve: false,
      eachBatch: async (p: EachBatchPayload) => {
        if (cfg.partition !== null && p.batch.partition !== cfg.partition) return;
        for (const m of p.batch.messages) {
          if (stopped !== null) return;
          io.out(cfg.formatter.format(toConsoleRecord(p.batch.partition, m)));
          p.resolveOffset(m.offset);
          processed += 1;
          armIdleTimer();
          if (cfg.maxMessages !== null && processed >= cfg.maxMessages) stop({ kind: 'done' });
        }
        await p.heartbeat();
      },
    });
    if (cfg.partition !== null) await seekPartition(kafka, consumer, cfg, partitionCount);
    const reason = await finished;
    if (reason.kind === 'timeout') io.err('ERROR Error processing message, terminating consumer process: org.apache.kafka.common.errors.TimeoutException');
    if (reason.kind === 'error') throw reason.error;
  } finally {
    if (idle !== undefined) clearTimeout(idle);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await consumer.disconnect().catch(() => undefined);
    io.err(`Processed a total of ${processed} messages`);
  }
  return 0;
}

/** --partition: only that partition is read (the others paused), from the asked offset. */
async function seekPartition(kafka: Kafka, consumer: Consumer, cfg: ConsoleConsumerConfig, partitionCount: number): Promise<void> {
  const p = cfg.partition ?? 0;
  const others = Array.from({ length: partitionCount }, (_, i) => i).filter((i) => i !== p);
  if (others.length > 0) consumer.pause([{ topic: cfg.topic, partitions: others }]);
  let offset: string;
  if (cfg.start.kind === 'offset') offset = cfg.start.offset.toString();
  else {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const offsets = (await admin.fetchTopicOffsets(cfg.topic)).find((o) => o.partition === p);
      offset = (cfg.start.kind === 'earliest' ? offsets?.low : offsets?.high) ?? '0';
    } finally {
      await admin.disconnect();
    }
  }
  consumer.seek({ topic: cfg.topic, partition: p, offset });
}

if (require.main === module) void runTool('', () => kafkaConsoleConsumer(process.argv.slice(2)));
