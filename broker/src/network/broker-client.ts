/**
 * The inter-broker client for one destination (Kafka's NetworkClient + Selector for a single node, as
 * the controller's RequestSendThread and a follower's fetcher use it). It connects lazily on the first
 * send, pipelines requests with increasing correlation ids, matches responses by correlation id (Kafka
 * brokers answer a connection's requests in order, which is checked), and fails every pending request
 * when the connection drops or a request times out. A failed connection is retried on the next send,
 * after a backoff that grows from reconnectBackoffMs up to reconnectBackoffMaxMs, as Kafka's
 * reconnect.backoff.ms / reconnect.backoff.max.ms do.
 */
import * as net from 'node:net';
import { createLogger, type Logger } from '../common/logger';
import {
  API_CODECS,
  ByteWriter,
  DirectFrameReader,
  decodeResponseFrame,
  encodeRequestFrame,
  type ApiMessages,
} from '../protocol';

export interface BrokerClientOptions {
  host: string;
  port: number;
  clientId: string;
  /** request.timeout.ms: a request unanswered this long fails and the connection is closed (Kafka does). */
  requestTimeoutMs: number;
  logger?: Logger;
  /** reconnect.backoff.ms (Kafka default 50). */
  reconnectBackoffMs?: number;
  /** reconnect.backoff.max.ms (Kafka default 1000). */
  reconnectBackoffMaxMs?: number;
  /** Largest response frame accepted (Kafka's client has no limit; this guards against garbage sizes). */
  maxResponseBytes?: number;
  /** Buffers for response frames too big for the read scratch (see DirectFrameReader); default fresh ones. */
  allocateFrame?: (size: number) => Buffer;
}

/** A request failed because of the connection (refused, dropped, timed out) or the client was closed. */
export class BrokerClientError extends Error {
  override readonly name = 'BrokerClientError';
  constructor(
    message: string,
    readonly reason: 'disconnected' | 'timeout' | 'closed' | 'protocol',
  ) {
    super(message);
  }
}

