/**
 * ZooKeeper result codes as one typed error, so callers switch on `err.code` ('NONODE', 'BADVERSION',
 * ...) the way Kafka matches on KeeperException.Code. Codes are the C client's (zookeeper.h, 3.8).
 */

const RESULT_CODES = {
  [-1]: 'SYSTEMERROR',
  [-2]: 'RUNTIMEINCONSISTENCY',
  [-3]: 'DATAINCONSISTENCY',
  [-4]: 'CONNECTIONLOSS',
  [-5]: 'MARSHALLINGERROR',
  [-6]: 'UNIMPLEMENTED',
  [-7]: 'OPERATIONTIMEOUT',
  [-8]: 'BADARGUMENTS',
  [-9]: 'INVALIDSTATE',
  [-13]: 'NEWCONFIGNOQUORUM',
  [-14]: 'RECONFIGINPROGRESS',
  [-15]: 'SSLCONNECTIONERROR',
  [-100]: 'APIERROR',
  [-101]: 'NONODE',
  [-102]: 'NOAUTH',
  [-103]: 'BADVERSION',
  [-108]: 'NOCHILDRENFOREPHEMERALS',
  [-110]: 'NODEEXISTS',
  [-111]: 'NOTEMPTY',
  [-112]: 'SESSIONEXPIRED',
  [-113]: 'INVALIDCALLBACK',
  [-114]: 'INVALIDACL',
  [-115]: 'AUTHFAILED',
  [-116]: 'CLOSING',
  [-117]: 'NOTHING',
  [-118]: 'SESSIONMOVED',
  [-119]: 'NOTREADONLY',
  [-120]: 'EPHEMERALONLOCALSESSION',
  [-121]: 'NOWATCHER',
  [-123]: 'RECONFIGDISABLED',
  [-124]: 'SESSIONCLOSEDREQUIRESASLAUTH',
  [-127]: 'THROTTLEDOP',
} as const satisfies Record<number, string>;

/**
 * A ZooKeeper result code name, or one of Samsa's own client-side conditions:
 * TIMEOUT (no connected session within the connect timeout), CLOSED (the client was closed),
 * UNKNOWN (a result code this table lacks; see `rc`).
 */
export type ZkErrorCode = (typeof RESULT_CODES)[keyof typeof RESULT_CODES] | 'TIMEOUT' | 'CLOSED' | 'UNKNOWN';

export function codeOf(rc: number): ZkErrorCode {
  return (RESULT_CODES as Record<number, ZkErrorCode | undefined>)[rc] ?? 'UNKNOWN';
}

export class ZkError extends Error {
  override readonly name = 'ZkError';

  constructor(
    readonly code: ZkErrorCode,
    /** The numeric result code (0 for Samsa's own codes). */
    readonly rc: number,
    /** The operation that failed, e.g. 'setData'. */
    readonly op: string,
    readonly path: string | undefined,
    detail?: string,
  ) {
    super(`ZooKeeper ${op}${path === undefined ? '' : ` ${path}`} failed: ${code}${detail === undefined ? '' : ` (${detail})`}`);
  }

  static fromResultCode(rc: number, op: string, path: string | undefined): ZkError {
    return new ZkError(codeOf(rc), rc, op, path);
  }
}

/** True when `err` is a ZkError, with the given code when one is passed. */
export function isZkError(err: unknown, code?: ZkErrorCode): err is ZkError {
  return err instanceof ZkError && (code === undefined || err.code === code);
}
