/**
 * Kafka's SocketServer for one broker (kafka.network.SocketServer + Processor + Selector): listeners
 * accept connections, each connection's byte stream is cut into size-prefixed frames, the request
 * header is decoded, and the request is handed to the RequestHandler.
 *
 * Per connection, requests are processed one at a time in arrival order and answered in that order:
 * like Kafka muting the channel while a request is in flight, reading is paused (socket.pause()) from
 * the moment a request is handed over until its response has been written; frames that arrived in
 * the same chunk are queued and processed next. When a response write does not fit in the socket's
 * buffer, the next request waits for 'drain' (a client that does not read cannot make us buffer).
 *
 * Bytes are read with Node's `onread` into buffers the DirectFrameReader picks, as Kafka's
 * NetworkReceive reads a request into a buffer of its declared size: a large Produce lands in its own
 * buffer in as few reads as the kernel allows, with no 64 KiB chunk per read and no reassembly copy.
 * Node's net.Server has no `onread` option for the sockets it accepts, so each one is accepted paused
 * and its handle moved into a socket created with `onread` (see adoptWithOnread).
 *
 * Failures are confined to their connection: an oversized or negative size prefix (rejected before
 * any of the frame is buffered), a header that does not decode, a handler exception or a
 * CloseConnection from the handler close that connection only; socket errors are logged, never thrown.
 * Idle connections (no bytes read or written for connections.max.idle.ms, no request in flight) are
 * closed by one periodic sweep.
 */
import * as net from 'node:net';
import { createLogger, type Logger } from '../common/logger';
import { SYSTEM_TIME, type Time } from '../common/time';
import { DirectFrameReader, FrameTooLargeError, InvalidFrameSizeError, decodeRequestFrame, type DecodedRequestFrame } from '../protocol';
import { CloseConnection, type RequestHandler, type ResponseFrame, responseFrameLength } from './request-handler';

export interface ListenerConfig {
  /** Listener name, e.g. PLAINTEXT. */
  name: string;
  host: string;
  /** 0 binds an ephemeral port; startup() reports the actual one. */
  port: number;
}

export interface SocketServerConfig {
  listeners: ListenerConfig[];
  /** socket.request.max.bytes (Kafka default 104857600). */
  socketRequestMaxBytes: number;
  /** connections.max.idle.ms (Kafka default 600000). */
  connectionsMaxIdleMs: number;
  handler: RequestHandler;
  /**
   * Called with each piece of a response once the socket has written it all (not after a failed
   * write): the broker gives pooled log-read buffers back here (log/read-buffer-pool).
   */
  onResponseWritten?: (piece: Buffer) => void;
  /**
   * Gives a request frame too big for the read scratch its buffer (see DirectFrameReader); default
   * a fresh one. The broker takes them from a pool, and the Produce handler gives each back once its
   * records are appended.
   */
  allocateRequestFrame?: (size: number) => Buffer;
  logger?: Logger;
  time?: Time;
}

/** Plain counters; `connections` is the current count, the rest only grow. */
export interface SocketServerMetrics {
  connections: number;
  connectionsAccepted: number;
  connectionsClosed: number;
  idleConnectionsClosed: number;
  requests: number;
  responses: number;
  bytesIn: number;
  bytesOut: number;
  /** Connections closed for a bad size prefix, a header that did not decode or a handler failure. */
  errorCloses: number;
}

interface Connection {
  readonly id: string;
  socket: net.Socket;
  readonly listenerName: string;
  readonly clientAddress: string;
  readonly reader: DirectFrameReader;
  /** Complete frames not yet handed to the handler, in arrival order. */
  readonly queue: Buffer[];
  /** A request is with the handler, or its response is waiting for 'drain'. */
  busy: boolean;
  closed: boolean;
  lastActiveMs: number;
}

