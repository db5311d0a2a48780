/**
 * kafkajs oracle cases for the ACL APIs: DescribeAcls, CreateAcls, DeleteAcls.
 */
import { ApiKey } from '../generated';
import { type Oracle, defineOracle } from './kafkajs';

// kafkajs's enums (src/protocol/acl*.js, resourcePatternTypes.js), spelled out so a renumbering there would show here
const ACL_RESOURCE = { ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4 } as const;
const PATTERN = { ANY: 1, LITERAL: 3, PREFIXED: 4 } as const;
const ACL_OPERATION = { ANY: 1, ALL: 2, READ: 3, WRITE: 4 } as const;
const ACL_PERMISSION = { ANY: 1, DENY: 2, ALLOW: 3 } as const;

function throttle(ms: number, clientSide: boolean): Record<string, number> {
  return clientSide ? { throttleTime: 0, clientSideThrottleTime: ms } : { throttleTime: ms };
}

// ---------------------------------------------------------------------------------------------

const describeAcls = defineOracle({
  kafkajsName: 'DescribeAcls',
  apiKey: ApiKey.DescribeAcls,
  args: (v) => ({
    resourceType: ACL_RESOURCE.TOPIC,
    resourceName: v === 0 ? null : 'orders',
    resourcePatternType: PATTERN.PREFIXED,
    principal: 'User:alice',
    host: v === 0 ? '*' : null,
    operation: ACL_OPERATION.READ,
    permissionType: ACL_PERMISSION.ALLOW,
  }),
  expectRequest: (v) => ({
    resourceTypeFilter: ACL_RESOURCE.TOPIC,
    resourceNameFilter: v === 0 ? null : 'orders',
    patternTypeFilter: v >= 1 ? PATTERN.PREFIXED : PATTERN.LITERAL,
    principalFilter: 'User:alice',
    hostFilter: v === 0 ? '*' : null,
    operation: ACL_OPERATION.READ,
    permissionType: ACL_PERMISSION.ALLOW,
  }),
  response: (v) => ({
    throttleTimeMs: 2,
    errorCode: 0,
    errorMessage: null,
    resources: [
      {
        resourceType: ACL_RESOURCE.TOPIC,
        resourceName: 'orders',
        patternType: v >= 1 ? PATTERN.PREFIXED : PATTERN.LITERAL,
        acls: [
          { principal: 'User:alice', host: '*', operation: ACL_OPERATION.READ, permissionType: ACL_PERMISSION.ALLOW },
          { principal: 'User:bob', host: '10.0.0.1', operation: ACL_OPERATION.WRITE, permissionType: ACL_PERMISSION.DENY },
        ],
      },
      { resourceType: ACL_RESOURCE.CLUSTER, resourceName: 'kafka-cluster', patternType: PATTERN.LITERAL, acls: [] },
    ],
  }),
  expectResponse: (v) => {
    const acls = [
      { principal: 'User:alice', host: '*', operation: ACL_OPERATION.READ, permissionType: ACL_PERMISSION.ALLOW },
      { principal: 'User:bob', host: '10.0.0.1', operation: ACL_OPERATION.WRITE, permissionType: ACL_PERMISSION.DENY },
    ];
    const resources =
      v === 0
        ? [
            { resourceType: ACL_RESOURCE.TOPIC, resourceName: 'orders', acls },
            { resourceType: ACL_RESOURCE.CLUSTER, resourceName: 'kafka-cluster', acls: [] },
          ]
        : [
            { resourceType: ACL_RESOURCE.TOPIC, resourceName: 'orders', resourcePatternType: PATTERN.PREFIXED, acls },
            { resourceType: ACL_RESOURCE.CLUSTER, resourceName: 'kafka-cluster', resourcePatternType: PATTERN.LITERAL, acls: [] },
          ];
    return { ...throttle(2, v >= 1), errorCode: 0, errorMessage: null, resources };
  },
});

