/**
 * Where a group lives: Kafka's partitionFor (abs(String.hashCode) mod the offsets topic's partition
 * count, with Utils.abs mapping Integer.MIN_VALUE to 0), and FindCoordinator asked of one broker.
 */
import { BrokerClient } from '../../../broker/src/network/broker-client';
import { ApiKey } from '../../../broker/src/protocol';
import type { KafkaCluster } from '../../helpers/kafka-cluster';

export const OFFSETS_TOPIC = '__consumer_offsets';
export const OFFSETS_PARTITIONS = 50;

/** Java's String.hashCode over UTF-16 code units, as a signed 32-bit int. */
export function javaHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** The __consumer_offsets partition of a group (Kafka's Utils.abs(hash) % partitions). */
export function offsetsPartitionFor(groupId: string, partitions = OFFSETS_PARTITIONS): number {
  const h = javaHashCode(groupId);
  return (h === -2147483648 ? 0 : Math.abs(h)) % partitions;
}

export interface CoordinatorAnswer {
  errorCode: number;
  nodeId: number;
  host: string;
  port: number;
}

/** FindCoordinator(group) v3 asked of broker `askId`. */
export async function findCoordinator(cluster: KafkaCluster, askId: number, groupId: string): Promise<CoordinatorAnswer> {
  const client = new BrokerClient({ host: '127.0.0.1', port: cluster.brokerPort(askId), clientId: 'groups-test', requestTimeoutMs: 10_000 });
  try {
    const r = await client.send(ApiKey.FindCoordinator, 3, { key: groupId, keyType: 0 });
    return { errorCode: r.errorCode, nodeId: r.nodeId, host: r.host, port: r.port };
  } finally {
    await client.close();
  }
}
