/**
 * What transaction-aware cleaning needs to know about a log, and Kafka's CleanedTransactionMetadata.
 *
 * Kafka 2.8 reads this from the broker's memory and from `.txnindex` files: the producer state
 * manager's last batch per active producer id (lastRecordsOfActiveProducers), the aborted
 * transactions (AbortedTxn: producer id, first offset, offset of the ABORT marker) and the first
 * unstable offset. Samsa's log core keeps neither yet, so scanLogTransactionState derives all three
 * from one header-only pass over the log's batches, in offset order: a transactional data batch
 * opens (or continues) its producer's transaction, a control batch closes it as committed or
 * aborted, and a transaction still open at the end bounds cleaning (the LSO). Only batch headers
 * are read, plus the first record of each control batch for its marker type.
 *
 * Compared with Kafka's producer state this is conservative: producers expired by
 * transactional.id.expiration.ms still count as active, so their last batch is kept (as an empty
 * batch) where Kafka could drop it.
 */
import { ControlRecordType } from '../../protocol/records';
import type { Log } from '../log';
import type { LogSegment } from '../log-segment';
import { type BatchInfo, RECORD_BATCH_OVERHEAD, controlTypeOf, entrySizeAt, readBatchInfo, recordsSection } from './memory-records';

/** Kafka's LastRecord: the last data batch's last offset (none if the producer wrote only markers) and epoch. */
export interface LastRecord {
  lastDataOffset: number | undefined;
  producerEpoch: number;
}

/** Kafka's AbortedTxn as the cleaner uses it. */
export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  /** Offset of the ABORT marker. */
  lastOffset: number;
}

export interface LogTransactionState {
  lastRecordsOfActiveProducers: Map<number, LastRecord>;
  /** Ordered by first offset. */
  abortedTransactions: AbortedTxn[];
  /** First offset of the earliest transaction without a marker, if any. */
  firstUnstableOffset: number | undefined;
}

const SCAN_CHUNK_BYTES = 64 * 1024;
const MAGIC_OFFSET = 16;

/** One header-only pass over every segment up to the log end (see the file comment). */
export async function scanLogTransactionState(log: Log, checkDone: () => void): Promise<LogTransactionState> {
  const last = new Map<number, LastRecord>();
  const open = new Map<number, number>();
  const aborted: AbortedTxn[] = [];
  const leo = log.logEndOffsetMetadata;
  for (const segment of log.segments) {
    checkDone();
    const limit = segment.baseOffset === leo.segmentBaseOffset ? Math.min(leo.position, segment.size) : segment.size;
    await scanSegment(segment, limit, async (batch, bytes) => {
      if (batch.producerId < 0) return;
      if (!batch.isControl) {
        last.set(batch.producerId, { lastDataOffset: batch.lastOffset, producerEpoch: batch.producerEpoch });
        if (batch.isTransactional && !open.has(batch.producerId)) open.set(batch.producerId, batch.baseOffset);
        return;
      }
      const previous = last.get(batch.producerId);
      last.set(batch.producerId, { lastDataOffset: previous?.lastDataOffset, producerEpoch: batch.producerEpoch });
      const type = controlTypeOf(await recordsSection(bytes, batch), batch);
      const firstOffset = open.get(batch.producerId);
      open.delete(batch.producerId);
      if (type === ControlRecordType.Abort) {
        aborted.push({ producerId: batch.producerId, firstOffset: firstOffset ?? batch.baseOffset, lastOffset: batch.lastOffset });
      }
    });
  }
  aborted.sort((a, b) => a.firstOffset - b.firstOffset);
  let firstUnstableOffset: number | undefined;
  for (const offset of open.values()) firstUnstableOffset = Math.min(firstUnstableOffset ?? offset, offset);
  return { lastRecordsOfActiveProducers: last, abortedTransactions: aborted, firstUnstableOffset };
}

/**
 * Walks batch headers of [0, limit) in 64 KiB reads; a read starts at the next header, so large
 * batches are skipped over rather than read. Control batches are handed over whole (they are small).
 * Legacy (v0/v1) entries carry no producer state and are skipped.
 */
