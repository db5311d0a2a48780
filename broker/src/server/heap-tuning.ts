/**
 * V8 settings for a broker process (the role of kafka-run-class.sh's KAFKA_JVM_PERFORMANCE_OPTS).
 *
 * `--heap-growing-percent=300`: a broker's working set is small (tens of MB of JS objects) while every request and response frame
 * is a Buffer whose bytes live outside the JS heap: hundreds of MB/s under replication. V8 sizes the
 * old-generation limit from the live heap with a growing factor it lowers when GC time is high, and
 * the external-memory scavenges promote in-flight requests; under acks=all load that settled into a
 * full mark-compact about every 100 ms, a quarter of the broker's CPU (measured with --trace-gc).
 * A fixed factor of 4 lets the old generation grow to 4× the live heap before the next full GC:
 * 6–7 full GCs instead of about 17 per broker in the same run, and 60% more records per CPU second.
 *
 * `--interrupt-budget=8192` (V8's default is 67584): a broker's hot code runs once per request or
 * fetch, a few hundred times a second, so at the default budget a function takes seconds to tens of
 * seconds of load before V8 optimizes it, and meanwhile runs as baseline code (perf showed V8's IC
 * builtins and tier-up compiles as a large share of brokers' user time under acks=all). An eighth
 * of the budget tiers the same functions up about eight times sooner; the compile work is the same.
 * Measured with `npm run bench:replication` (three rounds each), interleaved with the default:
 * five pairs: broker CPU for 120k 1 KiB records at acks=all RF=3, per round, median 0.93 s against
 * 1.27 s, 1 KiB ratio 52-59% against 40-59%; four more pairs in a slower spell: CPU 1.55 s against
 * 1.45 s (no gain), ratio 52-55% against 43-61%.
 */
import v8 from 'node:v8';

export const BROKER_V8_FLAGS: readonly string[] = ['--heap-growing-percent=300', '--interrupt-budget=8192'];

/** The flags of BROKER_V8_FLAGS the operator has not set themselves (on the command line or in NODE_OPTIONS). */
export function brokerV8FlagsToSet(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  const given = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].map((a) => flagName(a)).filter((n) => n !== '');
  return BROKER_V8_FLAGS.filter((flag) => !given.includes(flagName(flag)));
}

/** `--heap-growing-percent=300` and `--heap_growing_percent 300` name the same V8 flag. */
function flagName(arg: string): string {
  return arg.startsWith('--') ? (arg.split('=')[0] ?? '').replace(/_/g, '-') : '';
}

/** Applies the broker's V8 flags; called first thing in the broker's main (V8 reads both flags as it runs). */
export function tuneHeapForBroker(): void {
  for (const flag of brokerV8FlagsToSet(process.execArgv, process.env.NODE_OPTIONS)) v8.setFlagsFromString(flag);
}
