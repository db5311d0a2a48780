/**
 * Builds the StaticBrokerConfigEntry list DescribeConfigs needs from the broker's config key table
 * (server/config-keys.ts BROKER_CONFIG_KEYS, passed in by the server, since admin/ does not import
 * server/) and its effective properties: every known key with the value Kafka would print
 * (ConfigDef.convertToString), plus keys set in server.properties that Kafka does not know.
 */
import { LONG_MAX_VALUE } from '../log/log-config';
import type { ConfigDefType, StaticBrokerConfigEntry } from './config-types';

export interface BrokerConfigKeyInfo {
  readonly name: string;
  readonly type: ConfigDefType;
  readonly defaultValue: number | boolean | string | readonly string[] | null;
}

/** ConfigDef.convertToString for a default value. */
function defaultString(value: BrokerConfigKeyInfo['defaultValue']): string | null {
  if (value === null) return null;
  if (Array.isArray(value)) return (value as readonly string[]).join(',');
  if (typeof value === 'number' && value >= LONG_MAX_VALUE) return '9223372036854775807';
  return String(value);
}

/** A value from server.properties as ConfigDef prints it after parsing (trimmed; lists re-joined). */
function staticString(type: ConfigDefType, raw: string): string {
  const text = raw.trim();
  if (type === 'list') return text === '' ? '' : text.split(/\s*,\s*/).join(',');
  if (type === 'boolean') return text.toLowerCase();
  return text;
}

export function staticBrokerConfigEntries(keys: readonly BrokerConfigKeyInfo[], originals: ReadonlyMap<string, string>): StaticBrokerConfigEntry[] {
  const out: StaticBrokerConfigEntry[] = keys.map((k) => {
    const raw = originals.get(k.name);
    const isSensitive = k.type === 'password';
    const def = defaultString(k.defaultValue);
    return {
      name: k.name,
      value: raw === undefined ? def : staticString(k.type, raw),
      isSensitive,
      isDefault: raw === undefined,
      defaultValue: def,
      configType: k.type,
    };
  });
  const known = new Set(keys.map((k) => k.name));
  // Kafka lists unknown originals too; with no type they count as sensitive (KafkaConfig.maybeSensitive).
  for (const [name, value] of originals) if (!known.has(name)) out.push({ name, value, isSensitive: true, isDefault: false });
  return out;
}
