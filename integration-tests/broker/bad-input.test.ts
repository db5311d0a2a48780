/**
 * Malformed input over raw sockets: random bytes, oversized frames, unknown api keys, unsupported
 * versions and truncated requests. Kafka closes the offending connection only; the broker stays up, a
 * bystander connection keeps working, and the next connection is served (an ApiVersions round trip).
 */
import net from 'node:net';
import { prng } from '../../broker/src/protocol/testing/prng';
import { useKafkaCluster } from './support/fixture';

jest.setTimeout(60_000);

const MAX_REQUEST_BYTES = 1024 * 1024;
const fx = useKafkaCluster({ zookeepers: 1, brokers: 1, overrides: { 'socket.request.max.bytes': String(MAX_REQUEST_BYTES) } });
const BROKER = 1;

/** A raw connection that collects response frames and notices when the broker closes it. */
class RawConnection {
  private buffered = Buffer.alloc(0);
  private readonly frames: Buffer[] = [];
  private waiter: (() => void) | null = null;
  closed = false;
  readonly closedPromise: Promise<void>;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
        const size = this.buffered.readInt32BE(0);
        this.frames.push(this.buffered.subarray(4, 4 + size));
        this.buffered = this.buffered.subarray(4 + size);
      }
      this.waiter?.();
    });
    socket.on('error', () => undefined);
    this.closedPromise = new Promise((resolve) =>
      socket.on('close', () => {
        this.closed = true;
        this.waiter?.();
        resolve();
      }),
    );
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** The next response frame (without its size prefix); rejects on close or timeout. */
  async next(timeoutMs = 10_000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length === 0) {
      if (this.closed) throw new Error('connection closed by the broker before a response arrived');
      if (Date.now() > deadline) throw new Error(`no response within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = null;
    }
    return this.frames.shift()!;
  }

  /** True when the broker closes the connection within timeoutMs (without having sent a response). */
  async closedWithoutResponse(timeoutMs = 10_000): Promise<{ closed: boolean; responses: number }> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.closedPromise, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    return { closed: this.closed, responses: this.frames.length };
  }

  destroy(): void {
    this.socket.destroy();
  }
}

const connections: RawConnection[] = [];
async function open(): Promise<RawConnection> {
  const c = await RawConnection.open(fx.cluster.brokerPort(BROKER));
  connections.push(c);
  return c;
}
afterEach(() => {
  for (const c of connections.splice(0)) c.destroy();
});

/** A request frame: int32 size, then header v1 (api key, version, correlation id, client id) and body. */
function frame(apiKey: number, version: number, correlationId: number, body: Buffer = Buffer.alloc(0), clientId = 'raw'): Buffer {
  const id = Buffer.from(clientId, 'utf8');
  const header = Buffer.alloc(10 + id.length);
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(version, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(id.length, 8);
  id.copy(header, 10);
  const size = Buffer.alloc(4);
  size.writeInt32BE(header.length + body.length, 0);
  return Buffer.concat([size, header, body]);
}

interface ApiVersionsV0 {
  correlationId: number;
  errorCode: number;
  apis: Map<number, [number, number]>;
}

function parseApiVersionsV0(response: Buffer): ApiVersionsV0 {
  const correlationId = response.readInt32BE(0);
  const errorCode = response.readInt16BE(4);
  const count = response.readInt32BE(6);
  const apis = new Map<number, [number, number]>();
  for (let i = 0, at = 10; i < count; i++, at += 6) apis.set(response.readInt16BE(at), [response.readInt16BE(at + 2), response.readInt16BE(at + 4)]);
  return { correlationId, errorCode, apis };
}

let bystander: RawConnection;
let correlation = 1000;

/** ApiVersions v0 on `conn`: answered with our correlation id, error NONE, and ApiVersions itself listed. */
async function apiVersionsRoundTrip(conn: RawConnection): Promise<void> {
  const id = correlation++;
  conn.write(frame(18, 0, id));
  const parsed = parseApiVersionsV0(await conn.next());
  expect(parsed.correlationId).toBe(id);
  expect(parsed.errorCode).toBe(0);
  expect(parsed.apis.get(18)?.[0]).toBe(0);
}

/** The broker is still up: the bystander connection and a brand-new one both get ApiVersions answered. */
async function expectStillServing(): Promise<void> {
  expect(fx.cluster.isRunning(BROKER)).toBe(true);
  await apiVersionsRoundTrip(await open());
  await apiVersionsRoundTrip(bystander);
}

beforeAll(async () => {
  bystander = await RawConnection.open(fx.cluster.brokerPort(BROKER));
  await apiVersionsRoundTrip(bystander);
});

afterAll(() => bystander?.destroy());

test('pipelined ApiVersions requests on one connection are answered in order', async () => {
  const conn = await open();
  const ids = Array.from({ length: 10 }, (_, i) => 500 + i);
  conn.write(Buffer.concat(ids.map((id) => frame(18, 0, id))));
  const got: number[] = [];
  for (let i = 0; i < ids.length; i++) got.push(parseApiVersionsV0(await conn.next()).correlationId);
  expect(got).toEqual(ids);
});

test('ApiVersions at an unsupported version is answered in v0 format with UNSUPPORTED_VERSION and the supported APIs', async () => {
  const conn = await open();
  conn.write(frame(18, 127, 42));
  const parsed = parseApiVersionsV0(await conn.next());
  expect(parsed.correlationId).toBe(42);
  expect(parsed.errorCode).toBe(35);
  expect(parsed.apis.get(18)).toEqual([0, 3]);
  await expectStillServing();
});

test('an unknown api key closes that connection without a response; the broker serves the next connection', async () => {
  const conn = await open();
  conn.write(frame(9999, 0, 7));
  expect(await conn.closedWithoutResponse()).toEqual({ closed: true, responses: 0 });
  await expectStillServing();
});

test('a known api at an unsupported version (Metadata v99) closes that connection', async () => {
  const conn = await open();
  conn.write(frame(3, 99, 8, Buffer.from([0, 0, 0, 0])));
  expect(await conn.closedWithoutResponse()).toEqual({ closed: true, responses: 0 });
  await expectStillServing();
});

test('a frame larger than socket.request.max.bytes is refused from its size prefix alone: connection closed', async () => {
  const conn = await open();
  const size = Buffer.alloc(4);
  size.writeInt32BE(MAX_REQUEST_BYTES + 1, 0);
  conn.write(Buffer.concat([size, Buffer.alloc(1024)]));
  expect(await conn.closedWithoutResponse()).toEqual({ closed: true, responses: 0 });
  await expectStillServing();
});

test('a negative frame size closes that connection', async () => {
  const conn = await open();
  conn.write(Buffer.from([0xff, 0xff, 0xff, 0xfb, 1, 2, 3]));
  expect(await conn.closedWithoutResponse()).toEqual({ closed: true, responses: 0 });
  await expectStillServing();
});

test('a frame too short for the request header closes that connection', async () => {
  const conn = await open();
  conn.write(Buffer.from([0, 0, 0, 3, 0, 18, 0]));
  expect(await conn.closedWithoutResponse()).toEqual({ closed: true, responses: 0 });
  await expectStillServing();
});

test('a truncated request body (Metadata v1 announcing 5 topics, carrying 1) closes that connection', async () => {
  const conn = await open();
  const topic = Buffer.from('t', 'utf8');
  const body = Buffer.alloc(4 + 2 + topic.length);
  body.writeInt32BE(5, 0);
  body.writeInt16BE(topic.length, 4);
  topic.copy(body, 6);
  conn.write(frame(3, 1, 9, body));
  expect(await conn.closedWithoutResponse()).toEqual({ closed: true, responses: 0 });
  await expectStillServing();
});

test('a client hanging up in the middle of a frame leaves the broker serving', async () => {
  const conn = await open();
  const full = frame(18, 0, 10);
  conn.write(full.subarray(0, 7));
  await new Promise((resolve) => setTimeout(resolve, 100));
  conn.destroy();
  await expectStillServing();
});

test('random bytes (seeded; raw and inside a well-sized frame) never take the broker down', async () => {
  const random = prng(0x5a5a);
  const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
  for (let round = 0; round < 20; round++) {
    const conn = await open();
    const length = 1 + Math.floor(random() * 4096);
    if (round % 2 === 0) {
      conn.write(bytes(length));
    } else {
      const body = bytes(length);
      const size = Buffer.alloc(4);
      size.writeInt32BE(body.length, 0);
      conn.write(Buffer.concat([size, body]));
    }
    // Either the broker closes the connection or it waits for more bytes; both are fine.
    await conn.closedWithoutResponse(200);
    conn.destroy();
  }
  await expectStillServing();
  expect(fx.cluster.lastExit(BROKER)).toBeNull();
});
