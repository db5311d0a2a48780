/**
 * api/: one handler file per API, the registry that dispatches to them (and builds ApiVersions from
 * its registrations), and toErrorCode, the only place exceptions become wire error codes.
 */
export { ApiRegistry } from './registry';
export type { ApiHandler, ApiKeyOf, RequestContext, RequestOf, ResponseOf, VersionedResponse } from './registry';
export { apiVersionsHandler, isValidApiVersionsRequest } from './api-versions';
export { toErrorCode } from './errors';
export { produceHandler } from './produce';
export { fetchHandler } from './fetch';
export { listOffsetsHandler } from './list-offsets';
export { metadataHandler } from './metadata';
export { leaderAndIsrHandler } from './leader-and-isr';
export { stopReplicaHandler } from './stop-replica';
export { updateMetadataHandler } from './update-metadata';
export { createTopicsHandler } from './create-topics';
export { deleteTopicsHandler } from './delete-topics';
export { deleteRecordsHandler } from './delete-records';
export { describeConfigsHandler } from './describe-configs';
export { alterConfigsHandler } from './alter-configs';
export { createPartitionsHandler } from './create-partitions';
export { incrementalAlterConfigsHandler } from './incremental-alter-configs';
export { describeLogDirsHandler } from './describe-log-dirs';
export { describeClusterHandler } from './describe-cluster';
export { offsetForLeaderEpochHandler } from './offset-for-leader-epoch';
export { controlledShutdownHandler, type ControlledShutdownController } from './controlled-shutdown';
export { electLeadersHandler, type ElectLeadersController } from './elect-leaders';
export { alterPartitionReassignmentsHandler, type AlterPartitionReassignmentsController } from './alter-partition-reassignments';
export { listPartitionReassignmentsHandler, type ListPartitionReassignmentsController } from './list-partition-reassignments';
export { findCoordinatorHandler } from './find-coordinator';
export { joinGroupHandler } from './join-group';
export { syncGroupHandler } from './sync-group';
export { heartbeatHandler } from './heartbeat';
export { leaveGroupHandler } from './leave-group';
export { offsetCommitHandler, type ZkConsumerOffsets } from './offset-commit';
export { offsetFetchHandler } from './offset-fetch';
export { offsetDeleteHandler } from './offset-delete';
export { describeGroupsHandler } from './describe-groups';
export { listGroupsHandler } from './list-groups';
export { deleteGroupsHandler } from './delete-groups';
