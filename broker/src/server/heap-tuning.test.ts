import { execFileSync } from 'node:child_process';
import { BROKER_V8_FLAGS, brokerV8FlagsToSet } from './heap-tuning';

/**
 * Calls a small request-handler-like function until V8 has optimized it, with `flags` applied the
 * way the broker applies them (v8.setFlagsFromString after start), and returns the call count.
 * Concurrent recompilation is off so the count does not depend on a compiler thread's timing.
 */
function callsUntilOptimized(flags: readonly string[]): number {
  const script = `
    const v8 = require('node:v8');
    for (const flag of JSON.parse(process.argv[1])) v8.setFlagsFromString(flag);
    function handle(o) { let s = o.a + o.b * 2; s ^= o.c; s += o.d.length; if (s > 100) s -= o.a; else s += o.b; return ((s * 31) | 0) + (o.e ? 1 : 2); }
    const request = { a: 1, b: 2, c: 3, d: [1, 2], e: true };
    let calls = 0;
    for (; calls < 1000000; calls++) { handle(request); if ((%GetOptimizationStatus(handle) & 16) !== 0) break; }
    process.stdout.write(String(calls));`;
  return Number(execFileSync(process.execPath, ['--allow-natives-syntax', '--no-concurrent-recompilation', '-e', script, JSON.stringify(flags)], { encoding: 'utf8' }));
}

describe('broker V8 flags', () => {
  it('sets the broker heap growing factor when the operator has not chosen one', () => {
    expect(brokerV8FlagsToSet(['--import', '/x/loader.mjs'], undefined)).toEqual([...BROKER_V8_FLAGS]);
    expect(BROKER_V8_FLAGS).toContain('--heap-growing-percent=300');
  });

  it('sets a smaller interrupt budget, so per-request code is optimized after a fraction of the calls', () => {
    expect(BROKER_V8_FLAGS).toContain('--interrupt-budget=8192');
    const byDefault = callsUntilOptimized([]);
    const tuned = callsUntilOptimized(BROKER_V8_FLAGS);
    // A renamed or ignored flag (setFlagsFromString is silent about unknown ones) fails here.
    expect(tuned).toBeGreaterThan(0);
    expect(tuned * 4).toBeLessThan(byDefault);
  });

  it("leaves a flag the operator set on the command line or in NODE_OPTIONS alone, in either of V8's spellings", () => {
    expect(brokerV8FlagsToSet(['--heap-growing-percent=50'], undefined)).toEqual(['--interrupt-budget=8192']);
    expect(brokerV8FlagsToSet([], '--max-old-space-size=512 --heap_growing_percent=20')).toEqual(['--interrupt-budget=8192']);
    expect(brokerV8FlagsToSet(['--interrupt_budget=67584'], '--heap-growing-percent=20')).toEqual([]);
  });

  it('is not fooled by a flag value or an unrelated flag with a similar prefix', () => {
    expect(brokerV8FlagsToSet(['--heap-growing', 'heap-growing-percent'], '--heap-growing-percentage=1')).toEqual([...BROKER_V8_FLAGS]);
  });
});
