/**
 * Kafka 2.8's AdminUtils.assignReplicasToBrokers and the checks AdminZkClient applies to replica
 * assignments given explicitly (CreateTopics assignments, CreatePartitions assignments).
 *
 * Rack-unaware: the first replica of each partition goes round-robin from a random start index; the
 * followers follow at an increasing shift (bumped every time the partition id wraps the broker list),
 * so replicas of one broker's partitions spread over all other brokers. Rack-aware (every broker has
 * a rack): the same over a rack-alternated broker list, skipping brokers whose rack (or which broker)
 * already holds a replica while a rack (broker) without one remains.
 */
import { KafkaProtocolError } from '../protocol';
import { AdminOperationException } from './errors';

export interface BrokerMetadata {
  readonly id: number;
  readonly rack: string | null;
}

/** Kafka's `rand.nextInt(n)`: an integer in [0, n). */
export type RandomInt = (n: number) => number;

const defaultRandom: RandomInt = (n) => Math.floor(Math.random() * n);

/**
 * Partition id -> replica list (brokers in the order given; callers pass them sorted by id).
 * fixedStartIndex >= 0 replaces both random draws (start index and first shift), as in Kafka;
 * startPartitionId is the first partition id to assign (CreatePartitions adds after the existing ones).
 */
export function assignReplicasToBrokers(
  brokers: readonly BrokerMetadata[],
  nPartitions: number,
  replicationFactor: number,
  fixedStartIndex = -1,
  startPartitionId = -1,
  random: RandomInt = defaultRandom,
): Map<number, number[]> {
  if (nPartitions <= 0) throw new KafkaProtocolError('INVALID_PARTITIONS', 'Number of partitions must be larger than 0.');
  if (replicationFactor <= 0) throw new KafkaProtocolError('INVALID_REPLICATION_FACTOR', 'Replication factor must be larger than 0.');
  if (replicationFactor > brokers.length) {
    throw new KafkaProtocolError(
      'INVALID_REPLICATION_FACTOR',
      `Replication factor: ${replicationFactor} larger than available brokers: ${brokers.length}.`,
    );
  }
  if (brokers.every((b) => b.rack === null)) {
    return assignRackUnaware(nPartitions, replicationFactor, brokers.map((b) => b.id), fixedStartIndex, startPartitionId, random);
  }
  if (brokers.some((b) => b.rack === null)) {
    throw new AdminOperationException('Not all brokers have rack information for replica rack aware assignment.');
  }
  return assignRackAware(nPartitions, replicationFactor, brokers, fixedStartIndex, startPartitionId, random);
}

function replicaIndex(firstReplicaIndex: number, secondReplicaShift: number, replicaIndex: number, nBrokers: number): number {
  const shift = 1 + ((secondReplicaShift + replicaIndex) % (nBrokers - 1));
  return (firstReplicaIndex + shift) % nBrokers;
}

function assignRackUnaware(
  nPartitions: number,
  replicationFactor: number,
  brokerList: readonly number[],
  fixedStartIndex: number,
  startPartitionId: number,
  random: RandomInt,
): Map<number, number[]> {
  const out = new Map<number, number[]>();
  const n = brokerList.length;
  const startIndex = fixedStartIndex >= 0 ? fixedStartIndex : random(n);
  let currentPartitionId = Math.max(0, startPartitionId);
  let nextReplicaShift = fixedStartIndex >= 0 ? fixedStartIndex : random(n);
  for (let i = 0; i < nPartitions; i++) {
    if (currentPartitionId > 0 && currentPartitionId % n === 0) nextReplicaShift += 1;
    const firstReplicaIndex = (currentPartitionId + startIndex) % n;
    const replicas = [brokerList[firstReplicaIndex] as number];
    for (let j = 0; j < replicationFactor - 1; j++) replicas.push(brokerList[replicaIndex(firstReplicaIndex, nextReplicaShift, j, n)] as number);
    out.set(currentPartitionId, replicas);
    currentPartitionId += 1;
  }
  return out;
}

/**
 * Kafka's getRackAlternatedBrokerList: racks sorted by name, brokers of each rack sorted by id, then
 * one broker from each rack in turn ("rack1: 0,1; rack2: 3,4" -> 0,3,1,4).
 */
