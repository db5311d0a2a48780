/**
 * Kafka's MemberMetadata: one member of a classic group — its ids, timeouts, the protocols it supports
 * (name + opaque metadata, in preference order), its assignment, and the JoinGroup / SyncGroup responses
 * it is parked on while the group rebalances.
 */
import type { ErrorCodeName } from '../../protocol';

export interface JoinGroupProtocol {
  name: string;
  metadata: Buffer;
}

export interface JoinGroupMember {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Buffer;
}

/** What a JoinGroup answers (Kafka's JoinGroupResult). */
export interface JoinGroupResult {
  members: JoinGroupMember[];
  memberId: string;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leaderId: string;
  error: ErrorCodeName;
}

/** What a SyncGroup answers (Kafka's SyncGroupResult). */
export interface SyncGroupResult {
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
  error: ErrorCodeName;
}

export const EMPTY_ASSIGNMENT: Buffer = Buffer.alloc(0);

export function joinError(memberId: string, error: ErrorCodeName): JoinGroupResult {
  return { members: [], memberId, generationId: -1, protocolType: null, protocolName: null, leaderId: '', error };
}

export function syncError(error: ErrorCodeName): SyncGroupResult {
  return { protocolType: null, protocolName: null, assignment: EMPTY_ASSIGNMENT, error };
}

export class MemberMetadata {
  assignment: Buffer = EMPTY_ASSIGNMENT;
  awaitingJoin: ((result: JoinGroupResult) => void) | null = null;
  awaitingSync: ((result: SyncGroupResult) => void) | null = null;
  /** A member added by this rebalance; expires after the new-member join timeout if it never rejoins. */
  isNew = false;

  constructor(
    public memberId: string,
    readonly groupInstanceId: string | null,
    readonly clientId: string,
    readonly clientHost: string,
    public rebalanceTimeoutMs: number,
    public sessionTimeoutMs: number,
    readonly protocolType: string,
    public supportedProtocols: JoinGroupProtocol[],
  ) {}

  get isStaticMember(): boolean {
    return this.groupInstanceId !== null;
  }

  get isAwaitingJoin(): boolean {
    return this.awaitingJoin !== null;
  }

  get isAwaitingSync(): boolean {
    return this.awaitingSync !== null;
  }

  protocolNames(): string[] {
    return this.supportedProtocols.map((p) => p.name);
  }

  /** The metadata this member sent for `protocol` (Kafka: IllegalArgumentException when missing). */
  metadata(protocol: string): Buffer {
    const found = this.supportedProtocols.find((p) => p.name === protocol);
    if (found === undefined) throw new Error(`Member ${this.memberId} does not support protocol ${protocol}`);
    return found.metadata;
  }

  /** Same protocols in the same order with byte-identical metadata: a rejoin that changes nothing. */
  matches(protocols: readonly JoinGroupProtocol[]): boolean {
    if (protocols.length !== this.supportedProtocols.length) return false;
    return protocols.every((p, i) => {
      const mine = this.supportedProtocols[i];
      return mine !== undefined && mine.name === p.name && mine.metadata.equals(p.metadata);
    });
  }

  /** The member's vote: its most preferred protocol among the candidates every member supports. */
  vote(candidates: ReadonlySet<string>): string {
    const choice = this.supportedProtocols.find((p) => candidates.has(p.name));
    if (choice === undefined) throw new Error(`Member ${this.memberId} does not support any of the candidate protocols`);
    return choice.name;
  }
}
