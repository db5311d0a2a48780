import { ApiKey, type ApiMessages, ErrorCode } from '../../protocol';
import type { FetchRequest } from '../../protocol/generated/fetch-request';
import type { FetchResponse } from '../../protocol/generated/fetch-response';
import type { ListOffsetsRequest } from '../../protocol/generated/list-offsets-request';
import type { ListOffsetsResponse } from '../../protocol/generated/list-offsets-response';
import { batch } from '../../log/testing/log-test-utils';
import { type PartitionSpec, type ServingFixture, becomeLeader, leaderAndIsrRequest, startServing, updateMetadataRequest } from '../testing/replica-test-utils';
import type { InitialFetchState, LeaderConnection } from './fetcher-types';

const tp = { topic: 't', partition: 0 };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 4000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

function partitionAnswer(o: { errorCode?: number; highWatermark?: number; logStartOffset?: number } = {}): FetchResponse['responses'][number]['partitionResponses'][number] {
  return {
    partition: 0,
    errorCode: o.errorCode ?? ErrorCode.NONE,
    highWatermark: BigInt(o.highWatermark ?? 0),
    lastStableOffset: -1n,
    logStartOffset: BigInt(o.logStartOffset ?? 0),
    divergingEpoch: { epoch: -1, endOffset: -1n },
    currentLeader: { leaderId: -1, leaderEpoch: -1 },
    snapshotId: { endOffset: -1n, epoch: -1 },
    abortedTransactions: null,
    preferredReadReplica: -1,
    recordSet: Buffer.alloc(0),
  };
}

/** A leader that answers from a script: `fetch` gets each Fetch, `listOffsets` each ListOffsets. */
class ScriptedLeader implements LeaderConnection {
  readonly fetches: { at: number; request: FetchRequest }[] = [];
  readonly listOffsets: ListOffsetsRequest[] = [];
  constructor(
    private readonly onFetch: (n: number, req: FetchRequest) => FetchResponse['responses'][number]['partitionResponses'][number],
    private readonly onListOffsets: (timestamp: bigint) => number = () => 0,
  ) {}

  send<K extends keyof ApiMessages>(apiKey: K, _version: number, request: ApiMessages[K]['request']): Promise<ApiMessages[K]['response']> {
    if (apiKey === ApiKey.Fetch) {
      const req = request as FetchRequest;
      this.fetches.push({ at: Date.now(), request: req });
      const answer: FetchResponse = { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: [{ topic: 't', partitionResponses: [this.onFetch(this.fetches.length, req)] }] };
      // A real leader long-polls; a short pause keeps the loop from spinning.
      return sleep(5).then(() => answer as ApiMessages[K]['response']);
    }
    const req = request as ListOffsetsRequest;
    this.listOffsets.push(req);
    const p = req.topics[0]!.partitions[0]!;
    const answer: ListOffsetsResponse = { throttleTimeMs: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0, oldStyleOffsets: [], timestamp: -1n, offset: BigInt(this.onListOffsets(p.timestamp)), leaderEpoch: -1 }] }] };
    return Promise.resolve(answer as ApiMessages[K]['response']);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

