import * as fs from 'node:fs';
import * as path from 'node:path';
import { CorruptIndexError, InvalidOffsetError, MAX_PENDING_ENTRIES } from './abstract-index';
import { FileHandlePool } from './file-handle-pool';
import { OffsetIndex } from './offset-index';
import { makeTempDir, removeDir } from './testing/log-test-utils';

describe('OffsetIndex', () => {
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

  const newIndex = (maxIndexSize = 10485760, baseOffset = 100): OffsetIndex => {
    const index = new OffsetIndex({ file: path.join(dir, '00000000000000000100.index'), baseOffset, maxIndexSize, pool });
    index.create();
    return index;
  };

  it('preallocates the file to segment.index.bytes (rounded down to whole entries) when created', () => {
    const index = newIndex(1001);
    expect(fs.statSync(index.file).size).toBe(1000);
    expect(index.maxEntries).toBe(125);
    expect(index.entries).toBe(0);
  });

  it('keeps entries in a buffer grown as needed, not the whole preallocation', () => {
    const index = newIndex(10485760);
    for (let i = 1; i <= 10; i++) index.append(100 + i * 10, i * 4096);
    expect(index.memoryBytes).toBeLessThan(4096);
  });

  it('looks up the greatest entry at or below the target', () => {
    const index = newIndex();
    index.append(110, 5000);
    index.append(120, 9000);
    index.append(130, 13000);
    expect(index.lookup(99)).toEqual({ offset: 100, position: 0 });
    expect(index.lookup(109)).toEqual({ offset: 100, position: 0 });
    expect(index.lookup(110)).toEqual({ offset: 110, position: 5000 });
    expect(index.lookup(125)).toEqual({ offset: 120, position: 9000 });
    expect(index.lookup(1_000_000)).toEqual({ offset: 130, position: 13000 });
    expect(index.upperBound(111)).toEqual({ offset: 120, position: 9000 });
    expect(index.upperBound(131)).toBeNull();
  });

  it('writes appended entries to their slots in the file on flush, as an mmap would have them', async () => {
    const index = newIndex(80);
    index.append(105, 4200);
    index.append(107, 5000);
    expect(index.pendingEntries).toBe(2);
    await index.flush();
    expect(index.pendingEntries).toBe(0);
    const bytes = fs.readFileSync(index.file);
    expect(bytes.length).toBe(80);
    expect(bytes.readInt32BE(0)).toBe(5);
    expect(bytes.readInt32BE(4)).toBe(4200);
    expect(bytes.readInt32BE(8)).toBe(7);
    expect(bytes.readInt32BE(12)).toBe(5000);
  });

  it('writes pending entries before trimming, and never writes entries truncated away', () => {
    const index = newIndex(800);
    for (let i = 1; i <= 5; i++) index.append(100 + i * 10, i * 1000);
    index.truncateTo(130);
    index.trimToValidSize();
    const bytes = fs.readFileSync(index.file);
    expect(bytes.length).toBe(16);
    expect([bytes.readInt32BE(0), bytes.readInt32BE(8)]).toEqual([10, 20]);
  });

  it('keeps the file at most MAX_PENDING_ENTRIES entries behind the index without a flush', () => {
    const max = MAX_PENDING_ENTRIES;
    const index = newIndex(8 * (2 * max + 100));
    for (let i = 1; i <= max + 40; i++) index.append(100 + i, i * 100);
    expect(index.pendingEntries).toBe(40);
    const bytes = fs.readFileSync(index.file);
    expect(bytes.readInt32BE((max - 1) * 8)).toBe(max);
    expect(bytes.readInt32BE(max * 8)).toBe(0);
  });

  it('rejects an offset no larger than the last one and appends to a full index', () => {
    const index = newIndex(16);
    index.append(110, 100);
    expect(() => index.append(110, 200)).toThrow(InvalidOffsetError);
    index.append(111, 200);
    expect(index.isFull).toBe(true);
    expect(() => index.append(112, 300)).toThrow(/full index/);
  });

  it('truncates to entries strictly below the offset', () => {
    const index = newIndex();
    index.append(110, 100);
    index.append(120, 200);
    index.append(130, 300);
    index.truncateTo(120);
    expect(index.entries).toBe(1);
    expect(index.lastOffset).toBe(110);
    index.truncateTo(125);
    expect(index.entries).toBe(1);
    index.truncateTo(50);
    expect(index.entries).toBe(0);
    expect(index.lastOffset).toBe(100);
  });

  it('trims the file to its entries and reloads the same entries', async () => {
    const index = newIndex();
    index.append(110, 100);
    index.append(120, 200);
    index.trimToValidSize();
    expect(fs.statSync(index.file).size).toBe(16);
    const again = new OffsetIndex({ file: index.file, baseOffset: 100, maxIndexSize: 10485760, pool });
    await again.load();
    expect(again.entries).toBe(2);
    expect(again.lookup(125)).toEqual({ offset: 120, position: 200 });
    // A loaded index counts as full until resize gives it room (Kafka's mmap limit).
    expect(again.isFull).toBe(true);
    again.resize(10485760);
    expect(again.isFull).toBe(false);
    expect(fs.statSync(index.file).size).toBe(10485760);
  });

  it('rejects a zeroed preallocated region after an unclean stop as corrupt', async () => {
    const index = newIndex(800);
    index.append(110, 100);
    index.append(120, 200);
    // Not trimmed: the file still has 98 zero entries after the two real ones.
    const again = new OffsetIndex({ file: index.file, baseOffset: 100, maxIndexSize: 800, pool });
    await expect(again.load()).rejects.toThrow(CorruptIndexError);
  });

  it('rejects an all-zero index file, a length that is not whole entries, and a last offset below the base', async () => {
    const file = path.join(dir, 'x.index');
    const load = (bytes: Buffer): Promise<void> => {
      fs.writeFileSync(file, bytes);
      return new OffsetIndex({ file, baseOffset: 100, maxIndexSize: 800, pool }).load();
    };
    await expect(load(Buffer.alloc(800))).rejects.toThrow(CorruptIndexError);
    await expect(load(Buffer.alloc(8))).rejects.toThrow(CorruptIndexError);
    await expect(load(Buffer.alloc(13))).rejects.toThrow(/multiple of 8/);
    const negative = Buffer.alloc(8);
    negative.writeInt32BE(-5, 0);
    negative.writeInt32BE(100, 4);
    await expect(load(negative)).rejects.toThrow(CorruptIndexError);
  });
});
