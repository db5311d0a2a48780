import { spawn } from 'node:child_process';
import * as path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '../../../..');
const TSX_CJS = path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cjs', 'index.cjs');

/** A tool whose main writes 200,000 lines, one write each, through runTool, as the bin/ launcher runs tools. */
const TOOL = `
const { runTool } = require(${JSON.stringify(path.join(__dirname, 'cli.ts'))});
void runTool('Error: ', async () => { for (let i = 0; i < 200000; i++) process.stdout.write('line ' + i + '\\n'); });
`;

describe('runTool', () => {
  it('ends quietly with exit code 0 when the reader of its output closes the pipe early (`| head`), as Kafka tools do', async () => {
    const child = spawn(process.execPath, ['--require', TSX_CJS, '-e', TOOL], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy()); // the reader goes away after its first chunk
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  }, 30_000);
});
