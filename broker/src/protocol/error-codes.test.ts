import { ALL_ERRORS, ErrorCode, KafkaProtocolError, errorForCode, isRetriable } from './error-codes';

describe("Kafka's error-code table", () => {
  it('has one entry per code and per name, -1 through 103 with no gaps', () => {
    const codes = ALL_ERRORS.map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(new Set(ALL_ERRORS.map((e) => e.name)).size).toBe(codes.length);
    expect(codes).toEqual(Array.from({ length: 105 }, (_, i) => i - 1));
  });

  it('uses the 2.8 names clients print', () => {
    expect(errorForCode(6).name).toBe('NOT_LEADER_OR_FOLLOWER');
    expect(errorForCode(35).name).toBe('UNSUPPORTED_VERSION');
    expect(errorForCode(79).name).toBe('MEMBER_ID_REQUIRED');
    expect(ErrorCode.STALE_CONTROLLER_EPOCH).toBe(11);
  });

  it('marks retriable errors as Kafka does (RetriableException / InvalidMetadataException)', () => {
    expect(isRetriable(ErrorCode.NOT_LEADER_OR_FOLLOWER)).toBe(true);
    expect(isRetriable(ErrorCode.NOT_ENOUGH_REPLICAS)).toBe(true);
    expect(isRetriable(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS)).toBe(true);
    expect(isRetriable(ErrorCode.REBALANCE_IN_PROGRESS)).toBe(false);
    expect(isRetriable(ErrorCode.TOPIC_ALREADY_EXISTS)).toBe(false);
  });

  it('maps an unknown code to UNKNOWN_SERVER_ERROR, as Errors.forCode does', () => {
    expect(errorForCode(9999).name).toBe('UNKNOWN_SERVER_ERROR');
  });

  it('carries the wire code on KafkaProtocolError', () => {
    const err = new KafkaProtocolError('NOT_CONTROLLER');
    expect(err.code).toBe(41);
    expect(err.retriable).toBe(true);
    expect(err.message).toMatch(/controller/);
  });
});
