/**
 * Kafka's OffsetIndex (.index): 8-byte entries `int32 relativeOffset | int32 position`, one per
 * ~index.interval.bytes of log, mapping an offset to the byte position of the append that ends
 * with it. A lookup finds the greatest entry <= target; the segment scans batch headers from there.
 */
import { AbstractIndex, CorruptIndexError, InvalidOffsetError, readInt32 as importedReadInt32, writeInt32 as importedWriteInt32 } from './abstract-index';

// Local copies: an imported name is a getter call at each use in CommonJS (these run per append).
const readInt32 = importedReadInt32;
const writeInt32 = importedWriteInt32;

export interface OffsetPosition {
  offset: number;
  position: number;
}

const ENTRY_SIZE = 8;

const relativeOffsetAt = (buf: Buffer, slot: number): number => readInt32(buf, slot * ENTRY_SIZE);

export class OffsetIndex extends AbstractIndex {
  get entrySize(): number {
    return ENTRY_SIZE;
  }

  /** The last offset in the index, or the base offset when empty. */
  get lastOffset(): number {
    return this.entryCount === 0 ? this.baseOffset : this.baseOffset + relativeOffsetAt(this.loaded(), this.entryCount - 1);
  }

  entry(slot: number): OffsetPosition {
    if (slot < 0 || slot >= this.entryCount) throw new RangeError(`slot ${slot} is outside [0, ${this.entryCount})`);
    const buf = this.loaded();
    return { offset: this.baseOffset + relativeOffsetAt(buf, slot), position: buf.readInt32BE(slot * ENTRY_SIZE + 4) };
  }

  /** Greatest entry with offset <= target; (baseOffset, 0) when there is none. */
  lookup(targetOffset: number): OffsetPosition {
    const slot = this.largestLowerBoundSlot(targetOffset - this.baseOffset, relativeOffsetAt);
    return slot < 0 ? { offset: this.baseOffset, position: 0 } : this.entry(slot);
  }

  /** First entry with offset >= target (Kafka's fetchUpperBoundOffset helper), or null. */
  upperBound(targetOffset: number): OffsetPosition | null {
    const slot = this.smallestUpperBoundSlot(targetOffset - this.baseOffset, relativeOffsetAt);
    return slot < 0 ? null : this.entry(slot);
  }

  /** Adds an entry; offsets must strictly increase (Kafka's InvalidOffsetException otherwise). */
  append(offset: number, position: number): void {
    if (this.isFull) throw new InvalidOffsetError(`Attempt to append to a full index (size = ${this.entryCount}).`);
    if (this.entryCount !== 0 && offset <= this.lastOffset) {
      throw new InvalidOffsetError(
        `Attempt to append an offset (${offset}) to position ${this.entryCount} no larger than the last offset appended (${this.lastOffset}) to ${this.file}.`,
      );
    }
    const relative = this.relativeOffsetOrThrow(offset);
    const pos = this.slotForAppend();
    const buf = this.buf!;
    writeInt32(buf, pos, relative);
    writeInt32(buf, pos + 4, position);
    this.commitAppend();
  }

  truncateTo(offset: number): void {
    this.truncateToOffset(offset, relativeOffsetAt);
  }

  /**
   * Kafka's checks (last offset >= base offset; the length check is in load) plus what a zeroed
   * preallocated region after an unclean stop looks like: offsets must strictly increase and
   * positions must be positive and increasing (Kafka never indexes position 0: the first entry
   * comes only after index.interval.bytes of data).
   */
  sanityCheck(): void {
    const buf = this.loaded();
    const n = this.entryCount;
    if (n === 0) return;
    let previousOffset = -1;
    let previousPosition = 0;
    for (let slot = 0; slot < n; slot++) {
      const relative = buf.readInt32BE(slot * ENTRY_SIZE);
      const position = buf.readInt32BE(slot * ENTRY_SIZE + 4);
      if (relative <= previousOffset || position <= previousPosition) {
        throw new CorruptIndexError(
          `Corrupt index found, index file (${this.file}) has entry ${slot} (offset ${this.baseOffset + relative}, position ${position}) ` +
            `out of order after offset ${this.baseOffset + previousOffset}, position ${previousPosition}.`,
        );
      }
      previousOffset = relative;
      previousPosition = position;
    }
    if (this.lastOffset < this.baseOffset) {
      throw new CorruptIndexError(
        `Corrupt index found, index file (${this.file}) has non-zero size but the last offset is ${this.lastOffset} which is less than the base offset ${this.baseOffset}.`,
      );
    }
  }
}