describe('ReplicaFetcher error handling', () => {
  let f: ServingFixture;
  let leader: ScriptedLeader;
  const follow = async (spec: PartitionSpec): Promise<void> => {
    f.replicaManager.maybeUpdateMetadataCache(5, updateMetadataRequest([spec], { aliveBrokers: [1, 2] }));
    const res = await f.replicaManager.becomeLeaderOrFollower(6, leaderAndIsrRequest([spec]));
    expect(res.partitionErrors.map((p) => p.errorCode)).toEqual([ErrorCode.NONE]);
  };
  const start = async (script: ScriptedLeader): Promise<void> => {
    leader = script;
    f = await startServing({ brokerId: 2, replicaManager: { replicaFetcher: { interBrokerListenerName: 'PLAINTEXT', settings: { backoffMs: 100 }, clientFactory: () => leader } } });
  };
  afterEach(async () => {
    await f.close();
  });

  it('truncates to the leader\'s log end offset on OFFSET_OUT_OF_RANGE when the follower is ahead (handleOutOfRangeError)', async () => {
    await start(new ScriptedLeader((n) => partitionAnswer(n === 1 ? { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE } : { highWatermark: 2 }), (ts) => (ts === -1n ? 2 : 0)));
    await becomeLeader(f, [{ ...tp, leader: 2, replicas: [1, 2], isr: [2] }], [1, 2]);
    // One record per batch: truncation keeps whole batches only.
    for (let i = 0; i < 5; i++) await f.replicaManager.appendRecords({ timeoutMs: 0, requiredAcks: 1, internalTopicsAllowed: false, entries: new Map([['t-0', { topicPartition: tp, records: batch() }]]) });
    await follow({ ...tp, leader: 1, leaderEpoch: 1, replicas: [1, 2], isr: [1, 2] });
    await waitFor(() => leader.fetches.length >= 2, 'a fetch after the reset');
    expect(leader.fetches.map((x) => Number(x.request.topics[0]!.partitions[0]!.fetchOffset)).slice(0, 2)).toEqual([5, 2]);
    expect(leader.fetches[0]!.request.topics[0]!.partitions[0]).toMatchObject({ lastFetchedEpoch: 0, currentLeaderEpoch: 1 });
    expect(leader.listOffsets[0]).toMatchObject({ replicaId: 2, topics: [{ partitions: [{ timestamp: -1n, currentLeaderEpoch: 1 }] }] });
    const p = f.replicaManager.getPartition(tp)!;
    expect(p.log!.logEndOffset).toBe(2);
    await waitFor(() => p.highWatermark === 2, 'the high watermark from the leader');
  });

  it('sends the next Fetch as soon as a response is handled, and yields to the event loop once per fetch while it is in flight, so an instant leader cannot starve the loop', async () => {
    // Set by a setImmediate scheduled when the fetcher takes an answer: true at the next send means a
    // turn of the event loop came between handling a response and sending the next request.
    let turned = false;
    const turnedAtSend: boolean[] = [];
    const instant: LeaderConnection = {
      send<K extends keyof ApiMessages>(apiKey: K, _version: number): Promise<ApiMessages[K]['response']> {
        if (apiKey !== ApiKey.Fetch) return Promise.reject(new Error('only Fetch is expected'));
        turnedAtSend.push(turned);
        const answer: FetchResponse = { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: [{ topic: 't', partitionResponses: [partitionAnswer()] }] };
        const p = Promise.resolve(answer as ApiMessages[K]['response']);
        const then = p.then.bind(p);
        p.then = ((onFulfilled, onRejected) => {
          turned = false;
          setImmediate(() => {
            turned = true;
          });
          return then(onFulfilled, onRejected);
        }) as typeof p.then;
        return p;
      },
      close: () => Promise.resolve(),
    };
    f = await startServing({ brokerId: 2, replicaManager: { replicaFetcher: { interBrokerListenerName: 'PLAINTEXT', settings: { backoffMs: 100 }, clientFactory: () => instant } } });
    let timerFired = false;
    setTimeout(() => {
      timerFired = true;
    }, 20);
    await follow({ ...tp, leader: 1, leaderEpoch: 1, replicas: [1, 2], isr: [1, 2] });
    await waitFor(() => timerFired && turnedAtSend.length >= 30, 'thirty fetches and a timer');
    expect(turnedAtSend.slice(1, 30)).toEqual(turnedAtSend.slice(1, 30).map(() => false));
  });

  it('drops a partition on FENCED_LEADER_EPOCH until the next LeaderAndIsr', async () => {
    await start(new ScriptedLeader(() => partitionAnswer({ errorCode: ErrorCode.FENCED_LEADER_EPOCH })));
    await follow({ ...tp, leader: 1, leaderEpoch: 1, replicas: [1, 2], isr: [1, 2] });
    const fetcher = f.replicaManager.replicaFetcherManager!.fetcher(1)!;
    await waitFor(() => fetcher.partitionCount === 0, 'the partition to be dropped');
    await sleep(150);
    expect(leader.fetches).toHaveLength(1);
    await follow({ ...tp, leader: 1, leaderEpoch: 2, replicas: [1, 2], isr: [1, 2] });
    await waitFor(() => leader.fetches.length >= 2, 'fetching in the new epoch');
    expect(leader.fetches[1]!.request.topics[0]!.partitions[0]!.currentLeaderEpoch).toBe(2);
  });

  it('retries NOT_LEADER_OR_FOLLOWER and UNKNOWN_LEADER_EPOCH after 50 ms, doubling up to replica.fetch.backoff.ms, and starts over after a good answer', async () => {
    const errorsFirst = new Set([1, 2, 3, 4, 6]);
    await start(
      new ScriptedLeader((n) => partitionAnswer({ errorCode: errorsFirst.has(n) ? (n % 2 === 0 ? ErrorCode.UNKNOWN_LEADER_EPOCH : ErrorCode.NOT_LEADER_OR_FOLLOWER) : ErrorCode.NONE })),
    );
    await follow({ ...tp, leader: 1, leaderEpoch: 1, replicas: [1, 2], isr: [1, 2] });
    await waitFor(() => leader.fetches.length >= 7, 'seven fetches');
    const gaps = leader.fetches.slice(1, 7).map((x, i) => x.at - leader.fetches[i]!.at);
    // 50, 100 (= replica.fetch.backoff.ms here), 100, 100, then a good answer, then 50 again.
    expect(gaps[0]).toBeGreaterThanOrEqual(45);
    expect(gaps[0]).toBeLessThan(95);
    for (const g of gaps.slice(1, 4)) expect(g).toBeGreaterThanOrEqual(95);
    expect(gaps[5]).toBeGreaterThanOrEqual(45);
    expect(gaps[5]).toBeLessThan(95);
    expect(f.replicaManager.replicaFetcherManager!.fetcher(1)!.partitionCount).toBe(1);
  });

  it('starts a follower whose log has leader epochs at its log end offset, one without at the high watermark', async () => {
    const added: InitialFetchState[][] = [];
    f = await startServing({ brokerId: 2, replicaManager: { fetcherHooks: { addFetcherForPartitions: (p) => void added.push([...p]), removeFetcherForPartitions: () => undefined } } });
    await follow({ ...tp, leader: 1, leaderEpoch: 1, replicas: [1, 2], isr: [1, 2] });
    expect(added[0]).toEqual([{ topicPartition: tp, leaderId: 1, currentLeaderEpoch: 1, fetchOffset: 0 }]);
    await becomeLeader(f, [{ ...tp, leader: 2, leaderEpoch: 2, replicas: [1, 2], isr: [2] }], [1, 2]);
    await f.replicaManager.appendRecords({ timeoutMs: 0, requiredAcks: 1, internalTopicsAllowed: false, entries: new Map([['t-0', { topicPartition: tp, records: batch({ count: 4 }) }]]) });
    await follow({ ...tp, leader: 1, leaderEpoch: 3, replicas: [1, 2], isr: [1, 2] });
    expect(added[1]).toEqual([{ topicPartition: tp, leaderId: 1, currentLeaderEpoch: 3, fetchOffset: 4 }]);
  });

  it('leaves the leader\'s view of a follower alone when its fetch finds a diverging epoch', async () => {
    f = await startServing();
    await becomeLeader(f, [{ ...tp, leader: 1, leaderEpoch: 0, replicas: [1, 2], isr: [1, 2] }], [1, 2]);
    await f.replicaManager.appendRecords({ timeoutMs: 0, requiredAcks: 1, internalTopicsAllowed: false, entries: new Map([['t-0', { topicPartition: tp, records: batch({ count: 3 }) }]]) });
    await becomeLeader(f, [{ ...tp, leader: 1, leaderEpoch: 2, replicas: [1, 2], isr: [1, 2] }], [1, 2]);
    await f.replicaManager.appendRecords({ timeoutMs: 0, requiredAcks: 1, internalTopicsAllowed: false, entries: new Map([['t-0', { topicPartition: tp, records: batch({ count: 2 }) }]]) });
    const [read] = await f.replicaManager.fetchMessages({
      maxWaitMs: 0,
      replicaId: 2,
      minBytes: 1,
      maxBytes: 1 << 20,
      hardMaxBytesLimit: false,
      isolationLevel: 0,
      partitions: [{ topicPartition: tp, fetchOffset: 5, logStartOffset: 0, maxBytes: 1 << 20, currentLeaderEpoch: 2, lastFetchedEpoch: 1 }],
    });
    expect(read!.divergingEpoch).toEqual({ epoch: 0, endOffset: 3 });
    const p = f.replicaManager.getPartition(tp)!;
    expect(p.remoteReplica(2)!.logEndOffset.offset).toBe(-1);
    expect(p.highWatermark).toBe(0);
  });
});
