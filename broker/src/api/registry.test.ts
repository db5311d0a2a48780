import { ApiKey, KafkaProtocolError } from '../protocol';
import { CloseConnection } from '../network/request-handler';
import type { HeartbeatRequest } from '../protocol/generated/heartbeat-request';
import type { HeartbeatResponse } from '../protocol/generated/heartbeat-response';
import { apiVersionsHandler } from './api-versions';
import { ApiRegistry, type ApiHandler, type RequestContext } from './registry';
import { decodeResponse, networkRequest, rawRequestFrame, requestFrame, handleWhole } from './testing/frames';

type HeartbeatKey = typeof ApiKey.Heartbeat;

function heartbeatHandler(behaviour: (req: HeartbeatRequest) => HeartbeatResponse | null): ApiHandler<HeartbeatKey> & { seen: RequestContext[] } {
  const seen: RequestContext[] = [];
  return {
    apiKey: ApiKey.Heartbeat,
    minVersion: 0,
    maxVersion: 3,
    seen,
    handle(ctx, request) {
      seen.push(ctx);
      return behaviour(request);
    },
    errorResponse: (_ctx, _request, errorCode) => ({ throttleTimeMs: 0, errorCode }),
  };
}

function registryWith(handler: ApiHandler<HeartbeatKey>): ApiRegistry {
  const registry = new ApiRegistry();
  return registry.register(apiVersionsHandler(registry)).register(handler);
}

const HEARTBEAT: HeartbeatRequest = { groupId: 'g', generationId: 3, memberId: 'm-1', groupInstanceId: null };

describe('ApiRegistry', () => {
  it('lists exactly the registered APIs with their registered ranges', () => {
    const registry = registryWith(heartbeatHandler(() => null));
    expect(registry.apiVersionsResponseKeys()).toEqual([
      { apiKey: 12, minVersion: 0, maxVersion: 3 },
      { apiKey: 18, minVersion: 0, maxVersion: 3 },
    ]);
  });

  it('rejects a duplicate key and a range outside the codec', () => {
    const registry = registryWith(heartbeatHandler(() => null));
    expect(() => registry.register(heartbeatHandler(() => null))).toThrow(/already registered/);
    expect(() => new ApiRegistry().register({ ...heartbeatHandler(() => null), maxVersion: 5 })).toThrow(/outside/);
  });

  it('decodes the body, calls the handler and encodes the response with its correlation id', async () => {
    const handler = heartbeatHandler((req) => ({ throttleTimeMs: 0, errorCode: req.generationId === 3 ? 0 : 22 }));
    const frame = await handleWhole(registryWith(handler), networkRequest(requestFrame(ApiKey.Heartbeat, 3, HEARTBEAT, 99)));
    expect(frame).not.toBeNull();
    expect(decodeResponse(ApiKey.Heartbeat, 3, frame as Buffer)).toEqual({ correlationId: 99, response: { throttleTimeMs: 0, errorCode: 0 } });
    expect(handler.seen[0]).toMatchObject({ apiKey: 12, apiVersion: 3, correlationId: 99, clientId: 'test-client', listenerName: 'PLAINTEXT' });
  });

  it('sends nothing when the handler returns null', async () => {
    await expect(handleWhole(registryWith(heartbeatHandler(() => null)), networkRequest(requestFrame(ApiKey.Heartbeat, 0, HEARTBEAT)))).resolves.toBeNull();
  });

  it('turns a thrown KafkaProtocolError into its error code in the error response', async () => {
    const handler = heartbeatHandler(() => {
      throw new KafkaProtocolError('ILLEGAL_GENERATION');
    });
    const frame = (await handleWhole(registryWith(handler), networkRequest(requestFrame(ApiKey.Heartbeat, 1, HEARTBEAT)))) as Buffer;
    expect(decodeResponse(ApiKey.Heartbeat, 1, frame).response).toEqual({ throttleTimeMs: 0, errorCode: 22 });
  });

  it('turns any other thrown error into UNKNOWN_SERVER_ERROR', async () => {
    const handler = heartbeatHandler(() => {
      throw new TypeError('bug');
    });
    const frame = (await handleWhole(registryWith(handler), networkRequest(requestFrame(ApiKey.Heartbeat, 2, HEARTBEAT)))) as Buffer;
    expect(decodeResponse(ApiKey.Heartbeat, 2, frame).response.errorCode).toBe(-1);
  });

  it('lets a handler close the connection', async () => {
    const handler = heartbeatHandler(() => {
      throw new CloseConnection('acks=0 produce failed');
    });
    await expect(handleWhole(registryWith(handler), networkRequest(requestFrame(ApiKey.Heartbeat, 0, HEARTBEAT)))).rejects.toThrow('acks=0 produce failed');
  });

  it('closes the connection on an api key no codec knows', async () => {
    const registry = registryWith(heartbeatHandler(() => null));
    await expect(handleWhole(registry, networkRequest(rawRequestFrame(52, 0, () => undefined)))).rejects.toBeInstanceOf(CloseConnection);
  });

  it('closes the connection on a known api key that is not registered', async () => {
    const registry = registryWith(heartbeatHandler(() => null));
    const request = networkRequest(requestFrame(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' }));
    await expect(registry.handle(request)).rejects.toThrow(/Unknown API key 17/);
  });

  it('closes the connection on a version outside the registered range', async () => {
    const handler = heartbeatHandler(() => null);
    const registry = registryWith(handler);
    await expect(handleWhole(registry, networkRequest(requestFrame(ApiKey.Heartbeat, 4, HEARTBEAT)))).rejects.toBeInstanceOf(CloseConnection);
    await expect(handleWhole(registry, networkRequest(rawRequestFrame(ApiKey.Heartbeat, 9, () => undefined)))).rejects.toThrow(/Unsupported Heartbeat version 9/);
    expect(handler.seen).toHaveLength(0);
  });

  it('closes the connection on a truncated body', async () => {
    const handler = heartbeatHandler(() => null);
    const whole = requestFrame(ApiKey.Heartbeat, 1, HEARTBEAT);
    const truncated = Buffer.from(whole.subarray(0, whole.length - 3));
    truncated.writeInt32BE(truncated.length - 4, 0);
    await expect(handleWhole(registryWith(handler), networkRequest(truncated))).rejects.toBeInstanceOf(CloseConnection);
    expect(handler.seen).toHaveLength(0);
  });
});
