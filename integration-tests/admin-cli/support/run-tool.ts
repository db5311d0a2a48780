/** Runs a bin/<tool> of this repository as a user would, capturing its exit code and both streams. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const REPO = path.resolve(__dirname, '../../..');

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runTool(name: string, args: readonly string[], timeoutMs = 60_000): Promise<ToolResult> {
  try {
    const { stdout, stderr } = await run(path.join(REPO, 'bin', name), [...args], { timeout: timeoutMs });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
