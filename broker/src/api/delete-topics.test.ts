import { ErrorCode, ZERO_UUID } from '../protocol';
import { deleteTopicsHandler } from './delete-topics';
import type { ApiMessages } from '../protocol';
import { ApiRegistry, type ApiHandler } from './registry';
import { decodeResponse, networkRequest, requestFrame, handleWhole } from './testing/frames';

/** One request through a registry, encoded and decoded at `version` like a client would see it. */
async function roundTrip<K extends keyof ApiMessages>(handler: ApiHandler<K>, version: number, request: ApiMessages[K]['request']): Promise<ApiMessages[K]['response']> {
  const frame = await handleWhole(new ApiRegistry().register(handler), networkRequest(requestFrame(handler.apiKey, version, request)));
  if (frame === null) throw new Error('no response');
  return decodeResponse(handler.apiKey, version, frame).response;
}


const ID = 'pVjI6SiSQ7mpGJ3Y5N3v2A';

function deps(codes: Record<string, number>, active = true) {
  const calls: string[][] = [];
  return {
    calls,
    isActiveController: () => active,
    topicNameById: (id: string) => (id === ID ? 'by-id' : undefined),
    adminManager: {
      async deleteTopics(topics: readonly string[]) {
        calls.push([...topics]);
        return new Map(topics.map((t) => [t, codes[t] ?? ErrorCode.NONE]));
      },
    },
  };
}

describe('DeleteTopics handler', () => {
  test('not the controller: NOT_CONTROLLER for every topic', async () => {
    const d = deps({}, false);
    const response = await roundTrip(deleteTopicsHandler(d), 4, { topics: [], topicNames: ['a', 'b'], timeoutMs: 100 });
    expect(response.responses.map((r) => [r.name, r.errorCode])).toEqual([['a', ErrorCode.NOT_CONTROLLER], ['b', ErrorCode.NOT_CONTROLLER]]);
    expect(d.calls).toEqual([]);
  });

  test('per-topic codes from the admin manager (unknown, deleted)', async () => {
    const d = deps({ missing: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
    const response = await roundTrip(deleteTopicsHandler(d), 5, { topics: [], topicNames: ['gone', 'missing'], timeoutMs: 100 });
    expect(response.responses).toEqual([
      { name: 'gone', topicId: ZERO_UUID, errorCode: 0, errorMessage: null },
      { name: 'missing', topicId: ZERO_UUID, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null },
    ]);
  });

  test('delete.topic.enable=false is TOPIC_DELETION_DISABLED from v3, INVALID_REQUEST before', async () => {
    const d = deps({ t: ErrorCode.TOPIC_DELETION_DISABLED });
    const v3 = await roundTrip(deleteTopicsHandler(d), 3, { topics: [], topicNames: ['t'], timeoutMs: 100 });
    expect(v3.responses[0]?.errorCode).toBe(ErrorCode.TOPIC_DELETION_DISABLED);
    const v2 = await roundTrip(deleteTopicsHandler(d), 2, { topics: [], topicNames: ['t'], timeoutMs: 100 });
    expect(v2.responses[0]?.errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });

  test('v6 resolves topic ids; an unknown id is UNKNOWN_TOPIC_ID; name and id together fail the request', async () => {
    const d = deps({});
    const other = 'AAAAAAAAAAAAAAAAAAAAAQ';
    const response = await roundTrip(deleteTopicsHandler(d), 6, {
      topics: [{ name: null, topicId: ID }, { name: null, topicId: other }, { name: 'plain', topicId: ZERO_UUID }],
      topicNames: [],
      timeoutMs: 100,
    });
    expect(response.responses).toEqual([
      { name: 'by-id', topicId: ID, errorCode: 0, errorMessage: null },
      { name: null, topicId: other, errorCode: ErrorCode.UNKNOWN_TOPIC_ID, errorMessage: null },
      { name: 'plain', topicId: ZERO_UUID, errorCode: 0, errorMessage: null },
    ]);
    expect(d.calls).toEqual([['by-id', 'plain']]);
    const both = await roundTrip(deleteTopicsHandler(d), 6, { topics: [{ name: 'x', topicId: ID }], topicNames: [], timeoutMs: 100 });
    expect(both.responses[0]?.errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });
});
