import { ErrorCode, ZERO_UUID } from '../protocol';
import { defaultCreatableTopic, type CreatableTopic } from '../protocol/generated/create-topics-request';
import type { CreateTopicOutcome } from '../admin';
import { createTopicsHandler } from './create-topics';
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

function fakeAdmin(outcomes: Record<string, Partial<CreateTopicOutcome>>) {
  const calls: { topics: string[]; timeoutMs: number; validateOnly: boolean }[] = [];
  return {
    calls,
    adminManager: {
      async createTopics(topics: readonly CreatableTopic[], timeoutMs: number, validateOnly: boolean) {
        calls.push({ topics: topics.map((t) => t.name), timeoutMs, validateOnly });
        return new Map(
          topics.map((t) => [
            t.name,
            { errorCode: 0, errorMessage: null, topicId: ID, numPartitions: 3, replicationFactor: 2, configs: [], ...outcomes[t.name] } as CreateTopicOutcome,
          ]),
        );
      },
    },
  };
}

const topic = (name: string): CreatableTopic => ({ ...defaultCreatableTopic(), name, numPartitions: 3, replicationFactor: 2 });

describe('CreateTopics handler', () => {
  test('a broker that is not the controller answers NOT_CONTROLLER for every topic', async () => {
    const fake = fakeAdmin({});
    const response = await roundTrip(createTopicsHandler({ ...fake, isActiveController: () => false }), 4, {
      topics: [topic('a'), topic('b')],
      timeoutMs: 1000,
      validateOnly: false,
    });
    expect(response.topics.map((t) => [t.name, t.errorCode])).toEqual([['a', ErrorCode.NOT_CONTROLLER], ['b', ErrorCode.NOT_CONTROLLER]]);
    expect(fake.calls).toEqual([]);
  });

  test('duplicate names get INVALID_REQUEST "Found multiple entries for this topic." and are not created', async () => {
    const fake = fakeAdmin({});
    const response = await roundTrip(createTopicsHandler({ ...fake, isActiveController: () => true }), 2, {
      topics: [topic('dup'), topic('ok'), topic('dup')],
      timeoutMs: 1000,
      validateOnly: true,
    });
    expect(response.topics).toEqual([
      { name: 'dup', topicId: ZERO_UUID, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Found multiple entries for this topic.', topicConfigErrorCode: 0, numPartitions: -1, replicationFactor: -1, configs: [] },
      { name: 'ok', topicId: ZERO_UUID, errorCode: 0, errorMessage: null, topicConfigErrorCode: 0, numPartitions: -1, replicationFactor: -1, configs: [] },
      { name: 'dup', topicId: ZERO_UUID, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Found multiple entries for this topic.', topicConfigErrorCode: 0, numPartitions: -1, replicationFactor: -1, configs: [] },
    ]);
    expect(fake.calls).toEqual([{ topics: ['ok'], timeoutMs: 1000, validateOnly: true }]);
  });

  test('v7 carries topic id, partitions, replication factor and configs; a failed topic has them reset', async () => {
    const fake = fakeAdmin({
      bad: { errorCode: ErrorCode.INVALID_REPLICATION_FACTOR, errorMessage: 'Replication factor: 4 larger than available brokers: 3.', numPartitions: 3 },
    });
    fake.adminManager.createTopics = (async (topics: readonly CreatableTopic[]) =>
      new Map(
        topics.map((t) => [
          t.name,
          t.name === 'bad'
            ? { errorCode: ErrorCode.INVALID_REPLICATION_FACTOR, errorMessage: 'Replication factor: 4 larger than available brokers: 3.', topicId: ZERO_UUID, numPartitions: 3, replicationFactor: 4, configs: [] }
            : { errorCode: 0, errorMessage: null, topicId: ID, numPartitions: 3, replicationFactor: 2, configs: [{ name: 'retention.ms', value: '1000', readOnly: false, configSource: 1, isSensitive: false }] },
        ]),
      )) as typeof fake.adminManager.createTopics;
    const response = await roundTrip(createTopicsHandler({ ...fake, isActiveController: () => true }), 7, {
      topics: [topic('good'), topic('bad')],
      timeoutMs: 1000,
      validateOnly: false,
    });
    expect(response.topics[0]).toEqual({
      name: 'good',
      topicId: ID,
      errorCode: 0,
      errorMessage: null,
      topicConfigErrorCode: 0,
      numPartitions: 3,
      replicationFactor: 2,
      configs: [{ name: 'retention.ms', value: '1000', readOnly: false, configSource: 1, isSensitive: false }],
    });
    expect(response.topics[1]).toMatchObject({ name: 'bad', errorCode: ErrorCode.INVALID_REPLICATION_FACTOR, numPartitions: -1, replicationFactor: -1, configs: [] });
    expect(response.topics[1]?.errorMessage).toBe('Replication factor: 4 larger than available brokers: 3.');
  });

  test('v0 has no error message on the wire', async () => {
    const fake = fakeAdmin({ t: { errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, errorMessage: "Topic 't' already exists." } });
    const response = await roundTrip(createTopicsHandler({ ...fake, isActiveController: () => true }), 0, { topics: [topic('t')], timeoutMs: 0, validateOnly: false });
    expect(response.topics[0]).toMatchObject({ name: 't', errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, errorMessage: '' });
  });
});