interface InFlight {
  readonly correlationId: number;
  readonly apiKey: number;
  readonly version: number;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class BrokerClient {
  private socket: net.Socket | null = null;
  private connecting: Promise<net.Socket> | null = null;
  private readonly inFlight: InFlight[] = [];
  private nextCorrelationId = 0;
  private closed = false;
  private failures = 0;
  private lastFailureMs = 0;
  private readonly log: Logger;
  private readonly backoffMs: number;
  private readonly backoffMaxMs: number;

  constructor(private readonly options: BrokerClientOptions) {
    this.log = options.logger ?? createLogger('BrokerClient', { destination: `${options.host}:${options.port}` });
    this.backoffMs = options.reconnectBackoffMs ?? 50;
    this.backoffMaxMs = options.reconnectBackoffMaxMs ?? 1000;
  }

  get destination(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  /** True while a connection is established. */
  get isConnected(): boolean {
    return this.socket !== null;
  }

  /** Sends one request and resolves with its decoded response. */
  async send<K extends keyof ApiMessages>(apiKey: K, version: number, request: ApiMessages[K]['request']): Promise<ApiMessages[K]['response']> {
    if (this.closed) throw new BrokerClientError(`client to ${this.destination} is closed`, 'closed');
    const codec = API_CODECS[apiKey];
    if (version < codec.minVersion || version > codec.maxVersion) {
      throw new RangeError(`${codec.name} version ${version} is outside ${codec.minVersion}-${codec.maxVersion}`);
    }
    const socket = await this.connect();
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = (this.nextCorrelationId + 1) & 0x7fffffff;
    const frame = encodeRequestFrame(
      { apiKey, apiVersion: version, correlationId, clientId: this.options.clientId },
      (w: ByteWriter) => codec.encodeRequest(w, request, version),
    );
    return new Promise<ApiMessages[K]['response']>((resolve, reject) => {
      const timer = setTimeout(() => {
        const err = new BrokerClientError(
          `${codec.name} request (correlation id ${correlationId}) to ${this.destination} timed out after ${this.options.requestTimeoutMs} ms`,
          'timeout',
        );
        // Like Kafka's NetworkClient: a timed-out request closes the connection, failing the others too.
        this.disconnect(socket, err);
      }, this.options.requestTimeoutMs);
      this.inFlight.push({ correlationId, apiKey, version, resolve: resolve as (v: unknown) => void, reject, timer });
      socket.write(frame);
    });
  }

  /** Closes the connection and fails pending requests; later sends are refused. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const socket = this.socket;
    this.failAll(new BrokerClientError(`client to ${this.destination} closed`, 'closed'));
    this.socket = null;
    if (socket !== null) {
      await new Promise<void>((resolve) => {
        if (socket.destroyed) return resolve();
        socket.once('close', () => resolve());
        socket.destroy();
      });
    }
  }

  private connect(): Promise<net.Socket> {
    if (this.socket !== null) return Promise.resolve(this.socket);
    this.connecting ??= this.openConnection().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async openConnection(): Promise<net.Socket> {
    if (this.failures > 0) {
      const backoff = Math.min(this.backoffMaxMs, this.backoffMs * 2 ** (this.failures - 1));
      const wait = this.lastFailureMs + backoff - Date.now();
      if (wait > 0) await sleep(wait);
    }
    if (this.closed) throw new BrokerClientError(`client to ${this.destination} is closed`, 'closed');
    const reader = new DirectFrameReader(this.options.maxResponseBytes ?? 1024 * 1024 * 1024, undefined, this.options.allocateFrame);
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      // onread lets the kernel read a large Fetch response straight into that frame's own buffer
      // (see DirectFrameReader) instead of into a fresh 64 KiB chunk per read that is then copied.
      // Node calls `buffer` once when the handle is set up and again after every callback.
      const s: net.Socket = net.connect({
        host: this.options.host,
        port: this.options.port,
        onread: {
          buffer: () => reader.nextReadBuffer(),
          callback: (nread) => {
            let frames: Buffer[];
            try {
              frames = reader.onRead(nread);
            } catch (err) {
              // A throw here would escape into Node's stream internals as an uncaught exception.
              this.disconnect(s, new BrokerClientError(`bad response frame from ${this.destination}: ${String(err)}`, 'protocol'));
              s.destroy();
              return false;
            }
            // `this.socket` is set in the microtasks right after 'connect', before any read can run;
            // a socket that is no longer current has had its requests failed already.
            if (this.socket !== s) return false;
            for (const frame of frames) this.onResponse(s, frame);
            return true;
          },
        },
      });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new BrokerClientError(`connection to ${this.destination} timed out`, 'timeout'));
      }, this.options.requestTimeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        s.removeAllListeners('error');
        resolve(s);
      });
      s.once('error', (err) => {
        clearTimeout(timer);
        reject(new BrokerClientError(`connection to ${this.destination} failed: ${err.message}`, 'disconnected'));
      });
    }).catch((err: unknown) => {
      this.failures++;
      this.lastFailureMs = Date.now();
      throw err;
    });
    if (this.closed) {
      socket.destroy();
      throw new BrokerClientError(`client to ${this.destination} is closed`, 'closed');
    }
    socket.setNoDelay(true);
    this.failures = 0;
    this.socket = socket;
    socket.on('error', (err) => this.log.debug({ err: err.message }, 'connection error'));
    socket.on('close', () => this.disconnect(socket, new BrokerClientError(`connection to ${this.destination} was closed`, 'disconnected')));
    this.log.debug('connected');
    return socket;
  }

  private onResponse(socket: net.Socket, frame: Buffer): void {
    const pending = this.inFlight[0];
    if (pending === undefined) {
      this.disconnect(socket, new BrokerClientError(`unexpected response from ${this.destination}`, 'protocol'));
      return;
    }
    try {
      const { correlationId, body } = decodeResponseFrame(frame, pending.apiKey, pending.version);
      if (correlationId !== pending.correlationId) {
        throw new Error(`correlation id ${correlationId} does not match the expected ${pending.correlationId}`);
      }
      const codec = API_CODECS[pending.apiKey as keyof ApiMessages];
      const response = codec.decodeResponse(body, pending.version);
      this.inFlight.shift();
      clearTimeout(pending.timer);
      pending.resolve(response);
    } catch (err) {
      this.disconnect(socket, new BrokerClientError(`bad response from ${this.destination}: ${err instanceof Error ? err.message : String(err)}`, 'protocol'));
    }
  }

  private disconnect(socket: net.Socket, err: BrokerClientError): void {
    if (this.socket !== socket) return;
    this.socket = null;
    this.failures++;
    this.lastFailureMs = Date.now();
    socket.destroy();
    this.failAll(err);
    if (!this.closed) this.log.debug({ reason: err.reason }, err.message);
  }

  private failAll(err: Error): void {
    for (const p of this.inFlight.splice(0)) {
      clearTimeout(p.timer);
      p.reject(err);
    }
  }
}
