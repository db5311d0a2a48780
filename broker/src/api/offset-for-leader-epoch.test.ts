import { ApiKey, ErrorCode } from '../protocol';
import type { OffsetForLeaderEpochRequest } from '../protocol/generated/offset-for-leader-epoch-request';
import { batch } from '../log/testing/log-test-utils';
import { type ServingFixture, becomeLeader, leaderAndIsrRequest, startServing, updateMetadataRequest } from '../replica/testing/replica-test-utils';
import { offsetForLeaderEpochHandler } from './offset-for-leader-epoch';
import { ApiRegistry } from './registry';
import { decodeResponse, networkRequest, requestFrame, handleWhole } from './testing/frames';

function request(partitions: { partition?: number; leaderEpoch: number; currentLeaderEpoch?: number }[], topic = 't'): OffsetForLeaderEpochRequest {
  return { replicaId: 2, topics: [{ topic, partitions: partitions.map((p) => ({ partition: p.partition ?? 0, leaderEpoch: p.leaderEpoch, currentLeaderEpoch: p.currentLeaderEpoch ?? -1 })) }] };
}

describe('OffsetForLeaderEpoch handler', () => {
  let f: ServingFixture;
  let registry: ApiRegistry;
  const ask = async (version: number, req: OffsetForLeaderEpochRequest) =>
    decodeResponse(ApiKey.OffsetForLeaderEpoch, version, (await handleWhole(registry, networkRequest(requestFrame(ApiKey.OffsetForLeaderEpoch, version, req))))!).response.topics[0]!.partitions;
  const append = (count: number) =>
    f.replicaManager.appendRecords({ timeoutMs: 0, requiredAcks: 1, internalTopicsAllowed: false, entries: new Map([['t-0', { topicPartition: { topic: 't', partition: 0 }, records: batch({ count }) }]]) });

  beforeEach(async () => {
    f = await startServing();
    registry = new ApiRegistry().register(offsetForLeaderEpochHandler({ replicaManager: f.replicaManager }));
    // Epoch 3 starts at 0 and takes 2 records; epoch 5 starts at 2 and takes 3: the cache is [3→0, 5→2], log end 5.
    await becomeLeader(f, [{ topic: 't', partition: 0, leader: 1, leaderEpoch: 3 }]);
    await append(2);
    await becomeLeader(f, [{ topic: 't', partition: 0, leader: 1, leaderEpoch: 5 }]);
    await append(3);
  });
  afterEach(async () => {
    await f.close();
  });

  it('answers the largest epoch not above the requested one with the offset where it ends (LeaderEpochFileCache.endOffsetFor)', async () => {
    const res = await ask(3, request([{ leaderEpoch: 3 }, { leaderEpoch: 4 }, { leaderEpoch: 5 }, { leaderEpoch: 6 }, { leaderEpoch: 1 }]));
    expect(res.map((p) => [p.errorCode, p.leaderEpoch, p.endOffset])).toEqual([
      [ErrorCode.NONE, 3, 2n],
      [ErrorCode.NONE, 3, 2n],
      [ErrorCode.NONE, 5, 5n],
      [ErrorCode.NONE, -1, -1n],
      [ErrorCode.NONE, 1, 0n],
    ]);
  });

  it('serves v0 (end offset only) through v4 (flexible)', async () => {
    expect((await ask(0, request([{ leaderEpoch: 4 }])))[0]).toMatchObject({ errorCode: ErrorCode.NONE, endOffset: 2n });
    expect((await ask(4, request([{ leaderEpoch: 4, currentLeaderEpoch: 5 }])))[0]).toMatchObject({ errorCode: ErrorCode.NONE, leaderEpoch: 3, endOffset: 2n });
  });

  it('checks current_leader_epoch from v2: FENCED_LEADER_EPOCH when older, UNKNOWN_LEADER_EPOCH when newer', async () => {
    const res = await ask(2, request([{ leaderEpoch: 3, currentLeaderEpoch: 4 }, { leaderEpoch: 3, currentLeaderEpoch: 6 }, { leaderEpoch: 3, currentLeaderEpoch: 5 }]));
    expect(res.map((p) => p.errorCode)).toEqual([ErrorCode.FENCED_LEADER_EPOCH, ErrorCode.UNKNOWN_LEADER_EPOCH, ErrorCode.NONE]);
    expect(res[0]).toMatchObject({ leaderEpoch: -1, endOffset: -1n });
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION for unknown partitions and NOT_LEADER_OR_FOLLOWER on a follower', async () => {
    expect((await ask(3, request([{ leaderEpoch: 3 }], 'nope')))[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const spec = { topic: 'f', partition: 0, leader: 2, leaderEpoch: 1, isr: [1, 2], replicas: [1, 2] };
    f.replicaManager.maybeUpdateMetadataCache(3, updateMetadataRequest([spec], { aliveBrokers: [1, 2] }));
    await f.replicaManager.becomeLeaderOrFollower(4, leaderAndIsrRequest([spec]));
    expect((await ask(3, request([{ leaderEpoch: 1 }], 'f')))[0]!.errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });
});
