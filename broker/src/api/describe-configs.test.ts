import { ErrorCode } from '../protocol';
import { defaultDescribeConfigsResourceResult, type DescribeConfigsResult } from '../protocol/generated/describe-configs-response';
import type { DescribeConfigsResource } from '../protocol/generated/describe-configs-request';
import { ConfigSource } from '../admin';
import { describeConfigsHandler } from './describe-configs';
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
  const calls: boolean[] = [];
  return {
    calls,
    adminManager: {
      describeConfigs(resources: readonly DescribeConfigsResource[], includeSynonyms: boolean): DescribeConfigsResult[] {
        calls.push(includeSynonyms);
        return resources.map((r) => ({
          errorCode: 0,
          errorMessage: '',
          resourceType: r.resourceType,
          resourceName: r.resourceName,
          configs: [
            { ...defaultDescribeConfigsResourceResult(), name: 'retention.ms', value: '1000', configSource: ConfigSource.TOPIC_CONFIG, configType: 5, documentation: null, synonyms: includeSynonyms ? [{ name: 'retention.ms', value: '1000', source: 1 }] : [] },
            { ...defaultDescribeConfigsResourceResult(), name: 'segment.bytes', value: '1073741824', configSource: ConfigSource.DEFAULT_CONFIG, configType: 3, documentation: null },
          ],
        }));
      },
    },
  };
}

const topicResource: DescribeConfigsResource = { resourceType: 2, resourceName: 'orders', configurationKeys: null };

describe('DescribeConfigs handler', () => {
  test('v0 marks DEFAULT_CONFIG entries is_default (v0 has no config source)', async () => {
    const d = deps();
    const response = await roundTrip(describeConfigsHandler(d), 0, { resources: [topicResource], includeSynonyms: false, includeDocumentation: false });
    expect(response.results[0]?.configs.map((c) => [c.name, c.isDefault])).toEqual([['retention.ms', false], ['segment.bytes', true]]);
    expect(d.calls).toEqual([false]);
  });

  test('v3+ carry sources, synonyms and config types; documentation stays null', async () => {
    const response = await roundTrip(describeConfigsHandler(deps()), 4, { resources: [topicResource], includeSynonyms: true, includeDocumentation: true });
    expect(response.results[0]?.configs[0]).toMatchObject({
      name: 'retention.ms',
      configSource: ConfigSource.TOPIC_CONFIG,
      configType: 5,
      documentation: null,
      synonyms: [{ name: 'retention.ms', value: '1000', source: 1 }],
    });
  });

  test('an unknown resource type fails the whole request with INVALID_REQUEST', async () => {
    const response = await roundTrip(describeConfigsHandler(deps()), 1, {
      resources: [topicResource, { resourceType: 3, resourceName: 'g', configurationKeys: null }],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    expect(response.results.map((r) => [r.resourceName, r.errorCode, r.errorMessage, r.configs.length])).toEqual([
      ['orders', ErrorCode.INVALID_REQUEST, 'Unexpected resource type UNKNOWN for resource g', 0],
      ['g', ErrorCode.INVALID_REQUEST, 'Unexpected resource type UNKNOWN for resource g', 0],
    ]);
  });
});
