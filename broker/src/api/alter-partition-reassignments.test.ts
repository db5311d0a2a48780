import type { KafkaController } from '../controller';
import { ApiKey, ErrorCode, KafkaProtocolError } from '../protocol';
import type { AlterPartitionReassignmentsRequest } from '../protocol/generated/alter-partition-reassignments-request';
import { alterPartitionReassignmentsHandler, type AlterPartitionReassignmentsController, type ReassignmentOutcome } from './alter-partition-reassignments';
import { ApiRegistry } from './registry';
import { decodeResponse, networkRequest, requestFrame, handleWhole } from './testing/frames';

/** The KafkaController is what the server passes (checked by the type checker). */
type ControllerFits = KafkaController extends AlterPartitionReassignmentsController ? true : never;
const controllerFits: ControllerFits = true;
void controllerFits;

type Request = { topic: string; partition: number; replicas: number[] | null };

function fakeController(o: { isActive?: boolean; outcome?: (r: Request) => ReassignmentOutcome['error']; error?: Error } = {}) {
  const calls: Request[][] = [];
  const controller: AlterPartitionReassignmentsController = {
    isActive: o.isActive ?? true,
    alterPartitionReassignments(requests) {
      calls.push(requests);
      if (o.error) return Promise.reject(o.error);
      const out = new Map<string, ReassignmentOutcome>();
      for (const r of requests) out.set(`${r.topic}-${r.partition}`, { partition: { topic: r.topic, partition: r.partition }, error: o.outcome?.(r) ?? { errorCode: 'NONE', message: null } });
      return Promise.resolve(out);
    },
  };
  return { controller, calls };
}

async function send(controller: AlterPartitionReassignmentsController | undefined, req: AlterPartitionReassignmentsRequest) {
  const registry = new ApiRegistry().register(alterPartitionReassignmentsHandler({ controller: () => controller }));
  const frame = (await handleWhole(registry, networkRequest(requestFrame(ApiKey.AlterPartitionReassignments, 0, req))))!;
  return decodeResponse(ApiKey.AlterPartitionReassignments, 0, frame).response;
}

const request = (partitions: { topic: string; partitionIndex: number; replicas: number[] | null }[]): AlterPartitionReassignmentsRequest => {
  const topics = [...new Set(partitions.map((p) => p.topic))];
  return { timeoutMs: 30_000, topics: topics.map((name) => ({ name, partitions: partitions.filter((p) => p.topic === name).map(({ partitionIndex, replicas }) => ({ partitionIndex, replicas })) })) };
};

describe('AlterPartitionReassignments handler', () => {
  it('passes targets and cancellations (null replicas) to the controller and answers per partition, grouped by topic', async () => {
    const { controller, calls } = fakeController({
      outcome: (r) => (r.replicas === null ? { errorCode: 'NO_REASSIGNMENT_IN_PROGRESS', message: null } : { errorCode: 'NONE', message: null }),
    });
    const res = await send(controller, request([
      { topic: 'a', partitionIndex: 0, replicas: [2, 3] },
      { topic: 'a', partitionIndex: 1, replicas: null },
      { topic: 'b', partitionIndex: 0, replicas: [1] },
    ]));
    expect(calls).toEqual([[
      { topic: 'a', partition: 0, replicas: [2, 3] },
      { topic: 'a', partition: 1, replicas: null },
      { topic: 'b', partition: 0, replicas: [1] },
    ]]);
    expect(res).toEqual({
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: '',
      responses: [
        {
          name: 'a',
          partitions: [
            { partitionIndex: 0, errorCode: 0, errorMessage: null },
            // Kafka's ApiError(error) carries the error's default message.
            { partitionIndex: 1, errorCode: ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, errorMessage: 'No partition reassignment is in progress.' },
          ],
        },
        { name: 'b', partitions: [{ partitionIndex: 0, errorCode: 0, errorMessage: null }] },
      ],
    });
  });

  it("keeps the controller's own messages (INVALID_REPLICA_ASSIGNMENT, UNKNOWN_TOPIC_OR_PARTITION)", async () => {
    const { controller } = fakeController({
      outcome: (r) =>
        r.topic === 'gone' ? { errorCode: 'UNKNOWN_TOPIC_OR_PARTITION', message: 'The partition does not exist.' } : { errorCode: 'INVALID_REPLICA_ASSIGNMENT', message: 'Empty replica list specified in partition reassignment.' },
    });
    const res = await send(controller, request([{ topic: 'a', partitionIndex: 0, replicas: [] }, { topic: 'gone', partitionIndex: 0, replicas: [1] }]));
    expect(res.responses).toEqual([
      { name: 'a', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: 'Empty replica list specified in partition reassignment.' }] },
      { name: 'gone', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'The partition does not exist.' }] },
    ]);
  });

  it('counts a partition named twice once, with its last entry (as Kafka builds its request map)', async () => {
    const { controller, calls } = fakeController();
    await send(controller, { timeoutMs: 1, topics: [{ name: 'a', partitions: [{ partitionIndex: 0, replicas: [1] }] }, { name: 'a', partitions: [{ partitionIndex: 0, replicas: [2] }] }] });
    expect(calls).toEqual([[{ topic: 'a', partition: 0, replicas: [2] }]]);
  });

  it('answers a top-level NOT_CONTROLLER with no partitions on a broker that is not (or stops being) the controller', async () => {
    const notController = { throttleTimeMs: 0, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: 'This is not the correct controller for this cluster.', responses: [] };
    const req = request([{ topic: 'a', partitionIndex: 0, replicas: [1] }]);
    expect(await send(fakeController({ isActive: false }).controller, req)).toEqual(notController);
    expect(await send(undefined, req)).toEqual(notController);
    expect(await send(fakeController({ error: new KafkaProtocolError('NOT_CONTROLLER', 'moved') }).controller, req)).toEqual(notController);
  });

  it('an unexpected failure is UNKNOWN_SERVER_ERROR at the top level and for every partition', async () => {
    const res = await send(fakeController({ error: new Error('boom') }).controller, request([{ topic: 'a', partitionIndex: 3, replicas: [1] }]));
    expect(res.errorCode).toBe(ErrorCode.UNKNOWN_SERVER_ERROR);
    expect(res.responses).toEqual([{ name: 'a', partitions: [{ partitionIndex: 3, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: expect.any(String) }] }]);
  });
});
