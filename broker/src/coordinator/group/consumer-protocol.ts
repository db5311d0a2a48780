/**
 * The consumer protocol blobs a classic consumer group carries opaquely (protocol type "consumer"):
 * Subscription = int16 version, topics [string], user_data nullable bytes, v1+ owned partitions; the
 * coordinator reads only the topics, to know what a Stable group is subscribed to (offset expiry,
 * OffsetDelete's GROUP_SUBSCRIBED_TO_TOPIC). Anything unparseable yields null: the coordinator must not
 * fail on a client's bytes.
 */
import { ByteReader } from '../../protocol';

export const CONSUMER_PROTOCOL_TYPE = 'consumer';

export function subscriptionTopics(subscription: Buffer): string[] | null {
  try {
    const r = new ByteReader(subscription);
    const version = r.int16();
    if (version < 0) return null;
    const n = r.int32();
    if (n < 0 || n > r.remaining / 2) return null;
    const topics: string[] = [];
    for (let i = 0; i < n; i++) topics.push(r.string());
    return topics;
  } catch {
    return null;
  }
}

/**
 * The partitions of a consumer-protocol Assignment (int16 version, [topic string, partitions [int32]],
 * user_data): what DescribeGroups shows as a member's assignment. Null when it does not parse.
 */
export function assignmentPartitions(assignment: Buffer): Array<{ topic: string; partition: number }> | null {
  if (assignment.length === 0) return [];
  try {
    const r = new ByteReader(assignment);
    if (r.int16() < 0) return null;
    const topics = r.int32();
    if (topics < 0 || topics > r.remaining / 6) return null;
    const out: Array<{ topic: string; partition: number }> = [];
    for (let i = 0; i < topics; i++) {
      const topic = r.string();
      const n = r.int32();
      if (n < 0 || n > r.remaining / 4) return null;
      for (let j = 0; j < n; j++) out.push({ topic, partition: r.int32() });
    }
    return out;
  } catch {
    return null;
  }
}
