/** Runs compose/docker-entrypoint.sh with SAMSA_ENTRYPOINT_DRY_RUN=1 and reads what it would write. */
import { spawnSync } from 'node:child_process';
import { ENTRYPOINT_SCRIPT } from './compose-file';

const HEADER = '# Written by docker-entrypoint.sh';

export interface DryRun {
  readonly status: number | null;
  readonly properties: ReadonlyMap<string, string>;
  /** The `exec …` line the script prints to stderr. */
  readonly stderr: string;
  readonly stdout: string;
}

/** key=value lines, comments skipped; values kept as written (escapes included). */
export function parsePropertiesLines(text: string): Map<string, string> {
  const props = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`not a key=value line: ${line}`);
    props.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return props;
}

/** A clean environment (nothing leaks in from the test runner's), plus `env`. */
export function dryRun(env: Readonly<Record<string, string>>, args: readonly string[] = []): DryRun {
  const result = spawnSync('bash', [ENTRYPOINT_SCRIPT, ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', SAMSA_ENTRYPOINT_DRY_RUN: '1', ...env },
    encoding: 'utf8',
    timeout: 10_000,
  });
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    // Only a broker run prints properties; another command's output is its own.
    properties: result.status === 0 && result.stdout.startsWith(HEADER) ? parsePropertiesLines(result.stdout) : new Map(),
  };
}
