/**
 * The record-level walk of an uncompressed v2 batch that leader-append validation needs where a
 * topic setting asks for every record (compacted topics: keys; a finite
 * message.timestamp.difference.max.ms: timestamps), straight from the bytes, nothing decoded.
 */
import { KafkaProtocolError } from '../protocol/error-codes';
import { type DefaultRecordBatch, RECORD_BATCH_OVERHEAD } from '../protocol/records';
import { readInt64 } from './file-io';

const invalid = (message: string): KafkaProtocolError => new KafkaProtocolError('INVALID_RECORD', message);

/** Reads each record's key length and timestamp from an uncompressed batch without allocating. */
export function walkUncompressedRecords(batch: DefaultRecordBatch, visit: (keyLength: number, timestamp: number, index: number) => void): void {
  const buf = batch.buffer;
  const end = batch.offset + batch.sizeInBytes;
  const firstTimestamp = readInt64(buf, batch.offset + 27);
  let pos = batch.offset + RECORD_BATCH_OVERHEAD;
  const count = batch.recordsCount;
  for (let i = 0; i < count; i++) {
    const length = readZigzag(buf, pos, end);
    pos = cursor;
    const recordEnd = pos + length;
    if (length < 0 || recordEnd > end) throw invalid(`Record ${i} of length ${length} runs past the end of its batch.`);
    const timestampDelta = readZigzag(buf, pos + 1, recordEnd);
    readZigzag(buf, cursor, recordEnd); // offsetDelta
    const keyLength = readZigzag(buf, cursor, recordEnd);
    visit(keyLength, firstTimestamp + timestampDelta, i);
    pos = recordEnd;
  }
}

/** Position after the last varint read (avoids allocating a pair per field). */
let cursor = 0;

/** Zigzag varint/varlong as a JS number (exact for |value| < 2^53). */
function readZigzag(buf: Buffer, pos: number, end: number): number {
  let raw = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw invalid('Record varint runs past the end of its batch.');
    const b = buf[pos++]!;
    raw += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) {
      cursor = pos;
      return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
    }
    scale *= 128;
  }
  throw invalid('Record varint is longer than 10 bytes.');
}
