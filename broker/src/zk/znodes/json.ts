/**
 * JSON plumbing shared by the znode codecs: one typed error for malformed znode data, and readers that
 * check value types the way Kafka's `JsonValue.to[T]` does (an Int must be a JSON integer in int32
 * range, a String must be a JSON string: no coercion between the two).
 */

/** Malformed or unexpected data in a znode. `path` names the znode (or its path template). */
export class ZnodeDataError extends Error {
  override readonly name = 'ZnodeDataError';

  constructor(
    readonly path: string,
    readonly reason: string,
    readonly data?: string,
  ) {
    super(`malformed data in znode ${path}: ${reason}${data === undefined ? '' : ` (data: ${truncate(data)})`}`);
  }
}

export function isZnodeDataError(err: unknown): err is ZnodeDataError {
  return err instanceof ZnodeDataError;
}

function truncate(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}...` : s;
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function encodeJson(value: Json): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

export function encodeText(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

/** Decodes UTF-8 text; null/empty data is an error naming the path. */
export function decodeText(path: string, bytes: Buffer | null): string {
  if (bytes === null || bytes.length === 0) throw new ZnodeDataError(path, 'no data');
  return bytes.toString('utf8');
}

/** True when a znode holds no data (Kafka's `Json.parseBytes` gives None for null bytes). */
export function isEmpty(bytes: Buffer | null): bytes is null {
  return bytes === null || bytes.length === 0;
}

/** A cursor over a parsed JSON value that reports errors against the znode path and a field trail. */
export class JsonReader {
  constructor(
    readonly path: string,
    readonly value: Json,
    private readonly field: string,
    private readonly raw: string,
  ) {}

  static parse(path: string, bytes: Buffer | null): JsonReader {
    if (bytes === null || bytes.length === 0) throw new ZnodeDataError(path, 'no data');
    const raw = bytes.toString('utf8');
    let value: Json;
    try {
      value = JSON.parse(raw) as Json;
    } catch (err) {
      throw new ZnodeDataError(path, `invalid JSON: ${(err as Error).message}`, raw);
    }
    return new JsonReader(path, value, '', raw);
  }

  fail(reason: string): never {
    throw new ZnodeDataError(this.path, this.field === '' ? reason : `${this.field}: ${reason}`, this.raw);
  }

  private child(name: string, value: Json): JsonReader {
    return new JsonReader(this.path, value, this.field === '' ? name : `${this.field}.${name}`, this.raw);
  }

  private obj(): JsonObject {
    const v = this.value;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(`expected an object, got ${describe(v)}`);
    return v;
  }

  /** The named field; fails when absent. */
  get(key: string): JsonReader {
    const o = this.obj();
    if (!Object.prototype.hasOwnProperty.call(o, key)) this.fail(`missing field "${key}"`);
    return this.child(key, o[key]);
  }

  /** The named field, or undefined when absent (present-but-null is returned as a null reader). */
  opt(key: string): JsonReader | undefined {
    const o = this.obj();
    return Object.prototype.hasOwnProperty.call(o, key) ? this.child(key, o[key]) : undefined;
  }

  /** The named field, or undefined when absent or null. */
  optNonNull(key: string): JsonReader | undefined {
    const r = this.opt(key);
    return r === undefined || r.value === null ? undefined : r;
  }

  entries(): [string, JsonReader][] {
    return Object.entries(this.obj()).map(([k, v]) => [k, this.child(k, v)]);
  }

  array(): JsonReader[] {
    const v = this.value;
    if (!Array.isArray(v)) this.fail(`expected an array, got ${describe(v)}`);
    return v.map((e, i) => this.child(`[${i}]`, e));
  }

  isNull(): boolean {
    return this.value === null;
  }

  int(): number {
    const v = this.value;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < -2147483648 || v > 2147483647) {
      this.fail(`expected an int32, got ${describe(v)}`);
    }
    return v;
  }

  /** A JSON integer that fits a JS number exactly (Kafka Long fields written as numbers). */
  long(): number {
    const v = this.value;
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) this.fail(`expected an integer, got ${describe(v)}`);
    return v;
  }

  string(): string {
    const v = this.value;
    if (typeof v !== 'string') this.fail(`expected a string, got ${describe(v)}`);
    return v;
  }

  /** A string or null (Kafka's `to[Option[String]]` / Jackson null). */
  nullableString(): string | null {
    return this.value === null ? null : this.string();
  }

  /** A decimal integer written as a JSON string (Kafka's `to[String].toLong`). */
  longString(): bigint {
    const s = this.string();
    if (!/^[+-]?\d+$/.test(s)) this.fail(`expected a decimal integer string, got ${JSON.stringify(s)}`);
    const n = BigInt(s);
    if (n < -(2n ** 63n) || n >= 2n ** 63n) this.fail(`out of int64 range: ${s}`);
    return n;
  }

  intArray(): number[] {
    return this.array().map((e) => e.int());
  }

  stringArray(): string[] {
    return this.array().map((e) => e.string());
  }

  stringMap(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of this.entries()) out[k] = v.string();
    return out;
  }
}

function describe(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** Kafka's `String.toInt` on plain-text znodes: optional sign, decimal digits, int32 range. */
export function parseIntText(path: string, text: string): number {
  const t = text;
  if (!/^[+-]?\d+$/.test(t)) throw new ZnodeDataError(path, `expected a decimal integer, got ${JSON.stringify(text)}`);
  const n = Number(t);
  if (n < -2147483648 || n > 2147483647) throw new ZnodeDataError(path, `out of int32 range: ${text}`);
  return n;
}

/** Kafka's `String.toLong` on plain-text znodes. */
export function parseLongText(path: string, text: string): bigint {
  if (!/^[+-]?\d+$/.test(text)) throw new ZnodeDataError(path, `expected a decimal integer, got ${JSON.stringify(text)}`);
  const n = BigInt(text);
  if (n < -(2n ** 63n) || n >= 2n ** 63n) throw new ZnodeDataError(path, `out of int64 range: ${text}`);
  return n;
}

/** Timestamps Kafka writes as `Long.toString`; read back as a JS number (ms since epoch). */
export function timestampString(r: JsonReader): number {
  const n = r.longString();
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) r.fail('timestamp out of range');
  return Number(n);
}

/** Asserts a partition-id map key ("0", "1", ...) and returns it as a number. */
export function partitionKey(r: JsonReader, key: string): number {
  if (!/^(0|[1-9]\d*)$/.test(key) || Number(key) > 2147483647) r.fail(`invalid partition id key ${JSON.stringify(key)}`);
  return Number(key);
}
