import { ErrorCode } from '../protocol';
import type { ApiError, ConfigResourceRequest, IncrementalAlterConfigsEntry } from '../admin';
import { incrementalAlterConfigsHandler } from './incremental-alter-configs';
import type { ApiMessages } from '../protocol';
import { ApiRegistry, type ApiHandler } from './registry';
import { decodeResponse, networkRequest, requestFrame, handleWhole } from './testing/frames';

/** One request through a registry, encoded and decoded at `version` like a client would see it. */
async function roundTrip<K extends keyof ApiMessages>(handler: ApiHandler<K>, version: number, request: ApiMessages[K]['request']): Promise<ApiMessages[K]['response']> {
  const frame = await handleWhole(new ApiRegistry().register(handler), networkRequest(requestFrame(handler.apiKey, version, request)));
  if (frame === null) throw new Error('no response');
  return decodeResponse(handler.apiKey, version, frame).response;
}


function deps() {
  const calls: ConfigResourceRequest<IncrementalAlterConfigsEntry>[][] = [];
  return {
    calls,
    adminManager: {
      async incrementalAlterConfigs(resources: readonly ConfigResourceRequest<IncrementalAlterConfigsEntry>[]): Promise<ApiError[]> {
        calls.push([...resources]);
        return resources.map((r) =>
          r.resourceType === 4 ? { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Invalid config value for resource' } : { errorCode: 0, errorMessage: null },
        );
      },
    },
  };
}

describe('IncrementalAlterConfigs handler', () => {
  test('operations reach the admin manager; each resource gets its own result', async () => {
    const d = deps();
    const response = await roundTrip(incrementalAlterConfigsHandler(d), 1, {
      resources: [
        { resourceType: 2, resourceName: 't', configs: [{ name: 'cleanup.policy', configOperation: 2, value: 'compact' }] },
        { resourceType: 4, resourceName: '', configs: [{ name: 'log.retention.ms', configOperation: 1, value: null }] },
      ],
      validateOnly: false,
    });
    expect(d.calls[0]?.[0]?.configs).toEqual([{ name: 'cleanup.policy', configOperation: 2, value: 'compact' }]);
    expect(d.calls[0]?.[1]?.configs).toEqual([{ name: 'log.retention.ms', configOperation: 1, value: null }]);
    expect(response.responses).toEqual([
      { errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 't' },
      { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Invalid config value for resource', resourceType: 4, resourceName: '' },
    ]);
  });

  test('an unknown resource type fails the whole request', async () => {
    const d = deps();
    const response = await roundTrip(incrementalAlterConfigsHandler(d), 0, {
      resources: [{ resourceType: 16, resourceName: 'x', configs: [] }],
      validateOnly: false,
    });
    expect(response.responses).toEqual([{ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Unexpected resource type UNKNOWN', resourceType: 16, resourceName: 'x' }]);
    expect(d.calls).toEqual([]);
  });
});
