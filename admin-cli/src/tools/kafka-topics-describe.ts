/**
 * kafka-topics --describe as Kafka 2.8's TopicCommand prints it (TopicDescription / PartitionDescription):
 *
 *   Topic: orders	TopicId: pVjI…	PartitionCount: 3	ReplicationFactor: 2	Configs: segment.bytes=1073741824
 *   	Topic: orders	Partition: 0	Leader: 1	Replicas: 1,2	Isr: 1,2
 *
 * Configs lists every entry whose source is not the default; the replication factor of a partition
 * being reassigned leaves out its adding replicas; the report flags select partitions (and hide the
 * topic lines), --topics-with-overrides prints only topic lines of topics with overrides.
 */
import { ApiKey, ErrorCode, ZERO_UUID } from '../../../broker/src/protocol';
import type { MetadataResponsePartition, MetadataResponseTopic } from '../../../broker/src/protocol/generated/metadata-response';
import type { AdminConnection } from './common/admin-connection';

export interface DescribeFilters {
  underReplicated: boolean;
  unavailable: boolean;
  underMinIsr: boolean;
  atMinIsr: boolean;
  topicsWithOverrides: boolean;
}

interface Reassignment {
  replicas: number[];
  addingReplicas: number[];
  removingReplicas: number[];
}

const TOPIC_RESOURCE = 2;
const DEFAULT_CONFIG_SOURCE = 5;

export interface TopicConfigEntry {
  name: string;
  value: string | null;
  isDefault: boolean;
}

/** Kafka's getReplicationFactor: replicas minus the ones a reassignment is adding. */
export function replicationFactor(p: MetadataResponsePartition, r: Reassignment | undefined): number {
  return r === undefined ? p.replicaNodes.length : r.replicas.length - r.addingReplicas.length;
}

export function topicLine(t: MetadataResponseTopic, rf: number, configs: readonly TopicConfigEntry[]): string {
  const overrides = configs.filter((c) => !c.isDefault).map((c) => `${c.name}=${c.value ?? ''}`).join(',');
  const id = t.topicId !== ZERO_UUID ? `\tTopicId: ${t.topicId}` : '';
  return `Topic: ${t.name}${id}\tPartitionCount: ${t.partitions.length}\tReplicationFactor: ${rf}\tConfigs: ${overrides}`;
}

export function partitionLine(topic: string, p: MetadataResponsePartition, r: Reassignment | undefined): string {
  const leader = p.leaderId >= 0 ? String(p.leaderId) : 'none';
  const moving = r === undefined ? '' : `\tAdding Replicas: ${r.addingReplicas.join(',')}\tRemoving Replicas: ${r.removingReplicas.join(',')}`;
  return `\tTopic: ${topic}\tPartition: ${p.partitionIndex}\tLeader: ${leader}\tReplicas: ${p.replicaNodes.join(',')}\tIsr: ${p.isrNodes.join(',')}${moving}`;
}

/** Kafka's DescribeOptions.shouldPrintPartition for one partition. */
export function shouldPrintPartition(f: DescribeFilters, p: MetadataResponsePartition, rf: number, minIsr: number | undefined, liveBrokers: ReadonlySet<number>): boolean {
  const describeConfigs = !f.underReplicated && !f.unavailable && !f.underMinIsr && !f.atMinIsr;
  if (describeConfigs) return true;
  const hasLeader = p.leaderId >= 0;
  if (f.underReplicated && rf - p.isrNodes.length > 0) return true;
  if (f.underMinIsr && (!hasLeader || (minIsr !== undefined && p.isrNodes.length < minIsr))) return true;
  if (f.atMinIsr && minIsr !== undefined && p.isrNodes.length === minIsr) return true;
  if (f.unavailable && (!hasLeader || !liveBrokers.has(p.leaderId))) return true;
  return false;
}

async function topicConfigs(conn: AdminConnection, topics: readonly string[]): Promise<Map<string, TopicConfigEntry[]>> {
  const res = await conn.send(ApiKey.DescribeConfigs, {
    resources: topics.map((resourceName) => ({ resourceType: TOPIC_RESOURCE, resourceName, configurationKeys: null })),
    includeSynonyms: false,
    includeDocumentation: false,
  });
  const version = conn.version(ApiKey.DescribeConfigs);
  const out = new Map<string, TopicConfigEntry[]>();
  for (const r of res.results) {
    if (r.errorCode !== ErrorCode.NONE) continue;
    out.set(r.resourceName, r.configs.map((c) => ({ name: c.name, value: c.value, isDefault: version >= 1 ? c.configSource === DEFAULT_CONFIG_SOURCE : c.isDefault })));
  }
  return out;
}

async function ongoingReassignments(conn: AdminConnection, topics: readonly MetadataResponseTopic[]): Promise<Map<string, Reassignment>> {
  const out = new Map<string, Reassignment>();
  try {
    const res = await conn.sendToController(ApiKey.ListPartitionReassignments, {
      timeoutMs: 10_000,
      topics: topics.map((t) => ({ name: t.name, partitionIndexes: t.partitions.map((p) => p.partitionIndex) })),
    });
    for (const t of res.topics) for (const p of t.partitions) out.set(`${t.name}:${p.partitionIndex}`, p);
  } catch {
    // A cluster without the API (or a moving controller) describes topics without reassignment columns.
  }
  return out;
}

export async function describeTopics(conn: AdminConnection, topics: readonly MetadataResponseTopic[], f: DescribeFilters, out: (line: string) => void): Promise<void> {
  if (topics.length === 0) return;
  const configs = await topicConfigs(conn, topics.map((t) => t.name));
  const liveBrokers = new Set((await conn.brokers()).map((b) => b.id));
  const reassignments = await ongoingReassignments(conn, topics);
  const describeConfigs = !f.underReplicated && !f.unavailable && !f.underMinIsr && !f.atMinIsr;
  for (const t of topics) {
    const entries = configs.get(t.name) ?? [];
    const partitions = [...t.partitions].sort((a, b) => a.partitionIndex - b.partitionIndex);
    const minIsrValue = entries.find((c) => c.name === 'min.insync.replicas')?.value;
    const minIsr = minIsrValue === undefined || minIsrValue === null ? undefined : Number(minIsrValue);
    const first = partitions[0];
    if (describeConfigs && first !== undefined && (!f.topicsWithOverrides || entries.some((c) => !c.isDefault))) {
      out(topicLine(t, replicationFactor(first, reassignments.get(`${t.name}:${first.partitionIndex}`)), entries));
    }
    if (f.topicsWithOverrides) continue;
    for (const p of partitions) {
      const r = reassignments.get(`${t.name}:${p.partitionIndex}`);
      if (shouldPrintPartition(f, p, replicationFactor(p, r), minIsr, liveBrokers)) out(partitionLine(t.name, p, r));
    }
  }
}
