import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { StructFieldTable } from './field-table';
import { ByteReader, ByteWriter } from './primitives';
import { MessageFiller, prng } from './testing/fixtures';

interface GeneratedModule {
  file: string;
  name: string;
  minVersion: number;
  maxVersion: number;
  table: StructFieldTable;
  defaults: Record<string, () => object>;
  decode: (r: ByteReader, v: number) => unknown;
  encode: (w: ByteWriter, m: unknown, v: number) => void;
}

function loadModules(): GeneratedModule[] {
  const root = join(__dirname, 'generated');
  const files = ['', 'data', 'internal'].flatMap((dir) =>
    readdirSync(join(root, dir))
      .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
      .map((f) => join(root, dir, f)),
  );
  return files.map((file) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(file) as Record<string, unknown>;
    const tableKey = Object.keys(mod).find((k) => k.endsWith('Fields'));
    if (!tableKey) throw new Error(`${file} has no field table`);
    const name = tableKey.slice(0, -'Fields'.length);
    const schema = mod[`${name}Schema`] as { minVersion: number; maxVersion: number };
    const defaults: Record<string, () => object> = {};
    for (const [k, v] of Object.entries(mod)) if (k.startsWith('default') && typeof v === 'function') defaults[k.slice(7)] = v as () => object;
    return {
      file,
      name,
      minVersion: schema.minVersion,
      maxVersion: schema.maxVersion,
      table: mod[tableKey] as StructFieldTable,
      defaults,
      decode: mod[`decode${name}`] as GeneratedModule['decode'],
      encode: mod[`encode${name}`] as GeneratedModule['encode'],
    };
  });
}

const modules = loadModules();
const cases = modules.flatMap((m) =>
  Array.from({ length: m.maxVersion - m.minVersion + 1 }, (_, i) => [m.name, m.minVersion + i, m] as const),
);

describe('generated codecs round-trip every field of every version', () => {
  it('covers every zkBroker API request and response, the headers, data and internal records', () => {
    const names = new Set(modules.map((m) => m.name));
    expect(names.size).toBe(56 * 2 + 2 + 4 + 6);
    expect(cases.length).toBe(494);
  });

  it.each(cases)('%s v%i', (name, version, m) => {
    for (let seed = 1; seed <= 6; seed++) {
      const filler = new MessageFiller(m.table, m.defaults, prng(seed * 7919 + version));
      const message = filler.fill(name, version);
      const w = new ByteWriter();
      m.encode(w, message, version);
      const bytes = Buffer.from(w.finish());
      const r = new ByteReader(bytes);
      const decoded = m.decode(r, version);
      expect(r.remaining).toBe(0);
      expect(decoded).toEqual(message);
      const again = new ByteWriter();
      m.encode(again, decoded, version);
      expect(again.finish().equals(bytes)).toBe(true);
    }
  });
});