export class SocketServer {
  private readonly handler: RequestHandler;
  private readonly log: Logger;
  private readonly time: Time;
  private readonly servers = new Map<string, net.Server>();
  private readonly ports = new Map<string, number>();
  private readonly conns = new Map<string, Connection>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private nextConnectionIndex = 0;
  private state: 'new' | 'starting' | 'running' | 'stopped' = 'new';
  private readonly counters: SocketServerMetrics = {
    connections: 0,
    connectionsAccepted: 0,
    connectionsClosed: 0,
    idleConnectionsClosed: 0,
    requests: 0,
    responses: 0,
    bytesIn: 0,
    bytesOut: 0,
    errorCloses: 0,
  };

  constructor(private readonly config: SocketServerConfig) {
    if (config.listeners.length === 0) throw new Error('SocketServer needs at least one listener');
    const names = new Set(config.listeners.map((l) => l.name));
    if (names.size !== config.listeners.length) throw new Error('listener names must be unique');
    if (!(config.socketRequestMaxBytes > 0)) throw new Error(`socketRequestMaxBytes must be positive, got ${config.socketRequestMaxBytes}`);
    if (!(config.connectionsMaxIdleMs > 0)) throw new Error(`connectionsMaxIdleMs must be positive, got ${config.connectionsMaxIdleMs}`);
    this.handler = config.handler;
    this.log = config.logger ?? createLogger('socket-server');
    this.time = config.time ?? SYSTEM_TIME;
  }

  /** Binds every listener; resolves to listener name → bound port. */
  async startup(): Promise<Record<string, number>> {
    if (this.state !== 'new') throw new Error(`SocketServer cannot start from state ${this.state}`);
    this.state = 'starting';
    try {
      for (const listener of this.config.listeners) {
        const server = net.createServer({ noDelay: true, keepAlive: true, pauseOnConnect: true }, (socket) => this.accept(listener.name, socket));
        server.on('error', (err) => this.log.error({ err, listener: listener.name }, 'listener error'));
        this.servers.set(listener.name, server);
        await new Promise<void>((resolve, reject) => {
          const onError = (err: Error): void => reject(err);
          server.once('error', onError);
          server.listen(listener.port, listener.host, () => {
            server.off('error', onError);
            resolve();
          });
        });
        const address = server.address() as net.AddressInfo;
        this.ports.set(listener.name, address.port);
        this.log.info({ listener: listener.name, host: listener.host, port: address.port }, 'listening');
      }
    } catch (err) {
      await this.shutdown();
      throw err;
    }
    this.state = 'running';
    const sweepMs = Math.min(Math.max(Math.floor(this.config.connectionsMaxIdleMs / 10), 10), 10_000);
    this.sweepTimer = setInterval(() => this.closeIdleConnections(), sweepMs);
    this.sweepTimer.unref();
    return this.boundPorts();
  }

  /** Listener name → bound port (after startup). */
  boundPorts(): Record<string, number> {
    return Object.fromEntries(this.ports);
  }

  boundPort(listenerName: string): number {
    const port = this.ports.get(listenerName);
    if (port === undefined) throw new Error(`no bound listener named ${listenerName}`);
    return port;
  }

  /** Stops accepting, destroys every connection and clears the idle sweep. Idempotent. */
  async shutdown(): Promise<void> {
    this.state = 'stopped';
    if (this.sweepTimer !== undefined) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    const closing = [...this.servers.values()].map(
      (server) =>
        new Promise<void>((resolve) => {
          if (!server.listening) {
            resolve();
            return;
          }
          server.close(() => resolve());
        }),
    );
    this.servers.clear();
    for (const conn of [...this.conns.values()]) this.close(conn, 'shutdown');
    await Promise.all(closing);
  }

  /** A snapshot of the counters. */
  metrics(): SocketServerMetrics {
    return { ...this.counters };
  }

  get connectionCount(): number {
    return this.conns.size;
  }

