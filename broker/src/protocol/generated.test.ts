import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DEFAULT_SCHEMA_DIR, generate } from '../../../scripts/generate-protocol';

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

const committed = join(__dirname, 'generated');
const schemasPresent = existsSync(join(DEFAULT_SCHEMA_DIR, 'messages'));

describe('generated protocol code', () => {
  // The schemas live in ../shared beside the repository; where they are absent there is nothing to compare.
  (schemasPresent ? it : it.skip)('is exactly what scripts/generate-protocol.ts writes from the 2.8 schemas', () => {
    const out = mkdtempSync(join(tmpdir(), 'samsa-gen-'));
    try {
      generate(DEFAULT_SCHEMA_DIR, out);
      const fresh = listFiles(out).map((f) => relative(out, f)).sort();
      const have = listFiles(committed).map((f) => relative(committed, f)).sort();
      expect(have).toEqual(fresh);
      const differing = fresh.filter((f) => readFileSync(join(out, f), 'utf8') !== readFileSync(join(committed, f), 'utf8'));
      expect(differing).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('serves exactly the 2.8 ZooKeeper-mode API ranges', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { API_CODECS } = require('./generated') as typeof import('./generated');
    const ranges = Object.values(API_CODECS).map((c) => `${c.apiKey}:${c.minVersion}-${c.maxVersion}`);
    expect(ranges).toEqual([
      '0:0-9', '1:0-12', '2:0-6', '3:0-11', '4:0-5', '5:0-3', '6:0-7', '7:0-3', '8:0-8', '9:0-7', '10:0-3',
      '11:0-7', '12:0-4', '13:0-4', '14:0-5', '15:0-5', '16:0-4', '17:0-1', '18:0-3', '19:0-7', '20:0-6',
      '21:0-2', '22:0-4', '23:0-4', '24:0-3', '25:0-3', '26:0-3', '27:0-1', '28:0-3', '29:0-2', '30:0-2',
      '31:0-2', '32:0-4', '33:0-2', '34:0-2', '35:0-2', '36:0-2', '37:0-3', '38:0-2', '39:0-2', '40:0-2',
      '41:0-2', '42:0-2', '43:0-2', '44:0-1', '45:0-0', '46:0-0', '47:0-0', '48:0-1', '49:0-1', '50:0-0',
      '51:0-0', '56:0-0', '57:0-0', '60:0-0', '61:0-0',
    ]);
  });
});
