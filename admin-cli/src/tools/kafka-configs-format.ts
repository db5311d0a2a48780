/**
 * kafka-configs' pure parts, as Kafka 2.8's ConfigCommand has them: parsing --add-config (commas inside
 * `[…]` belong to the value, the brackets are dropped) and --delete-config, topic name validation, and
 * the describe lines (`  name=value sensitive=false synonyms={SOURCE:name=value, …}`).
 */
import { ToolError } from './common/tool-error';

/** DescribeConfigs config_source values, named as Kafka's ConfigEntry.ConfigSource prints them. */
const CONFIG_SOURCE_NAMES: Readonly<Record<number, string>> = {
  0: 'UNKNOWN',
  1: 'DYNAMIC_TOPIC_CONFIG',
  2: 'DYNAMIC_BROKER_CONFIG',
  3: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
  4: 'STATIC_BROKER_CONFIG',
  5: 'DEFAULT_CONFIG',
  6: 'DYNAMIC_BROKER_LOGGER_CONFIG',
};

export const ConfigSource = {
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
} as const;

export function configSourceName(source: number): string {
  return CONFIG_SOURCE_NAMES[source] ?? 'UNKNOWN';
}

/** `k=v,k2=[a,b]` → [[k, v], [k2, 'a,b']] (ConfigCommand.parseConfigsToBeAdded). */
export function parseConfigsToBeAdded(text: string): Array<[string, string]> {
  // A comma separates entries only when it is not inside brackets.
  const entries = text.split(/,(?=[^\]]*(?:\[|$))/);
  return entries.map((entry) => {
    const parts = entry.split(/\s*=\s*(?=[^\]]*(?:\[|$))/);
    if (parts.length !== 2) throw new ToolError('requirement failed: Invalid entity config: all configs to be added must be in the format "key=val".');
    return [(parts[0] ?? '').trim(), (parts[1] ?? '').replace(/[[\]]/g, '').trim()];
  });
}

/** `k,k2` → [k, k2] (the option's values are comma-separated). */
export function parseConfigsToBeDeleted(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(',')).map((k) => k.trim()).filter((k) => k !== '');
}

const LEGAL_TOPIC = /^[a-zA-Z0-9._-]+$/;

/** org.apache.kafka.common.internals.Topic.validate, in its words. */
export function validateTopicName(name: string): void {
  if (name === '') throw new ToolError('Topic name is illegal, it can\'t be empty');
  if (name === '.' || name === '..') throw new ToolError('Topic name cannot be "." or ".."');
  if (name.length > 249) throw new ToolError(`Topic name is illegal, it can't be longer than 249 characters, topic name: ${name}`);
  if (!LEGAL_TOPIC.test(name)) throw new ToolError(`Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`);
}

export interface DescribedConfig {
  name: string;
  value: string | null;
  isSensitive: boolean;
  synonyms: ReadonlyArray<{ name: string; value: string | null; source: number }>;
}

/** One describe line: two spaces, name=value, sensitivity, the synonyms in the broker's order. */
export function formatConfigEntry(e: DescribedConfig): string {
  const synonyms = e.synonyms.map((s) => `${configSourceName(s.source)}:${s.name}=${s.value ?? 'null'}`).join(', ');
  return `  ${e.name}=${e.value ?? 'null'} sensitive=${e.isSensitive} synonyms={${synonyms}}`;
}

/** The heading before an entity's configs (the cluster default is the entity named ""). */
export function describeHeading(entityType: 'topics' | 'brokers', entityName: string, all: boolean): string {
  if (entityName === '') return `Default configs for ${entityType} in the cluster are:`;
  return `${all ? 'All' : 'Dynamic'} configs for ${entityType.slice(0, -1)} ${entityName} are:`;
}

/** The line after a successful --alter. */
export function alterCompleted(entityType: 'topics' | 'brokers', entityName: string): string {
  if (entityName === '') return `Completed updating default config for ${entityType} in the cluster.`;
  return `Completed updating config for ${entityType.slice(0, -1)} ${entityName}.`;
}
