/** cluster/: Partition, a hosted partition's leadership, ISR, high watermark and local log. */
export {
  Partition,
  IsolationLevel,
  UNKNOWN_OFFSET_METADATA,
  type FetchIsolation,
  type IsrUpdate,
  type LogOffsetMetadata,
  type OffsetSnapshot,
  type PartitionDeps,
  type PartitionReadInfo,
  type RemoteReplicaState,
  type TimestampAndOffsetResult,
  type UpdateIsr,
} from './partition';
export { zkPropagateIsrChanges, zkUpdateIsr } from './zk-partition-state-store';
