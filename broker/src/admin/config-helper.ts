/**
 * The config half of Kafka 2.8's ZkAdminManager: describeConfigs (values, sources, synonyms, types),
 * alterConfigs (full replace) and incrementalAlterConfigs (SET / DELETE / APPEND / SUBTRACT) for topics
 * and brokers (one id or the cluster default ""), with Kafka's validation and error messages, persisted
 * through AdminZkClient (config znode + change notification).
 */
import { createLogger, type Logger } from '../common/logger';
import { ConfigError, LogConfig, TOPIC_CONFIG_KEYS } from '../log/log-config';
import { ErrorCode, KafkaProtocolError } from '../protocol';
import type { DescribeConfigsResource } from '../protocol/generated/describe-configs-request';
import type { DescribeConfigsResourceResult, DescribeConfigsResult, DescribeConfigsSynonym } from '../protocol/generated/describe-configs-response';
import { defaultDescribeConfigsResourceResult, defaultDescribeConfigsResult } from '../protocol/generated/describe-configs-response';
import type { AdminZkClient } from '../zk/admin-zk-client';
import { validateTopicName } from '../zk/admin-zk-client';
import { DEFAULT_ENTITY } from '../zk/znodes/config';
import type { ConfigRepository } from './config-repository';
import {
  ConfigResourceType,
  ConfigSource,
  configDataType,
  configResourceString,
  OpType,
  opTypeName,
  resourceTypeName,
  type ConfigDefType,
  type StaticBrokerConfigEntry,
} from './config-types';
import { brokerConfigSynonyms, isDynamicBrokerConfig, layerBrokerConfigs, TOPIC_CONFIG_SYNONYMS, validateDynamicBrokerConfig } from './dynamic-broker-config';
import { apiErrorFromThrowable, ConfigException, type ApiError, API_ERROR_NONE } from './errors';

export interface AlterConfigsEntry {
  readonly name: string;
  readonly value: string | null;
}

export interface IncrementalAlterConfigsEntry extends AlterConfigsEntry {
  readonly configOperation: number;
}

export interface ConfigResourceRequest<E> {
  readonly resourceType: number;
  readonly resourceName: string;
  readonly configs: readonly E[];
}

export interface ConfigHelperOptions {
  readonly brokerId: number;
  readonly zk: AdminZkClient;
  readonly repository: ConfigRepository;
  /** True when the metadata cache knows the topic (Kafka's metadataCache.contains). */
  readonly topicExists: (topic: string) => boolean;
  readonly staticBrokerConfigs: readonly StaticBrokerConfigEntry[];
  readonly logger?: Logger;
}

type ConfigValueMap = ReadonlyMap<string, string>;

/** Java's String.split(","): trailing empty strings dropped, "" gives [""]. */
function javaSplit(s: string): string[] {
  const parts = s.split(',');
  if (parts.length === 1) return parts;
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Scala's List.diff: removes one occurrence per element of `remove`. */
function multisetDiff(from: readonly string[], remove: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const r of remove) counts.set(r, (counts.get(r) ?? 0) + 1);
  return from.filter((v) => {
    const n = counts.get(v) ?? 0;
    if (n === 0) return true;
    counts.set(v, n - 1);
    return false;
  });
}

export class ConfigHelper {
  private readonly log: Logger;
  private readonly staticByName: ReadonlyMap<string, StaticBrokerConfigEntry>;
  /** DynamicBrokerConfig.staticBrokerConfigs: what server.properties sets. */
  private readonly staticBrokerProps: ReadonlyMap<string, string>;
  /** DynamicBrokerConfig.staticDefaultConfigs: KafkaConfig defaults that are not null. */
  private readonly staticDefaults: ReadonlyMap<string, string>;

  constructor(private readonly options: ConfigHelperOptions) {
    this.log = options.logger ?? createLogger('AdminManager', { brokerId: options.brokerId });
    this.staticByName = new Map(options.staticBrokerConfigs.map((e) => [e.name, e]));
    this.staticBrokerProps = new Map(
      options.staticBrokerConfigs.filter((e) => !e.isDefault && e.value !== null).map((e) => [e.name, e.value as string]),
    );
    const defaults = new Map<string, string>();
    for (const e of options.staticBrokerConfigs) {
      const d = e.defaultValue !== undefined ? e.defaultValue : e.isDefault ? e.value : null;
      if (d !== null) defaults.set(e.name, d);
    }
    this.staticDefaults = defaults;
  }

