import type { KafkaController } from '../controller';
import { ApiKey, ErrorCode, KafkaProtocolError } from '../protocol';
import { controlledShutdownHandler, type ControlledShutdownController } from './controlled-shutdown';
import { ApiRegistry } from './registry';
import { decodeResponse, networkRequest, requestFrame, handleWhole } from './testing/frames';

/** The KafkaController is what the server passes (checked by the type checker). */
type ControllerFits = KafkaController extends ControlledShutdownController ? true : never;
const controllerFits: ControllerFits = true;
void controllerFits;

function fakeController(o: { isActive?: boolean; remaining?: { topic: string; partition: number }[]; error?: Error } = {}) {
  const calls: { brokerId: number; brokerEpoch: bigint }[] = [];
  const controller: ControlledShutdownController = {
    isActive: o.isActive ?? true,
    controlledShutdown(brokerId, brokerEpoch) {
      calls.push({ brokerId, brokerEpoch });
      return o.error ? Promise.reject(o.error) : Promise.resolve(o.remaining ?? []);
    },
  };
  return { controller, calls };
}

async function send(controller: ControlledShutdownController | undefined, version: number, brokerId: number, brokerEpoch: bigint) {
  const registry = new ApiRegistry().register(controlledShutdownHandler({ controller: () => controller }));
  const frame = (await handleWhole(registry, networkRequest(requestFrame(ApiKey.ControlledShutdown, version, { brokerId, brokerEpoch }))))!;
  return decodeResponse(ApiKey.ControlledShutdown, version, frame).response;
}

describe('ControlledShutdown handler', () => {
  it('asks the active controller with the broker id and epoch (v3) and lists the partitions still led', async () => {
    const { controller, calls } = fakeController({ remaining: [{ topic: 't', partition: 2 }] });
    expect(await send(controller, 3, 2, 77n)).toEqual({ errorCode: 0, remainingPartitions: [{ topicName: 't', partitionIndex: 2 }] });
    expect(calls).toEqual([{ brokerId: 2, brokerEpoch: 77n }]);
  });

  it('passes the unknown broker epoch (-1) for v0-1, which carry none', async () => {
    const { controller, calls } = fakeController();
    expect(await send(controller, 0, 3, 5n)).toEqual({ errorCode: 0, remainingPartitions: [] });
    expect(await send(controller, 1, 3, 5n)).toEqual({ errorCode: 0, remainingPartitions: [] });
    expect(calls).toEqual([
      { brokerId: 3, brokerEpoch: -1n },
      { brokerId: 3, brokerEpoch: -1n },
    ]);
  });

  it('answers NOT_CONTROLLER on a broker that is not the active controller', async () => {
    const { controller, calls } = fakeController({ isActive: false });
    expect(await send(controller, 3, 2, 1n)).toEqual({ errorCode: ErrorCode.NOT_CONTROLLER, remainingPartitions: [] });
    expect(await send(undefined, 2, 2, 1n)).toEqual({ errorCode: ErrorCode.NOT_CONTROLLER, remainingPartitions: [] });
    expect(calls).toEqual([]);
  });

  it("returns the controller's error (STALE_BROKER_EPOCH) with no partitions", async () => {
    const { controller } = fakeController({ error: new KafkaProtocolError('STALE_BROKER_EPOCH', 'old epoch') });
    expect(await send(controller, 2, 2, 1n)).toEqual({ errorCode: ErrorCode.STALE_BROKER_EPOCH, remainingPartitions: [] });
  });
});
