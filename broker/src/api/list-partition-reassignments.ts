/**
 * ListPartitionReassignments (key 46), version 0 (flexible): the ongoing reassignments (replicas,
 * adding and removing replicas) of the named partitions, or of every partition when `topics` is null.
 * Source: KafkaApis.handleListPartitionReassignmentsRequest, KafkaController.processListPartitionReassignments,
 * ListPartitionReassignmentsRequest.getErrorResponse.
 *  - Only the active controller answers; elsewhere a top-level NOT_CONTROLLER (41).
 *  - Named partitions that do not exist or are not being reassigned are left out (no error).
 */
import { ApiKey, ErrorCode, KafkaProtocolError, errorForCode } from '../protocol';
import type { ListPartitionReassignmentsRequest } from '../protocol/generated/list-partition-reassignments-request';
import type { ListPartitionReassignmentsResponse, OngoingTopicReassignment } from '../protocol/generated/list-partition-reassignments-response';
import type { ApiHandler } from './registry';

type ListPartitionReassignmentsKey = typeof ApiKey.ListPartitionReassignments;

/** One ongoing reassignment as the controller reports it. */
export interface OngoingReassignmentView {
  topic: string;
  partition: number;
  assignment: { replicas: readonly number[]; addingReplicas: readonly number[]; removingReplicas: readonly number[] };
}

/** What the handler needs of the KafkaController. */
export interface ListPartitionReassignmentsController {
  readonly isActive: boolean;
  listPartitionReassignments(partitions: { topic: string; partition: number }[] | null): Promise<readonly OngoingReassignmentView[]>;
}

export interface ListPartitionReassignmentsHandlerDeps {
  controller: () => ListPartitionReassignmentsController | undefined;
}

function topLevelError(errorCode: number): ListPartitionReassignmentsResponse {
  return { throttleTimeMs: 0, errorCode, errorMessage: errorForCode(errorCode).message, topics: [] };
}

export function listPartitionReassignmentsHandler(deps: ListPartitionReassignmentsHandlerDeps): ApiHandler<ListPartitionReassignmentsKey> {
  return {
    apiKey: ApiKey.ListPartitionReassignments,
    minVersion: 0,
    maxVersion: 0,
    async handle(_ctx, req) {
      const controller = deps.controller();
      if (controller === undefined || !controller.isActive) return topLevelError(ErrorCode.NOT_CONTROLLER);
      const partitions = req.topics === null ? null : req.topics.flatMap((t) => t.partitionIndexes.map((partition) => ({ topic: t.name, partition })));
      let ongoing: readonly OngoingReassignmentView[];
      try {
        ongoing = await controller.listPartitionReassignments(partitions);
      } catch (err) {
        if (err instanceof KafkaProtocolError && err.code === ErrorCode.NOT_CONTROLLER) return topLevelError(ErrorCode.NOT_CONTROLLER);
        throw err;
      }
      const byTopic = new Map<string, OngoingTopicReassignment>();
      for (const r of ongoing) {
        let topic = byTopic.get(r.topic);
        if (topic === undefined) byTopic.set(r.topic, (topic = { name: r.topic, partitions: [] }));
        topic.partitions.push({
          partitionIndex: r.partition,
          replicas: [...r.assignment.replicas],
          addingReplicas: [...r.assignment.addingReplicas],
          removingReplicas: [...r.assignment.removingReplicas],
        });
      }
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: '', topics: [...byTopic.values()] };
    },
    errorResponse(_ctx, req: ListPartitionReassignmentsRequest, errorCode) {
      return {
        throttleTimeMs: 0,
        errorCode,
        errorMessage: errorForCode(errorCode).message,
        topics: (req.topics ?? []).map((t) => ({
          name: t.name,
          partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, replicas: [], addingReplicas: [], removingReplicas: [] })),
        })),
      };
    },
  };
}
