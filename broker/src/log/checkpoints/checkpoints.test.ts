import { promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  CheckpointFileError,
  LeaderEpochCheckpointFile,
  OffsetCheckpointFile,
  parseTopicPartitionKey,
  topicPartitionKey,
} from './index';

let dir: string;

beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'samsa-checkpoints-'));
});

afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

describe('OffsetCheckpointFile', () => {
  it('writes Kafka\'s byte-exact text format: version, count, then "topic partition offset" lines', async () => {
    const file = path.join(dir, 'recovery-point-offset-checkpoint');
    const cp = new OffsetCheckpointFile(file);
    await cp.write(new Map([['foo-0', 1234], ['bar-3', 99]]));
    expect(await fsp.readFile(file, 'utf8')).toBe('0\n2\nfoo 0 1234\nbar 3 99\n');
  });

  it('round-trips topics containing dots, underscores and dashes', async () => {
    const cp = new OffsetCheckpointFile(path.join(dir, 'cp'));
    const offsets = new Map([
      ['my.topic-with-dashes_and_underscores-12', 9_007_199_254_740_991],
      ['__consumer_offsets-49', 0],
      ['a-b-0', 7],
    ]);
    await cp.write(offsets);
    expect(await cp.read()).toEqual(offsets);
  });

  it('writes an empty checkpoint as "0\\n0\\n"', async () => {
    const file = path.join(dir, 'cp');
    await new OffsetCheckpointFile(file).write(new Map());
    expect(await fsp.readFile(file, 'utf8')).toBe('0\n0\n');
  });

  it('reads a missing file as empty', async () => {
    expect((await new OffsetCheckpointFile(path.join(dir, 'nope')).read()).size).toBe(0);
  });

  it('reads an empty file (as Kafka creates up front) as empty', async () => {
    const cp = new OffsetCheckpointFile(path.join(dir, 'cp'));
    await cp.createIfMissing();
    expect(await fsp.readFile(cp.file, 'utf8')).toBe('');
    expect((await cp.read()).size).toBe(0);
  });

  it('leaves no .tmp file behind after an atomic write, and replaces the old content', async () => {
    const file = path.join(dir, 'cp');
    const cp = new OffsetCheckpointFile(file);
    await cp.write(new Map([['t-0', 1]]));
    await cp.write(new Map([['t-0', 2], ['t-1', 3]]));
    expect(await fsp.readdir(dir)).toEqual(['cp']);
    expect(await fsp.readFile(file, 'utf8')).toBe('0\n2\nt 0 2\nt 1 3\n');
  });

  it('serializes concurrent writes so the last one wins', async () => {
    const cp = new OffsetCheckpointFile(path.join(dir, 'cp'));
    await Promise.all([1, 2, 3, 4, 5].map((n) => cp.write(new Map([['t-0', n]]))));
    expect(await cp.read()).toEqual(new Map([['t-0', 5]]));
    expect(await fsp.readdir(dir)).toEqual(['cp']);
  });

  it('reports a malformed line with the file name, the line text and its number', async () => {
    const file = path.join(dir, 'cp');
    await fsp.writeFile(file, '0\n2\nfoo 0 1234\nbar three 99\n');
    const err = await new OffsetCheckpointFile(file).read().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointFileError);
    expect((err as CheckpointFileError).message).toBe(`Malformed line in checkpoint file (${file}): 'bar three 99' (line 4)`);
    expect((err as CheckpointFileError).lineNumber).toBe(4);
  });

  it('treats a wrong field count, a leading blank or a non-numeric count as malformed', async () => {
    const file = path.join(dir, 'cp');
    for (const text of ['0\n1\nfoo 0\n', '0\n1\n foo 0 1\n', '0\n1\nfoo 0 1 2\n', '0\nx\n', 'v\n']) {
      await fsp.writeFile(file, text);
      await expect(new OffsetCheckpointFile(file).read()).rejects.toThrow(/Malformed line in checkpoint file/);
    }
  });

  it('refuses an unknown version and an entry count that does not match', async () => {
    const file = path.join(dir, 'cp');
    await fsp.writeFile(file, '1\n0\n');
    await expect(new OffsetCheckpointFile(file).read()).rejects.toThrow(`Unrecognized version of the checkpoint file (${file}): 1`);
    await fsp.writeFile(file, '0\n3\nfoo 0 1\n');
    await expect(new OffsetCheckpointFile(file).read()).rejects.toThrow(
      `Expected 3 entries in checkpoint file (${file}), but found only 1`,
    );
  });

  it('refuses offsets that do not fit a JS safe integer instead of rounding them', async () => {
    const file = path.join(dir, 'cp');
    await fsp.writeFile(file, '0\n1\nfoo 0 9223372036854775807\n');
    await expect(new OffsetCheckpointFile(file).read()).rejects.toThrow(/Malformed line/);
  });

  it('accepts Windows line endings written by other tools', async () => {
    const file = path.join(dir, 'cp');
    await fsp.writeFile(file, '0\r\n1\r\nfoo 0 5\r\n');
    expect(await new OffsetCheckpointFile(file).read()).toEqual(new Map([['foo-0', 5]]));
  });
});

describe('topic-partition keys', () => {
  it('split at the last dash so topics may contain dashes', () => {
    expect(parseTopicPartitionKey('a-b-c-7')).toEqual({ topic: 'a-b-c', partition: 7 });
    expect(topicPartitionKey({ topic: 'x.y_z', partition: 0 })).toBe('x.y_z-0');
    expect(parseTopicPartitionKey('nodash')).toBeUndefined();
    expect(parseTopicPartitionKey('-1')).toBeUndefined();
    expect(parseTopicPartitionKey('t-+1')).toBeUndefined();
  });
});

describe('LeaderEpochCheckpointFile', () => {
  it('writes "epoch startOffset" lines after version and count', async () => {
    const cp = LeaderEpochCheckpointFile.forDir(dir);
    await cp.write([{ epoch: 0, startOffset: 0 }, { epoch: 3, startOffset: 120 }]);
    expect(await fsp.readFile(path.join(dir, 'leader-epoch-checkpoint'), 'utf8')).toBe('0\n2\n0 0\n3 120\n');
    expect(await cp.read()).toEqual([{ epoch: 0, startOffset: 0 }, { epoch: 3, startOffset: 120 }]);
  });

  it('reports a malformed epoch line', async () => {
    const cp = LeaderEpochCheckpointFile.forDir(dir);
    await fsp.writeFile(cp.file, '0\n1\n3\n');
    await expect(cp.read()).rejects.toThrow(`Malformed line in checkpoint file (${cp.file}): '3' (line 3)`);
  });
});
