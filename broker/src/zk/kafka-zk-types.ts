/**
 * The data shapes KafkaZkClient reads and writes, in Kafka's words (LeaderAndIsr,
 * LeaderIsrAndControllerEpoch, UpdateLeaderAndIsrResult, a broker with its epoch), its
 * ControllerMovedException, and the small helpers the controller shares with it (tpKey,
 * randomTopicId). They are apart from kafka-zk-client.ts so that file holds only ZooKeeper
 * operations; kafka-zk-client.ts re-exports them.
 */
import { randomBytes } from 'node:crypto';
import { isValidTopicId, type BrokerRegistration, type PartitionAssignment, type TopicPartition } from './znodes';

/** A live broker as the controller knows it: its registration and its epoch (czxid of /brokers/ids/<id>). */
export interface BrokerInfo {
  id: number;
  registration: BrokerRegistration;
  epoch: bigint;
}

/** Kafka's LeaderAndIsr: the partition state znode's content plus its zkVersion. */
export interface LeaderAndIsr {
  /** -1 = no leader */
  leader: number;
  leaderEpoch: number;
  isr: number[];
  zkVersion: number;
}

/** Kafka's LeaderIsrAndControllerEpoch. */
export interface LeaderIsrAndEpoch {
  leaderAndIsr: LeaderAndIsr;
  controllerEpoch: number;
}

/** A topic's assignment as read from /brokers/topics/<t>, with that znode's zkVersion. */
export interface TopicAssignmentWithVersion {
  topic: string;
  topicId: string | undefined;
  partitions: Map<number, PartitionAssignment>;
  zkVersion: number;
}

/** Kafka's UpdateLeaderAndIsrResult: per-partition outcome, and partitions to retry (BADVERSION). */
export interface UpdateLeaderAndIsrResult {
  finished: Map<string, { partition: TopicPartition; leaderAndIsr?: LeaderAndIsr; error?: Error }>;
  partitionsToRetry: TopicPartition[];
}

/** Thrown when this broker is not (or no longer) the controller (Kafka's ControllerMovedException). */
export class ControllerMovedError extends Error {
  override readonly name = 'ControllerMovedError';
}

/** Map key for a partition: `topic-partition`, as Kafka's TopicPartition.toString. */
export function tpKey(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`;
}

/** A random topic id, as Uuid.randomUuid (never ZERO_UUID nor the metadata topic id 1). */
export function randomTopicId(): string {
  for (;;) {
    const bytes = randomBytes(16);
    const id = bytes.toString('base64url');
    const special = bytes.subarray(0, 15).every((b) => b === 0) && (bytes[15] === 0 || bytes[15] === 1);
    if (!special && isValidTopicId(id)) return id;
  }
}
