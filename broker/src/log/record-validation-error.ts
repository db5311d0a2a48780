/**
 * Kafka's RecordValidationException: a batch some of whose records failed validation (a compacted
 * topic's record without a key, a CreateTime timestamp out of range). Every failing record is
 * listed by its index in the batch, so that Produce v8+ can answer them as record_errors, and the
 * partition's error is INVALID_TIMESTAMP when any timestamp failed, else INVALID_RECORD.
 */
import { KafkaProtocolError } from '../protocol';

export interface RecordError {
  /** The record's index in its batch. */
  batchIndex: number;
  message: string | null;
}

export class RecordValidationError extends KafkaProtocolError {
  constructor(
    readonly recordErrors: readonly RecordError[],
    anyInvalidTimestamp: boolean,
  ) {
    super(
      anyInvalidTimestamp ? 'INVALID_TIMESTAMP' : 'INVALID_RECORD',
      anyInvalidTimestamp ? 'One or more records have been rejected due to invalid timestamp' : 'One or more records have been rejected',
    );
  }
}

/** Collects one batch's record errors (the first per record, as Kafka's validateRecord) and throws them together. */
export class RecordErrorCollector {
  private readonly errors: RecordError[] = [];
  private anyTimestamp = false;

  add(batchIndex: number, message: string, isTimestamp: boolean): void {
    this.errors.push({ batchIndex, message });
    if (isTimestamp) this.anyTimestamp = true;
  }

  throwIfAny(): void {
    if (this.errors.length > 0) throw new RecordValidationError(this.errors, this.anyTimestamp);
  }
}
