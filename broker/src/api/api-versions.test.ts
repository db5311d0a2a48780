import { ApiKey, ByteReader } from '../protocol';
import { kafkajsDecodeResponse, kafkajsProtocol, kafkajsRequestFrame } from '../protocol/testing/kafkajs';
import { decodeApiVersionsResponse } from '../protocol/generated/api-versions-response';
import { apiVersionsHandler, isValidApiVersionsRequest } from './api-versions';
import { ApiRegistry } from './registry';
import { decodeResponse, networkRequest, rawRequestFrame, requestFrame, handleWhole } from './testing/frames';

function registry(): ApiRegistry {
  const r = new ApiRegistry();
  r.register(apiVersionsHandler(r));
  r.register({
    apiKey: ApiKey.Heartbeat,
    minVersion: 1,
    maxVersion: 2,
    handle: () => null,
    errorResponse: (_ctx, _req, errorCode) => ({ throttleTimeMs: 0, errorCode }),
  });
  return r;
}

const REGISTERED = [
  { apiKey: 12, minVersion: 1, maxVersion: 2 },
  { apiKey: 18, minVersion: 0, maxVersion: 3 },
];

const LIBRDKAFKA = { clientSoftwareName: 'librdkafka', clientSoftwareVersion: '2.0.2' };

async function ask(version: number, body = LIBRDKAFKA): Promise<Buffer> {
  const frame = await handleWhole(registry(), networkRequest(requestFrame(ApiKey.ApiVersions, version, body, 41)));
  if (frame === null) throw new Error('no response');
  return frame;
}

describe('ApiVersions', () => {
  it.each([0, 1, 2, 3])('v%i lists exactly the registered APIs', async (v) => {
    const { correlationId, response } = decodeResponse(ApiKey.ApiVersions, v, await ask(v));
    expect(correlationId).toBe(41);
    expect(response).toEqual({
      errorCode: 0,
      apiKeys: REGISTERED,
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1n,
      finalizedFeatures: [],
    });
  });

  it('v3 response has a v0 response header and no feature tags', async () => {
    const frame = await ask(3);
    // size, correlation id, error code, then the compact array length (2 entries + 1) — no header tags
    expect(frame.readInt32BE(4)).toBe(41);
    expect(frame.readInt16BE(8)).toBe(0);
    expect(frame[10]).toBe(3);
    // ... and the body ends with throttle 0 and an empty top-level tag buffer
    expect(frame.subarray(frame.length - 5)).toEqual(Buffer.from([0, 0, 0, 0, 0]));
  });

  it('is read by kafkajs for the versions it sends', async () => {
    for (const v of [0, 1, 2]) {
      const { request, response } = kafkajsProtocol('ApiVersions', v, undefined);
      const frame = await handleWhole(registry(), networkRequest(await kafkajsRequestFrame(request, 5, 'kafkajs')));
      const { decoded } = await kafkajsDecodeResponse(response, (frame as Buffer).subarray(8));
      expect(decoded).toMatchObject({ errorCode: 0, apiVersions: REGISTERED });
    }
  });

  it('answers an unsupported version (v4) in the v0 format with UNSUPPORTED_VERSION and its own range', async () => {
    const frame = (await handleWhole(registry(), networkRequest(rawRequestFrame(ApiKey.ApiVersions, 4, (w) => w.raw(Buffer.from([0x07, 0x61, 0x62]))))))!;
    expect(frame.readInt32BE(0)).toBe(frame.length - 4);
    expect(frame.readInt32BE(4)).toBe(7); // response header v0: correlation id only
    const body = new ByteReader(frame, 8);
    expect(decodeApiVersionsResponse(body, 0)).toMatchObject({ errorCode: 35, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }] });
    expect(body.remaining).toBe(0);
  });

  it("makes kafkajs's v0 decoder report UNSUPPORTED_VERSION, which starts its fallback", async () => {
    const frame = (await handleWhole(registry(), networkRequest(rawRequestFrame(ApiKey.ApiVersions, 4, () => undefined))))!;
    const { response } = kafkajsProtocol('ApiVersions', 0, undefined);
    await expect(response.decode(frame.subarray(8))).rejects.toMatchObject({ type: 'UNSUPPORTED_VERSION' });
  });

  it('answers a negative version like any unsupported one', async () => {
    const frame = (await handleWhole(registry(), networkRequest(rawRequestFrame(ApiKey.ApiVersions, -1, () => undefined))))!;
    expect(decodeApiVersionsResponse(new ByteReader(frame, 8), 0).errorCode).toBe(35);
  });

  it.each([
    ['an empty name', { clientSoftwareName: '', clientSoftwareVersion: '1.0' }],
    ['a name ending in a dot', { clientSoftwareName: 'librdkafka.', clientSoftwareVersion: '1.0' }],
    ['a version with a space', { clientSoftwareName: 'kcat', clientSoftwareVersion: '1.7 beta' }],
    ['a name with an underscore', { clientSoftwareName: 'my_client', clientSoftwareVersion: '1' }],
  ])('v3 with %s is INVALID_REQUEST with no api keys, as Kafka does', async (_what, body) => {
    const { response } = decodeResponse(ApiKey.ApiVersions, 3, await ask(3, body));
    expect(response).toMatchObject({ errorCode: 42, apiKeys: [], throttleTimeMs: 0 });
  });

  it('validates software names only from v3', () => {
    expect(isValidApiVersionsRequest({ clientSoftwareName: '', clientSoftwareVersion: '' }, 2)).toBe(true);
    expect(isValidApiVersionsRequest({ clientSoftwareName: 'apache-kafka-java', clientSoftwareVersion: '2.8.2' }, 3)).toBe(true);
    expect(isValidApiVersionsRequest({ clientSoftwareName: 'a', clientSoftwareVersion: '0' }, 3)).toBe(true);
    expect(isValidApiVersionsRequest({ clientSoftwareName: 'a\n', clientSoftwareVersion: '0' }, 3)).toBe(false);
  });
});
