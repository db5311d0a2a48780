/**
 * Fuzzing the protocol decoders with 100,000 mutated and truncated frames.
 *
 * Seeds: for every API and version Samsa serves, requests and responses, whole frames (header + body)
 * encoded from messages with every field the version carries filled (testing/fixtures.ts). While a
 * seed is first decoded, the positions of its int16 / int32 / varint reads (which include every
 * length and count) are recorded, so mutations can aim huge or negative values at length fields.
 *
 * Each iteration takes a seed, applies one to three mutations (bit flips, 0x00/0xff/0x7f/0x80 byte
 * overwrites, inserted / deleted / duplicated bytes, truncation, extreme int16 / int32 / varint values
 * at length fields) and decodes the result as a broker (requests: decodeRequestFrame, then the body
 * codec the header names) or a client (responses: decodeResponseFrame + the body codec it expects).
 * The only acceptable outcomes are a decoded value or a ProtocolDecodeError, and a decoded value may
 * hold no array, string or bytes longer than the frame (bytes must be views into the frame: nothing is
 * copied). Every iteration has its own PRNG stream (derived from SAMSA_FUZZ_SEED and its index), so a
 * failure report names the base seed, the iteration, the seed frame it came from, the mutations and the
 * mutated frame's hex; SAMSA_FUZZ_SEED=<seed> SAMSA_FUZZ_ITERATIONS=<iteration + 1> replays a run up to
 * it, a larger SAMSA_FUZZ_ITERATIONS extends it.
 */
import { join } from 'node:path';
import { ProtocolDecodeError } from './decode-error';
import type { FieldInfo, StructFieldTable } from './field-table';
import { ALL_API_KEYS, type ApiCodec, apiCodec } from './generated';
import { decodeRequestHeader } from './generated/request-header';
import { decodeResponseHeader } from './generated/response-header';
import {
  decodeRequestFrame,
  decodeResponseFrame,
  encodeRequestFrame,
  encodeResponseFrame,
  requestHeaderVersion,
  responseHeaderVersion,
} from './headers';
import { ByteReader, ByteWriter, ZERO_UUID } from './primitives';
import { MessageFiller, prng } from './testing/fixtures';

const ITERATIONS = Number(process.env.SAMSA_FUZZ_ITERATIONS ?? 100_000);
const BASE_SEED = Number(process.env.SAMSA_FUZZ_SEED ?? 0x5a45a);
/** Seed messages per (api, version, direction). */
const FILLS_PER_PAIR = 2;
/** A single decode slower than this is reported as a (near-)hang. */
const SLOW_DECODE_MS = 250;
const MAX_REPORTED = 25;

jest.setTimeout(180_000);

type Direction = 'request' | 'response';
type AnyCodec = ApiCodec<unknown, unknown>;

/** A ByteReader that records where each int16 / int32 / varint was read (lengths and counts among them). */
class TracingReader extends ByteReader {
  readonly int16At: number[] = [];
  readonly int32At: number[] = [];
  readonly varintAt: [number, number][] = [];

  override int16(): number {
    this.int16At.push(this.pos);
    return super.int16();
  }

  override int32(): number {
    this.int32At.push(this.pos);
    return super.int32();
  }

  override uvarint(): number {
    const at = this.pos;
    const v = super.uvarint();
    this.varintAt.push([at, this.pos - at]);
    return v;
  }
}

interface Seed {
  readonly id: number;
  readonly direction: Direction;
  readonly codec: AnyCodec;
  readonly version: number;
  /** the frame after its size prefix */
  readonly frame: Buffer;
  readonly int16At: readonly number[];
  readonly int32At: readonly number[];
  readonly varintAt: readonly (readonly [number, number])[];
}

const CODECS: AnyCodec[] = ALL_API_KEYS.map((k) => {
  const codec = apiCodec(k);
  if (codec === undefined) throw new Error(`no codec for api key ${k}`);
  return codec;
});

/** `ProduceRequest` → generated/produce-request.ts */
function moduleFile(messageName: string): string {
  return join(__dirname, 'generated', `${messageName.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}.ts`);
}

