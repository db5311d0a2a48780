import { BufferPool } from '../common/buffer-pool';
import { ApiKey, ErrorCode } from '../protocol';
import { CompressionType, decodeLegacyMessageSet, encodeLegacyMessageSet, encodeRecordBatchSync } from '../protocol/records';
import { CloseConnection } from '../network/request-handler';
import { batch, batchOffsets, compressedBatch } from '../log/testing/log-test-utils';
import { type ServingFixture, becomeLeader, startServing } from '../replica/testing/replica-test-utils';
import { fetchHandler } from './fetch';
import { produceHandler } from './produce';
import { ApiRegistry } from './registry';
import { decodeResponse, networkRequest, requestFrame, handleWhole } from './testing/frames';
import type { ProduceRequest } from '../protocol/generated/produce-request';

function produceRequest(records: Buffer | null, acks = 1, topic = 't'): ProduceRequest {
  return { transactionalId: null, acks, timeoutMs: 1000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] };
}

describe('Produce handler', () => {
  let f: ServingFixture;
  let registry: ApiRegistry;
  const produce = async (version: number, req: ProduceRequest) => {
    const frame = await handleWhole(registry, networkRequest(requestFrame(ApiKey.Produce, version, req)));
    return frame === null ? null : decodeResponse(ApiKey.Produce, version, frame).response;
  };
  beforeEach(async () => {
    f = await startServing();
    registry = new ApiRegistry()
      .register(produceHandler({ replicaManager: f.replicaManager, metadataCache: f.metadataCache }))
      .register(fetchHandler({ replicaManager: f.replicaManager, metadataCache: f.metadataCache, fetchMaxBytes: 57671680 }));
    await becomeLeader(f, [{ topic: 't', partition: 0, leader: 1 }]);
  });
  afterEach(async () => {
    await f.close();
  });

  it('appends a v2 batch on the leader and answers its base offset and log start offset (v7)', async () => {
    await produce(7, produceRequest(batch({ count: 2 })));
    const res = await produce(7, produceRequest(batch({ count: 3 })));
    expect(res!.responses).toEqual([
      { name: 't', partitionResponses: [{ index: 0, errorCode: 0, baseOffset: 2n, logAppendTimeMs: -1n, logStartOffset: 0n, recordErrors: [], errorMessage: null }] },
    ]);
  });

  it('answers Produce v8 record_errors and error_message for the records a compacted topic rejects, as Kafka 2.8', async () => {
    const compacted = await startServing({ topicConfig: { c: { 'cleanup.policy': 'compact' } } });
    try {
      await becomeLeader(compacted, [{ topic: 'c', partition: 0, leader: 1 }]);
      const reg = new ApiRegistry().register(produceHandler({ replicaManager: compacted.replicaManager, metadataCache: compacted.metadataCache }));
      const records = encodeRecordBatchSync({ records: [{ key: Buffer.from('k'), timestamp: 1 }, { key: null, timestamp: 1 }] });
      const frame = await handleWhole(reg, networkRequest(requestFrame(ApiKey.Produce, 8, produceRequest(records, 1, 'c'))));
      const res = decodeResponse(ApiKey.Produce, 8, frame!).response;
      expect(res.responses[0]!.partitionResponses[0]).toEqual({
        index: 0,
        errorCode: ErrorCode.INVALID_RECORD,
        baseOffset: -1n,
        logAppendTimeMs: -1n,
        logStartOffset: 0n,
        recordErrors: [{ batchIndex: 1, batchIndexErrorMessage: 'Compacted topic cannot accept message without key in topic partition c-0.' }],
        errorMessage: 'One or more records have been rejected',
      });
    } finally {
      await compacted.close();
    }
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION for a partition the metadata cache does not know', async () => {
    const res = await produce(7, produceRequest(batch(), 1, 'nope'));
    expect(res!.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('answers INVALID_RECORD for v3+ data that is not exactly one magic-2 batch', async () => {
    const two = Buffer.concat([batch(), batch()]);
    expect((await produce(7, produceRequest(two)))!.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.INVALID_RECORD);
    const legacy = await encodeLegacyMessageSet({ magic: 1, records: [{ value: Buffer.from('x'), timestamp: 1n }] });
    expect((await produce(3, produceRequest(legacy)))!.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.INVALID_RECORD);
  });

  it('refuses zstd below v7 with UNSUPPORTED_COMPRESSION_TYPE', async () => {
    const zstd = await compressedBatch(CompressionType.Zstd, { count: 2 });
    expect((await produce(6, produceRequest(zstd)))!.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
  });

  it('up-converts a v0/v1 message set (Produce v2) and down-converts it back for Fetch v2', async () => {
    const legacy = await encodeLegacyMessageSet({ magic: 1, records: [{ value: Buffer.from('a'), timestamp: 5n }, { value: Buffer.from('b'), timestamp: 6n }] });
    const res = await produce(2, produceRequest(legacy));
    expect(res!.responses[0]!.partitionResponses[0]).toMatchObject({ errorCode: 0, baseOffset: 0n });
    const stored = await f.logManager.getLog({ topic: 't', partition: 0 })!.read(0, 1 << 20, { minOneMessage: true });
    expect(batchOffsets(stored.records)).toEqual([[0, 1]]);
    expect(stored.records[16]).toBe(2);
    const frame = await handleWhole(registry, 
      networkRequest(
        requestFrame(ApiKey.Fetch, 2, {
          clusterId: null, replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1, rackId: '', forgottenTopicsData: [],
          topics: [{ topic: 't', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
        }),
      ),
    );
    const fetched = decodeResponse(ApiKey.Fetch, 2, frame!).response.responses[0]!.partitionResponses[0]!;
    const set = await decodeLegacyMessageSet(fetched.recordSet!);
    expect(set.entries.map((e) => [e.magic, e.offset, e.records[0]!.value!.toString()])).toEqual([
      [1, 0n, 'a'],
      [1, 1n, 'b'],
    ]);
  });

  it('gives a request frame from the socket server\'s pool back once its records are appended; what was appended stays intact', async () => {
    const pool = new BufferPool();
    const pooled = new ApiRegistry().register(produceHandler({ replicaManager: f.replicaManager, metadataCache: f.metadataCache, requestBuffers: pool }));
    const records = batch({ count: 20, valueSize: 5000 }); // ~100 KB: a frame the socket server would pool
    const bytes = requestFrame(ApiKey.Produce, 7, produceRequest(records));
    const frame = pool.acquire(bytes.length);
    bytes.copy(frame);
    const answer = await handleWhole(pooled, networkRequest(frame));
    expect(decodeResponse(ApiKey.Produce, 7, answer!).response.responses[0]!.partitionResponses[0]).toMatchObject({ errorCode: 0, baseOffset: 0n });
    expect(pool.release(frame)).toBe(false); // already given back
    const stored = (await f.logManager.getLog({ topic: 't', partition: 0 })!.read(0, 1 << 20, { minOneMessage: true })).records;
    const reused = pool.acquire(bytes.length);
    expect(reused.buffer).toBe(frame.buffer);
    reused.fill(0); // the next request lands in it
    const again = (await f.logManager.getLog({ topic: 't', partition: 0 })!.read(0, 1 << 20, { minOneMessage: true })).records;
    expect(again.equals(stored)).toBe(true);
    expect(batchOffsets(again)).toEqual([[0, 19]]);
  });

  it('sends no response for acks=0, and closes the connection when an acks=0 append fails', async () => {
    expect(await produce(7, produceRequest(batch(), 0))).toBeNull();
    await expect(produce(7, produceRequest(batch(), 0, 'nope'))).rejects.toBeInstanceOf(CloseConnection);
  });

  it('answers NOT_LEADER_OR_FOLLOWER with an error message (v8+) when this broker does not lead the partition', async () => {
    await f.replicaManager.becomeLeaderOrFollower(9, {
      controllerId: 1, controllerEpoch: 1, brokerEpoch: -1n, type: 0, ungroupedPartitionStates: [], liveLeaders: [],
      topicStates: [{ topicName: 't', topicId: '', partitionStates: [{ topicName: 't', partitionIndex: 0, controllerEpoch: 1, leader: 1, leaderEpoch: 1, isr: [1], zkVersion: 1, replicas: [1], addingReplicas: [], removingReplicas: [], isNew: false }] }],
    });
    await f.replicaManager.stopReplicas(10, 1, 1, [{ topicPartition: { topic: 't', partition: 0 }, leaderEpoch: 2, deletePartition: true }]);
    const res = await produce(8, produceRequest(batch()));
    expect(res!.responses[0]!.partitionResponses[0]).toMatchObject({ errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, baseOffset: -1n });
    expect(res!.responses[0]!.partitionResponses[0]!.errorMessage).toMatch(/not a replica/);
  });

  it('answers TRANSACTIONAL_ID_AUTHORIZATION_FAILED for transactional batches sent without a transactional id', async () => {
    const txn = batch({ producerId: 7, baseSequence: 0 });
    txn.writeInt16BE(txn.readInt16BE(21) | 0x10, 21);
    const res = await produce(7, produceRequest(txn));
    expect(res!.responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    expect(f.logManager.getLog({ topic: 't', partition: 0 })!.logEndOffset).toBe(0);
  });
});
