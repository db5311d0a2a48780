/**
 * Logger factory: one pino root, child loggers per component (DESIGN.md "Logs are pino JSON lines").
 * LOG_LEVEL sets the level; under jest the default is 'silent' so test output stays readable.
 */
import pino from 'pino';

export type Logger = pino.Logger;

function defaultLevel(): string {
  const fromEnv = process.env.LOG_LEVEL;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return process.env.JEST_WORKER_ID !== undefined ? 'silent' : 'info';
}

let root: Logger | undefined;

export function rootLogger(): Logger {
  root ??= pino({ level: defaultLevel() });
  return root;
}

/** A child logger whose lines carry `component` (and any extra bindings such as the broker id). */
export function createLogger(component: string, bindings: Record<string, unknown> = {}): Logger {
  return rootLogger().child({ component, ...bindings });
}
