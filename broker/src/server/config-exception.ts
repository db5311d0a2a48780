/**
 * Kafka's org.apache.kafka.common.config.ConfigException, the one error type of broker configuration.
 * Kept in its own file because the properties parser, the listener parser and KafkaConfig all throw
 * it, and each of them lives in its own module (config.ts re-exports it for existing importers).
 */
/** Kafka's org.apache.kafka.common.config.ConfigException. */
export class ConfigException extends Error {
  readonly key: string | undefined;
  constructor(message: string, key?: string) {
    super(message);
    this.name = 'ConfigException';
    this.key = key;
  }
  static invalid(key: string, value: unknown, reason?: string): ConfigException {
    return new ConfigException(`Invalid value ${String(value)} for configuration ${key}${reason ? `: ${reason}` : ''}`, key);
  }
  static missing(key: string): ConfigException {
    return new ConfigException(`Missing required configuration "${key}" which has no default value.`, key);
  }
}

/** Throws ConfigException(message, key) unless `cond` (Kafka's `require` in KafkaConfig/CoreUtils). */
export function check(cond: boolean, message: string, key?: string): void {
  if (!cond) throw new ConfigException(message, key);
}
