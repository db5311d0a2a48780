/**
 * Kafka's Topic helpers (org.apache.kafka.common.internals.Topic): internal topic names and the
 * legal-name rule, used by Metadata (auto-creation) and the produce path (internal topics).
 */
export const GROUP_METADATA_TOPIC_NAME = '__consumer_offsets';
export const TRANSACTION_STATE_TOPIC_NAME = '__transaction_state';

const LEGAL_CHARS = /^[a-zA-Z0-9._-]+$/;
const MAX_NAME_LENGTH = 249;

export function isInternalTopic(topic: string): boolean {
  return topic === GROUP_METADATA_TOPIC_NAME || topic === TRANSACTION_STATE_TOPIC_NAME;
}

/** Kafka's Topic.validate: why `topic` is not a legal name, or null when it is. */
export function invalidTopicReason(topic: string): string | null {
  if (topic.length === 0) return 'Topic name is illegal, it can\'t be empty';
  if (topic === '.' || topic === '..') return 'Topic name cannot be "." or ".."';
  if (topic.length > MAX_NAME_LENGTH) return `Topic name is illegal, it can't be longer than ${MAX_NAME_LENGTH} characters, topic name: ${topic}`;
  if (!LEGAL_CHARS.test(topic)) return `Topic name "${topic}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`;
  return null;
}
