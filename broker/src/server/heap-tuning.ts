/**
 * V8 heap settings for a broker process (the role of kafka-run-class.sh's KAFKA_JVM_PERFORMANCE_OPTS).
 *
 * A broker's working set is small (tens of MB of JS objects) while every request and response frame
 * is a Buffer whose bytes live outside the JS heap: hundreds of MB/s under replication. V8 sizes the
 * old-generation limit from the live heap with a growing factor it lowers when GC time is high, and
 * the external-memory scavenges promote in-flight requests; under acks=all load that settled into a
 * full mark-compact about every 100 ms, a quarter of the broker's CPU (measured with --trace-gc).
 * A fixed factor of 4 lets the old generation grow to 4× the live heap before the next full GC:
 * 6–7 full GCs instead of about 17 per broker in the same run, and 60% more records per CPU second.
 */
import v8 from 'node:v8';

export const BROKER_V8_FLAGS: readonly string[] = ['--heap-growing-percent=300'];

/** The flags of BROKER_V8_FLAGS the operator has not set themselves (on the command line or in NODE_OPTIONS). */
export function brokerV8FlagsToSet(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  const given = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].map((a) => flagName(a)).filter((n) => n !== '');
  return BROKER_V8_FLAGS.filter((flag) => !given.includes(flagName(flag)));
}

/** `--heap-growing-percent=300` and `--heap_growing_percent 300` name the same V8 flag. */
function flagName(arg: string): string {
  return arg.startsWith('--') ? (arg.split('=')[0] ?? '').replace(/_/g, '-') : '';
}

/** Applies the broker's V8 flags; called first thing in the broker's main. */
export function tuneHeapForBroker(): void {
  for (const flag of brokerV8FlagsToSet(process.execArgv, process.env.NODE_OPTIONS)) v8.setFlagsFromString(flag);
}
