import * as net from 'node:net';
import { ApiKey, FrameReader, SHARED_RECORDS_MIN_BYTES, encodeRequestFrame, encodeResponseFrame, encodeResponseFrameChunks } from '../protocol';
import { CloseConnection, type NetworkRequest, type RequestHandler, type ResponseFrame } from './request-handler';
import { SocketServer, type SocketServerConfig } from './socket-server';

// --- scaffolding -------------------------------------------------------------------------------

/** An ApiVersions v0 request (empty body) carrying `correlationId`, optionally with a payload. */
function request(correlationId: number, clientId = 'test', apiKey: number = ApiKey.ApiVersions, payload?: Buffer): Buffer {
  return encodeRequestFrame({ apiKey, apiVersion: 0, correlationId, clientId }, (w) => {
    if (payload !== undefined) w.raw(payload);
  });
}

/** Echoes the correlation id: an ApiVersions v0 response frame whose body is int32 correlationId. */
function echo(req: NetworkRequest): Buffer {
  return encodeResponseFrame(ApiKey.ApiVersions, 0, req.header.correlationId, (w) => w.int32(req.header.correlationId));
}

class StubHandler implements RequestHandler {
  delay: (req: NetworkRequest) => number = () => 0;
  behaviour: (req: NetworkRequest) => ResponseFrame | null = echo;
  inFlight = 0;
  maxInFlightPerConnection = 0;
  private readonly perConn = new Map<string, number>();
  seen: NetworkRequest[] = [];

  async handle(req: NetworkRequest): Promise<ResponseFrame | null> {
    this.seen.push(req);
    const n = (this.perConn.get(req.connectionId) ?? 0) + 1;
    this.perConn.set(req.connectionId, n);
    this.maxInFlightPerConnection = Math.max(this.maxInFlightPerConnection, n);
    try {
      const ms = this.delay(req);
      if (ms > 0) await new Promise((r) => setTimeout(r, ms));
      return this.behaviour(req);
    } finally {
      this.perConn.set(req.connectionId, n - 1);
    }
  }
}

