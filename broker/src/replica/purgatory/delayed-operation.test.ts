import { MockScheduler } from '../../common/scheduler';
import { MockTime } from '../../common/time';
import { DelayedOperation, DelayedOperationPurgatory } from './delayed-operation';

class Countdown extends DelayedOperation {
  remaining: number;
  result: 'completed' | 'expired' | undefined;
  private expired = false;
  constructor(delayMs: number, remaining: number) {
    super(delayMs);
    this.remaining = remaining;
  }
  tryComplete(): boolean {
    return this.remaining <= 0 ? this.forceComplete() : false;
  }
  protected override onExpiration(): void {
    this.expired = true;
  }
  protected onComplete(): void {
    this.result = this.expired ? 'expired' : 'completed';
  }
}

describe('DelayedOperationPurgatory', () => {
  const scheduler = new MockScheduler(new MockTime());

  it('completes at once when it can (tryCompleteElseWatch), else watches under every key', () => {
    const purgatory = new DelayedOperationPurgatory<Countdown>('test', scheduler);
    expect(purgatory.tryCompleteElseWatch(new Countdown(100, 0), ['a'])).toBe(true);
    const op = new Countdown(100, 1);
    expect(purgatory.tryCompleteElseWatch(op, ['a', 'b'])).toBe(false);
    expect(purgatory.watched('a')).toBe(1);
    expect(purgatory.watched('b')).toBe(1);
    op.remaining = 0;
    expect(purgatory.checkAndComplete('b')).toBe(1);
    expect(op.result).toBe('completed');
    expect(purgatory.watched('a')).toBe(0);
    expect(purgatory.delayed).toBe(0);
  });

  it('expires an operation when its delay passes, exactly once', async () => {
    const purgatory = new DelayedOperationPurgatory<Countdown>('test', scheduler);
    const op = new Countdown(100, 1);
    purgatory.tryCompleteElseWatch(op, ['a']);
    await scheduler.tick(99);
    expect(op.result).toBeUndefined();
    await scheduler.tick(1);
    expect(op.result).toBe('expired');
    op.remaining = 0;
    expect(purgatory.checkAndComplete('a')).toBe(0);
  });

  it('completes waiting operations and clears their timers on shutdown', () => {
    const purgatory = new DelayedOperationPurgatory<Countdown>('test', scheduler);
    const op = new Countdown(10_000, 1);
    purgatory.tryCompleteElseWatch(op, ['a']);
    purgatory.shutdown();
    expect(op.result).toBe('expired');
    expect(purgatory.delayed).toBe(0);
  });
});
