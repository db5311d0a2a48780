/**
 * Kafka's CleanerConfig: the broker-level `log.cleaner.*` settings that shape the cleaner service
 * itself. Topic-level compaction settings (min.cleanable.dirty.ratio, min/max.compaction.lag.ms,
 * delete.retention.ms, segment.bytes, ...) live in LogConfig and are read per log, per pass, so a
 * dynamic topic config change applies to the next clean.
 */

export interface CleanerConfig {
  /** log.cleaner.threads: Kafka runs this many cleaner threads; Samsa runs one pass at a time (the offset map budget is still split as Kafka splits it). */
  numThreads: number;
  /** log.cleaner.dedupe.buffer.size: memory for the key -> offset maps of all cleaner threads. */
  dedupeBufferSize: number;
  /** log.cleaner.io.buffer.load.factor: fraction of the map budget a pass may fill before the dirty scan stops. */
  dedupeBufferLoadFactor: number;
  /** log.cleaner.io.buffer.size: I/O buffers of all threads; each thread reads with half of its share. */
  ioBufferSize: number;
  /** message.max.bytes: bound on the read buffer growth when one batch is larger than the buffer. */
  maxMessageSize: number;
  /** log.cleaner.io.max.bytes.per.second: read+write throttle; Infinity = none (Kafka's Double.MaxValue). */
  maxIoBytesPerSecond: number;
  /** log.cleaner.backoff.ms: sleep when no log needs cleaning. */
  backOffMs: number;
  /** log.cleaner.enable. */
  enableCleaner: boolean;
}

/** Kafka 2.8's defaults (KafkaConfig.Defaults). */
export const DEFAULT_CLEANER_CONFIG: Readonly<CleanerConfig> = {
  numThreads: 1,
  dedupeBufferSize: 128 * 1024 * 1024,
  dedupeBufferLoadFactor: 0.9,
  ioBufferSize: 512 * 1024,
  maxMessageSize: 1048588,
  maxIoBytesPerSecond: Number.POSITIVE_INFINITY,
  backOffMs: 15 * 1000,
  enableCleaner: true,
};

export function cleanerConfig(overrides: Partial<CleanerConfig> = {}): CleanerConfig {
  const config = { ...DEFAULT_CLEANER_CONFIG, ...overrides };
  if (!(config.numThreads >= 1)) throw new RangeError(`log.cleaner.threads must be at least 1 (got ${config.numThreads})`);
  if (!(config.dedupeBufferLoadFactor > 0 && config.dedupeBufferLoadFactor <= 1)) {
    throw new RangeError(`log.cleaner.io.buffer.load.factor must be in (0, 1] (got ${config.dedupeBufferLoadFactor})`);
  }
  if (!(config.ioBufferSize >= 0)) throw new RangeError(`log.cleaner.io.buffer.size must be at least 0 (got ${config.ioBufferSize})`);
  return config;
}

type PropValue = string | number | boolean | undefined | null;

/**
 * The cleaner's settings from server.properties-style values (strings or typed), with Kafka's key
 * names; absent keys take 2.8's defaults.
 */
export function cleanerConfigFromProps(props: Readonly<Record<string, PropValue>>): CleanerConfig {
  const num = (key: string, fallback: number): number => {
    const raw = props[key];
    if (raw === undefined || raw === null || raw === '') return fallback;
    const value = typeof raw === 'number' ? raw : Number(String(raw).trim());
    if (Number.isNaN(value)) throw new RangeError(`Invalid value ${String(raw)} for configuration ${key}`);
    return value;
  };
  const bool = (key: string, fallback: boolean): boolean => {
    const raw = props[key];
    if (raw === undefined || raw === null || raw === '') return fallback;
    if (typeof raw === 'boolean') return raw;
    const text = String(raw).trim().toLowerCase();
    if (text !== 'true' && text !== 'false') throw new RangeError(`Invalid value ${String(raw)} for configuration ${key}`);
    return text === 'true';
  };
  const d = DEFAULT_CLEANER_CONFIG;
  return cleanerConfig({
    numThreads: num('log.cleaner.threads', d.numThreads),
    dedupeBufferSize: num('log.cleaner.dedupe.buffer.size', d.dedupeBufferSize),
    dedupeBufferLoadFactor: num('log.cleaner.io.buffer.load.factor', d.dedupeBufferLoadFactor),
    ioBufferSize: num('log.cleaner.io.buffer.size', d.ioBufferSize),
    maxMessageSize: num('message.max.bytes', d.maxMessageSize),
    maxIoBytesPerSecond: num('log.cleaner.io.max.bytes.per.second', d.maxIoBytesPerSecond),
    backOffMs: num('log.cleaner.backoff.ms', d.backOffMs),
    enableCleaner: bool('log.cleaner.enable', d.enableCleaner),
  });
}
