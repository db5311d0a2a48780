/**
 * A small typed shim over kafkajs's protocol modules (node_modules/kafkajs/src/protocol), used as an
 * independent oracle for Samsa's generated codecs: kafkajs's own request encoders (and its request
 * framing) produce bytes that Samsa must decode, and Samsa's response encoders produce bytes that
 * kafkajs's response decoders must read back.
 *
 * kafkajs is untyped JavaScript: everything it returns comes in as `unknown` and is narrowed here.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { API_CODECS, type ApiMessages } from '../generated';
import { decodeRequestFrame, encodeResponseFrame, requestHeaderVersion } from '../headers';

/** Node's own require (kafkajs is loaded as plain CommonJS, outside the TypeScript module graph). */
const requireJs = createRequire(__filename);
const KAFKAJS_DIR = path.dirname(requireJs.resolve('kafkajs/package.json'));

function loadKafkajs(relative: string): unknown {
  return requireJs(path.join(KAFKAJS_DIR, 'src', relative)) as unknown;
}

// ---------------------------------------------------------------------------------------------
// narrowing helpers

type Fn = (...args: unknown[]) => unknown;
type Ctor = new (...args: unknown[]) => unknown;

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

function prop(x: unknown, key: string, what: string): unknown {
  if (!isRecord(x) || !(key in x)) throw new Error(`kafkajs shim: ${what} has no "${key}"`);
  return x[key];
}

function asFn(x: unknown, what: string): Fn {
  if (typeof x !== 'function') throw new Error(`kafkajs shim: ${what} is not a function`);
  return x as Fn;
}

function asCtor(x: unknown, what: string): Ctor {
  if (typeof x !== 'function') throw new Error(`kafkajs shim: ${what} is not a class`);
  return x as Ctor;
}

function asBuffer(x: unknown, what: string): Buffer {
  if (!Buffer.isBuffer(x)) throw new Error(`kafkajs shim: ${what} is not a Buffer`);
  return x;
}

async function awaitUnknown(x: unknown): Promise<unknown> {
  return (await x) as unknown;
}

/** kafkajs's Encoder (src/protocol/encoder.js) → its bytes. */
function encoderBytes(encoder: unknown, what: string): Buffer {
  return asBuffer(prop(encoder, 'buffer', what), `${what}.buffer`);
}

// ---------------------------------------------------------------------------------------------
// kafkajs's request definitions

const Decoder = asCtor(loadKafkajs('protocol/decoder.js'), 'Decoder');
const Encoder = asCtor(loadKafkajs('protocol/encoder.js'), 'Encoder');
const LongClass = asCtor(loadKafkajs('utils/long.js'), 'Long');
const kafkajsRequestFraming = asFn(loadKafkajs('protocol/request.js'), 'protocol/request.js');
const kafkajsApiKeys = loadKafkajs('protocol/requests/apiKeys.js');
const kafkajsRequests = prop(loadKafkajs('protocol/requests/index.js'), 'requests', 'requests/index.js');

/** One API as kafkajs implements it: its name in requests/index.js, its key, and its versions. */
export interface KafkajsApi {
  readonly name: string;
  readonly apiKey: number;
  readonly versions: readonly number[];
}

/** Every API kafkajs implements, with its versions, read from requests/index.js. */
export function kafkajsApis(): KafkajsApi[] {
  if (!isRecord(kafkajsRequests)) throw new Error('kafkajs shim: requests is not an object');
  return Object.keys(kafkajsRequests).flatMap((name) => {
    const versions = prop(kafkajsRequests[name], 'versions', name);
    if (!Array.isArray(versions)) throw new Error(`kafkajs shim: ${name}.versions is not an array`);
    // APIs kafkajs lists but does not implement have no versions (and some no entry in apiKeys.js)
    if (versions.length === 0) return [];
    const apiKey = prop(kafkajsApiKeys, name, 'apiKeys.js');
    if (typeof apiKey !== 'number') throw new Error(`kafkajs shim: no api key for ${name}`);
    return [{ name, apiKey, versions: versions.map((v) => Number(v)).sort((a, b) => a - b) }];
  });
}

/** A request as kafkajs's `requests/<api>/v<N>/request.js` builds it. */
export interface KafkajsRequest {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly apiName: string;
  /** the raw kafkajs object, for the framing function */
  readonly raw: unknown;
}

/** A response module: `requests/<api>/v<N>/response.js`. */
export interface KafkajsResponse {
  /** Decodes the bytes after the correlation id (kafkajs reads a flexible header's tags itself). */
  decode(payload: Buffer): Promise<unknown>;
}

