/**
 * Reads Kafka's message schema files (clients/src/main/resources/common/message/*.json at 2.8.2) into a
 * small typed model. The rules are Kafka's generator README: version ranges, nullable/tagged versions,
 * flexible versions, defaults, struct types declared inline or in commonStructs.
 */
import { readFileSync } from 'node:fs';

/** An inclusive version range; `hi` is Infinity for "N+". An empty range has lo > hi. */
export interface Versions {
  lo: number;
  hi: number;
}

export const NO_VERSIONS: Versions = { lo: 1, hi: 0 };

export interface FieldSpec {
  name: string;
  /** The type as written: int32, string, []int32, []SomeStruct, SomeStruct, records, ... */
  type: string;
  versions: Versions;
  nullableVersions: Versions;
  taggedVersions: Versions;
  tag: number | undefined;
  ignorable: boolean;
  default: string | undefined;
  /** Per-field override of the message's flexible versions (RequestHeader's ClientId is never compact). */
  flexibleVersions: Versions | undefined;
  fields: FieldSpec[] | undefined;
}

export interface StructSpec {
  name: string;
  fields: FieldSpec[];
}

export interface MessageSpec {
  name: string;
  /** request, response, header or data */
  type: string;
  apiKey: number | undefined;
  listeners: string[];
  validVersions: Versions;
  flexibleVersions: Versions;
  fields: FieldSpec[];
  commonStructs: StructSpec[];
  sourceFile: string;
}

export function parseVersions(text: string | undefined): Versions {
  if (text === undefined || text === 'none') return NO_VERSIONS;
  const plus = /^(\d+)\+$/.exec(text);
  if (plus) return { lo: Number(plus[1]), hi: Infinity };
  const range = /^(\d+)-(\d+)$/.exec(text);
  if (range) return { lo: Number(range[1]), hi: Number(range[2]) };
  if (/^\d+$/.test(text)) return { lo: Number(text), hi: Number(text) };
  throw new Error(`unparseable version range ${JSON.stringify(text)}`);
}

export function isEmpty(v: Versions): boolean {
  return v.lo > v.hi;
}

export function contains(v: Versions, version: number): boolean {
  return version >= v.lo && version <= v.hi;
}

export function intersect(a: Versions, b: Versions): Versions {
  return { lo: Math.max(a.lo, b.lo), hi: Math.min(a.hi, b.hi) };
}

/**
 * Kafka's schema files carry `//` comment lines, and one 2.8.2 file (DescribeProducersRequest) has
 * trailing garbage after its object that Jackson ignores; read the first JSON value the same way.
 */
export function parseSchemaText(text: string): unknown {
  const body = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('//'))
    .join('\n');
  const start = body.indexOf('{');
  let depth = 0;
  let inString = false;
  for (let i = start; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return JSON.parse(body.slice(start, i + 1));
    }
  }
  throw new Error('unterminated schema object');
}

type Json = Record<string, unknown>;

function str(o: Json, key: string): string | undefined {
  const v = o[key];
  return v === undefined ? undefined : String(v);
}

function parseField(o: Json): FieldSpec {
  const fields = o.fields as Json[] | undefined;
  const flexible = str(o, 'flexibleVersions');
  return {
    name: String(o.name),
    type: String(o.type),
    versions: parseVersions(str(o, 'versions')),
    nullableVersions: parseVersions(str(o, 'nullableVersions')),
    taggedVersions: parseVersions(str(o, 'taggedVersions')),
    tag: o.tag === undefined ? undefined : Number(o.tag),
    ignorable: o.ignorable === true || o.ignorable === 'true',
    default: o.default === undefined ? undefined : String(o.default),
    flexibleVersions: flexible === undefined ? undefined : parseVersions(flexible),
    fields: fields?.map(parseField),
  };
}

export function loadMessageSpec(file: string): MessageSpec {
  const o = parseSchemaText(readFileSync(file, 'utf8')) as Json;
  const common = (o.commonStructs as Json[] | undefined) ?? [];
  return {
    name: String(o.name),
    type: String(o.type),
    apiKey: o.apiKey === undefined ? undefined : Number(o.apiKey),
    listeners: (o.listeners as string[] | undefined) ?? [],
    validVersions: parseVersions(str(o, 'validVersions')),
    flexibleVersions: parseVersions(str(o, 'flexibleVersions')),
    fields: ((o.fields as Json[] | undefined) ?? []).map(parseField),
    commonStructs: common.map((c) => ({ name: String(c.name), fields: ((c.fields as Json[]) ?? []).map(parseField) })),
    sourceFile: file,
  };
}
