/**
 * An independent reader of __consumer_offsets segment files for the byte-exact proof: RecordBatch v2
 * framing (with its CRC-32C recomputed here), varint records, and the key/value schemas of
 * /work/shared/kafka-protocol/2.8/internal/*.json decoded by hand — OffsetCommitKey v0-1,
 * OffsetCommitValue v0-3, GroupMetadataKey v2, GroupMetadataValue v0-3 — not the broker's codecs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { WireReader } from './wire-reader';

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32C (Castagnoli), as RecordBatch v2 uses. */
export function crc32c(buf: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of buf) crc = CRC32C_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

export interface RawRecord {
  offset: bigint;
  timestamp: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: number;
}

export interface RawBatch {
  baseOffset: bigint;
  partitionLeaderEpoch: number;
  magic: number;
  crcValid: boolean;
  attributes: number;
  lastOffsetDelta: number;
  firstTimestamp: bigint;
  maxTimestamp: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  records: RawRecord[];
}

/** Every batch of one segment file, in file order. */
export function parseSegment(bytes: Buffer): RawBatch[] {
  const batches: RawBatch[] = [];
  let pos = 0;
  while (pos + 12 <= bytes.length) {
    const batchLength = bytes.readInt32BE(pos + 8);
    if (batchLength <= 0 || pos + 12 + batchLength > bytes.length) break; // preallocated tail / partial write
    const r = new WireReader(bytes.subarray(pos, pos + 12 + batchLength));
    const baseOffset = r.int64();
    r.int32(); // batchLength
    const partitionLeaderEpoch = r.int32();
    const magic = r.int8();
    if (magic !== 2) throw new Error(`magic ${magic} at file position ${pos}`);
    const crc = r.uint32();
    const crcValid = crc32c(bytes.subarray(pos + 21, pos + 12 + batchLength)) === crc;
    const attributes = r.int16();
    const lastOffsetDelta = r.int32();
    const firstTimestamp = r.int64();
    const maxTimestamp = r.int64();
    const producerId = r.int64();
    const producerEpoch = r.int16();
    const baseSequence = r.int32();
    const count = r.int32();
    if ((attributes & 0x07) !== 0) throw new Error(`compressed batch (attributes ${attributes}) at ${pos}: not expected on __consumer_offsets`);
    const records: RawRecord[] = [];
    for (let i = 0; i < count; i++) {
      const length = r.varint();
      const end = r.pos + length;
      r.int8(); // record attributes (unused)
      const timestampDelta = r.varlong();
      const offsetDelta = r.varint();
      const keyLength = r.varint();
      const key = keyLength < 0 ? null : Buffer.from(r.raw(keyLength));
      const valueLength = r.varint();
      const value = valueLength < 0 ? null : Buffer.from(r.raw(valueLength));
      const headers = r.varint();
      for (let h = 0; h < headers; h++) {
        r.raw(r.varint());
        const hv = r.varint();
        if (hv >= 0) r.raw(hv);
      }
      if (r.pos !== end) throw new Error(`record ${i} of batch ${baseOffset}: length ${length} but parsed ${length + r.pos - end}`);
      records.push({ offset: baseOffset + BigInt(offsetDelta), timestamp: firstTimestamp + timestampDelta, key, value, headers });
    }
    if (r.remaining !== 0) throw new Error(`batch ${baseOffset}: ${r.remaining} bytes after its records`);
    batches.push({
      baseOffset,
      partitionLeaderEpoch,
      magic,
      crcValid,
      attributes,
      lastOffsetDelta,
      firstTimestamp,
      maxTimestamp,
      producerId,
      producerEpoch,
      baseSequence,
      records,
    });
    pos += 12 + batchLength;
  }
  return batches;
}

/** Batches of every segment of a partition directory, in offset order. */
export function readPartitionDir(dir: string): RawBatch[] {
  const segments = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .sort();
  return segments.flatMap((f) => parseSegment(fs.readFileSync(path.join(dir, f))));
}

export type OffsetsKey =
  | { type: 'offset'; version: number; group: string; topic: string; partition: number }
  | { type: 'group'; version: number; group: string };

export interface OffsetCommitValue {
  version: number;
  offset: bigint;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: bigint;
  expireTimestamp: bigint;
}

export interface GroupMemberValue {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeout: number;
  sessionTimeout: number;
  subscription: Buffer;
  assignment: Buffer;
}

export interface GroupMetadataValue {
  version: number;
  protocolType: string;
  generation: number;
  protocol: string | null;
  leader: string | null;
  currentStateTimestamp: bigint;
  members: GroupMemberValue[];
}

function done(r: WireReader, what: string): void {
  if (r.remaining !== 0) throw new Error(`${what}: ${r.remaining} trailing bytes`);
}

/** Key version 0/1 = OffsetCommitKey, 2 = GroupMetadataKey (the version prefix selects the schema). */
export function decodeKey(buf: Buffer): OffsetsKey {
  const r = new WireReader(buf);
  const version = r.int16();
  if (version === 0 || version === 1) {
    const key: OffsetsKey = { type: 'offset', version, group: r.string(), topic: r.string(), partition: r.int32() };
    done(r, 'OffsetCommitKey');
    return key;
  }
  if (version === 2) {
    const key: OffsetsKey = { type: 'group', version, group: r.string() };
    done(r, 'GroupMetadataKey');
    return key;
  }
  throw new Error(`unknown key version ${version}`);
}

/** OffsetCommitValue v0-3: v1 carries expireTimestamp, v3 leaderEpoch (before metadata). */
export function decodeOffsetValue(buf: Buffer): OffsetCommitValue {
  const r = new WireReader(buf);
  const version = r.int16();
  if (version < 0 || version > 3) throw new Error(`unknown OffsetCommitValue version ${version}`);
  const offset = r.int64();
  const leaderEpoch = version >= 3 ? r.int32() : -1;
  const metadata = r.string();
  const commitTimestamp = r.int64();
  const expireTimestamp = version === 1 ? r.int64() : -1n;
  done(r, 'OffsetCommitValue');
  return { version, offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp };
}

/** GroupMetadataValue v0-3: v1 adds rebalanceTimeout, v2 currentStateTimestamp, v3 groupInstanceId. */
export function decodeGroupValue(buf: Buffer): GroupMetadataValue {
  const r = new WireReader(buf);
  const version = r.int16();
  if (version < 0 || version > 3) throw new Error(`unknown GroupMetadataValue version ${version}`);
  const protocolType = r.string();
  const generation = r.int32();
  const protocol = r.nullableString();
  const leader = r.nullableString();
  const currentStateTimestamp = version >= 2 ? r.int64() : -1n;
  const count = r.int32();
  const members: GroupMemberValue[] = [];
  for (let i = 0; i < count; i++) {
    const memberId = r.string();
    const groupInstanceId = version >= 3 ? r.nullableString() : null;
    const clientId = r.string();
    const clientHost = r.string();
    const rebalanceTimeout = version >= 1 ? r.int32() : -1;
    const sessionTimeout = r.int32();
    const subscription = r.nullableBytes();
    const assignment = r.nullableBytes();
    if (subscription === null || assignment === null) throw new Error(`member ${memberId}: null subscription/assignment`);
    members.push({ memberId, groupInstanceId, clientId, clientHost, rebalanceTimeout, sessionTimeout, subscription, assignment });
  }
  done(r, 'GroupMetadataValue');
  return { version, protocolType, generation, protocol, leader, currentStateTimestamp, members };
}
