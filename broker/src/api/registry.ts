/**
 * The API registry: api key → handler + supported version range, and the request path from a
 * decoded header to a response frame. It implements the network's RequestHandler, so the
 * SocketServer can hand it requests directly. ApiVersions is built from these registrations
 * (`apiVersionsResponseKeys`), so what the broker advertises is exactly what it dispatches.
 *
 * What Kafka 2.8 does with requests it cannot serve (and what this file copies):
 *  - Unknown api key, or a key not enabled on this broker: SocketServer.Processor.parseRequestHeader
 *    throws InvalidRequestException ("Unknown API key" from RequestHeader.parse, or "Received request
 *    api key … which is not enabled"); processCompletedReceives catches it and processChannelException
 *    closes the connection with no response. → CloseConnection.
 *  - Supported key, unsupported version: the RequestChannel.Request constructor parses the body through
 *    RequestContext.parseRequest, which wraps any failure in InvalidRequestException ("Error getting
 *    request for apiKey: …, apiVersion: …"); the same catch closes the connection. → CloseConnection.
 *  - Except ApiVersions (KIP-511, RequestContext.isUnsupportedApiVersionsRequest): the body is not
 *    parsed, the request is treated as v0 and answered with a v0-format response (response header v0)
 *    carrying UNSUPPORTED_VERSION, so a client can retry lower. The handler's `unsupportedVersion`
 *    hook supplies that response.
 *  - Body that does not decode at a supported version: the same InvalidRequestException path →
 *    connection closed, with a log line. → CloseConnection.
 *  - Handler failure: KafkaApis.handle catches it, and RequestHandlerHelper.handleError answers with
 *    the request's getErrorResponse(e), the code from Errors.forException(e). → `errorResponse`
 *    with toErrorCode(err).
 */
import { ErrorCode, apiCodec, encodeResponseFrame, encodeResponseFrameChunks, type ApiMessages, type RequestHeader } from '../protocol';
import type { ApiVersion } from '../protocol/generated/api-versions-response';
import { CloseConnection, type NetworkRequest, type RequestHandler, type ResponseFrame } from '../network/request-handler';
import { createLogger, type Logger } from '../common/logger';
import { toErrorCode } from './errors';

/** An API key the generated codecs know. */
export type ApiKeyOf = keyof ApiMessages;
export type RequestOf<K extends ApiKeyOf> = ApiMessages[K]['request'];
export type ResponseOf<K extends ApiKeyOf> = ApiMessages[K]['response'];

/** What a handler knows about the request besides its body (Kafka's RequestContext). */
export interface RequestContext {
  readonly header: RequestHeader;
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
  readonly connectionId: string;
  readonly listenerName: string;
  readonly clientAddress: string;
}

/** A response body and the version to encode it at (only differs from the request's for ApiVersions). */
export interface VersionedResponse<K extends ApiKeyOf> {
  readonly version: number;
  readonly response: ResponseOf<K>;
}

/** One API's handler, registered with the version range this broker serves. */
export interface ApiHandler<K extends ApiKeyOf> {
  readonly apiKey: K;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** Serves one decoded request; null sends no response (acks=0 produce). Throw to fail it. */
  handle(ctx: RequestContext, request: RequestOf<K>): Promise<ResponseOf<K> | null> | ResponseOf<K> | null;
  /** The response for a request that failed with `errorCode` (Kafka's AbstractRequest.getErrorResponse). */
  errorResponse(ctx: RequestContext, request: RequestOf<K>, errorCode: number): ResponseOf<K>;
  /**
   * Answer for a version outside [minVersion, maxVersion] instead of closing the connection. Only
   * ApiVersions has one in Kafka; every other API leaves this undefined.
   */
  unsupportedVersion?(ctx: RequestContext): VersionedResponse<K>;
  /** About how many bytes the encoded response takes (responses carrying record sets), to size the writer once. */
  responseSizeHint?(response: ResponseOf<K>): number;
}

/** A handler with its key's types erased, as the registry stores it. */
interface StoredHandler {
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
  handle(ctx: RequestContext, request: unknown): Promise<unknown> | unknown;
  errorResponse(ctx: RequestContext, request: unknown, errorCode: number): unknown;
  unsupportedVersion?(ctx: RequestContext): { version: number; response: unknown };
  responseSizeHint?(response: unknown): number;
}

