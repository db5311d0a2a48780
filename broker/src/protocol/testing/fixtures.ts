/**
 * Builds messages with every field a version carries set to a random non-trivial value (tagged fields
 * included), driven by the generated field tables rather than the codecs, so round trips test the
 * codecs against an independent reading of the schema. Used by tests and the fuzzer's seed corpus.
 */
import type { FieldInfo, StructFieldTable } from '../field-table';
import { prng } from './prng';

export { prng };

const CHARS = ['a', 'Z', '0', '-', '.', '_', 'é', '中', '😀', ' '];

export interface FillOptions {
  /** Longest array to build (default 3). */
  maxArray?: number;
  /** Probability of choosing null where a version allows it (default 0.25). */
  nullRate?: number;
}

export class MessageFiller {
  private readonly maxArray: number;
  private readonly nullRate: number;

  constructor(
    private readonly table: StructFieldTable,
    /** default<Struct>() constructors of the same module, by struct name */
    private readonly defaults: Readonly<Record<string, () => object>>,
    private readonly rand: () => number,
    options: FillOptions = {},
  ) {
    this.maxArray = options.maxArray ?? 3;
    this.nullRate = options.nullRate ?? 0.25;
  }

  /** A value of struct `name` as version `version` would carry it; absent fields keep their defaults. */
  fill(name: string, version: number): Record<string, unknown> {
    const fields = this.table[name];
    const makeDefault = this.defaults[name];
    if (!fields || !makeDefault) throw new Error(`no struct ${name} in table`);
    const out = makeDefault() as Record<string, unknown>;
    for (const f of fields) {
      const carried = f.tagged ? within(f.tagged, version) : f.versions !== null && within(f.versions, version);
      if (!carried) continue;
      out[f.name] = this.value(f, version);
    }
    return out;
  }

  private value(f: FieldInfo, version: number): unknown {
    if (f.nullable && within(f.nullable, version) && this.rand() < this.nullRate) return null;
    if (f.array) {
      const n = Math.floor(this.rand() * (this.maxArray + 1));
      return Array.from({ length: n }, () => this.scalar(f.type, version));
    }
    return this.scalar(f.type, version);
  }

  private int(bits: number): number {
    const v = Math.floor(this.rand() * 2 ** bits);
    return v - 2 ** (bits - 1);
  }

  private scalar(type: string, version: number): unknown {
    const r = this.rand;
    switch (type) {
      case 'int8': return this.int(8);
      case 'int16': return this.int(16);
      case 'uint16': return Math.floor(r() * 65536);
      case 'int32': return this.int(32);
      case 'int64': return BigInt.asIntN(64, (BigInt(this.int(32)) << 32n) | BigInt(Math.floor(r() * 2 ** 32)));
      case 'float64': return (r() - 0.5) * 1e6;
      case 'bool': return r() < 0.5;
      case 'string': {
        const n = Math.floor(r() * 12);
        return Array.from({ length: n }, () => CHARS[Math.floor(r() * CHARS.length)]).join('');
      }
      case 'bytes':
      case 'records': {
        const n = Math.floor(r() * 24);
        return Buffer.from(Array.from({ length: n }, () => Math.floor(r() * 256)));
      }
      case 'uuid': return Buffer.from(Array.from({ length: 16 }, () => Math.floor(r() * 256))).toString('base64url');
      default: return this.fill(type, version);
    }
  }
}

function within(range: readonly [number, number], version: number): boolean {
  return version >= range[0] && version <= range[1];
}
