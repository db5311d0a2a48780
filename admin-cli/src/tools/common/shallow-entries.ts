/**
 * The whole entries of a log segment or a Fetch record set, without decoding them: RecordBatch v2
 * batches and legacy (magic 0/1) messages, in order, stopping at a partial last entry. Shared by
 * kafka-dump-log and the partition reader of kafka-console-consumer --partition.
 */
export const LOG_OVERHEAD = 12;

export interface ShallowEntry {
  position: number;
  size: number;
  magic: number;
  lastOffset: bigint;
}

/** The whole entries (v2 batches or legacy wrapper messages) of a log segment, in order. */
export function shallowEntries(buf: Buffer, from = 0): ShallowEntry[] {
  const entries: ShallowEntry[] = [];
  let pos = from;
  while (pos + LOG_OVERHEAD + 5 <= buf.length) {
    const size = buf.readInt32BE(pos + 8) + LOG_OVERHEAD;
    if (size < LOG_OVERHEAD + 14 || pos + size > buf.length) break;
    const magic = buf[pos + 16]!;
    const offset = buf.readBigInt64BE(pos);
    const lastOffset = magic >= 2 ? offset + BigInt(buf.readInt32BE(pos + 23)) : offset;
    entries.push({ position: pos, size, magic, lastOffset });
    pos += size;
  }
  return entries;
}
