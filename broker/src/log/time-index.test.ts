import * as fs from 'node:fs';
import * as path from 'node:path';
import { CorruptIndexError, InvalidOffsetError } from './abstract-index';
import { FileHandlePool } from './file-handle-pool';
import { TimeIndex } from './time-index';
import { makeTempDir, removeDir } from './testing/log-test-utils';

describe('TimeIndex', () => {
  let dir: string;
  let pool: FileHandlePool;
  beforeEach(async () => {
    dir = await makeTempDir();
    pool = new FileHandlePool({ maxOpen: 16 });
  });
  afterEach(async () => {
    await pool.close();
    await removeDir(dir);
  });

  const newIndex = (maxIndexSize = 10485760): TimeIndex => {
    const index = new TimeIndex({ file: path.join(dir, '00000000000000000100.timeindex'), baseOffset: 100, maxIndexSize, pool });
    index.create();
    return index;
  };

  it('only appends when the timestamp grows', () => {
    const index = newIndex();
    index.maybeAppend(1000, 105);
    index.maybeAppend(1000, 106);
    index.maybeAppend(1500, 107);
    expect(index.entries).toBe(2);
    expect(index.lastEntry()).toEqual({ timestamp: 1500, offset: 107 });
    expect(() => index.maybeAppend(900, 110)).toThrow(InvalidOffsetError);
  });

  it('reports (NO_TIMESTAMP, baseOffset) when empty and ignores NO_TIMESTAMP entries', () => {
    const index = newIndex();
    expect(index.lastEntry()).toEqual({ timestamp: -1, offset: 100 });
    index.maybeAppend(-1, 105);
    expect(index.entries).toBe(0);
    expect(index.lookup(5000)).toEqual({ timestamp: -1, offset: 100 });
  });

  it('looks up the greatest entry at or below the target timestamp', () => {
    const index = newIndex();
    index.maybeAppend(1000, 110);
    index.maybeAppend(2000, 120);
    index.maybeAppend(3000, 130);
    expect(index.lookup(999)).toEqual({ timestamp: -1, offset: 100 });
    expect(index.lookup(2500)).toEqual({ timestamp: 2000, offset: 120 });
    expect(index.lookup(3000)).toEqual({ timestamp: 3000, offset: 130 });
  });

  it('reserves the last slot for the final entry forced on roll', () => {
    const index = newIndex(36);
    expect(index.maxEntries).toBe(3);
    index.maybeAppend(1000, 110);
    index.maybeAppend(2000, 120);
    expect(index.isFull).toBe(true);
    expect(() => index.maybeAppend(3000, 130)).toThrow(/full/);
    index.maybeAppend(3000, 130, true);
    expect(index.entries).toBe(3);
  });

  it('truncates entries at or above an offset', () => {
    const index = newIndex();
    index.maybeAppend(1000, 110);
    index.maybeAppend(2000, 120);
    index.truncateTo(115);
    expect(index.entries).toBe(1);
  });

  it('rejects a zeroed tail after an unclean stop as corrupt', async () => {
    const index = newIndex(1200);
    index.maybeAppend(1000, 110);
    index.maybeAppend(2000, 120);
    const again = new TimeIndex({ file: index.file, baseOffset: 100, maxIndexSize: 1200, pool });
    await expect(again.load()).rejects.toThrow(CorruptIndexError);
    index.trimToValidSize();
    expect(fs.statSync(index.file).size).toBe(24);
    const trimmed = new TimeIndex({ file: index.file, baseOffset: 100, maxIndexSize: 1200, pool });
    await trimmed.load();
    expect(trimmed.lastEntry()).toEqual({ timestamp: 2000, offset: 120 });
  });
});
