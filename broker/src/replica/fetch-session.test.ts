import { MockTime } from '../common/time';
import { ErrorCode } from '../protocol';
import { FetchSessionCache, nextEpoch } from './fetch-session';
import type { FetchPartitionRequest } from './types';

function part(partition: number): FetchPartitionRequest {
  return { topicPartition: { topic: 't', partition }, fetchOffset: 0, logStartOffset: -1, maxBytes: 100, currentLeaderEpoch: -1, lastFetchedEpoch: -1 };
}
const data = { errorCode: 0, highWatermark: 5, logStartOffset: 0, recordsSize: 0, hasDivergingEpoch: false };

function openSession(cache: FetchSessionCache, partitions: number[], follower = false): number {
  const ctx = cache.newContext(0, 0, partitions.map(part), [], follower);
  return cache.generateResponse(ctx, partitions.map((p) => ({ tp: part(p).topicPartition, data, value: p }))).sessionId;
}

describe('FetchSessionCache', () => {
  it('wraps epochs as JFetchMetadata.nextEpoch does', () => {
    expect(nextEpoch(0)).toBe(1);
    expect(nextEpoch(2147483647)).toBe(1);
    expect(nextEpoch(-1)).toBe(-1);
  });

  it('serves epoch -1 sessionless and closes a session named by a full fetch', () => {
    const time = new MockTime();
    const cache = new FetchSessionCache({ maxEntries: 2, time });
    const id = openSession(cache, [0]);
    expect(cache.get(id)).toBeDefined();
    expect(cache.newContext(id, -1, [part(0)], [], false).kind).toBe('sessionless');
    expect(cache.get(id)).toBeUndefined();
  });

  it('answers session id 0 when the cache is full and nothing can be evicted', () => {
    const time = new MockTime();
    const cache = new FetchSessionCache({ maxEntries: 1, time });
    expect(openSession(cache, [0])).not.toBe(0);
    expect(openSession(cache, [0, 1])).toBe(0);
  });

  it('evicts a session unused for longer than the eviction time to make room', () => {
    const time = new MockTime();
    const cache = new FetchSessionCache({ maxEntries: 1, time, evictionMs: 1000 });
    const first = openSession(cache, [0]);
    time.sleep(1001);
    const second = openSession(cache, [0]);
    expect(second).not.toBe(0);
    expect(cache.get(first)).toBeUndefined();
  });

  it('lets a follower session evict a consumer session (privileged)', () => {
    const time = new MockTime();
    const cache = new FetchSessionCache({ maxEntries: 1, time });
    openSession(cache, [0, 1, 2]);
    expect(openSession(cache, [0], true)).not.toBe(0);
  });

  it('answers INVALID_FETCH_SESSION_EPOCH for a wrong epoch and FETCH_SESSION_ID_NOT_FOUND for an unknown id', () => {
    const cache = new FetchSessionCache({ maxEntries: 5, time: new MockTime() });
    const id = openSession(cache, [0]);
    expect(cache.newContext(id, 7, [], [], false)).toEqual({ kind: 'error', errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH });
    expect(cache.newContext(id + 1, 1, [], [], false)).toEqual({ kind: 'error', errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND });
  });

  it('re-sends a partition after an error once it recovers (the cached high watermark is forgotten)', () => {
    const cache = new FetchSessionCache({ maxEntries: 5, time: new MockTime() });
    const id = openSession(cache, [0]);
    const run = (epoch: number, errorCode: number): number[] => {
      const ctx = cache.newContext(id, epoch, [], [], false);
      return cache.generateResponse(ctx, [{ tp: part(0).topicPartition, data: { ...data, errorCode }, value: 0 }]).selected;
    };
    expect(run(1, 0)).toEqual([]);
    expect(run(2, ErrorCode.NOT_LEADER_OR_FOLLOWER)).toEqual([0]);
    expect(run(3, 0)).toEqual([0]);
    expect(run(4, 0)).toEqual([]);
  });
});
