import * as net from 'node:net';
import { API_CODECS, ApiKey, ErrorCode, encodeResponseFrame, type ApiMessages } from '../protocol';
import { defaultFetchablePartitionResponse, defaultFetchResponse } from '../protocol/generated/fetch-response';
import { defaultUpdateMetadataRequest } from '../protocol/generated/update-metadata-request';
import { BrokerClient, BrokerClientError } from './broker-client';
import type { NetworkRequest, RequestHandler } from './request-handler';
import { SocketServer } from './socket-server';

/**
 * A broker-side handler speaking the real codecs (the registry lives in api/, which network/ may not
 * import): it decodes UpdateMetadata / ApiVersions bodies and answers them, optionally after a delay.
 */
class CodecHandler implements RequestHandler {
  delayMs = 0;
  readonly seen: { apiKey: number; version: number; correlationId: number; clientId: string | null; body: unknown }[] = [];

  async handle(req: NetworkRequest): Promise<Buffer | null> {
    const { requestApiKey: apiKey, requestApiVersion: version, correlationId, clientId } = req.header;
    const codec = API_CODECS[apiKey as keyof ApiMessages];
    const body = codec.decodeRequest(req.body, version);
    this.seen.push({ apiKey, version, correlationId, clientId, body });
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    if (apiKey === ApiKey.UpdateMetadata) {
      return encodeResponseFrame(apiKey, version, correlationId, (w) =>
        API_CODECS[ApiKey.UpdateMetadata].encodeResponse(w, { errorCode: ErrorCode.NONE }, version),
      );
    }
    const response = { ...API_CODECS[ApiKey.ApiVersions].defaultResponse(), apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }] };
    return encodeResponseFrame(apiKey, version, correlationId, (w) => API_CODECS[ApiKey.ApiVersions].encodeResponse(w, response, version));
  }
}

let server: SocketServer;
let handler: CodecHandler;
let port: number;
const clients: BrokerClient[] = [];

function client(requestTimeoutMs = 2_000): BrokerClient {
  const c = new BrokerClient({ host: '127.0.0.1', port, clientId: 'controller-1', requestTimeoutMs, reconnectBackoffMs: 10, reconnectBackoffMaxMs: 50 });
  clients.push(c);
  return c;
}

beforeEach(async () => {
  handler = new CodecHandler();
  server = new SocketServer({
    listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 0 }],
    socketRequestMaxBytes: 1 << 20,
    connectionsMaxIdleMs: 60_000,
    handler,
  });
  port = (await server.startup()).PLAINTEXT;
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server.shutdown();
});

