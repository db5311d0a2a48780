import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SYNC_IO_MAX_BYTES, readAt } from './file-io';
// The module object itself (not the import-star copy, whose properties cannot be redefined), so
// jest can spy on the calls file-io makes through its own namespace.
import fsModule from 'node:fs';

describe('file-io readAt (sync/async policy)', () => {
  let dir: string;
  let fd: number;
  const size = SYNC_IO_MAX_BYTES + 4096;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'samsa-file-io-'));
    const file = path.join(dir, 'data');
    fs.writeFileSync(file, Buffer.alloc(size, 7));
    fd = fs.openSync(file, 'r');
  });
  afterAll(() => {
    fs.closeSync(fd);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads a 1 MiB fetch synchronously (a page-cache copy into a reused buffer, no thread-pool round trip)', async () => {
    const buf = Buffer.alloc(1 << 20);
    const reading = readAt(fd, buf, 0, buf.length, 0);
    expect(buf.every((b) => b === 7)).toBe(true); // filled before the promise is even awaited
    expect(await reading).toBe(buf.length);
  });

  it('reads more than SYNC_IO_MAX_BYTES through the thread pool, the whole length', async () => {
    // Asserted on the calls made, not on the buffer: the thread pool may fill it before we look.
    const readSync = jest.spyOn(fsModule, 'readSync');
    const read = jest.spyOn(fsModule, 'read');
    try {
      const buf = Buffer.alloc(size);
      const reading = readAt(fd, buf, 0, size, 0);
      expect(readSync).not.toHaveBeenCalled(); // the event loop was not blocked
      expect(await reading).toBe(size);
      expect(read).toHaveBeenCalled();
      expect(buf.every((b) => b === 7)).toBe(true);
    } finally {
      readSync.mockRestore();
      read.mockRestore();
    }
  });
});