/** The default<Struct>() constructors a generated module exports, by struct name. */
async function structDefaults(messageName: string): Promise<Record<string, () => object>> {
  const mod: unknown = await import(moduleFile(messageName));
  if (typeof mod !== 'object' || mod === null) throw new Error(`cannot load ${messageName}`);
  const defaults: Record<string, () => object> = {};
  for (const [k, v] of Object.entries(mod)) {
    if (k.startsWith('default') && typeof v === 'function') defaults[k.slice('default'.length)] = v as () => object;
  }
  if (!(messageName in defaults)) throw new Error(`${messageName} has no default${messageName}()`);
  return defaults;
}

interface Struct {
  readonly messageName: string;
  readonly table: StructFieldTable;
  readonly defaults: Record<string, () => object>;
}

async function structsOf(codec: AnyCodec, direction: Direction): Promise<Struct> {
  const messageName = `${codec.name}${direction === 'request' ? 'Request' : 'Response'}`;
  const table = direction === 'request' ? codec.requestFields : codec.responseFields;
  return { messageName, table, defaults: await structDefaults(messageName) };
}

function encodeFrame(direction: Direction, codec: AnyCodec, version: number, message: unknown, correlationId: number): Buffer {
  const framed =
    direction === 'request'
      ? encodeRequestFrame({ apiKey: codec.apiKey, apiVersion: version, correlationId, clientId: 'fuzz-client' }, (w) =>
          codec.encodeRequest(w, message, version),
        )
      : encodeResponseFrame(codec.apiKey, version, correlationId, (w) => codec.encodeResponse(w, message, version));
  return Buffer.from(framed.subarray(4));
}

/** Decodes a seed frame with a TracingReader; it must be clean (all bytes read). */
function trace(direction: Direction, codec: AnyCodec, version: number, frame: Buffer): TracingReader {
  const r = new TracingReader(frame);
  if (direction === 'request') {
    decodeRequestHeader(r, requestHeaderVersion(codec.apiKey, version));
    codec.decodeRequest(r, version);
  } else {
    decodeResponseHeader(r, responseHeaderVersion(codec.apiKey, version));
    codec.decodeResponse(r, version);
  }
  if (r.remaining !== 0) throw new Error(`${codec.name} ${direction} v${version}: seed left ${r.remaining} bytes`);
  return r;
}

async function buildSeeds(): Promise<Seed[]> {
  const seeds: Seed[] = [];
  for (const codec of CODECS) {
    for (const direction of ['request', 'response'] as const) {
      const s = await structsOf(codec, direction);
      for (let version = codec.minVersion; version <= codec.maxVersion; version++) {
        for (let fill = 0; fill < FILLS_PER_PAIR; fill++) {
          const filler = new MessageFiller(s.table, s.defaults, prng(BASE_SEED + codec.apiKey * 7919 + version * 104_729 + fill), {
            maxArray: fill === 0 ? 3 : 2,
            nullRate: fill === 0 ? 0.25 : 0.5,
          });
          const message = filler.fill(s.messageName, version);
          const frame = encodeFrame(direction, codec, version, message, 1000 + seeds.length);
          const r = trace(direction, codec, version, frame);
          seeds.push({ id: seeds.length, direction, codec, version, frame, int16At: r.int16At, int32At: r.int32At, varintAt: r.varintAt });
        }
      }
    }
  }
  return seeds;
}

// ---------------------------------------------------------------------------------------------
// mutations

const SPECIAL_BYTES = [0x00, 0xff, 0x7f, 0x80];
const SPECIAL_INT16 = [0x7fff, -0x8000, -1, -2, 0x100];
const SPECIAL_INT32 = [0x7fffffff, -0x80000000, -1, -2, 0x10000000, 0x00ffffff, 0x10000];
const SPECIAL_VARINTS: readonly number[][] = [
  [0x00], // 0: null for compact lengths
  [0x80, 0x01], // 128
  [0xff, 0xff, 0xff, 0xff, 0x0f], // 2^32 - 1
  [0xff, 0xff, 0xff, 0xff, 0x07], // 2^31 - 1
  [0xff, 0xff, 0xff, 0xff, 0x7f], // five bytes, more than 32 bits
  [0x80, 0x80, 0x80, 0x80, 0x80, 0x01], // six bytes
  [0xff, 0xff, 0xff, 0xff, 0xff], // never terminates
  [0x80], // unterminated
];