async function scanSegment(segment: LogSegment, limit: number, visit: (batch: BatchInfo, bytes: Buffer) => Promise<void>): Promise<void> {
  let position = 0;
  while (position < limit) {
    const chunk = await segment.readBytes(position, Math.min(SCAN_CHUNK_BYTES, limit - position));
    let p = 0;
    while (chunk.length - p >= RECORD_BATCH_OVERHEAD || (chunk.length - p >= MAGIC_OFFSET + 1 && chunk[p + MAGIC_OFFSET]! < 2)) {
      const size = entrySizeAt(chunk, p);
      if (size < MAGIC_OFFSET + 1 || position + p + size > limit) return; // torn tail: recovery's business
      if (chunk[p + MAGIC_OFFSET]! >= 2) {
        const isControl = (chunk.readInt16BE(p + 21) & 0x20) !== 0;
        if (isControl) {
          const whole = p + size <= chunk.length ? chunk.subarray(p, p + size) : await segment.readBytes(position + p, size);
          await visit(readBatchInfo(whole, 0), whole);
        } else {
          // Only header fields are used: a view of the header suffices even when the records run past the chunk.
          await visit(readBatchInfo(chunk, p), chunk);
        }
      }
      p += size;
    }
    if (p === 0) return;
    position += p;
  }
}

interface AbortedTxnMetadata {
  abortedTxn: AbortedTxn;
  lastObservedBatchOffset: number | undefined;
}

/**
 * Kafka's CleanedTransactionMetadata: follows transactions while the cleaner walks batches in
 * offset order, to tell which data batches belong to aborted transactions (dropped) and when a
 * marker has nothing left to mark (droppable once past the delete horizon).
 */
export class CleanedTransactionMetadata {
  private readonly abortedTransactions: AbortedTxn[] = [];
  private next = 0;
  private readonly ongoingCommittedTxns = new Set<number>();
  private readonly ongoingAbortedTxns = new Map<number, AbortedTxnMetadata>();

  /** Aborted transactions whose marker lies at or after where the walk starts (earlier ones are over). */
  addAbortedTransactions(txns: readonly AbortedTxn[], walkStartOffset: number): void {
    for (const txn of txns) if (txn.lastOffset >= walkStartOffset) this.abortedTransactions.push(txn);
    this.abortedTransactions.sort((a, b) => a.firstOffset - b.firstOffset);
  }

  /** A control batch was read; true if it can be discarded (its transaction left nothing behind). */
  onControlBatchRead(batch: BatchInfo): boolean {
    this.consumeAbortedTxnsUpTo(batch.lastOffset);
    // An empty control batch was already cleaned, so it's safe to discard.
    if (batch.recordsCount === 0 || batch.controlType < 0) return true;
    if (batch.controlType === ControlRecordType.Abort) {
      const metadata = this.ongoingAbortedTxns.get(batch.producerId);
      this.ongoingAbortedTxns.delete(batch.producerId);
      // Keep the marker while any batch of the transaction is still there (e.g. kept as its producer's last).
      return !(metadata !== undefined && metadata.lastObservedBatchOffset !== undefined);
    }
    if (batch.controlType === ControlRecordType.Commit) {
      // Droppable when none of the transaction's batches were seen in this walk.
      return !this.ongoingCommittedTxns.delete(batch.producerId);
    }
    return false;
  }

  /** A data batch was read; true if it belongs to an aborted transaction. */
  onBatchRead(batch: BatchInfo): boolean {
    this.consumeAbortedTxnsUpTo(batch.lastOffset);
    if (!batch.isTransactional) return false;
    const aborted = this.ongoingAbortedTxns.get(batch.producerId);
    if (aborted !== undefined) {
      aborted.lastObservedBatchOffset = batch.lastOffset;
      return true;
    }
    this.ongoingCommittedTxns.add(batch.producerId);
    return false;
  }

  private consumeAbortedTxnsUpTo(offset: number): void {
    while (this.next < this.abortedTransactions.length && this.abortedTransactions[this.next]!.firstOffset <= offset) {
      const txn = this.abortedTransactions[this.next++]!;
      if (!this.ongoingAbortedTxns.has(txn.producerId)) this.ongoingAbortedTxns.set(txn.producerId, { abortedTxn: txn, lastObservedBatchOffset: undefined });
    }
  }
}
