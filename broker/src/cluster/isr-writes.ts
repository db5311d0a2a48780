/**
 * A leader's ISR writes (Kafka 2.8's isrState.isInflight plus its ZkPartitionStateStore call): one
 * conditional write at a time; an outcome that arrives after the controller changed the partition's
 * state (a LeaderAndIsr, StopReplica) is dropped; a stale zkVersion ('stale') stops further writes
 * until the controller's next LeaderAndIsr, which brings the state the znode really holds.
 */
import type { Logger } from '../common/logger';
import type { TopicPartition } from '../log/log-names';
import type { IsrUpdate, UpdateIsr } from './partition-types';

export class IsrWrites {
  private inFlight = false;
  private fenced = false;
  private generation = 0;

  constructor(
    private readonly updateIsr: UpdateIsr | undefined,
    private readonly logger: Logger,
  ) {}

  /** Kafka's isrState.isInflight. */
  get isInFlight(): boolean {
    return this.inFlight;
  }

  /** Whether an ISR write may start now. */
  get canWrite(): boolean {
    return this.updateIsr !== undefined && !this.inFlight && !this.fenced;
  }

  /** The controller changed the partition's state: outcomes of earlier writes no longer apply. */
  reset(): void {
    this.generation++;
    this.inFlight = false;
    this.fenced = false;
  }

  /** Writes `update`; `apply` runs with the new zkVersion only if the write counts. Resolves with whether it did. */
  async write(tp: TopicPartition, update: IsrUpdate, expectedZkVersion: number, apply: (zkVersion: number) => void): Promise<boolean> {
    const updateIsr = this.updateIsr;
    if (updateIsr === undefined || !this.canWrite) return false;
    const generation = this.generation;
    const name = `${tp.topic}-${tp.partition}`;
    this.inFlight = true;
    let result: { zkVersion: number } | 'stale';
    try {
      result = await updateIsr(tp, update, expectedZkVersion);
    } catch (err) {
      if (generation === this.generation) this.inFlight = false;
      this.logger.warn({ err }, `Failed to write ISR [${update.isr.join(',')}] of ${name}; the next check retries`);
      return false;
    }
    if (generation !== this.generation) {
      this.logger.info(`Dropping the outcome of the ISR write [${update.isr.join(',')}] of ${name}: the controller changed its state meanwhile`);
      return false;
    }
    this.inFlight = false;
    if (result === 'stale') {
      this.fenced = true;
      this.logger.info(`Cached zkVersion ${expectedZkVersion} not equal to that in zookeeper, skip updating ISR`);
      return false;
    }
    apply(result.zkVersion);
    return true;
  }
}
