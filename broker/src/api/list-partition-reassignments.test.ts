import type { KafkaController } from '../controller';
import { ApiKey, ErrorCode, KafkaProtocolError } from '../protocol';
import type { ListPartitionReassignmentsRequest } from '../protocol/generated/list-partition-reassignments-request';
import { listPartitionReassignmentsHandler, type ListPartitionReassignmentsController, type OngoingReassignmentView } from './list-partition-reassignments';
import { ApiRegistry } from './registry';
import { decodeResponse, networkRequest, requestFrame, handleWhole } from './testing/frames';

/** The KafkaController is what the server passes (checked by the type checker). */
type ControllerFits = KafkaController extends ListPartitionReassignmentsController ? true : never;
const controllerFits: ControllerFits = true;
void controllerFits;

const ONGOING: OngoingReassignmentView[] = [
  { topic: 'a', partition: 0, assignment: { replicas: [2, 3, 1], addingReplicas: [3], removingReplicas: [1] } },
  { topic: 'a', partition: 2, assignment: { replicas: [4, 1], addingReplicas: [4], removingReplicas: [] } },
];

function fakeController(o: { isActive?: boolean; error?: Error } = {}) {
  const calls: ({ topic: string; partition: number }[] | null)[] = [];
  const controller: ListPartitionReassignmentsController = {
    isActive: o.isActive ?? true,
    listPartitionReassignments(partitions) {
      calls.push(partitions);
      if (o.error) return Promise.reject(o.error);
      return Promise.resolve(partitions === null ? ONGOING : ONGOING.filter((r) => partitions.some((p) => p.topic === r.topic && p.partition === r.partition)));
    },
  };
  return { controller, calls };
}

async function send(controller: ListPartitionReassignmentsController | undefined, req: ListPartitionReassignmentsRequest) {
  const registry = new ApiRegistry().register(listPartitionReassignmentsHandler({ controller: () => controller }));
  const frame = (await handleWhole(registry, networkRequest(requestFrame(ApiKey.ListPartitionReassignments, 0, req))))!;
  return decodeResponse(ApiKey.ListPartitionReassignments, 0, frame).response;
}

describe('ListPartitionReassignments handler', () => {
  it('null topics lists every ongoing reassignment with its replicas, adding and removing replicas', async () => {
    const { controller, calls } = fakeController();
    expect(await send(controller, { timeoutMs: 1000, topics: null })).toEqual({
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: '',
      topics: [
        {
          name: 'a',
          partitions: [
            { partitionIndex: 0, replicas: [2, 3, 1], addingReplicas: [3], removingReplicas: [1] },
            { partitionIndex: 2, replicas: [4, 1], addingReplicas: [4], removingReplicas: [] },
          ],
        },
      ],
    });
    expect(calls).toEqual([null]);
  });

  it('named partitions that are not being reassigned (or do not exist) are left out', async () => {
    const { controller, calls } = fakeController();
    const res = await send(controller, { timeoutMs: 1000, topics: [{ name: 'a', partitionIndexes: [0, 1] }, { name: 'nope', partitionIndexes: [0] }] });
    expect(res.topics).toEqual([{ name: 'a', partitions: [{ partitionIndex: 0, replicas: [2, 3, 1], addingReplicas: [3], removingReplicas: [1] }] }]);
    expect(calls).toEqual([[{ topic: 'a', partition: 0 }, { topic: 'a', partition: 1 }, { topic: 'nope', partition: 0 }]]);
  });

  it('answers a top-level NOT_CONTROLLER on a broker that is not (or stops being) the controller', async () => {
    const notController = { throttleTimeMs: 0, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: 'This is not the correct controller for this cluster.', topics: [] };
    expect(await send(fakeController({ isActive: false }).controller, { timeoutMs: 1, topics: null })).toEqual(notController);
    expect(await send(undefined, { timeoutMs: 1, topics: null })).toEqual(notController);
    expect(await send(fakeController({ error: new KafkaProtocolError('NOT_CONTROLLER', 'moved') }).controller, { timeoutMs: 1, topics: null })).toEqual(notController);
  });
});
