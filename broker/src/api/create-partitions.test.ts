import { ErrorCode } from '../protocol';
import type { CreatePartitionsTopic } from '../protocol/generated/create-partitions-request';
import type { ApiError } from '../admin';
import { createPartitionsHandler } from './create-partitions';
import type { ApiMessages } from '../protocol';
import { ApiRegistry, type ApiHandler } from './registry';
import { decodeResponse, networkRequest, requestFrame, handleWhole } from './testing/frames';

/** One request through a registry, encoded and decoded at `version` like a client would see it. */
async function roundTrip<K extends keyof ApiMessages>(handler: ApiHandler<K>, version: number, request: ApiMessages[K]['request']): Promise<ApiMessages[K]['response']> {
  const frame = await handleWhole(new ApiRegistry().register(handler), networkRequest(requestFrame(handler.apiKey, version, request)));
  if (frame === null) throw new Error('no response');
  return decodeResponse(handler.apiKey, version, frame).response;
}


function deps(errors: Record<string, ApiError>, active = true) {
  const calls: { names: string[]; validateOnly: boolean }[] = [];
  return {
    calls,
    isActiveController: () => active,
    adminManager: {
      async createPartitions(topics: readonly CreatePartitionsTopic[], _timeoutMs: number, validateOnly: boolean) {
        calls.push({ names: topics.map((t) => t.name), validateOnly });
        return new Map(topics.map((t) => [t.name, errors[t.name] ?? { errorCode: 0, errorMessage: null }]));
      },
    },
  };
}

const t = (name: string, count: number): CreatePartitionsTopic => ({ name, count, assignments: null });

describe('CreatePartitions handler', () => {
  test('not the controller: NOT_CONTROLLER with no message', async () => {
    const response = await roundTrip(createPartitionsHandler(deps({}, false)), 1, { topics: [t('a', 2)], timeoutMs: 10, validateOnly: false });
    expect(response.results).toEqual([{ name: 'a', errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: null }]);
  });

  test('a topic named twice is INVALID_REQUEST "Duplicate topic in request." and only the others are created', async () => {
    const d = deps({ small: { errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: 'Topic already has 3 partitions.' } });
    const response = await roundTrip(createPartitionsHandler(d), 3, {
      topics: [t('dup', 2), t('small', 3), t('dup', 4), t('ok', 5)],
      timeoutMs: 10,
      validateOnly: true,
    });
    expect(response.results).toEqual([
      { name: 'dup', errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic in request.' },
      { name: 'small', errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: 'Topic already has 3 partitions.' },
      { name: 'ok', errorCode: 0, errorMessage: null },
    ]);
    expect(d.calls).toEqual([{ names: ['small', 'ok'], validateOnly: true }]);
  });
});