  // ------------------------------------------------------------------------------------------------
  // DescribeConfigs

  /** ZkAdminManager.describeConfigs: one result per resource, in request order. */
  describeConfigs(resources: readonly DescribeConfigsResource[], includeSynonyms: boolean): DescribeConfigsResult[] {
    return resources.map((resource) => {
      try {
        return { ...this.describeResource(resource, includeSynonyms), resourceName: resource.resourceName, resourceType: resource.resourceType };
      } catch (err) {
        if (!(err instanceof KafkaProtocolError)) this.log.error({ err, resource }, 'error processing describe configs request');
        const e = apiErrorFromThrowable(err);
        return { ...defaultDescribeConfigsResult(), resourceName: resource.resourceName, resourceType: resource.resourceType, errorCode: e.errorCode, errorMessage: e.errorMessage, configs: [] };
      }
    });
  }

  private describeResource(resource: DescribeConfigsResource, includeSynonyms: boolean): DescribeConfigsResult {
    const filter = (names: readonly string[]): string[] =>
      resource.configurationKeys === null ? [...names] : names.filter((n) => (resource.configurationKeys as string[]).includes(n));
    const ok = (configs: DescribeConfigsResourceResult[]): DescribeConfigsResult => ({ ...defaultDescribeConfigsResult(), errorCode: ErrorCode.NONE, configs });
    switch (resource.resourceType) {
      case ConfigResourceType.TOPIC: {
        const topic = resource.resourceName;
        validateTopicName(topic);
        if (!this.options.topicExists(topic)) return { ...defaultDescribeConfigsResult(), errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, configs: [] };
        const overrides = this.options.repository.topicOverrides(topic);
        const logConfig = this.options.repository.logConfigFor(topic);
        const all = this.describeTopicConfigs(logConfig, overrides, includeSynonyms);
        const wanted = new Set(filter(all.map((e) => e.name)));
        return ok(all.filter((e) => wanted.has(e.name)));
      }
      case ConfigResourceType.BROKER: {
        if (resource.resourceName === '') {
          const dynDefault = this.options.repository.dynamicDefaultBrokerConfigs();
          return ok(filter([...dynDefault.keys()]).map((name) => this.brokerConfigEntry(false, name, dynDefault.get(name) ?? null, includeSynonyms)));
        }
        if (this.resourceNameToBrokerId(resource.resourceName) !== this.options.brokerId) {
          throw new KafkaProtocolError(
            'INVALID_REQUEST',
            `Unexpected broker id, expected ${this.options.brokerId} or empty string, but received ${resource.resourceName}`,
          );
        }
        const current = this.currentBrokerValues();
        return ok(filter([...current.keys()]).map((name) => this.brokerConfigEntry(true, name, current.get(name) ?? null, includeSynonyms)));
      }
      default:
        throw new KafkaProtocolError('INVALID_REQUEST', `Unsupported resource type: ${resourceTypeName(resource.resourceType)}`);
    }
  }

  /** Every config of a topic as DescribeConfigs lists it (also CreateTopics v5+'s configs). */
  describeTopicConfigs(logConfig: LogConfig, overrides: ConfigValueMap, includeSynonyms = false): DescribeConfigsResourceResult[] {
    const names = [...TOPIC_CONFIG_KEYS.map((k) => k.name), ...[...overrides.keys()].filter((k) => !LogConfig.isTopicConfig(k))];
    return names.map((name) => this.topicConfigEntry(logConfig, overrides, name, includeSynonyms));
  }

