/**
 * ACL znodes written by AclAuthorizer: /kafka-acl/<ResourceType>/<name> (LITERAL patterns),
 * /kafka-acl-extended/prefixed/<ResourceType>/<name> (PREFIXED), and the change notifications
 * /kafka-acl-changes/acl_changes_<seq> (plain text) and /kafka-acl-extended-changes/acl_changes_<seq> (JSON).
 */
import { JsonReader, ZnodeDataError, decodeText, encodeJson, encodeText, isEmpty } from './json';

/** Resource types as written in ZK paths (`SecurityUtils.resourceTypeName`: PascalCase). */
export type AclResourceType = 'Topic' | 'Group' | 'Cluster' | 'TransactionalId' | 'DelegationToken';
export const ACL_RESOURCE_TYPES: readonly AclResourceType[] = ['Topic', 'Group', 'Cluster', 'TransactionalId', 'DelegationToken'];

export type AclPatternType = 'LITERAL' | 'PREFIXED';

export type AclOperation =
  | 'All'
  | 'Read'
  | 'Write'
  | 'Create'
  | 'Delete'
  | 'Alter'
  | 'Describe'
  | 'ClusterAction'
  | 'DescribeConfigs'
  | 'AlterConfigs'
  | 'IdempotentWrite';
export const ACL_OPERATIONS: readonly AclOperation[] = [
  'All',
  'Read',
  'Write',
  'Create',
  'Delete',
  'Alter',
  'Describe',
  'ClusterAction',
  'DescribeConfigs',
  'AlterConfigs',
  'IdempotentWrite',
];

export type AclPermissionType = 'Allow' | 'Deny';

/** The cluster resource's name. */
export const CLUSTER_RESOURCE_NAME = 'kafka-cluster';
/** Resource name meaning "all resources of this type" (LITERAL only). */
export const WILDCARD_RESOURCE = '*';

export interface ResourcePattern {
  resourceType: AclResourceType;
  name: string;
  patternType: AclPatternType;
}

export interface AclEntry {
  /** e.g. `User:alice` */
  principal: string;
  permissionType: AclPermissionType;
  operation: AclOperation;
  /** `*` = any host */
  host: string;
}

const squash = (s: string): string => s.replace(/_/g, '').toLowerCase();

function matchName<T extends string>(values: readonly T[], name: string): T | undefined {
  const key = squash(name);
  return values.find((v) => squash(v) === key);
}

/** Parses a resource type written either PascalCase (`TransactionalId`) or as the enum name (`TRANSACTIONAL_ID`). */
export function parseResourceType(name: string): AclResourceType | undefined {
  return matchName(ACL_RESOURCE_TYPES, name);
}

/** The Java enum name (`TOPIC`, `TRANSACTIONAL_ID`) used in change notifications. */
export function resourceTypeEnumName(t: AclResourceType): string {
  return t.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}

export const LiteralAclStore = { path: '/kafka-acl' } as const;
export const ExtendedAclZNode = { path: '/kafka-acl-extended' } as const;
export const ExtendedAclStore = { path: '/kafka-acl-extended/prefixed' } as const;
export const LiteralAclChangeStore = { path: '/kafka-acl-changes' } as const;
export const ExtendedAclChangeStore = { path: '/kafka-acl-extended-changes' } as const;

/** ACL change nodes are `acl_changes_<seq>` under either change store. */
export const ACL_CHANGE_PREFIX = 'acl_changes_';

function storePath(patternType: AclPatternType): string {
  return patternType === 'LITERAL' ? LiteralAclStore.path : ExtendedAclStore.path;
}

