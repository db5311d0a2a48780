/**
 * The errors admin operations raise, and Kafka's ApiError.fromThrowable: an exception becomes the
 * (code, message) pair a CreateTopics / AlterConfigs / ... result carries.
 */
import { ErrorCode, KafkaProtocolError, errorForCode, type ErrorCodeName } from '../protocol';

/**
 * Kafka's kafka.admin.AdminOperationException: not an ApiException, so clients see
 * UNKNOWN_SERVER_ERROR without a message (e.g. "Not all brokers have rack information").
 */
export class AdminOperationException extends Error {
  override readonly name = 'AdminOperationException';
}

/** Kafka's org.apache.kafka.common.config.ConfigException (not an ApiException). */
export class ConfigException extends Error {
  override readonly name = 'ConfigException';
}

/** Shorthand for an ApiException of the given kind with Kafka's message. */
export function apiException(name: ErrorCodeName, message?: string): KafkaProtocolError {
  return new KafkaProtocolError(name, message);
}

/** A per-resource outcome: Kafka's ApiError. */
export interface ApiError {
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

export const API_ERROR_NONE: ApiError = { errorCode: ErrorCode.NONE, errorMessage: null };

export function apiError(code: number, message: string | null = null): ApiError {
  return { errorCode: code, errorMessage: message };
}

/**
 * Kafka's ApiError.fromThrowable: the code from the exception's class; the message only when it says
 * more than the code's generic text, and never for UNKNOWN_SERVER_ERROR (not to leak internals).
 */
export function apiErrorFromThrowable(err: unknown): ApiError {
  if (err instanceof KafkaProtocolError) {
    const generic = errorForCode(err.code).message;
    return { errorCode: err.code, errorMessage: err.message === generic ? null : err.message };
  }
  return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: null };
}
