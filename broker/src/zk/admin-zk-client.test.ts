import { ErrorCode, KafkaProtocolError } from '../protocol';
import { hasCollision, hasCollisionChars, newTopicId, validateTopicConfigs, validateTopicName } from './admin-zk-client';
import { isValidTopicId } from './znodes';

function codeOf(fn: () => void): number | null {
  try {
    fn();
    return null;
  } catch (err) {
    return err instanceof KafkaProtocolError ? err.code : -999;
  }
}

describe('AdminZkClient topic rules (Kafka Topic.validate / hasCollision)', () => {
  test('legal names: [a-zA-Z0-9._-], 1..249 chars, not "." or ".."', () => {
    expect(codeOf(() => validateTopicName('orders-1.v2_x'))).toBeNull();
    expect(codeOf(() => validateTopicName('a'.repeat(249)))).toBeNull();
    expect(() => validateTopicName('')).toThrow("Topic name is illegal, it can't be empty");
    expect(() => validateTopicName('.')).toThrow('Topic name cannot be "." or ".."');
    expect(() => validateTopicName('a'.repeat(250))).toThrow(`Topic name is illegal, it can't be longer than 249 characters, topic name: ${'a'.repeat(250)}`);
    expect(codeOf(() => validateTopicName('héllo'))).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
  });

  test('"." and "_" collide', () => {
    expect(hasCollisionChars('a.b')).toBe(true);
    expect(hasCollisionChars('ab')).toBe(false);
    expect(hasCollision('a.b', 'a_b')).toBe(true);
    expect(hasCollision('a.b', 'a-b')).toBe(false);
  });

  test('topic ids are 22-char URL-safe base64 version-4 UUIDs', () => {
    const id = newTopicId();
    expect(isValidTopicId(id)).toBe(true);
    expect(new Set(Array.from({ length: 50 }, () => newTopicId())).size).toBe(50);
  });

  test('unknown topic config names are INVALID_CONFIG "Unknown topic config name"', () => {
    expect(() => validateTopicConfigs(new Map([['retention.hours', '1']]))).toThrow('Unknown topic config name: retention.hours');
    expect(codeOf(() => validateTopicConfigs(new Map([['min.insync.replicas', '0']])))).toBe(ErrorCode.INVALID_CONFIG);
    expect(codeOf(() => validateTopicConfigs(new Map([['cleanup.policy', 'compact,delete']])))).toBeNull();
  });
});