/** /kafka-acl[-extended/prefixed]/<ResourceType>/<name>: `{"version":1,"acls":[...]}`. */
export const ResourceZNode = {
  template: '/kafka-acl/<ResourceType>/<name>',
  typePath(patternType: AclPatternType, resourceType: AclResourceType): string {
    return `${storePath(patternType)}/${resourceType}`;
  },
  path(resource: ResourcePattern): string {
    return `${ResourceZNode.typePath(resource.patternType, resource.resourceType)}/${resource.name}`;
  },
  encode(acls: Iterable<AclEntry>): Buffer {
    return encodeJson({
      version: 1,
      acls: [...acls].map((a) => ({
        principal: a.principal,
        permissionType: a.permissionType,
        operation: a.operation,
        host: a.host,
      })),
    });
  },
  /** `AclEntry.fromBytes`: null data gives no ACLs; names are matched case-insensitively (enum or PascalCase). */
  decode(bytes: Buffer | null, path: string = '/kafka-acl/<ResourceType>/<name>'): AclEntry[] {
    if (isEmpty(bytes)) return [];
    const r = JsonReader.parse(path, bytes);
    return r
      .get('acls')
      .array()
      .map((e) => {
        const opReader = e.get('operation');
        const operation = matchName(ACL_OPERATIONS, opReader.string());
        if (operation === undefined) return opReader.fail(`unknown operation ${JSON.stringify(opReader.value)}`);
        const ptReader = e.get('permissionType');
        const permissionType = matchName<AclPermissionType>(['Allow', 'Deny'], ptReader.string());
        if (permissionType === undefined) return ptReader.fail(`unknown permission type ${JSON.stringify(ptReader.value)}`);
        return { principal: e.get('principal').string(), permissionType, operation, host: e.get('host').string() };
      });
  },
} as const;

/** /kafka-acl-changes/acl_changes_<seq>: plain text `<RESOURCE_TYPE>:<name>` (LITERAL patterns only). */
export const LiteralAclChangeZNode = {
  template: '/kafka-acl-changes/acl_changes_<seq>',
  createPath: `${LiteralAclChangeStore.path}/${ACL_CHANGE_PREFIX}`,
  encode(resource: ResourcePattern): Buffer {
    if (resource.patternType !== 'LITERAL') throw new Error('Only literal resource patterns can be encoded');
    return encodeText(`${resourceTypeEnumName(resource.resourceType)}:${resource.name}`);
  },
  decode(bytes: Buffer | null, path: string = '/kafka-acl-changes/acl_changes_<seq>'): ResourcePattern {
    const text = decodeText(path, bytes);
    const i = text.indexOf(':');
    if (i < 0) throw new ZnodeDataError(path, 'expected a string in format ResourceType:ResourceName', text);
    const resourceType = parseResourceType(text.slice(0, i));
    if (resourceType === undefined) throw new ZnodeDataError(path, `unknown resource type ${text.slice(0, i)}`, text);
    return { resourceType, name: text.slice(i + 1), patternType: 'LITERAL' };
  },
} as const;

/** /kafka-acl-extended-changes/acl_changes_<seq>: `{"version":1,"resourceType":"TOPIC","name":..,"patternType":"PREFIXED"}`. */
export const ExtendedAclChangeZNode = {
  template: '/kafka-acl-extended-changes/acl_changes_<seq>',
  createPath: `${ExtendedAclChangeStore.path}/${ACL_CHANGE_PREFIX}`,
  encode(resource: ResourcePattern): Buffer {
    if (resource.patternType === 'LITERAL') throw new Error('Literal pattern types are not supported');
    return encodeJson({
      version: 1,
      resourceType: resourceTypeEnumName(resource.resourceType),
      name: resource.name,
      patternType: resource.patternType,
    });
  },
  decode(bytes: Buffer | null, path: string = '/kafka-acl-extended-changes/acl_changes_<seq>'): ResourcePattern {
    const r = JsonReader.parse(path, bytes);
    const version = r.get('version').int();
    if (version > 1) r.fail(`unsupported ACL change event version ${version}`);
    const rt = r.get('resourceType');
    const resourceType = parseResourceType(rt.string());
    if (resourceType === undefined) return rt.fail(`unknown resource type ${JSON.stringify(rt.value)}`);
    const pt = r.get('patternType');
    const patternType = matchName<AclPatternType>(['LITERAL', 'PREFIXED'], pt.string());
    if (patternType === undefined) return pt.fail(`unknown pattern type ${JSON.stringify(pt.value)}`);
    return { resourceType, name: r.get('name').string(), patternType };
  },
} as const;
