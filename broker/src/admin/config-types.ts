/** Wire constants of the config APIs (ConfigResource.Type, DescribeConfigsResponse.ConfigSource/ConfigType, AlterConfigOp.OpType). */

/** ConfigResource.Type ids; any other id is UNKNOWN. */
export const ConfigResourceType = { UNKNOWN: 0, TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8 } as const;

/** ConfigResource.Type.forId(id).toString, as Kafka prints it in messages. */
export function resourceTypeName(id: number): string {
  switch (id) {
    case ConfigResourceType.TOPIC:
      return 'TOPIC';
    case ConfigResourceType.BROKER:
      return 'BROKER';
    case ConfigResourceType.BROKER_LOGGER:
      return 'BROKER_LOGGER';
    default:
      return 'UNKNOWN';
  }
}

/** ConfigResource.toString. */
export function configResourceString(type: number, name: string): string {
  return `ConfigResource(type=${resourceTypeName(type)}, name='${name}')`;
}

export const ConfigSource = {
  UNKNOWN: 0,
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
} as const;

/** DescribeConfigsResponse.ConfigType ids (v3+). */
export const ConfigDataType = {
  UNKNOWN: 0,
  BOOLEAN: 1,
  STRING: 2,
  INT: 3,
  SHORT: 4,
  LONG: 5,
  DOUBLE: 6,
  LIST: 7,
  CLASS: 8,
  PASSWORD: 9,
} as const;

/** ConfigDef types by Kafka's lower-case names (log-config / server config-keys spell them so). */
export type ConfigDefType = 'boolean' | 'string' | 'int' | 'short' | 'long' | 'double' | 'list' | 'class' | 'password';

export function configDataType(type: ConfigDefType | undefined): number {
  return type === undefined ? ConfigDataType.UNKNOWN : ConfigDataType[type.toUpperCase() as Uppercase<ConfigDefType>];
}

/** AlterConfigOp.OpType ids. */
export const OpType = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

export function opTypeName(id: number): string {
  return (['SET', 'DELETE', 'APPEND', 'SUBTRACT'] as const)[id] ?? 'null';
}

/**
 * One broker config as the broker process knows it (the lead builds these from KafkaConfig): every
 * key of KafkaConfig plus unknown keys found in server.properties.
 */
export interface StaticBrokerConfigEntry {
  readonly name: string;
  /** The static value as Kafka prints it (ConfigDef.convertToString); null when unset without a default. */
  readonly value: string | null;
  readonly isSensitive: boolean;
  /** True when server.properties does not set it (the value is KafkaConfig's default). */
  readonly isDefault: boolean;
  /** KafkaConfig's default as a string (null when the default is null); defaults to `value` when isDefault. */
  readonly defaultValue?: string | null;
  /** The ConfigDef type; undefined for keys KafkaConfig does not define. */
  readonly configType?: ConfigDefType;
}
