/**
 * kafka-configs' cluster side: DescribeConfigs (with synonyms, filtered to the entity's own dynamic
 * configs unless --all), IncrementalAlterConfigs for topics and AlterConfigs (the whole new dynamic
 * config) for a broker or the broker default, as Kafka 2.8's ConfigCommand does. Loaded only once the
 * arguments are checked.
 */
import { ApiKey, ErrorCode, errorForCode } from '../../../broker/src/protocol';
import type { DescribeConfigsResourceResult } from '../../../broker/src/protocol/generated/describe-configs-response';
import type { AdminConnection } from './common/admin-connection';
import { ToolError } from './common/tool-error';
import type { ConfigCommand, EntityType } from './kafka-configs';
import { ConfigSource } from './kafka-configs-format';

/** ConfigResource.Type on the wire. */
const RESOURCE_TOPIC = 2;
const RESOURCE_BROKER = 4;
/** IncrementalAlterConfigs operations. */
const OP_SET = 0;
const OP_DELETE = 1;

/** The exception Kafka's admin client would raise: its class-like name and the broker's message (or the code's). */
function describeError(code: number, message: string | null): string {
  const e = errorForCode(code);
  return `${e.name}: ${message === null || message === '' ? e.message : message}`;
}

export class ConfigClient {
  constructor(
    private readonly conn: AdminConnection,
    private readonly failure: (message: string) => ToolError,
  ) {}

  /** The entity's configs with synonyms: only the dynamic ones of its own level unless `all`. */
  async describe(type: EntityType, name: string, all: boolean): Promise<DescribeConfigsResourceResult[]> {
    const request = { resources: [{ resourceType: type === 'topics' ? RESOURCE_TOPIC : RESOURCE_BROKER, resourceName: name, configurationKeys: null }], includeSynonyms: true, includeDocumentation: false };
    const res = type === 'brokers' && name !== '' ? await this.conn.sendToBroker(Number(name), ApiKey.DescribeConfigs, request) : await this.conn.send(ApiKey.DescribeConfigs, request);
    const result = res.results[0];
    if (result === undefined) throw this.failure('the broker sent no result');
    if (result.errorCode !== ErrorCode.NONE) throw this.failure(describeError(result.errorCode, result.errorMessage));
    const own = type === 'topics' ? ConfigSource.DYNAMIC_TOPIC_CONFIG : name === '' ? ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG : ConfigSource.DYNAMIC_BROKER_CONFIG;
    // Kafka's Config keeps entries in a HashMap (no order); sorting by name makes the output stable.
    return result.configs.filter((c) => all || c.configSource === own).sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  }

  async alter(cmd: ConfigCommand, name: string): Promise<void> {
    const old = new Map((await this.describe(cmd.entityType, name, false)).map((c) => [c.name, c]));
    const invalid = cmd.delete.filter((k) => !old.has(k));
    if (invalid.length > 0) throw new ToolError(`Invalid config(s): ${invalid.join(',')}`);
    if (cmd.entityType === 'topics') {
      const configs = [...cmd.add.map(([k, v]) => ({ name: k, configOperation: OP_SET, value: v })), ...cmd.delete.map((k) => ({ name: k, configOperation: OP_DELETE, value: '' }))];
      const res = await this.conn.send(ApiKey.IncrementalAlterConfigs, { resources: [{ resourceType: RESOURCE_TOPIC, resourceName: name, configs }], validateOnly: false });
      this.check(res.responses[0]);
      return;
    }
    // A broker's AlterConfigs replaces its whole dynamic config: the old entries, plus the added, less the deleted.
    const entries = new Map<string, string | null>([...old].map(([k, c]) => [k, c.value]));
    for (const [k, v] of cmd.add) entries.set(k, v);
    for (const k of cmd.delete) entries.delete(k);
    const sensitive = [...entries].filter(([, v]) => v === null).map(([k]) => k);
    if (sensitive.length > 0) throw new ToolError(`All sensitive broker config entries must be specified for --alter, missing entries: Set(${sensitive.join(', ')})`);
    const request = { resources: [{ resourceType: RESOURCE_BROKER, resourceName: name, configs: [...entries].map(([k, v]) => ({ name: k, value: v })) }], validateOnly: false };
    const res = name === '' ? await this.conn.send(ApiKey.AlterConfigs, request) : await this.conn.sendToBroker(Number(name), ApiKey.AlterConfigs, request);
    this.check(res.responses[0]);
  }

  private check(r: { errorCode: number; errorMessage: string | null } | undefined): void {
    if (r === undefined) throw this.failure('the broker sent no result');
    if (r.errorCode !== ErrorCode.NONE) throw this.failure(describeError(r.errorCode, r.errorMessage));
  }
}

