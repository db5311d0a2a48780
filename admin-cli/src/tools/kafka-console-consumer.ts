/**
 * kafka-console-consumer: Kafka 2.8's ConsoleConsumer. Consumes --topic (in a group: --group, or a random
 * `console-consumer-<0..99999>` one without offset commits, as Kafka) or one --partition from --offset,
 * and prints each record with the DefaultMessageFormatter (`--property print.key=true …`). Stops after
 * --max-messages, after --timeout-ms without a record, or on SIGINT/SIGTERM, then prints
 * `Processed a total of N messages` on stderr.
 */
import type { EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
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
  const { ErrorCode } = require('../../../broker/src/protocol') as typeof import('../../../broker/src/protocol');
  const { AdminConnection } = require('./common/admin-connection') as typeof import('./common/admin-connection');
  const conn = await AdminConnection.connect({ bootstrapServers: cfg.bootstrapServer, clientId: 'console-consumer', timeoutMs: 5000 });
  try {
    const md = (await conn.metadata([cfg.topic])).topics.find((t) => t.name === cfg.topic);
    if (md === undefined || md.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw new ToolError(`Topic '${cfg.topic}' does not exist`);
    if (cfg.partition !== null && (cfg.partition < 0 || cfg.partition >= md.partitions.length)) throw new ToolError(`Partition ${cfg.partition} does not exist in topic ${cfg.topic}`);
    const session = new ConsumeSession(cfg, io);
    try {
      if (cfg.partition !== null) {
        // Kafka's ConsoleConsumer assigns the partition: no group, no offsets committed.
        const { consumeAssignedPartition } = require('./console-consumer-partition') as typeof import('./console-consumer-partition');
        await consumeAssignedPartition(conn, cfg, cfg.partition, session);
      } else {
        await consumeInGroup(cfg, session);
      }
    } finally {
      session.close();
    }
  } finally {
    await conn.close();
  }
  return 0;
}

type Stop = { kind: 'done' } | { kind: 'timeout' } | { kind: 'error'; error: unknown };

/** Counting, --max-messages, --timeout-ms and SIGINT/SIGTERM, shared by the group and the assigned-partition paths. */
export class ConsumeSession {
  processed = 0;
  private stopped: Stop | null = null;
  private resolveStop: (r: Stop) => void = () => undefined;
  readonly finished: Promise<Stop>;
  private idle: NodeJS.Timeout | undefined;
  private readonly onSignal = (): void => this.stop({ kind: 'done' });

  constructor(
    private readonly cfg: ConsoleConsumerConfig,
    private readonly io: ConsoleConsumerIo,
  ) {
    this.finished = new Promise<Stop>((resolve) => (this.resolveStop = resolve));
    process.once('SIGINT', this.onSignal);
    process.once('SIGTERM', this.onSignal);
    if (cfg.maxMessages === 0) this.stop({ kind: 'done' });
    this.armIdleTimer();
  }

  get isStopped(): boolean {
    return this.stopped !== null;
  }

  stop(r: Stop): void {
    if (this.stopped !== null) return;
    this.stopped = r;
    this.resolveStop(r);
  }

  /** Prints one record; false once consumption should end. */
  emit(record: ConsoleRecord): boolean {
    if (this.stopped !== null) return false;
    this.io.out(this.cfg.formatter.format(record));
    this.processed += 1;
    this.armIdleTimer();
    if (this.cfg.maxMessages !== null && this.processed >= this.cfg.maxMessages) this.stop({ kind: 'done' });
    return this.stopped === null;
  }

  /** Waits for the end and reports it as Kafka's tool does; rethrows a consumer failure. */
  async outcome(): Promise<void> {
    const reason = await this.finished;
    if (reason.kind === 'timeout') this.io.err('ERROR Error processing message, terminating consumer process: org.apache.kafka.common.errors.TimeoutException');
    if (reason.kind === 'error') throw reason.error;
  }

  close(): void {
    if (this.idle !== undefined) clearTimeout(this.idle);
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    this.io.err(`Processed a total of ${this.processed} messages`);
  }

  private armIdleTimer(): void {
    if (this.cfg.timeoutMs === null) return;
    if (this.idle !== undefined) clearTimeout(this.idle);
    this.idle = setTimeout(() => this.stop({ kind: 'timeout' }), this.cfg.timeoutMs);
  }
}

/** --topic without --partition: a kafkajs group consumer (the named group, or a random one without commits). */
async function consumeInGroup(cfg: ConsoleConsumerConfig, session: ConsumeSession): Promise<void> {
  const kafkajs = require('kafkajs') as typeof import('kafkajs');
  const kafka: Kafka = new kafkajs.Kafka({ clientId: 'console-consumer', brokers: cfg.bootstrapServer.split(','), logLevel: kafkajs.logLevel.NOTHING, connectionTimeout: 5000, retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1000 } });
  const consumer = kafka.consumer({ groupId: cfg.groupId, sessionTimeout: 10_000, heartbeatInterval: 1000, maxWaitTimeInMs: 250 });
  try {
    await consumer.connect();
    consumer.on(consumer.events.CRASH, (e) => {
      if (!e.payload.restart) session.stop({ kind: 'error', error: e.payload.error });
    });
    await consumer.subscribe({ topic: cfg.topic, fromBeginning: cfg.start.kind === 'earliest' });
    await consumer.run({
      // Kafka commits only for a group the user named; the random one is not meant to be reused.
      autoCommit: cfg.groupIdPassed,
      autoCommitInterval: 1000,
      eachBatchAutoResolve: false,
      eachBatch: async (p: EachBatchPayload) => {
        for (const m of p.batch.messages) {
          if (session.isStopped) return;
          session.emit(toConsoleRecord(p.batch.partition, m));
          p.resolveOffset(m.offset);
        }
        await p.heartbeat();
      },
    });
    await session.outcome();
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

if (require.main === module) void runTool('', () => kafkaConsoleConsumer(process.argv.slice(2)));
