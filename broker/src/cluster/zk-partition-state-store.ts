/**
 * The ZooKeeper side of a leader's ISR changes (Kafka 2.8's ZkPartitionStateStore and
 * ReplicationUtils.updateLeaderAndIsr, the path used below IBP 2.7-IV2 — DESIGN.md "ISR propagation"):
 * the partition state znode is set conditionally on the zkVersion the leader holds. On BADVERSION the
 * znode is read back and the write still counts when it already holds exactly the wanted state
 * (Kafka's checkLeaderAndIsrZkData: a retried write whose first attempt landed); otherwise it is stale.
 */
import type { TopicPartition } from '../log/log-names';
import { type KafkaZkClient, tpKey } from '../zk/kafka-zk-client';
import { isZkError } from '../zk/errors';
import type { UpdateIsr } from './partition-types';

export function zkUpdateIsr(zkClient: KafkaZkClient): UpdateIsr {
  return async (tp, update, expectedZkVersion) => {
    const leaderAndIsr = { leader: update.leader, leaderEpoch: update.leaderEpoch, isr: update.isr, zkVersion: expectedZkVersion };
    const result = await zkClient.updateLeaderAndIsr([{ partition: tp, leaderAndIsr }], update.controllerEpoch);
    const done = result.finished.get(tpKey(tp));
    if (done?.leaderAndIsr !== undefined) return { zkVersion: done.leaderAndIsr.zkVersion };
    // No state znode (the topic is going away) is a failed write in Kafka too, not an error.
    if (done?.error !== undefined) {
      if (isZkError(done.error, 'NONODE')) return 'stale';
      throw done.error;
    }
    const written = (await zkClient.getTopicPartitionStates([tp])).get(tpKey(tp));
    if (written === undefined) return 'stale';
    const same =
      written.controllerEpoch === update.controllerEpoch &&
      written.leaderAndIsr.leader === update.leader &&
      written.leaderAndIsr.leaderEpoch === update.leaderEpoch &&
      written.leaderAndIsr.isr.length === update.isr.length &&
      written.leaderAndIsr.isr.every((id, i) => id === update.isr[i]);
    return same ? { zkVersion: written.leaderAndIsr.zkVersion } : 'stale';
  };
}

/** Writes one /isr_change_notification/isr_change_<seq> listing `partitions` (Kafka's propagateIsrChanges). */
export function zkPropagateIsrChanges(zkClient: KafkaZkClient): (partitions: readonly TopicPartition[]) => Promise<void> {
  return async (partitions) => {
    await zkClient.propagateIsrChanges(partitions);
  };
}
