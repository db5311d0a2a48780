/**
 * KafkaZkClient's operations on the partition state znodes (/brokers/topics/<t>/partitions/<p>/state):
 * Kafka's getTopicPartitionStatesRaw, createTopicPartitionStatesRaw and updateLeaderAndIsr. Each
 * partition's request is issued together with the others (Kafka's pipelined async requests) and fenced
 * by that znode's own zkVersion. Apart from kafka-zk-client.ts for size; KafkaZkClient's methods of the
 * same names call these.
 */
import type { ZkClient } from './client';
import { isZkError, ZkError } from './errors';
import { tpKey, type LeaderAndIsr, type LeaderIsrAndEpoch, type UpdateLeaderAndIsrResult } from './kafka-zk-types';
import { TopicPartitionStateZNode, TopicPartitionZNode, TopicPartitionsZNode, type TopicPartition } from './znodes';

/** The partition state znodes that exist, with their zkVersions. */
export async function getTopicPartitionStates(zk: ZkClient, partitions: Iterable<TopicPartition>): Promise<Map<string, LeaderIsrAndEpoch>> {
  const list = [...partitions];
  const nodes = await Promise.all(list.map((tp) => zk.getOrNull(TopicPartitionStateZNode.path(tp.topic, tp.partition))));
  const out = new Map<string, LeaderIsrAndEpoch>();
  list.forEach((tp, i) => {
    const node = nodes[i];
    if (node === null) return;
    const s = TopicPartitionStateZNode.decode(node.data, TopicPartitionStateZNode.path(tp.topic, tp.partition));
    out.set(tpKey(tp), {
      leaderAndIsr: { leader: s.leader, leaderEpoch: s.leaderEpoch, isr: s.isr, zkVersion: node.stat.version },
      controllerEpoch: s.controllerEpoch,
    });
  });
  return out;
}

/**
 * Kafka's createTopicPartitionStatesRaw (after createTopicPartitions): makes .../partitions/<p> and
 * creates .../partitions/<p>/state. Returns per partition null on success or the ZkError
 * (NODEEXISTS when another controller got there first).
 */
export async function createTopicPartitionStatesRaw(
  zk: ZkClient,
  states: ReadonlyArray<{ partition: TopicPartition; leaderAndIsr: LeaderAndIsr }>,
  controllerEpoch: number,
): Promise<Map<string, ZkError | null>> {
  const out = new Map<string, ZkError | null>();
  await Promise.all(
    states.map(async ({ partition: tp, leaderAndIsr: l }) => {
      try {
        await zk.ensurePath(TopicPartitionsZNode.path(tp.topic));
        await zk.ensurePath(TopicPartitionZNode.path(tp.topic, tp.partition));
        const data = TopicPartitionStateZNode.encode({ leader: l.leader, leaderEpoch: l.leaderEpoch, isr: l.isr, controllerEpoch });
        await zk.create(TopicPartitionStateZNode.path(tp.topic, tp.partition), data);
        out.set(tpKey(tp), null);
      } catch (err) {
        if (!(err instanceof ZkError)) throw err;
        out.set(tpKey(tp), err);
      }
    }),
  );
  return out;
}

/**
 * Kafka's updateLeaderAndIsr: conditional sets on each state's zkVersion. OK ⇒ the new LeaderAndIsr
 * with the new zkVersion; BADVERSION ⇒ retry (re-read first); other errors ⇒ failed.
 */
export async function updateLeaderAndIsr(
  zk: ZkClient,
  updates: ReadonlyArray<{ partition: TopicPartition; leaderAndIsr: LeaderAndIsr }>,
  controllerEpoch: number,
): Promise<UpdateLeaderAndIsrResult> {
  const result: UpdateLeaderAndIsrResult = { finished: new Map(), partitionsToRetry: [] };
  await Promise.all(
    updates.map(async ({ partition: tp, leaderAndIsr: l }) => {
      const data = TopicPartitionStateZNode.encode({ leader: l.leader, leaderEpoch: l.leaderEpoch, isr: l.isr, controllerEpoch });
      try {
        const stat = await zk.set(TopicPartitionStateZNode.path(tp.topic, tp.partition), data, l.zkVersion);
        result.finished.set(tpKey(tp), { partition: tp, leaderAndIsr: { ...l, zkVersion: stat.version } });
      } catch (err) {
        if (isZkError(err, 'BADVERSION')) result.partitionsToRetry.push(tp);
        else result.finished.set(tpKey(tp), { partition: tp, error: err instanceof Error ? err : new Error(String(err)) });
      }
    }),
  );
  return result;
}
