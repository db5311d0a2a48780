/**
 * Test stand-ins for a leader broker's Fetch and ListOffsets serving (api/ is off-limits here): the
 * requests are answered by a real leader ReplicaManager, in process (`inProcessLeader`) or behind a
 * real loopback SocketServer through the generated codecs (`LeaderRequestHandler`).
 */
import type { NetworkRequest, RequestHandler } from '../../../network/request-handler';
import { API_CODECS, ApiKey, ErrorCode, encodeResponseFrame, type ApiMessages } from '../../../protocol';
import type { FetchRequest } from '../../../protocol/generated/fetch-request';
import type { FetchResponse } from '../../../protocol/generated/fetch-response';
import type { ListOffsetsRequest } from '../../../protocol/generated/list-offsets-request';
import type { ListOffsetsResponse } from '../../../protocol/generated/list-offsets-response';
import type { ReplicaManager } from '../../replica-manager';
import { errorCodeOf, fetchPartitionRequests } from '../../types';
import type { LeaderConnection } from '../fetcher-types';

export async function answerFetch(rm: ReplicaManager, req: FetchRequest): Promise<FetchResponse> {
  const partitions = fetchPartitionRequests(req);
  const results = await rm.fetchMessages({ maxWaitMs: req.maxWaitMs, replicaId: req.replicaId, minBytes: req.minBytes, maxBytes: req.maxBytes, hardMaxBytesLimit: false, isolationLevel: req.isolationLevel, partitions });
  const topics = new Map<string, FetchResponse['responses'][number]>();
  for (const r of results) {
    let t = topics.get(r.topicPartition.topic);
    if (t === undefined) topics.set(r.topicPartition.topic, (t = { topic: r.topicPartition.topic, partitionResponses: [] }));
    t.partitionResponses.push({
      partition: r.topicPartition.partition,
      errorCode: r.errorCode,
      highWatermark: BigInt(r.highWatermark),
      lastStableOffset: BigInt(r.lastStableOffset),
      logStartOffset: BigInt(r.logStartOffset),
      divergingEpoch: { epoch: r.divergingEpoch?.epoch ?? -1, endOffset: BigInt(r.divergingEpoch?.endOffset ?? -1) },
      currentLeader: { leaderId: -1, leaderEpoch: -1 },
      snapshotId: { endOffset: -1n, epoch: -1 },
      abortedTransactions: null,
      preferredReadReplica: -1,
      recordSet: r.records,
    });
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses: [...topics.values()] };
}

export async function answerListOffsets(rm: ReplicaManager, req: ListOffsetsRequest): Promise<ListOffsetsResponse> {
  const topics = [];
  for (const t of req.topics) {
    const partitions = [];
    for (const p of t.partitions) {
      const base = { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE, oldStyleOffsets: [], timestamp: -1n, offset: -1n, leaderEpoch: -1 };
      try {
        const found = await rm.fetchOffsetForTimestamp({ topic: t.name, partition: p.partitionIndex }, Number(p.timestamp), null, p.currentLeaderEpoch, true);
        partitions.push(found === null ? base : { ...base, timestamp: BigInt(found.timestamp), offset: BigInt(found.offset), leaderEpoch: found.leaderEpoch });
      } catch (err) {
        partitions.push({ ...base, errorCode: errorCodeOf(err) });
      }
    }
    topics.push({ name: t.name, partitions });
  }
  return { throttleTimeMs: 0, topics };
}

/** A LeaderConnection answered by `rm` in process; `requests` counts what was sent. */
export function inProcessLeader(rm: ReplicaManager, requests: { apiKey: number; request: unknown }[] = []): LeaderConnection {
  return {
    send<K extends keyof ApiMessages>(apiKey: K, _version: number, request: ApiMessages[K]['request']): Promise<ApiMessages[K]['response']> {
      requests.push({ apiKey, request });
      if (apiKey === ApiKey.Fetch) return answerFetch(rm, request as FetchRequest) as Promise<ApiMessages[K]['response']>;
      if (apiKey === ApiKey.ListOffsets) return answerListOffsets(rm, request as ListOffsetsRequest) as Promise<ApiMessages[K]['response']>;
      return Promise.reject(new Error(`unexpected api key ${apiKey}`));
    },
    close: () => Promise.resolve(),
  };
}

/** Serves Fetch and ListOffsets from `rm` for a real SocketServer. */
export class LeaderRequestHandler implements RequestHandler {
  constructor(private readonly rm: ReplicaManager) {}

  async handle(req: NetworkRequest): Promise<Buffer | null> {
    const { requestApiKey: apiKey, requestApiVersion: version, correlationId } = req.header;
    if (apiKey === ApiKey.Fetch) {
      const codec = API_CODECS[ApiKey.Fetch];
      const response = await answerFetch(this.rm, codec.decodeRequest(req.body, version));
      return encodeResponseFrame(apiKey, version, correlationId, (w) => codec.encodeResponse(w, response, version));
    }
    if (apiKey === ApiKey.ListOffsets) {
      const codec = API_CODECS[ApiKey.ListOffsets];
      const response = await answerListOffsets(this.rm, codec.decodeRequest(req.body, version));
      return encodeResponseFrame(apiKey, version, correlationId, (w) => codec.encodeResponse(w, response, version));
    }
    throw new Error(`unexpected api key ${apiKey}`);
  }
}