export function rackAlternatedBrokerList(brokerRacks: ReadonlyMap<number, string>): number[] {
  const byRack = new Map<string, number[]>();
  for (const [id, rack] of brokerRacks) {
    const list = byRack.get(rack) ?? [];
    list.push(id);
    byRack.set(rack, list);
  }
  const racks = [...byRack.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const iterators = new Map(racks.map((r) => [r, (byRack.get(r) as number[]).sort((a, b) => a - b)[Symbol.iterator]()]));
  const result: number[] = [];
  let rackIndex = 0;
  while (result.length < brokerRacks.size) {
    const next = (iterators.get(racks[rackIndex] as string) as Iterator<number>).next();
    if (next.done !== true) result.push(next.value);
    rackIndex = (rackIndex + 1) % racks.length;
  }
  return result;
}

function assignRackAware(
  nPartitions: number,
  replicationFactor: number,
  brokers: readonly BrokerMetadata[],
  fixedStartIndex: number,
  startPartitionId: number,
  random: RandomInt,
): Map<number, number[]> {
  const brokerRack = new Map(brokers.map((b) => [b.id, b.rack as string]));
  const numRacks = new Set(brokerRack.values()).size;
  const arranged = rackAlternatedBrokerList(brokerRack);
  const numBrokers = arranged.length;
  const out = new Map<number, number[]>();
  const startIndex = fixedStartIndex >= 0 ? fixedStartIndex : random(numBrokers);
  let currentPartitionId = Math.max(0, startPartitionId);
  let nextReplicaShift = fixedStartIndex >= 0 ? fixedStartIndex : random(numBrokers);
  for (let i = 0; i < nPartitions; i++) {
    if (currentPartitionId > 0 && currentPartitionId % numBrokers === 0) nextReplicaShift += 1;
    const firstReplicaIndex = (currentPartitionId + startIndex) % numBrokers;
    const leader = arranged[firstReplicaIndex] as number;
    const replicas = [leader];
    const racksWithReplicas = new Set([brokerRack.get(leader)]);
    const brokersWithReplicas = new Set([leader]);
    let k = 0;
    for (let r = 0; r < replicationFactor - 1; r++) {
      for (;;) {
        const broker = arranged[replicaIndex(firstReplicaIndex, nextReplicaShift * numRacks, k, numBrokers)] as number;
        const rack = brokerRack.get(broker);
        k += 1;
        // Skip a broker whose rack already has a replica while some rack has none, or which already
        // has a replica while some broker has none.
        if ((!racksWithReplicas.has(rack) || racksWithReplicas.size === numRacks) && (!brokersWithReplicas.has(broker) || brokersWithReplicas.size === numBrokers)) {
          replicas.push(broker);
          racksWithReplicas.add(rack);
          brokersWithReplicas.add(broker);
          break;
        }
      }
    }
    out.set(currentPartitionId, replicas);
    currentPartitionId += 1;
  }
  return out;
}

/**
 * AdminZkClient.validateTopicCreate's assignment checks (explicit CreateTopics assignments; unknown
 * brokers are not checked there, as in Kafka): one replication factor for all partitions, no
 * duplicate broker in a partition, partition ids 0..n-1.
 */
export function validateCreateAssignment(assignment: ReadonlyMap<number, readonly number[]>): void {
  const sizes = new Set([...assignment.values()].map((r) => r.length));
  if (sizes.size !== 1) throw new KafkaProtocolError('INVALID_REPLICA_ASSIGNMENT', 'All partitions should have the same number of replicas');
  for (const replicas of assignment.values()) {
    if (new Set(replicas).size !== replicas.length) {
      throw new KafkaProtocolError('INVALID_REPLICA_ASSIGNMENT', `Duplicate replica assignment found: ${formatAssignment(assignment)}`);
    }
  }
  const n = assignment.size;
  const sum = [...assignment.keys()].filter((p) => p >= 0).reduce((a, b) => a + b, 0);
  if (sum !== (n * (n - 1)) / 2) {
    throw new KafkaProtocolError('INVALID_REPLICA_ASSIGNMENT', 'partitions should be a consecutive 0-based integer sequence');
  }
}

/**
 * AdminZkClient.validateReplicaAssignment (CreatePartitions): no empty or duplicate replica lists, only
 * available brokers (BROKER_NOT_AVAILABLE), and the topic's replication factor everywhere.
 */
export function validateNewPartitionsAssignment(
  assignment: ReadonlyMap<number, readonly number[]>,
  expectedReplicationFactor: number,
  availableBrokerIds: ReadonlySet<number>,
): void {
  for (const [partitionId, replicas] of assignment) {
    if (replicas.length === 0) {
      throw new KafkaProtocolError('INVALID_REPLICA_ASSIGNMENT', `Cannot have replication factor of 0 for partition id ${partitionId}.`);
    }
    if (new Set(replicas).size !== replicas.length) {
      throw new KafkaProtocolError(
        'INVALID_REPLICA_ASSIGNMENT',
        `Duplicate brokers not allowed in replica assignment: ${replicas.join(', ')} for partition id ${partitionId}.`,
      );
    }
    if (!replicas.every((b) => availableBrokerIds.has(b))) {
      throw new KafkaProtocolError(
        'BROKER_NOT_AVAILABLE',
        `Some brokers specified for partition id ${partitionId} are not available. Specified brokers: ${replicas.join(', ')}, ` +
          `available brokers: ${[...availableBrokerIds].join(', ')}.`,
      );
    }
  }
  const bad = [...assignment.entries()].filter(([, r]) => r.length !== expectedReplicationFactor).sort((a, b) => a[0] - b[0]);
  if (bad.length > 0) {
    throw new KafkaProtocolError(
      'INVALID_REPLICA_ASSIGNMENT',
      `Inconsistent replication factor between partitions, partition 0 has ${expectedReplicationFactor} while partitions ` +
        `[${bad.map(([p]) => p).join(', ')}] have replication factors [${bad.map(([, r]) => r.length).join(', ')}], respectively.`,
    );
  }
}

/** Scala's Map.toString for an assignment: `Map(0 -> List(1, 2), 1 -> List(2, 3))`. */
function formatAssignment(assignment: ReadonlyMap<number, readonly number[]>): string {
  return `Map(${[...assignment.entries()].map(([p, r]) => `${p} -> List(${r.join(', ')})`).join(', ')})`;
}
