/**
 * One kafkajs consumer-group member for the group proofs, reporting what it saw as events: the
 * generation and assignment it received from SyncGroup (kafkajs logs 'Received assignment' with the
 * generation id; its GROUP_JOIN event carries no generation), and every record it delivered tagged
 * with the generation it held at the time. Used in-process and, through kafkajs-member-child.ts, in a
 * child process that the test can SIGKILL (a member that dies without LeaveGroup).
 */
import { Kafka, logLevel, type Consumer, type LogEntry } from 'kafkajs';

export interface MemberOptions {
  name: string;
  brokers: string[];
  groupId: string;
  topic: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
}

export type MemberEvent =
  | { kind: 'assignment'; member: string; memberId: string; generation: number; partitions: number[]; at: number }
  | { kind: 'joined'; member: string; memberId: string; isLeader: boolean; at: number }
  | { kind: 'record'; member: string; generation: number; partition: number; offset: string; value: string; at: number }
  | { kind: 'crash'; member: string; error: string; at: number };

export interface RunningMember {
  readonly name: string;
  /** Disconnects the consumer (kafkajs sends LeaveGroup). */
  leave(): Promise<void>;
}

interface ReceivedAssignmentLog {
  generationId?: number;
  memberId?: string;
  memberAssignment?: Record<string, number[]>;
}

export async function startMember(options: MemberOptions, onEvent: (event: MemberEvent) => void): Promise<RunningMember> {
  let generation = -1;
  const member = options.name;
  // kafkajs only logs the generation of an assignment; pick that one log line out of the debug stream.
  const logCreator =
    () =>
    ({ log }: LogEntry): void => {
      if (log.message !== 'Received assignment') return;
      const entry = log as unknown as ReceivedAssignmentLog;
      if (typeof entry.generationId !== 'number') return;
      generation = entry.generationId;
      onEvent({
        kind: 'assignment',
        member,
        memberId: entry.memberId ?? '',
        generation,
        partitions: [...(entry.memberAssignment?.[options.topic] ?? [])].sort((a, b) => a - b),
        at: Date.now(),
      });
    };
  const kafka = new Kafka({
    clientId: `groups-${member}`,
    brokers: options.brokers,
    logLevel: logLevel.DEBUG,
    logCreator,
    connectionTimeout: 3000,
    requestTimeout: 30_000,
    retry: { retries: 10, initialRetryTime: 200, maxRetryTime: 2000 },
  });
  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    sessionTimeout: options.sessionTimeoutMs,
    rebalanceTimeout: options.rebalanceTimeoutMs,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 300,
    retry: { retries: 10, initialRetryTime: 200, maxRetryTime: 2000 },
  });
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    onEvent({ kind: 'joined', member, memberId: e.payload.memberId, isLeader: e.payload.isLeader, at: Date.now() });
  });
  consumer.on(consumer.events.CRASH, (e) => {
    onEvent({ kind: 'crash', member, error: String(e.payload.error), at: Date.now() });
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [options.topic], fromBeginning: true });
  await consumer.run({
    autoCommitInterval: 500,
    eachMessage: async ({ partition, message }) => {
      onEvent({
        kind: 'record',
        member,
        generation,
        partition,
        offset: message.offset,
        value: message.value?.toString('utf8') ?? '',
        at: Date.now(),
      });
      await Promise.resolve();
    },
  });
  return {
    name: member,
    async leave(): Promise<void> {
      await consumer.disconnect();
    },
  };
}
