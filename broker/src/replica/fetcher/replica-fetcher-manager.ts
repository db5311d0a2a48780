/**
 * Kafka 2.8's ReplicaFetcherManager (AbstractFetcherManager) with num.replica.fetchers = 1: one
 * ReplicaFetcher per source broker, fetching every partition this broker follows from that leader.
 * The leader is reached on its inter-broker listener endpoint as the MetadataCache knows it; when that
 * endpoint changed, the old fetcher is shut down and a new one started (as Kafka does). Fetchers
 * left without partitions are shut down (shutdownIdleFetcherThreads, after each LeaderAndIsr).
 */
import { BufferPool, type BufferPoolStats } from '../../common/buffer-pool';
import { type Logger, createLogger } from '../../common/logger';
import type { TopicPartition } from '../../log/log-names';
import type { MetadataCache } from '../../metadata/metadata-cache';
import { BrokerClient } from '../../network/broker-client';
import { tpKey } from '../types';
import { FETCH_SETTINGS_DEFAULTS, type FollowerReplicas, type InitialFetchState, type LeaderConnection, type LeaderEndpoint, type ReplicaFetchSettings } from './fetcher-types';
import { ReplicaFetcher } from './replica-fetcher';

export interface ReplicaFetcherManagerOptions {
  brokerId: number;
  metadataCache: MetadataCache;
  /** The follower partitions and their logs (the ReplicaManager). */
  replicas: FollowerReplicas;
  /** inter.broker.listener.name: whose endpoint of the leader is fetched from. */
  interBrokerListenerName: string;
  settings?: Partial<ReplicaFetchSettings>;
  /** How to reach a leader (default: a BrokerClient with replica.socket.timeout.ms as request timeout). */
  clientFactory?: (endpoint: LeaderEndpoint, clientId: string) => LeaderConnection;
  logger?: Logger;
}

const FETCHER_ID = 0;

export class ReplicaFetcherManager {
  private readonly o: ReplicaFetcherManagerOptions;
  private readonly settings: ReplicaFetchSettings;
  private readonly logger: Logger;
  private readonly fetchers = new Map<number, { fetcher: ReplicaFetcher; endpoint: LeaderEndpoint }>();
  /** Large Fetch response frames, reused across every fetcher's responses once applied. */
  private readonly responseBuffers = new BufferPool();
  /** Lock over fetcher creation and partition moves (Kafka's AbstractFetcherManager lock). */
  private tail: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(o: ReplicaFetcherManagerOptions) {
    this.o = o;
    this.settings = { ...FETCH_SETTINGS_DEFAULTS, ...o.settings };
    this.logger = (o.logger ?? createLogger('ReplicaFetcherManager')).child({ component: 'ReplicaFetcherManager' });
  }

  private withLock<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** The fetcher for a source broker, when running. */
  fetcher(sourceBrokerId: number): ReplicaFetcher | undefined {
    return this.fetchers.get(sourceBrokerId)?.fetcher;
  }

  /** How the response buffers were reused (diagnostics, tests). */
  get responseBufferStats(): BufferPoolStats {
    return this.responseBuffers.stats();
  }

  /** Every running fetcher. */
  get allFetchers(): ReplicaFetcher[] {
    return [...this.fetchers.values()].map((f) => f.fetcher);
  }

  private leaderEndpoint(leaderId: number): LeaderEndpoint | undefined {
    const ep = this.o.metadataCache.aliveBroker(leaderId)?.endpoints.find((e) => e.listener === this.o.interBrokerListenerName);
    return ep === undefined ? undefined : { brokerId: leaderId, host: ep.host, port: ep.port };
  }

  private newFetcher(endpoint: LeaderEndpoint): ReplicaFetcher {
    const clientId = `broker-${this.o.brokerId}-fetcher-${FETCHER_ID}`;
    const connect = (): LeaderConnection =>
      this.o.clientFactory?.(endpoint, clientId) ??
      new BrokerClient({
        host: endpoint.host,
        port: endpoint.port,
        clientId,
        requestTimeoutMs: this.settings.socketTimeoutMs,
        allocateFrame: (size) => this.responseBuffers.acquire(size),
        logger: this.logger.child({ leaderId: endpoint.brokerId }),
      });
    const fetcher = new ReplicaFetcher({
      brokerId: this.o.brokerId,
      sourceBrokerId: endpoint.brokerId,
      name: `ReplicaFetcherThread-${FETCHER_ID}-${endpoint.brokerId}`,
      leader: connect(),
      openCatchUpConnection: connect,
      replicas: this.o.replicas,
      settings: this.settings,
      responseBuffers: this.responseBuffers,
      logger: this.logger,
    });
    fetcher.start();
    return fetcher;
  }

  /** Kafka's addFetcherForPartitions: the partitions go to their leader's fetcher (started if needed). */
  addFetcherForPartitions(partitions: readonly InitialFetchState[]): Promise<void> {
    return this.withLock(async () => {
      if (this.stopped) return;
      const byLeader = new Map<number, InitialFetchState[]>();
      for (const p of partitions) byLeader.set(p.leaderId, [...(byLeader.get(p.leaderId) ?? []), p]);
      for (const [leaderId, parts] of byLeader) {
        const endpoint = this.leaderEndpoint(leaderId);
        if (endpoint === undefined) {
          this.logger.error(`Cannot fetch ${parts.map((p) => tpKey(p.topicPartition)).join(', ')} from broker ${leaderId}: no live endpoint on listener ${this.o.interBrokerListenerName}`);
          continue;
        }
        let entry = this.fetchers.get(leaderId);
        if (entry !== undefined && (entry.endpoint.host !== endpoint.host || entry.endpoint.port !== endpoint.port)) {
          await entry.fetcher.shutdown();
          entry = undefined;
        }
        if (entry === undefined) {
          entry = { fetcher: this.newFetcher(endpoint), endpoint };
          this.fetchers.set(leaderId, entry);
        }
        await entry.fetcher.addPartitions(parts);
        this.logger.info(`Added fetcher to broker ${leaderId} for partitions ${parts.map((p) => `${tpKey(p.topicPartition)}@${p.fetchOffset}`).join(', ')}`);
      }
    });
  }

  /** Kafka's removeFetcherForPartitions: resolves once no fetcher will touch them again. */
  removeFetcherForPartitions(partitions: readonly TopicPartition[]): Promise<void> {
    if (partitions.length === 0) return Promise.resolve();
    return this.withLock(async () => {
      await Promise.all([...this.fetchers.values()].map((f) => f.fetcher.removePartitions(partitions)));
      this.logger.info(`Removed fetcher for partitions ${partitions.map(tpKey).join(', ')}`);
    });
  }

  /** Shuts down fetchers that follow nothing any more. */
  shutdownIdleFetcherThreads(): Promise<void> {
    return this.withLock(async () => {
      for (const [id, f] of [...this.fetchers]) {
        if (f.fetcher.partitionCount > 0) continue;
        this.fetchers.delete(id);
        await f.fetcher.shutdown();
      }
    });
  }

  /** Stops every fetcher (and its connection); later adds are ignored. */
  shutdown(): Promise<void> {
    this.stopped = true;
    return this.withLock(async () => {
      this.logger.info('shutting down');
      const all = [...this.fetchers.values()];
      this.fetchers.clear();
      await Promise.all(all.map((f) => f.fetcher.shutdown()));
      this.logger.info('shutdown completed');
    });
  }
}