/** What `requests/<api>/index.js` returns for one version and one set of arguments. */
export function kafkajsProtocol(name: string, version: number, args: unknown): { request: KafkajsRequest; response: KafkajsResponse } {
  if (!isRecord(kafkajsRequests)) throw new Error('kafkajs shim: requests is not an object');
  const protocol = asFn(prop(kafkajsRequests[name], 'protocol', name), `${name}.protocol`);
  const build = asFn(protocol({ version }), `${name} v${version}`);
  const built = build(args);
  const request = prop(built, 'request', `${name} v${version}`);
  const response = prop(built, 'response', `${name} v${version}`);
  const apiKey = prop(request, 'apiKey', 'request');
  const apiVersion = prop(request, 'apiVersion', 'request');
  const apiName = prop(request, 'apiName', 'request');
  if (typeof apiKey !== 'number' || typeof apiVersion !== 'number' || typeof apiName !== 'string') {
    throw new Error(`kafkajs shim: ${name} v${version} request has no apiKey/apiVersion/apiName`);
  }
  const decode = asFn(prop(response, 'decode', 'response'), `${name} v${version} response.decode`);
  return {
    request: { apiKey, apiVersion, apiName, raw: request },
    response: { decode: (payload) => awaitUnknown(decode(payload)) },
  };
}

/**
 * The whole request frame as a kafkajs connection sends it (src/protocol/request.js: size, api key,
 * api version, correlation id, client id, then the body kafkajs's encoder wrote).
 */
export async function kafkajsRequestFrame(request: KafkajsRequest, correlationId: number, clientId: string): Promise<Buffer> {
  const encoder = await awaitUnknown(kafkajsRequestFraming({ correlationId, clientId, request: request.raw }));
  return Buffer.from(encoderBytes(encoder, 'request frame'));
}

// ---------------------------------------------------------------------------------------------
// record batches and message sets, encoded and decoded by kafkajs

/** A message as kafkajs's producer takes it. */
export interface KafkajsMessage {
  key?: string | Buffer | null;
  value: string | Buffer | null;
  timestamp?: number;
  headers?: Record<string, string | Buffer>;
}

/** kafkajs's compression type ids (src/protocol/message/compression). */
export const KafkajsCompression = { None: 0, GZIP: 1 } as const;

const RecordBatchModule = loadKafkajs('protocol/recordBatch/v0/index.js');
const RecordBatch = asFn(prop(RecordBatchModule, 'RecordBatch', 'recordBatch/v0'), 'RecordBatch');
const Record = asFn(loadKafkajs('protocol/recordBatch/record/v0/index.js'), 'Record');
const MessageSet = asFn(loadKafkajs('protocol/messageSet/index.js'), 'MessageSet');
const RecordBatchDecoder = asFn(loadKafkajs('protocol/recordBatch/v0/decoder.js'), 'RecordBatchDecoder');
const MessageSetDecoder = asFn(loadKafkajs('protocol/messageSet/decoder.js'), 'MessageSetDecoder');

/** One record batch (magic 2) written by kafkajs's RecordBatch encoder, as it sits in a Fetch response. */
export async function kafkajsRecordBatch(options: {
  firstOffset: bigint;
  firstTimestamp: number;
  messages: readonly KafkajsMessage[];
  partitionLeaderEpoch?: number;
  producerId?: bigint;
  producerEpoch?: number;
  firstSequence?: number;
  transactional?: boolean;
  compression?: number;
}): Promise<Buffer> {
  const long = (v: bigint): unknown => new LongClass(v);
  const records = options.messages.map((m, i) =>
    Record({ ...m, offsetDelta: i, timestampDelta: (m.timestamp ?? options.firstTimestamp) - options.firstTimestamp }),
  );
  const timestamps = options.messages.map((m) => m.timestamp ?? options.firstTimestamp);
  const batch = await awaitUnknown(
    RecordBatch({
      compression: options.compression ?? KafkajsCompression.None,
      firstOffset: long(options.firstOffset),
      firstTimestamp: options.firstTimestamp,
      maxTimestamp: Math.max(options.firstTimestamp, ...timestamps),
      partitionLeaderEpoch: options.partitionLeaderEpoch ?? 0,
      lastOffsetDelta: records.length - 1,
      transactional: options.transactional ?? false,
      producerId: long(options.producerId ?? -1n),
      producerEpoch: options.producerEpoch ?? 0,
      firstSequence: options.firstSequence ?? 0,
      records,
    }),
  );
  return Buffer.from(encoderBytes(batch, 'RecordBatch'));
}

