/**
 * The one place an exception becomes a Kafka wire error code (Kafka's Errors.forException).
 *
 * Errors that carry a code are KafkaProtocolError (or a subclass: `instanceof` walks the prototype
 * chain, as Errors.forException walks the exception's class hierarchy). Anything else — a bug, a
 * TypeError, an I/O error that no layer translated — is UNKNOWN_SERVER_ERROR, exactly as Kafka maps
 * an unexpected Throwable. The `cause` chain is deliberately not searched: Kafka does not unwrap
 * causes either, so a layer that wants a specific code must throw (or rethrow) a KafkaProtocolError.
 */
import { ErrorCode, KafkaProtocolError } from '../protocol';

/** The wire code for `err`: its own code for a KafkaProtocolError, UNKNOWN_SERVER_ERROR (-1) otherwise. */
export function toErrorCode(err: unknown): number {
  if (err instanceof KafkaProtocolError) return err.code;
  return ErrorCode.UNKNOWN_SERVER_ERROR;
}
