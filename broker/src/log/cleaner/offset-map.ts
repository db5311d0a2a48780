/**
 * Kafka's OffsetMap (SkimpyOffsetMap): key -> offset of the key's latest record in the dirty part of
 * the log, built once per cleaning pass.
 *
 * Same design as Kafka: keys are not stored, only a 128-bit hash of each key (16 bytes) and the
 * offset (8 bytes), 24 bytes per slot in one flat buffer bounded by log.cleaner.dedupe.buffer.size,
 * and the dirty scan stops once the map holds slots x log.cleaner.io.buffer.load.factor keys.
 *
 * - Hash: MurmurHash3 x86_128 computed in JS over the key bytes where they lie (no copy, no string,
 *   no allocation). Kafka uses MD5; Node's MD5 costs ~1-2 µs per key (a Hash object each time)
 *   against ~30 ns here. A JS Map keyed by the key's latin1 string was measured too: 0.5-1 µs per
 *   lookup at 10^5-10^6 keys (string creation, hashing, cache misses, GC), several times slower than
 *   this table, and its memory could only be estimated. As with Kafka's MD5, two keys whose 128-bit
 *   hashes collide share an entry (accidental odds ~n²/2^129: about 10^-25 for 5 M keys); neither
 *   hash resists keys crafted to collide.
 * - Table: one Int32Array, 6 words per slot (4 hash words, offset high and low), linear probing from
 *   the first hash word; it starts small and doubles while under half full, up to the largest power
 *   of two of slots that fits the memory budget, so small logs never allocate the whole buffer.
 *   With 128 MiB that is 4,194,304 slots (100.7 MB) and 3,774,873 keys at load factor 0.9 (Kafka's
 *   modulo-sized table fits 5,033,164).
 */

const WORDS_PER_SLOT = 6;
const BYTES_PER_SLOT = WORDS_PER_SLOT * 4;
const INITIAL_SLOTS = 1 << 12;
/** Offset high word of an empty slot (offsets are never negative). */
const EMPTY = -1;
const TWO_POW_32 = 4294967296;

export class OffsetMap {
  /** Slots the memory budget allows (a power of two), and keys the load factor allows in them. */
  readonly slots: number;
  readonly maxEntries: number;
  private table: Int32Array;
  private mask: number;
  private entries = 0;
  private lastOffset = -1;
  private h1 = 0;
  private h2 = 0;
  private h3 = 0;
  private h4 = 0;

  constructor(
    /** This thread's share of log.cleaner.dedupe.buffer.size, in bytes. */
    readonly memory: number,
    readonly loadFactor: number,
  ) {
    let slots = 2;
    while (slots * 2 * BYTES_PER_SLOT <= memory && slots < 1 << 28) slots *= 2;
    this.slots = slots;
    // At least one slot stays empty: probing ends at an empty slot.
    this.maxEntries = Math.max(1, Math.min(Math.floor(slots * loadFactor), slots - 1));
    this.table = OffsetMap.newTable(Math.min(INITIAL_SLOTS, slots));
    this.mask = this.table.length / WORDS_PER_SLOT - 1;
  }

  private static newTable(slots: number): Int32Array {
    const table = new Int32Array(slots * WORDS_PER_SLOT);
    for (let i = 4; i < table.length; i += WORDS_PER_SLOT) table[i] = EMPTY;
    return table;
  }

  /** Distinct keys held. */
  get size(): number {
    return this.entries;
  }

  /** Kafka's latestOffset: the offset of the last record or batch end recorded, -1 when none. */
  get latestOffset(): number {
    return this.lastOffset;
  }

  /** Kafka's utilization: keys / slots. */
  get utilization(): number {
    return this.entries / this.slots;
  }

  /**
   * Records `offset` as the latest for the key buf[start, start + length), if the map has room:
   * always for a key already held, else while under maxEntries. False (nothing changed) when full.
   */
  tryPut(buf: Uint8Array, start: number, length: number, offset: number): boolean {
    this.hashKey(buf, start, length);
    let slot = this.find();
    const table = this.table;
    if (table[slot + 4] === EMPTY) {
      if (this.entries >= this.maxEntries) return false;
      if (this.entries + 1 > (this.mask + 1) / 2 && this.mask + 1 < this.slots) {
        this.grow();
        slot = this.find();
      }
      this.table[slot] = this.h1;
      this.table[slot + 1] = this.h2;
      this.table[slot + 2] = this.h3;
      this.table[slot + 3] = this.h4;
      this.entries++;
    }
    this.table[slot + 4] = Math.floor(offset / TWO_POW_32);
    this.table[slot + 5] = offset | 0;
    // As Kafka's put: a scan stopped mid-batch by a full map ends the cleanable range right here.
    this.lastOffset = offset;
    return true;
  }

  /** The latest offset recorded for the key, or -1 (Kafka's get returns -1 for absent keys). */
  get(buf: Uint8Array, start: number, length: number): number {
    this.hashKey(buf, start, length);
    const slot = this.find();
    const hi = this.table[slot + 4]!;
    return hi === EMPTY ? -1 : hi * TWO_POW_32 + (this.table[slot + 5]! >>> 0);
  }

  /** Moves latestOffset to a batch's last offset once the whole batch is mapped. */
  updateLatestOffset(offset: number): void {
    this.lastOffset = offset;
  }

