/**
 * kafka-console-producer: Kafka 2.8's ConsoleProducer. Reads stdin line by line (LineMessageReader:
 * optional `parse.key` with `key.separator`) and produces each line to --topic, with the acks asked for
 * (--request-required-acks, default "1", or `--producer-property acks=…`). Without --sync, lines read
 * while a send is in flight go out together in the next one (order kept); with --sync each line is sent
 * and acknowledged before the next is read. Prints Kafka's '>' prompt only when on a terminal, and exits
 * after stdin ends with every record acknowledged.
 */
import readline from 'node:readline';
import type { Message, Producer } from 'kafkajs';
import { requireArg, runTool, toolParser } from './common/cli';
import { ToolError } from './common/tool-error';
import { LineMessageReader, parseKeyValueArgs } from './console-message-format';

const USAGE = 'kafka-console-producer --bootstrap-server <host:port> --topic <topic> [--property parse.key=true --property key.separator=:] [--request-required-acks <1|all|-1|0>] [--sync]';

interface ProducerArgs {
  bootstrapServer?: string;
  brokerList?: string;
  topic?: string;
  property?: string[];
  producerProperty?: string[];
  requestRequiredAcks?: string;
  sync?: boolean;
  requestTimeoutMs: number;
  messageSendMaxRetries: number;
}

/** Kafka's acks values as the protocol's int16: all/-1, 0, 1. */
export function parseAcks(value: string): -1 | 0 | 1 {
  const v = value.trim().toLowerCase();
  if (v === 'all' || v === '-1') return -1;
  if (v === '0') return 0;
  if (v === '1') return 1;
  throw new ToolError(`Invalid value ${value} for configuration acks: String must be one of: all, -1, 0, 1`);
}

export interface ConsoleProducerIo {
  input: NodeJS.ReadableStream;
  /** Where the '>' prompt goes (stdout). */
  prompt: (text: string) => void;
  /** Kafka prints the prompt only when the JVM has a console (a terminal). */
  interactive: boolean;
  err: (line: string) => void;
}

const defaultIo = (): ConsoleProducerIo => ({
  input: process.stdin,
  prompt: (t) => void process.stdout.write(t),
  interactive: process.stdin.isTTY === true && process.stdout.isTTY === true,
  err: (l) => void process.stderr.write(`${l}\n`),
});

export async function kafkaConsoleProducer(argv: readonly string[], io: ConsoleProducerIo = defaultIo()): Promise<number> {
  const a = (await toolParser('kafka-console-producer', argv, USAGE)
    .option('bootstrap-server', { type: 'string', describe: 'REQUIRED unless --broker-list(deprecated) is specified. The server(s) to connect to, host:port (comma-separated list allowed).' })
    .option('broker-list', { type: 'string', describe: 'DEPRECATED, use --bootstrap-server instead.' })
    .option('topic', { type: 'string', describe: 'REQUIRED: The topic id to produce messages to.' })
    .option('property', { type: 'string', array: true, describe: 'A mechanism to pass user-defined properties to the message reader: parse.key, key.separator, ignore.error.' })
    .option('producer-property', { type: 'string', array: true, describe: 'A mechanism to pass user-defined properties in the form key=value to the producer (acks, client.id, request.timeout.ms, retries).' })
    .option('request-required-acks', { type: 'string', describe: 'The required acks of the producer requests (default: 1).' })
    .option('sync', { type: 'boolean', describe: 'If set, message send requests to the brokers are synchronous, one at a time as they arrive.' })
    .option('request-timeout-ms', { type: 'number', default: 1500, describe: 'The ack timeout of the producer requests.' })
    .option('message-send-max-retries', { type: 'number', default: 3, describe: 'How many times a failed send is retried.' })
    .parseAsync()) as unknown as ProducerArgs;
  const bootstrap = a.bootstrapServer ?? a.brokerList;
  requireArg(bootstrap, 'bootstrap-server');
  requireArg(a.topic, 'topic');
  const topic = a.topic ?? '';
  const reader = new LineMessageReader(parseKeyValueArgs(a.property ?? []));
  const producerProps = parseKeyValueArgs(a.producerProperty ?? []);
  const acks = parseAcks(a.requestRequiredAcks ?? producerProps.get('acks') ?? '1');
  const clientId = producerProps.get('client.id') ?? 'console-producer';
  const requestTimeout = Number(producerProps.get('request.timeout.ms') ?? a.requestTimeoutMs);
  const retries = Number(producerProps.get('retries') ?? a.messageSendMaxRetries);

  // kafkajs and the protocol layer load only now, so --help and argument mistakes answer fast.
  const { AdminConnection } = require('./common/admin-connection') as typeof import('./common/admin-connection');
  const { Kafka, logLevel, Partitioners } = require('kafkajs') as typeof import('kafkajs');
  // A short first contact so an unreachable cluster is one line within seconds, as the other tools do.
  const probe = await AdminConnection.connect({ bootstrapServers: bootstrap ?? '', clientId, timeoutMs: 5000 });
  await probe.close();

  const kafka = new Kafka({ clientId, brokers: (bootstrap ?? '').split(','), logLevel: logLevel.NOTHING, connectionTimeout: 5000, requestTimeout: Math.max(requestTimeout, 5000), retry: { retries, initialRetryTime: 100, maxRetryTime: 1000 } });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: true });
  await producer.connect();
  try {
    const failed = await pump(producer, topic, acks, reader, io, a.sync === true, requestTimeout);
    return failed > 0 ? 1 : 0;
  } finally {
    await producer.disconnect();
  }
}

/** Reads stdin to its end, sending as it goes; the number of records that could not be sent. */
async function pump(producer: Producer, topic: string, acks: -1 | 0 | 1, reader: LineMessageReader, io: ConsoleProducerIo, sync: boolean, timeout: number): Promise<number> {
  let failed = 0;
  let pending: Message[] = [];
  let inFlight: Promise<void> = Promise.resolve();
  const send = async (messages: Message[]): Promise<void> => {
    try {
      await producer.send({ topic, acks, timeout, messages });
    } catch (err) {
      failed += messages.length;
      // Kafka's ErrorLoggingCallback: the send failed, the producer goes on with the next lines.
      const first = messages[0];
      io.err(`ERROR Error when sending message to topic ${topic} with key: ${first?.key === null || first?.key === undefined ? 'null' : `${Buffer.byteLength(first.key)} bytes`}, value: ${Buffer.byteLength(first?.value ?? '')} bytes with error: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  // One send in flight at a time keeps the lines in order; what piles up meanwhile goes out together.
  const flush = (): Promise<void> => {
    inFlight = inFlight.then(async () => {
      if (pending.length === 0) return;
      const batch = pending;
      pending = [];
      await send(batch);
    });
    return inFlight;
  };
  const lines = readline.createInterface({ input: io.input, crlfDelay: Infinity, terminal: false });
  if (io.interactive) io.prompt('>');
  try {
    for await (const line of lines) {
      const { key, value } = reader.read(line);
      pending.push({ key, value });
      if (sync) await flush();
      else void flush().catch(() => undefined);
      if (io.interactive) io.prompt('>');
    }
  } catch (err) {
    await flush();
    if (err instanceof ToolError) throw new ToolError(`org.apache.kafka.common.KafkaException: ${err.message}`);
    throw err;
  } finally {
    lines.close();
  }
  await flush();
  return failed;
}

if (require.main === module) void runTool('', () => kafkaConsoleProducer(process.argv.slice(2)));
