/**
 * Admin requests and notifications: /admin/delete_topics/<t>, /admin/reassign_partitions,
 * /admin/preferred_replica_election, /isr_change_notification/isr_change_<seq>,
 * /log_dir_event_notification/log_dir_event_<seq>.
 */
import { JsonReader, encodeJson, type Json } from './json';

export interface TopicPartition {
  topic: string;
  partition: number;
}

/** ZooKeeper's sequential suffix: a 10-digit zero-padded counter. */
export function sequenceSuffix(seq: number): string {
  return String(seq).padStart(10, '0');
}

/** The sequence number part of a sequential znode name or path (`...isr_change_0000000042` -> `0000000042`). */
export function sequenceNumber(pathOrName: string, prefix: string): string {
  const i = pathOrName.lastIndexOf(prefix);
  return i < 0 ? pathOrName : pathOrName.substring(i + prefix.length);
}

function partitionList(partitions: Iterable<TopicPartition>): Json[] {
  return [...partitions].map((tp) => ({ topic: tp.topic, partition: tp.partition }));
}

function readPartitionList(r: JsonReader): TopicPartition[] {
  return r
    .get('partitions')
    .array()
    .map((e) => ({ topic: e.get('topic').string(), partition: e.get('partition').int() }));
}

export const AdminZNode = { path: '/admin' } as const;
export const DeleteTopicsZNode = { path: '/admin/delete_topics' } as const;

/** /admin/delete_topics/<topic>: null data. */
export const DeleteTopicsTopicZNode = {
  template: '/admin/delete_topics/<topic>',
  path(topic: string): string {
    return `${DeleteTopicsZNode.path}/${topic}`;
  },
} as const;

export interface PartitionReassignment extends TopicPartition {
  replicas: number[];
}

/** /admin/reassign_partitions (legacy): `{"version":1,"partitions":[{"topic","partition","replicas"}]}`. */
export const ReassignPartitionsZNode = {
  path: '/admin/reassign_partitions',
  encode(reassignments: Iterable<PartitionReassignment>): Buffer {
    return encodeJson({
      version: 1,
      partitions: [...reassignments].map((r) => ({ topic: r.topic, partition: r.partition, replicas: r.replicas })),
    });
  },
  decode(bytes: Buffer | null): PartitionReassignment[] {
    const r = JsonReader.parse(ReassignPartitionsZNode.path, bytes);
    r.opt('version')?.int();
    return r
      .get('partitions')
      .array()
      .map((e) => ({
        topic: e.get('topic').string(),
        partition: e.get('partition').int(),
        replicas: e.get('replicas').intArray(),
      }));
  },
} as const;

/** /admin/preferred_replica_election (legacy): `{"version":1,"partitions":[{"topic","partition"}]}`. */
export const PreferredReplicaElectionZNode = {
  path: '/admin/preferred_replica_election',
  encode(partitions: Iterable<TopicPartition>): Buffer {
    return encodeJson({ version: 1, partitions: partitionList(partitions) });
  },
  decode(bytes: Buffer | null): TopicPartition[] {
    return readPartitionList(JsonReader.parse(PreferredReplicaElectionZNode.path, bytes));
  },
} as const;

export const IsrChangeNotificationZNode = { path: '/isr_change_notification' } as const;

/** /isr_change_notification/isr_change_<seq> (PERSISTENT_SEQUENTIAL): version 1 partitions list. */
export const IsrChangeNotificationSequenceZNode = {
  template: '/isr_change_notification/isr_change_<seq>',
  prefix: 'isr_change_',
  /** With no argument: the prefix path to create a sequential node with. */
  path(sequenceNumber = ''): string {
    return `${IsrChangeNotificationZNode.path}/isr_change_${sequenceNumber}`;
  },
  encode(partitions: Iterable<TopicPartition>): Buffer {
    return encodeJson({ version: 1, partitions: partitionList(partitions) });
  },
  decode(bytes: Buffer | null, path: string = '/isr_change_notification/isr_change_<seq>'): TopicPartition[] {
    return readPartitionList(JsonReader.parse(path, bytes));
  },
} as const;

export const LogDirEventNotificationZNode = { path: '/log_dir_event_notification' } as const;

export interface LogDirEvent {
  brokerId: number;
  /** 1 = LogDirFailure (the only event Kafka defines) */
  event: number;
}

/** /log_dir_event_notification/log_dir_event_<seq>: `{"version":1,"broker":2,"event":1}`. */
export const LogDirEventNotificationSequenceZNode = {
  template: '/log_dir_event_notification/log_dir_event_<seq>',
  prefix: 'log_dir_event_',
  LogDirFailureEvent: 1,
  path(sequenceNumber = ''): string {
    return `${LogDirEventNotificationZNode.path}/log_dir_event_${sequenceNumber}`;
  },
  encode(brokerId: number): Buffer {
    return encodeJson({ version: 1, broker: brokerId, event: 1 });
  },
  /** Kafka reads only `broker`; `event` defaults to LogDirFailure when absent. */
  decode(bytes: Buffer | null, path: string = '/log_dir_event_notification/log_dir_event_<seq>'): LogDirEvent {
    const r = JsonReader.parse(path, bytes);
    const ev = r.opt('event');
    return { brokerId: r.get('broker').int(), event: ev === undefined ? 1 : ev.int() };
  },
} as const;
