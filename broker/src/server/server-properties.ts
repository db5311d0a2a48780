/**
 * Reading the broker's startup input: server.properties in java.util.Properties text format
 * (Properties.load), `--override key=value` pairs (CommandLineUtils.parseKeyValueArgs) and the
 * command line itself (Kafka.getPropsFromArgs). Kept apart from KafkaConfig because this is pure
 * text parsing that knows nothing of the key table; config.ts re-exports it.
 */
import { ConfigException } from './config-exception';

function isWhite(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\f';
}

/** Splits into logical lines (Properties.LineReader): comments/blank lines dropped, continuations joined. */
function logicalLines(text: string): string[] {
  const natural = text.split(/\r\n|\r|\n/);
  const out: string[] = [];
  let pending: string | null = null;
  for (const raw of natural) {
    let i = 0;
    while (i < raw.length && isWhite(raw[i] as string)) i++;
    const line = raw.slice(i);
    if (pending === null) {
      if (line === '' || line[0] === '#' || line[0] === '!') continue;
    }
    let slashes = 0;
    for (let j = line.length - 1; j >= 0 && line[j] === '\\'; j--) slashes++;
    const continues = slashes % 2 === 1;
    const body = continues ? line.slice(0, -1) : line;
    pending = (pending ?? '') + body;
    if (!continues) {
      out.push(pending);
      pending = null;
    }
  }
  if (pending !== null) out.push(pending); // backslash at end of input: Java drops it and keeps the line
  return out;
}

function unescape(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c !== '\\') {
      out += c;
      continue;
    }
    i++;
    if (i >= s.length) break;
    const e = s[i] as string;
    if (e === 'u') {
      const hex = s.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new ConfigException('Malformed \\uxxxx encoding.');
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else {
      out += e === 't' ? '\t' : e === 'n' ? '\n' : e === 'r' ? '\r' : e === 'f' ? '\f' : e;
    }
  }
  return out;
}

/**
 * Parses java.util.Properties text (Properties.load): `#`/`!` comments, `key=value`, `key:value`
 * or `key value` (first unescaped `=`, `:` or whitespace ends the key), trailing-backslash line
 * continuations (leading whitespace of the next line dropped), `\t \n \r \f \uXXXX` escapes, any
 * other escaped character taken literally. Later duplicates win. Order is preserved.
 */
export function parseServerProperties(text: string): Map<string, string> {
  const props = new Map<string, string>();
  for (const line of logicalLines(text)) {
    let keyEnd = 0;
    let valueStart = line.length;
    let hasSep = false;
    let escaped = false;
    for (; keyEnd < line.length; keyEnd++) {
      const c = line[keyEnd] as string;
      if (escaped) {
        escaped = false;
        continue;
      }
      if (c === '\\') {
        escaped = true;
        continue;
      }
      if (c === '=' || c === ':') {
        valueStart = keyEnd + 1;
        hasSep = true;
        break;
      }
      if (isWhite(c)) {
        valueStart = keyEnd + 1;
        break;
      }
    }
    while (valueStart < line.length && isWhite(line[valueStart] as string)) valueStart++;
    if (!hasSep && valueStart < line.length && (line[valueStart] === '=' || line[valueStart] === ':')) {
      valueStart++;
      while (valueStart < line.length && isWhite(line[valueStart] as string)) valueStart++;
    }
    props.set(unescape(line.slice(0, keyEnd)), unescape(line.slice(valueStart)));
  }
  return props;
}

/** Kafka's CommandLineUtils.parseKeyValueArgs for `--override key=value` (split at the first '='). */
export function parseOverrides(args: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new ConfigException(`Invalid command line properties: ${args.join(' ')}`);
    out.set(arg.slice(0, eq), arg.slice(eq + 1));
  }
  return out;
}

export const BROKER_USAGE = 'USAGE: samsa-broker server.properties [--override property=value]*';

/** `samsa-broker server.properties [--override key=value]…` (Kafka.getPropsFromArgs). */
export function parseBrokerArgs(argv: readonly string[]): { propertiesFile: string; overrides: Map<string, string> } {
  if (argv.length === 0 || argv.includes('--help')) throw new ConfigException(BROKER_USAGE);
  const [propertiesFile, ...rest] = argv as [string, ...string[]];
  const values: string[] = [];
  const stray: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    if (arg === '--override') {
      const next = rest[++i];
      if (next === undefined) throw new ConfigException(`Option override requires an argument\n${BROKER_USAGE}`);
      values.push(next);
    } else if (arg.startsWith('--override=')) {
      values.push(arg.slice('--override='.length));
    } else {
      stray.push(arg);
    }
  }
  if (stray.length > 0) throw new ConfigException(`Found non argument parameters: ${stray.join(',')}\n${BROKER_USAGE}`);
  return { propertiesFile, overrides: parseOverrides(values) };
}
