/**
 * Kafka 2.8's incremental fetch sessions (KIP-227; kafka.server.FetchSession / FetchManager).
 *
 * A full fetch (session epoch 0) may create a session holding its partitions and what the last
 * response said about each; the client then sends incremental fetches (the session id, the next
 * epoch, only changed partitions, and forgotten ones) and gets back only partitions with news: data,
 * a moved high watermark or log start offset, an error, or a diverging epoch. Epoch -1 (or any fetch
 * before v7) is sessionless. An unknown id is FETCH_SESSION_ID_NOT_FOUND, a wrong epoch
 * INVALID_FETCH_SESSION_EPOCH. A session whose partitions were all forgotten closes.
 *
 * The cache holds max.incremental.fetch.session.cache.slots sessions; when full, a session unused
 * for 2 minutes is evicted, or else the least valuable evictable one (non-privileged before
 * followers', smaller before larger) if the newcomer is worth more, as FetchSessionCache does.
 */
import type { Time } from '../common/time';
import type { TopicPartition } from '../log/log-names';
import { ErrorCode } from '../protocol';
import { type FetchPartitionRequest, tpKey } from './types';

export const INVALID_SESSION_ID = 0;
export const INITIAL_EPOCH = 0;
export const FINAL_EPOCH = -1;

/** JFetchMetadata.nextEpoch. */
export function nextEpoch(prev: number): number {
  if (prev < 0) return FINAL_EPOCH;
  if (prev === 2147483647) return 1;
  return prev + 1;
}

/** What the response said about a partition, as far as sessions care. */
export interface SessionResponseData {
  errorCode: number;
  highWatermark: number;
  logStartOffset: number;
  recordsSize: number;
  hasDivergingEpoch: boolean;
}

interface CachedPartition {
  request: FetchPartitionRequest;
  highWatermark: number;
  localLogStartOffset: number;
}

/** Kafka's CachedPartition.maybeUpdateResponseData: whether the partition must be in the response. */
function maybeUpdateResponseData(cached: CachedPartition, resp: SessionResponseData, update: boolean): boolean {
  let mustRespond = resp.recordsSize > 0;
  if (cached.highWatermark !== resp.highWatermark) {
    mustRespond = true;
    if (update) cached.highWatermark = resp.highWatermark;
  }
  if (cached.localLogStartOffset !== resp.logStartOffset) {
    mustRespond = true;
    if (update) cached.localLogStartOffset = resp.logStartOffset;
  }
  if (resp.errorCode !== ErrorCode.NONE) {
    // Forgetting the high watermark makes the partition come back once the error is gone.
    if (update) cached.highWatermark = -1;
    mustRespond = true;
  }
  if (resp.hasDivergingEpoch) mustRespond = true;
  return mustRespond;
}

export class FetchSession {
  /** Partitions by `<topic>-<p>`, in response rotation order. */
  readonly partitions = new Map<string, CachedPartition>();
  lastUsedMs: number;
  /** Partition count when last touched by the cache (-1: not in the cache). */
  cachedSize = -1;

  constructor(
    readonly id: number,
    readonly privileged: boolean,
    readonly creationMs: number,
    public epoch: number,
  ) {
    this.lastUsedMs = creationMs;
  }
}

/** How one Fetch request is served (Kafka's FetchContext kinds). */
export type FetchContext =
  | { kind: 'error'; errorCode: number }
  | { kind: 'sessionless'; partitions: FetchPartitionRequest[] }
  | { kind: 'full'; partitions: FetchPartitionRequest[]; isFromFollower: boolean }
  | { kind: 'incremental'; session: FetchSession; requestEpoch: number };

export interface FetchSessionCacheOptions {
  /** max.incremental.fetch.session.cache.slots (1000). */
  maxEntries: number;
  /** Sessions unused this long may be evicted (Kafka: 120000). */
  evictionMs?: number;
  time: Time;
}

export class FetchSessionCache {
  private readonly sessions = new Map<number, FetchSession>();
  private readonly maxEntries: number;
  private readonly evictionMs: number;
  private readonly time: Time;

  constructor(o: FetchSessionCacheOptions) {
    this.maxEntries = o.maxEntries;
    this.evictionMs = o.evictionMs ?? 120_000;
    this.time = o.time;
  }

  get size(): number {
    return this.sessions.size;
  }

  get(id: number): FetchSession | undefined {
    return this.sessions.get(id);
  }

  remove(id: number): FetchSession | undefined {
    const s = this.sessions.get(id);
    this.sessions.delete(id);
    if (s) s.cachedSize = -1;
    return s;
  }

