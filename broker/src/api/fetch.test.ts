import { ApiKey, ErrorCode } from '../protocol';
import type { FetchRequest } from '../protocol/generated/fetch-request';
import { batch, batchOffsets } from '../log/testing/log-test-utils';
import { type ServingFixture, becomeLeader, startServing } from '../replica/testing/replica-test-utils';
import { FetchSessionCache } from '../replica/fetch-session';
import { fetchHandler } from './fetch';
import { ApiRegistry } from './registry';
import { decodeResponse, networkRequest, requestFrame, handleWhole } from './testing/frames';

function fetchRequest(o: Partial<FetchRequest> = {}, fetchOffset = 0n, topics = ['t']): FetchRequest {
  return {
    clusterId: null, replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1, rackId: '', forgottenTopicsData: [],
    topics: topics.map((topic) => ({ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] })),
    ...o,
  };
}

describe('Fetch handler', () => {
  let f: ServingFixture;
  let registry: ApiRegistry;
  const fetch = async (version: number, req: FetchRequest) => decodeResponse(ApiKey.Fetch, version, (await handleWhole(registry, networkRequest(requestFrame(ApiKey.Fetch, version, req))))!).response;
  beforeEach(async () => {
    f = await startServing();
    registry = new ApiRegistry().register(fetchHandler({ replicaManager: f.replicaManager, metadataCache: f.metadataCache, fetchMaxBytes: 57671680 }));
    await becomeLeader(f, [{ topic: 't', partition: 0, leader: 1 }]);
    await f.replicaManager.appendRecords({ timeoutMs: 0, requiredAcks: 1, internalTopicsAllowed: false, entries: new Map([['t-0', { topicPartition: { topic: 't', partition: 0 }, records: batch({ count: 3 }) }]]) });
  });
  afterEach(async () => {
    await f.close();
  });

  it('answers sessionless (session id 0) with the raw batches, high watermark, LSO and log start offset (v11 read_committed)', async () => {
    const res = await fetch(11, fetchRequest({ isolationLevel: 1, sessionEpoch: 0 }));
    expect(res.errorCode).toBe(0);
    expect(res.sessionId).toBe(0);
    const p = res.responses[0]!.partitionResponses[0]!;
    expect(p).toMatchObject({ errorCode: 0, highWatermark: 3n, lastStableOffset: 3n, logStartOffset: 0n, abortedTransactions: [], preferredReadReplica: -1 });
    expect(batchOffsets(p.recordSet!)).toEqual([[0, 2]]);
  });

  it('leaves aborted_transactions null for read_uncommitted', async () => {
    const res = await fetch(4, fetchRequest());
    expect(res.responses[0]!.partitionResponses[0]!.abortedTransactions).toBeNull();
  });

  it('answers FETCH_SESSION_ID_NOT_FOUND for an incremental fetch (session epoch > 0): no sessions are kept', async () => {
    const res = await fetch(11, fetchRequest({ sessionId: 12, sessionEpoch: 3 }));
    expect(res.errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    expect(res.responses).toEqual([]);
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION after the known partitions, and OFFSET_OUT_OF_RANGE past the log end', async () => {
    const res = await fetch(11, fetchRequest({}, 0n, ['nope', 't']));
    expect(res.responses.map((t) => [t.topic, t.partitionResponses[0]!.errorCode])).toEqual([
      ['t', 0],
      ['nope', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ]);
    const oor = await fetch(11, fetchRequest({}, 10n));
    expect(oor.responses[0]!.partitionResponses[0]).toMatchObject({ errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, highWatermark: -1n });
  });

  it('answers FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH for a current_leader_epoch older / newer than the leader (v9+)', async () => {
    const req = (epoch: number): FetchRequest => {
      const r = fetchRequest();
      r.topics[0]!.partitions[0]!.currentLeaderEpoch = epoch;
      return r;
    };
    await becomeLeader(f, [{ topic: 't', partition: 0, leader: 1, leaderEpoch: 2 }]);
    expect((await fetch(9, req(1))).responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.FENCED_LEADER_EPOCH);
    expect((await fetch(9, req(3))).responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
    expect((await fetch(9, req(2))).responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.NONE);
  });

  it('refuses down-conversion for v0-3 when message.downconversion.enable is false (UNSUPPORTED_VERSION)', async () => {
    await f.close();
    f = await startServing({ topicConfig: { t: { 'message.downconversion.enable': false } } });
    registry = new ApiRegistry().register(fetchHandler({ replicaManager: f.replicaManager, metadataCache: f.metadataCache, fetchMaxBytes: 57671680 }));
    await becomeLeader(f, [{ topic: 't', partition: 0, leader: 1 }]);
    await f.replicaManager.appendRecords({ timeoutMs: 0, requiredAcks: 1, internalTopicsAllowed: false, entries: new Map([['t-0', { topicPartition: { topic: 't', partition: 0 }, records: batch() }]]) });
    expect((await fetch(3, fetchRequest())).responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect((await fetch(4, fetchRequest())).responses[0]!.partitionResponses[0]!.errorCode).toBe(ErrorCode.NONE);
  });

  it('opens a fetch session on a full v7+ fetch (epoch 0) and answers incremental fetches with only the partitions that changed', async () => {
    registry = new ApiRegistry().register(
      fetchHandler({ replicaManager: f.replicaManager, metadataCache: f.metadataCache, fetchMaxBytes: 57671680, fetchSessionCache: new FetchSessionCache({ maxEntries: 10, time: f.time }) }),
    );
    const full = await fetch(11, fetchRequest({ sessionEpoch: 0 }));
    expect(full.sessionId).not.toBe(0);
    expect(full.responses[0]!.partitionResponses[0]!.highWatermark).toBe(3n);
    const quiet = await fetch(11, fetchRequest({ sessionId: full.sessionId, sessionEpoch: 1 }, 3n));
    expect(quiet).toMatchObject({ errorCode: 0, sessionId: full.sessionId, responses: [] });
    await f.replicaManager.appendRecords({ timeoutMs: 0, requiredAcks: 1, internalTopicsAllowed: false, entries: new Map([['t-0', { topicPartition: { topic: 't', partition: 0 }, records: batch({ count: 1 }) }]]) });
    const news = await fetch(11, fetchRequest({ sessionId: full.sessionId, sessionEpoch: 2, topics: [] }));
    expect(news.responses[0]!.partitionResponses[0]).toMatchObject({ errorCode: 0, highWatermark: 4n });
    expect(batchOffsets(news.responses[0]!.partitionResponses[0]!.recordSet!)).toEqual([[3, 3]]);
    expect((await fetch(11, fetchRequest({ sessionId: full.sessionId, sessionEpoch: 2, topics: [] }))).errorCode).toBe(ErrorCode.INVALID_FETCH_SESSION_EPOCH);
    const forgot = await fetch(11, fetchRequest({ sessionId: full.sessionId, sessionEpoch: 3, topics: [], forgottenTopicsData: [{ topic: 't', partitions: [0] }] }));
    expect(forgot).toMatchObject({ errorCode: 0, sessionId: 0, responses: [] });
    expect((await fetch(11, fetchRequest({ sessionId: full.sessionId, sessionEpoch: 4, topics: [] }))).errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
  });
});
