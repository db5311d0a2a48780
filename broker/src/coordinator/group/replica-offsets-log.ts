/**
 * __consumer_offsets as this broker's ReplicaManager holds it: coordinator writes are appended as the
 * leader with acks=-1 (offsets.commit.required.acks) and offsets.commit.timeout.ms, internal topic
 * allowed; loading reads the local log from its start to its end (not the high watermark), as Kafka's
 * doLoadGroupsAndOffsets does.
 */
import { errorForCode, type ErrorCodeName } from '../../protocol';
import { GROUP_METADATA_TOPIC_NAME, type OffsetsTopicLog } from './group-metadata-manager';

/** The slice of ReplicaManager this needs (structural, so tests and layering stay simple). */
export interface OffsetsReplicaAccess {
  appendRecords(o: {
    timeoutMs: number;
    requiredAcks: number;
    internalTopicsAllowed: boolean;
    entries: ReadonlyMap<string, { topicPartition: { topic: string; partition: number }; records: Buffer }>;
  }): Promise<Map<string, { errorCode: number }>>;
  getPartition(tp: { topic: string; partition: number }):
    | { log?: { logStartOffset: number; logEndOffset: number; read(start: number, maxBytes: number, opts: { minOneMessage: boolean }): Promise<{ records: Buffer }> } | undefined }
    | undefined;
}

export class ReplicaOffsetsLog implements OffsetsTopicLog {
  constructor(
    private readonly replicaManager: OffsetsReplicaAccess,
    private readonly commitTimeoutMs: number,
  ) {}

  async append(partition: number, batch: Buffer, requiredAcks: number): Promise<ErrorCodeName> {
    const key = `${GROUP_METADATA_TOPIC_NAME}-${partition}`;
    const results = await this.replicaManager.appendRecords({
      timeoutMs: this.commitTimeoutMs,
      requiredAcks,
      internalTopicsAllowed: true,
      entries: new Map([[key, { topicPartition: { topic: GROUP_METADATA_TOPIC_NAME, partition }, records: batch }]]),
    });
    const code = results.get(key)?.errorCode ?? -1;
    return errorForCode(code).name as ErrorCodeName;
  }

  private log(partition: number): NonNullable<ReturnType<OffsetsReplicaAccess['getPartition']>>['log'] {
    return this.replicaManager.getPartition({ topic: GROUP_METADATA_TOPIC_NAME, partition })?.log;
  }

  offsets(partition: number): { logStartOffset: bigint; logEndOffset: bigint } | null {
    const log = this.log(partition);
    return log === undefined ? null : { logStartOffset: BigInt(log.logStartOffset), logEndOffset: BigInt(log.logEndOffset) };
  }

  async read(partition: number, fromOffset: bigint, maxBytes: number): Promise<Buffer> {
    const log = this.log(partition);
    if (log === undefined) return Buffer.alloc(0);
    return (await log.read(Number(fromOffset), maxBytes, { minOneMessage: true })).records;
  }
}
