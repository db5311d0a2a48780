/**
 * Behaviours of Kafka's LeaderEpochFileCacheTest (2.8), one test each, plus persistence to the real
 * leader-epoch-checkpoint file.
 */
import { promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EpochEntry, LeaderEpochCheckpoint, LeaderEpochCheckpointFile } from './checkpoints';
import { LeaderEpochFileCache, UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET } from './leader-epoch-cache';

const tp = { topic: 'TestTopic', partition: 5 };
const UNDEFINED = { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
const e = (epoch: number, startOffset: number): EpochEntry => ({ epoch, startOffset });

class MemoryCheckpoint implements LeaderEpochCheckpoint {
  entries: EpochEntry[] = [];
  writes = 0;
  async read(): Promise<EpochEntry[]> {
    return [...this.entries];
  }
  async write(entries: Iterable<EpochEntry>): Promise<void> {
    this.writes++;
    this.entries = [...entries];
  }
}

let checkpoint: MemoryCheckpoint;
let cache: LeaderEpochFileCache;

/** Kafka's assign is synchronous; here each change is awaited so the checkpoint is current too. */
async function assign(...entries: [number, number][]): Promise<void> {
  for (const [epoch, offset] of entries) await cache.assign(epoch, offset);
}

beforeEach(() => {
  checkpoint = new MemoryCheckpoint();
  cache = new LeaderEpochFileCache(tp, checkpoint);
});

describe('LeaderEpochFileCache', () => {
  it('tracks the previous epoch as epochs are added and truncated', async () => {
    expect(cache.previousEpoch).toBeUndefined();
    await assign([2, 10]);
    expect(cache.previousEpoch).toBeUndefined();
    await assign([4, 15]);
    expect(cache.previousEpoch).toBe(2);
    await assign([10, 20]);
    expect(cache.previousEpoch).toBe(4);
    await cache.truncateFromEnd(18);
    expect(cache.previousEpoch).toBe(2);
  });

  it('adds an epoch and its start offset; the latest epoch ends at the log end offset', async () => {
    await assign([2, 10]);
    expect(cache.latestEpoch).toBe(2);
    expect(cache.epochEntries[0]).toEqual(e(2, 10));
    expect(cache.endOffsetFor(2, 11)).toEqual({ epoch: 2, endOffset: 11 });
  });

  it('returns the log end offset if the latest epoch is requested', async () => {
    await assign([2, 11], [2, 12]);
    expect(cache.endOffsetFor(2, 14)).toEqual({ epoch: 2, endOffset: 14 });
  });

  it('returns the undefined epoch and offset if the undefined epoch is requested', async () => {
    await assign([2, 11], [3, 12]);
    expect(cache.endOffsetFor(UNDEFINED_EPOCH, 0)).toEqual(UNDEFINED);
  });

  it('does not overwrite the start offset of an epoch once it has been assigned', async () => {
    await assign([2, 9], [2, 10]);
    expect(cache.epochEntries).toEqual([e(2, 9)]);
  });

  it('enforces monotonically increasing start offsets: a new epoch at the same offset replaces the old one', async () => {
    await assign([2, 9], [3, 9]);
    expect(cache.epochEntries).toEqual([e(3, 9)]);
  });

  it('ignores a later, larger offset for an already assigned epoch', async () => {
    await assign([2, 6], [2, 10]);
    expect(cache.epochEntries[0].startOffset).toBe(6);
  });

  it('returns undefined if no epoch is recorded', () => {
    expect(cache.endOffsetFor(0, 0)).toEqual(UNDEFINED);
  });

  it('returns undefined if no epoch is recorded and the undefined epoch is requested', () => {
    expect(cache.endOffsetFor(UNDEFINED_EPOCH, 73)).toEqual(UNDEFINED);
  });

  it('answers an epoch older than every entry with the first entry\'s start offset', async () => {
    await assign([5, 11], [6, 12], [7, 13]);
    expect(cache.endOffsetFor(4, 0)).toEqual({ epoch: 4, endOffset: 11 });
  });

  it('truncates later epochs when a matching epoch arrives with an earlier start offset', async () => {
    await assign([5, 11], [6, 12], [7, 13], [7, 12]);
    expect(cache.endOffsetFor(5, 0)).toEqual({ epoch: 5, endOffset: 12 });
    expect(cache.endOffsetFor(6, 0)).toEqual({ epoch: 5, endOffset: 12 });
  });

  it('gives a previous epoch the first offset of the subsequent epoch as its end offset', async () => {
    await assign([1, 11], [1, 12], [2, 13], [2, 14], [3, 15], [3, 16]);
    expect(cache.endOffsetFor(2, 17)).toEqual({ epoch: 2, endOffset: 15 });
  });

  it('answers an epoch between entries with the largest epoch below it and the next entry\'s start', async () => {
    await assign([0, 10], [2, 13], [4, 17]);
    expect(cache.endOffsetFor(1, 0)).toEqual({ epoch: 0, endOffset: 13 });
    expect(cache.endOffsetFor(2, 0)).toEqual({ epoch: 2, endOffset: 17 });
    expect(cache.endOffsetFor(3, 0)).toEqual({ epoch: 2, endOffset: 17 });
  });

  it('does not update the entry (nor write the checkpoint) when a later offset of the same epoch is assigned', async () => {
    await assign([2, 6]);
    const writes = checkpoint.writes;
    await assign([2, 7]);
    expect(cache.epochEntries).toEqual([e(2, 6)]);
    expect(checkpoint.writes).toBe(writes);
  });

  it('returns undefined for an epoch beyond the latest tracked one', async () => {
    await assign([2, 100]);
    expect(cache.endOffsetFor(3, 100)).toEqual(UNDEFINED);
  });

  it('supports epochs that do not start from zero', async () => {
    await assign([2, 6]);
    expect(cache.endOffsetFor(2, 7)).toEqual({ epoch: 2, endOffset: 7 });
    expect(cache.epochEntries).toEqual([e(2, 6)]);
  });

  it('enforces monotonically increasing epochs: an older epoch at a later offset removes the later epochs', async () => {
    await assign([1, 5], [2, 6], [1, 7]);
    expect(cache.latestEpoch).toBe(1);
    expect(cache.endOffsetFor(1, 8)).toEqual({ epoch: 1, endOffset: 8 });
    expect(cache.endOffsetFor(2, 8)).toEqual(UNDEFINED);
    expect(cache.epochEntries).toEqual([e(1, 7)]);
  });

  it('enforces increasing offsets: a new epoch at a smaller offset removes the conflicting entry', async () => {
    await assign([2, 6], [3, 5]);
    expect(cache.epochEntries).toEqual([e(3, 5)]);
  });

  it('increases and tracks epochs as leaders change many times', async () => {
    await assign([0, 0], [1, 0]);
    expect(cache.latestEpoch).toBe(1);
    expect(cache.endOffsetFor(1, 0)).toEqual({ epoch: 1, endOffset: 0 });
    expect(cache.endOffsetFor(0, 0)).toEqual({ epoch: 0, endOffset: 0 });
    expect(cache.endOffsetFor(1, 5)).toEqual({ epoch: 1, endOffset: 5 });
    expect(cache.endOffsetFor(0, 5)).toEqual({ epoch: 0, endOffset: 0 });
    await assign([2, 5]);
    expect(cache.endOffsetFor(2, 10)).toEqual({ epoch: 2, endOffset: 10 });
    expect(cache.endOffsetFor(1, 10)).toEqual({ epoch: 1, endOffset: 5 });
    expect(cache.endOffsetFor(0, 10)).toEqual({ epoch: 0, endOffset: 0 });
  });

  it('increases and tracks epochs as a follower receives many messages', async () => {
    await assign([0, 0], [0, 1], [0, 2]);
    expect(cache.latestEpoch).toBe(0);
    expect(cache.endOffsetFor(0, 3)).toEqual({ epoch: 0, endOffset: 3 });
    await assign([1, 3], [1, 4], [1, 5]);
    expect(cache.endOffsetFor(1, 6)).toEqual({ epoch: 1, endOffset: 6 });
    await assign([2, 6], [2, 7], [2, 8]);
    expect(cache.endOffsetFor(2, 9)).toEqual({ epoch: 2, endOffset: 9 });
    expect(cache.endOffsetFor(0, 9)).toEqual({ epoch: 0, endOffset: 3 });
    expect(cache.endOffsetFor(1, 9)).toEqual({ epoch: 1, endOffset: 6 });
  });

  it('drops entries on an epoch boundary when truncating from the end (inclusive)', async () => {
    await assign([2, 6], [3, 8], [4, 11]);
    await cache.truncateFromEnd(8);
    expect(cache.epochEntries).toEqual([e(2, 6)]);
  });

  it('drops entries between epoch boundaries when truncating from the end, keeping the preceding epochs', async () => {
    await assign([2, 6], [3, 8], [4, 11]);
    await cache.truncateFromEnd(9);
    expect(cache.latestEpoch).toBe(3);
    expect(cache.epochEntries).toEqual([e(2, 6), e(3, 8)]);
  });

  it('preserves the entry at the new start offset when truncating from the start on an epoch boundary', async () => {
    await assign([2, 6], [3, 8], [4, 11]);
    await cache.truncateFromStart(8);
    expect(cache.epochEntries).toEqual([e(3, 8), e(4, 11)]);
  });

  it('moves the retained epoch\'s start offset up when truncating from the start between epochs', async () => {
    await assign([2, 6], [3, 8], [4, 11]);
    await cache.truncateFromStart(9);
    expect(cache.epochEntries).toEqual([e(3, 9), e(4, 11)]);
  });

  it('keeps epoch 0 with a moved start offset when truncating from the start inside it', async () => {
    await assign([0, 0], [1, 7], [2, 10]);
    await cache.truncateFromStart(5);
    expect(cache.epochEntries).toEqual([e(0, 5), e(1, 7), e(2, 10)]);
  });

  it('changes nothing when truncating from the start before or at the first entry', async () => {
    await assign([2, 6], [3, 8], [4, 11]);
    await cache.truncateFromStart(1);
    expect(cache.epochEntries).toEqual([e(2, 6), e(3, 8), e(4, 11)]);
    await cache.truncateFromStart(6);
    expect(cache.epochEntries).toEqual([e(2, 6), e(3, 8), e(4, 11)]);
  });

  it('retains the latest epoch when truncating from the start to its offset, or beyond it with a moved offset', async () => {
    await assign([2, 6], [3, 8], [4, 11]);
    await cache.truncateFromStart(11);
    expect(cache.epochEntries).toEqual([e(4, 11)]);
    await cache.truncateFromStart(15);
    expect(cache.epochEntries).toEqual([e(4, 15)]);
  });

  it('clears all entries and writes the empty checkpoint', async () => {
    await assign([2, 6], [3, 8], [4, 11]);
    await cache.clearAndFlush();
    expect(cache.epochEntries).toEqual([]);
    expect(checkpoint.entries).toEqual([]);
  });

  it('does nothing when the undefined offset is passed to either truncation', async () => {
    await assign([2, 6], [3, 8], [4, 11]);
    await cache.truncateFromStart(UNDEFINED_EPOCH_OFFSET);
    await cache.truncateFromEnd(UNDEFINED_EPOCH_OFFSET);
    expect(cache.epochEntries).toHaveLength(3);
  });

  it('handles an empty cache: no latest epoch, undefined end offset, truncations are no-ops', async () => {
    expect(cache.latestEpoch).toBeUndefined();
    expect(cache.earliestEntry).toBeUndefined();
    expect(cache.endOffsetFor(7, 0)).toEqual(UNDEFINED);
    await cache.truncateFromStart(7);
    await cache.truncateFromEnd(7);
    expect(checkpoint.writes).toBe(0);
  });

  it('refuses a negative epoch or start offset', () => {
    expect(() => cache.assign(-1, 0)).toThrow(/invalid partition leader epoch entry/);
    expect(() => cache.assign(0, -5)).toThrow(/invalid partition leader epoch entry/);
  });

  it('reports the earliest entry', async () => {
    await assign([2, 6], [3, 8]);
    expect(cache.earliestEntry).toEqual(e(2, 6));
  });

  it('coalesces changes made while a checkpoint write is pending into one later write', async () => {
    const first = cache.assign(1, 0);
    const second = cache.assign(2, 5);
    const third = cache.assign(3, 9);
    await Promise.all([first, second, third]);
    expect(checkpoint.entries).toEqual([e(1, 0), e(2, 5), e(3, 9)]);
    expect(checkpoint.writes).toBeLessThanOrEqual(2);
  });
});

describe('LeaderEpochFileCache on a leader-epoch-checkpoint file', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'samsa-epoch-cache-'));
  });

  afterEach(async () => {
    await fsp.rm(dir, { recursive: true, force: true });
  });

  it('persists epochs between instances', async () => {
    const first = await LeaderEpochFileCache.load(tp, LeaderEpochCheckpointFile.forDir(dir));
    await first.assign(2, 6);
    const second = await LeaderEpochFileCache.load(tp, LeaderEpochCheckpointFile.forDir(dir));
    expect(second.epochEntries).toEqual([e(2, 6)]);
  });

  it('writes the file on every change', async () => {
    const file = path.join(dir, 'leader-epoch-checkpoint');
    const c = await LeaderEpochFileCache.load(tp, LeaderEpochCheckpointFile.forDir(dir));
    await c.assign(0, 0);
    await c.assign(1, 10);
    expect(await fsp.readFile(file, 'utf8')).toBe('0\n2\n0 0\n1 10\n');
    await c.truncateFromStart(4);
    expect(await fsp.readFile(file, 'utf8')).toBe('0\n2\n0 4\n1 10\n');
    await c.truncateFromEnd(10);
    expect(await fsp.readFile(file, 'utf8')).toBe('0\n1\n0 4\n');
    await c.clearAndFlush();
    expect(await fsp.readFile(file, 'utf8')).toBe('0\n0\n');
  });
});
