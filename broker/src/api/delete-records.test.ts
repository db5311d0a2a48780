import { ApiKey, ErrorCode } from '../protocol';
import type { DeleteRecordsRequest } from '../protocol/generated/delete-records-request';
import { batch } from '../log/testing/log-test-utils';
import { type ServingFixture, becomeLeader, startServing } from '../replica/testing/replica-test-utils';
import { deleteRecordsHandler } from './delete-records';
import { ApiRegistry } from './registry';
import { decodeResponse, networkRequest, requestFrame, handleWhole } from './testing/frames';

describe('DeleteRecords handler', () => {
  let f: ServingFixture;
  let registry: ApiRegistry;
  const send = async (req: DeleteRecordsRequest) =>
    decodeResponse(ApiKey.DeleteRecords, 1, (await handleWhole(registry, networkRequest(requestFrame(ApiKey.DeleteRecords, 1, req))))!).response;
  beforeEach(async () => {
    f = await startServing();
    registry = new ApiRegistry().register(deleteRecordsHandler({ replicaManager: f.replicaManager, metadataCache: f.metadataCache }));
    await becomeLeader(f, [{ topic: 't', partition: 0, leader: 1 }]);
    await f.replicaManager.appendRecords({ timeoutMs: 0, requiredAcks: 1, internalTopicsAllowed: false, entries: new Map([['t-0', { topicPartition: { topic: 't', partition: 0 }, records: batch({ count: 4 }) }]]) });
  });
  afterEach(async () => {
    await f.close();
  });

  it('moves the log start offset and answers the low watermark; -1 means the high watermark', async () => {
    expect((await send({ timeoutMs: 1000, topics: [{ name: 't', partitions: [{ partitionIndex: 0, offset: 2n }] }] })).topics[0]!.partitions[0]).toEqual({ partitionIndex: 0, lowWatermark: 2n, errorCode: 0 });
    expect((await send({ timeoutMs: 1000, topics: [{ name: 't', partitions: [{ partitionIndex: 0, offset: -1n }] }] })).topics[0]!.partitions[0]).toEqual({ partitionIndex: 0, lowWatermark: 4n, errorCode: 0 });
    expect(f.logManager.getLog({ topic: 't', partition: 0 })!.logStartOffset).toBe(4);
  });

  it('answers OFFSET_OUT_OF_RANGE above the high watermark and UNKNOWN_TOPIC_OR_PARTITION for unknown partitions', async () => {
    const res = await send({ timeoutMs: 1000, topics: [{ name: 't', partitions: [{ partitionIndex: 0, offset: 9n }] }, { name: 'x', partitions: [{ partitionIndex: 0, offset: 1n }] }] });
    expect(res.topics.map((t) => t.partitions[0]!.errorCode)).toEqual([ErrorCode.OFFSET_OUT_OF_RANGE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  });
});
