import { ApiKey, ErrorCode } from '../protocol';
import type { StopReplicaRequest } from '../protocol/generated/stop-replica-request';
import { type ServingFixture, becomeLeader, startServing } from '../replica/testing/replica-test-utils';
import { ApiRegistry } from './registry';
import { stopReplicaHandler } from './stop-replica';
import { decodeResponse, networkRequest, requestFrame, handleWhole } from './testing/frames';

function base(o: Partial<StopReplicaRequest>): StopReplicaRequest {
  return { controllerId: 1, controllerEpoch: 1, brokerEpoch: -1n, deletePartitions: false, ungroupedPartitions: [], topics: [], topicStates: [], ...o };
}

describe('StopReplica handler', () => {
  let f: ServingFixture;
  let registry: ApiRegistry;
  const send = async (version: number, req: StopReplicaRequest) =>
    decodeResponse(ApiKey.StopReplica, version, (await handleWhole(registry, networkRequest(requestFrame(ApiKey.StopReplica, version, req))))!).response;
  beforeEach(async () => {
    f = await startServing();
    registry = new ApiRegistry().register(stopReplicaHandler({ replicaManager: f.replicaManager, brokerEpoch: () => 10n }));
    await becomeLeader(f, [{ topic: 't', partition: 0, leader: 1 }]);
  });
  afterEach(async () => {
    await f.close();
  });

  it('deletes the replica and its log for v3 delete_partition (topic deletion)', async () => {
    const res = await send(3, base({ topicStates: [{ topicName: 't', partitionStates: [{ partitionIndex: 0, leaderEpoch: -2, deletePartition: true }] }] }));
    expect(res).toEqual({ errorCode: 0, partitionErrors: [{ topicName: 't', partitionIndex: 0, errorCode: 0 }] });
    expect(f.logManager.getLog({ topic: 't', partition: 0 })).toBeUndefined();
  });

  it('stops without deleting for v0 delete_partitions=false', async () => {
    const res = await send(0, base({ ungroupedPartitions: [{ topicName: 't', partitionIndex: 0 }] }));
    expect(res.partitionErrors).toEqual([{ topicName: 't', partitionIndex: 0, errorCode: 0 }]);
    expect(f.logManager.getLog({ topic: 't', partition: 0 })).toBeDefined();
  });

  it('answers STALE_BROKER_EPOCH with no partitions for an older broker epoch', async () => {
    const res = await send(1, base({ brokerEpoch: 9n, topics: [{ name: 't', partitionIndexes: [0] }], deletePartitions: true }));
    expect(res).toEqual({ errorCode: ErrorCode.STALE_BROKER_EPOCH, partitionErrors: [] });
    expect(f.logManager.getLog({ topic: 't', partition: 0 })).toBeDefined();
  });
});
