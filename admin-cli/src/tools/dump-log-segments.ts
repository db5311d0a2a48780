/**
 * The pure part of kafka-dump-log (Kafka 2.8's DumpLogSegments): segment and index bytes in, the
 * tool's lines out, worded exactly as DumpLogSegments prints them. Reading files is the caller's job.
 */
import { crc32, crc32c, decodeRecordBatch, DefaultRecordBatch, parseControlRecord, type DefaultRecord } from '../../../broker/src/protocol/records';
import { shallowEntries, type ShallowEntry } from './common/shallow-entries';

const INT32_MAX = 2147483647;
const CODEC_NAMES = ['NONE', 'GZIP', 'SNAPPY', 'LZ4', 'ZSTD'];

export interface DumpLogOptions {
  /** Print each record (implies deep iteration), its key and payload as UTF-8. */
  printDataLog: boolean;
  deepIteration: boolean;
}

/** Offsets where a record did not follow its predecessor (DumpLogSegments' "Non-consecutive offsets"). */
export type OffsetPairs = Array<[bigint, bigint]>;

/** Kafka's incrementSequence: sequences wrap from Int.MaxValue to 0. */
function incrementSequence(sequence: number, increment: number): number {
  if (sequence > INT32_MAX - increment) return increment - (INT32_MAX - sequence) - 1;
  return sequence + increment;
}

/** The base offset a segment or index file is named after ("00000000000000000042.log" → 42). */
export function fileBaseOffset(fileName: string): bigint {
  const base = fileName.split('/').pop()?.split('.')[0] ?? '';
  if (!/^\d+$/.test(base)) throw new Error(`${fileName} is not named after an offset (e.g. 00000000000000000000.log)`);
  return BigInt(base);
}


function timestampTypeName(attributes: number, magic: number): string {
  if (magic === 0) return 'NoTimestampType';
  return (attributes & 0x08) !== 0 ? 'LogAppendTime' : 'CreateTime';
}

function batchLine(buf: Buffer, e: ShallowEntry): string {
  const p = e.position;
  if (e.magic >= 2) {
    const b = new DefaultRecordBatch(buf, p);
    const valid = b.sizeInBytes >= 61 && crc32c(buf, p + 21, p + e.size) === b.crc;
    const lastSequence = b.baseSequence === -1 ? -1 : incrementSequence(b.baseSequence, b.lastOffsetDelta);
    return (
      `baseOffset: ${b.baseOffset} lastOffset: ${e.lastOffset} count: ${b.recordsCount} baseSequence: ${b.baseSequence} lastSequence: ${lastSequence}` +
      ` producerId: ${b.producerId} producerEpoch: ${b.producerEpoch} partitionLeaderEpoch: ${b.partitionLeaderEpoch} isTransactional: ${b.isTransactional}` +
      ` isControl: ${b.isControl} position: ${p} ${timestampTypeName(b.attributes, 2)}: ${b.maxTimestamp} size: ${e.size} magic: 2` +
      ` compresscodec: ${CODEC_NAMES[b.compression] ?? 'UNKNOWN'} crc: ${b.crc} isvalid: ${valid}`
    );
  }
  // A legacy (magic 0/1) wrapper message: offset, size, crc, magic, attributes[, timestamp].
  const crc = buf.readUInt32BE(p + 12);
  const attributes = buf[p + 17]!;
  const timestamp = e.magic === 1 ? buf.readBigInt64BE(p + 18) : -1n;
  const valid = crc32(buf, p + 16, p + e.size) === crc;
  return (
    `offset: ${e.lastOffset} position: ${p} ${timestampTypeName(attributes, e.magic)}: ${timestamp} size: ${e.size} magic: ${e.magic}` +
    ` compresscodec: ${CODEC_NAMES[attributes & 0x07] ?? 'UNKNOWN'} crc: ${crc} isvalid: ${valid}`
  );
}

const CONTROL_TYPES: Record<number, string> = { 0: 'ABORT', 1: 'COMMIT' };

function recordLine(r: DefaultRecord, b: DefaultRecordBatch, printData: boolean): string {
  const sequence = b.baseSequence === -1 ? -1 : incrementSequence(b.baseSequence, r.offsetDelta);
  let line =
    `| offset: ${r.offset} ${timestampTypeName(b.attributes, 2)}: ${r.timestamp} keySize: ${r.key?.length ?? -1} valueSize: ${r.value?.length ?? -1}` +
    ` sequence: ${sequence} headerKeys: [${r.headers.map((h) => h.key).join(',')}]`;
  if (b.isControl) {
    const typeId = r.key !== null && r.key.length >= 4 ? r.key.readInt16BE(2) : -1;
    const name = CONTROL_TYPES[typeId];
    if (name !== undefined) {
      const marker = parseControlRecord(r.key, r.value);
      line += ` endTxnMarker: ${name} coordinatorEpoch: ${marker.coordinatorEpoch ?? 0}`;
    } else {
      line += ` controlType: UNKNOWN(${typeId})`;
    }
  } else if (printData) {
    if (r.key !== null) line += ` key: ${r.key.toString('utf8')}`;
    if (r.value !== null) line += ` payload: ${r.value.toString('utf8')}`;
  }
  return line;
}

