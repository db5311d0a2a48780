/**
 * Kafka's Throttler as the cleaner uses it (log.cleaner.io.max.bytes.per.second): bytes are counted
 * over ~300 ms periods, and a period that ran faster than the rate is followed by a sleep long
 * enough to bring it back to the rate. Infinity (the default) never sleeps.
 */
import type { Time } from '../../common/time';

const CHECK_INTERVAL_MS = 300;

export class Throttler {
  private periodStartMs: number;
  private observedSoFar = 0;

  constructor(
    private readonly desiredRatePerSec: number,
    private readonly time: Time,
  ) {
    this.periodStartMs = time.hiResMilliseconds();
  }

  async maybeThrottle(observed: number): Promise<void> {
    if (!Number.isFinite(this.desiredRatePerSec)) return;
    this.observedSoFar += observed;
    const now = this.time.hiResMilliseconds();
    const elapsedMs = now - this.periodStartMs;
    if (elapsedMs <= CHECK_INTERVAL_MS) return;
    const rateInSecs = (this.observedSoFar * 1000) / elapsedMs;
    if (rateInSecs > this.desiredRatePerSec) {
      const sleepMs = Math.round((this.observedSoFar / this.desiredRatePerSec) * 1000 - elapsedMs);
      if (sleepMs > 0) await new Promise<void>((resolve) => setTimeout(resolve, sleepMs).unref());
    }
    this.periodStartMs = this.time.hiResMilliseconds();
    this.observedSoFar = 0;
  }
}
