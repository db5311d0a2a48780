import { ErrorCode, KafkaProtocolError } from '../protocol';
import { AdminOperationException, apiErrorFromThrowable } from './errors';

describe('ApiError.fromThrowable', () => {
  test('keeps a specific message, drops the generic one and everything of UNKNOWN_SERVER_ERROR', () => {
    expect(apiErrorFromThrowable(new KafkaProtocolError('TOPIC_ALREADY_EXISTS', "Topic 't' already exists."))).toEqual({
      errorCode: ErrorCode.TOPIC_ALREADY_EXISTS,
      errorMessage: "Topic 't' already exists.",
    });
    expect(apiErrorFromThrowable(new KafkaProtocolError('REQUEST_TIMED_OUT'))).toEqual({ errorCode: ErrorCode.REQUEST_TIMED_OUT, errorMessage: null });
    expect(apiErrorFromThrowable(new AdminOperationException('secret detail'))).toEqual({ errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: null });
  });
});
