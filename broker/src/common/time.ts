/**
 * Injected clocks (Kafka's Time / MockTime): components never call Date.now() directly, so tests can
 * move time without sleeping.
 */
export interface Time {
  /** Wall-clock milliseconds since the epoch (record timestamps, file mtimes). */
  milliseconds(): number;
  /** Monotonic milliseconds for measuring intervals. */
  hiResMilliseconds(): number;
}

export const SYSTEM_TIME: Time = {
  milliseconds: () => Date.now(),
  hiResMilliseconds: () => Number(process.hrtime.bigint()) / 1e6,
};

/** A clock that moves only when told to. */
export class MockTime implements Time {
  private nowMs: number;
  private hiRes: number;

  constructor(startMs = 1_600_000_000_000, startHiResMs = 0) {
    this.nowMs = startMs;
    this.hiRes = startHiResMs;
  }

  milliseconds(): number {
    return this.nowMs;
  }

  hiResMilliseconds(): number {
    return this.hiRes;
  }

  sleep(ms: number): void {
    this.nowMs += ms;
    this.hiRes += ms;
  }
}
