/** Log compaction (Kafka 2.8's LogCleaner, LogCleanerManager, Cleaner, OffsetMap, CleanerConfig). */
export { type CleanerConfig, DEFAULT_CLEANER_CONFIG, cleanerConfig, cleanerConfigFromProps } from './cleaner-config';
export { CleanerStats } from './cleaner-stats';
export { Cleaner, type CleanResult, type CleanableRange, groupSegmentsBySize } from './cleaner';
export { LogCleaningAbortedError, LogCleaningError, ThreadShutdownError } from './errors';
export { type CleanOnceResult, LogCleaner, type LogCleanerOptions } from './log-cleaner';
export { type CleanableLog, LogCleanerManager, type LogCleaningState, type LogToClean, type OffsetsToClean } from './log-cleaner-manager';
export { OffsetMap } from './offset-map';