  /** KafkaConfig's current values: every known key (static value or default) with dynamic values on top. */
  private currentBrokerValues(): Map<string, string | null> {
    const repo = this.options.repository;
    const out = new Map<string, string | null>();
    for (const e of this.options.staticBrokerConfigs) out.set(e.name, e.value);
    for (const [k, v] of layerBrokerConfigs(new Map(), repo.dynamicDefaultBrokerConfigs(), repo.dynamicBrokerConfigs())) out.set(k, v);
    return out;
  }

  /** ZkAdminManager.configSynonyms: by source (dynamic broker, dynamic default, static, default), then by synonym. */
  private configSynonyms(name: string, synonyms: readonly string[], isSensitive: boolean): DescribeConfigsSynonym[] {
    const repo = this.options.repository;
    const out: DescribeConfigsSynonym[] = [];
    const layers: [ConfigValueMap, number][] = [
      [repo.dynamicBrokerConfigs(), ConfigSource.DYNAMIC_BROKER_CONFIG],
      [repo.dynamicDefaultBrokerConfigs(), ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG],
      [this.staticBrokerProps, ConfigSource.STATIC_BROKER_CONFIG],
      [this.staticDefaults, ConfigSource.DEFAULT_CONFIG],
    ];
    for (const [map, source] of layers) {
      for (const synonym of synonyms) {
        const value = map.get(synonym);
        if (value !== undefined) out.push({ name: synonym, value: isSensitive ? null : value, source });
      }
    }
    // Kafka drops everything before the first entry named `name` (meant for listener overrides).
    const first = out.findIndex((s) => s.name === name);
    return first < 0 ? [] : out.slice(first);
  }

