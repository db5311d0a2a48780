import type { ErrorCodeName } from '../../../protocol';
import { decodeRecordBatches } from '../../../protocol/records';
import type { OffsetsTopicLog } from '../group-metadata-manager';

/** A unit-test stand-in for one broker's __consumer_offsets replicas: batches kept per partition. */
export class FakeOffsetsLog implements OffsetsTopicLog {
  readonly batches = new Map<number, Buffer[]>();
  appendError: ErrorCodeName = 'NONE';

  append(partition: number, batch: Buffer, _requiredAcks = -1): Promise<ErrorCodeName> {
    if (this.appendError !== 'NONE') return Promise.resolve(this.appendError);
    const list = this.batches.get(partition) ?? [];
    const copy = Buffer.from(batch);
    copy.writeBigInt64BE(BigInt(this.endOffset(partition)), 0);
    list.push(copy);
    this.batches.set(partition, list);
    return Promise.resolve('NONE');
  }

  private endOffset(partition: number): number {
    return (this.batches.get(partition) ?? []).reduce((n, b) => n + b.readInt32BE(57), 0);
  }

  offsets(partition: number): { logStartOffset: bigint; logEndOffset: bigint } {
    return { logStartOffset: 0n, logEndOffset: BigInt(this.endOffset(partition)) };
  }

  read(partition: number, fromOffset: bigint): Promise<Buffer> {
    const list = (this.batches.get(partition) ?? []).filter((b) => b.readBigInt64BE(0) >= fromOffset);
    return Promise.resolve(Buffer.concat(list));
  }

  async records(partition: number): Promise<Array<{ key: Buffer | null; value: Buffer | null }>> {
    const { batches } = await decodeRecordBatches(Buffer.concat(this.batches.get(partition) ?? []));
    return batches.flatMap((b) => b.records.map((r) => ({ key: r.key, value: r.value })));
  }
}

