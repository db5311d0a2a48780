/**
 * A small stand-in broker for controller tests: a real SocketServer whose handler decodes the
 * controller's LeaderAndIsr / UpdateMetadata / StopReplica requests with the generated codecs, records
 * them and answers NONE (api/ is off-limits outside api/ and server/, so the registry is not used).
 */
import { SocketServer } from '../../broker/src/network';
import type { NetworkRequest, RequestHandler } from '../../broker/src/network';
import { API_CODECS, ApiKey, ErrorCode, encodeResponseFrame } from '../../broker/src/protocol';
import type { LeaderAndIsrRequest } from '../../broker/src/protocol/generated/leader-and-isr-request';
import type { StopReplicaRequest } from '../../broker/src/protocol/generated/stop-replica-request';
import type { UpdateMetadataRequest } from '../../broker/src/protocol/generated/update-metadata-request';

export type Recorded =
  | { apiKey: typeof ApiKey.LeaderAndIsr; version: number; clientId: string | null; request: LeaderAndIsrRequest }
  | { apiKey: typeof ApiKey.UpdateMetadata; version: number; clientId: string | null; request: UpdateMetadataRequest }
  | { apiKey: typeof ApiKey.StopReplica; version: number; clientId: string | null; request: StopReplicaRequest };

export class RecordingBroker implements RequestHandler {
  readonly requests: Recorded[] = [];
  private server: SocketServer | null = null;
  port = 0;

  constructor(readonly id: number) {}

  async start(): Promise<void> {
    this.server = new SocketServer({
      listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 0 }],
      socketRequestMaxBytes: 100 << 20,
      connectionsMaxIdleMs: 600_000,
      handler: this,
    });
    this.port = (await this.server.startup()).PLAINTEXT;
  }

  async stop(): Promise<void> {
    await this.server?.shutdown();
  }

  leaderAndIsr(): LeaderAndIsrRequest[] {
    return this.requests.flatMap((r) => (r.apiKey === ApiKey.LeaderAndIsr ? [r.request] : []));
  }

  updateMetadata(): UpdateMetadataRequest[] {
    return this.requests.flatMap((r) => (r.apiKey === ApiKey.UpdateMetadata ? [r.request] : []));
  }

  stopReplica(): StopReplicaRequest[] {
    return this.requests.flatMap((r) => (r.apiKey === ApiKey.StopReplica ? [r.request] : []));
  }

  async handle(req: NetworkRequest): Promise<Buffer | null> {
    const { requestApiKey: apiKey, requestApiVersion: version, correlationId, clientId } = req.header;
    if (apiKey === ApiKey.LeaderAndIsr) {
      const codec = API_CODECS[ApiKey.LeaderAndIsr];
      const request = codec.decodeRequest(req.body, version);
      this.requests.push({ apiKey, version, clientId, request });
      const response = {
        ...codec.defaultResponse(),
        errorCode: ErrorCode.NONE,
        topics: request.topicStates.map((t) => ({
          topicId: t.topicId,
          partitionErrors: t.partitionStates.map((p) => ({ topicName: t.topicName, partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE })),
        })),
      };
      return encodeResponseFrame(apiKey, version, correlationId, (w) => codec.encodeResponse(w, response, version));
    }
    if (apiKey === ApiKey.UpdateMetadata) {
      const codec = API_CODECS[ApiKey.UpdateMetadata];
      this.requests.push({ apiKey, version, clientId, request: codec.decodeRequest(req.body, version) });
      return encodeResponseFrame(apiKey, version, correlationId, (w) => codec.encodeResponse(w, { errorCode: ErrorCode.NONE }, version));
    }
    if (apiKey === ApiKey.StopReplica) {
      const codec = API_CODECS[ApiKey.StopReplica];
      const request = codec.decodeRequest(req.body, version);
      this.requests.push({ apiKey, version, clientId, request });
      const response = {
        errorCode: ErrorCode.NONE,
        partitionErrors: request.topicStates.flatMap((t) =>
          t.partitionStates.map((p) => ({ topicName: t.topicName, partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE })),
        ),
      };
      return encodeResponseFrame(apiKey, version, correlationId, (w) => codec.encodeResponse(w, response, version));
    }
    throw new Error(`recording broker ${this.id} got unexpected api key ${apiKey}`);
  }
}
