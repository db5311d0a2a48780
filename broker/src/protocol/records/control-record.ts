/**
 * Control records (transaction markers). Key: `int16 version | int16 type` (0 ABORT, 1 COMMIT);
 * ABORT/COMMIT value: `int16 version | int32 coordinatorEpoch` (Kafka's EndTransactionMarker).
 * A marker is a control + transactional batch holding exactly that one record.
 */
import { ProtocolDecodeError } from '../decode-error';
import { ControlRecordType, type Int64, NO_SEQUENCE } from './constants';
import { encodeRecordBatchSync } from './record-batch-builder';

const CONTROL_KEY_VERSION = 0;
const END_TXN_MARKER_VALUE_VERSION = 0;

export interface ControlRecord {
  version: number;
  /** 0 ABORT, 1 COMMIT; other values are passed through for the caller to reject. */
  type: number;
  /** Present for ABORT and COMMIT. */
  coordinatorEpoch?: number;
}

export function encodeControlRecordKey(type: ControlRecordType): Buffer {
  const key = Buffer.allocUnsafe(4);
  key.writeInt16BE(CONTROL_KEY_VERSION, 0);
  key.writeInt16BE(type, 2);
  return key;
}

export function encodeEndTransactionMarkerValue(coordinatorEpoch: number): Buffer {
  const value = Buffer.allocUnsafe(6);
  value.writeInt16BE(END_TXN_MARKER_VALUE_VERSION, 0);
  value.writeInt32BE(coordinatorEpoch, 2);
  return value;
}

/** Parses a control record's key and value as Kafka's ControlRecordType/EndTransactionMarker do. */
export function parseControlRecord(key: Buffer | null, value: Buffer | null): ControlRecord {
  if (key === null || key.length < 4) {
    throw new ProtocolDecodeError(`control record key must have at least 4 bytes, found ${key?.length ?? 'null'}`);
  }
  const version = key.readInt16BE(0);
  const type = key.readInt16BE(2);
  if (type !== ControlRecordType.Abort && type !== ControlRecordType.Commit) return { version, type };
  if (value === null || value.length < 6) {
    throw new ProtocolDecodeError(`end transaction marker value must have at least 6 bytes, found ${value?.length ?? 'null'}`);
  }
  return { version, type, coordinatorEpoch: value.readInt32BE(2) };
}

export interface EndTransactionMarkerInput {
  type: ControlRecordType;
  coordinatorEpoch: number;
  producerId: Int64;
  producerEpoch: number;
  baseOffset?: Int64;
  partitionLeaderEpoch?: number;
  /** The marker's timestamp (the coordinator's time). */
  timestamp: Int64;
}

/** Kafka's MemoryRecords.withEndTransactionMarker: one uncompressed control batch. */
export function encodeEndTransactionMarker(input: EndTransactionMarkerInput): Buffer {
  return encodeRecordBatchSync({
    records: [
      {
        key: encodeControlRecordKey(input.type),
        value: encodeEndTransactionMarkerValue(input.coordinatorEpoch),
        timestamp: input.timestamp,
      },
    ],
    baseOffset: input.baseOffset ?? 0,
    partitionLeaderEpoch: input.partitionLeaderEpoch,
    producerId: input.producerId,
    producerEpoch: input.producerEpoch,
    baseSequence: NO_SEQUENCE,
    isTransactional: true,
    isControl: true,
  });
}
