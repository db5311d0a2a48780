import * as path from 'node:path';
import { ApiKey } from '../protocol';
import { batch } from '../log/testing/log-test-utils';
import { type ServingFixture, becomeLeader, startServing } from '../replica/testing/replica-test-utils';
import { describeLogDirsHandler } from './describe-log-dirs';
import { ApiRegistry } from './registry';
import { decodeResponse, networkRequest, requestFrame, handleWhole } from './testing/frames';

describe('DescribeLogDirs handler', () => {
  let f: ServingFixture;
  let registry: ApiRegistry;
  beforeEach(async () => {
    f = await startServing();
    registry = new ApiRegistry().register(describeLogDirsHandler({ replicaManager: f.replicaManager }));
    await becomeLeader(f, [{ topic: 't', partition: 0, leader: 1 }, { topic: 't', partition: 1, leader: 1 }]);
    await f.replicaManager.appendRecords({ timeoutMs: 0, requiredAcks: 1, internalTopicsAllowed: false, entries: new Map([['t-0', { topicPartition: { topic: 't', partition: 0 }, records: batch({ count: 2 }) }]]) });
  });
  afterEach(async () => {
    await f.close();
  });

  it('lists every partition of each log dir with its size and lag when topics is null', async () => {
    const frame = await handleWhole(registry, networkRequest(requestFrame(ApiKey.DescribeLogDirs, 1, { topics: null })));
    const res = decodeResponse(ApiKey.DescribeLogDirs, 1, frame!).response;
    expect(res.results).toHaveLength(1);
    expect(res.results[0]!.logDir).toBe(path.resolve(f.dir));
    const parts = res.results[0]!.topics[0]!.partitions.sort((a, b) => a.partitionIndex - b.partitionIndex);
    expect(parts.map((p) => [p.partitionIndex, p.partitionSize > 0n, p.offsetLag, p.isFutureKey])).toEqual([
      [0, true, 0n, false],
      [1, false, 0n, false],
    ]);
  });

  it('lists only the requested partitions', async () => {
    const frame = await handleWhole(registry, networkRequest(requestFrame(ApiKey.DescribeLogDirs, 2, { topics: [{ topic: 't', partitionIndex: [1] }] })));
    const res = decodeResponse(ApiKey.DescribeLogDirs, 2, frame!).response;
    expect(res.results[0]!.topics[0]!.partitions.map((p) => p.partitionIndex)).toEqual([1]);
  });
});
