/**
 * The admin tools' shared command line: yargs configured the same way for every tool (strict flags,
 * `--help`, no `--version`), and the runner that turns a user mistake or a cluster error into one line
 * on stderr with exit code 1 — never a stack trace.
 */
import yargs, { type Argv } from 'yargs';
import { ToolError } from './tool-error';

/** A yargs parser for tool `name` in the house style: usage line, strict flags, `--help`. */
export function toolParser(name: string, argv: readonly string[], usage: string): Argv {
  return yargs([...argv])
    .scriptName(name)
    .usage(usage)
    .strict()
    .help('help')
    .alias('help', 'h')
    .version(false)
    .wrap(Math.min(120, process.stdout.columns ?? 100))
    .parserConfiguration({ 'duplicate-arguments-array': true, 'strip-aliased': true })
    .fail((msg, err) => {
      throw err ?? new ToolError(msg);
    });
}

/** The options' own error lines as Kafka's CommandLineUtils words them. */
export function requireArg(value: unknown, flag: string): void {
  if (value === undefined || value === '') throw new ToolError(`Missing required argument "[${flag}]"`);
}

export function invalidWith(present: boolean, flag: string, others: ReadonlyArray<[boolean, string]>): void {
  if (!present) return;
  for (const [has, other] of others) if (has) throw new ToolError(`Option "[${flag}]" can't be used with option "[${other}]"`);
}

/**
 * A reader that stopped early (`| head`) closes the pipe: the tool ends quietly, as Kafka's tools do
 * (Java's System.out swallows the error), instead of dying on an unhandled EPIPE with a stack trace.
 */
function stdoutClosed(err: NodeJS.ErrnoException): void {
  if (err.code === 'EPIPE') process.exit(0);
  process.stderr.write(`error writing to standard output: ${err.message}\n`);
  process.exit(1);
}

/**
 * Runs a tool's main: its exit code, or 1 after one line on stderr for a ToolError (prefixed as the
 * Kafka tool prefixes errors) or any other failure.
 */
export async function runTool(prefix: string, main: () => Promise<number | void>): Promise<void> {
  process.stdout.on('error', stdoutClosed);
  try {
    process.exitCode = (await main()) ?? 0;
  } catch (err) {
    if (err instanceof ToolError && err.alreadyReported) {
      process.exitCode = 1;
      return;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`${prefix}${message.split('\n')[0] ?? ''}\n`);
    process.exitCode = 1;
  }
}
