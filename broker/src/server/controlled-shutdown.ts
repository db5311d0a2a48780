/**
 * The broker side of controlled shutdown (Kafka 2.8's KafkaServer.controlledShutdown): before it stops,
 * a broker asks the controller to move its leaderships away (ControlledShutdown v3 with its id and
 * broker epoch) and repeats until the controller reports no partition left, at most
 * controlled.shutdown.max.retries times, controlled.shutdown.retry.backoff.ms apart. The controller is
 * looked up again on every attempt (metadata cache, else /controller) and a new connection is made when
 * it moved or the previous attempt failed on the connection. When every attempt fails the broker goes
 * on with an unclean shutdown, as Kafka does. Unlike Kafka it does not sleep after the last attempt:
 * nothing follows it but the shutdown.
 */
import type { Logger } from '../common/logger';
import type { MetadataCache } from '../metadata/metadata-cache';
import { BrokerClient } from '../network/broker-client';
import { ApiKey, ErrorCode, errorForCode } from '../protocol';
import type { ControlledShutdownRequest } from '../protocol/generated/controlled-shutdown-request';
import type { ControlledShutdownResponse } from '../protocol/generated/controlled-shutdown-response';
import type { KafkaZkClient } from '../zk/kafka-zk-client';

/** ControlledShutdown version a 2.8 broker sends (IBP >= 2.4-IV1). */
export const CONTROLLED_SHUTDOWN_VERSION = 3;

export interface ControllerNode {
  id: number;
  host: string;
  port: number;
}

/** A connection to the controller (a BrokerClient in production). */
export interface ControllerChannel {
  controlledShutdown(request: ControlledShutdownRequest): Promise<ControlledShutdownResponse>;
  close(): Promise<void>;
}

export interface ControlledShutdownOptions {
  brokerId: number;
  /** The current broker epoch (czxid of /brokers/ids/<id>). */
  brokerEpoch: () => bigint;
  /** Where the controller is now, or null when no controller (or its inter-broker endpoint) is known. */
  findController: () => Promise<ControllerNode | null>;
  connect: (node: ControllerNode) => ControllerChannel;
  /** controlled.shutdown.max.retries (3): the number of attempts. */
  maxRetries: number;
  /** controlled.shutdown.retry.backoff.ms (5000). */
  retryBackoffMs: number;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function sameNode(a: ControllerNode | null, b: ControllerNode): boolean {
  return a !== null && a.id === b.id && a.host === b.host && a.port === b.port;
}

/** Runs the controlled shutdown; resolves with whether the controller moved every leadership away. */
export async function controlledShutdown(o: ControlledShutdownOptions): Promise<boolean> {
  const sleep = o.sleep ?? defaultSleep;
  let remainingRetries = o.maxRetries;
  let prevController: ControllerNode | null = null;
  let channel: ControllerChannel | null = null;
  let ioException = false;
  let succeeded = false;
  o.logger.info('Starting controlled shutdown');
  try {
    while (!succeeded && remainingRetries > 0) {
      remainingRetries--;
      // 1. Find the controller; connect anew when it moved or the last attempt failed on the connection.
      const node = await o.findController().catch((err: unknown) => {
        o.logger.warn({ err }, 'Failed to look up the controller');
        return null;
      });
      if (node === null) o.logger.info('No controller present in the metadata cache or ZooKeeper');
      else if (ioException || !sameNode(prevController, node)) {
        ioException = false;
        if (channel !== null) await channel.close();
        prevController = node;
        channel = o.connect(node);
      }
      // 2. Ask it to move this broker's leaderships.
      if (channel !== null) {
        const started = Date.now();
        try {
          const response = await channel.controlledShutdown({ brokerId: o.brokerId, brokerEpoch: o.brokerEpoch() });
          const latency = Date.now() - started;
          if (response.errorCode !== ErrorCode.NONE) {
            o.logger.info(`Controlled shutdown request returned after ${latency}ms with error ${errorForCode(response.errorCode).name}`);
          } else if (response.remainingPartitions.length === 0) {
            succeeded = true;
            o.logger.info(`Controlled shutdown request returned successfully after ${latency}ms`);
          } else {
            const remaining = response.remainingPartitions.map((p) => `${p.topicName}-${p.partitionIndex}`).join(',');
            o.logger.info(`Controlled shutdown request returned after ${latency}ms with partitions remaining to move: ${remaining}`);
          }
        } catch (err) {
          ioException = true;
          o.logger.warn(
            { err },
            'Error during controlled shutdown, possibly because leader movement took longer than the configured controller.socket.timeout.ms and/or request.timeout.ms',
          );
        }
      }
      if (!succeeded && remainingRetries > 0) {
        await sleep(o.retryBackoffMs);
        o.logger.warn('Retrying controlled shutdown after the previous attempt failed...');
      }
    }
  } finally {
    if (channel !== null) await channel.close().catch(() => undefined);
  }
  if (!succeeded) o.logger.warn('Proceeding to do an unclean shutdown as all the controlled shutdown attempts failed');
  return succeeded;
}

/**
 * The controller's inter-broker endpoint: its id from the metadata cache (Kafka's source), else from
 * /controller; its endpoint from the cache, else from its /brokers/ids registration.
 */
export function findControllerNode(
  metadataCache: Pick<MetadataCache, 'controllerId' | 'aliveBroker'>,
  zkClient: Pick<KafkaZkClient, 'getControllerId' | 'getBroker'>,
  interBrokerListenerName: string,
): () => Promise<ControllerNode | null> {
  return async () => {
    const id = metadataCache.controllerId ?? (await zkClient.getControllerId());
    if (id === null || id < 0) return null;
    const cached = metadataCache.aliveBroker(id)?.endpoints.find((e) => e.listener === interBrokerListenerName);
    if (cached !== undefined) return { id, host: cached.host, port: cached.port };
    const registered = (await zkClient.getBroker(id))?.registration.endpoints.find((e) => e.listenerName === interBrokerListenerName);
    return registered === undefined ? null : { id, host: registered.host ?? 'localhost', port: registered.port };
  };
}

/** Connections over the inter-broker client (request.timeout.ms bounds each attempt). */
export function brokerClientChannel(o: { brokerId: number; requestTimeoutMs: number; logger: Logger }): (node: ControllerNode) => ControllerChannel {
  return (node) => {
    const client = new BrokerClient({ host: node.host, port: node.port, clientId: `broker-${o.brokerId}-controlled-shutdown`, requestTimeoutMs: o.requestTimeoutMs, logger: o.logger });
    return {
      controlledShutdown: (request) => client.send(ApiKey.ControlledShutdown, CONTROLLED_SHUTDOWN_VERSION, request),
      close: () => client.close(),
    };
  };
}