describe('BrokerClient (NetworkClient for one destination)', () => {
  test('connects lazily and round-trips a flexible-version request with the client id', async () => {
    const c = client();
    expect(c.isConnected).toBe(false);
    const req = { ...defaultUpdateMetadataRequest(), controllerId: 1, controllerEpoch: 3, brokerEpoch: 42n };
    const res = await c.send(ApiKey.UpdateMetadata, 7, req);
    expect(res.errorCode).toBe(ErrorCode.NONE);
    expect(c.isConnected).toBe(true);
    expect(handler.seen[0]).toMatchObject({ apiKey: ApiKey.UpdateMetadata, version: 7, clientId: 'controller-1' });
    expect(handler.seen[0].body).toMatchObject({ controllerId: 1, controllerEpoch: 3, brokerEpoch: 42n });
  });

  test('pipelines requests with increasing correlation ids and resolves each with its own response', async () => {
    const c = client();
    const results = await Promise.all([
      c.send(ApiKey.ApiVersions, 0, API_CODECS[ApiKey.ApiVersions].defaultRequest()),
      c.send(ApiKey.UpdateMetadata, 7, defaultUpdateMetadataRequest()),
      c.send(ApiKey.ApiVersions, 3, { clientSoftwareName: 'samsa', clientSoftwareVersion: '1' }),
    ]);
    expect(results[0]).toHaveProperty('apiKeys');
    expect(results[1]).toEqual({ errorCode: ErrorCode.NONE });
    expect(handler.seen.map((s) => s.correlationId)).toEqual([0, 1, 2]);
  });

  test('a request that is not answered within request.timeout.ms fails, and the next send reconnects', async () => {
    const c = client(100);
    handler.delayMs = 500;
    await expect(c.send(ApiKey.UpdateMetadata, 7, defaultUpdateMetadataRequest())).rejects.toMatchObject({ reason: 'timeout' });
    expect(c.isConnected).toBe(false);
    handler.delayMs = 0;
    await expect(c.send(ApiKey.UpdateMetadata, 7, defaultUpdateMetadataRequest())).resolves.toEqual({ errorCode: ErrorCode.NONE });
  });

  test('pending requests are rejected when the broker goes away; a refused connection fails the send', async () => {
    const c = client();
    handler.delayMs = 300;
    const pending = c.send(ApiKey.UpdateMetadata, 7, defaultUpdateMetadataRequest());
    await new Promise((r) => setTimeout(r, 50));
    await server.shutdown();
    const err = await pending.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(BrokerClientError);
    await expect(c.send(ApiKey.UpdateMetadata, 7, defaultUpdateMetadataRequest())).rejects.toMatchObject({ reason: 'disconnected' });
  });

  test('close() rejects later sends', async () => {
    const c = client();
    await c.close();
    await expect(c.send(ApiKey.UpdateMetadata, 7, defaultUpdateMetadataRequest())).rejects.toMatchObject({ reason: 'closed' });
  });

  test('a response with an unexpected correlation id closes the connection', async () => {
    const rogue = net.createServer((s) => s.on('data', () => s.write(encodeResponseFrame(ApiKey.UpdateMetadata, 0, 999, (w) => w.int16(0)))));
    await new Promise<void>((r) => rogue.listen(0, '127.0.0.1', r));
    const c = new BrokerClient({ host: '127.0.0.1', port: (rogue.address() as net.AddressInfo).port, clientId: 'x', requestTimeoutMs: 1000 });
    clients.push(c);
    await expect(c.send(ApiKey.UpdateMetadata, 0, defaultUpdateMetadataRequest())).rejects.toMatchObject({ reason: 'protocol' });
    await c.close();
    await new Promise<void>((r) => rogue.close(() => r()));
  });

  test('a 4 MiB response arriving in many small TCP writes decodes correctly, and the next response after it too', async () => {
    const records = Buffer.allocUnsafe(4 << 20);
    for (let i = 0; i < records.length; i++) records[i] = (i * 7 + (i >>> 11)) & 0xff;
    const fetchResponse = (correlationId: number, recordSet: Buffer): Buffer =>
      encodeResponseFrame(ApiKey.Fetch, 4, correlationId, (w) =>
        API_CODECS[ApiKey.Fetch].encodeResponse(
          w,
          { ...defaultFetchResponse(), responses: [{ topic: 't', partitionResponses: [{ ...defaultFetchablePartitionResponse(), highWatermark: 9n, abortedTransactions: [], recordSet }] }] },
          4,
        ),
      );
    // Answers each request (correlation id at offset 8 of the size-prefixed frame) in writes of 1-9000
    // bytes, yielding to the event loop now and then so the client sees many separate reads.
    const rogue = net.createServer((s) => {
      let pending = Buffer.alloc(0);
      let queue = Promise.resolve();
      s.on('data', (chunk: Buffer) => {
        pending = Buffer.concat([pending, chunk]);
        while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
          const correlationId = pending.readInt32BE(8);
          pending = pending.subarray(4 + pending.readInt32BE(0));
          const out = fetchResponse(correlationId, correlationId === 0 ? records : Buffer.from('small'));
          queue = queue.then(async () => {
            for (let pos = 0, n = 0; pos < out.length; n++) {
              const len = 1 + ((n * 2654435761) >>> 0) % 9000;
              s.write(out.subarray(pos, pos + len));
              pos += len;
              if (n % 16 === 0) await new Promise((r) => setImmediate(r));
            }
          });
        }
      });
    });
    await new Promise<void>((r) => rogue.listen(0, '127.0.0.1', r));
    const c = new BrokerClient({ host: '127.0.0.1', port: (rogue.address() as net.AddressInfo).port, clientId: 'x', requestTimeoutMs: 20_000 });
    clients.push(c);
    const request = API_CODECS[ApiKey.Fetch].defaultRequest();
    const [big, small] = await Promise.all([c.send(ApiKey.Fetch, 4, request), c.send(ApiKey.Fetch, 4, request)]);
    const bigSet = big.responses[0].partitionResponses[0].recordSet;
    expect(bigSet?.length).toBe(records.length);
    expect(bigSet?.equals(records)).toBe(true);
    expect(big.responses[0].partitionResponses[0].highWatermark).toBe(9n);
    expect(String(small.responses[0].partitionResponses[0].recordSet)).toBe('small');
    await c.close();
    await new Promise<void>((r) => rogue.close(() => r()));
  });

  test('a response frame over maxResponseBytes closes the connection with a protocol error', async () => {
    const rogue = net.createServer((s) => s.on('data', () => s.write(Buffer.from([0, 0, 0x10, 0, 1, 2]))));
    await new Promise<void>((r) => rogue.listen(0, '127.0.0.1', r));
    const c = new BrokerClient({ host: '127.0.0.1', port: (rogue.address() as net.AddressInfo).port, clientId: 'x', requestTimeoutMs: 1000, maxResponseBytes: 1024 });
    clients.push(c);
    await expect(c.send(ApiKey.UpdateMetadata, 0, defaultUpdateMetadataRequest())).rejects.toMatchObject({ reason: 'protocol' });
    expect(c.isConnected).toBe(false);
    await c.close();
    await new Promise<void>((r) => rogue.close(() => r()));
  });
});