type Rand = () => number;
const pick = <T>(rand: Rand, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
const below = (rand: Rand, n: number): number => Math.floor(rand() * n);

function uvarintBytes(v: number): number[] {
  const w = new ByteWriter(8);
  w.uvarint(v);
  return [...w.finish()];
}

function splice(bytes: Buffer, at: number, remove: number, insert: readonly number[]): Buffer {
  const pos = Math.min(at, bytes.length);
  return Buffer.concat([bytes.subarray(0, pos), Buffer.from(insert), bytes.subarray(Math.min(bytes.length, pos + remove))]);
}

/** Applies 1-3 mutations; returns the new frame and a short description of what was done. */
function mutate(seed: Seed, rand: Rand): { frame: Buffer; ops: string[] } {
  let bytes: Buffer = Buffer.from(seed.frame);
  const ops: string[] = [];
  const count = 1 + below(rand, 3);
  for (let k = 0; k < count; k++) {
    const len = bytes.length;
    const op = below(rand, 12);
    if (op === 0 && len > 0) {
      const at = below(rand, len);
      const bit = below(rand, 8);
      bytes[at] ^= 1 << bit;
      ops.push(`flip@${at}.${bit}`);
    } else if (op === 1 && len > 0) {
      const at = below(rand, len);
      const b = rand() < 0.8 ? pick(rand, SPECIAL_BYTES) : below(rand, 256);
      bytes[at] = b;
      ops.push(`byte@${at}=${b}`);
    } else if ((op === 2 || op === 3) && seed.int32At.length > 0) {
      const at = pick(rand, seed.int32At);
      if (at + 4 <= len) {
        const v = rand() < 0.8 ? pick(rand, SPECIAL_INT32) : len + below(rand, 64) - 32;
        bytes.writeInt32BE(v, at);
        ops.push(`int32@${at}=${v}`);
      }
    } else if (op === 4 && seed.int16At.length > 0) {
      const at = pick(rand, seed.int16At);
      if (at + 2 <= len) {
        const v = rand() < 0.8 ? pick(rand, SPECIAL_INT16) : Math.min(0x7fff, len + below(rand, 64) - 32);
        bytes.writeInt16BE(v, at);
        ops.push(`int16@${at}=${v}`);
      }
    } else if ((op === 5 || op === 6) && seed.varintAt.length > 0) {
      const [at, width] = pick(rand, seed.varintAt);
      if (at + width <= len) {
        const v = rand() < 0.7 ? pick(rand, SPECIAL_VARINTS) : uvarintBytes(len + below(rand, 64));
        bytes = splice(bytes, at, width, v);
        ops.push(`varint@${at}=${Buffer.from(v).toString('hex')}`);
      }
    } else if (op === 7) {
      const at = below(rand, len + 1);
      const n = 1 + below(rand, 16);
      const fill = rand() < 0.5 ? Array.from({ length: n }, () => pick(rand, SPECIAL_BYTES)) : Array.from({ length: n }, () => below(rand, 256));
      bytes = splice(bytes, at, 0, fill);
      ops.push(`insert@${at}+${n}`);
    } else if (op === 8 && len > 0) {
      const at = below(rand, len);
      const n = 1 + below(rand, 16);
      bytes = splice(bytes, at, n, []);
      ops.push(`delete@${at}-${n}`);
    } else if (op === 9 && len > 1) {
      const from = below(rand, len);
      const n = 1 + below(rand, Math.min(32, len - from));
      const at = below(rand, len + 1);
      bytes = splice(bytes, at, 0, [...bytes.subarray(from, from + n)]);
      ops.push(`dup${from}+${n}@${at}`);
    } else {
      const at = below(rand, len + 1);
      bytes = Buffer.from(bytes.subarray(0, at));
      ops.push(`truncate@${at}`);
    }
  }
  return { frame: bytes, ops };
}

// ---------------------------------------------------------------------------------------------
// decoding and checking

/** The broker's path: header first, then the body codec the header names (if Samsa serves that API). */
function decodeAsBroker(frame: Buffer): unknown {
  const { header, body } = decodeRequestFrame(frame);
  const codec = apiCodec(header.requestApiKey);
  if (codec === undefined) return header;
  return { header, body: codec.decodeRequest(body, header.requestApiVersion) };
}

/** The client's path: it knows which API and version it asked for. */
function decodeAsClient(frame: Buffer, codec: AnyCodec, version: number): unknown {
  const { correlationId, body } = decodeResponseFrame(frame, codec.apiKey, version);
  return { correlationId, body: codec.decodeResponse(body, version) };
}

interface Sizes {
  /** arrays' lengths + strings' lengths, over the whole decoded value */
  total: number;
}

/**
 * The longest value a decoder produces without reading it from the frame: the default of a uuid field
 * a version does not carry (Uuid.ZERO_UUID, 22 base64url characters). Constants, not allocations sized
 * by the frame's contents.
 */
const CONSTANT_SLACK = ZERO_UUID.length;

/**
 * Walks a decoded value: no array, string or bytes may be longer than the frame (strings: beyond the
 * constant defaults above), and bytes must be views into the frame (nothing copied). Returns the first
 * violation, or null.
 */
function checkSizes(x: unknown, frame: Buffer, path: string, sizes: Sizes): string | null {
  if (typeof x === 'string') {
    sizes.total += x.length;
    return x.length > Math.max(frame.length, CONSTANT_SLACK) ? `${path}: string of ${x.length} chars from a ${frame.length}-byte frame` : null;
  }
  if (Buffer.isBuffer(x)) {
    if (x.length > frame.length) return `${path}: ${x.length} bytes from a ${frame.length}-byte frame`;
    if (x.length > 0 && x.buffer !== frame.buffer) return `${path}: ${x.length} bytes copied out of the frame`;
    return null;
  }
  if (Array.isArray(x)) {
    sizes.total += x.length;
    if (x.length > frame.length) return `${path}: array of ${x.length} from a ${frame.length}-byte frame`;
    for (let i = 0; i < x.length; i++) {
      const bad = checkSizes(x[i] as unknown, frame, `${path}[${i}]`, sizes);
      if (bad !== null) return bad;
    }
    return null;
  }
  if (typeof x === 'object' && x !== null) {
    for (const [k, v] of Object.entries(x)) {
      const bad = checkSizes(v, frame, `${path}.${k}`, sizes);
      if (bad !== null) return bad;
    }
  }
  return null;
}

interface Failure {
  baseSeed: number;
  iteration: number;
  seed: string;
  ops: string;
  problem: string;
  frameHex: string;
}

interface RunStats {
  iterations: number;
  decoded: number;
  rejected: number;
  failures: Failure[];
  failureCount: number;
  maxDecodeMs: number;
  maxTotalPerByte: number;
  elapsedMs: number;
}

function seedName(seed: Seed): string {
  return `${seed.codec.name} ${seed.direction} v${seed.version} (seed #${seed.id})`;
}

function decodeSeedFrame(seed: Seed, frame: Buffer): unknown {
  return seed.direction === 'request' ? decodeAsBroker(frame) : decodeAsClient(frame, seed.codec, seed.version);
}

/**
 * How long decoding `frame` takes, at best of three: a single slow run can be a GC pause or a busy
 * machine, a decode that is slow every time is what a (near-)hang looks like.
 */
function bestDecodeMs(seed: Seed, frame: Buffer): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    try {
      decodeSeedFrame(seed, frame);
    } catch {
      // the outcome was checked already; only the time matters here
    }
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

/** Decodes one frame as `seed` says; returns a problem description, or null when the outcome is acceptable. */
function attempt(seed: Seed, frame: Buffer, stats: RunStats): string | null {
  const started = performance.now();
  let value: unknown;
  let rejected = false;
  try {
    value = decodeSeedFrame(seed, frame);
  } catch (e) {
    if (!(e instanceof ProtocolDecodeError)) {
      const err = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e);
      return `threw something other than ProtocolDecodeError: ${err}`;
    }
    rejected = true;
  }
  let ms = performance.now() - started;
  if (ms > SLOW_DECODE_MS) ms = bestDecodeMs(seed, frame);
  stats.maxDecodeMs = Math.max(stats.maxDecodeMs, ms);
  if (ms > SLOW_DECODE_MS) return `${rejected ? 'rejecting' : 'decoding'} took ${ms.toFixed(1)} ms (best of three)`;
  if (rejected) {
    stats.rejected++;
    return null;
  }
  stats.decoded++;
  const sizes: Sizes = { total: 0 };
  const bad = checkSizes(value, frame, seed.direction, sizes);
  if (frame.length > 0) stats.maxTotalPerByte = Math.max(stats.maxTotalPerByte, sizes.total / frame.length);
  return bad;
}

