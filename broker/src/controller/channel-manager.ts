/**
 * Kafka's ControllerChannelManager: one BrokerClient and one in-order request queue per live broker,
 * to its inter.broker.listener.name endpoint from /brokers/ids/<id>. Like Kafka's RequestSendThread a
 * queue has one request in flight and retries it (after a short backoff) until it is answered or the
 * broker is removed; then the response callback runs.
 */
import type { Logger } from '../common/logger';
import { BrokerClient } from '../network/broker-client';
import type { ApiMessages } from '../protocol';
import type { BrokerInfo } from '../zk/kafka-zk-client';

const RETRY_BACKOFF_MS = 100;

interface QueuedRequest {
  readonly describe: string;
  send(client: BrokerClient): Promise<void>;
}

interface BrokerQueue {
  readonly brokerId: number;
  readonly client: BrokerClient;
  readonly queue: QueuedRequest[];
  running: boolean;
  removed: boolean;
  retryTimer: NodeJS.Timeout | undefined;
  wakeRetry: (() => void) | undefined;
}

export interface ControllerChannelManagerOptions {
  controllerId: number;
  interBrokerListenerName: string;
  requestTimeoutMs: number;
  logger: Logger;
}

export class ControllerChannelManager {
  private readonly brokers = new Map<number, BrokerQueue>();

  constructor(private readonly options: ControllerChannelManagerOptions) {}

  startup(brokers: Iterable<BrokerInfo>): void {
    for (const b of brokers) this.addBroker(b);
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.brokers.keys()].map((id) => this.removeBroker(id)));
  }

  hasBroker(brokerId: number): boolean {
    return this.brokers.has(brokerId);
  }

  addBroker(broker: BrokerInfo): void {
    if (this.brokers.has(broker.id)) return;
    const ep = broker.registration.endpoints.find((e) => e.listenerName === this.options.interBrokerListenerName);
    if (ep === undefined) {
      this.options.logger.error(
        { brokerId: broker.id, listener: this.options.interBrokerListenerName },
        'broker has no endpoint for the inter-broker listener; not sending it controller requests',
      );
      return;
    }
    const client = new BrokerClient({
      host: ep.host ?? 'localhost',
      port: ep.port,
      clientId: `controller-${this.options.controllerId}-to-broker-${broker.id}`,
      requestTimeoutMs: this.options.requestTimeoutMs,
      logger: this.options.logger.child({ destinationBrokerId: broker.id }),
    });
    this.brokers.set(broker.id, { brokerId: broker.id, client, queue: [], running: false, removed: false, retryTimer: undefined, wakeRetry: undefined });
  }

  async removeBroker(brokerId: number): Promise<void> {
    const q = this.brokers.get(brokerId);
    if (q === undefined) return;
    this.brokers.delete(brokerId);
    q.removed = true;
    q.queue.length = 0;
    clearTimeout(q.retryTimer);
    q.wakeRetry?.();
    await q.client.close();
  }

  /** Queues a request to `brokerId`; `callback` gets the response. Dropped when the broker is not live. */
  sendRequest<K extends keyof ApiMessages>(
    brokerId: number,
    apiKey: K,
    version: number,
    request: ApiMessages[K]['request'],
    callback?: (response: ApiMessages[K]['response']) => void,
  ): void {
    const q = this.brokers.get(brokerId);
    if (q === undefined) {
      this.options.logger.warn({ brokerId, apiKey }, 'not sending request to broker, since it is offline');
      return;
    }
    q.queue.push({
      describe: `api key ${apiKey} v${version}`,
      send: async (client) => {
        const response = await client.send(apiKey, version, request);
        try {
          callback?.(response);
        } catch (err) {
          this.options.logger.error({ err, brokerId, apiKey }, 'controller response callback failed');
        }
      },
    });
    if (!q.running) {
      q.running = true;
      void this.drain(q).finally(() => {
        q.running = false;
      });
    }
  }

  private async drain(q: BrokerQueue): Promise<void> {
    while (!q.removed && q.queue.length > 0) {
      const next = q.queue[0];
      try {
        await next.send(q.client);
        q.queue.shift();
      } catch (err) {
        if (q.removed) return;
        this.options.logger.warn(
          { brokerId: q.brokerId, request: next.describe, err: err instanceof Error ? err.message : String(err) },
          'controller request failed; retrying',
        );
        await new Promise<void>((resolve) => {
          q.wakeRetry = resolve;
          q.retryTimer = setTimeout(resolve, RETRY_BACKOFF_MS);
        });
        q.wakeRetry = undefined;
      }
    }
  }
}