  clear(): void {
    if (this.table.length / WORDS_PER_SLOT > INITIAL_SLOTS * 16) this.table = OffsetMap.newTable(Math.min(INITIAL_SLOTS, this.slots));
    else for (let i = 4; i < this.table.length; i += WORDS_PER_SLOT) this.table[i] = EMPTY;
    this.mask = this.table.length / WORDS_PER_SLOT - 1;
    this.entries = 0;
    this.lastOffset = -1;
  }

  toString(): string {
    return `OffsetMap(size=${this.entries}, maxEntries=${this.maxEntries}, slots=${this.slots}, latestOffset=${this.lastOffset})`;
  }

  /** Word index of the slot holding the current hash, or of the empty slot where it would go. */
  private find(): number {
    const table = this.table;
    let i = this.h1 & this.mask;
    for (;;) {
      const at = i * WORDS_PER_SLOT;
      if (table[at + 4] === EMPTY) return at;
      if (table[at] === this.h1 && table[at + 1] === this.h2 && table[at + 2] === this.h3 && table[at + 3] === this.h4) return at;
      i = (i + 1) & this.mask;
    }
  }

  private grow(): void {
    const old = this.table;
    this.table = OffsetMap.newTable((this.mask + 1) * 2);
    this.mask = this.table.length / WORDS_PER_SLOT - 1;
    for (let at = 0; at < old.length; at += WORDS_PER_SLOT) {
      if (old[at + 4] === EMPTY) continue;
      let i = old[at]! & this.mask;
      while (this.table[i * WORDS_PER_SLOT + 4] !== EMPTY) i = (i + 1) & this.mask;
      this.table.set(old.subarray(at, at + WORDS_PER_SLOT), i * WORDS_PER_SLOT);
    }
  }

  /** MurmurHash3 x86_128 (seed 0) of buf[start, start + length) into h1..h4. */
  private hashKey(buf: Uint8Array, start: number, length: number): void {
    const c1 = 0x239b961b;
    const c2 = 0xab0e9789;
    const c3 = 0x38b34ae5;
    const c4 = 0xa1e38b93;
    let h1 = 0;
    let h2 = 0;
    let h3 = 0;
    let h4 = 0;
    const blocksEnd = start + (length & ~15);
    let p = start;
    for (; p < blocksEnd; p += 16) {
      let k1 = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
      let k2 = buf[p + 4]! | (buf[p + 5]! << 8) | (buf[p + 6]! << 16) | (buf[p + 7]! << 24);
      let k3 = buf[p + 8]! | (buf[p + 9]! << 8) | (buf[p + 10]! << 16) | (buf[p + 11]! << 24);
      let k4 = buf[p + 12]! | (buf[p + 13]! << 8) | (buf[p + 14]! << 16) | (buf[p + 15]! << 24);
      k1 = Math.imul(rotl(Math.imul(k1, c1), 15), c2);
      h1 ^= k1;
      h1 = (Math.imul(rotl(h1, 19) + h2, 5) + 0x561ccd1b) | 0;
      k2 = Math.imul(rotl(Math.imul(k2, c2), 16), c3);
      h2 ^= k2;
      h2 = (Math.imul(rotl(h2, 17) + h3, 5) + 0x0bcaa747) | 0;
      k3 = Math.imul(rotl(Math.imul(k3, c3), 17), c4);
      h3 ^= k3;
      h3 = (Math.imul(rotl(h3, 15) + h4, 5) + 0x96cd1c35) | 0;
      k4 = Math.imul(rotl(Math.imul(k4, c4), 18), c1);
      h4 ^= k4;
      h4 = (Math.imul(rotl(h4, 13) + h1, 5) + 0x32ac3b17) | 0;
    }
    const tail = length & 15;
    if (tail > 12) h4 ^= Math.imul(rotl(Math.imul(tailWord(buf, p, tail, 12), c4), 18), c1);
    if (tail > 8) h3 ^= Math.imul(rotl(Math.imul(tailWord(buf, p, tail, 8), c3), 17), c4);
    if (tail > 4) h2 ^= Math.imul(rotl(Math.imul(tailWord(buf, p, tail, 4), c2), 16), c3);
    if (tail > 0) h1 ^= Math.imul(rotl(Math.imul(tailWord(buf, p, tail, 0), c1), 15), c2);
    h1 ^= length;
    h2 ^= length;
    h3 ^= length;
    h4 ^= length;
    h1 = (h1 + h2 + h3 + h4) | 0;
    h2 = (h2 + h1) | 0;
    h3 = (h3 + h1) | 0;
    h4 = (h4 + h1) | 0;
    h1 = fmix32(h1);
    h2 = fmix32(h2);
    h3 = fmix32(h3);
    h4 = fmix32(h4);
    h1 = (h1 + h2 + h3 + h4) | 0;
    this.h1 = h1;
    this.h2 = (h2 + h1) | 0;
    this.h3 = (h3 + h1) | 0;
    this.h4 = (h4 + h1) | 0;
  }
}

/** Little-endian word of tail bytes [from, min(from + 4, tail)) after p. */
function tailWord(buf: Uint8Array, p: number, tail: number, from: number): number {
  let k = 0;
  for (let i = Math.min(from + 4, tail) - 1; i >= from; i--) k = (k << 8) | buf[p + i]!;
  return k;
}

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
