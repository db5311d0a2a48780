/**
 * A typed shim over kafkajs 2.2.4's internal protocol modules (plain JS), used as an
 * independent encoder/decoder in tests. Only the shapes the tests touch are declared.
 */
import { createRequire } from 'node:module';

const load = createRequire(__filename);

export interface KafkajsEncoder {
  buffer: Buffer;
  size(): number;
}

interface KafkajsLong {
  toString(): string;
}

interface KafkajsLongStatic {
  fromValue(v: number | string | bigint): KafkajsLong;
}

export type KafkajsHeaders = Record<string, Buffer | string | null | (Buffer | string | null)[]>;

export interface KafkajsRecordInput {
  offsetDelta: number;
  timestampDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers?: KafkajsHeaders;
}

export interface KafkajsRecordBatchInput {
  compression: number;
  firstOffset?: KafkajsLong;
  firstTimestamp: number;
  maxTimestamp: number;
  partitionLeaderEpoch?: number;
  lastOffsetDelta: number;
  transactional?: boolean;
  producerId?: KafkajsLong;
  producerEpoch?: number;
  firstSequence?: number;
  records: KafkajsEncoder[];
}

export interface KafkajsDecodedRecord {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | Buffer[] | null>;
  isControlRecord: boolean;
}

export interface KafkajsDecodedBatch {
  firstOffset: string;
  firstTimestamp: string;
  maxTimestamp: string;
  partitionLeaderEpoch: number;
  inTransaction: boolean;
  isControlBatch: boolean;
  lastOffsetDelta: number;
  producerId: string;
  producerEpoch: number;
  firstSequence: number;
  timestampType: number;
  records: KafkajsDecodedRecord[];
}

export interface KafkajsMessage {
  offset: string;
  timestamp?: string;
  key: Buffer | null;
  value: Buffer | null;
  magicByte: number;
  attributes: number;
}

export interface KafkajsCodec {
  compress(encoder: KafkajsEncoder): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

const Long = load('kafkajs/src/utils/long') as KafkajsLongStatic;
const Decoder = load('kafkajs/src/protocol/decoder') as new (buffer: Buffer) => unknown;
const recordV0 = load('kafkajs/src/protocol/recordBatch/record/v0') as (input: KafkajsRecordInput) => KafkajsEncoder;
const batchV0 = load('kafkajs/src/protocol/recordBatch/v0') as {
  RecordBatch(input: KafkajsRecordBatchInput): Promise<KafkajsEncoder>;
};
const batchDecoderV0 = load('kafkajs/src/protocol/recordBatch/v0/decoder') as (decoder: unknown) => Promise<KafkajsDecodedBatch>;
const messageSet = load('kafkajs/src/protocol/messageSet') as (input: {
  messageVersion: number;
  compression?: number;
  entries: { key?: Buffer | null; value: Buffer | null; timestamp?: number; compression?: number }[];
}) => KafkajsEncoder;
const messageSetDecoder = load('kafkajs/src/protocol/messageSet/decoder') as (
  decoder: unknown,
  size: number,
) => Promise<KafkajsMessage[]>;
const compression = load('kafkajs/src/protocol/message/compression') as {
  Codecs: Record<number, () => KafkajsCodec>;
  lookupCodec(type: number): KafkajsCodec | null;
};

export const kafkajs = {
  long: (v: number | string | bigint): KafkajsLong => Long.fromValue(typeof v === 'bigint' ? v.toString() : v),
  record: recordV0,
  recordBatch: async (input: KafkajsRecordBatchInput): Promise<Buffer> => (await batchV0.RecordBatch(input)).buffer,
  decodeRecordBatch: (buf: Buffer): Promise<KafkajsDecodedBatch> => batchDecoderV0(new Decoder(buf)),
  messageSet: (...args: Parameters<typeof messageSet>): Buffer => messageSet(...args).buffer,
  decodeMessageSet: (buf: Buffer): Promise<KafkajsMessage[]> => messageSetDecoder(new Decoder(buf), buf.length),
  lookupCodec: compression.lookupCodec,
  /** Registers a codec for snappy/lz4/zstd, as `CompressionCodecs[type] = () => codec` in kafkajs. */
  registerCodec(type: number, codec: KafkajsCodec): void {
    compression.Codecs[type] = () => codec;
  },
};
