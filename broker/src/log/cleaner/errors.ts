/** The cleaner's control-flow errors (Kafka's LogCleaningAbortedException, ThreadShutdownException, LogCleaningException). */
import type { Log } from '../log';

/** The partition's cleaning was aborted (abortCleaning / abortAndPauseCleaning): stop this pass, keep the log as it is. */
export class LogCleaningAbortedError extends Error {
  override readonly name = 'LogCleaningAbortedError';
  constructor() {
    super('Log cleaning aborted');
  }
}

/** The cleaner is shutting down: stop this pass. */
export class ThreadShutdownError extends Error {
  override readonly name = 'ThreadShutdownError';
  constructor() {
    super('Log cleaner is shutting down');
  }
}

/** A pass on `log` failed unexpectedly; the partition is marked uncleanable (until it moves dirs or is re-created). */
export class LogCleaningError extends Error {
  override readonly name = 'LogCleaningError';
  constructor(
    readonly log: Log,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
