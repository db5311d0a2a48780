/**
 * The APIs a Samsa broker serves, registered with the version ranges each handler truly implements
 * (ApiVersions is built from these registrations). Kafka's KafkaApis.handle switch, as a table.
 */
import type { AdminManager } from '../admin';
import {
  alterConfigsHandler,
  apiVersionsHandler,
  createPartitionsHandler,
  createTopicsHandler,
  deleteRecordsHandler,
  deleteTopicsHandler,
  describeClusterHandler,
  describeConfigsHandler,
  describeLogDirsHandler,
  fetchHandler,
  incrementalAlterConfigsHandler,
  leaderAndIsrHandler,
  listOffsetsHandler,
  metadataHandler,
  produceHandler,
  stopReplicaHandler,
  updateMetadataHandler,
  offsetForLeaderEpochHandler,
  controlledShutdownHandler,
  type ApiRegistry,
  type ControlledShutdownController,
} from '../api';
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
  /** The active controller (for ControlledShutdown); undefined before start-up. */
  controller: () => ControlledShutdownController | undefined;
}

function topicNameById(cache: MetadataCache, topicId: string): string | undefined {
  return cache.allTopics().find((t) => cache.topicId(t) === topicId);
}

export function registerApiHandlers(registry: ApiRegistry, deps: BrokerApiDeps): void {
  const { config, metadataCache, replicaManager, adminManager, brokerEpoch, isActiveController } = deps;
  registry
    .register(apiVersionsHandler(registry))
    .register(produceHandler({ replicaManager, metadataCache }))
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
    .register(leaderAndIsrHandler({ replicaManager, brokerEpoch }))
    .register(stopReplicaHandler({ replicaManager, brokerEpoch }))
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
    .register(controlledShutdownHandler({ controller: deps.controller }));
}
