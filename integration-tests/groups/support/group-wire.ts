/**
 * A group member speaking the group APIs by hand (JoinGroup v7, SyncGroup v5, Heartbeat v4,
 * OffsetCommit v8, DescribeGroups v5) over its own connection to the coordinator, for the bad-input
 * proofs where a real client would never send what the test sends.
 */
import { BrokerClient } from '../../../broker/src/network/broker-client';
import { ApiKey } from '../../../broker/src/protocol';
import type { DescribedGroup } from '../../../broker/src/protocol/generated/describe-groups-response';
import type { KafkaCluster } from '../../helpers/kafka-cluster';

export interface JoinOptions {
  memberId?: string;
  groupInstanceId?: string | null;
  protocolType?: string;
  protocols?: Array<{ name: string; metadata: Buffer }>;
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
}

export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  members: Array<{ memberId: string; groupInstanceId: string | null; metadata: Buffer }>;
}

/** ConsumerProtocolSubscription v0 for `topics` with empty user data. */
export function subscription(topics: readonly string[], userData = Buffer.alloc(0)): Buffer {
  const parts: Buffer[] = [];
  const i16 = (n: number): Buffer => {
    const b = Buffer.alloc(2);
    b.writeInt16BE(n);
    return b;
  };
  const i32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    return b;
  };
  parts.push(i16(0), i32(topics.length));
  for (const t of topics) parts.push(i16(Buffer.byteLength(t)), Buffer.from(t));
  parts.push(i32(userData.length), userData);
  return Buffer.concat(parts);
}

export class WireMember {
  private readonly client: BrokerClient;

  constructor(
    cluster: KafkaCluster,
    coordinatorId: number,
    readonly groupId: string,
    clientId: string,
  ) {
    this.client = new BrokerClient({ host: '127.0.0.1', port: cluster.brokerPort(coordinatorId), clientId, requestTimeoutMs: 60_000 });
  }

  async join(o: JoinOptions): Promise<JoinResult> {
    const r = await this.client.send(ApiKey.JoinGroup, 7, {
      groupId: this.groupId,
      sessionTimeoutMs: o.sessionTimeoutMs ?? 10_000,
      rebalanceTimeoutMs: o.rebalanceTimeoutMs ?? 10_000,
      memberId: o.memberId ?? '',
      groupInstanceId: o.groupInstanceId ?? null,
      protocolType: o.protocolType ?? 'consumer',
      protocols: o.protocols ?? [{ name: 'range', metadata: subscription(['t']) }],
    });
    return {
      errorCode: r.errorCode,
      generationId: r.generationId,
      protocolType: r.protocolType,
      protocolName: r.protocolName,
      leader: r.leader,
      memberId: r.memberId,
      members: r.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata })),
    };
  }

  async sync(
    generationId: number,
    memberId: string,
    assignments: Array<{ memberId: string; assignment: Buffer }>,
    groupInstanceId: string | null = null,
  ): Promise<{ errorCode: number; assignment: Buffer }> {
    const r = await this.client.send(ApiKey.SyncGroup, 5, {
      groupId: this.groupId,
      generationId,
      memberId,
      groupInstanceId,
      protocolType: 'consumer',
      protocolName: 'range',
      assignments,
    });
    return { errorCode: r.errorCode, assignment: r.assignment };
  }

  async heartbeat(generationId: number, memberId: string, groupInstanceId: string | null = null): Promise<number> {
    const r = await this.client.send(ApiKey.Heartbeat, 4, { groupId: this.groupId, generationId, memberId, groupInstanceId });
    return r.errorCode;
  }

  async commit(generationId: number, memberId: string, topic: string, offset: bigint): Promise<number> {
    const r = await this.client.send(ApiKey.OffsetCommit, 8, {
      groupId: this.groupId,
      generationId,
      memberId,
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: '' }] }],
    });
    return r.topics[0]?.partitions[0]?.errorCode ?? -999;
  }

  async describe(): Promise<DescribedGroup> {
    const r = await this.client.send(ApiKey.DescribeGroups, 5, { groups: [this.groupId], includeAuthorizedOperations: false });
    const g = r.groups[0];
    if (g === undefined) throw new Error('empty DescribeGroups response');
    return g;
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
