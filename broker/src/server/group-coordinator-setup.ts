/**
 * Builds the broker's GroupCoordinator (Kafka's GroupCoordinator.apply) from the config, over this
 * broker's replica of __consumer_offsets, and the FindCoordinator hook that creates that topic on first
 * use the way KafkaApis.createInternalTopic does: only when enough brokers are alive for
 * offsets.topic.replication.factor (COORDINATOR_NOT_AVAILABLE until then), with the offsets topic's
 * configs (compacted, offsets.topic.segment.bytes, compression.type=producer).
 */
import type { AdminManager } from '../admin';
import type { Logger } from '../common/logger';
import type { Scheduler } from '../common/scheduler';
import { SYSTEM_TIME } from '../common/time';
import { GROUP_METADATA_TOPIC_NAME, GroupCoordinator, GroupMetadataManager } from '../coordinator/group';
import { ReplicaOffsetsLog } from '../coordinator/group/replica-offsets-log';
import type { MetadataCache } from '../metadata';
import { ErrorCode } from '../protocol';
import type { ReplicaManager } from '../replica';
import type { KafkaConfig } from './config';

export function createGroupCoordinator(o: { config: KafkaConfig; replicaManager: ReplicaManager; metadataCache: MetadataCache; scheduler: Scheduler; logger: Logger }): GroupCoordinator {
  const { config, metadataCache } = o;
  const n = (key: string): number => config.getNumber(key);
  const manager = new GroupMetadataManager({
    // Kafka reads the partition count of the existing topic, else the configured one.
    numPartitions: () => metadataCache.partitionCount(GROUP_METADATA_TOPIC_NAME) ?? n('offsets.topic.num.partitions'),
    log: new ReplicaOffsetsLog(o.replicaManager, n('offsets.commit.timeout.ms')),
    offsetMetadataMaxBytes: n('offset.metadata.max.bytes'),
    offsetsRetentionMs: n('offsets.retention.minutes') * 60_000,
    offsetsRetentionCheckIntervalMs: n('offsets.retention.check.interval.ms'),
    loadBufferSize: n('offsets.load.buffer.size'),
    time: SYSTEM_TIME,
    scheduler: o.scheduler,
    logger: o.logger.child({ component: 'GroupMetadataManager' }),
  });
  return new GroupCoordinator({
    config: {
      groupMinSessionTimeoutMs: n('group.min.session.timeout.ms'),
      groupMaxSessionTimeoutMs: n('group.max.session.timeout.ms'),
      groupInitialRebalanceDelayMs: n('group.initial.rebalance.delay.ms'),
      groupMaxSize: n('group.max.size'),
    },
    manager,
    time: SYSTEM_TIME,
    scheduler: o.scheduler,
    logger: o.logger.child({ component: 'GroupCoordinator' }),
  });
}

/** FindCoordinator's creation of __consumer_offsets; resolves with the creation's error code. */
export function offsetsTopicCreator(o: { config: KafkaConfig; metadataCache: MetadataCache; adminManager: AdminManager; logger: Logger }): () => Promise<number> {
  return async () => {
    const replicationFactor = o.config.getNumber('offsets.topic.replication.factor');
    const alive = o.metadataCache.aliveBrokers().length;
    if (alive < replicationFactor) {
      o.logger.error(
        `Number of alive brokers '${alive}' does not meet the required replication factor '${replicationFactor}' for the offsets topic (configured via 'offsets.topic.replication.factor'). This error can be ignored if the cluster is starting up and not all brokers are up yet.`,
      );
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
    const configs = [
      { name: 'cleanup.policy', value: 'compact' },
      { name: 'segment.bytes', value: String(o.config.getNumber('offsets.topic.segment.bytes')) },
      { name: 'compression.type', value: 'producer' },
    ];
    const outcome = await o.adminManager.createTopics(
      [{ name: GROUP_METADATA_TOPIC_NAME, numPartitions: o.config.getNumber('offsets.topic.num.partitions'), replicationFactor, assignments: [], configs }],
      0,
      false,
    );
    const code = outcome.get(GROUP_METADATA_TOPIC_NAME)?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
    return code === ErrorCode.TOPIC_ALREADY_EXISTS || code === ErrorCode.REQUEST_TIMED_OUT ? ErrorCode.NONE : code;
  };
}
