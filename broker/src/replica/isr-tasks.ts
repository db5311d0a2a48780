/**
 * The leader's two ISR background tasks of Kafka 2.8's ReplicaManager (ZooKeeper path, IBP below
 * 2.7-IV2; DESIGN.md "ISR propagation"):
 *  - isr-expiration, every replica.lag.time.max.ms / 2 (first run at once, as Kafka schedules it):
 *    maybeShrinkIsr on every partition this broker leads, so a follower can lag up to 1.5x the max
 *    lag before it leaves the ISR.
 *  - isr-change-propagation, every 2500 ms (also from the start): ISR changes recorded since the last propagation are
 *    written as one /isr_change_notification/isr_change_<seq> when none arrived in the last 5000 ms
 *    or the last propagation was over 60000 ms ago (Kafka's IsrChangePropagationConfig), so a burst of
 *    changes costs the controller one UpdateMetadata round. A failed write keeps them for next time.
 */
import type { Logger } from '../common/logger';
import type { Scheduler } from '../common/scheduler';
import type { Time } from '../common/time';
import type { Partition } from '../cluster/partition';
import type { TopicPartition } from '../log/log-names';
import { tpKey } from './types';

/** Kafka's ReplicaManager.DefaultIsrPropagationConfig. */
export const ISR_CHANGE_PROPAGATION = { checkIntervalMs: 2500, lingerMs: 5000, maxDelayMs: 60_000 } as const;

export interface IsrTasksOptions {
  scheduler: Scheduler;
  time: Time;
  /** Every hosted partition (ReplicaManager.allPartitions); the task skips those this broker does not lead. */
  partitions: () => Iterable<Partition>;
  /** replica.lag.time.max.ms (30000). */
  replicaLagTimeMaxMs: number;
  /** Writes one ISR change notification listing the partitions (KafkaZkClient.propagateIsrChanges). */
  propagateIsrChanges: (partitions: readonly TopicPartition[]) => Promise<void>;
  logger: Logger;
}

export interface IsrTasks {
  /** Stops both tasks (pending changes are dropped: the controller re-reads every state on failover). */
  cancel(): void;
  /** Kafka's recordIsrChange: a partition whose ISR this leader just changed in ZooKeeper. */
  recordIsrChange(tp: TopicPartition): void;
}

export function scheduleIsrTasks(o: IsrTasksOptions): IsrTasks {
  const pending = new Map<string, TopicPartition>();
  let lastIsrChangeMs = o.time.milliseconds();
  let lastIsrPropagationMs = o.time.milliseconds();

  const maybeShrinkIsr = async (): Promise<void> => {
    const leaders = [...o.partitions()].filter((p) => p.isLeader);
    await Promise.all(
      leaders.map((p) =>
        p.maybeShrinkIsr().catch((err: unknown) => o.logger.error({ err, partition: tpKey(p.topicPartition) }, 'Error while shrinking the ISR')),
      ),
    );
  };

  const maybePropagateIsrChanges = async (): Promise<void> => {
    const now = o.time.milliseconds();
    if (pending.size === 0) return;
    if (lastIsrChangeMs + ISR_CHANGE_PROPAGATION.lingerMs >= now && lastIsrPropagationMs + ISR_CHANGE_PROPAGATION.maxDelayMs >= now) return;
    const batch = [...pending.values()];
    pending.clear();
    try {
      await o.propagateIsrChanges(batch);
      lastIsrPropagationMs = now;
    } catch (err) {
      // Changes recorded during the failed write stay; the failed ones go back in.
      for (const tp of batch) if (!pending.has(tpKey(tp))) pending.set(tpKey(tp), tp);
      o.logger.warn({ err, partitions: batch.length }, 'Failed to write the ISR change notification; retrying at the next check');
    }
  };

  const expiration = o.scheduler.schedule('isr-expiration', maybeShrinkIsr, 0, Math.max(1, Math.floor(o.replicaLagTimeMaxMs / 2)));
  const propagation = o.scheduler.schedule('isr-change-propagation', maybePropagateIsrChanges, 0, ISR_CHANGE_PROPAGATION.checkIntervalMs);

  return {
    cancel(): void {
      expiration.cancel();
      propagation.cancel();
    },
    recordIsrChange(tp: TopicPartition): void {
      pending.set(tpKey(tp), { topic: tp.topic, partition: tp.partition });
      lastIsrChangeMs = o.time.milliseconds();
    },
  };
}
