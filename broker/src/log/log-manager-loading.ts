/**
 * LogManager's startup loading (Kafka's LogManager.loadLogs / loadLog): each log dir's checkpoints
 * read (a damaged one costs recovery work, not the broker), its `<topic>-<partition>` dirs sorted
 * into logs to open, leftover `-delete` dirs to remove and `-future` dirs to ignore, and each log
 * opened with its leader epoch cache; new logs are created the same way. Kept apart from
 * log-manager.ts because opening logs is self-contained; it reaches the manager only through
 * LogDirLoadContext.
 */
import { promises as fsp } from 'fs';
import * as path from 'path';
import type { Logger } from '../common/logger';
import type { Scheduler } from '../common/scheduler';
import type { Time } from '../common/time';
import { LeaderEpochCheckpointFile } from './checkpoints/leader-epoch-checkpoint-file';
import type { LogDirCheckpoints } from './checkpoints/log-dir-checkpoints';
import { type OffsetCheckpointFile, topicPartitionKey } from './checkpoints/offset-checkpoint-file';
import { PartitionMetadataFile } from './checkpoints/partition-metadata-file';
import type { FileHandlePool } from './file-handle-pool';
import { LeaderEpochFileCache } from './leader-epoch-cache';
import { Log } from './log';
import type { LogConfig } from './log-config';
import type { LogDeletionQueue } from './log-deletion-queue';
import { forEachLimited } from './log-manager-helpers';
import { DELETE_DIR_SUFFIX, FUTURE_DIR_SUFFIX, logDirName, parseTopicPartitionName, type TopicPartition } from './log-names';

/** Topic dir of the KRaft metadata log; Kafka 2.8's ZooKeeper-mode loader skips it too. */
const METADATA_TOPIC = '__cluster_metadata';

/** Where a log opens from: its checkpointed offsets and whether its dir was shut down cleanly. */
export interface OpenLogState {
  recoveryPoint: number;
  logStartOffset: number;
  hadCleanShutdown: boolean;
}

/** What opening a log shares with every other log of the manager. */
export interface OpenLogDeps {
  readonly parentLogger: Logger;
  readonly time: Time;
  readonly scheduler: Scheduler;
  readonly filePool: FileHandlePool;
}

/** What loading a dir needs from the LogManager. */
export interface LogDirLoadContext {
  readonly logger: Logger;
  readonly time: Time;
  readonly recoveryThreads: number;
  readonly logsToBeDeleted: LogDeletionQueue;
  readonly configFor: (topic: string) => LogConfig;
  readonly openLog: (partitionDir: string, tp: TopicPartition, config: LogConfig, state: OpenLogState) => Promise<Log>;
  /** The log dir already holding the partition (`<topic>-<partition>`), if any. */
  readonly dirOf: (key: string) => string | undefined;
  readonly register: (key: string, log: Log, dir: string) => void;
}

