/**
 * The end of a no-acked-write-lost run: read every partition of the topic back (kafkajs, from the log
 * start to the high watermark) and compare with the acked values startAckedProducer reported.
 */
import type { Admin } from 'kafkajs';
import { KafkajsPartitionReader } from '../../broker/support/kafkajs-reader';
import type { ProducerReport } from './acked-producer';

export interface AckedAudit {
  sent: number;
  /** The producer's acked values plus the ones acked to the test directly. */
  acked: number;
  /** Values whose final delivery report was an error (not acked: allowed to be missing or present). */
  failed: number;
  unflushed: number;
  readBack: number;
  /** Acked values missing from the log: must be empty. */
  lost: string[];
  /** Values present more than once (producer retries without idempotence). */
  duplicated: number;
  /** Acked values whose partition/offset in the log differ from the acknowledgement. */
  misplaced: string[];
}

/** Every record of every partition of `topic`, as value → [partition, offset] occurrences. */
export async function readTopic(admin: Admin, bootstrap: string, topic: string): Promise<Map<string, Array<[number, number]>>> {
  const offsets = await admin.fetchTopicOffsets(topic);
  const reader = await KafkajsPartitionReader.connect(bootstrap);
  const out = new Map<string, Array<[number, number]>>();
  try {
    for (const o of offsets) {
      const count = Number(o.high) - Number(o.low);
      if (count <= 0) continue;
      const messages = await reader.readPartition(topic, o.partition, count, BigInt(o.low), 60_000);
      for (const m of messages) {
        const v = m.value ?? '';
        let list = out.get(v);
        if (list === undefined) out.set(v, (list = []));
        list.push([o.partition, Number(m.offset)]);
      }
    }
  } finally {
    await reader.disconnect();
  }
  return out;
}

/**
 * Reads the topic back and checks the producer's acked values (at their acked partition/offset) and
 * `alsoAcked`: values acknowledged to the test itself (direct produce), which must be present too.
 */
export async function auditAckedWrites(admin: Admin, bootstrap: string, topic: string, report: ProducerReport, alsoAcked: readonly string[] = []): Promise<AckedAudit> {
  const present = await readTopic(admin, bootstrap, topic);
  const lost = alsoAcked.filter((v) => !present.has(v));
  const misplaced: string[] = [];
  for (const [value, partition, offset] of report.acked) {
    const at = present.get(value);
    if (at === undefined) lost.push(value);
    else if (!at.some(([p, o]) => p === partition && o === offset)) misplaced.push(value);
  }
  let readBack = 0;
  let duplicated = 0;
  for (const list of present.values()) {
    readBack += list.length;
    if (list.length > 1) duplicated++;
  }
  return { sent: report.sent, acked: report.acked.length + alsoAcked.length, failed: report.failed.length, unflushed: report.unflushed, readBack, lost, duplicated, misplaced };
}

export function describeAudit(a: AckedAudit): string {
  return (
    `sent ${a.sent}, acked ${a.acked}, not acked (delivery failed) ${a.failed}, unflushed ${a.unflushed}, read back ${a.readBack} ` +
    `(${a.duplicated} values more than once), acked but lost ${a.lost.length}, acked at another offset ${a.misplaced.length}`
  );
}
