/**
 * Topic znodes: /brokers/topics/<t>, .../partitions, .../partitions/<p>, .../partitions/<p>/state
 * (ZkData.scala: TopicsZNode, TopicZNode, TopicPartitionsZNode, TopicPartitionZNode, TopicPartitionStateZNode).
 */
import { JsonReader, encodeJson, isEmpty, partitionKey, type Json } from './json';

export const TopicsZNode = { path: '/brokers/topics' } as const;

export interface PartitionAssignment {
  /** Full replica list (during a reassignment: target replicas followed by the ones being removed). */
  replicas: number[];
  addingReplicas: number[];
  removingReplicas: number[];
}

export interface TopicAssignment {
  /** 22-char URL-safe base64 topic id; absent for topics written before IBP 2.8-IV0. */
  topicId?: string;
  /** partition id -> assignment */
  partitions: Map<number, PartitionAssignment>;
}

const TOPIC_ID_RE = /^[A-Za-z0-9_-]{22}$/;

export function isValidTopicId(id: string): boolean {
  if (!TOPIC_ID_RE.test(id)) return false;
  // 22 base64 chars carry 132 bits; the last char may only use its top 2 bits (16 bytes exactly).
  return Buffer.from(id, 'base64url').toString('base64url') === id;
}

function partitionMap(m: Map<number, number[]>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [p, replicas] of [...m.entries()].sort((a, b) => a[0] - b[0])) out[String(p)] = replicas;
  return out;
}

/** /brokers/topics/<topic>: version 3 assignment JSON. */
export const TopicZNode = {
  template: '/brokers/topics/<topic>',
  path(topic: string): string {
    return `${TopicsZNode.path}/${topic}`;
  },
  /**
   * Kafka 2.8's `TopicZNode.encode`: "version":3, "partitions", "adding_replicas" and "removing_replicas"
   * always written (entries only for partitions with a non-empty list), "topic_id" only when known.
   */
  encode(assignment: TopicAssignment): Buffer {
    const replicas = new Map<number, number[]>();
    const adding = new Map<number, number[]>();
    const removing = new Map<number, number[]>();
    for (const [p, a] of assignment.partitions) {
      replicas.set(p, a.replicas);
      if (a.addingReplicas.length > 0) adding.set(p, a.addingReplicas);
      if (a.removingReplicas.length > 0) removing.set(p, a.removingReplicas);
    }
    const json: Record<string, Json> = {
      version: 3,
      partitions: partitionMap(replicas),
      adding_replicas: partitionMap(adding),
      removing_replicas: partitionMap(removing),
    };
    if (assignment.topicId !== undefined) json.topic_id = assignment.topicId;
    return encodeJson(json);
  },
  /**
   * Kafka's `TopicZNode.decode`: null data or a missing "partitions" gives an empty assignment; versions 1
   * and 2 (no topic_id, v1 without adding/removing) read the same way.
   */
  decode(bytes: Buffer | null, path: string = '/brokers/topics/<topic>'): TopicAssignment {
    const out: TopicAssignment = { partitions: new Map() };
    if (isEmpty(bytes)) return out;
    const r = JsonReader.parse(path, bytes);
    const idReader = r.optNonNull('topic_id');
    if (idReader !== undefined) {
      const id = idReader.string();
      if (!isValidTopicId(id)) idReader.fail(`invalid topic id ${JSON.stringify(id)}`);
      out.topicId = id;
    }
    const side = (key: string): Map<string, number[]> => {
      const m = new Map<string, number[]>();
      const sr = r.optNonNull(key);
      if (sr !== undefined) for (const [p, v] of sr.entries()) m.set(p, v.intArray());
      return m;
    };
    const adding = side('adding_replicas');
    const removing = side('removing_replicas');
    const pr = r.optNonNull('partitions');
    if (pr !== undefined) {
      for (const [key, v] of pr.entries()) {
        out.partitions.set(partitionKey(pr, key), {
          replicas: v.intArray(),
          addingReplicas: adding.get(key) ?? [],
          removingReplicas: removing.get(key) ?? [],
        });
      }
    }
    return out;
  },
} as const;

/** /brokers/topics/<topic>/partitions (null data). */
export const TopicPartitionsZNode = {
  template: '/brokers/topics/<topic>/partitions',
  path(topic: string): string {
    return `${TopicZNode.path(topic)}/partitions`;
  },
} as const;

/** /brokers/topics/<topic>/partitions/<p> (null data). */
export const TopicPartitionZNode = {
  template: '/brokers/topics/<topic>/partitions/<partition>',
  path(topic: string, partition: number): string {
    return `${TopicPartitionsZNode.path(topic)}/${partition}`;
  },
} as const;

export interface LeaderIsrAndControllerEpoch {
  /** -1 = no leader */
  leader: number;
  leaderEpoch: number;
  isr: number[];
  controllerEpoch: number;
}

/** /brokers/topics/<t>/partitions/<p>/state: version 1 leader/ISR JSON (its zkVersion = LeaderAndIsr.zkVersion). */
export const TopicPartitionStateZNode = {
  template: '/brokers/topics/<topic>/partitions/<partition>/state',
  path(topic: string, partition: number): string {
    return `${TopicPartitionZNode.path(topic, partition)}/state`;
  },
  encode(state: LeaderIsrAndControllerEpoch): Buffer {
    return encodeJson({
      version: 1,
      leader: state.leader,
      leader_epoch: state.leaderEpoch,
      controller_epoch: state.controllerEpoch,
      isr: state.isr,
    });
  },
  /** Fields read as Kafka does; unknown fields (3.x's leader_recovery_state) are ignored. */
  decode(bytes: Buffer | null, path: string = '/brokers/topics/<topic>/partitions/<partition>/state'): LeaderIsrAndControllerEpoch {
    const r = JsonReader.parse(path, bytes);
    return {
      leader: r.get('leader').int(),
      leaderEpoch: r.get('leader_epoch').int(),
      isr: r.get('isr').intArray(),
      controllerEpoch: r.get('controller_epoch').int(),
    };
  },
} as const;

/** Splits `/brokers/topics/<t>/partitions/<p>/state` back into topic and partition (or null). */
export function parsePartitionStatePath(path: string): { topic: string; partition: number } | null {
  const m = /^\/brokers\/topics\/([^/]+)\/partitions\/(0|[1-9]\d*)\/state$/.exec(path);
  return m === null ? null : { topic: m[1], partition: Number(m[2]) };
}
