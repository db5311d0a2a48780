import { ApiKey, ErrorCode, ZERO_UUID } from '../protocol';
import type { LeaderAndIsrRequest } from '../protocol/generated/leader-and-isr-request';
import { type ServingFixture, TEST_TOPIC_ID, leaderAndIsrRequest, startServing, updateMetadataRequest } from '../replica/testing/replica-test-utils';
import { leaderAndIsrHandler } from './leader-and-isr';
import { ApiRegistry } from './registry';
import { decodeResponse, networkRequest, requestFrame, handleWhole } from './testing/frames';

describe('LeaderAndIsr handler', () => {
  let f: ServingFixture;
  let registry: ApiRegistry;
  let brokerEpoch: bigint;
  const send = async (version: number, req: LeaderAndIsrRequest) =>
    decodeResponse(ApiKey.LeaderAndIsr, version, (await handleWhole(registry, networkRequest(requestFrame(ApiKey.LeaderAndIsr, version, req))))!).response;
  beforeEach(async () => {
    f = await startServing();
    brokerEpoch = 100n;
    registry = new ApiRegistry().register(leaderAndIsrHandler({ replicaManager: f.replicaManager, brokerEpoch: () => brokerEpoch }));
    f.replicaManager.maybeUpdateMetadataCache(1, updateMetadataRequest([{ topic: 't', partition: 0, leader: 1 }, { topic: 't', partition: 1, leader: 1 }]));
  });
  afterEach(async () => {
    await f.close();
  });

  it('answers v5 with partition errors grouped under the topic id, and creates the logs', async () => {
    const res = await send(5, leaderAndIsrRequest([{ topic: 't', partition: 0, leader: 1 }, { topic: 't', partition: 1, leader: 1 }], { brokerEpoch: 100n }));
    expect(res).toEqual({ errorCode: 0, partitionErrors: [], topics: [{ topicId: TEST_TOPIC_ID, partitionErrors: [{ topicName: '', partitionIndex: 0, errorCode: 0 }, { topicName: '', partitionIndex: 1, errorCode: 0 }] }] });
    expect(f.logManager.getLog({ topic: 't', partition: 1 })).toBeDefined();
  });

  it('answers v4 with partition errors carrying topic names', async () => {
    const res = await send(4, leaderAndIsrRequest([{ topic: 't', partition: 0, leader: 1 }], { topicId: ZERO_UUID }));
    expect(res.partitionErrors).toEqual([{ topicName: 't', partitionIndex: 0, errorCode: 0 }]);
  });

  it('answers STALE_BROKER_EPOCH for a broker epoch older than this broker registration, changing nothing', async () => {
    const res = await send(5, leaderAndIsrRequest([{ topic: 't', partition: 0, leader: 1 }], { brokerEpoch: 99n }));
    expect(res.errorCode).toBe(ErrorCode.STALE_BROKER_EPOCH);
    expect(res.topics[0]!.partitionErrors[0]!.errorCode).toBe(ErrorCode.STALE_BROKER_EPOCH);
    expect(f.replicaManager.getPartition({ topic: 't', partition: 0 })).toBeUndefined();
  });

  it('answers STALE_CONTROLLER_EPOCH when an older controller speaks after a newer one', async () => {
    await send(5, leaderAndIsrRequest([{ topic: 't', partition: 0, leader: 1 }], { controllerEpoch: 3 }));
    const res = await send(5, leaderAndIsrRequest([{ topic: 't', partition: 0, leader: 1, leaderEpoch: 1 }], { controllerEpoch: 2 }));
    expect(res.errorCode).toBe(ErrorCode.STALE_CONTROLLER_EPOCH);
  });

  it('makes a follower when another live broker leads (RF=3 leadership only)', async () => {
    f.replicaManager.maybeUpdateMetadataCache(2, updateMetadataRequest([{ topic: 't', partition: 0, leader: 2, replicas: [2, 1, 3], isr: [2, 1, 3] }], { aliveBrokers: [1, 2, 3] }));
    const res = await send(5, leaderAndIsrRequest([{ topic: 't', partition: 0, leader: 2, replicas: [2, 1, 3], isr: [2, 1, 3] }]));
    expect(res.topics[0]!.partitionErrors[0]!.errorCode).toBe(0);
    const p = f.replicaManager.getPartition({ topic: 't', partition: 0 })!;
    expect(p.isLeader).toBe(false);
    expect(p.leaderReplicaId).toBe(2);
  });
});
