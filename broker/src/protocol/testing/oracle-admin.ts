/**
 * kafkajs oracle cases for the topic and config admin APIs: CreateTopics, DeleteTopics, DeleteRecords,
 * CreatePartitions, DescribeConfigs, AlterConfigs, AlterPartitionReassignments,
 * ListPartitionReassignments. (ACLs: ./oracle-acls.ts.)
 */
import { ApiKey } from '../generated';
import { defaultCreatableTopicResult } from '../generated/create-topics-response';
import { defaultDescribeConfigsResourceResult, defaultDescribeConfigsResult } from '../generated/describe-configs-response';
import { defaultDeletableTopicResult } from '../generated/delete-topics-response';
import { type Oracle, defineOracle } from './kafkajs';

const BIG_OFFSET = 9_007_199_254_740_993n;

// kafkajs's enums (src/protocol/*.js), spelled out so a renumbering there would show here
const CONFIG_RESOURCE = { TOPIC: 2, BROKER: 4 } as const;
const CONFIG_SOURCE = { TOPIC_CONFIG: 1, STATIC_BROKER_CONFIG: 4, DEFAULT_CONFIG: 5 } as const;

function throttle(ms: number, clientSide: boolean): Record<string, number> {
  return clientSide ? { throttleTime: 0, clientSideThrottleTime: ms } : { throttleTime: ms };
}

// ---------------------------------------------------------------------------------------------

const createTopics = defineOracle({
  kafkajsName: 'CreateTopics',
  apiKey: ApiKey.CreateTopics,
  args: () => ({
    topics: [
      {
        topic: 'orders',
        numPartitions: 6,
        replicationFactor: 3,
        configEntries: [
          { name: 'cleanup.policy', value: 'compact' },
          { name: 'retention.ms', value: '86400000' },
          { name: 'segment.bytes', value: null },
        ],
      },
      {
        topic: 'manual',
        replicaAssignment: [
          { partition: 0, replicas: [1, 2] },
          { partition: 1, replicas: [2, 3] },
        ],
      },
    ],
    validateOnly: true,
    timeout: 15_000,
  }),
  expectRequest: (v) => ({
    topics: [
      {
        name: 'orders',
        numPartitions: 6,
        replicationFactor: 3,
        assignments: [],
        configs: [
          { name: 'cleanup.policy', value: 'compact' },
          { name: 'retention.ms', value: '86400000' },
          { name: 'segment.bytes', value: null },
        ],
      },
      {
        name: 'manual',
        numPartitions: -1,
        replicationFactor: -1,
        assignments: [
          { partitionIndex: 0, brokerIds: [1, 2] },
          { partitionIndex: 1, brokerIds: [2, 3] },
        ],
        configs: [],
      },
    ],
    timeoutMs: 15_000,
    validateOnly: v >= 1,
  }),
  response: (v) => ({
    throttleTimeMs: v >= 2 ? 20 : 0,
    topics: [
      { ...defaultCreatableTopicResult(), name: 'orders', errorMessage: v >= 1 ? null : '' },
      { ...defaultCreatableTopicResult(), name: 'manual', errorCode: 36, errorMessage: v >= 1 ? "Topic 'manual' already exists." : '' },
    ],
  }),
  expectResponse: (v) => {
    // kafkajs sorts the results by topic name
    const topicErrors =
      v === 0
        ? [
            { topic: 'manual', errorCode: 36 },
            { topic: 'orders', errorCode: 0 },
          ]
        : [
            { topic: 'manual', errorCode: 36, errorMessage: "Topic 'manual' already exists." },
            { topic: 'orders', errorCode: 0, errorMessage: null },
          ];
    return v < 2 ? { topicErrors } : { ...throttle(20, v >= 3), topicErrors };
  },
});

const deleteTopics = defineOracle({
  kafkajsName: 'DeleteTopics',
  apiKey: ApiKey.DeleteTopics,
  args: () => ({ topics: ['orders', 'logs', 'ümlaut'], timeout: 15_000 }),
  expectRequest: () => ({ topics: [], topicNames: ['orders', 'logs', 'ümlaut'], timeoutMs: 15_000 }),
  response: (v) => ({
    throttleTimeMs: v >= 1 ? 7 : 0,
    responses: [
      { ...defaultDeletableTopicResult(), name: 'orders' },
      { ...defaultDeletableTopicResult(), name: 'logs', errorCode: 3 },
    ],
  }),
  expectResponse: (v) => {
    const topicErrors = [
      { topic: 'logs', errorCode: 3 },
      { topic: 'orders', errorCode: 0 },
    ];
    return v === 0 ? { topicErrors } : { ...throttle(7, true), topicErrors };
  },
});

