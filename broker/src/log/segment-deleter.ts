/**
 * Asynchronous segment deletion (Kafka's Log.deleteSegmentFiles): segments leaving the log are
 * renamed `<file>.deleted` at once (readers holding them keep working, a restart removes them) and
 * their files are removed by a scheduled "delete-file" task after file.delete.delay.ms.
 */
import type { Logger } from '../common/logger';
import type { ScheduledTask, Scheduler } from '../common/scheduler';
import { DELETED_FILE_SUFFIX } from './log-names';
import type { LogSegment } from './log-segment';

export class SegmentDeleter {
  private readonly pending = new Map<ScheduledTask, LogSegment[]>();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly logger: Logger,
  ) {}

  /** Segments renamed `.deleted` and waiting for their task. */
  get pendingSegments(): LogSegment[] {
    return [...this.pending.values()].flat();
  }

  async delete(segments: LogSegment[], asyncDelete: boolean, delayMs: number): Promise<void> {
    if (segments.length === 0) return;
    if (!asyncDelete) {
      for (const s of segments) await s.deleteIfExists();
      return;
    }
    for (const s of segments) {
      s.unloadIndexes();
      await s.changeFileSuffixes('', DELETED_FILE_SUFFIX);
    }
    const task = this.scheduler.schedule(
      'delete-file',
      async () => {
        this.pending.delete(task);
        this.logger.info({ files: segments.map((s) => s.logFile) }, 'Deleting segment files');
        for (const s of segments) await s.deleteIfExists();
      },
      delayMs,
    );
    this.pending.set(task, segments);
  }

  /** Deletes every pending segment now (the log is closing). */
  async runAll(): Promise<void> {
    const pending = [...this.pending.entries()];
    this.pending.clear();
    for (const [task, segments] of pending) {
      task.cancel();
      for (const s of segments) await s.deleteIfExists();
    }
  }

  /** Forgets pending deletions (the whole directory is going). */
  cancelAll(): void {
    for (const task of this.pending.keys()) task.cancel();
    this.pending.clear();
  }
}