/** A legacy message set (magic 0 or 1) written by kafkajs's MessageSet encoder. */
export function kafkajsMessageSet(messageVersion: 0 | 1, messages: readonly KafkajsMessage[]): Buffer {
  // Without a `compression` argument kafkajs numbers the entries 0, 1, 2... (with None it writes -1,
  // as a producer does); a broker's fetch response carries real offsets, so leave it out.
  const encoder = MessageSet({ messageVersion, entries: messages });
  return Buffer.from(encoderBytes(encoder, 'MessageSet'));
}

/** Decodes back-to-back record batches with kafkajs's RecordBatch decoder; returns their records. */
export async function kafkajsDecodeRecordBatches(bytes: Buffer): Promise<unknown[]> {
  const decoder = new Decoder(bytes);
  const records: unknown[] = [];
  const offset = (): number => {
    const o = prop(decoder, 'offset', 'Decoder');
    if (typeof o !== 'number') throw new Error('kafkajs shim: Decoder.offset');
    return o;
  };
  while (offset() < bytes.length) {
    const batch = await awaitUnknown(RecordBatchDecoder(decoder));
    const rs = prop(batch, 'records', 'record batch');
    if (!Array.isArray(rs)) throw new Error('kafkajs shim: record batch has no records');
    records.push(...(rs as unknown[]));
  }
  return normalizeKafkajs(records) as unknown[];
}

/** Decodes a legacy message set with kafkajs's MessageSet decoder. */
export async function kafkajsDecodeMessageSet(bytes: Buffer): Promise<unknown[]> {
  const decoded = await awaitUnknown(MessageSetDecoder(new Decoder(bytes), bytes.length));
  if (!Array.isArray(decoded)) throw new Error('kafkajs shim: message set did not decode to an array');
  return normalizeKafkajs(decoded) as unknown[];
}

/** A buffer with a 4-byte length prefix, the way kafkajs's SASL mechanisms hand auth bytes to SaslAuthenticate. */
export function kafkajsLengthPrefixed(payload: Buffer): Buffer {
  const encoder = new Encoder();
  asFn(prop(encoder, 'writeBytes', 'Encoder'), 'Encoder.writeBytes').call(encoder, payload);
  return Buffer.from(encoderBytes(encoder, 'Encoder'));
}

/** A kafkajs Long (a bigint wrapper), for arguments kafkajs expects as Long. */
export function kafkajsLong(v: bigint): unknown {
  return new LongClass(v);
}

/**
 * Makes kafkajs's output comparable: Longs become their decimal strings (kafkajs's own convention in
 * most decoders); arrays and plain objects are walked; everything else is kept as is.
 */
export function normalizeKafkajs(x: unknown): unknown {
  if (x instanceof LongClass) return String(prop(x, 'value', 'Long'));
  if (Array.isArray(x)) return x.map((e: unknown) => normalizeKafkajs(e));
  if (isRecord(x) && Object.getPrototypeOf(x) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) out[k] = normalizeKafkajs(v);
    return out;
  }
  return x;
}

// ---------------------------------------------------------------------------------------------
// how much of a buffer a kafkajs decoder read

const TRACKED = '__samsaOracleTracked';
interface Tracking {
  buffer: Buffer | null;
  maxOffset: number;
}
const tracking: Tracking = { buffer: null, maxOffset: 0 };

/**
 * Wraps every method of kafkajs's Decoder once so that, while `tracking.buffer` is set, the furthest
 * offset any decoder over exactly that buffer reached is recorded (the top-level decoder a response
 * module creates is `new Decoder(payload)`).
 */
function instrumentDecoder(): void {
  const proto: unknown = Decoder.prototype;
  if (!isRecord(proto) || proto[TRACKED] === true) return;
  for (const name of Object.getOwnPropertyNames(proto)) {
    if (name === 'constructor') continue;
    const original = proto[name];
    if (typeof original !== 'function') continue;
    const fn = original as Fn;
    proto[name] = function (this: unknown, ...args: unknown[]): unknown {
      const result = fn.apply(this, args);
      if (tracking.buffer !== null && isRecord(this) && this.buffer === tracking.buffer && typeof this.offset === 'number') {
        tracking.maxOffset = Math.max(tracking.maxOffset, this.offset);
      }
      return result;
    };
  }
  Object.defineProperty(proto, TRACKED, { value: true });
}

