/**
 * /latest_producer_id_block, /feature, /delegation_token/..., /consumers/... (ZkData.scala:
 * ProducerIdBlockZNode, FeatureZNode, DelegationToken*ZNode, ConsumerOffset).
 */
import { JsonReader, ZnodeDataError, decodeText, encodeJson, encodeText, isEmpty, parseLongText, type Json } from './json';
import { desanitize, sanitize } from './sanitizer';

export interface ProducerIdBlock {
  brokerId: number;
  /** inclusive */
  blockStart: bigint;
  /** inclusive */
  blockEnd: bigint;
}

/** Producer ids are handed out 1000 at a time; the first block is 0..999. */
export const PRODUCER_ID_BLOCK_SIZE = 1000;

/** /latest_producer_id_block: `{"version":1,"broker":0,"block_start":"1000","block_end":"1999"}` (bounds as STRINGS). */
export const ProducerIdBlockZNode = {
  path: '/latest_producer_id_block',
  encode(block: ProducerIdBlock): Buffer {
    return encodeJson({
      version: 1,
      broker: block.brokerId,
      block_start: block.blockStart.toString(),
      block_end: block.blockEnd.toString(),
    });
  },
  /** Null/empty data means "no block allocated yet" (Kafka checks for that before parsing): returns null. */
  decode(bytes: Buffer | null): ProducerIdBlock | null {
    if (isEmpty(bytes)) return null;
    const r = JsonReader.parse(ProducerIdBlockZNode.path, bytes);
    const block = {
      brokerId: r.get('broker').int(),
      blockStart: r.get('block_start').longString(),
      blockEnd: r.get('block_end').longString(),
    };
    if (block.blockEnd < block.blockStart) r.fail('block_end < block_start');
    return block;
  },
} as const;

/** Finalized feature ranges: `{"<name>":{"min_version_level":1,"max_version_level":3}}`. */
export type FinalizedFeatures = Record<string, { minVersionLevel: number; maxVersionLevel: number }>;

export interface FeatureZNodeData {
  /** 1 = Enabled (IBP >= 2.7-IV0), 0 = Disabled */
  status: 0 | 1;
  features: FinalizedFeatures;
}

/** /feature: `{"features":{},"version":1,"status":1}`. */
export const FeatureZNode = {
  path: '/feature',
  StatusDisabled: 0,
  StatusEnabled: 1,
  encode(data: FeatureZNodeData): Buffer {
    const features: Record<string, Json> = {};
    for (const [name, r] of Object.entries(data.features)) {
      features[name] = { min_version_level: r.minVersionLevel, max_version_level: r.maxVersionLevel };
    }
    return encodeJson({ version: 1, status: data.status, features });
  },
  /** As Kafka: version >= 1, `features` (an object) and `status` (0|1) required; ranges must be valid. */
  decode(bytes: Buffer | null): FeatureZNodeData {
    const r = JsonReader.parse(FeatureZNode.path, bytes);
    const version = r.get('version').int();
    if (version < 1) r.fail(`unsupported version ${version}`);
    const fr = r.optNonNull('features');
    if (fr === undefined) return r.fail('features map can not be absent');
    const sr = r.optNonNull('status');
    if (sr === undefined) return r.fail('status can not be absent');
    const status = sr.int();
    if (status !== 0 && status !== 1) return sr.fail(`malformed status ${status}`);
    const features: FinalizedFeatures = {};
    for (const [name, range] of fr.entries()) {
      const min = range.get('min_version_level').int();
      const max = range.get('max_version_level').int();
      if (min < 1 || max < min || max > 32767) range.fail(`invalid version range [${min}, ${max}]`);
      features[name] = { minVersionLevel: min, maxVersionLevel: max };
    }
    return { status: status === 1 ? 1 : 0, features };
  },
} as const;

export const DelegationTokenAuthZNode = { path: '/delegation_token' } as const;
export const DelegationTokensZNode = { path: '/delegation_token/tokens' } as const;
export const DelegationTokenChangeNotificationZNode = { path: '/delegation_token/token_changes' } as const;

export interface DelegationTokenInfo {
  tokenId: string;
  /** principal string, e.g. `User:alice` (stored sanitized) */
  owner: string;
  renewers: string[];
  issueTimestamp: number;
  maxTimestamp: number;
  expiryTimestamp: number;
}

/** /delegation_token/tokens/<tokenId>: DelegationTokenManager's version 1 JSON (owner/renewers sanitized). */
export const DelegationTokenInfoZNode = {
  template: '/delegation_token/tokens/<tokenId>',
  path(tokenId: string): string {
    return `${DelegationTokensZNode.path}/${tokenId}`;
  },
  encode(token: DelegationTokenInfo): Buffer {
    return encodeJson({
      version: 1,
      owner: sanitize(token.owner),
      renewers: token.renewers.map(sanitize),
      issueTimestamp: token.issueTimestamp,
      maxTimestamp: token.maxTimestamp,
      expiryTimestamp: token.expiryTimestamp,
      tokenId: token.tokenId,
    });
  },
  /** Null data gives null (Kafka: None). */
  decode(bytes: Buffer | null, path: string = '/delegation_token/tokens/<tokenId>'): DelegationTokenInfo | null {
    if (isEmpty(bytes)) return null;
    const r = JsonReader.parse(path, bytes);
    const version = r.get('version').int();
    if (version !== 1) r.fail(`unsupported token version ${version}`);
    const unsan = (s: string): string => {
      try {
        return desanitize(s);
      } catch {
        return r.fail(`malformed sanitized principal ${JSON.stringify(s)}`);
      }
    };
    return {
      tokenId: r.get('tokenId').string(),
      owner: unsan(r.get('owner').string()),
      renewers: r.get('renewers').stringArray().map(unsan),
      issueTimestamp: r.get('issueTimestamp').long(),
      maxTimestamp: r.get('maxTimestamp').long(),
      expiryTimestamp: r.get('expiryTimestamp').long(),
    };
  },
} as const;

/** /delegation_token/token_changes/token_change_<seq>: plain text token id. */
export const DelegationTokenChangeNotificationSequenceZNode = {
  template: '/delegation_token/token_changes/token_change_<seq>',
  prefix: 'token_change_',
  createPath: '/delegation_token/token_changes/token_change_',
  deletePath(sequenceNode: string): string {
    return `${DelegationTokenChangeNotificationZNode.path}/${sequenceNode}`;
  },
  encode(tokenId: string): Buffer {
    return encodeText(tokenId);
  },
  decode(bytes: Buffer | null): string {
    return decodeText(DelegationTokenChangeNotificationSequenceZNode.template, bytes);
  },
} as const;

/** /consumers: the old (0.8) consumer root; always world-writable. */
export const ConsumerPathZNode = { path: '/consumers' } as const;

/** /consumers/<group>/offsets/<topic>/<partition>: plain-text offset (legacy consumers only). */
export const ConsumerOffsetZNode = {
  template: '/consumers/<group>/offsets/<topic>/<partition>',
  path(group: string, topic: string, partition: number): string {
    return `${ConsumerPathZNode.path}/${group}/offsets/${topic}/${partition}`;
  },
  encode(offset: bigint): Buffer {
    return encodeText(offset.toString());
  },
  /** Null data gives null (Kafka: None). */
  decode(bytes: Buffer | null, path: string = '/consumers/<group>/offsets/<topic>/<partition>'): bigint | null {
    if (bytes === null) return null;
    if (bytes.length === 0) throw new ZnodeDataError(path, 'empty offset');
    return parseLongText(path, bytes.toString('utf8'));
  },
} as const;
