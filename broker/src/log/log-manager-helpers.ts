/** Parts of LogManager kept apart: bounded concurrency over logs, and its side of the log cleaner. */
import type { Logger } from '../common/logger';
import type { Scheduler } from '../common/scheduler';
import type { Time } from '../common/time';
import { type CleanerConfig, cleanerConfig } from './cleaner/cleaner-config';
import { LogCleaner } from './cleaner/log-cleaner';
import type { CleanableLog } from './cleaner/log-cleaner-manager';
import type { Log } from './log';

/** Runs `fn` over `items` with at most `limit` in flight; rejects with the first failure after all settle. */
export async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item).catch((err: unknown) => errors.push(err));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (errors.length > 0) throw errors[0];
}

/** Kafka's LogManager makes a cleaner only with log.cleaner.enable (default true). */
export function createLogCleaner(
  config: Partial<CleanerConfig> | undefined,
  deps: { logs: () => CleanableLog[]; time: Time; scheduler: Scheduler; logger: Logger },
): LogCleaner | undefined {
  const validated = cleanerConfig(config);
  return validated.enableCleaner ? new LogCleaner({ config: validated, ...deps }) : undefined;
}

/**
 * Runs a truncation of `log` (in log dir `dir`) with its cleaning aborted and paused, then pulls its
 * cleaner checkpoint back to the active segment's base (Kafka's
 * maybeTruncateCleanerCheckpointToActiveSegmentBaseOffset) before resuming. No cleaner: just truncates.
 */
export async function truncateWithCleaningPaused<T>(cleaner: LogCleaner | undefined, log: Log, dir: string, truncate: () => Promise<T>): Promise<T> {
  if (cleaner === undefined) return truncate();
  const tp = log.topicPartition;
  await cleaner.abortAndPauseCleaning(tp);
  try {
    const result = await truncate();
    await cleaner.maybeTruncateCheckpoint(dir, tp, log.activeSegment.baseOffset);
    return result;
  } finally {
    cleaner.resumeCleaning([tp]);
  }
}
