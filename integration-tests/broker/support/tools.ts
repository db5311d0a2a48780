/** External client tools (kcat, python3 with confluent-kafka) run as child processes by the suites. */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Absolute path of an executable on PATH, or null. */
export function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** kcat (or its old name kafkacat), or null when neither is installed. */
export const KCAT: string | null = onPath('kcat') ?? onPath('kafkacat');

export const PYTHON = '/usr/bin/python3';

/** True when /usr/bin/python3 can import confluent_kafka. */
export function confluentKafkaAvailable(): boolean {
  try {
    execFileSync(PYTHON, ['-c', 'import confluent_kafka'], { stdio: 'ignore', timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

export interface ToolRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command with optional stdin text; rejects (with its output) on timeout. */
export function runTool(command: string, args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timeoutMs = options.timeoutMs ?? 60_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `${path.basename(command)} ${args.join(' ')} timed out after ${timeoutMs} ms\nstdout: ${Buffer.concat(out).toString().slice(-2000)}\n` +
            `stderr: ${Buffer.concat(err).toString().slice(-2000)}`,
        ),
      );
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** A tool run that must exit 0; the error carries its output. */
export async function runToolOk(command: string, args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Promise<ToolRun> {
  const run = await runTool(command, args, options);
  if (run.code !== 0) {
    throw new Error(`${path.basename(command)} ${args.join(' ')} exited with ${String(run.code ?? run.signal)}\nstdout: ${run.stdout.slice(-3000)}\nstderr: ${run.stderr.slice(-3000)}`);
  }
  return run;
}
