/**
 * ControlledShutdown (key 7), versions 0-3: a broker about to stop asks the controller to move its
 * leaderships away and take it out of the ISRs it is in. Source: KafkaApis.handleControlledShutdownRequest,
 * KafkaController.controlledShutdown / doControlledShutdown, ControlledShutdownRequest.getErrorResponse.
 *  - Any broker accepts the request; only the active controller acts: elsewhere (or when this broker
 *    stops being the controller before the queued event runs) the answer is NOT_CONTROLLER (41).
 *  - v0-1 carry no broker epoch (-1, accepted as Kafka does for pre-KIP-380 senders); an epoch older
 *    than the registered one is STALE_BROKER_EPOCH (77); an unknown broker BROKER_NOT_AVAILABLE (8).
 *  - Success lists the replicated partitions the broker still leads; the broker retries until none.
 *  - Errors carry no partitions.
 */
import { ApiKey, ErrorCode, KafkaProtocolError } from '../protocol';
import type { ControlledShutdownResponse } from '../protocol/generated/controlled-shutdown-response';
import type { ApiHandler } from './registry';

type ControlledShutdownKey = typeof ApiKey.ControlledShutdown;

/** What the handler needs of the KafkaController. */
export interface ControlledShutdownController {
  readonly isActive: boolean;
  controlledShutdown(brokerId: number, brokerEpoch: bigint): Promise<ReadonlyArray<{ topic: string; partition: number }>>;
}

export interface ControlledShutdownHandlerDeps {
  controller: () => ControlledShutdownController | undefined;
}

function errorResponse(errorCode: number): ControlledShutdownResponse {
  return { errorCode, remainingPartitions: [] };
}

export function controlledShutdownHandler(deps: ControlledShutdownHandlerDeps): ApiHandler<ControlledShutdownKey> {
  return {
    apiKey: ApiKey.ControlledShutdown,
    minVersion: 0,
    maxVersion: 3,
    async handle(_ctx, req) {
      const controller = deps.controller();
      if (controller === undefined || !controller.isActive) {
        throw new KafkaProtocolError('NOT_CONTROLLER', 'Controller moved to another broker. Aborting controlled shutdown');
      }
      const remaining = await controller.controlledShutdown(req.brokerId, req.brokerEpoch);
      return {
        errorCode: ErrorCode.NONE,
        remainingPartitions: remaining.map((tp) => ({ topicName: tp.topic, partitionIndex: tp.partition })),
      };
    },
    errorResponse(_ctx, _req, errorCode) {
      return errorResponse(errorCode);
    },
  };
}