const deleteRecords = defineOracle({
  kafkajsName: 'DeleteRecords',
  apiKey: ApiKey.DeleteRecords,
  args: () => ({
    topics: [
      { topic: 'orders', partitions: [{ partition: 0, offset: '100' }, { partition: 3, offset: '-1' }] },
      { topic: 'logs', partitions: [{ partition: 1, offset: String(BIG_OFFSET) }] },
    ],
    timeout: 10_000,
  }),
  expectRequest: () => ({
    topics: [
      { name: 'orders', partitions: [{ partitionIndex: 0, offset: 100n }, { partitionIndex: 3, offset: -1n }] },
      { name: 'logs', partitions: [{ partitionIndex: 1, offset: BIG_OFFSET }] },
    ],
    timeoutMs: 10_000,
  }),
  response: () => ({
    throttleTimeMs: 13,
    topics: [
      {
        name: 'orders',
        partitions: [
          { partitionIndex: 0, lowWatermark: 100n, errorCode: 0 },
          { partitionIndex: 3, lowWatermark: -1n, errorCode: 1 },
        ],
      },
      { name: 'logs', partitions: [{ partitionIndex: 1, lowWatermark: BIG_OFFSET, errorCode: 0 }] },
    ],
  }),
  expectResponse: (v) => {
    // this decoder keeps kafkajs's raw int64 (a bigint), and sorts topics by name
    const topics = [
      { topic: 'logs', partitions: [{ partition: 1, lowWatermark: BIG_OFFSET, errorCode: 0 }] },
      {
        topic: 'orders',
        partitions: [
          { partition: 0, lowWatermark: 100n, errorCode: 0 },
          { partition: 3, lowWatermark: -1n, errorCode: 1 },
        ],
      },
    ];
    return { ...throttle(13, v >= 1), topics };
  },
});

const createPartitions = defineOracle({
  kafkajsName: 'CreatePartitions',
  apiKey: ApiKey.CreatePartitions,
  args: () => ({
    topicPartitions: [
      { topic: 'orders', count: 12, assignments: [[1, 2], [2, 3], [3, 1]] },
      { topic: 'logs', count: 4 }, // no assignments: kafkajs writes a null array
    ],
    validateOnly: true,
    timeout: 9_000,
  }),
  expectRequest: () => ({
    topics: [
      { name: 'orders', count: 12, assignments: [{ brokerIds: [1, 2] }, { brokerIds: [2, 3] }, { brokerIds: [3, 1] }] },
      { name: 'logs', count: 4, assignments: null },
    ],
    timeoutMs: 9_000,
    validateOnly: true,
  }),
  response: () => ({
    throttleTimeMs: 3,
    results: [
      { name: 'orders', errorCode: 0, errorMessage: null },
      { name: 'logs', errorCode: 37, errorMessage: 'Topic currently has 8 partitions, which is higher than the requested 4.' },
    ],
  }),
  expectResponse: (v) => ({
    ...throttle(3, v >= 1),
    topicErrors: [
      { topic: 'logs', errorCode: 37, errorMessage: 'Topic currently has 8 partitions, which is higher than the requested 4.' },
      { topic: 'orders', errorCode: 0, errorMessage: null },
    ],
  }),
});

