import { ErrorCode, KafkaProtocolError } from '../protocol';
import { AdminOperationException } from './errors';
import {
  assignReplicasToBrokers,
  rackAlternatedBrokerList,
  validateCreateAssignment,
  validateNewPartitionsAssignment,
  type BrokerMetadata,
} from './replica-assignment';

const brokers = (ids: number[], racks?: Record<number, string>): BrokerMetadata[] =>
  ids.map((id) => ({ id, rack: racks?.[id] ?? null }));

function codeOf(fn: () => unknown): number | string {
  try {
    fn();
  } catch (err) {
    if (err instanceof KafkaProtocolError) return err.code;
    return (err as Error).name;
  }
  return 'no error';
}

describe('AdminUtils.assignReplicasToBrokers (rack unaware)', () => {
  test('fixed start index 0 over 5 brokers gives Kafka AdminUtilsTest.testReplicaAssignment', () => {
    const got = assignReplicasToBrokers(brokers([0, 1, 2, 3, 4]), 10, 3, 0);
    expect(Object.fromEntries(got)).toEqual({
      0: [0, 1, 2],
      1: [1, 2, 3],
      2: [2, 3, 4],
      3: [3, 4, 0],
      4: [4, 0, 1],
      5: [0, 2, 3],
      6: [1, 3, 4],
      7: [2, 4, 0],
      8: [3, 0, 1],
      9: [4, 1, 2],
    });
  });

  test('random start index and shift are drawn once each, in that order', () => {
    const draws = [2, 1];
    const got = assignReplicasToBrokers(brokers([1, 2, 3]), 4, 2, -1, -1, () => draws.shift() as number);
    // start=2, shift=1: p0 first=idx2 (3), follower idx (2+1+(1%2))%3=1 (2); p3 wraps -> shift 2
    expect(Object.fromEntries(got)).toEqual({ 0: [3, 2], 1: [1, 3], 2: [2, 1], 3: [3, 1] });
  });

  test('startPartitionId continues numbering (CreatePartitions)', () => {
    const got = assignReplicasToBrokers(brokers([0, 1, 2]), 2, 1, 0, 3);
    expect([...got.keys()]).toEqual([3, 4]);
    expect(got.get(3)).toEqual([0]);
  });

  test('bad partition count / replication factor give Kafka errors', () => {
    expect(codeOf(() => assignReplicasToBrokers(brokers([0]), 0, 1))).toBe(ErrorCode.INVALID_PARTITIONS);
    expect(codeOf(() => assignReplicasToBrokers(brokers([0]), 1, 0))).toBe(ErrorCode.INVALID_REPLICATION_FACTOR);
    expect(() => assignReplicasToBrokers(brokers([0, 1]), 1, 3)).toThrow('Replication factor: 3 larger than available brokers: 2.');
  });
});

describe('AdminUtils.assignReplicasToBrokers (rack aware)', () => {
  const rackMap: Record<number, string> = { 0: 'rack1', 1: 'rack3', 2: 'rack3', 3: 'rack2', 4: 'rack2', 5: 'rack1' };

  test('rack alternated broker list as AdminRackAwareTest', () => {
    expect(rackAlternatedBrokerList(new Map(Object.entries(rackMap).map(([k, v]) => [Number(k), v])))).toEqual([0, 3, 1, 5, 4, 2]);
    const without5 = new Map(Object.entries(rackMap).filter(([k]) => k !== '5').map(([k, v]) => [Number(k), v]));
    expect(rackAlternatedBrokerList(without5)).toEqual([0, 3, 1, 4, 2]);
  });

  test('assignment with fixed start 0 matches AdminRackAwareTest', () => {
    const got = assignReplicasToBrokers(brokers([0, 1, 2, 3, 4, 5], rackMap), 7, 3, 0, 0);
    expect(Object.fromEntries(got)).toEqual({
      0: [0, 3, 1],
      1: [3, 1, 5],
      2: [1, 5, 4],
      3: [5, 4, 2],
      4: [4, 2, 0],
      5: [2, 0, 3],
      6: [0, 4, 2],
    });
  });

  test('every partition spreads over all racks when RF = #racks', () => {
    const got = assignReplicasToBrokers(brokers([0, 1, 2, 3, 4, 5], rackMap), 12, 3);
    for (const replicas of got.values()) expect(new Set(replicas.map((b) => rackMap[b])).size).toBe(3);
  });

  test('some brokers without a rack is an AdminOperationException', () => {
    expect(codeOf(() => assignReplicasToBrokers([{ id: 0, rack: 'a' }, { id: 1, rack: null }], 1, 1))).toBe(AdminOperationException.name);
  });
});

describe('explicit assignment validation', () => {
  test('CreateTopics: same RF, no duplicates, consecutive ids', () => {
    expect(() => validateCreateAssignment(new Map([[0, [1, 2]], [1, [2, 3]]]))).not.toThrow();
    expect(() => validateCreateAssignment(new Map([[0, [1, 2]], [1, [2]]]))).toThrow('All partitions should have the same number of replicas');
    expect(() => validateCreateAssignment(new Map([[0, [1, 1]]]))).toThrow('Duplicate replica assignment found: Map(0 -> List(1, 1))');
    expect(() => validateCreateAssignment(new Map([[0, [1]], [2, [2]]]))).toThrow('partitions should be a consecutive 0-based integer sequence');
  });

  test('CreatePartitions: unknown broker is BROKER_NOT_AVAILABLE, RF mismatch INVALID_REPLICA_ASSIGNMENT', () => {
    const live = new Set([1, 2, 3]);
    expect(codeOf(() => validateNewPartitionsAssignment(new Map([[3, [1, 9]]]), 2, live))).toBe(ErrorCode.BROKER_NOT_AVAILABLE);
    expect(() => validateNewPartitionsAssignment(new Map([[3, [1]], [4, [2, 3]]]), 2, live)).toThrow(
      'Inconsistent replication factor between partitions, partition 0 has 2 while partitions [3] have replication factors [1], respectively.',
    );
    expect(codeOf(() => validateNewPartitionsAssignment(new Map([[3, []]]), 2, live))).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
  });
});
