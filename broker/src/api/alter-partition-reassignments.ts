/**
 * AlterPartitionReassignments (key 45), version 0 (flexible): starts, changes or cancels (null
 * replicas) partition reassignments. Source: KafkaApis.handleAlterPartitionReassignmentsRequest,
 * KafkaController.processApiPartitionReassignment, AlterPartitionReassignmentsRequest.getErrorResponse.
 *  - Only the active controller acts; elsewhere (or when it stops being the controller before the
 *    queued event runs) the answer is a top-level NOT_CONTROLLER (41) with no partitions.
 *  - Per partition: INVALID_REPLICA_ASSIGNMENT (39) for an empty list, duplicates, negative ids or
 *    added replicas on brokers that are not alive; UNKNOWN_TOPIC_OR_PARTITION (3) for an unknown
 *    partition or a topic being deleted; NO_REASSIGNMENT_IN_PROGRESS (85) when cancelling nothing.
 *  - A partition named twice counts once (the last entry), as Kafka's request map does.
 */
import { ApiKey, ErrorCode, KafkaProtocolError, errorForCode } from '../protocol';
import type { AlterPartitionReassignmentsRequest } from '../protocol/generated/alter-partition-reassignments-request';
import type { AlterPartitionReassignmentsResponse, ReassignableTopicResponse } from '../protocol/generated/alter-partition-reassignments-response';
import type { ApiHandler } from './registry';

type AlterPartitionReassignmentsKey = typeof ApiKey.AlterPartitionReassignments;

/** One partition's outcome as the controller reports it (an ErrorCode name and Kafka's message). */
export interface ReassignmentOutcome {
  partition: { topic: string; partition: number };
  error: { errorCode: keyof typeof ErrorCode; message: string | null };
}

/** What the handler needs of the KafkaController. */
export interface AlterPartitionReassignmentsController {
  readonly isActive: boolean;
  alterPartitionReassignments(requests: { topic: string; partition: number; replicas: number[] | null }[]): Promise<ReadonlyMap<string, ReassignmentOutcome>>;
}

export interface AlterPartitionReassignmentsHandlerDeps {
  controller: () => AlterPartitionReassignmentsController | undefined;
}

function topLevelError(errorCode: number): AlterPartitionReassignmentsResponse {
  return { throttleTimeMs: 0, errorCode, errorMessage: errorForCode(errorCode).message, responses: [] };
}

/** Kafka's ApiError.message: an error without its own message carries the error's default one. */
function messageOf(code: number, message: string | null): string | null {
  return message ?? (code === ErrorCode.NONE ? null : errorForCode(code).message);
}

export function alterPartitionReassignmentsHandler(deps: AlterPartitionReassignmentsHandlerDeps): ApiHandler<AlterPartitionReassignmentsKey> {
  return {
    apiKey: ApiKey.AlterPartitionReassignments,
    minVersion: 0,
    maxVersion: 0,
    async handle(_ctx, req) {
      const controller = deps.controller();
      if (controller === undefined || !controller.isActive) return topLevelError(ErrorCode.NOT_CONTROLLER);
      const requests = new Map<string, { topic: string; partition: number; replicas: number[] | null }>();
      for (const t of req.topics) {
        for (const p of t.partitions) requests.set(`${t.name}-${p.partitionIndex}`, { topic: t.name, partition: p.partitionIndex, replicas: p.replicas === null ? null : [...p.replicas] });
      }
      let outcomes: ReadonlyMap<string, ReassignmentOutcome>;
      try {
        outcomes = await controller.alterPartitionReassignments([...requests.values()]);
      } catch (err) {
        if (err instanceof KafkaProtocolError && err.code === ErrorCode.NOT_CONTROLLER) return topLevelError(ErrorCode.NOT_CONTROLLER);
        throw err;
      }
      const byTopic = new Map<string, ReassignableTopicResponse>();
      for (const { partition: tp, error } of outcomes.values()) {
        let topic = byTopic.get(tp.topic);
        if (topic === undefined) byTopic.set(tp.topic, (topic = { name: tp.topic, partitions: [] }));
        const code = ErrorCode[error.errorCode];
        topic.partitions.push({ partitionIndex: tp.partition, errorCode: code, errorMessage: messageOf(code, error.message) });
      }
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: '', responses: [...byTopic.values()] };
    },
    errorResponse(_ctx, req: AlterPartitionReassignmentsRequest, errorCode) {
      const message = errorForCode(errorCode).message;
      return {
        throttleTimeMs: 0,
        errorCode,
        errorMessage: message,
        responses: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode, errorMessage: message })) })),
      };
    },
  };
}
