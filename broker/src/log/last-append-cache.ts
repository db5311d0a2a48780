/**
 * The bytes of a segment's last large append, kept in memory for the read that usually follows it
 * at once: a follower (or a caught-up consumer) fetching from where its previous fetch ended.
 * Kafka serves those reads from the page cache with sendfile; a Node broker would read them back
 * into a fresh buffer, one allocation and copy per follower per append, which under acks=all load
 * is a large part of the leader's garbage-collection work. Served from here, the record set goes
 * to the socket as the producer sent it (Fetch responses reference large record sets uncopied).
 *
 * Bounded: only appends of at least MIN_CACHED_APPEND_BYTES, one per segment, and at most
 * LAST_APPEND_CACHE_BUDGET_BYTES across the process (the least recently appended go first).
 * Callers of Log.append* must not modify an appended buffer afterwards (no caller in the broker
 * does: they are request frames).
 */
export const MIN_CACHED_APPEND_BYTES = 16 * 1024;
export const LAST_APPEND_CACHE_BUDGET_BYTES = 64 * 1024 * 1024;

export interface CachedAppend {
  /** Position of the append in its segment's .log. */
  readonly position: number;
  readonly records: Buffer;
  /** Last offset of the append's last batch. */
  readonly lastOffset: number;
}

/** Process-wide accounting: holders in order of their last append (a Map keeps insertion order). */
const holders = new Map<LastAppendCache, number>();
let cachedBytes = 0;

export class LastAppendCache {
  private entry: CachedAppend | null = null;

  /** Remembers an append (or forgets the previous one if this one is too small to keep). */
  remember(position: number, records: Buffer, lastOffset: number): void {
    this.clear();
    if (records.length < MIN_CACHED_APPEND_BYTES) return;
    this.entry = { position, records, lastOffset };
    holders.set(this, records.length);
    cachedBytes += records.length;
    for (const [holder] of holders) {
      if (cachedBytes <= LAST_APPEND_CACHE_BUDGET_BYTES || holder === this) break;
      holder.clear();
    }
  }

  /** The last append if it starts at `position`, else null. */
  at(position: number): CachedAppend | null {
    const e = this.entry;
    return e !== null && e.position === position ? e : null;
  }

  clear(): void {
    if (this.entry === null) return;
    cachedBytes -= this.entry.records.length;
    holders.delete(this);
    this.entry = null;
  }
}

/** Bytes held by all caches of this process (tests, diagnostics). */
export function lastAppendCacheBytes(): number {
  return cachedBytes;
}
