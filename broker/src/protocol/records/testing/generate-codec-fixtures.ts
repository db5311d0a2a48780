/**
 * Regenerates fixtures/codec-frames.json: LZ4 and zstd frames written by the reference command
 * line tools (Debian's lz4 and zstd packages), decoded by the unit tests on every run.
 * Run: npx tsx broker/src/protocol/records/testing/generate-codec-fixtures.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codecInputs } from './samples';

export interface CodecFrame {
  name: string;
  codec: number;
  input: 'small' | 'big';
  hex: string;
}

function main(): void {
  const { small, big } = codecInputs();
  const run = (cmd: string, args: string[], input: Buffer): string => execFileSync(cmd, args, { input }).toString('hex');
  // lz4 writes a content size only when it reads a file, not stdin.
  const dir = mkdtempSync(join(tmpdir(), 'codec-fixtures-'));
  const smallFile = join(dir, 'small.bin');
  writeFileSync(smallFile, small);
  const frames: CodecFrame[] = [
    { name: 'lz4 CLI: content checksum', codec: 3, input: 'small', hex: run('lz4', ['-q', '-c'], small) },
    {
      name: 'lz4 CLI: block checksums, content size, content checksum',
      codec: 3,
      input: 'small',
      hex: execFileSync('lz4', ['-q', '-c', '-BX', '--content-size', smallFile]).toString('hex'),
    },
    { name: 'lz4 CLI: 4 x 64 KiB blocks', codec: 3, input: 'big', hex: run('lz4', ['-q', '-c', '-B4'], big) },
    { name: 'lz4 CLI: 256 KiB block size', codec: 3, input: 'big', hex: run('lz4', ['-q', '-c', '-B5'], big) },
    { name: 'zstd CLI: no content size, checksum', codec: 4, input: 'small', hex: run('zstd', ['-q', '-c', '--no-content-size'], small) },
    { name: 'zstd CLI: content size', codec: 4, input: 'small', hex: run('zstd', ['-q', '-c'], small) },
    { name: 'zstd CLI: many blocks, no content size', codec: 4, input: 'big', hex: run('zstd', ['-q', '-c', '--no-content-size', '-1'], big) },
    {
      name: 'zstd CLI: two frames',
      codec: 4,
      input: 'small',
      hex: run('zstd', ['-q', '-c'], small.subarray(0, 1000)) + run('zstd', ['-q', '-c', '--no-content-size'], small.subarray(1000)),
    },
  ];
  const rejected: CodecFrame[] = [
    { name: 'lz4 CLI: dependent blocks (Kafka rejects them)', codec: 3, input: 'big', hex: run('lz4', ['-q', '-c', '-BD', '-B4'], big) },
  ];
  rmSync(dir, { recursive: true });
  const generatedBy = `${execFileSync('lz4', ['--version']).toString().trim()}; ${execFileSync('zstd', ['--version']).toString().trim()}`;
  writeFileSync(join(__dirname, 'fixtures', 'codec-frames.json'), JSON.stringify({ generatedBy, frames, rejected }, null, 1) + '\n');
}

if (require.main === module) main();
