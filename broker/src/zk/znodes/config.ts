/**
 * Dynamic config znodes: /config/<type>/<entity>, /config/users/<user>/clients/<client>, and the change
 * notifications /config/changes/config_change_<seq> (ZkData.scala: ConfigEntityZNode,
 * ConfigEntityChangeNotificationSequenceZNode; entity names per AdminZkClient / ConfigEntityName).
 */
import { JsonReader, encodeJson, isEmpty, type Json } from './json';
import { sanitize } from './sanitizer';

export const ConfigZNode = { path: '/config' } as const;

/** Kafka's `ConfigType` (all five have a /config/<type> node created at startup in 2.8). */
export const ConfigType = {
  Topic: 'topics',
  Client: 'clients',
  User: 'users',
  Broker: 'brokers',
  Ip: 'ips',
} as const;
export type ConfigType = (typeof ConfigType)[keyof typeof ConfigType];
export const ALL_CONFIG_TYPES: readonly ConfigType[] = ['topics', 'clients', 'users', 'brokers', 'ips'];

/** `ConfigEntityName.Default`: the entity name for cluster-wide defaults (written literally, not sanitized). */
export const DEFAULT_ENTITY = '<default>';

export const ConfigEntityTypeZNode = {
  template: '/config/<type>',
  path(entityType: ConfigType): string {
    return `${ConfigZNode.path}/${entityType}`;
  },
} as const;

/** Sanitizes a user/client/ip entity name for a path; `<default>` stays literal (AdminZkClient/ConfigCommand). */
export function sanitizeEntityName(name: string): string {
  return name === DEFAULT_ENTITY ? name : sanitize(name);
}

/** /config/<type>/<name>: `{"version":1,"config":{<key>:<string value>}}`. */
export const ConfigEntityZNode = {
  template: '/config/<type>/<entity>',
  /** `entityName` is used as given: topics and broker ids need no sanitizing; use `sanitizeEntityName` for users/clients/ips. */
  path(entityType: ConfigType, entityName: string): string {
    return `${ConfigEntityTypeZNode.path(entityType)}/${entityName}`;
  },
  topicPath(topic: string): string {
    return ConfigEntityZNode.path('topics', topic);
  },
  /** Broker id or `<default>`. */
  brokerPath(broker: number | typeof DEFAULT_ENTITY): string {
    return ConfigEntityZNode.path('brokers', String(broker));
  },
  /** Raw (unsanitized) user name or `<default>`. */
  userPath(user: string): string {
    return ConfigEntityZNode.path('users', sanitizeEntityName(user));
  },
  /** Raw (unsanitized) client id or `<default>`. */
  clientPath(clientId: string): string {
    return ConfigEntityZNode.path('clients', sanitizeEntityName(clientId));
  },
  /** Raw ip or `<default>`. */
  ipPath(ip: string): string {
    return ConfigEntityZNode.path('ips', sanitizeEntityName(ip));
  },
  /** /config/users/<user>/clients/<client-id> (raw names or `<default>`). */
  userClientPath(user: string, clientId: string): string {
    return `${ConfigEntityZNode.userPath(user)}/clients/${sanitizeEntityName(clientId)}`;
  },
  encode(config: Record<string, string> | Map<string, string>): Buffer {
    const entries = config instanceof Map ? [...config.entries()] : Object.entries(config);
    const out: Record<string, Json> = {};
    for (const [k, v] of entries) out[k] = v;
    return encodeJson({ version: 1, config: out });
  },
  /**
   * Kafka's `ConfigEntityZNode.decode`: null data, a non-object or a missing "config" give an empty
   * config; each value must be a string.
   */
  decode(bytes: Buffer | null, path: string = '/config/<type>/<entity>'): Map<string, string> {
    const out = new Map<string, string>();
    if (isEmpty(bytes)) return out;
    const r = JsonReader.parse(path, bytes);
    if (r.value === null || typeof r.value !== 'object' || Array.isArray(r.value)) return out;
    const cr = r.opt('config');
    if (cr === undefined || cr.value === null || typeof cr.value !== 'object' || Array.isArray(cr.value)) return out;
    for (const [k, v] of cr.entries()) out.set(k, v.string());
    return out;
  },
} as const;

export const ConfigEntityChangeNotificationZNode = { path: '/config/changes' } as const;

/** A config change: the sanitized entity path, e.g. `topics/foo`, `users/alice/clients/app1`, `brokers/<default>`. */
export interface ConfigChangeNotification {
  entityPath: string;
}

/** /config/changes/config_change_<seq> (PERSISTENT_SEQUENTIAL): `{"version":2,"entity_path":"topics/foo"}`. */
export const ConfigEntityChangeNotificationSequenceZNode = {
  template: '/config/changes/config_change_<seq>',
  prefix: 'config_change_',
  /** The prefix path to create the sequential node with. */
  createPath: '/config/changes/config_change_',
  path(sequenceNumber: string): string {
    return `${ConfigEntityChangeNotificationZNode.path}/config_change_${sequenceNumber}`;
  },
  encode(sanitizedEntityPath: string): Buffer {
    return encodeJson({ version: 2, entity_path: sanitizedEntityPath });
  },
  /**
   * As ConfigEntityChangeNotificationHandler: version 2 reads `entity_path`; legacy version 1 reads
   * `entity_type` (topics|clients only) + `entity_name` and is returned as `<type>/<name>`.
   */
  decode(bytes: Buffer | null, path: string = '/config/changes/config_change_<seq>'): ConfigChangeNotification {
    const r = JsonReader.parse(path, bytes);
    const version = r.get('version').int();
    if (version === 1) {
      const type = r.get('entity_type').string();
      if (type !== 'topics' && type !== 'clients') r.fail(`version 1 config change with entity_type ${type}`);
      return { entityPath: `${type}/${r.get('entity_name').string()}` };
    }
    if (version === 2) {
      const entityPath = r.get('entity_path').string();
      const parts = entityPath.split('/');
      if (parts.length < 2 || parts.some((p) => p === '')) r.fail(`invalid entity_path ${JSON.stringify(entityPath)}`);
      return { entityPath };
    }
    return r.fail(`unsupported config change version ${version}`);
  },
} as const;