  private accept(listenerName: string, accepted: net.Socket): void {
    if (this.state !== 'running' && this.state !== 'starting') {
      accepted.destroy();
      return;
    }
    const clientAddress = `${accepted.remoteAddress ?? '?'}:${accepted.remotePort ?? '?'}`;
    const id = `${accepted.localAddress ?? '?'}:${accepted.localPort ?? '?'}-${clientAddress}-${this.nextConnectionIndex++}`;
    const reader = new DirectFrameReader(this.config.socketRequestMaxBytes, undefined, this.config.allocateRequestFrame);
    const conn: Connection = {
      id,
      socket: accepted,
      listenerName,
      clientAddress,
      reader,
      queue: [],
      busy: false,
      closed: false,
      lastActiveMs: this.time.hiResMilliseconds(),
    };
    let socket: net.Socket;
    try {
      socket = adoptWithOnread(accepted, { buffer: () => reader.nextReadBuffer(), callback: (nread) => this.onRead(conn, nread) });
    } catch (err) {
      this.log.error({ err, clientAddress }, `closing connection from ${clientAddress}: could not set up reading`);
      accepted.destroy();
      return;
    }
    conn.socket = socket;
    this.conns.set(id, conn);
    this.counters.connections = this.conns.size;
    this.counters.connectionsAccepted++;
    socket.on('error', (err) => this.log.debug({ err, connectionId: id, clientAddress }, 'socket error'));
    socket.on('end', () => this.close(conn, 'client closed'));
    socket.on('close', () => this.close(conn, 'socket closed'));
    socket.on('drain', () => this.onDrain(conn));
    // Flowing, so that the end of the stream is seen ('end'); the bytes themselves go to onRead.
    socket.resume();
  }

  /** `nread` bytes arrived in the reader's buffer; returns false to stop reading (connection closed). */
  private onRead(conn: Connection, nread: number): boolean {
    if (conn.closed) return false;
    this.counters.bytesIn += nread;
    conn.lastActiveMs = this.time.hiResMilliseconds();
    let frames: Buffer[];
    try {
      frames = conn.reader.onRead(nread);
    } catch (err) {
      // Never rethrown: a throw here would escape into Node's stream internals as an uncaught exception.
      this.counters.errorCloses++;
      if (err instanceof FrameTooLargeError) {
        this.log.warn(
          { connectionId: conn.id, clientAddress: conn.clientAddress, size: err.size, maxSize: err.maxFrameSize },
          `closing connection from ${conn.clientAddress}: request of ${err.size} bytes exceeds socket.request.max.bytes (${err.maxFrameSize})`,
        );
      } else if (err instanceof InvalidFrameSizeError) {
        this.log.warn({ connectionId: conn.id, clientAddress: conn.clientAddress, size: err.size }, `closing connection from ${conn.clientAddress}: invalid request size ${err.size}`);
      } else {
        this.log.error({ err, connectionId: conn.id, clientAddress: conn.clientAddress }, 'closing connection: framing failed');
      }
      this.close(conn, 'bad frame');
      return false;
    }
    for (const frame of frames) conn.queue.push(frame);
    this.processNext(conn);
    return !conn.closed;
  }

  private onDrain(conn: Connection): void {
    if (conn.closed || !conn.busy) return;
    conn.busy = false;
    this.processNext(conn);
  }

  /** Hands the next queued frame to the handler, or resumes reading when there is none. */
  private processNext(conn: Connection): void {
    if (conn.closed || conn.busy) return;
    const frame = conn.queue.shift();
    if (frame === undefined) {
      if (conn.socket.isPaused()) conn.socket.resume();
      return;
    }
    conn.busy = true;
    conn.socket.pause();
    void this.process(conn, frame);
  }

