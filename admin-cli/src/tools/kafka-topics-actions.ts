/**
 * What kafka-topics does against the cluster, loaded only after the arguments passed their checks (the
 * protocol layer takes most of a tool's start-up time).
 */
import { ApiKey, ErrorCode, ZERO_UUID, errorForCode } from '../../../broker/src/protocol';
import type { MetadataResponseTopic } from '../../../broker/src/protocol/generated/metadata-response';
import { AdminConnection } from './common/admin-connection';
import { ToolError } from './common/tool-error';
import { describeFilters, type TopicsArgs } from './kafka-topics';
import { describeTopics } from './kafka-topics-describe';

const COLLISION_WARNING = "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.";

/** `1:2,2:3` → [[1,2],[2,3]] (partition i gets the i-th broker list), as Kafka's parseReplicaAssignment. */
export function parseReplicaAssignment(text: string): number[][] {
  return text.split(',').map((group, i) => {
    const ids = group.split(':').map((s) => Number(s.trim()));
    if (ids.some((id) => !Number.isInteger(id) || id < 0)) throw new ToolError(`Invalid replica assignment for partition ${i}: "${group}"`);
    if (new Set(ids).size !== ids.length) throw new ToolError(`Partition replica lists may not contain duplicate entries: ${ids.join(',')}`);
    return ids;
  });
}

export function parseConfigs(entries: readonly string[] | undefined): Array<{ name: string; value: string }> {
  return (entries ?? []).map((e) => {
    const eq = e.indexOf('=');
    if (eq <= 0) throw new ToolError(`Invalid topic config: all configs to be added must be in the format "key=val". Found: ${e}`);
    return { name: e.slice(0, eq), value: e.slice(eq + 1) };
  });
}

/** Kafka's IncludeList: the whole name must match the Java-style regular expression. */
export function topicFilter(regex: string | undefined): (name: string) => boolean {
  if (regex === undefined) return () => true;
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${regex})$`);
  } catch {
    throw new ToolError(`Invalid topic regular expression: ${regex}`);
  }
  return (name) => re.test(name);
}

function apiError(code: number, message: string | null): ToolError {
  return new ToolError(message ?? errorForCode(code).message);
}

async function matchingTopics(conn: AdminConnection, a: TopicsArgs): Promise<MetadataResponseTopic[]> {
  const md = await conn.metadata(null, true);
  const match = topicFilter(a.topic);
  const topics = md.topics.filter((t) => t.errorCode === ErrorCode.NONE && match(t.name) && !(a.excludeInternal && t.isInternal));
  if (a.topic !== undefined && topics.length === 0 && !a.ifExists && !a.list) throw new ToolError(`Topic '${a.topic}' does not exist as expected`);
  return topics.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
}

async function createTopic(conn: AdminConnection, a: TopicsArgs, out: (line: string) => void): Promise<void> {
  const name = a.topic ?? '';
  if (/[._]/.test(name)) out(COLLISION_WARNING);
  const assignment = a.replicaAssignment !== undefined ? parseReplicaAssignment(a.replicaAssignment) : null;
  const res = await conn.sendToController(ApiKey.CreateTopics, {
    topics: [
      {
        name,
        numPartitions: assignment === null ? (a.partitions ?? -1) : -1,
        replicationFactor: assignment === null ? (a.replicationFactor ?? -1) : -1,
        assignments: (assignment ?? []).map((brokerIds, partitionIndex) => ({ partitionIndex, brokerIds })),
        configs: parseConfigs(a.config),
      },
    ],
    timeoutMs: a.timeout,
    validateOnly: false,
  });
  const r = res.topics[0];
  if (r === undefined) throw new ToolError('The controller answered CreateTopics without the topic');
  if (r.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS && a.ifNotExists) return;
  if (r.errorCode !== ErrorCode.NONE) throw apiError(r.errorCode, r.errorMessage);
  out(`Created topic ${name}.`);
}

async function alterTopic(conn: AdminConnection, a: TopicsArgs): Promise<void> {
  const topics = await matchingTopics(conn, a);
  const internal = topics.find((t) => t.isInternal);
  if (internal !== undefined) throw new ToolError(`The number of partitions for the internal topics${topics.length > 1 ? '' : ` ${internal.name}`} cannot be changed.`);
  if (topics.length === 0) return;
  const assignment = a.replicaAssignment !== undefined ? parseReplicaAssignment(a.replicaAssignment) : null;
  const res = await conn.sendToController(ApiKey.CreatePartitions, {
    topics: topics.map((t) => ({
      name: t.name,
      count: a.partitions ?? t.partitions.length,
      // --replica-assignment lists every partition; only the new ones are sent (Kafka's alterTopic).
      assignments: assignment === null ? null : assignment.slice(t.partitions.length).map((brokerIds) => ({ brokerIds })),
    })),
    timeoutMs: a.timeout,
    validateOnly: false,
  });
  const failed = res.results.find((r) => r.errorCode !== ErrorCode.NONE);
  if (failed !== undefined) throw apiError(failed.errorCode, failed.errorMessage);
}

async function deleteTopics(conn: AdminConnection, a: TopicsArgs): Promise<void> {
  const topics = await matchingTopics(conn, a);
  const internal = topics.find((t) => t.isInternal);
  if (internal !== undefined) throw new ToolError(`Topic ${internal.name} is a kafka internal topic and is not allowed to be marked for deletion.`);
  if (topics.length === 0) return;
  const names = topics.map((t) => t.name);
  const res = await conn.sendToController(ApiKey.DeleteTopics, { topics: names.map((name) => ({ name, topicId: ZERO_UUID })), topicNames: names, timeoutMs: a.timeout });
  const failed = res.responses.find((r) => r.errorCode !== ErrorCode.NONE);
  if (failed !== undefined) throw apiError(failed.errorCode, failed.errorMessage);
}

export async function runTopicsCommand(parsed: TopicsArgs, out: (line: string) => void): Promise<void> {
  const conn = await AdminConnection.connect({ bootstrapServers: parsed.bootstrapServer ?? '', clientId: 'kafka-topics', timeoutMs: parsed.timeout });
  try {
    if (parsed.create) await createTopic(conn, parsed, out);
    else if (parsed.list) for (const t of await matchingTopics(conn, parsed)) out(t.name);
    else if (parsed.describe) {
      const filters = describeFilters(parsed);
      await describeTopics(conn, await matchingTopics(conn, parsed), filters, out);
    } else if (parsed.alter) await alterTopic(conn, parsed);
    else await deleteTopics(conn, parsed);
  } finally {
    await conn.close();
  }
}
