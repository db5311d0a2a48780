/**
 * Kafka's TimeIndex (.timeindex): 12-byte entries `int64 timestamp | int32 relativeOffset`,
 * meaning "every record with a timestamp > T is at or after offset O". Entries are added only
 * when the timestamp grows; the last slot is reserved for the entry forced when the segment
 * stops being active (roll or close), which records the segment's max timestamp.
 */
import {
  AbstractIndex,
  CorruptIndexError,
  InvalidOffsetError,
  readInt32 as importedReadInt32,
  readInt64 as importedReadInt64,
  writeInt32 as importedWriteInt32,
  writeInt64 as importedWriteInt64,
} from './abstract-index';

// Local copies: an imported name is a getter call at each use in CommonJS (these run per append).
const readInt32 = importedReadInt32;
const readInt64 = importedReadInt64;
const writeInt32 = importedWriteInt32;
const writeInt64 = importedWriteInt64;

export interface TimestampOffset {
  timestamp: number;
  offset: number;
}

/** RecordBatch.NO_TIMESTAMP. */
export const NO_TIMESTAMP = -1;

const ENTRY_SIZE = 12;

const timestampAt = (buf: Buffer, slot: number): number => readInt64(buf, slot * ENTRY_SIZE);
const relativeOffsetAt = (buf: Buffer, slot: number): number => readInt32(buf, slot * ENTRY_SIZE + 8);

export class TimeIndex extends AbstractIndex {
  get entrySize(): number {
    return ENTRY_SIZE;
  }

  /** One slot stays free for the final entry written on roll (Kafka's override of isFull). */
  override get isFull(): boolean {
    return this.entryCount >= this.maxEntries - 1;
  }

  /** The last entry, or (NO_TIMESTAMP, baseOffset) when empty. */
  lastEntry(): TimestampOffset {
    return this.entryCount === 0 ? { timestamp: NO_TIMESTAMP, offset: this.baseOffset } : this.entry(this.entryCount - 1);
  }

  entry(slot: number): TimestampOffset {
    if (slot < 0 || slot >= this.entryCount) throw new RangeError(`slot ${slot} is outside [0, ${this.entryCount})`);
    const buf = this.loaded();
    return { timestamp: timestampAt(buf, slot), offset: this.baseOffset + relativeOffsetAt(buf, slot) };
  }

  /** Greatest entry with timestamp <= target; (NO_TIMESTAMP, baseOffset) when there is none. */
  lookup(targetTimestamp: number): TimestampOffset {
    const slot = this.largestLowerBoundSlot(targetTimestamp, timestampAt);
    return slot < 0 ? { timestamp: NO_TIMESTAMP, offset: this.baseOffset } : this.entry(slot);
  }

  /**
   * Appends (timestamp, offset) if the timestamp is larger than the last entry's. `skipFullCheck`
   * is for the final entry on roll/close, which uses the reserved slot.
   */
  maybeAppend(timestamp: number, offset: number, skipFullCheck = false): void {
    if (!skipFullCheck && this.isFull) {
      throw new InvalidOffsetError(`Attempt to append to a full time index (size = ${this.entryCount}).`);
    }
    // Read in place, not through lastEntry(): this runs with every offset index entry.
    const n = this.entryCount;
    const lastTimestamp = n === 0 ? NO_TIMESTAMP : timestampAt(this.loaded(), n - 1);
    if (n !== 0) {
      const lastOffset = this.baseOffset + relativeOffsetAt(this.loaded(), n - 1);
      if (offset < lastOffset) {
        throw new InvalidOffsetError(
          `Attempt to append an offset (${offset}) to slot ${n} no larger than the last offset appended (${lastOffset}) to ${this.file}.`,
        );
      }
      if (timestamp < lastTimestamp) {
        throw new InvalidOffsetError(
          `Attempt to append a timestamp (${timestamp}) to slot ${n} no larger than the last timestamp appended (${lastTimestamp}) to ${this.file}.`,
        );
      }
    }
    // Equal timestamps (the same final entry on roll then close) and NO_TIMESTAMP are skipped.
    if (timestamp <= lastTimestamp) return;
    // A degenerate segment.index.bytes (< 2 entries) leaves no reserved slot for the final entry.
    if (this.entryCount >= this.maxEntries) return;
    const relative = this.relativeOffsetOrThrow(offset);
    const pos = this.slotForAppend();
    const buf = this.buf!;
    writeInt64(buf, pos, timestamp);
    writeInt32(buf, pos + 8, relative);
    this.commitAppend();
  }

  /** Removes entries for offsets >= `offset`. */
  truncateTo(offset: number): void {
    this.truncateToOffset(offset, relativeOffsetAt);
  }

  /**
   * Kafka's checks (last timestamp >= first, last offset >= base) strengthened to the invariant
   * maybeAppend keeps, so a zeroed tail is caught: timestamps strictly increase, offsets never
   * decrease.
   */
  sanityCheck(): void {
    const buf = this.loaded();
    const n = this.entryCount;
    if (n === 0) return;
    for (let slot = 1; slot < n; slot++) {
      if (timestampAt(buf, slot) <= timestampAt(buf, slot - 1) || relativeOffsetAt(buf, slot) < relativeOffsetAt(buf, slot - 1)) {
        throw new CorruptIndexError(
          `Corrupt time index found, time index file (${this.file}) has entry ${slot} (timestamp ${timestampAt(buf, slot)}, ` +
            `offset ${this.baseOffset + relativeOffsetAt(buf, slot)}) out of order.`,
        );
      }
    }
    const last = this.lastEntry();
    if (last.offset < this.baseOffset) {
      throw new CorruptIndexError(
        `Corrupt time index found, time index file (${this.file}) has non-zero size but the last offset is ${last.offset} which is less than the base offset ${this.baseOffset}.`,
      );
    }
  }
}
