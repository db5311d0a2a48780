/**
 * The APIs a Samsa broker serves, registered with the version ranges each handler truly implements
 * (ApiVersions is built from these registrations). Kafka's KafkaApis.handle switch, as a table.
 */
import type { BufferPool } from '../common/buffer-pool';
import type { AdminManager } from '../admin';
import {
  alterConfigsHandler,
  alterPartitionReassignmentsHandler,
  apiVersionsHandler,
  controlledShutdownHandler,
  createPartitionsHandler,
  createTopicsHandler,
  deleteGroupsHandler,
  deleteRecordsHandler,
  deleteTopicsHandler,
  describeClusterHandler,
  describeConfigsHandler,
  describeGroupsHandler,
  describeLogDirsHandler,
  electLeadersHandler,
  fetchHandler,
  findCoordinatorHandler,
  heartbeatHandler,
  incrementalAlterConfigsHandler,
  joinGroupHandler,
  leaderAndIsrHandler,
  leaveGroupHandler,
  listGroupsHandler,
  listOffsetsHandler,
  listPartitionReassignmentsHandler,
  metadataHandler,
  offsetCommitHandler,
  offsetDeleteHandler,
  offsetFetchHandler,
  offsetForLeaderEpochHandler,
  produceHandler,
  stopReplicaHandler,
  syncGroupHandler,
  updateMetadataHandler,
  type AlterPartitionReassignmentsController,
  type ApiRegistry,
  type ControlledShutdownController,
  type ElectLeadersController,
  type ListPartitionReassignmentsController,
  type ZkConsumerOffsets,
} from '../api';
import { SYSTEM_TIME } from '../common/time';
import type { GroupCoordinator } from '../coordinator/group';
import type { MetadataCache } from '../metadata';
import type { FetchSessionCache, ReplicaManager } from '../replica';
import type { KafkaConfig } from './config';

export interface BrokerApiDeps {
  config: KafkaConfig;
  brokerId: number;
  clusterId: string;
  brokerEpoch: () => bigint;
  isActiveController: () => boolean;
  metadataCache: MetadataCache;
  replicaManager: ReplicaManager;
  adminManager: AdminManager;
  fetchSessionCache: FetchSessionCache;
  groupCoordinator: GroupCoordinator;
  /** KafkaZkClient's consumer offsets (OffsetCommit/OffsetFetch v0). */
  zkOffsets: ZkConsumerOffsets;
  /** Creates __consumer_offsets on first FindCoordinator. */
  createOffsetsTopic: () => Promise<number>;
  /** The socket server's pool for large request frames (Produce gives its frames back). */
  requestBuffers?: BufferPool;
  /** The active controller (for ControlledShutdown); undefined before start-up. */
  controller: () => (ControlledShutdownController & ElectLeadersController & AlterPartitionReassignmentsController & ListPartitionReassignmentsController) | undefined;
}

function topicNameById(cache: MetadataCache, topicId: string): string | undefined {
  return cache.allTopics().find((t) => cache.topicId(t) === topicId);
}

export function registerApiHandlers(registry: ApiRegistry, deps: BrokerApiDeps): void {
  const { config, metadataCache, replicaManager, adminManager, brokerEpoch, isActiveController } = deps;
  const coordinator = deps.groupCoordinator;
  registry
    .register(apiVersionsHandler(registry))
    .register(produceHandler({ replicaManager, metadataCache, requestBuffers: deps.requestBuffers }))
    .register(fetchHandler({ replicaManager, metadataCache, fetchMaxBytes: config.fetchMaxBytes, fetchSessionCache: deps.fetchSessionCache }))
    .register(listOffsetsHandler({ replicaManager }))
    .register(
      metadataHandler({
        metadataCache,
        clusterId: deps.clusterId,
        autoCreateTopicsEnable: config.autoCreateTopicsEnable,
        autoCreateTopics: (topics) => adminManager.autoCreateTopics(topics),
      }),
    )
    .register(leaderAndIsrHandler({ replicaManager, brokerEpoch, onLeadershipChange: (leaders, followers) => coordinator.onLeadershipChange(leaders, followers) }))
    .register(stopReplicaHandler({ replicaManager, brokerEpoch, onReplicasDeleted: (deleted) => coordinator.onLeadershipChange([], deleted) }))
    .register(updateMetadataHandler({ replicaManager, brokerEpoch }))
    .register(createTopicsHandler({ adminManager, isActiveController }))
    .register(deleteTopicsHandler({ adminManager, isActiveController, topicNameById: (id) => topicNameById(metadataCache, id) }))
    .register(deleteRecordsHandler({ replicaManager, metadataCache }))
    .register(describeConfigsHandler({ adminManager }))
    .register(alterConfigsHandler({ adminManager }))
    .register(createPartitionsHandler({ adminManager, isActiveController }))
    .register(incrementalAlterConfigsHandler({ adminManager }))
    .register(describeLogDirsHandler({ replicaManager }))
    .register(describeClusterHandler({ metadataCache, clusterId: deps.clusterId }))
    .register(offsetForLeaderEpochHandler({ replicaManager }))
    .register(controlledShutdownHandler({ controller: deps.controller }))
    .register(electLeadersHandler({ controller: deps.controller, metadataCache }))
    .register(alterPartitionReassignmentsHandler({ controller: deps.controller }))
    .register(listPartitionReassignmentsHandler({ controller: deps.controller }))
    .register(findCoordinatorHandler({ metadataCache, partitionForGroup: (groupId) => coordinator.partitionFor(groupId), createOffsetsTopic: deps.createOffsetsTopic }))
    .register(joinGroupHandler({ coordinator }))
    .register(syncGroupHandler({ coordinator }))
    .register(heartbeatHandler({ coordinator }))
    .register(leaveGroupHandler({ coordinator }))
    .register(offsetCommitHandler({ coordinator, metadataCache, zkOffsets: deps.zkOffsets, offsetMetadataMaxBytes: config.getNumber('offset.metadata.max.bytes'), time: SYSTEM_TIME }))
    .register(offsetFetchHandler({ coordinator, metadataCache, zkOffsets: deps.zkOffsets }))
    .register(offsetDeleteHandler({ coordinator, metadataCache }))
    .register(describeGroupsHandler({ coordinator }))
    .register(listGroupsHandler({ coordinator }))
    .register(deleteGroupsHandler({ coordinator }));
}