/** Runs a kafkajs response decoder over `payload`; returns its (normalized) result and how many bytes it read. */
export async function kafkajsDecodeResponse(response: KafkajsResponse, payload: Buffer): Promise<{ decoded: unknown; consumed: number }> {
  instrumentDecoder();
  tracking.buffer = payload;
  tracking.maxOffset = 0;
  try {
    const decoded = await response.decode(payload);
    return { decoded: normalizeKafkajs(decoded), consumed: tracking.maxOffset };
  } finally {
    tracking.buffer = null;
  }
}

// ---------------------------------------------------------------------------------------------
// oracle cases

type Req<K extends keyof ApiMessages> = ApiMessages[K]['request'];
type Res<K extends keyof ApiMessages> = ApiMessages[K]['response'];

/**
 * One API checked against kafkajs, for every version kafkajs implements:
 *  - request: `args(v)` go to kafkajs's requests/<api>/index.js; Samsa must decode exactly `expectRequest(v)`;
 *  - response: Samsa encodes `response(v)`; kafkajs's decoder must return exactly `expectResponse(v)`
 *    (after normalizeKafkajs) and read every byte.
 */
export interface OracleCase<K extends keyof ApiMessages> {
  /** the API's name in kafkajs's requests/index.js */
  readonly kafkajsName: string;
  readonly apiKey: K;
  args(v: number): unknown;
  expectRequest(v: number): Req<K>;
  /** further checks on the decoded request (e.g. decoding the records it carries with kafkajs) */
  checkRequest?(decoded: Req<K>, v: number): Promise<void> | void;
  response(v: number): Res<K> | Promise<Res<K>>;
  /** what kafkajs's decoder must return (may be a promise, or hold jest asymmetric matchers) */
  expectResponse(v: number): unknown;
  /**
   * Trailing bytes kafkajs's decoder is known to leave unread (e.g. the top-level tagged-field count of
   * a flexible response, which some kafkajs decoders skip); checked to be exactly these bytes.
   */
  readonly unreadTail?: Buffer;
}

/** An OracleCase with its types erased into runnable steps. */
export interface Oracle {
  readonly kafkajsName: string;
  readonly apiKey: number;
  requestRoundTrip(v: number): Promise<void>;
  responseRoundTrip(v: number): Promise<void>;
}

const CLIENT_ID = 'samsa-oracle';

export function defineOracle<K extends keyof ApiMessages>(c: OracleCase<K>): Oracle {
  const codec = API_CODECS[c.apiKey];
  return {
    kafkajsName: c.kafkajsName,
    apiKey: c.apiKey,

    async requestRoundTrip(v) {
      const { request } = kafkajsProtocol(c.kafkajsName, v, c.args(v));
      expect({ apiKey: request.apiKey, apiVersion: request.apiVersion }).toEqual({ apiKey: c.apiKey, apiVersion: v });
      const correlationId = 0x10000 * c.apiKey + 31 * v + 7;
      const frame = await kafkajsRequestFrame(request, correlationId, CLIENT_ID);
      expect(frame.readInt32BE(0)).toBe(frame.length - 4);

      const { header, headerVersion, body } = decodeRequestFrame(frame.subarray(4));
      expect(headerVersion).toBe(requestHeaderVersion(c.apiKey, v));
      expect(header).toEqual({ requestApiKey: c.apiKey, requestApiVersion: v, correlationId, clientId: CLIENT_ID });
      const decoded = codec.decodeRequest(body, v);
      expect(body.remaining).toBe(0);
      expect(decoded).toStrictEqual(c.expectRequest(v));
      if (c.checkRequest) await c.checkRequest(decoded, v);
    },

    async responseRoundTrip(v) {
      const message = await c.response(v);
      const correlationId = 0x10000 * c.apiKey + 37 * v + 11;
      const frame = encodeResponseFrame(c.apiKey, v, correlationId, (w) => codec.encodeResponse(w, message, v));
      expect(frame.readInt32BE(0)).toBe(frame.length - 4);
      // kafkajs's connection reads the size and the correlation id, then hands the rest to the decoder.
      expect(frame.readInt32BE(4)).toBe(correlationId);
      const payload = frame.subarray(8);
      const { response } = kafkajsProtocol(c.kafkajsName, v, c.args(v));
      const { decoded, consumed } = await kafkajsDecodeResponse(response, payload);
      const expected: unknown = await c.expectResponse(v);
      expect(decoded).toEqual(expected);
      const tail = c.unreadTail ?? Buffer.alloc(0);
      expect(consumed).toBe(payload.length - tail.length);
      expect(payload.subarray(consumed)).toEqual(tail);
    },
  };
}
