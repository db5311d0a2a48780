import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { ErrorCode } from '../../protocol';
import { Log } from '../../log/log';
import { batch } from '../../log/testing/log-test-utils';
import { SocketServer } from '../../network/socket-server';
import { type PartitionSpec, type ServingFixture, leaderAndIsrRequest, startServing, updateMetadataRequest } from '../testing/replica-test-utils';
import type { ReplicaManagerOptions } from '../replica-manager';
import { LeaderRequestHandler, inProcessLeader } from './testing/leader-service';

const tp = { topic: 't', partition: 0 };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Brokers 1 and 2, each with its own log dir; followers reach leaders in process unless told otherwise. */
class TwoBrokers {
  readonly brokers = new Map<number, ServingFixture>();
  readonly requests: { apiKey: number; request: unknown }[] = [];

  async start(fetcher: Partial<NonNullable<ReplicaManagerOptions['replicaFetcher']>> = {}): Promise<this> {
    for (const id of [1, 2]) {
      this.brokers.set(
        id,
        await startServing({
          brokerId: id,
          replicaManager: {
            replicaFetcher: {
              interBrokerListenerName: 'PLAINTEXT',
              settings: { backoffMs: 50, maxWaitMs: 500 },
              clientFactory: (ep) => inProcessLeader(this.broker(ep.brokerId).replicaManager, this.requests),
              ...fetcher,
            },
          },
        }),
      );
    }
    return this;
  }

  broker(id: number): ServingFixture {
    return this.brokers.get(id)!;
  }

  async close(): Promise<void> {
    for (const f of this.brokers.values()) await f.close();
  }

  /** What a controller sends broker `id`: UpdateMetadata (brokers 1 and 2 alive), then LeaderAndIsr. */
  async leaderAndIsr(id: number, spec: PartitionSpec, o: { controllerEpoch?: number; port?: number } = {}): Promise<void> {
    const um = updateMetadataRequest([spec], { aliveBrokers: [1, 2], controllerEpoch: o.controllerEpoch });
    if (o.port !== undefined) for (const b of um.liveBrokers) for (const e of b.endpoints) e.port = o.port;
    const rm = this.broker(id).replicaManager;
    rm.maybeUpdateMetadataCache(1, um);
    const res = await rm.becomeLeaderOrFollower(2, leaderAndIsrRequest([spec], { controllerEpoch: o.controllerEpoch }));
    if (res.errorCode !== 0 || res.partitionErrors.some((p) => p.errorCode !== 0)) throw new Error(`LeaderAndIsr failed: ${JSON.stringify(res)}`);
  }

  async append(id: number, count: number, requiredAcks = 1): Promise<number> {
    const res = await this.broker(id).replicaManager.appendRecords({ timeoutMs: 10_000, requiredAcks, internalTopicsAllowed: false, entries: new Map([['t-0', { topicPartition: tp, records: batch({ count }) }]]) });
    return res.get('t-0')!.errorCode;
  }

  /** Waits for `cond`, moving both brokers' mock clocks so the leader's long polls expire. */
  async waitFor(cond: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 4000;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      for (const f of this.brokers.values()) await f.scheduler.tick(100);
      await sleep(5);
    }
  }

  log(id: number) {
    return this.broker(id).replicaManager.getPartition(tp)!.log!;
  }

  /** Every segment file of t-0, name → bytes. */
  async segmentBytes(id: number): Promise<Map<string, Buffer>> {
    const dir = path.join(this.broker(id).dir, 't-0');
    const out = new Map<string, Buffer>();
    for (const name of (await fsp.readdir(dir)).filter((n) => n.endsWith('.log')).sort()) out.set(name, await fsp.readFile(path.join(dir, name)));
    return out;
  }
}