/** Registered handlers by api key, and the RequestHandler the network layer calls. */
export class ApiRegistry implements RequestHandler {
  private readonly handlers = new Map<number, StoredHandler>();
  private readonly log: Logger;

  constructor(log: Logger = createLogger('ApiRegistry')) {
    this.log = log;
  }

  /** Adds a handler; its range must lie inside the generated codec's range and its key be new. */
  register<K extends ApiKeyOf>(handler: ApiHandler<K>): this {
    const codec = apiCodec(handler.apiKey);
    if (codec === undefined) throw new Error(`no codec for api key ${handler.apiKey}`);
    if (this.handlers.has(handler.apiKey)) throw new Error(`api key ${handler.apiKey} (${codec.name}) is already registered`);
    if (handler.minVersion < codec.minVersion || handler.maxVersion > codec.maxVersion || handler.minVersion > handler.maxVersion) {
      throw new Error(
        `${codec.name} range ${handler.minVersion}-${handler.maxVersion} is outside the codec's ${codec.minVersion}-${codec.maxVersion}`,
      );
    }
    this.handlers.set(handler.apiKey, handler as unknown as StoredHandler);
    return this;
  }

  /** The version range served for `apiKey`, or undefined when it is not registered. */
  versionRange(apiKey: number): { minVersion: number; maxVersion: number } | undefined {
    const h = this.handlers.get(apiKey);
    return h === undefined ? undefined : { minVersion: h.minVersion, maxVersion: h.maxVersion };
  }

  /** Exactly the registered APIs with their registered ranges, by api key: the ApiVersions list. */
  apiVersionsResponseKeys(): ApiVersion[] {
    return [...this.handlers.values()]
      .sort((a, b) => a.apiKey - b.apiKey)
      .map((h) => ({ apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }));
  }

  /** RequestHandler: decode the body, run the handler, encode the response frame. */
  async handle(req: NetworkRequest): Promise<ResponseFrame | null> {
    const { header } = req;
    const apiKey = header.requestApiKey;
    const apiVersion = header.requestApiVersion;
    const ctx: RequestContext = {
      header,
      apiKey,
      apiVersion,
      correlationId: header.correlationId,
      clientId: header.clientId,
      connectionId: req.connectionId,
      listenerName: req.listenerName,
      clientAddress: req.clientAddress,
    };
    const where = { apiKey, apiVersion, correlationId: header.correlationId, connectionId: req.connectionId, clientAddress: req.clientAddress };

    const handler = this.handlers.get(apiKey);
    const codec = apiCodec(apiKey);
    if (handler === undefined || codec === undefined) {
      this.log.warn(where, 'closing connection: unknown or disabled api key');
      throw new CloseConnection(`Unknown API key ${apiKey}`);
    }

    if (apiVersion < handler.minVersion || apiVersion > handler.maxVersion) {
      if (handler.unsupportedVersion === undefined) {
        this.log.warn(where, `closing connection: unsupported ${codec.name} version`);
        throw new CloseConnection(`Unsupported ${codec.name} version ${apiVersion}`);
      }
      const { version, response } = handler.unsupportedVersion(ctx);
      return encodeResponseFrame(apiKey, version, header.correlationId, (w) => codec.encodeResponse(w, response, version));
    }

    let request: unknown;
    try {
      request = codec.decodeRequest(req.body, apiVersion);
    } catch (err) {
      // Kafka: RequestContext.parseRequest → InvalidRequestException → processChannelException closes.
      this.log.warn({ ...where, err }, `closing connection: error decoding ${codec.name} request`);
      throw new CloseConnection(`Error getting request for apiKey: ${apiKey}, apiVersion: ${apiVersion}`);
    }

    let response: unknown;
    try {
      response = await handler.handle(ctx, request);
    } catch (err) {
      if (err instanceof CloseConnection) throw err;
      const errorCode = toErrorCode(err);
      if (errorCode === ErrorCode.UNKNOWN_SERVER_ERROR) this.log.error({ ...where, err }, `error handling ${codec.name} request`);
      else this.log.debug({ ...where, errorCode }, `${codec.name} request failed`);
      response = handler.errorResponse(ctx, request, errorCode);
    }
    if (response === null) return null;
    const sizeHint = handler.responseSizeHint?.(response) ?? 256;
    return encodeResponseFrameChunks(apiKey, apiVersion, header.correlationId, (w) => codec.encodeResponse(w, response, apiVersion), sizeHint);
  }
}
