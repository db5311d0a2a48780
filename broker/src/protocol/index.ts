/**
 * The Kafka 2.8 wire protocol, sans-io: primitives, headers and frames, the generated message codecs
 * and the error-code table. Record formats live in ./records.
 */
export { ByteReader, ByteWriter, ProtocolEncodeError, SHARED_RECORDS_MIN_BYTES, ZERO_UUID, EMPTY_BUFFER, isEqualValue } from './primitives';
export { ProtocolDecodeError } from './decode-error';
export * from './error-codes';
export * from './headers';
export { FrameReader, FrameTooLargeError, InvalidFrameSizeError } from './frame-reader';
export { DirectFrameReader } from './direct-frame-reader';
export { API_CODECS, ALL_API_KEYS, ApiKey, apiCodec } from './generated';
export type { ApiCodec, ApiCodecs, ApiMessages, ApiKeyValue } from './generated';
export type { FieldInfo, StructFieldTable } from './field-table';