function record(stats: RunStats, f: Failure): void {
  stats.failureCount++;
  if (stats.failures.length < MAX_REPORTED) stats.failures.push(f);
}

function newStats(): RunStats {
  return { iterations: 0, decoded: 0, rejected: 0, failures: [], failureCount: 0, maxDecodeMs: 0, maxTotalPerByte: 0, elapsedMs: 0 };
}

/** Iteration i always draws from the same PRNG stream and the same seed, whatever ran before it. */
function fuzz(seeds: readonly Seed[], from: number, to: number): RunStats {
  const stats = newStats();
  const started = performance.now();
  for (let i = from; i < to; i++) {
    const rand = prng((BASE_SEED ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0);
    let seed = seeds[i % seeds.length];
    const { frame, ops } = mutate(seed, rand);
    if (seed.direction === 'response' && rand() < 0.1) {
      // a client that lost track of which version it asked for (requests carry theirs in the header)
      const version = seed.codec.minVersion + below(rand, seed.codec.maxVersion - seed.codec.minVersion + 1);
      seed = { ...seed, version };
      ops.push(`as-v${version}`);
    }
    stats.iterations++;
    const problem = attempt(seed, frame, stats);
    if (problem !== null) {
      record(stats, { baseSeed: BASE_SEED, iteration: i, seed: seedName(seed), ops: ops.join(' '), problem, frameHex: frame.toString('hex') });
    }
  }
  stats.elapsedMs = performance.now() - started;
  return stats;
}

function summary(label: string, stats: RunStats): string {
  return (
    `${label}: ${stats.iterations} frames in ${(stats.elapsedMs / 1000).toFixed(2)} s ` +
    `(${stats.decoded} decoded, ${stats.rejected} ProtocolDecodeError, ${stats.failureCount} failures); ` +
    `slowest decode ${stats.maxDecodeMs.toFixed(2)} ms; at most ${stats.maxTotalPerByte.toFixed(2)} array elements + string chars per frame byte; ` +
    `SAMSA_FUZZ_SEED=${BASE_SEED}`
  );
}

// ---------------------------------------------------------------------------------------------

let SEEDS: Seed[] = [];

beforeAll(async () => {
  SEEDS = await buildSeeds();
});

describe('protocol decoders under fuzzing', () => {
  test('the seed corpus covers every API and version in both directions, and decodes cleanly', () => {
    const pairs = CODECS.reduce((n, c) => n + (c.maxVersion - c.minVersion + 1), 0);
    expect(SEEDS.length).toBe(pairs * 2 * FILLS_PER_PAIR);
    for (const seed of SEEDS) {
      const stats = newStats();
      expect({ seed: seedName(seed), problem: attempt(seed, seed.frame, stats) }).toEqual({ seed: seedName(seed), problem: null });
      expect(stats.decoded).toBe(1);
    }
  });

  test(`${ITERATIONS} mutated and truncated frames yield a value or a ProtocolDecodeError, within the frame's size`, () => {
    const before = process.memoryUsage();
    const stats = fuzz(SEEDS, 0, ITERATIONS);
    const after = process.memoryUsage();
    console.log(
      `${summary('fuzz', stats)}; seeds ${SEEDS.length}; ` +
        `heapUsed ${((after.heapUsed - before.heapUsed) / 2 ** 20).toFixed(1)} MiB, ` +
        `arrayBuffers ${((after.arrayBuffers - before.arrayBuffers) / 2 ** 20).toFixed(1)} MiB across the run`,
    );
    expect(stats.iterations).toBe(ITERATIONS);
    expect(stats.failures).toEqual([]);
    // Nothing decoded holds more elements than nesting can explain (each element and character costs at
    // least one byte at its own level), and the run as a whole does not hoard buffers: bytes are views.
    expect(stats.maxTotalPerByte).toBeLessThanOrEqual(8);
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(64 * 2 ** 20);
    // Both outcomes must actually occur, or the mutations are too weak (or too strong) to mean much.
    expect(stats.decoded).toBeGreaterThan(ITERATIONS / 20);
    expect(stats.rejected).toBeGreaterThan(ITERATIONS / 4);
  });

  test('every truncation of every seed is rejected with a ProtocolDecodeError or decodes within bounds', () => {
    const stats = newStats();
    const started = performance.now();
    for (const seed of SEEDS.filter((s) => s.id % FILLS_PER_PAIR === 0)) {
      for (let at = 0; at < seed.frame.length; at++) {
        const frame = Buffer.from(seed.frame.subarray(0, at));
        stats.iterations++;
        const problem = attempt(seed, frame, stats);
        if (problem !== null) record(stats, { baseSeed: BASE_SEED, iteration: at, seed: seedName(seed), ops: `truncate@${at}`, problem, frameHex: frame.toString('hex') });
      }
    }
    stats.elapsedMs = performance.now() - started;
    console.log(summary('truncations', stats));
    expect(stats.failures).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// The other side of the allocation guard: arrays are bounded by how many elements could fit in the
// rest of the frame (each element's minimum encoded size). A valid frame must never trip it, so long
// arrays of minimal elements (defaults: empty strings, empty arrays, nulls) must still decode.

const LONG = 64;

function carried(f: FieldInfo, version: number): boolean {
  const range = f.tagged ?? f.versions;
  return range !== null && version >= range[0] && version <= range[1];
}

const PRIMITIVE_DEFAULT: Readonly<Record<string, () => unknown>> = {
  int8: () => 0,
  int16: () => 0,
  uint16: () => 0,
  int32: () => 0,
  int64: () => 0n,
  float64: () => 0,
  bool: () => false,
  string: () => '',
  bytes: () => Buffer.alloc(0),
  records: () => Buffer.alloc(0),
  uuid: () => Buffer.alloc(16).toString('base64url'),
};

/** Messages of struct `name` at `version`, each with one (possibly nested) array holding LONG minimal elements. */
function longArrayVariants(s: Struct, name: string, version: number, depth = 0): { path: string; value: Record<string, unknown> }[] {
  const fields = s.table[name];
  const make = s.defaults[name];
  if (fields === undefined || make === undefined) throw new Error(`no struct ${name}`);
  const out: { path: string; value: Record<string, unknown> }[] = [];
  for (const f of fields) {
    if (!f.array || !carried(f, version)) continue;
    const primitive = PRIMITIVE_DEFAULT[f.type];
    const element = (): unknown => (primitive ? primitive() : (s.defaults[f.type] ?? (() => ({})))());
    out.push({ path: f.name, value: { ...(make() as Record<string, unknown>), [f.name]: Array.from({ length: LONG }, element) } });
    if (!primitive && depth < 4) {
      for (const inner of longArrayVariants(s, f.type, version, depth + 1)) {
        out.push({ path: `${f.name}[0].${inner.path}`, value: { ...(make() as Record<string, unknown>), [f.name]: [inner.value] } });
      }
    }
  }
  return out;
}

describe('the array-count guard never rejects a valid message', () => {
  test('long arrays of minimal elements decode, in every array of every API and version', async () => {
    const problems: string[] = [];
    let checked = 0;
    for (const codec of CODECS) {
      for (const direction of ['request', 'response'] as const) {
        const s = await structsOf(codec, direction);
        for (let version = codec.minVersion; version <= codec.maxVersion; version++) {
          for (const { path, value } of longArrayVariants(s, s.messageName, version)) {
            checked++;
            const where = `${s.messageName} v${version} ${path}`;
            try {
              const w = new ByteWriter();
              if (direction === 'request') codec.encodeRequest(w, value, version);
              else codec.encodeResponse(w, value, version);
              const bytes = Buffer.from(w.finish());
              const r = new ByteReader(bytes);
              const decoded = direction === 'request' ? codec.decodeRequest(r, version) : codec.decodeResponse(r, version);
              if (r.remaining !== 0) problems.push(`${where}: ${r.remaining} bytes left`);
              else expect(decoded).toEqual(value);
            } catch (e) {
              problems.push(`${where}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
            }
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(700);
    expect(problems).toEqual([]);
  });
});