/** Loads every log of one dir, whose clean-shutdown marker was already consumed. */
export async function loadLogsInDir(dir: string, hadCleanShutdown: boolean, checkpoints: LogDirCheckpoints, ctx: LogDirLoadContext): Promise<void> {
  ctx.logger.info(
    hadCleanShutdown
      ? `Skipping recovery for all logs in ${dir} since clean shutdown file was found`
      : `Attempting recovery for all logs in ${dir} since no clean shutdown file was found`,
  );
  const recoveryPoints = await readCheckpointOrEmpty(checkpoints.recoveryPoints, dir, 'resetting the recovery checkpoint to 0', ctx.logger);
  const logStartOffsets = await readCheckpointOrEmpty(checkpoints.logStartOffsets, dir, 'resetting to the base offset of the first segment', ctx.logger);
  const toLoad: { partitionDir: string; tp: TopicPartition }[] = [];
  for (const entry of await fsp.readdir(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const partitionDir = path.join(dir, entry.name);
    // Throws Kafka's "not in the form of topic-partition" error for stray dirs, failing startup as Kafka does.
    const tp = parseTopicPartitionName(partitionDir);
    if (tp.topic === METADATA_TOPIC) continue;
    if (entry.name.endsWith(DELETE_DIR_SUFFIX)) {
      // Deleted before the last shutdown finished removing it: remove it after the usual delay.
      ctx.logsToBeDeleted.add(partitionDir, () => fsp.rm(partitionDir, { recursive: true, force: true }));
    } else if (entry.name.endsWith(FUTURE_DIR_SUFFIX)) {
      ctx.logger.warn(`Ignoring future log dir ${partitionDir}: moving replicas between log dirs is not supported`);
    } else {
      toLoad.push({ partitionDir, tp });
    }
  }
  let loaded = 0;
  await forEachLimited(toLoad, ctx.recoveryThreads, async ({ partitionDir, tp }) => {
    const key = topicPartitionKey(tp);
    const startMs = ctx.time.hiResMilliseconds();
    const log = await ctx.openLog(partitionDir, tp, ctx.configFor(tp.topic), {
      recoveryPoint: recoveryPoints.get(key) ?? 0,
      logStartOffset: logStartOffsets.get(key) ?? 0,
      hadCleanShutdown,
    });
    const previous = ctx.dirOf(key);
    if (previous !== undefined) {
      await log.close();
      throw new Error(
        `Duplicate log directories for ${key} are found in both ${partitionDir} and ${path.join(previous, logDirName(tp))}. ` +
          'It is likely because log directory failure happened while broker was replacing current replica with future replica. ' +
          'Recover broker from this failure by manually deleting one of the two directories for this partition. ' +
          'It is recommended to delete the partition in the log directory that is known to have failed recently.',
      );
    }
    ctx.register(key, log, dir);
    loaded++;
    ctx.logger.info(
      `Completed load of log ${key} with ${log.numberOfSegments} segments in ${Math.round(ctx.time.hiResMilliseconds() - startMs)}ms ` +
        `(${loaded}/${toLoad.length} loaded in ${dir})`,
    );
  });
}

export async function readCheckpointOrEmpty(file: OffsetCheckpointFile, dir: string, consequence: string, logger: Logger): Promise<Map<string, number>> {
  try {
    return await file.read();
  } catch (err) {
    // As Kafka: a damaged checkpoint costs recovery work, not the broker.
    logger.warn({ err }, `Error occurred while reading ${path.basename(file.file)} file of directory ${dir}, ${consequence}`);
    return new Map();
  }
}

/** Opens one partition dir with its leader epoch cache (created with the log, as Kafka's Log does). */
export async function openPartitionLog(
  partitionDir: string,
  tp: TopicPartition,
  config: LogConfig,
  state: OpenLogState,
  deps: OpenLogDeps,
): Promise<{ log: Log; cache: LeaderEpochFileCache }> {
  const logLogger = deps.parentLogger.child({ component: 'Log', topic: tp.topic, partition: tp.partition });
  const checkpoint = LeaderEpochCheckpointFile.forDir(partitionDir);
  await checkpoint.createIfMissing();
  await PartitionMetadataFile.forDir(partitionDir).createIfMissing();
  const cache = await LeaderEpochFileCache.load(tp, checkpoint, logLogger);
  const log = await Log.load({
    dir: partitionDir,
    topicPartition: tp,
    config,
    ...state,
    time: deps.time,
    scheduler: deps.scheduler,
    logger: logLogger,
    filePool: deps.filePool,
    leaderEpochCache: cache,
  });
  return { log, cache };
}

/** Kafka's getOrCreateLog creation: the first of `dirs` (fewest logs first) where the dir can be made. */
export async function createLog(
  tp: TopicPartition,
  dirs: string[],
  config: LogConfig,
  ctx: Pick<LogDirLoadContext, 'logger' | 'openLog' | 'register'>,
): Promise<Log> {
  const key = topicPartitionKey(tp);
  for (const dir of dirs) {
    const partitionDir = path.join(dir, logDirName(tp));
    try {
      await fsp.mkdir(partitionDir, { recursive: true });
    } catch (err) {
      ctx.logger.warn({ err }, `Error while creating log for ${key} in dir ${dir}`);
      continue;
    }
    // A new log has nothing to recover (Kafka's lastShutdownClean defaults to true).
    const log = await ctx.openLog(partitionDir, tp, config, { recoveryPoint: 0, logStartOffset: 0, hadCleanShutdown: true });
    ctx.register(key, log, dir);
    ctx.logger.info(`Created log for partition ${key} in ${partitionDir}`);
    return log;
  }
  throw new Error(`No log directories available. Tried ${dirs.join(', ')}`);
}