  /** Kafka's FetchManager.newContext. */
  newContext(sessionId: number, epoch: number, partitions: FetchPartitionRequest[], toForget: readonly TopicPartition[], isFromFollower: boolean): FetchContext {
    if (epoch === INITIAL_EPOCH || epoch === FINAL_EPOCH) {
      // Any session named by a full fetch is closed.
      if (sessionId !== INVALID_SESSION_ID) this.remove(sessionId);
      return epoch === FINAL_EPOCH ? { kind: 'sessionless', partitions } : { kind: 'full', partitions, isFromFollower };
    }
    const session = this.sessions.get(sessionId);
    if (session === undefined) return { kind: 'error', errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND };
    if (session.epoch !== epoch) return { kind: 'error', errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH };
    for (const p of partitions) {
      const key = tpKey(p.topicPartition);
      const cached = session.partitions.get(key);
      if (cached === undefined) session.partitions.set(key, { request: p, highWatermark: -1, localLogStartOffset: -1 });
      else cached.request = p;
    }
    for (const tp of toForget) session.partitions.delete(tpKey(tp));
    if (session.partitions.size === 0) {
      this.remove(session.id);
      return { kind: 'sessionless', partitions };
    }
    this.touch(session, this.time.milliseconds());
    session.epoch = nextEpoch(session.epoch);
    return { kind: 'incremental', session, requestEpoch: epoch };
  }

  /** The partitions to read for a context (an incremental fetch reads every partition of its session). */
  static partitionsOf(ctx: FetchContext): FetchPartitionRequest[] {
    switch (ctx.kind) {
      case 'error':
        return [];
      case 'incremental':
        return [...ctx.session.partitions.values()].map((c) => c.request);
      default:
        return ctx.partitions;
    }
  }

  /**
   * Kafka's updateAndGenerateResponseData: the session id and top-level error to answer with, and
   * which of `responses` (in order) go into the response.
   */
  generateResponse<T>(ctx: FetchContext, responses: readonly { tp: TopicPartition; data: SessionResponseData; value: T }[]): { errorCode: number; sessionId: number; selected: T[] } {
    switch (ctx.kind) {
      case 'error':
        return { errorCode: ctx.errorCode, sessionId: INVALID_SESSION_ID, selected: [] };
      case 'sessionless':
        return { errorCode: ErrorCode.NONE, sessionId: INVALID_SESSION_ID, selected: responses.map((r) => r.value) };
      case 'full': {
        const byKey = new Map(ctx.partitions.map((p) => [tpKey(p.topicPartition), p]));
        const sessionId = this.maybeCreateSession(this.time.milliseconds(), ctx.isFromFollower, responses.length, (session) => {
          for (const r of responses) {
            const key = tpKey(r.tp);
            const request = byKey.get(key);
            if (request !== undefined) session.partitions.set(key, { request, highWatermark: r.data.highWatermark, localLogStartOffset: r.data.logStartOffset });
          }
        });
        return { errorCode: ErrorCode.NONE, sessionId, selected: responses.map((r) => r.value) };
      }
      case 'incremental': {
        const { session } = ctx;
        if (session.epoch !== nextEpoch(ctx.requestEpoch)) return { errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH, sessionId: session.id, selected: [] };
        const selected: T[] = [];
        for (const r of responses) {
          const key = tpKey(r.tp);
          const cached = session.partitions.get(key);
          if (cached === undefined) continue;
          if (maybeUpdateResponseData(cached, r.data, true)) {
            selected.push(r.value);
            // Partitions just answered move to the back, so a size-limited response rotates through them.
            session.partitions.delete(key);
            session.partitions.set(key, cached);
          }
        }
        return { errorCode: ErrorCode.NONE, sessionId: session.id, selected };
      }
    }
  }

  private maybeCreateSession(now: number, privileged: boolean, size: number, fill: (s: FetchSession) => void): number {
    if (this.sessions.size >= this.maxEntries && !this.tryEvict(privileged, size, now)) return INVALID_SESSION_ID;
    const session = new FetchSession(this.newSessionId(), privileged, now, nextEpoch(INITIAL_EPOCH));
    fill(session);
    this.touch(session, now);
    this.sessions.set(session.id, session);
    return session.id;
  }

  private newSessionId(): number {
    for (;;) {
      const id = 1 + Math.floor(Math.random() * 2147483646);
      if (!this.sessions.has(id)) return id;
    }
  }

  private touch(session: FetchSession, now: number): void {
    session.lastUsedMs = now;
    session.cachedSize = session.partitions.size;
  }

  /** Kafka's tryEvict: a stale session first, else the least valuable evictable one if worth less. */
  private tryEvict(privileged: boolean, size: number, now: number): boolean {
    let oldest: FetchSession | undefined;
    for (const s of this.sessions.values()) if (oldest === undefined || s.lastUsedMs < oldest.lastUsedMs) oldest = s;
    if (oldest === undefined) return false;
    if (now - oldest.lastUsedMs > this.evictionMs) {
      this.remove(oldest.id);
      return true;
    }
    // Evictable: sessions older than evictionMs, and for a privileged newcomer also non-privileged ones.
    const evictable = [...this.sessions.values()].filter((s) => now - s.creationMs > this.evictionMs || (privileged && !s.privileged));
    const key = (s: { privileged: boolean; size: number; id: number }): [number, number, number] => [s.privileged ? 1 : 0, s.size, s.id];
    const compare = (a: [number, number, number], b: [number, number, number]): number => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
    evictable.sort((a, b) => compare(key({ ...a, size: a.cachedSize }), key({ ...b, size: b.cachedSize })));
    const victim = evictable[0];
    if (victim === undefined) return false;
    if (compare(key({ privileged, size, id: 0 }), key({ privileged: victim.privileged, size: victim.cachedSize, id: victim.id })) < 0) return false;
    this.remove(victim.id);
    return true;
  }
}