class Client {
  readonly socket: net.Socket;
  readonly correlationIds: number[] = [];
  readonly frames: Buffer[] = [];
  private readonly reader = new FrameReader(64 << 20);
  private waiters: (() => void)[] = [];
  closed = false;
  readonly closedPromise: Promise<void>;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      for (const f of this.reader.push(chunk)) {
        this.frames.push(f);
        this.correlationIds.push(f.readInt32BE(0));
      }
      this.wake();
    });
    socket.on('error', () => undefined);
    this.closedPromise = new Promise((resolve) =>
      socket.on('close', () => {
        this.closed = true;
        this.wake();
        resolve();
      }),
    );
  }

  static connect(port: number): Promise<Client> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(new Client(socket)));
      socket.once('error', reject);
    });
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  async waitFor(n: number, timeoutMs = 5000): Promise<number[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.correlationIds.length < n) {
      if (this.closed) throw new Error(`connection closed after ${this.correlationIds.length}/${n} responses`);
      if (Date.now() > deadline) throw new Error(`timed out after ${this.correlationIds.length}/${n} responses`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
    return this.correlationIds.slice(0, n);
  }

  async waitClosed(timeoutMs = 5000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.closedPromise,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('connection was not closed')), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  write(b: Buffer): void {
    this.socket.write(b);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);

// --- tests -------------------------------------------------------------------------------------

describe('SocketServer', () => {
  let server: SocketServer;
  let handler: StubHandler;
  let port: number;
  const clients: Client[] = [];

  async function start(overrides: Partial<SocketServerConfig> = {}): Promise<void> {
    handler = new StubHandler();
    server = new SocketServer({
      listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 0 }],
      socketRequestMaxBytes: 104857600,
      connectionsMaxIdleMs: 600000,
      handler,
      ...overrides,
    });
    const ports = await server.startup();
    port = ports.PLAINTEXT;
  }

  async function connect(): Promise<Client> {
    const c = await Client.connect(port);
    clients.push(c);
    return c;
  }

  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await server.shutdown();
  });

  it('reports the bound ephemeral port and passes header, listener and client address to the handler', async () => {
    await start();
    expect(port).toBeGreaterThan(0);
    expect(server.boundPort('PLAINTEXT')).toBe(port);
    const c = await connect();
    c.write(request(42, 'my-client'));
    expect(await c.waitFor(1)).toEqual([42]);
    const req = handler.seen[0];
    expect(req.header).toMatchObject({ requestApiKey: ApiKey.ApiVersions, requestApiVersion: 0, correlationId: 42, clientId: 'my-client' });
    expect(req.headerVersion).toBe(1);
    expect(req.listenerName).toBe('PLAINTEXT');
    expect(req.clientAddress).toBe(`127.0.0.1:${c.socket.localPort}`);
    expect(req.connectionId).toContain(req.clientAddress);
    expect(req.body.remaining).toBe(0);
  });

  it('answers pipelined requests in order, one at a time, even when the handler would finish out of order', async () => {
    await start();
    handler.delay = () => Math.floor(Math.random() * 8);
    const c = await connect();
    c.write(Buffer.concat(range(30).map((i) => request(i))));
    expect(await c.waitFor(30)).toEqual(range(30));
    expect(handler.maxInFlightPerConnection).toBe(1);
    // Slow first, fast second, written separately.
    handler.delay = (req) => (req.header.correlationId === 100 ? 50 : 0);
    c.write(request(100));
    c.write(request(101));
    expect((await c.waitFor(32)).slice(30)).toEqual([100, 101]);
  });

  it('reassembles a frame split across many writes', async () => {
    await start();
    const c = await connect();
    const frame = request(7, 'split', ApiKey.ApiVersions, Buffer.alloc(5000, 1));
    for (let i = 0; i < frame.length; i += 97) {
      c.write(frame.subarray(i, i + 97));
      if (i % (97 * 10) === 0) await sleep(1);
    }
    expect(await c.waitFor(1)).toEqual([7]);
    expect(handler.seen[0].frame.length).toBe(frame.length - 4);
  });

  it('handles many frames in one write and a write ending mid-frame', async () => {
    await start();
    const c = await connect();
    const all = Buffer.concat(range(10).map((i) => request(i)));
    c.write(all.subarray(0, all.length - 5));
    await sleep(20);
    c.write(all.subarray(all.length - 5));
    expect(await c.waitFor(10)).toEqual(range(10));
  });

  it('reads a large request into one buffer of its size, byte-exact, between small pipelined ones (NetworkReceive reads a request whole)', async () => {
    await start();
    const c = await connect();
    const big = Buffer.alloc(3 << 20);
    for (let i = 0; i < big.length; i++) big[i] = (i * 131 + (i >>> 13)) & 0xff;
    const frames = [request(1), request(2, 'big', ApiKey.Produce, big), request(3), request(4, 'big', ApiKey.Produce, big.subarray(0, 70_000)), request(5)];
    const all = Buffer.concat(frames);
    // Irregular write sizes so frame and size-prefix boundaries fall everywhere.
    let seed = 7;
    for (let pos = 0; pos < all.length; ) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const n = 1 + (seed % 200_000);
      c.write(all.subarray(pos, pos + n));
      pos += n;
      if (seed % 3 === 0) await sleep(1);
    }
    expect(await c.waitFor(5)).toEqual([1, 2, 3, 4, 5]);
    expect(handler.seen.map((r) => r.frame.length)).toEqual(frames.map((f) => f.length - 4));
    for (const [i, r] of handler.seen.entries()) expect(r.frame.equals(frames[i]!.subarray(4))).toBe(true);
    // The 3 MiB request is one allocation of exactly its size, not a view into a shared chunk.
    const bigFrame = handler.seen[1]!.frame;
    expect(bigFrame.byteOffset).toBe(0);
    expect(bigFrame.buffer.byteLength).toBe(bigFrame.length);
    expect(server.metrics().bytesIn).toBe(all.length);
  });

  it('reads a large request into the buffer allocateRequestFrame gives (the broker\'s pool), small ones into its scratch', async () => {
    const given: Buffer[] = [];
    await start({
      allocateRequestFrame: (size) => {
        const b = Buffer.alloc(size + 1000).subarray(0, size); // a pooled buffer is larger than the frame
        given.push(b);
        return b;
      },
    });
    const c = await connect();
    const big = Buffer.alloc(200_000, 9);
    const frames = [request(1), request(2, 'big', ApiKey.Produce, big), request(3)];
    c.write(Buffer.concat(frames));
    expect(await c.waitFor(3)).toEqual([1, 2, 3]);
    expect(given).toHaveLength(1);
    expect(handler.seen[1]!.frame.buffer).toBe(given[0]!.buffer);
    for (const [i, r] of handler.seen.entries()) expect(r.frame.equals(frames[i]!.subarray(4))).toBe(true);
  });

  it('closes only the connection that declares an oversized frame, before its body is sent', async () => {
    await start({ socketRequestMaxBytes: 1024 });
    const good = await connect();
    const bad = await connect();
    const size = Buffer.alloc(4);
    size.writeInt32BE(1025);
    bad.write(size); // only the size prefix: the server must not wait for the body
    await bad.waitClosed();
    good.write(request(1));
    expect(await good.waitFor(1)).toEqual([1]);
    const fresh = await connect();
    fresh.write(request(2, 'x', ApiKey.ApiVersions, Buffer.alloc(900)));
    expect(await fresh.waitFor(1)).toEqual([2]);
    expect(handler.seen.length).toBe(2);
    expect(server.metrics().errorCloses).toBe(1);
  });

  it('closes only the connection that sends garbage, a negative size or a truncated header', async () => {
    await start({ socketRequestMaxBytes: 1 << 20 });
    const good = await connect();
    const tooShort = Buffer.from([0, 0, 0, 3, 1, 2, 3]); // frame too short for a header
    const truncatedClientId = Buffer.from([0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 9, 0, 50]); // client_id of 50 bytes, 0 present
    const negative = Buffer.from([0xff, 0xff, 0xff, 0xf0, 1, 2]);
    const garbage = Buffer.from(range(64).map((i) => (i * 131 + 0x7f) & 0xff));
    for (const bytes of [tooShort, truncatedClientId, negative, garbage]) {
      const bad = await connect();
      bad.write(bytes);
      await bad.waitClosed();
      expect(bad.correlationIds).toEqual([]);
    }
    good.write(request(5));
    expect(await good.waitFor(1)).toEqual([5]);
    expect(handler.seen.length).toBe(1);
  });

  it('sends nothing when the handler returns null but keeps serving the connection', async () => {
    await start();
    handler.behaviour = (req) => (req.header.correlationId % 2 === 0 ? null : echo(req));
    const c = await connect();
    c.write(Buffer.concat(range(6).map((i) => request(i))));
    expect(await c.waitFor(3)).toEqual([1, 3, 5]);
    c.write(request(7));
    expect(await c.waitFor(4)).toEqual([1, 3, 5, 7]);
    expect(handler.seen.length).toBe(7);
  });

  it('closes the connection on CloseConnection and on any other handler error, and only that one', async () => {
    await start();
    handler.behaviour = (req) => {
      if (req.header.clientId === 'close') throw new CloseConnection('acks=0 produce failed');
      if (req.header.clientId === 'boom') throw new Error('bug');
      return echo(req);
    };
    const good = await connect();
    for (const clientId of ['close', 'boom']) {
      const bad = await connect();
      bad.write(Buffer.concat([request(1), request(2, clientId), request(3)]));
      await bad.waitClosed();
      expect(bad.correlationIds).toEqual([1]);
    }
    good.write(request(9));
    expect(await good.waitFor(1)).toEqual([9]);
    expect(server.metrics().errorCloses).toBe(1);
  });

  it('a handler that throws synchronously only closes its connection', async () => {
    await start();
    const throwing: RequestHandler = {
      handle: () => {
        throw new Error('sync');
      },
    };
    await server.shutdown();
    server = new SocketServer({ listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 0 }], socketRequestMaxBytes: 1000, connectionsMaxIdleMs: 60000, handler: throwing });
    port = (await server.startup()).PLAINTEXT;
    const c = await connect();
    c.write(request(1));
    await c.waitClosed();
    expect(server.connectionCount).toBe(0);
  });

  it('closes connections idle longer than connections.max.idle.ms, not active ones', async () => {
    await start({ connectionsMaxIdleMs: 150 });
    const idle = await connect();
    const active = await connect();
    const started = Date.now();
    let id = 0;
    while (!idle.closed && Date.now() - started < 3000) {
      active.write(request(id++));
      await sleep(30);
    }
    await idle.waitClosed();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(active.closed).toBe(false);
    expect(await active.waitFor(id)).toEqual(range(id));
    expect(server.metrics().idleConnectionsClosed).toBe(1);
  });

  it('serves 50 concurrent connections each pipelining 20 requests', async () => {
    await start();
    handler.delay = () => (Math.random() < 0.3 ? Math.floor(Math.random() * 3) : 0);
    const cs = await Promise.all(range(50).map(() => connect()));
    cs.forEach((c, n) => {
      const ids = range(20, n * 1000);
      // Half write everything at once, half in two pieces.
      const all = Buffer.concat(ids.map((i) => request(i)));
      if (n % 2 === 0) c.write(all);
      else {
        c.write(all.subarray(0, 301));
        setTimeout(() => c.write(all.subarray(301)), 2);
      }
    });
    const results = await Promise.all(cs.map((c) => c.waitFor(20)));
    results.forEach((ids, n) => expect(ids).toEqual(range(20, n * 1000)));
    expect(handler.maxInFlightPerConnection).toBe(1);
    const m = server.metrics();
    expect(m.connections).toBe(50);
    expect(m.requests).toBe(1000);
    expect(m.responses).toBe(1000);
    expect(m.bytesIn).toBe(cs.reduce((sum, _c, n) => sum + Buffer.concat(range(20, n * 1000).map((i) => request(i))).length, 0));
    expect(m.bytesOut).toBe(1000 * 12);
  });

  it('waits for drain after a large response before processing the next request', async () => {
    await start();
    const big = Buffer.alloc(8 << 20, 7);
    handler.behaviour = (req) => encodeResponseFrame(ApiKey.ApiVersions, 0, req.header.correlationId, (w) => w.raw(big));
    const c = await connect();
    c.socket.pause();
    c.write(Buffer.concat(range(5).map((i) => request(i))));
    await sleep(50);
    expect(handler.seen.length).toBeLessThan(5); // held back by a full socket buffer
    c.socket.resume();
    expect(await c.waitFor(5)).toEqual(range(5));
    expect(c.frames.every((f) => f.length === 4 + big.length)).toBe(true);
  });

  it('writes a response given in pieces (a Fetch with referenced record sets) whole and in order, counting all its bytes', async () => {
    await start();
    const records = [Buffer.alloc(SHARED_RECORDS_MIN_BYTES, 1), Buffer.alloc(3 * SHARED_RECORDS_MIN_BYTES + 5, 2)];
    handler.behaviour = (req) =>
      encodeResponseFrameChunks(ApiKey.ApiVersions, 0, req.header.correlationId, (w) => {
        w.int16(7);
        w.records(records[0]!);
        w.int16(8);
        w.records(records[1]!);
      });
    const c = await connect();
    c.write(Buffer.concat(range(3).map((i) => request(i))));
    expect(await c.waitFor(3)).toEqual(range(3));
    for (const [i, frame] of c.frames.entries()) {
      const expected = encodeResponseFrame(ApiKey.ApiVersions, 0, i, (w) => {
        w.int16(7);
        w.bytes(records[0]!);
        w.int16(8);
        w.bytes(records[1]!);
      });
      expect(Buffer.compare(frame, expected.subarray(4))).toBe(0);
    }
    expect(server.metrics().bytesOut).toBe(3 * (4 + 4 + 2 + 4 + records[0]!.length + 2 + 4 + records[1]!.length));
  });

  it('reports every piece of a response once it is written (the broker gives pooled log reads back then), single-buffer responses too', async () => {
    const written: Buffer[] = [];
    await start({ onResponseWritten: (piece) => written.push(piece) });
    const records = Buffer.alloc(2 * SHARED_RECORDS_MIN_BYTES, 3);
    let pieces: readonly Buffer[] = [];
    handler.behaviour = (req) => {
      if (req.header.correlationId === 0) return echo(req);
      pieces = encodeResponseFrameChunks(ApiKey.ApiVersions, 0, req.header.correlationId, (w) => {
        w.int16(7);
        w.records(records);
        w.int16(8);
      }) as readonly Buffer[];
      return pieces;
    };
    const c = await connect();
    c.write(request(0));
    await c.waitFor(1);
    await sleep(20);
    expect(written).toHaveLength(1);
    c.write(request(1));
    await c.waitFor(2);
    await sleep(20);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces).toContain(records); // the record set is sent as it is, uncopied
    expect(written.slice(1)).toEqual([...pieces]);
    expect(written.slice(1).every((piece, i) => piece === pieces[i])).toBe(true);
  });

  it('tracks the connection count as clients come and go', async () => {
    await start();
    const a = await connect();
    const b = await connect();
    a.write(request(1));
    b.write(request(1));
    await Promise.all([a.waitFor(1), b.waitFor(1)]);
    expect(server.metrics().connections).toBe(2);
    a.destroy();
    const deadline = Date.now() + 2000;
    while (server.connectionCount !== 1 && Date.now() < deadline) await sleep(5);
    expect(server.connectionCount).toBe(1);
    expect(server.metrics().connectionsClosed).toBe(1);
  });

  it('shutdown closes listeners and connections; a second shutdown is harmless', async () => {
    await start();
    const c = await connect();
    c.write(request(1));
    await c.waitFor(1);
    await server.shutdown();
    await c.waitClosed();
    await server.shutdown();
    await expect(Client.connect(port)).rejects.toThrow();
    expect(server.connectionCount).toBe(0);
  });

  it('rejects startup when the port is taken and releases what it bound', async () => {
    await start();
    const other = new SocketServer({
      listeners: [
        { name: 'A', host: '127.0.0.1', port: 0 },
        { name: 'B', host: '127.0.0.1', port },
      ],
      socketRequestMaxBytes: 1000,
      connectionsMaxIdleMs: 1000,
      handler,
    });
    await expect(other.startup()).rejects.toThrow(/EADDRINUSE/);
    await other.shutdown();
  });
});
