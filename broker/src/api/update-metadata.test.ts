import { ApiKey, ErrorCode, ZERO_UUID } from '../protocol';
import type { UpdateMetadataRequest } from '../protocol/generated/update-metadata-request';
import { type ServingFixture, startServing, updateMetadataRequest } from '../replica/testing/replica-test-utils';
import { ApiRegistry } from './registry';
import { decodeResponse, networkRequest, requestFrame, handleWhole } from './testing/frames';
import { updateMetadataHandler } from './update-metadata';

describe('UpdateMetadata handler', () => {
  let f: ServingFixture;
  let registry: ApiRegistry;
  let deleted: string[];
  const send = async (version: number, req: UpdateMetadataRequest) =>
    decodeResponse(ApiKey.UpdateMetadata, version, (await handleWhole(registry, networkRequest(requestFrame(ApiKey.UpdateMetadata, version, req))))!).response;
  beforeEach(async () => {
    f = await startServing();
    deleted = [];
    registry = new ApiRegistry().register(
      updateMetadataHandler({ replicaManager: f.replicaManager, brokerEpoch: () => 50n, onDeletedPartitions: (tps) => deleted.push(...tps.map((tp) => `${tp.topic}-${tp.partition}`)) }),
    );
  });
  afterEach(async () => {
    await f.close();
  });

  it('applies the update to the metadata cache (v7) and reports deleted partitions', async () => {
    expect(await send(7, { ...updateMetadataRequest([{ topic: 'a', partition: 0, leader: 1 }]), brokerEpoch: 50n })).toEqual({ errorCode: 0 });
    expect(f.metadataCache.partitionState('a', 0)?.leader).toBe(1);
    await send(7, updateMetadataRequest([{ topic: 'a', partition: 0, leader: -2 }]));
    expect(deleted).toEqual(['a-0']);
  });

  it('answers STALE_BROKER_EPOCH for an older broker epoch without applying it', async () => {
    expect(await send(7, { ...updateMetadataRequest([{ topic: 'a', partition: 0, leader: 1 }]), brokerEpoch: 49n })).toEqual({ errorCode: ErrorCode.STALE_BROKER_EPOCH });
    expect(f.metadataCache.contains('a')).toBe(false);
  });

  it('answers STALE_CONTROLLER_EPOCH for an older controller epoch', async () => {
    await send(7, updateMetadataRequest([], { controllerEpoch: 4 }));
    expect(await send(7, updateMetadataRequest([{ topic: 'a', partition: 0, leader: 1 }], { controllerEpoch: 3 }))).toEqual({ errorCode: ErrorCode.STALE_CONTROLLER_EPOCH });
  });

  it('applies a v5 request (topic states without topic ids)', async () => {
    const req = updateMetadataRequest([{ topic: 'a', partition: 0, leader: 1 }], { topicId: ZERO_UUID });
    expect(await send(5, req)).toEqual({ errorCode: 0 });
    expect(f.metadataCache.aliveBrokerNodes('PLAINTEXT')).toHaveLength(1);
  });
});
