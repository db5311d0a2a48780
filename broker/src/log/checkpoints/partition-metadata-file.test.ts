import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PartitionMetadataFile, PartitionMetadataFileError, formatPartitionMetadata, parsePartitionMetadata } from './partition-metadata-file';

const ID = 'xXk1dyKnTSW7HsW6HLMbtQ';

describe('PartitionMetadataFile (Kafka 2.8 partition.metadata)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'samsa-pmf-'));
  });
  afterEach(async () => {
    await fsp.rm(dir, { recursive: true, force: true });
  });

  it('writes "version: 0" and "topic_id: <base64url uuid>" with no final newline, as PartitionMetadataFileFormatter does', async () => {
    const file = PartitionMetadataFile.forDir(dir);
    await file.write(ID);
    expect(await fsp.readFile(path.join(dir, 'partition.metadata'), 'utf8')).toBe(`version: 0\ntopic_id: ${ID}`);
    expect(formatPartitionMetadata(ID)).toBe(`version: 0\ntopic_id: ${ID}`);
    expect(await file.read()).toBe(ID);
    // written through a temp file that is renamed away
    expect(await fsp.readdir(dir)).toEqual(['partition.metadata']);
  });

  it('is created empty when the log opens, and an empty or missing file means no topic id yet', async () => {
    const file = PartitionMetadataFile.forDir(dir);
    expect(await file.read()).toBeNull();
    await file.createIfMissing();
    expect(await fsp.readFile(file.file, 'utf8')).toBe('');
    expect(await file.read()).toBeNull();
    await file.write(ID);
    await file.createIfMissing(); // never truncates a written file
    expect(await file.read()).toBe(ID);
  });

  it("reads what Kafka's reader accepts (any whitespace after the colon, a trailing newline) and refuses malformed files", () => {
    expect(parsePartitionMetadata(`version:   0\ntopic_id:\t${ID}\n`, 'f')).toBe(ID);
    expect(() => parsePartitionMetadata(`version: 1\ntopic_id: ${ID}`, 'f')).toThrow('Unrecognized version of partition metadata file (f): 1');
    expect(() => parsePartitionMetadata(`version: x\ntopic_id: ${ID}`, 'f')).toThrow(PartitionMetadataFileError);
    expect(() => parsePartitionMetadata('version: 0\ntopic_id: not-a-uuid', 'f')).toThrow("Malformed line in partition metadata file (f): 'topic_id: not-a-uuid'");
    expect(() => parsePartitionMetadata('version: 0', 'f')).toThrow(PartitionMetadataFileError);
    expect(() => parsePartitionMetadata('version: 0\ntopic_id: AAAAAAAAAAAAAAAAAAAAAA', 'f')).toThrow('Invalid topic ID in partition metadata file (f)');
  });
});
