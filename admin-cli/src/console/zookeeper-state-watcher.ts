/**
 * What the console reads from ZooKeeper, kept current by watches (as Kafka's controller keeps its
 * context): /brokers/ids and each registration, /controller, /controller_epoch, /brokers/topics, each
 * topic's assignment and each partition's leader/ISR state. Every path and JSON comes from znodes.ts.
 */
import type { Logger } from '../../../broker/src/common/logger';
import { ZkClient } from '../../../broker/src/zk/client';
import type { ZkNode } from '../../../broker/src/zk/stat';
import type { ZkWatch } from '../../../broker/src/zk/watch';
import {
  BrokerIdsZNode,
  BrokerIdZNode,
  ControllerEpochZNode,
  ControllerZNode,
  endpointConnectionString,
  TopicPartitionStateZNode,
  TopicsZNode,
  TopicZNode,
  type LeaderIsrAndControllerEpoch,
} from '../../../broker/src/zk/znodes';

export interface RegisteredBroker {
  endpoints: string[];
  rack: string | null;
}

export interface WatchedTopic {
  /** partition → replicas */
  replicas: Map<number, number[]>;
  /** partition → state (null until the controller wrote it) */
  states: Map<number, LeaderIsrAndControllerEpoch | null>;
}

export interface ZooKeeperSnapshot {
  brokers: Map<number, RegisteredBroker>;
  controller: number | null;
  controllerEpoch: number | null;
  topics: Map<string, WatchedTopic>;
  problems: string[];
}

interface TopicWatches {
  assignment: ZkWatch<ZkNode | null> | null;
  partitions: Map<number, ZkWatch<ZkNode | null>>;
  data: WatchedTopic;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class ZooKeeperStateWatcher {
  private readonly brokers = new Map<number, RegisteredBroker>();
  private controller: number | null = null;
  private controllerEpoch: number | null = null;
  private readonly topics = new Map<string, TopicWatches>();
  private readonly watches: Array<ZkWatch<unknown>> = [];
  private readonly problems = new Map<string, string>();
  /** Children syncs run one at a time, in order, so two quick changes cannot interleave. */
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly zk: ZkClient,
    private readonly onChange: () => void,
    private readonly logger: Logger,
  ) {}

  /** Connects (the connect string may carry a chroot) and reads everything once before resolving. */
  static async start(connectString: string, onChange: () => void, logger: Logger): Promise<ZooKeeperStateWatcher> {
    const zk = await ZkClient.connect({ connectString, sessionTimeoutMs: 10_000, connectTimeoutMs: 15_000, logger });
    const w = new ZooKeeperStateWatcher(zk, onChange, logger);
    try {
      await w.watchAll();
    } catch (err) {
      await w.close();
      throw err;
    }
    return w;
  }

