/** The Stat and node types ZkClient hands out, and their conversion from what the binding delivers. */

/**
 * A znode's Stat. zxids are bigint because they are 64-bit (epoch << 32 | counter) and czxid is Kafka's
 * broker epoch. The binding delivers them as JS numbers, so they are exact below 2^53 (epochs < 2^21).
 * ephemeralOwner is the owning session id in hex ('0' for a persistent znode), comparable to sessionId.
 */
export interface ZkStat {
  readonly czxid: bigint;
  readonly mzxid: bigint;
  readonly pzxid: bigint;
  readonly ctime: number;
  readonly mtime: number;
  readonly version: number;
  readonly cversion: number;
  readonly aversion: number;
  readonly ephemeralOwner: string;
  readonly dataLength: number;
  readonly numChildren: number;
}

/** A znode's data and stat. The binding cannot write null data: null is written as zero bytes. */
export interface ZkNode {
  readonly data: Buffer | null;
  readonly stat: ZkStat;
}

/** A Stat as the binding delivers it (ctime/mtime arrive as Date objects). */
export interface NativeStat {
  czxid: number;
  mzxid: number;
  pzxid: number;
  ctime: Date | number;
  mtime: Date | number;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: string;
  dataLength: number;
  numChildren: number;
}

/** Number() rather than instanceof: under jest the binding's Date comes from another realm. */
function millis(t: Date | number): number {
  return Number(t);
}

function zxid(n: number): bigint {
  return BigInt(Math.trunc(n));
}

export function toStat(s: NativeStat | null): ZkStat {
  if (s === null) throw new Error('ZooKeeper returned no Stat');
  return {
    czxid: zxid(s.czxid),
    mzxid: zxid(s.mzxid),
    pzxid: zxid(s.pzxid),
    ctime: millis(s.ctime),
    mtime: millis(s.mtime),
    version: s.version,
    cversion: s.cversion,
    aversion: s.aversion,
    ephemeralOwner: s.ephemeralOwner,
    dataLength: s.dataLength,
    numChildren: s.numChildren,
  };
}
