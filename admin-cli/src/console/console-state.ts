/**
 * The console's live state: ZooKeeper watches, the ensemble poll, the consumer-group poll and (when the
 * launcher owns the processes) its process status, folded into one ClusterState. Changes are gathered
 * for a moment (a controller move touches /controller and /controller_epoch separately), then diffed
 * into timeline events and handed to the listeners (the SSE streams).
 */
import { createLogger, type Logger } from '../../../broker/src/common/logger';
import type { ClusterControl, ClusterStatus } from './cluster-control';
import { describeStart, diffClusterState, emptyClusterState, mergeBrokers, partitionView, Timeline, type ClusterState, type TimelineEvent, type TopicView } from './cluster-model';
import { EnsemblePoller } from './ensemble-poller';
import { GroupPoller } from './group-poller';
import { ZooKeeperStateWatcher } from './zookeeper-state-watcher';

/** Process states the launcher reports, for the buttons (a paused broker is still registered). */
export interface ProcessView {
  brokers: Array<{ id: number; state: string; pid: number | null }>;
  zookeepers: Array<{ id: number; state: string; pid: number | null }>;
}

export interface ConsoleSnapshot extends ClusterState {
  processes: ProcessView | null;
}

export type ConsoleListener = (state: ConsoleSnapshot, events: TimelineEvent[]) => void;

export interface ConsoleStateOptions {
  zookeeperConnect: string;
  bootstrapServers: string;
  control?: ClusterControl;
  /** How long changes are gathered before they are published. */
  settleMs?: number;
  logger?: Logger;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class ConsoleState {
  private state: ConsoleSnapshot;
  private readonly timeline = new Timeline();
  private readonly listeners = new Set<ConsoleListener>();
  private watcher: ZooKeeperStateWatcher | null = null;
  private readonly ensemble: EnsemblePoller;
  private readonly groups: GroupPoller;
  private processes: ProcessView | null = null;
  private controlProblem: string | null = null;
  private settleTimer: NodeJS.Timeout | undefined;
  private statusTimer: NodeJS.Timeout | undefined;
  private statusRun: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly logger: Logger;

  private constructor(private readonly o: ConsoleStateOptions) {
    this.logger = o.logger ?? createLogger('console');
    this.state = { ...emptyClusterState(o.control !== undefined), processes: null };
    this.ensemble = new EnsemblePoller(o.zookeeperConnect, () => this.changed());
    this.groups = new GroupPoller(o.bootstrapServers, () => this.changed());
  }

  /** Reads ZooKeeper once (failing if it cannot be reached), then keeps watching and polling. */
  static async start(o: ConsoleStateOptions): Promise<ConsoleState> {
    const s = new ConsoleState(o);
    try {
      s.watcher = await ZooKeeperStateWatcher.start(o.zookeeperConnect, () => s.changed(), s.logger);
    } catch (err) {
      throw new Error(`cannot read the cluster from ZooKeeper at ${o.zookeeperConnect}: ${message(err)}`, { cause: err });
    }
    s.state = s.build();
    s.timeline.add([describeStart(s.state)], Date.now());
    s.ensemble.start();
    s.groups.start();
    if (o.control !== undefined) s.statusRun = s.pollStatus(o.control);
    return s;
  }

  snapshot(): ConsoleSnapshot {
    return this.state;
  }

  events(): TimelineEvent[] {
    return this.timeline.all();
  }

  subscribe(listener: ConsoleListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Publishes now (after a control action, so the page need not wait for the next poll). */
  async refresh(): Promise<void> {
    if (this.o.control !== undefined) await this.readStatus(this.o.control);
    this.publish();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.settleTimer);
    clearTimeout(this.statusTimer);
    this.listeners.clear();
    await Promise.all([this.ensemble.close(), this.groups.close(), this.watcher?.close(), this.statusRun]);
  }

  private changed(): void {
    if (this.closed || this.settleTimer !== undefined || this.watcher === null) return;
    this.settleTimer = setTimeout(() => {
      this.settleTimer = undefined;
      this.publish();
    }, this.o.settleMs ?? 150);
  }

  private publish(): void {
    if (this.closed || this.watcher === null) return;
    const next = this.build();
    const events = this.timeline.add(diffClusterState(this.state, next), Date.now());
    const same = events.length === 0 && JSON.stringify(next) === JSON.stringify(this.state);
    this.state = next;
    if (same) return;
    for (const l of this.listeners) {
      try {
        l(next, events);
      } catch (err) {
        this.logger.warn({ err }, 'console listener failed');
      }
    }
  }

  private build(): ConsoleSnapshot {
    const zk = this.watcher?.snapshot();
    if (zk === undefined) return this.state;
    const topics: TopicView[] = [...zk.topics.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, t]) => ({
        name,
        partitions: [...t.replicas.entries()].sort(([a], [b]) => a - b).map(([p, replicas]) => partitionView(name, p, replicas, t.states.get(p) ?? null)),
      }));
    const problems = [...zk.problems];
    const groupProblem = this.groups.lastProblem();
    if (groupProblem !== null) problems.push(groupProblem);
    if (this.controlProblem !== null) problems.push(this.controlProblem);
    return {
      brokers: mergeBrokers(this.state.brokers, zk.brokers, this.processes?.brokers.map((b) => b.id) ?? []),
      controller: zk.controller,
      lastController: zk.controller ?? this.state.lastController,
      controllerEpoch: zk.controllerEpoch,
      topics,
      zookeepers: this.ensemble.view(),
      groups: this.groups.view(),
      hasControl: this.o.control !== undefined,
      problems,
      processes: this.processes,
    };
  }

  private async readStatus(control: ClusterControl): Promise<void> {
    try {
      const s: ClusterStatus = await control.status();
      this.processes = {
        brokers: s.brokers.map((b) => ({ id: b.id, state: b.state, pid: b.pid })),
        zookeepers: s.zookeepers.map((z) => ({ id: z.id, state: z.state, pid: z.pid })),
      };
      this.controlProblem = null;
    } catch (err) {
      this.controlProblem = `launcher status: ${message(err)}`;
    }
  }

  private async pollStatus(control: ClusterControl): Promise<void> {
    const before = JSON.stringify([this.processes, this.controlProblem]);
    await this.readStatus(control);
    if (this.closed) return;
    if (JSON.stringify([this.processes, this.controlProblem]) !== before) this.changed();
    this.statusTimer = setTimeout(() => {
      this.statusRun = this.pollStatus(control);
    }, 1000);
  }
}