const describeConfigs = defineOracle({
  kafkajsName: 'DescribeConfigs',
  apiKey: ApiKey.DescribeConfigs,
  args: () => ({
    resources: [
      { type: CONFIG_RESOURCE.TOPIC, name: 'orders', configNames: ['cleanup.policy', 'retention.ms'] },
      { type: CONFIG_RESOURCE.BROKER, name: '1' }, // no names: kafkajs writes null (all configs)
    ],
    includeSynonyms: true,
  }),
  expectRequest: (v) => ({
    resources: [
      { resourceType: CONFIG_RESOURCE.TOPIC, resourceName: 'orders', configurationKeys: ['cleanup.policy', 'retention.ms'] },
      { resourceType: CONFIG_RESOURCE.BROKER, resourceName: '1', configurationKeys: null },
    ],
    includeSynonyms: v >= 1,
    includeDocumentation: false,
  }),
  response: (v) => {
    const entry = (name: string, value: string | null, opts: { readOnly?: boolean; sensitive?: boolean; source: number; synonyms?: { name: string; value: string | null; source: number }[] }) => ({
      ...defaultDescribeConfigsResourceResult(),
      name,
      value,
      readOnly: opts.readOnly ?? false,
      isSensitive: opts.sensitive ?? false,
      isDefault: v === 0 && opts.source === CONFIG_SOURCE.DEFAULT_CONFIG,
      configSource: v >= 1 ? opts.source : -1,
      synonyms: v >= 1 ? (opts.synonyms ?? []) : [],
    });
    return {
      throttleTimeMs: 25,
      results: [
        {
          ...defaultDescribeConfigsResult(),
          errorMessage: null,
          resourceType: CONFIG_RESOURCE.TOPIC,
          resourceName: 'orders',
          configs: [
            entry('cleanup.policy', 'compact', {
              source: CONFIG_SOURCE.TOPIC_CONFIG,
              synonyms: [
                { name: 'cleanup.policy', value: 'compact', source: CONFIG_SOURCE.TOPIC_CONFIG },
                { name: 'log.cleanup.policy', value: 'delete', source: CONFIG_SOURCE.DEFAULT_CONFIG },
              ],
            }),
            entry('retention.ms', '604800000', { source: CONFIG_SOURCE.DEFAULT_CONFIG }),
          ],
        },
        {
          ...defaultDescribeConfigsResult(),
          errorCode: 0,
          errorMessage: '',
          resourceType: CONFIG_RESOURCE.BROKER,
          resourceName: '1',
          configs: [entry('sasl.jaas.config', null, { readOnly: true, sensitive: true, source: CONFIG_SOURCE.STATIC_BROKER_CONFIG })],
        },
      ],
    };
  },
  expectResponse: (v) => {
    const entry = (configName: string, configValue: string | null, readOnly: boolean, sensitive: boolean, source: number, synonyms: unknown[]): unknown =>
      v === 0
        ? { configName, configValue, readOnly, isDefault: source === CONFIG_SOURCE.DEFAULT_CONFIG, configSource: source, isSensitive: sensitive }
        : {
            configName,
            configValue,
            readOnly,
            isDefault: source === CONFIG_SOURCE.DEFAULT_CONFIG,
            configSource: source,
            isSensitive: sensitive,
            configSynonyms: synonyms,
          };
    const resources = [
      {
        errorCode: 0,
        errorMessage: null,
        resourceType: CONFIG_RESOURCE.TOPIC,
        resourceName: 'orders',
        configEntries: [
          entry('cleanup.policy', 'compact', false, false, CONFIG_SOURCE.TOPIC_CONFIG, [
            { configName: 'cleanup.policy', configValue: 'compact', configSource: CONFIG_SOURCE.TOPIC_CONFIG },
            { configName: 'log.cleanup.policy', configValue: 'delete', configSource: CONFIG_SOURCE.DEFAULT_CONFIG },
          ]),
          entry('retention.ms', '604800000', false, false, CONFIG_SOURCE.DEFAULT_CONFIG, []),
        ],
      },
      {
        errorCode: 0,
        errorMessage: '',
        resourceType: CONFIG_RESOURCE.BROKER,
        resourceName: '1',
        // (v0 has no config source: kafkajs derives STATIC_BROKER_CONFIG from the resource type)
        configEntries: [entry('sasl.jaas.config', null, true, true, CONFIG_SOURCE.STATIC_BROKER_CONFIG, [])],
      },
    ];
    return { ...throttle(25, v >= 2), resources };
  },
});

const alterConfigs = defineOracle({
  kafkajsName: 'AlterConfigs',
  apiKey: ApiKey.AlterConfigs,
  args: () => ({
    resources: [
      {
        type: CONFIG_RESOURCE.TOPIC,
        name: 'orders',
        configEntries: [
          { name: 'retention.ms', value: '3600000' },
          { name: 'cleanup.policy', value: null },
        ],
      },
      { type: CONFIG_RESOURCE.BROKER, name: '2', configEntries: [] },
    ],
    validateOnly: true,
  }),
  expectRequest: () => ({
    resources: [
      {
        resourceType: CONFIG_RESOURCE.TOPIC,
        resourceName: 'orders',
        configs: [
          { name: 'retention.ms', value: '3600000' },
          { name: 'cleanup.policy', value: null },
        ],
      },
      { resourceType: CONFIG_RESOURCE.BROKER, resourceName: '2', configs: [] },
    ],
    validateOnly: true,
  }),
  response: () => ({
    throttleTimeMs: 4,
    responses: [
      { errorCode: 0, errorMessage: null, resourceType: CONFIG_RESOURCE.TOPIC, resourceName: 'orders' },
      { errorCode: 40, errorMessage: 'Invalid value', resourceType: CONFIG_RESOURCE.BROKER, resourceName: '2' },
    ],
  }),
  expectResponse: (v) => ({
    ...throttle(4, v >= 1),
    resources: [
      { errorCode: 0, errorMessage: null, resourceType: CONFIG_RESOURCE.TOPIC, resourceName: 'orders' },
      { errorCode: 40, errorMessage: 'Invalid value', resourceType: CONFIG_RESOURCE.BROKER, resourceName: '2' },
    ],
  }),
});