/** DumpLogSegments.dumpLog over a .log file's bytes: its lines, and the non-consecutive offsets it saw. */
export async function dumpLog(fileName: string, buf: Buffer, o: DumpLogOptions, out: (line: string) => void): Promise<OffsetPairs> {
  out(`Starting offset: ${fileBaseOffset(fileName)}`);
  const deep = o.deepIteration || o.printDataLog;
  const nonConsecutive: OffsetPairs = [];
  let validBytes = 0;
  let lastOffset = -1n;
  for (const e of shallowEntries(buf)) {
    out(batchLine(buf, e));
    if (deep && e.magic >= 2) {
      const batch = new DefaultRecordBatch(buf, e.position);
      const decoded = await decodeRecordBatch(batch, { verify: false });
      for (const r of decoded.records) {
        if (lastOffset !== -1n && r.offset !== lastOffset + 1n) nonConsecutive.push([lastOffset, r.offset]);
        lastOffset = r.offset;
        out(recordLine(r, batch, o.printDataLog));
      }
    }
    validBytes += e.size;
  }
  const trailing = buf.length - validBytes;
  if (trailing > 0) out(`Found ${trailing} invalid bytes at the end of ${fileName.split('/').pop() ?? fileName}`);
  return nonConsecutive;
}

export interface IndexEntry {
  offset: bigint;
  /** Position in the segment (.index) or timestamp (.timeindex). */
  value: bigint;
}

/**
 * An index file's entries up to the first zero entry past the first: indexes are preallocated sparse
 * files, so an entry naming the base offset again marks where the written part ends.
 */
export function readIndexEntries(buf: Buffer, baseOffset: bigint, kind: 'offset' | 'time'): IndexEntry[] {
  const size = kind === 'offset' ? 8 : 12;
  const out: IndexEntry[] = [];
  for (let i = 0; i < Math.floor(buf.length / size); i++) {
    const p = i * size;
    const entry =
      kind === 'offset'
        ? { offset: baseOffset + BigInt(buf.readInt32BE(p)), value: BigInt(buf.readInt32BE(p + 4)) }
        : { offset: baseOffset + BigInt(buf.readInt32BE(p + 8)), value: buf.readBigInt64BE(p) };
    if (i > 0 && entry.offset === baseOffset) break;
    out.push(entry);
  }
  return out;
}

/** AbstractIndex.sanityCheck as a read-only open sees the file; null when it passes. */
export function indexSanityProblem(fileName: string, buf: Buffer, baseOffset: bigint, kind: 'offset' | 'time'): string | null {
  const size = kind === 'offset' ? 8 : 12;
  if (buf.length % size !== 0) return `Index file ${fileName} is corrupt, found ${buf.length} bytes which is neither positive nor a multiple of ${size}.`;
  const count = buf.length / size;
  if (count === 0) return null;
  const last = kind === 'offset' ? baseOffset + BigInt(buf.readInt32BE((count - 1) * 8)) : baseOffset + BigInt(buf.readInt32BE((count - 1) * 12 + 8));
  if (last < baseOffset) return `Corrupt index found, index file (${fileName}) has non-zero size but the last offset is ${last} which is less than the base offset ${baseOffset}.`;
  return null;
}

/** DumpLogSegments.dumpIndex: entry lines (unless verifyOnly) and (index offset, log offset) mismatches. */
export function dumpOffsetIndex(fileName: string, index: Buffer, log: Buffer, verifyOnly: boolean, out: (line: string) => void): OffsetPairs {
  const base = fileBaseOffset(fileName);
  const mismatches: OffsetPairs = [];
  const entries = readIndexEntries(index, base, 'offset');
  if (index.length < 8) {
    out(`${fileName} is empty.`);
    return mismatches;
  }
  for (const e of entries) {
    const first = shallowEntries(log, Number(e.value))[0];
    const logOffset = first?.lastOffset ?? -1n;
    if (logOffset !== e.offset) mismatches.push([e.offset, logOffset]);
    if (!verifyOnly) out(`offset: ${e.offset} position: ${e.value}`);
  }
  return mismatches;
}

export interface TimeIndexErrors {
  mismatches: Array<[bigint, bigint]>;
  outOfOrder: Array<[bigint, bigint]>;
  notFound: Array<[bigint, bigint]>;
}

/** DumpLogSegments.dumpTimeIndex: entry lines (unless verifyOnly) and what disagrees with the log. */
export function dumpTimeIndex(fileName: string, timeIndex: Buffer, offsetIndex: Buffer, log: Buffer, verifyOnly: boolean, out: (line: string) => void): TimeIndexErrors {
  const base = fileBaseOffset(fileName);
  const errors: TimeIndexErrors = { mismatches: [], outOfOrder: [], notFound: [] };
  const offsets = readIndexEntries(offsetIndex, base, 'offset');
  let prev = -1n;
  for (const e of readIndexEntries(timeIndex, base, 'time')) {
    const from = [...offsets].reverse().find((o) => o.offset <= e.offset)?.value ?? 0n;
    const batch = shallowEntries(log, Number(from)).find((b) => b.lastOffset >= e.offset);
    if (batch === undefined) errors.notFound.push([e.offset, -1n]);
    else if (batch.lastOffset !== e.offset) errors.notFound.push([e.offset, batch.lastOffset]);
    else {
      const maxTimestamp = batch.magic >= 2 ? new DefaultRecordBatch(log, batch.position).maxTimestamp : batch.magic === 1 ? log.readBigInt64BE(batch.position + 18) : -1n;
      if (maxTimestamp !== e.value) errors.mismatches.push([e.value, maxTimestamp]);
      if (prev >= e.value) errors.outOfOrder.push([e.value, prev]);
    }
    if (!verifyOnly) out(`timestamp: ${e.value} offset: ${e.offset}`);
    prev = e.value;
  }
  return errors;
}
