/**
 * The records Kafka 2.8's GroupMetadataManager writes to __consumer_offsets: keys and values are each an
 * int16 version followed by the schema body (../shared/kafka-protocol/2.8/internal). 2.8 writes offset
 * keys v1, offset values v3 (v1 when an explicit expire timestamp was given), group keys v2 and group
 * values v3; any older version is read. A null value is a tombstone.
 */
import type { Time } from '../../common/time';
import { ByteReader, ByteWriter, ProtocolDecodeError } from '../../protocol';
import { decodeGroupMetadataKey, encodeGroupMetadataKey } from '../../protocol/generated/internal/group-metadata-key';
import { decodeGroupMetadataValue, encodeGroupMetadataValue } from '../../protocol/generated/internal/group-metadata-value';
import { decodeOffsetCommitKey, encodeOffsetCommitKey } from '../../protocol/generated/internal/offset-commit-key';
import { decodeOffsetCommitValue, encodeOffsetCommitValue } from '../../protocol/generated/internal/offset-commit-value';
import { GroupMetadata, type CommittedOffset } from './group-metadata';
import { MemberMetadata } from './member-metadata';

export type OffsetAndMetadata = CommittedOffset;

export type GroupRecordKey =
  | { kind: 'offset'; group: string; topic: string; partition: number }
  | { kind: 'group'; group: string };

function versioned(version: number, body: (w: ByteWriter) => void): Buffer {
  const w = new ByteWriter(64);
  w.int16(version);
  body(w);
  return Buffer.from(w.finish());
}

export function offsetCommitKey(group: string, topic: string, partition: number): Buffer {
  return versioned(1, (w) => encodeOffsetCommitKey(w, { group, topic, partition }, 1));
}

export function groupMetadataKey(group: string): Buffer {
  return versioned(2, (w) => encodeGroupMetadataKey(w, { group }, 2));
}

export function offsetCommitValue(o: OffsetAndMetadata): Buffer {
  if (o.expireTimestamp !== null) {
    const expire = o.expireTimestamp;
    return versioned(1, (w) => encodeOffsetCommitValue(w, { offset: o.offset, leaderEpoch: -1, metadata: o.metadata, commitTimestamp: o.commitTimestamp, expireTimestamp: expire }, 1));
  }
  return versioned(3, (w) => encodeOffsetCommitValue(w, { offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata, commitTimestamp: o.commitTimestamp, expireTimestamp: -1n }, 3));
}

/**
 * GroupMetadataValue v3 of a group and the assignment of its generation. A group with members must have
 * a protocol (Kafka: IllegalStateException otherwise).
 */
export function groupMetadataValue(group: GroupMetadata, assignment: ReadonlyMap<string, Buffer>): Buffer {
  const protocol = group.protocolName;
  if (group.size > 0 && protocol === null) throw new Error(`Attempted to write non-empty group metadata with no defined protocol (group ${group.groupId})`);
  const members = group.allMembers().map((m) => {
    const memberAssignment = assignment.get(m.memberId);
    if (memberAssignment === undefined) throw new Error(`Attempted to write member ${m.memberId} of group ${group.groupId} with no assignment`);
    return {
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeout: m.rebalanceTimeoutMs,
      sessionTimeout: m.sessionTimeoutMs,
      subscription: m.metadata(protocol ?? ''),
      assignment: memberAssignment,
    };
  });
  return versioned(3, (w) =>
    encodeGroupMetadataValue(
      w,
      {
        protocolType: group.protocolType ?? '',
        generation: group.generationId,
        protocol,
        leader: group.leaderId,
        currentStateTimestamp: BigInt(group.currentStateTimestamp ?? -1),
        members,
      },
      3,
    ),
  );
}

function readVersion(buf: Buffer, what: string): { r: ByteReader; version: number } {
  const r = new ByteReader(buf);
  if (r.remaining < 2) throw new ProtocolDecodeError(`${what} is too short to hold a version`);
  return { r, version: r.int16() };
}

/** Kafka's readMessageKey: versions 0-1 are offset keys, 2 a group key; anything else is an error. */
export function readMessageKey(buf: Buffer): GroupRecordKey {
  const { r, version } = readVersion(buf, '__consumer_offsets key');
  if (version === 0 || version === 1) return { kind: 'offset', ...decodeOffsetCommitKey(r, version) };
  if (version === 2) return { kind: 'group', group: decodeGroupMetadataKey(r, version).group };
  throw new ProtocolDecodeError(`Found unknown message key version ${version} in __consumer_offsets`);
}

export function readOffsetMessageValue(buf: Buffer | null): OffsetAndMetadata | null {
  if (buf === null) return null;
  const { r, version } = readVersion(buf, 'offset commit value');
  const v = decodeOffsetCommitValue(r, version);
  return {
    offset: v.offset,
    leaderEpoch: version >= 3 ? v.leaderEpoch : -1,
    metadata: v.metadata,
    commitTimestamp: v.commitTimestamp,
    expireTimestamp: version === 1 && v.expireTimestamp !== -1n ? v.expireTimestamp : null,
  };
}

/** Rebuilds a group from its record: Empty without members, else Stable (Kafka's GroupMetadata.loadGroup). */
export function readGroupMessageValue(groupId: string, buf: Buffer | null, time: Time): GroupMetadata | null {
  if (buf === null) return null;
  const { r, version } = readVersion(buf, 'group metadata value');
  const v = decodeGroupMetadataValue(r, version);
  const group = new GroupMetadata(groupId, v.members.length === 0 ? 'Empty' : 'Stable', time);
  group.protocolType = v.protocolType === '' && v.members.length === 0 ? null : v.protocolType;
  group.generationId = v.generation;
  group.protocolName = v.protocol;
  group.leaderId = v.leader;
  group.currentStateTimestamp = version >= 2 && v.currentStateTimestamp !== -1n ? Number(v.currentStateTimestamp) : null;
  for (const m of v.members) {
    const rebalanceTimeout = version >= 1 ? m.rebalanceTimeout : m.sessionTimeout;
    const member = new MemberMetadata(m.memberId, m.groupInstanceId, m.clientId, m.clientHost, rebalanceTimeout, m.sessionTimeout, v.protocolType, [
      { name: v.protocol ?? '', metadata: m.subscription },
    ]);
    member.assignment = m.assignment;
    group.add(member, null);
  }
  group.leaderId = v.leader;
  return group;
}