  /** Processes one frame; never rejects. */
  private async process(conn: Connection, frame: Buffer): Promise<void> {
    let decoded: DecodedRequestFrame;
    try {
      decoded = decodeRequestFrame(frame);
    } catch (err) {
      this.counters.errorCloses++;
      this.log.warn(
        { err, connectionId: conn.id, clientAddress: conn.clientAddress, size: frame.length },
        `closing connection from ${conn.clientAddress}: malformed request header`,
      );
      this.close(conn, 'malformed request');
      return;
    }
    this.counters.requests++;
    let response: ResponseFrame | null;
    try {
      response = await this.handler.handle({
        frame,
        header: decoded.header,
        headerVersion: decoded.headerVersion,
        body: decoded.body,
        connectionId: conn.id,
        listenerName: conn.listenerName,
        clientAddress: conn.clientAddress,
      });
    } catch (err) {
      const { requestApiKey, requestApiVersion, correlationId, clientId } = decoded.header;
      const ctx = { connectionId: conn.id, clientAddress: conn.clientAddress, apiKey: requestApiKey, apiVersion: requestApiVersion, correlationId, clientId };
      if (err instanceof CloseConnection) {
        this.log.debug({ ...ctx, reason: err.message }, 'handler closed the connection');
      } else {
        this.counters.errorCloses++;
        this.log.error({ ...ctx, err }, `closing connection from ${conn.clientAddress}: request handler failed`);
      }
      this.close(conn, 'handler');
      return;
    }
    if (conn.closed) return;
    if (response !== null) {
      this.counters.responses++;
      this.counters.bytesOut += responseFrameLength(response);
      conn.lastActiveMs = this.time.hiResMilliseconds();
      // One write per response (pieces corked into one writev); when it does not fit the buffer,
      // wait for 'drain' before the next.
      if (!this.write(conn.socket, response)) return;
    }
    conn.busy = false;
    this.processNext(conn);
  }

  private write(socket: net.Socket, frame: ResponseFrame): boolean {
    const written = this.config.onResponseWritten;
    if (Buffer.isBuffer(frame)) {
      return written === undefined ? socket.write(frame) : socket.write(frame, (err) => {
        if (!err) written(frame);
      });
    }
    socket.cork();
    let fits = true;
    const last = frame.length - 1;
    for (let i = 0; i < last; i++) fits = socket.write(frame[i]!);
    // Corked pieces go out in one writev: the last one's callback runs once all are written.
    const allWritten = written === undefined ? undefined : (err?: Error | null): void => {
      if (!err) for (const piece of frame) written(piece);
    };
    if (last >= 0) fits = socket.write(frame[last]!, allWritten);
    socket.uncork();
    return fits;
  }

  private closeIdleConnections(): void {
    const now = this.time.hiResMilliseconds();
    for (const conn of [...this.conns.values()]) {
      if (conn.busy || now - conn.lastActiveMs <= this.config.connectionsMaxIdleMs) continue;
      this.counters.idleConnectionsClosed++;
      this.log.debug({ connectionId: conn.id, clientAddress: conn.clientAddress, idleMs: now - conn.lastActiveMs }, 'closing idle connection');
      this.close(conn, 'idle');
    }
  }

  private close(conn: Connection, reason: string): void {
    if (conn.closed) return;
    conn.closed = true;
    conn.queue.length = 0;
    this.conns.delete(conn.id);
    this.counters.connections = this.conns.size;
    this.counters.connectionsClosed++;
    this.log.trace({ connectionId: conn.id, reason }, 'connection closed');
    conn.socket.destroy();
  }
}

interface OnRead {
  buffer: () => Uint8Array;
  callback: (nread: number, buf: Uint8Array) => boolean;
}

/**
 * A socket reading with `onread` over the connection `accepted` (accepted with pauseOnConnect, so
 * nothing has been read from it yet). Its handle moves to the new socket; the emptied one is
 * destroyed, which only releases the listener's connection count (the SocketServer tracks and
 * closes its connections itself). TCP_NODELAY and keep-alive, set on the handle, stay.
 */
function adoptWithOnread(accepted: net.Socket, onread: OnRead): net.Socket {
  const holder = accepted as unknown as { _handle: unknown };
  const handle = holder._handle;
  if (handle === null || handle === undefined) throw new Error('accepted socket has no handle');
  holder._handle = null;
  accepted.destroy();
  // `handle` is Node's own option for wrapping an accepted handle (net.Server uses it); not in @types/node.
  return new net.Socket({ handle, onread, readable: true, writable: true } as net.SocketConstructorOpts);
}