  private topicConfigEntry(
    logConfig: LogConfig,
    overrides: ConfigValueMap,
    name: string,
    includeSynonyms: boolean,
  ): DescribeConfigsResourceResult {
    const type = LogConfig.configType(name);
    // KafkaConfig.maybeSensitive: an unknown type is treated as sensitive, to be safe
    const isSensitive = type === undefined;
    const value = isSensitive ? null : logConfig.valueString(name);
    const brokerSynonym = TOPIC_CONFIG_SYNONYMS.get(name);
    const list = brokerSynonym === undefined ? [] : this.configSynonyms(brokerSynonym, brokerConfigSynonyms(brokerSynonym), isSensitive);
    const all = overrides.has(name) ? [{ name, value, source: ConfigSource.TOPIC_CONFIG }, ...list] : list;
    return {
      ...defaultDescribeConfigsResourceResult(),
      name,
      value,
      readOnly: false,
      configSource: all[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
      isSensitive,
      synonyms: includeSynonyms ? all : [],
      configType: configDataType(type),
      // Samsa carries no config documentation text (Kafka sends null when it is not asked for)
      documentation: null,
    };
  }

  private brokerConfigEntry(
    perBrokerConfig: boolean,
    name: string,
    rawValue: string | null,
    includeSynonyms: boolean,
  ): DescribeConfigsResourceResult {
    const entry = this.staticByName.get(name);
    const type: ConfigDefType | undefined = entry?.configType;
    // KafkaConfig.maybeSensitive: keys of unknown type are treated as sensitive, to be safe
    const isSensitive = entry === undefined || type === undefined || entry.isSensitive || type === 'password';
    const all = this.configSynonyms(name, brokerConfigSynonyms(name), isSensitive).filter(
      (s) => perBrokerConfig || s.source === ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
    );
    return {
      ...defaultDescribeConfigsResourceResult(),
      name,
      value: isSensitive ? null : rawValue,
      readOnly: !isDynamicBrokerConfig(name),
      configSource: all[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
      isSensitive,
      synonyms: includeSynonyms ? all : [],
      configType: configDataType(type),
      documentation: null,
    };
  }

  private resourceNameToBrokerId(name: string): number {
    if (!/^[+-]?\d+$/.test(name) || Math.abs(Number(name)) > 2147483647) {
      throw new KafkaProtocolError('INVALID_REQUEST', `Broker id must be an integer, but it is: ${name}`);
    }
    return Number(name);
  }

  // ------------------------------------------------------------------------------------------------
  // AlterConfigs / IncrementalAlterConfigs

  /** ZkAdminManager.alterConfigs: each resource's configs replace what is stored. */
  async alterConfigs(resources: readonly ConfigResourceRequest<AlterConfigsEntry>[], validateOnly: boolean): Promise<ApiError[]> {
    const out: ApiError[] = [];
    for (const resource of resources) {
      out.push(
        await this.guard(resource, async () => {
          const nulls = resource.configs.filter((c) => c.value === null).map((c) => c.name);
          if (nulls.length > 0) throw new KafkaProtocolError('INVALID_REQUEST', `Null value not supported for : ${nulls.join(',')}`);
          const props = new Map(resource.configs.map((c) => [c.name, c.value as string]));
          await this.alterResource(resource, props, validateOnly);
        }),
      );
    }
    return out;
  }

  /** ZkAdminManager.incrementalAlterConfigs: the operations applied to what is stored, then as alterConfigs. */
  async incrementalAlterConfigs(resources: readonly ConfigResourceRequest<IncrementalAlterConfigsEntry>[], validateOnly: boolean): Promise<ApiError[]> {
    const out: ApiError[] = [];
    for (const resource of resources) {
      out.push(
        await this.guard(resource, async () => {
          const seen = new Set<string>();
          const dupes = new Set<string>();
          for (const c of resource.configs) (seen.has(c.name) ? dupes : seen).add(c.name);
          if (dupes.size > 0) throw new KafkaProtocolError('INVALID_REQUEST', `Error due to duplicate config keys : ${[...dupes].join(',')}`);
          const nulls = resource.configs.filter((c) => c.value === null && c.configOperation !== OpType.DELETE).map((c) => `${opTypeName(c.configOperation)}:${c.name}`);
          if (nulls.length > 0) throw new KafkaProtocolError('INVALID_REQUEST', `Null value not supported for : ${nulls.join(',')}`);
          let props: Map<string, string>;
          let listType: (name: string) => { isList: boolean; defaultValue: string | null };
          if (resource.resourceType === ConfigResourceType.TOPIC) {
            props = await this.options.zk.fetchEntityConfig('topics', resource.resourceName);
            listType = (name) => {
              const key = TOPIC_CONFIG_KEYS.find((k) => k.name === name);
              // Kafka looks the key up in a Scala Map: an unknown name fails with NoSuchElementException
              if (key === undefined) throw new Error(`key not found: ${name}`);
              const d = key.defaultValue;
              return { isList: key.type === 'list', defaultValue: Array.isArray(d) ? (d as readonly string[]).join(',') : String(d) };
            };
          } else if (resource.resourceType === ConfigResourceType.BROKER) {
            const brokerId = this.brokerIdOf(resource.resourceName);
            props = await this.options.zk.fetchEntityConfig('brokers', brokerId === null ? DEFAULT_ENTITY : String(brokerId));
            // DynamicBrokerConfig.fromPersistentProps ignores stored keys that cannot be dynamic
            for (const key of [...props.keys()]) if (this.staticByName.has(key) && !isDynamicBrokerConfig(key)) props.delete(key);
            listType = (name) => {
              const e = this.staticByName.get(name);
              if (e === undefined || e.configType === undefined) throw new Error(`key not found: ${name}`);
              const d = e.defaultValue !== undefined ? e.defaultValue : e.isDefault ? e.value : null;
              return { isList: e.configType === 'list', defaultValue: d };
            };
          } else {
            throw new KafkaProtocolError('INVALID_REQUEST', `AlterConfigs is only supported for topics and brokers, but resource type is ${resourceTypeName(resource.resourceType)}`);
          }
          for (const op of resource.configs) {
            switch (op.configOperation) {
              case OpType.SET:
                props.set(op.name, op.value as string);
                break;
              case OpType.DELETE:
                props.delete(op.name);
                break;
              case OpType.APPEND:
              case OpType.SUBTRACT: {
                const { isList, defaultValue } = listType(op.name);
                const verb = op.configOperation === OpType.APPEND ? 'append' : 'subtract';
                if (!isList) throw new KafkaProtocolError('INVALID_REQUEST', `Config value ${verb} is not allowed for config key: ${op.name}`);
                const old = javaSplit(props.get(op.name) ?? defaultValue ?? '');
                const values = javaSplit(op.value as string);
                props.set(op.name, (op.configOperation === OpType.APPEND ? [...old, ...values] : multisetDiff(old, values)).join(','));
                break;
              }
              default:
                // AlterConfigOp.OpType.forId gives null: Kafka's match fails (UNKNOWN_SERVER_ERROR)
                throw new Error(`unknown config operation ${op.configOperation}`);
            }
          }
          await this.alterResource(resource, props, validateOnly);
        }),
      );
    }
    return out;
  }

  /** Runs one resource's alteration with ZkAdminManager's error mapping. */
  private async guard(resource: { resourceType: number; resourceName: string }, body: () => Promise<void>): Promise<ApiError> {
    try {
      await body();
      return API_ERROR_NONE;
    } catch (err) {
      if (err instanceof ConfigException || err instanceof ConfigError) {
        const message = `Invalid config value for resource ${configResourceString(resource.resourceType, resource.resourceName)}: ${err.message}`;
        this.log.info(message);
        return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: message };
      }
      if (err instanceof KafkaProtocolError) this.log.info({ err, resource: resource.resourceName }, 'error processing alter configs request');
      else this.log.error({ err, resource: resource.resourceName }, 'error processing alter configs request');
      return apiErrorFromThrowable(err);
    }
  }

  private async alterResource(resource: { resourceType: number; resourceName: string }, props: Map<string, string>, validateOnly: boolean): Promise<void> {
    if (resource.resourceType === ConfigResourceType.TOPIC) {
      const topic = resource.resourceName;
      if (!this.options.topicExists(topic)) throw new KafkaProtocolError('UNKNOWN_TOPIC_OR_PARTITION', `The topic '${topic}' does not exist.`);
      await this.validateTopicConfigOrWrap(topic, props);
      if (!validateOnly) {
        this.log.info({ topic, config: Object.fromEntries(props) }, 'updating topic configuration');
        await this.options.zk.changeTopicConfig(topic, props);
      }
      return;
    }
    if (resource.resourceType === ConfigResourceType.BROKER) {
      const brokerId = this.brokerIdOf(resource.resourceName);
      const perBroker = brokerId !== null;
      const repo = this.options.repository;
      const merged = perBroker
        ? layerBrokerConfigs(this.staticBrokerProps, repo.dynamicDefaultBrokerConfigs(), props)
        : layerBrokerConfigs(this.staticBrokerProps, props, repo.dynamicBrokerConfigs());
      validateDynamicBrokerConfig(props, perBroker, merged, {
        knownBrokerConfigs: new Set(this.staticByName.keys()),
        current: new Map([...this.currentBrokerValues()].filter((e): e is [string, string] => e[1] !== null)),
      });
      if (!validateOnly) {
        this.log.info({ broker: brokerId ?? DEFAULT_ENTITY, config: Object.fromEntries(props) }, 'updating broker configuration');
        await this.options.zk.changeBrokerConfig(brokerId, props);
      }
      return;
    }
    throw new KafkaProtocolError('INVALID_REQUEST', `AlterConfigs is only supported for topics and brokers, but resource type is ${resourceTypeName(resource.resourceType)}`);
  }

  /** AdminZkClient.validateTopicConfig; a bad value surfaces as Kafka's ConfigException. */
  private async validateTopicConfigOrWrap(topic: string, props: Map<string, string>): Promise<void> {
    try {
      await this.options.zk.validateTopicConfig(topic, props);
    } catch (err) {
      if (err instanceof ConfigError) throw new ConfigException(err.message);
      throw err;
    }
  }

  /** ZkAdminManager.getBrokerId: "" is the cluster default (null); any other id must be this broker's. */
  private brokerIdOf(resourceName: string): number | null {
    if (resourceName === '') return null;
    const id = this.resourceNameToBrokerId(resourceName);
    if (id !== this.options.brokerId) {
      throw new KafkaProtocolError('INVALID_REQUEST', `Unexpected broker id, expected ${this.options.brokerId}, but received ${resourceName}`);
    }
    return id;
  }
}