// ---------------------------------------------------------------------------------------------
// flexible versions (compact encodings, tagged fields, request header v2 / response header v1)

/**
 * kafkajs's v0 decoders for these two read the response header's tag buffer and every nested one, but
 * stop before the body's own (empty) tag buffer: one 0x00 byte left unread.
 */
const EMPTY_TAG_BUFFER = Buffer.from([0]);

const alterPartitionReassignments = defineOracle({
  kafkajsName: 'AlterPartitionReassignments',
  apiKey: ApiKey.AlterPartitionReassignments,
  args: () => ({
    topics: [
      {
        topic: 'orders',
        partitionAssignment: [
          { partition: 0, replicas: [1, 2, 3] },
          { partition: 1, replicas: [3, 1] },
        ],
      },
      { topic: 'ünïcode', partitionAssignment: [{ partition: 5, replicas: [] }] },
    ],
    timeout: 20_000,
  }),
  expectRequest: () => ({
    timeoutMs: 20_000,
    topics: [
      {
        name: 'orders',
        partitions: [
          { partitionIndex: 0, replicas: [1, 2, 3] },
          { partitionIndex: 1, replicas: [3, 1] },
        ],
      },
      { name: 'ünïcode', partitions: [{ partitionIndex: 5, replicas: [] }] },
    ],
  }),
  response: () => ({
    throttleTimeMs: 10,
    errorCode: 0,
    errorMessage: null,
    responses: [
      {
        name: 'orders',
        partitions: [
          { partitionIndex: 0, errorCode: 0, errorMessage: null },
          { partitionIndex: 1, errorCode: 39, errorMessage: 'Duplicate replica ids in partition 1' },
        ],
      },
      { name: 'ünïcode', partitions: [{ partitionIndex: 5, errorCode: 85, errorMessage: 'No reassignment in progress' }] },
    ],
  }),
  unreadTail: EMPTY_TAG_BUFFER,
  expectResponse: () => ({
    throttleTime: 10,
    errorCode: 0,
    responses: [
      {
        topic: 'orders',
        partitions: [
          { partition: 0, errorCode: 0 },
          { partition: 1, errorCode: 39 },
        ],
      },
      { topic: 'ünïcode', partitions: [{ partition: 5, errorCode: 85 }] },
    ],
  }),
});

const listPartitionReassignments = defineOracle({
  kafkajsName: 'ListPartitionReassignments',
  apiKey: ApiKey.ListPartitionReassignments,
  args: () => ({
    topics: [
      { topic: 'orders', partitions: [0, 1, 2] },
      { topic: 'logs', partitions: [] },
    ],
    timeout: 5_000,
  }),
  expectRequest: () => ({
    timeoutMs: 5_000,
    topics: [
      { name: 'orders', partitionIndexes: [0, 1, 2] },
      { name: 'logs', partitionIndexes: [] },
    ],
  }),
  response: () => ({
    throttleTimeMs: 1,
    errorCode: 0,
    errorMessage: 'partial',
    topics: [
      {
        name: 'orders',
        partitions: [
          { partitionIndex: 0, replicas: [1, 2, 4], addingReplicas: [4], removingReplicas: [3] },
          { partitionIndex: 2, replicas: [2, 3], addingReplicas: [], removingReplicas: [] },
        ],
      },
    ],
  }),
  unreadTail: EMPTY_TAG_BUFFER,
  expectResponse: () => ({
    throttleTime: 1,
    errorCode: 0,
    topics: [
      {
        name: 'orders',
        partitions: [
          { partition: 0, replicas: [1, 2, 4], addingReplicas: [4], removingReplicas: [3] },
          { partition: 2, replicas: [2, 3], addingReplicas: [], removingReplicas: [] },
        ],
      },
    ],
  }),
});

export const ADMIN_ORACLES: readonly Oracle[] = [
  createTopics,
  deleteTopics,
  deleteRecords,
  createPartitions,
  describeConfigs,
  alterConfigs,
  alterPartitionReassignments,
  listPartitionReassignments,
];
