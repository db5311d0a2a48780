import { ErrorCode } from '../protocol';
import type { AlterConfigsEntry, ApiError, ConfigResourceRequest } from '../admin';
import { alterConfigsHandler } from './alter-configs';
import type { ApiMessages } from '../protocol';
import { ApiRegistry, type ApiHandler } from './registry';
import { decodeResponse, networkRequest, requestFrame, handleWhole } from './testing/frames';

/** One request through a registry, encoded and decoded at `version` like a client would see it. */
async function roundTrip<K extends keyof ApiMessages>(handler: ApiHandler<K>, version: number, request: ApiMessages[K]['request']): Promise<ApiMessages[K]['response']> {
  const frame = await handleWhole(new ApiRegistry().register(handler), networkRequest(requestFrame(handler.apiKey, version, request)));
  if (frame === null) throw new Error('no response');
  return decodeResponse(handler.apiKey, version, frame).response;
}


function deps(errors: ApiError[] = []) {
  const calls: { resources: ConfigResourceRequest<AlterConfigsEntry>[]; validateOnly: boolean }[] = [];
  return {
    calls,
    adminManager: {
      async alterConfigs(resources: readonly ConfigResourceRequest<AlterConfigsEntry>[], validateOnly: boolean): Promise<ApiError[]> {
        calls.push({ resources: [...resources], validateOnly });
        return resources.map((_r, i) => errors[i] ?? { errorCode: 0, errorMessage: null });
      },
    },
  };
}

describe('AlterConfigs handler', () => {
  test('per-resource results in order; a resource named twice counts once with its last configs', async () => {
    const d = deps([{ errorCode: 0, errorMessage: null }, { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: "The topic 'x' does not exist." }]);
    const response = await roundTrip(alterConfigsHandler(d), 1, {
      resources: [
        { resourceType: 2, resourceName: 't', configs: [{ name: 'retention.ms', value: '1' }] },
        { resourceType: 2, resourceName: 'x', configs: [] },
        { resourceType: 2, resourceName: 't', configs: [{ name: 'retention.ms', value: '2' }] },
      ],
      validateOnly: true,
    });
    expect(d.calls[0]?.validateOnly).toBe(true);
    expect(d.calls[0]?.resources.map((r) => [r.resourceName, r.configs[0]?.value])).toEqual([['x', undefined], ['t', '2']]);
    expect(response.responses).toEqual([
      { errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 'x' },
      { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: "The topic 'x' does not exist.", resourceType: 2, resourceName: 't' },
    ]);
  });

  test('BROKER_LOGGER and unknown resource types fail the whole request with INVALID_REQUEST', async () => {
    for (const resourceType of [8, 3]) {
      const d = deps();
      const response = await roundTrip(alterConfigsHandler(d), 0, {
        resources: [{ resourceType, resourceName: '1', configs: [] }, { resourceType: 2, resourceName: 't', configs: [] }],
        validateOnly: false,
      });
      expect(response.responses.map((r) => r.errorCode)).toEqual([ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST]);
      expect(response.responses[1]?.errorMessage).toBe(
        resourceType === 8 ? 'AlterConfigs is deprecated and does not support the resource type BROKER_LOGGER' : 'Unexpected resource type UNKNOWN',
      );
      expect(d.calls).toEqual([]);
    }
  });
});
