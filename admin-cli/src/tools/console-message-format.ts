/**
 * The console tools' pure parts, as Kafka 2.8's kafka.tools package has them: `--property k=v` parsing
 * (CommandLineUtils.parseKeyValueArgs), the consumer's DefaultMessageFormatter and the producer's
 * LineMessageReader. Kept free of I/O so unit tests pin the exact bytes the tools print and send.
 */
import { ToolError } from './common/tool-error';

/** `k=v` pairs (`--property`, `--producer-property`, `--consumer-property`); a bare `k` means `k=`. */
export function parseKeyValueArgs(args: readonly string[]): Map<string, string> {
  const props = new Map<string, string>();
  for (const arg of args) {
    const parts = arg.split('=');
    if (parts.length === 1 || (parts.length === 2 && parts[1] === '')) props.set(parts[0] ?? '', '');
    else if (parts.length === 2) props.set(parts[0] ?? '', parts[1] ?? '');
    // Kafka refuses `a=b=c` rather than guessing which '=' separates.
    else throw new ToolError(`Invalid command line properties: ${args.join(' ')}`);
  }
  return props;
}

function flag(props: ReadonlyMap<string, string>, name: string, dflt: boolean): boolean {
  const v = props.get(name);
  return v === undefined ? dflt : v.trim().toLowerCase() === 'true';
}

/** Kafka's TimestampType names (record batch attribute bit 3; -1 when the record has none). */
export type TimestampTypeName = 'CreateTime' | 'LogAppendTime' | 'NO_TIMESTAMP';

export interface ConsoleRecord {
  partition: number;
  offset: string;
  timestamp: string;
  timestampType: TimestampTypeName;
  key: Buffer | null;
  value: Buffer | null;
  headers: ReadonlyArray<{ key: string; value: Buffer | null }>;
}

/** kafka.tools.DefaultMessageFormatter (2.8): timestamp, partition, offset, headers, key, value. */
export class DefaultMessageFormatter {
  readonly printTimestamp: boolean;
  readonly printKey: boolean;
  readonly printOffset: boolean;
  readonly printPartition: boolean;
  readonly printHeaders: boolean;
  readonly printValue: boolean;
  readonly keySeparator: string;
  readonly lineSeparator: string;
  readonly headersSeparator: string;
  readonly nullLiteral: string;

  constructor(props: ReadonlyMap<string, string> = new Map()) {
    this.printTimestamp = flag(props, 'print.timestamp', false);
    this.printKey = flag(props, 'print.key', false);
    this.printOffset = flag(props, 'print.offset', false);
    this.printPartition = flag(props, 'print.partition', false);
    this.printHeaders = flag(props, 'print.headers', false);
    this.printValue = flag(props, 'print.value', true);
    this.keySeparator = props.get('key.separator') ?? '\t';
    this.lineSeparator = props.get('line.separator') ?? '\n';
    this.headersSeparator = props.get('headers.separator') ?? ',';
    this.nullLiteral = props.get('null.literal') ?? 'null';
  }

  /** One record's bytes, each printed field followed by the key separator, or the line separator after the last. */
  format(r: ConsoleRecord): string {
    const fields: string[] = [];
    if (this.printTimestamp) fields.push(r.timestampType === 'NO_TIMESTAMP' ? 'NO_TIMESTAMP' : `${r.timestampType}:${r.timestamp}`);
    if (this.printPartition) fields.push(`Partition:${r.partition}`);
    if (this.printOffset) fields.push(`Offset:${r.offset}`);
    if (this.printHeaders) fields.push(r.headers.length === 0 ? 'NO_HEADERS' : r.headers.map((h) => `${h.key}:${this.text(h.value)}`).join(this.headersSeparator));
    if (this.printKey) fields.push(this.text(r.key));
    if (this.printValue) fields.push(this.text(r.value));
    // Kafka ends the line after the last printed field whichever it is (the value prints its own).
    return fields.length === 0 ? '' : `${fields.join(this.keySeparator)}${this.lineSeparator}`;
  }

  private text(b: Buffer | null): string {
    return b === null ? this.nullLiteral : b.toString('utf8');
  }
}

export interface LineMessage {
  key: string | null;
  value: string;
}

/** kafka.tools.ConsoleProducer.LineMessageReader (2.8): `parse.key`, `key.separator` (tab), `ignore.error`. */
export class LineMessageReader {
  private readonly parseKey: boolean;
  private readonly keySeparator: string;
  private readonly ignoreError: boolean;
  private lineNumber = 0;

  constructor(props: ReadonlyMap<string, string> = new Map()) {
    this.parseKey = flag(props, 'parse.key', false);
    this.keySeparator = props.get('key.separator') ?? '\t';
    this.ignoreError = flag(props, 'ignore.error', false);
  }

  /** The record for the next stdin line; a keyed line without the separator fails as Kafka's does. */
  read(line: string): LineMessage {
    this.lineNumber += 1;
    if (!this.parseKey) return { key: null, value: line };
    const at = line.indexOf(this.keySeparator);
    if (at === -1) {
      if (this.ignoreError) return { key: null, value: line };
      throw new ToolError(`No key found on line ${this.lineNumber}: ${line}`);
    }
    return { key: line.slice(0, at), value: at + this.keySeparator.length === line.length ? '' : line.slice(at + this.keySeparator.length) };
  }
}