  snapshot(): ZooKeeperSnapshot {
    const topics = new Map<string, WatchedTopic>();
    for (const [name, t] of this.topics) topics.set(name, { replicas: new Map(t.data.replicas), states: new Map(t.data.states) });
    return { brokers: new Map(this.brokers), controller: this.controller, controllerEpoch: this.controllerEpoch, topics, problems: [...this.problems.values()] };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.watches) w.close();
    for (const t of this.topics.values()) this.closeTopic(t);
    this.topics.clear();
    await this.zk.close();
  }

  private enqueue(what: string, task: () => Promise<void>): Promise<void> {
    this.queue = this.queue
      .then(async () => {
        if (this.closed) return;
        await task();
        this.problems.delete(what);
      })
      .catch((err: unknown) => {
        this.problems.set(what, `reading ${what} from ZooKeeper failed: ${message(err)}`);
        this.logger.warn({ err }, `reading ${what} failed`);
      })
      .finally(() => {
        if (!this.closed) this.onChange();
      });
    return this.queue;
  }

  /** Decodes a znode, recording (not throwing) data it cannot read. */
  private decode<T>(path: string, decode: () => T): T | null {
    try {
      const value = decode();
      this.problems.delete(path);
      return value;
    } catch (err) {
      this.problems.set(path, `${path}: ${message(err)}`);
      return null;
    }
  }

  private async watchAll(): Promise<void> {
    const ids = await this.zk.watchChildren(BrokerIdsZNode.path, (children) => void this.enqueue('brokers', () => this.syncBrokers(children ?? [])));
    this.watches.push(ids);
    const controller = await this.zk.watchData(ControllerZNode.path, (node) => this.setController(node));
    this.watches.push(controller);
    const epoch = await this.zk.watchData(ControllerEpochZNode.path, (node) => this.setControllerEpoch(node));
    this.watches.push(epoch);
    const topics = await this.zk.watchChildren(TopicsZNode.path, (children) => void this.enqueue('topics', () => this.syncTopics(children ?? [])));
    this.watches.push(topics);
    this.setController(controller.value);
    this.setControllerEpoch(epoch.value);
    await this.enqueue('brokers', () => this.syncBrokers(ids.value ?? []));
    await this.enqueue('topics', () => this.syncTopics(topics.value ?? []));
  }

  private setController(node: ZkNode | null): void {
    this.controller = node === null ? null : (this.decode(ControllerZNode.path, () => ControllerZNode.decode(node.data))?.brokerId ?? null);
    this.onChange();
  }

  private setControllerEpoch(node: ZkNode | null): void {
    this.controllerEpoch = node === null ? null : this.decode(ControllerEpochZNode.path, () => ControllerEpochZNode.decode(node.data));
    this.onChange();
  }

  private async syncBrokers(children: string[]): Promise<void> {
    const ids = new Set(children.map(Number).filter((n) => Number.isInteger(n)));
    for (const id of [...this.brokers.keys()]) if (!ids.has(id)) this.brokers.delete(id);
    for (const id of ids) {
      if (this.brokers.has(id)) continue;
      const path = BrokerIdZNode.path(id);
      const node = await this.zk.getOrNull(path);
      if (node === null) continue;
      const reg = this.decode(path, () => BrokerIdZNode.decode(node.data, path));
      this.brokers.set(id, { endpoints: reg?.endpoints.map(endpointConnectionString) ?? [], rack: reg?.rack ?? null });
    }
  }

  private async syncTopics(children: string[]): Promise<void> {
    const names = new Set(children);
    for (const [name, t] of this.topics) {
      if (names.has(name)) continue;
      this.closeTopic(t);
      this.topics.delete(name);
    }
    for (const name of [...names].sort()) {
      if (this.topics.has(name)) continue;
      const t: TopicWatches = { assignment: null, partitions: new Map(), data: { replicas: new Map(), states: new Map() } };
      this.topics.set(name, t);
      const path = TopicZNode.path(name);
      t.assignment = await this.zk.watchData(path, (node) => void this.enqueue(path, () => this.syncAssignment(name, t, node)));
      if (this.closed) return this.closeTopic(t);
      await this.syncAssignment(name, t, t.assignment.value);
    }
  }

  private async syncAssignment(name: string, t: TopicWatches, node: ZkNode | null): Promise<void> {
    if (this.topics.get(name) !== t) return; // deleted meanwhile
    const path = TopicZNode.path(name);
    const assignment = node === null ? null : this.decode(path, () => TopicZNode.decode(node.data, path));
    t.data.replicas = new Map([...(assignment?.partitions ?? new Map<number, { replicas: number[] }>())].map(([p, a]) => [p, a.replicas]));
    for (const [p, w] of t.partitions) {
      if (t.data.replicas.has(p)) continue;
      w.close();
      t.partitions.delete(p);
      t.data.states.delete(p);
    }
    for (const p of [...t.data.replicas.keys()].sort((a, b) => a - b)) {
      if (t.partitions.has(p)) continue;
      const statePath = TopicPartitionStateZNode.path(name, p);
      const onState = (n: ZkNode | null): void => {
        t.data.states.set(p, n === null ? null : this.decode(statePath, () => TopicPartitionStateZNode.decode(n.data, statePath)));
        this.onChange();
      };
      const w = await this.zk.watchData(statePath, onState);
      if (this.topics.get(name) !== t || this.closed) {
        w.close();
        return;
      }
      t.partitions.set(p, w);
      onState(w.value);
    }
  }

  private closeTopic(t: TopicWatches): void {
    t.assignment?.close();
    for (const w of t.partitions.values()) w.close();
    t.partitions.clear();
  }
}
