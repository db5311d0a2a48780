import type { KafkaController } from '../controller';
import type { MetadataCache } from '../metadata';
import { ApiKey, ErrorCode } from '../protocol';
import type { ElectLeadersRequest } from '../protocol/generated/elect-leaders-request';
import { electLeadersHandler, type ElectLeadersController, type ElectLeadersMetadata, type ElectLeadersPartitionResult } from './elect-leaders';
import { ApiRegistry } from './registry';
import { decodeResponse, networkRequest, requestFrame, handleWhole } from './testing/frames';

/** What the server passes fits the handler (checked by the type checker). */
type ControllerFits = KafkaController extends ElectLeadersController ? true : never;
type MetadataFits = MetadataCache extends ElectLeadersMetadata ? true : never;
const fits: [ControllerFits, MetadataFits] = [true, true];
void fits;

/** A metadata cache of topic → leaders, updated by `setLeader` (UpdateMetadata). */
function fakeMetadata(leaders: Record<string, number[]>) {
  const listeners = new Set<() => void>();
  const cache: ElectLeadersMetadata = {
    allTopics: () => Object.keys(leaders),
    partitionCount: (t) => leaders[t]?.length,
    partitionState: (t, p) => (leaders[t]?.[p] === undefined ? undefined : { leader: leaders[t][p] }),
    onUpdate: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  const setLeader = (t: string, p: number, leader: number): void => {
    leaders[t][p] = leader;
    for (const l of [...listeners]) l();
  };
  return { cache, setLeader, listeners };
}

function fakeController(answer: (type: number, partitions: { topic: string; partition: number }[] | null) => ElectLeadersPartitionResult[]) {
  const calls: { type: number; partitions: { topic: string; partition: number }[] | null }[] = [];
  const controller: ElectLeadersController = {
    electLeaders(type, partitions) {
      calls.push({ type, partitions });
      return Promise.resolve(answer(type, partitions));
    },
  };
  return { controller, calls };
}

const ok = (topic: string, partition: number, leader: number): ElectLeadersPartitionResult => ({ partition: { topic, partition }, errorCode: 0, errorMessage: null, leader });
const err = (topic: string, partition: number, code: number, message: string | null = null): ElectLeadersPartitionResult => ({
  partition: { topic, partition },
  errorCode: code,
  errorMessage: message,
  leader: -1,
});

async function send(deps: Parameters<typeof electLeadersHandler>[0], version: number, req: ElectLeadersRequest) {
  const registry = new ApiRegistry().register(electLeadersHandler(deps));
  const frame = (await handleWhole(registry, networkRequest(requestFrame(ApiKey.ElectLeaders, version, req))))!;
  return decodeResponse(ApiKey.ElectLeaders, version, frame).response;
}

describe('ElectLeaders handler (KafkaApis.handleElectReplicaLeader)', () => {
  it('v0 carries no election type: a preferred election; the answer waits until the metadata cache shows the new leader', async () => {
    const md = fakeMetadata({ t: [2, 1] });
    const { controller, calls } = fakeController(() => [ok('t', 0, 1)]);
    const pending = send({ controller: () => controller, metadataCache: md.cache }, 0, { electionType: 0, topicPartitions: [{ topic: 't', partitionId: [0] }], timeoutMs: 5000 });
    while (md.listeners.size === 0) await new Promise((r) => setImmediate(r));
    md.setLeader('t', 0, 1);
    expect(await pending).toEqual({ throttleTimeMs: 0, errorCode: 0, replicaElectionResults: [{ topic: 't', partitionResult: [{ partitionId: 0, errorCode: 0, errorMessage: null }] }] });
    expect(calls).toEqual([{ type: 0, partitions: [{ topic: 't', partition: 0 }] }]);
    expect(md.listeners.size).toBe(0);
  });

  it('v1+ pass the election type; controller errors are answered per partition with their messages', async () => {
    const md = fakeMetadata({ t: [1, 1] });
    const { controller, calls } = fakeController(() => [
      err('t', 0, ErrorCode.ELECTION_NOT_NEEDED),
      err('t', 1, ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE, 'none alive'),
      err('u', 0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'The partition does not exist.'),
    ]);
    const res = await send({ controller: () => controller, metadataCache: md.cache }, 2, {
      electionType: 1,
      topicPartitions: [
        { topic: 't', partitionId: [0, 1, 1] },
        { topic: 'u', partitionId: [0] },
      ],
      timeoutMs: 1000,
    });
    expect(calls[0].type).toBe(1);
    expect(calls[0].partitions).toHaveLength(3);
    expect(res.errorCode).toBe(0);
    expect(res.replicaElectionResults).toEqual([
      {
        topic: 't',
        partitionResult: [
          { partitionId: 0, errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: null },
          { partitionId: 1, errorCode: ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE, errorMessage: 'none alive' },
        ],
      },
      { topic: 'u', partitionResult: [{ partitionId: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'The partition does not exist.' }] },
    ]);
  });

  it('null partitions elect across every partition of the metadata cache and leave out ELECTION_NOT_NEEDED', async () => {
    const md = fakeMetadata({ a: [1, 2], b: [3] });
    const { controller, calls } = fakeController((_t, ps) => (ps ?? []).map((p) => (p.topic === 'a' && p.partition === 1 ? ok('a', 1, 2) : err(p.topic, p.partition, ErrorCode.ELECTION_NOT_NEEDED))));
    const res = await send({ controller: () => controller, metadataCache: md.cache }, 1, { electionType: 0, topicPartitions: null, timeoutMs: 1000 });
    expect(calls[0].partitions).toEqual([
      { topic: 'a', partition: 0 },
      { topic: 'a', partition: 1 },
      { topic: 'b', partition: 0 },
    ]);
    expect(res.replicaElectionResults).toEqual([{ topic: 'a', partitionResult: [{ partitionId: 1, errorCode: 0, errorMessage: null }] }]);
  });

  it('answers REQUEST_TIMED_OUT for an elected partition whose new leader never reaches the metadata cache', async () => {
    const md = fakeMetadata({ t: [2] });
    const { controller } = fakeController(() => [ok('t', 0, 1)]);
    const res = await send({ controller: () => controller, metadataCache: md.cache }, 2, { electionType: 0, topicPartitions: [{ topic: 't', partitionId: [0] }], timeoutMs: 20 });
    expect(res.replicaElectionResults[0].partitionResult[0].errorCode).toBe(ErrorCode.REQUEST_TIMED_OUT);
    expect(md.listeners.size).toBe(0);
  });

  it('answers NOT_CONTROLLER per partition (top level NONE) before the controller exists', async () => {
    const md = fakeMetadata({ t: [1] });
    const res = await send({ controller: () => undefined, metadataCache: md.cache }, 2, { electionType: 0, topicPartitions: [{ topic: 't', partitionId: [0] }], timeoutMs: 1000 });
    expect(res).toEqual({ throttleTimeMs: 0, errorCode: 0, replicaElectionResults: [{ topic: 't', partitionResult: [{ partitionId: 0, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: null }] }] });
  });

  it('a failing request answers its error at the top level and for every requested partition', async () => {
    const md = fakeMetadata({ t: [1] });
    const controller: ElectLeadersController = { electLeaders: () => Promise.reject(new Error('boom')) };
    const res = await send({ controller: () => controller, metadataCache: md.cache }, 1, { electionType: 0, topicPartitions: [{ topic: 't', partitionId: [0] }], timeoutMs: 1000 });
    expect(res.errorCode).toBe(ErrorCode.UNKNOWN_SERVER_ERROR);
    expect(res.replicaElectionResults).toEqual([{ topic: 't', partitionResult: [{ partitionId: 0, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: null }] }]);
  });
});
