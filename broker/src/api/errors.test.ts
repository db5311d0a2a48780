import { ErrorCode, KafkaProtocolError, ProtocolDecodeError } from '../protocol';
import { toErrorCode } from './errors';

class NotCoordinatorError extends KafkaProtocolError {
  constructor() {
    super('NOT_COORDINATOR');
  }
}

describe('toErrorCode', () => {
  it('returns the code a KafkaProtocolError carries', () => {
    expect(toErrorCode(new KafkaProtocolError('UNKNOWN_TOPIC_OR_PARTITION'))).toBe(3);
    expect(toErrorCode(new KafkaProtocolError('INVALID_REQUEST', 'custom message'))).toBe(42);
  });

  it('walks the prototype chain to a KafkaProtocolError subclass', () => {
    expect(toErrorCode(new NotCoordinatorError())).toBe(ErrorCode.NOT_COORDINATOR);
  });

  it('maps any other error to UNKNOWN_SERVER_ERROR', () => {
    expect(toErrorCode(new Error('boom'))).toBe(-1);
    expect(toErrorCode(new TypeError('x is undefined'))).toBe(-1);
    expect(toErrorCode(new ProtocolDecodeError('truncated', 3))).toBe(-1);
  });

  it('maps non-errors to UNKNOWN_SERVER_ERROR', () => {
    expect(toErrorCode('boom')).toBe(-1);
    expect(toErrorCode(undefined)).toBe(-1);
    expect(toErrorCode({ code: 3 })).toBe(-1);
  });

  it('does not unwrap causes, as Errors.forException does not', () => {
    expect(toErrorCode(new Error('wrapped', { cause: new KafkaProtocolError('NOT_CONTROLLER') }))).toBe(-1);
  });
});