const ACL_CREATIONS = [
  {
    resourceType: ACL_RESOURCE.TOPIC,
    resourceName: 'orders',
    resourcePatternType: PATTERN.LITERAL,
    principal: 'User:alice',
    host: '*',
    operation: ACL_OPERATION.READ,
    permissionType: ACL_PERMISSION.ALLOW,
  },
  {
    resourceType: ACL_RESOURCE.GROUP,
    resourceName: 'payments-',
    resourcePatternType: PATTERN.PREFIXED,
    principal: 'User:bob',
    host: '10.0.0.1',
    operation: ACL_OPERATION.ALL,
    permissionType: ACL_PERMISSION.DENY,
  },
];

const createAcls = defineOracle({
  kafkajsName: 'CreateAcls',
  apiKey: ApiKey.CreateAcls,
  args: () => ({ creations: ACL_CREATIONS }),
  expectRequest: (v) => ({
    creations: ACL_CREATIONS.map((c) => ({ ...c, resourcePatternType: v >= 1 ? c.resourcePatternType : PATTERN.LITERAL })),
  }),
  response: () => ({
    throttleTimeMs: 5,
    results: [
      { errorCode: 0, errorMessage: null },
      { errorCode: 42, errorMessage: 'Invalid ACL' },
    ],
  }),
  expectResponse: (v) => ({
    ...throttle(5, v >= 1),
    creationResponses: [
      { errorCode: 0, errorMessage: null },
      { errorCode: 42, errorMessage: 'Invalid ACL' },
    ],
  }),
});

const ACL_FILTERS = [
  ACL_CREATIONS[0],
  {
    resourceType: ACL_RESOURCE.ANY,
    resourceName: null,
    resourcePatternType: PATTERN.ANY,
    principal: null,
    host: null,
    operation: ACL_OPERATION.ANY,
    permissionType: ACL_PERMISSION.ANY,
  },
];

const deleteAcls = defineOracle({
  kafkajsName: 'DeleteAcls',
  apiKey: ApiKey.DeleteAcls,
  args: () => ({ filters: ACL_FILTERS }),
  expectRequest: (v) => ({
    filters: ACL_FILTERS.map((f) => ({
      resourceTypeFilter: f.resourceType,
      resourceNameFilter: f.resourceName,
      patternTypeFilter: v >= 1 ? f.resourcePatternType : PATTERN.LITERAL,
      principalFilter: f.principal,
      hostFilter: f.host,
      operation: f.operation,
      permissionType: f.permissionType,
    })),
  }),
  response: (v) => ({
    throttleTimeMs: 6,
    filterResults: [
      {
        errorCode: 0,
        errorMessage: null,
        matchingAcls: ACL_CREATIONS.map((c, i) => ({
          errorCode: i === 0 ? 0 : 31,
          errorMessage: i === 0 ? null : 'Cluster authorization failed',
          resourceType: c.resourceType,
          resourceName: c.resourceName,
          patternType: v >= 1 ? c.resourcePatternType : PATTERN.LITERAL,
          principal: c.principal,
          host: c.host,
          operation: c.operation,
          permissionType: c.permissionType,
        })),
      },
      { errorCode: 0, errorMessage: null, matchingAcls: [] },
    ],
  }),
  expectResponse: (v) => ({
    ...throttle(6, v >= 1),
    filterResponses: [
      {
        errorCode: 0,
        errorMessage: null,
        matchingAcls: ACL_CREATIONS.map((c, i) => ({
          errorCode: i === 0 ? 0 : 31,
          errorMessage: i === 0 ? null : 'Cluster authorization failed',
          resourceType: c.resourceType,
          resourceName: c.resourceName,
          ...(v >= 1 ? { resourcePatternType: c.resourcePatternType } : {}),
          principal: c.principal,
          host: c.host,
          operation: c.operation,
          permissionType: c.permissionType,
        })),
      },
      { errorCode: 0, errorMessage: null, matchingAcls: [] },
    ],
  }),
});

export const ACL_ORACLES: readonly Oracle[] = [describeAcls, createAcls, deleteAcls];
