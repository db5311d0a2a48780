import { ApiKey, ErrorCode } from '../protocol';
import type { ListOffsetsRequest } from '../protocol/generated/list-offsets-request';
import { batch } from '../log/testing/log-test-utils';
import { type ServingFixture, becomeLeader, startServing } from '../replica/testing/replica-test-utils';
import { listOffsetsHandler } from './list-offsets';
import { ApiRegistry } from './registry';
import { decodeResponse, networkRequest, requestFrame, handleWhole } from './testing/frames';

/** maxNumOffsets is a v0 field: later versions must leave it at its default, 1. */
function request(timestamps: bigint[], maxNumOffsets = 1): ListOffsetsRequest {
  return { replicaId: -1, isolationLevel: 0, topics: [{ name: 't', partitions: timestamps.map((timestamp) => ({ partitionIndex: 0, currentLeaderEpoch: -1, timestamp, maxNumOffsets })) }] };
}

describe('ListOffsets handler', () => {
  let f: ServingFixture;
  let registry: ApiRegistry;
  const list = async (version: number, req: ListOffsetsRequest) =>
    decodeResponse(ApiKey.ListOffsets, version, (await handleWhole(registry, networkRequest(requestFrame(ApiKey.ListOffsets, version, req))))!).response;
  beforeEach(async () => {
    f = await startServing();
    registry = new ApiRegistry().register(listOffsetsHandler({ replicaManager: f.replicaManager }));
    await becomeLeader(f, [{ topic: 't', partition: 0, leader: 1, leaderEpoch: 3 }]);
    await f.replicaManager.appendRecords({ timeoutMs: 0, requiredAcks: 1, internalTopicsAllowed: false, entries: new Map([['t-0', { topicPartition: { topic: 't', partition: 0 }, records: batch({ timestamps: [10, 20] }) }]]) });
  });
  afterEach(async () => {
    await f.close();
  });

  it('answers latest with the high watermark and the leader epoch (v4+)', async () => {
    expect((await list(4, request([-1n]))).topics[0]!.partitions[0]).toMatchObject({ errorCode: 0, offset: 2n, timestamp: -1n, leaderEpoch: 3 });
    expect((await list(1, request([-2n]))).topics[0]!.partitions[0]).toMatchObject({ errorCode: 0, offset: 0n, timestamp: -1n });
  });

  it('finds the first offset at or after a timestamp, -1/-1 when none', async () => {
    expect((await list(2, request([15n]))).topics[0]!.partitions[0]).toMatchObject({ errorCode: 0, offset: 1n, timestamp: 20n });
    expect((await list(2, request([99n]))).topics[0]!.partitions[0]).toMatchObject({ errorCode: 0, offset: -1n, timestamp: -1n });
  });

  it('answers v0 with old-style offsets (log end and segment starts, newest first)', async () => {
    expect((await list(0, request([-1n], 10))).topics[0]!.partitions[0]).toMatchObject({ errorCode: 0, oldStyleOffsets: [2n, 0n] });
  });

  it('answers INVALID_REQUEST for a partition listed twice (v1+)', async () => {
    const res = await list(1, request([-1n, -2n]));
    expect(res.topics[0]!.partitions.map((p) => p.errorCode)).toEqual([ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST]);
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION for a partition this broker does not know', async () => {
    const res = await list(1, { replicaId: -1, isolationLevel: 0, topics: [{ name: 'zz', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 1 }] }] });
    expect(res.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
});
