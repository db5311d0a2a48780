/**
 * kafka-topics --zookeeper (deprecated in 2.8 but still accepted): --list and --describe read the
 * znodes directly, as 2.8's ZookeeperTopicService does — topics from /brokers/topics (a topic queued in
 * /admin/delete_topics is listed as "<t> - marked for deletion"), assignments from the topic znodes,
 * leaders and ISRs from the partition state znodes, Configs from /config/topics/<t> overrides only.
 */
import { isInternalTopic } from '../../../broker/src/metadata/topic';
import { KafkaZkClient, ZkClient } from '../../../broker/src/zk';
import { ZERO_UUID } from '../../../broker/src/protocol';
import type { MetadataResponsePartition, MetadataResponseTopic } from '../../../broker/src/protocol/generated/metadata-response';
import { ToolError } from './common/tool-error';
import type { TopicsArgs } from './kafka-topics';
import { topicFilter } from './kafka-topics-actions';
import { partitionLine, replicationFactor, shouldPrintPartition, topicLine, type DescribeFilters } from './kafka-topics-describe';
import pino from 'pino';

/** The ZooKeeper client's own log lines are not the tool's output. */
const QUIET = pino({ level: 'silent' });

export async function runTopicsOverZooKeeper(a: TopicsArgs, filters: DescribeFilters, out: (line: string) => void): Promise<void> {
  if (!a.list && !a.describe) throw new ToolError('Samsa\'s kafka-topics supports --zookeeper for --list and --describe only; use --bootstrap-server to create, alter or delete topics');
  let zk: ZkClient;
  try {
    zk = await ZkClient.connect({ connectString: a.zookeeper ?? '', sessionTimeoutMs: 30_000, connectTimeoutMs: a.timeout, logger: QUIET });
  } catch {
    throw new ToolError(`Could not connect to ZooKeeper at ${a.zookeeper ?? ''} within ${a.timeout} ms`);
  }
  try {
    const kzk = new KafkaZkClient(zk, QUIET);
    const match = topicFilter(a.topic);
    const all = (await kzk.getAllTopicsInCluster()).filter((t) => match(t) && !(a.excludeInternal && isInternalTopic(t))).sort();
    if (a.topic !== undefined && all.length === 0 && !a.ifExists) throw new ToolError(`Topic '${a.topic}' does not exist as expected`);
    const deleting = new Set(await kzk.getTopicDeletions());
    if (a.list) {
      for (const t of all) out(deleting.has(t) ? `${t} - marked for deletion` : t);
      return;
    }
    const live = new Set((await kzk.getAllBrokersInCluster()).map((b) => b.id));
    const assignments = await kzk.getReplicaAssignmentAndTopicIds(all);
    const describeConfigs = !filters.underReplicated && !filters.unavailable && !filters.underMinIsr && !filters.atMinIsr;
    for (const topic of all) {
      const assignment = assignments.get(topic);
      if (assignment === undefined) continue;
      const ids = [...assignment.partitions.keys()].sort((x, y) => x - y);
      const states = await kzk.getTopicPartitionStates(ids.map((partition) => ({ topic, partition })));
      const partitions: MetadataResponsePartition[] = ids.map((partition) => {
        const state = states.get(`${topic}-${partition}`)?.leaderAndIsr;
        return {
          errorCode: 0,
          partitionIndex: partition,
          leaderId: state?.leader ?? -1,
          leaderEpoch: state?.leaderEpoch ?? -1,
          replicaNodes: assignment.partitions.get(partition)?.replicas ?? [],
          isrNodes: state?.isr ?? [],
          offlineReplicas: [],
        };
      });
      const configs = [...(await kzk.getEntityConfigs('topics', topic))].map(([name, value]) => ({ name, value, isDefault: false }));
      const minIsrValue = configs.find((c) => c.name === 'min.insync.replicas')?.value;
      const minIsr = minIsrValue === undefined ? undefined : Number(minIsrValue);
      const t: MetadataResponseTopic = { errorCode: 0, name: topic, topicId: assignment.topicId ?? ZERO_UUID, isInternal: isInternalTopic(topic), partitions, topicAuthorizedOperations: 0 };
      const marked = deleting.has(topic) ? '\tMarkedForDeletion: true' : '';
      const first = partitions[0];
      if (describeConfigs && first !== undefined && (!filters.topicsWithOverrides || configs.length > 0)) {
        out(topicLine(t, replicationFactor(first, undefined), configs) + marked);
      }
      if (filters.topicsWithOverrides) continue;
      for (const p of partitions) if (shouldPrintPartition(filters, p, replicationFactor(p, undefined), minIsr, live)) out(partitionLine(topic, p, undefined) + marked);
    }
  } finally {
    await zk.close();
  }
}