describe('ReplicaFetcher', () => {
  let c: TwoBrokers;
  afterEach(async () => {
    await c.close();
  });

  it('catches a new follower up from offset 0 and propagates the high watermark (acks=all completes)', async () => {
    c = await new TwoBrokers().start();
    const spec = { ...tp, leader: 1, isr: [1, 2], replicas: [1, 2] };
    await c.leaderAndIsr(1, spec);
    for (let i = 0; i < 3; i++) expect(await c.append(1, 2)).toBe(ErrorCode.NONE);
    expect(c.broker(1).replicaManager.getPartition(tp)!.highWatermark).toBe(0);
    await c.leaderAndIsr(2, spec);
    const follower = c.broker(2).replicaManager.getPartition(tp)!;
    await c.waitFor(() => follower.log!.logEndOffset === 6 && follower.highWatermark === 6, 'the follower to catch up');
    expect(c.broker(1).replicaManager.getPartition(tp)!.highWatermark).toBe(6);
    // acks=-1 completes once the follower has fetched past the batch.
    const acked = c.append(1, 1, -1);
    await c.waitFor(() => follower.highWatermark === 7, 'the acks=all batch to replicate');
    expect(await acked).toBe(ErrorCode.NONE);
    expect(await c.segmentBytes(2)).toEqual(await c.segmentBytes(1));
    expect(c.broker(2).logManager.leaderEpochCache(tp)!.latestEpoch).toBe(0);
    const fetch = c.requests.find((r) => r.apiKey === 1)!.request as { replicaId: number; maxWaitMs: number; minBytes: number; maxBytes: number; topics: { partitions: { currentLeaderEpoch: number; partitionMaxBytes: number }[] }[] };
    expect(fetch).toMatchObject({ replicaId: 2, maxWaitMs: 500, minBytes: 1, maxBytes: 10_485_760 });
    expect(fetch.topics[0]!.partitions[0]).toMatchObject({ currentLeaderEpoch: 0, partitionMaxBytes: 1_048_576 });
  });

  it('truncates a diverging follower on the leader\'s diverging_epoch and ends byte-identical to the leader', async () => {
    c = await new TwoBrokers().start();
    await c.leaderAndIsr(1, { ...tp, leader: 1, leaderEpoch: 0, isr: [1, 2], replicas: [1, 2] });
    await c.append(1, 3);
    await c.leaderAndIsr(2, { ...tp, leader: 1, leaderEpoch: 0, isr: [1, 2], replicas: [1, 2] });
    await c.waitFor(() => c.log(2).logEndOffset === 3, 'replication of epoch 0');
    // Broker 2 leads epoch 1 alone and takes a write broker 1 never sees.
    await c.leaderAndIsr(2, { ...tp, leader: 2, leaderEpoch: 1, isr: [2], replicas: [1, 2] });
    await c.append(2, 2);
    expect(c.log(2).logEndOffset).toBe(5);
    // Broker 1 leads epoch 2 from offset 3 and takes other writes.
    await c.leaderAndIsr(1, { ...tp, leader: 1, leaderEpoch: 2, isr: [1], replicas: [1, 2] });
    await c.append(1, 4);
    await c.leaderAndIsr(2, { ...tp, leader: 1, leaderEpoch: 2, isr: [1], replicas: [1, 2] });
    await c.waitFor(() => c.log(2).logEndOffset === 7 && c.broker(2).replicaManager.getPartition(tp)!.highWatermark === 7, 'the follower to truncate and catch up');
    expect(await c.segmentBytes(2)).toEqual(await c.segmentBytes(1));
    expect(c.broker(2).logManager.leaderEpochCache(tp)!.epochEntries).toEqual(c.broker(1).logManager.leaderEpochCache(tp)!.epochEntries);
  });

  it('resets an empty follower to the leader\'s log start offset on OFFSET_OUT_OF_RANGE', async () => {
    c = await new TwoBrokers().start();
    const spec = { ...tp, leader: 1, isr: [1], replicas: [1, 2] };
    await c.leaderAndIsr(1, spec);
    await c.append(1, 5);
    const leaderPartition = c.broker(1).replicaManager.getPartition(tp)!;
    await leaderPartition.log!.maybeIncrementLogStartOffset(3, leaderPartition.highWatermark);
    await c.leaderAndIsr(2, spec);
    await c.waitFor(() => c.log(2).logEndOffset === 5, 'the follower to fetch from the leader\'s log start');
    expect(c.log(2).logStartOffset).toBe(3);
    expect(c.broker(2).replicaManager.getPartition(tp)!.highWatermark).toBe(5);
    expect(c.requests.some((r) => r.apiKey === 2)).toBe(true);
  });

  it('fetches every partition led by the same broker through one fetcher, in one Fetch request', async () => {
    c = await new TwoBrokers().start();
    for (const partition of [0, 1]) {
      const spec = { topic: 't', partition, leader: 1, isr: [1, 2], replicas: [1, 2] };
      await c.leaderAndIsr(1, spec);
    }
    await c.leaderAndIsr(2, { ...tp, partition: 1, leader: 1, isr: [1, 2], replicas: [1, 2] });
    await c.leaderAndIsr(2, { ...tp, leader: 1, isr: [1, 2], replicas: [1, 2] });
    const manager = c.broker(2).replicaManager.replicaFetcherManager!;
    expect(manager.allFetchers).toHaveLength(1);
    expect(manager.fetcher(1)!.partitionCount).toBe(2);
    await c.waitFor(() => c.requests.some((r) => r.apiKey === 1 && (r.request as { topics: { partitions: unknown[] }[] }).topics[0]!.partitions.length === 2), 'a fetch of both partitions');
  });

  it('applies the partitions of one fetch response side by side, so one slow append (an fsync) does not hold back the others', async () => {
    c = await new TwoBrokers().start();
    const specs = [0, 1].map((partition) => ({ topic: 't', partition, leader: 1, isr: [1, 2], replicas: [1, 2] }));
    for (const spec of specs) await c.leaderAndIsr(1, spec);
    for (const partition of [0, 1]) {
      await c.broker(1).replicaManager.appendRecords({ timeoutMs: 10_000, requiredAcks: 1, internalTopicsAllowed: false, entries: new Map([[`t-${partition}`, { topicPartition: { topic: 't', partition }, records: batch({ count: 2 }) }]]) });
    }
    const events: string[] = [];
    const original = Log.prototype.appendAsFollower;
    const spy = jest.spyOn(Log.prototype, 'appendAsFollower').mockImplementation(async function (this: Log, records: Buffer) {
      events.push('start');
      await sleep(100);
      const info = await original.call(this, records);
      events.push('end');
      return info;
    });
    try {
      // One LeaderAndIsr for both: the follower's first Fetch carries both, and so does the answer.
      const rm = c.broker(2).replicaManager;
      rm.maybeUpdateMetadataCache(1, updateMetadataRequest(specs, { aliveBrokers: [1, 2] }));
      await rm.becomeLeaderOrFollower(2, leaderAndIsrRequest(specs));
      await c.waitFor(() => events.filter((e) => e === 'end').length >= 2, 'both partitions to be appended');
      expect(events.slice(0, 3)).toEqual(['start', 'start', 'end']);
    } finally {
      spy.mockRestore();
    }
  });

  it('fetches a partition added while the fetch in flight is parked at the leader at once, on a second connection, not after replica.fetch.wait.max.ms', async () => {
    c = await new TwoBrokers().start();
    const specs = [0, 1].map((partition) => ({ topic: 't', partition, leader: 1, isr: [1, 2], replicas: [1, 2] }));
    for (const spec of specs) await c.leaderAndIsr(1, spec);
    await c.leaderAndIsr(2, specs[0]!);
    await c.waitFor(() => c.log(2).logEndOffset === 0 && c.requests.filter((r) => r.apiKey === 1).length >= 2, 'the follower to poll t-0');
    await sleep(50); // t-0's fetch is parked: nothing to read, and the leader's clock does not move from here on
    await c.broker(1).replicaManager.appendRecords({ timeoutMs: 10_000, requiredAcks: 1, internalTopicsAllowed: false, entries: new Map([['t-1', { topicPartition: { topic: 't', partition: 1 }, records: batch({ count: 3 }) }]]) });
    await c.leaderAndIsr(2, specs[1]!);
    const deadline = Date.now() + 2000;
    const t1 = (): number => c.broker(2).replicaManager.getPartition({ topic: 't', partition: 1 })?.log?.logEndOffset ?? -1;
    while (t1() !== 3 && Date.now() < deadline) await sleep(10);
    expect(t1()).toBe(3);
    expect(c.log(2).logEndOffset).toBe(0);
  });

  it('stops fetching on becoming leader and shuts the idle fetcher down', async () => {
    c = await new TwoBrokers().start();
    await c.leaderAndIsr(1, { ...tp, leader: 1, isr: [1, 2], replicas: [1, 2] });
    await c.leaderAndIsr(2, { ...tp, leader: 1, isr: [1, 2], replicas: [1, 2] });
    const manager = c.broker(2).replicaManager.replicaFetcherManager!;
    expect(manager.fetcher(1)?.partitionCount).toBe(1);
    await c.leaderAndIsr(2, { ...tp, leader: 2, leaderEpoch: 1, isr: [2], replicas: [1, 2] });
    expect(manager.fetcher(1)).toBeUndefined();
    expect(await c.append(2, 1)).toBe(ErrorCode.NONE);
  });

  it('fetches over a real connection from the leader\'s inter-broker endpoint', async () => {
    c = await new TwoBrokers().start({ clientFactory: undefined });
    const server = new SocketServer({ listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 0 }], socketRequestMaxBytes: 100 << 20, connectionsMaxIdleMs: 600_000, handler: new LeaderRequestHandler(c.broker(1).replicaManager) });
    const port = (await server.startup()).PLAINTEXT!;
    try {
      const spec = { ...tp, leader: 1, isr: [1, 2], replicas: [1, 2] };
      await c.leaderAndIsr(1, spec, { port });
      await c.append(1, 4);
      await c.leaderAndIsr(2, spec, { port });
      await c.waitFor(() => c.log(2).logEndOffset === 4 && c.broker(2).replicaManager.getPartition(tp)!.highWatermark === 4, 'replication over the socket');
      expect(await c.segmentBytes(2)).toEqual(await c.segmentBytes(1));
    } finally {
      await c.broker(2).replicaManager.replicaFetcherManager!.shutdown();
      await server.shutdown();
    }
  });

  it('reads large responses over a real connection into pooled buffers, reused once their records are appended, and replicates byte for byte', async () => {
    c = await new TwoBrokers().start({ clientFactory: undefined });
    const server = new SocketServer({ listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 0 }], socketRequestMaxBytes: 100 << 20, connectionsMaxIdleMs: 600_000, handler: new LeaderRequestHandler(c.broker(1).replicaManager) });
    const port = (await server.startup()).PLAINTEXT!;
    const fetchers = c.broker(2).replicaManager.replicaFetcherManager!;
    try {
      const spec = { ...tp, leader: 1, isr: [1, 2], replicas: [1, 2] };
      await c.leaderAndIsr(1, spec, { port });
      await c.leaderAndIsr(2, spec, { port });
      for (let i = 1; i <= 5; i++) {
        // ~100 KB per batch: each arrives as one response frame too big for the read scratch.
        const appended = await c.broker(1).replicaManager.appendRecords({ timeoutMs: 10_000, requiredAcks: 1, internalTopicsAllowed: false, entries: new Map([['t-0', { topicPartition: tp, records: batch({ count: 20, valueSize: 5000 }) }]]) });
        expect(appended.get('t-0')!.errorCode).toBe(ErrorCode.NONE);
        await c.waitFor(() => c.log(2).logEndOffset === 20 * i, `batch ${i} to replicate`);
      }
      const [follower, leader] = [await c.segmentBytes(2), await c.segmentBytes(1)];
      expect([...follower.keys()]).toEqual([...leader.keys()]);
      for (const [name, bytes] of leader) expect(follower.get(name)!.equals(bytes)).toBe(true); // (toEqual walks 500 KB byte by byte)
      const stats = fetchers.responseBufferStats;
      expect(stats.reused).toBeGreaterThanOrEqual(3);
      expect(stats.allocated).toBeLessThanOrEqual(2);
    } finally {
      await fetchers.shutdown();
      await server.shutdown();
    }
  });
});
