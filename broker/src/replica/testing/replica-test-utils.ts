/** Test fixtures for the serving layer: a real LogManager in a temp dir, MetadataCache, ReplicaManager. */
import { MockScheduler } from '../../common/scheduler';
import { MockTime } from '../../common/time';
import { createLogger } from '../../common/logger';
import { LogConfig, type ConfigInput } from '../../log/log-config';
import { LogManager } from '../../log/log-manager';
import { makeTempDir, removeDir } from '../../log/testing/log-test-utils';
import { MetadataCache } from '../../metadata/metadata-cache';
import { defaultLeaderAndIsrRequest, type LeaderAndIsrRequest } from '../../protocol/generated/leader-and-isr-request';
import { defaultUpdateMetadataRequest, type UpdateMetadataRequest } from '../../protocol/generated/update-metadata-request';
import { ReplicaManager, type ReplicaManagerOptions } from '../replica-manager';

export interface ServingFixture {
  dir: string;
  time: MockTime;
  scheduler: MockScheduler;
  logManager: LogManager;
  metadataCache: MetadataCache;
  replicaManager: ReplicaManager;
  /** Stops the replica manager and log manager and removes the dir. */
  close(): Promise<void>;
}

export const TEST_TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';

export async function startServing(o: { brokerId?: number; topicConfig?: Record<string, ConfigInput>; dir?: string; replicaManager?: Partial<ReplicaManagerOptions> } = {}): Promise<ServingFixture> {
  const brokerId = o.brokerId ?? 1;
  const dir = o.dir ?? (await makeTempDir('samsa-replica-'));
  const time = new MockTime(1_700_000_000_000);
  const scheduler = new MockScheduler(time);
  const logger = createLogger('test', { brokerId });
  const logManager = await LogManager.startup({
    logDirs: [dir],
    brokerId,
    clusterId: 'test-cluster',
    configFor: (topic) => new LogConfig(o.topicConfig?.[topic] ?? {}),
    scheduler,
    time,
    logger,
    cleanerConfig: { enableCleaner: false },
  });
  const metadataCache = new MetadataCache(brokerId, logger);
  const replicaManager = new ReplicaManager({ brokerId, logManager, metadataCache, scheduler, time, logger, ...o.replicaManager });
  return {
    dir,
    time,
    scheduler,
    logManager,
    metadataCache,
    replicaManager,
    async close() {
      await replicaManager.shutdown();
      await logManager.shutdown();
      if (o.dir === undefined) await removeDir(dir);
    },
  };
}

export interface PartitionSpec {
  topic: string;
  partition: number;
  leader: number;
  leaderEpoch?: number;
  isr?: number[];
  replicas?: number[];
  zkVersion?: number;
}

/**
 * `parts` grouped by topic, with the partition-state fields LeaderAndIsr and UpdateMetadata share;
 * `extra` adds the fields only one of them has.
 */
function topicStates<E extends object>(parts: PartitionSpec[], o: { controllerEpoch?: number; topicId?: string }, extra: () => E) {
  const topics = new Map<string, PartitionSpec[]>();
  for (const p of parts) topics.set(p.topic, [...(topics.get(p.topic) ?? []), p]);
  return [...topics].map(([topicName, ps]) => ({
    topicName,
    topicId: o.topicId ?? TEST_TOPIC_ID,
    partitionStates: ps.map((p) => ({
      topicName,
      partitionIndex: p.partition,
      controllerEpoch: o.controllerEpoch ?? 1,
      leader: p.leader,
      leaderEpoch: p.leaderEpoch ?? 0,
      isr: p.isr ?? [p.leader],
      zkVersion: p.zkVersion ?? 0,
      replicas: p.replicas ?? [p.leader],
      ...extra(),
    })),
  }));
}

/** A LeaderAndIsr v5-shaped request from controller 1 at `controllerEpoch`. */
export function leaderAndIsrRequest(parts: PartitionSpec[], o: { controllerEpoch?: number; brokerEpoch?: bigint; topicId?: string } = {}): LeaderAndIsrRequest {
  const req = defaultLeaderAndIsrRequest();
  req.controllerId = 1;
  req.controllerEpoch = o.controllerEpoch ?? 1;
  req.brokerEpoch = o.brokerEpoch ?? -1n;
  req.topicStates = topicStates(parts, o, () => ({ addingReplicas: [], removingReplicas: [], isNew: true }));
  return req;
}

/** An UpdateMetadata v7-shaped request: brokers `aliveBrokers` (PLAINTEXT on localhost:9090+id), the given partitions. */
export function updateMetadataRequest(
  parts: PartitionSpec[],
  o: { aliveBrokers?: number[]; controllerEpoch?: number; controllerId?: number; listeners?: string[]; topicId?: string } = {},
): UpdateMetadataRequest {
  const req = defaultUpdateMetadataRequest();
  req.controllerId = o.controllerId ?? 1;
  req.controllerEpoch = o.controllerEpoch ?? 1;
  req.liveBrokers = (o.aliveBrokers ?? [1]).map((id) => ({
    id,
    v0Host: '',
    v0Port: 0,
    rack: null,
    endpoints: (o.listeners ?? ['PLAINTEXT']).map((listener, i) => ({ listener, host: 'localhost', port: 9090 + id + 100 * i, securityProtocol: 0 })),
  }));
  req.topicStates = topicStates(parts, o, () => ({ offlineReplicas: [] }));
  return req;
}

/** Makes this broker leader of `parts` the way a controller does: UpdateMetadata, then LeaderAndIsr. */
export async function becomeLeader(f: ServingFixture, parts: PartitionSpec[], aliveBrokers?: number[]): Promise<void> {
  f.replicaManager.maybeUpdateMetadataCache(1, updateMetadataRequest(parts, { aliveBrokers }));
  const res = await f.replicaManager.becomeLeaderOrFollower(2, leaderAndIsrRequest(parts));
  if (res.errorCode !== 0 || res.partitionErrors.some((p) => p.errorCode !== 0)) throw new Error(`LeaderAndIsr failed: ${JSON.stringify(res)}`);
}
