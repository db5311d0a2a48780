/**
 * kafkajs as an independent oracle for the generated codecs: for every API and version kafkajs
 * implements, bytes kafkajs's own request encoders (and request framing) produce decode with Samsa's
 * codecs to exactly the values given to kafkajs, and Samsa's response encoding decodes with kafkajs's
 * response decoders to exactly the values Samsa encoded (every byte read).
 *
 * The cases live in ./testing/oracle-*.ts, one module per API family; the shim is ./testing/kafkajs.ts.
 */
import { API_CODECS, type ApiMessages } from './generated';
import { type Oracle, kafkajsApis } from './testing/kafkajs';
import { ACL_ORACLES } from './testing/oracle-acls';
import { ADMIN_ORACLES } from './testing/oracle-admin';
import { DATA_ORACLES } from './testing/oracle-data';
import { GROUP_ORACLES } from './testing/oracle-groups';
import { MISC_ORACLES } from './testing/oracle-misc';

const ORACLES: readonly Oracle[] = [...DATA_ORACLES, ...GROUP_ORACLES, ...ADMIN_ORACLES, ...ACL_ORACLES, ...MISC_ORACLES];

/**
 * kafkajs (api, version) pairs deliberately not checked, one line of reason each. Empty: every
 * version kafkajs 2.2.4 implements is one Kafka 2.8 still serves.
 */
const OUT_OF_SCOPE: readonly { api: string; version: number; reason: string }[] = [];

interface Pair {
  api: string;
  apiKey: number;
  version: number;
}

const PAIRS: Pair[] = kafkajsApis().flatMap((a) => a.versions.map((version) => ({ api: a.name, apiKey: a.apiKey, version })));
const oracleFor = new Map(ORACLES.map((o) => [o.kafkajsName, o]));
const isOutOfScope = (p: Pair): boolean => OUT_OF_SCOPE.some((o) => o.api === p.api && o.version === p.version);
const TESTED = PAIRS.filter((p) => !isOutOfScope(p));

function oracle(api: string): Oracle {
  const o = oracleFor.get(api);
  if (o === undefined) throw new Error(`no oracle case for kafkajs API ${api}`);
  return o;
}

function codecRange(apiKey: number): { min: number; max: number } | undefined {
  if (!Object.prototype.hasOwnProperty.call(API_CODECS, apiKey)) return undefined;
  const codec = API_CODECS[apiKey as keyof ApiMessages];
  return { min: codec.minVersion, max: codec.maxVersion };
}

describe('kafkajs oracle coverage', () => {
  test('kafkajs implements a sizeable set of (api, version) pairs', () => {
    expect(PAIRS.length).toBeGreaterThanOrEqual(100);
  });

  test('every (api, version) kafkajs implements has a case or is listed as out of scope', () => {
    const uncovered = PAIRS.filter((p) => !isOutOfScope(p) && !oracleFor.has(p.api)).map((p) => `${p.api} v${p.version}`);
    expect(uncovered).toEqual([]);
  });

  test('every tested pair is an API and version Kafka 2.8 defines', () => {
    const outside = TESTED.filter((p) => {
      const range = codecRange(p.apiKey);
      return range === undefined || p.version < range.min || p.version > range.max;
    }).map((p) => `${p.api} v${p.version}`);
    expect(outside).toEqual([]);
  });

  test('each case is keyed by the api key kafkajs uses for that name', () => {
    const keys = new Map(PAIRS.map((p) => [p.api, p.apiKey]));
    for (const o of ORACLES) expect({ api: o.kafkajsName, apiKey: keys.get(o.kafkajsName) }).toEqual({ api: o.kafkajsName, apiKey: o.apiKey });
  });

  test('the out-of-scope list names only pairs kafkajs implements, once each', () => {
    for (const o of OUT_OF_SCOPE) {
      expect(PAIRS.some((p) => p.api === o.api && p.version === o.version)).toBe(true);
      expect(o.reason.length).toBeGreaterThan(0);
    }
    expect(new Set(OUT_OF_SCOPE.map((o) => `${o.api}/${o.version}`)).size).toBe(OUT_OF_SCOPE.length);
  });
});

const table = TESTED.map((p) => [p.api, p.version] as const);

describe('kafkajs encodes a request, Samsa decodes it', () => {
  test.each(table)('%s v%i', async (api, version) => {
    await oracle(api).requestRoundTrip(version);
  });
});

describe('Samsa encodes a response, kafkajs decodes it', () => {
  test.each(table)('%s v%i', async (api, version) => {
    await oracle(api).responseRoundTrip(version);
  });
});
