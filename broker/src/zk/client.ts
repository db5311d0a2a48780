/**
 * ZkClient: Samsa's only door to ZooKeeper (the one module importing the `zookeeper` C-client binding).
 * Like Kafka's ZooKeeperClient it waits for a connection before each request, sends requests lost with
 * the connection again, keeps watches armed, and replaces an expired session with a new one, telling
 * its owner through events so ephemeral znodes can be registered again.
 */
import { EventEmitter } from 'node:events';
import ZooKeeper from 'zookeeper';
import { createLogger, type Logger } from '../common/logger';
import type { CreateMode, ZkClientEvents, ZkClientOptions, ZkSessionCredentials } from './client-config';
import { isZkError, ZkError } from './errors';
import { toStat, type NativeStat, type ZkNode, type ZkStat } from './stat';
import { createRecursive, deleteRecursive, ensurePath } from './recursive-paths';
import { expireSession } from './session-expiry';
import { ZNodeWatch, type Observation, type RearmableWatch, type WatchListener, type WatchReads, type WatchTrigger, type ZkWatch } from './watch';

export type { CreateMode, ZkClientEvents, ZkClientOptions, ZkSessionCredentials } from './client-config';

const K = ZooKeeper.constants;

const CREATE_FLAGS: Record<CreateMode, number> = {
  persistent: K.ZOO_PERSISTENT,
  ephemeral: K.ZOO_EPHEMERAL,
  persistent_sequential: K.ZOO_PERSISTENT_SEQUENTIAL,
  ephemeral_sequential: K.ZOO_EPHEMERAL_SEQUENTIAL,
};

type ClientState = 'connecting' | 'connected' | 'disconnected' | 'expired' | 'closed';

type ResultCallback<R extends unknown[]> = (rc: number, error: string, ...result: R) => void;
type NativeWatcher = (type: number, state: number, path: string) => void;

/** The part of the binding used here, typed (its own declarations are mostly `any`). */
interface NativeHandle {
  init(config: Record<string, unknown>): unknown;
  close(): unknown;
  on(event: 'connect' | 'connecting', listener: () => void): unknown;
  on(event: 'close', listener: (self: unknown, code: number) => void): unknown;
  a_create(path: string, data: Buffer, flags: number, cb: ResultCallback<[string]>): unknown;
  a_exists(path: string, watch: boolean, cb: ResultCallback<[NativeStat | null]>): unknown;
  aw_exists(path: string, watcher: NativeWatcher, cb: ResultCallback<[NativeStat | null]>): unknown;
  a_get(path: string, watch: boolean, cb: ResultCallback<[NativeStat | null, Buffer | null]>): unknown;
  aw_get(path: string, watcher: NativeWatcher, cb: ResultCallback<[NativeStat | null, Buffer | null]>): unknown;
  a_get_children(path: string, watch: boolean, cb: ResultCallback<[string[] | null]>): unknown;
  aw_get_children2(path: string, watcher: NativeWatcher, cb: ResultCallback<[string[] | null, NativeStat | null]>): unknown;
  a_set(path: string, data: Buffer, version: number, cb: ResultCallback<[NativeStat | null]>): unknown;
  a_delete_(path: string, version: number, cb: ResultCallback<[]>): unknown;
  a_sync(path: string, cb: ResultCallback<[string]>): unknown;
  readonly client_id: string;
  readonly client_password: string;
  readonly state: number;
}

type Issue<T> = (zk: NativeHandle, settle: (rc: number, value?: T) => void) => unknown;

const EMPTY = Buffer.alloc(0);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends one request on one handle; a non-zero synchronous return means it was never sent. */
function request<T>(zk: NativeHandle, op: string, path: string, issue: Issue<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const ret = issue(zk, (rc, value) => (rc === 0 ? resolve(value as T) : reject(ZkError.fromResultCode(rc, op, path))));
    if (typeof ret === 'number' && ret !== 0) reject(ZkError.fromResultCode(ret, op, path));
  });
}

interface ConnectionWaiter {
  resolve(): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export class ZkClient extends EventEmitter<ZkClientEvents> {
  private handle: NativeHandle | null = null;
  /** The current handle was opened to replace an expired session. */
  private handleReplacesExpired = false;
  private state: ClientState = 'connecting';
  private sessionId_ = '0';
  private reopenTimer: NodeJS.Timeout | undefined;
  /** Whether the current handle has connected at least once. */
  private handleConnected = false;
  /** Delay before the next replacement handle (grows while replacements die unconnected). */
  private reopenDelayMs = 0;
  private readonly waiters = new Set<ConnectionWaiter>();
  private readonly watches = new Set<RearmableWatch>();
  private readonly logger: Logger;

  private constructor(private readonly options: ZkClientOptions) {
    super();
    this.logger = options.logger ?? createLogger('zk-client');
  }

  /** Opens a session; rejects with ZkError TIMEOUT when none is established within connectTimeoutMs. */
  static async connect(options: ZkClientOptions): Promise<ZkClient> {
    const slash = options.connectString.indexOf('/');
    if (options.createChroot === true && slash >= 0 && options.connectString.length > slash + 1) {
      const root = await ZkClient.connect({ ...options, connectString: options.connectString.slice(0, slash), createChroot: false });
      try {
        await root.ensurePath(options.connectString.slice(slash));
      } finally {
        await root.close();
      }
    }
    const client = new ZkClient(options);
    try {
      client.openHandle();
      await client.waitForConnection(Date.now() + options.connectTimeoutMs, 'connect', undefined);
    } catch (err) {
      await client.close();
      throw err;
    }
    return client;
  }

  /** The current session id in hex, as ZooKeeper's logs print it ('0' before the first session). */
  get sessionId(): string {
    return this.sessionId_;
  }

  get connected(): boolean {
    return this.state === 'connected';
  }

  /** Id and password of the live session (what a second handle needs to attach to it). */
  sessionCredentials(): ZkSessionCredentials {
    const zk = this.handle;
    if (zk === null || this.state !== 'connected') throw new ZkError('INVALIDSTATE', 0, 'sessionCredentials', undefined, 'not connected');
    return { sessionId: zk.client_id, password: zk.client_password };
  }

  async create(path: string, data: Buffer | null, options: { mode?: CreateMode } = {}): Promise<string> {
    const flags = CREATE_FLAGS[options.mode ?? 'persistent'];
    return this.execute<string>('create', path, (zk, settle) => zk.a_create(path, data ?? EMPTY, flags, (rc, _e, created) => settle(rc, created)));
  }

  /** create(), making missing parents first (persistent, empty). NODEEXISTS when `path` exists. */
  async createRecursive(path: string, data: Buffer | null, options: { mode?: CreateMode } = {}): Promise<string> {
    return createRecursive(this, path, data, options);
  }

  /** mkdir -p: makes `path` and its missing parents as persistent znodes without data. */
  async ensurePath(path: string): Promise<void> {
    await ensurePath(this, path);
  }

  async get(path: string): Promise<ZkNode> {
    return this.execute<ZkNode>('getData', path, (zk, settle) =>
      zk.a_get(path, false, (rc, _e, stat, data) => (rc === 0 ? settle(0, { data, stat: toStat(stat) }) : settle(rc))),
    );
  }

  /** get(), or null when the znode does not exist. */
  async getOrNull(path: string): Promise<ZkNode | null> {
    try {
      return await this.get(path);
    } catch (err) {
      if (isZkError(err, 'NONODE')) return null;
      throw err;
    }
  }

  async exists(path: string): Promise<ZkStat | null> {
    return this.execute<ZkStat | null>('exists', path, (zk, settle) =>
      zk.a_exists(path, false, (rc, _e, stat) => (rc === K.ZNONODE ? settle(0, null) : rc === 0 ? settle(0, toStat(stat)) : settle(rc))),
    );
  }

  /** Conditional on the znode's zkVersion unless expectedVersion is -1; a stale version fails with BADVERSION. */
  async set(path: string, data: Buffer | null, expectedVersion = -1): Promise<ZkStat> {
    return this.execute<ZkStat>('setData', path, (zk, settle) =>
      zk.a_set(path, data ?? EMPTY, expectedVersion, (rc, _e, stat) => (rc === 0 ? settle(0, toStat(stat)) : settle(rc))),
    );
  }

  async delete(path: string, expectedVersion = -1): Promise<void> {
    await this.execute<void>('delete', path, (zk, settle) => zk.a_delete_(path, expectedVersion, (rc) => settle(rc)));
  }

  /** Deletes `path` and everything below it; a missing znode is not an error. */
  async deleteRecursive(path: string): Promise<void> {
    await deleteRecursive(this, path);
  }

  /** Children names, in ZooKeeper's (unspecified) order. */
  async getChildren(path: string): Promise<string[]> {
    return this.execute<string[]>('getChildren', path, (zk, settle) => zk.a_get_children(path, false, (rc, _e, children) => settle(rc, children ?? [])));
  }

  /** Makes the server this client talks to catch up with the leader before the next read. */
  async sync(path: string): Promise<void> {
    await this.execute<void>('sync', path, (zk, settle) => zk.a_sync(path, (rc) => settle(rc)));
  }

  /** Watches a znode's data; the listener gets each new state (null while the znode is absent). */
  watchData(path: string, listener: WatchListener<ZkNode | null>): Promise<ZkWatch<ZkNode | null>> {
    return this.startWatch<ZkNode | null>(path, listener, {
      absent: null,
      readAndWatch: (trigger) =>
        this.execute<Observation<ZkNode> | null>('getData', path, (zk, settle) =>
          zk.aw_get(path, this.nativeWatcher(trigger), (rc, _e, stat, data) => {
            if (rc !== 0) return settle(rc === K.ZNONODE ? 0 : rc, null);
            const node = { data, stat: toStat(stat) };
            settle(0, { value: node, key: `${node.stat.czxid}:${node.stat.mzxid}` });
          }),
        ),
      existsAndWatch: (trigger) => this.existsAndWatch(path, trigger),
    });
  }

  /** Watches a znode's children; the listener gets each new list (null while the parent is absent). */
  watchChildren(path: string, listener: WatchListener<string[] | null>): Promise<ZkWatch<string[] | null>> {
    return this.startWatch<string[] | null>(path, listener, {
      absent: null,
      readAndWatch: (trigger) =>
        this.execute<Observation<string[]> | null>('getChildren', path, (zk, settle) =>
          zk.aw_get_children2(path, this.nativeWatcher(trigger), (rc, _e, children, stat) => {
            if (rc !== 0) return settle(rc === K.ZNONODE ? 0 : rc, null);
            const s = toStat(stat);
            settle(0, { value: children ?? [], key: `${s.czxid}:${s.cversion}` });
          }),
        ),
      existsAndWatch: (trigger) => this.existsAndWatch(path, trigger),
    });
  }

  /** Watches a znode's existence (and stat); the listener gets the new Stat, or null once deleted. */
  watchExists(path: string, listener: WatchListener<ZkStat | null>): Promise<ZkWatch<ZkStat | null>> {
    return this.startWatch<ZkStat | null>(path, listener, {
      absent: null,
      readAndWatch: (trigger) =>
        this.execute<Observation<ZkStat | null>>('exists', path, (zk, settle) =>
          zk.aw_exists(path, this.nativeWatcher(trigger), (rc, _e, stat) => {
            if (rc === K.ZNONODE) return settle(0, { value: null, key: 'absent' });
            if (rc !== 0) return settle(rc);
            const s = toStat(stat);
            settle(0, { value: s, key: `${s.czxid}:${s.mzxid}` });
          }),
        ),
      existsAndWatch: (trigger) => this.existsAndWatch(path, trigger),
    });
  }

  /** Ends the session (the server deletes its ephemerals) and stops watches, timers and waits. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.reopenTimer);
    for (const watch of [...this.watches]) watch.close();
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new ZkError('CLOSED', 0, 'request', undefined, 'client closed'));
    }
    this.waiters.clear();
    const zk = this.handle;
    this.handle = null;
    zk?.close();
    this.emit('closed');
    await Promise.resolve();
  }

  /**
   * Test hook: expires this client's session on the server (see session-expiry.ts); afterwards this
   * client sees 'expired', then 'new-session'.
   */
  expireSessionForTesting(timeoutMs = 30_000): void {
    // Resolved here: only this module may name the `zookeeper` package.
    expireSession(require.resolve('zookeeper'), this.options.connectString, this.sessionCredentials(), timeoutMs);
  }

  private startWatch<T>(path: string, listener: WatchListener<T>, reads: WatchReads<T>): Promise<ZkWatch<T>> {
    const watch = new ZNodeWatch<T>(path, reads, listener, this.logger, (w) => this.watches.delete(w));
    this.watches.add(watch);
    return watch.start().then(
      () => watch,
      (err: unknown) => {
        watch.close();
        throw err;
      },
    );
  }

  private existsAndWatch(path: string, trigger: WatchTrigger): Promise<boolean> {
    return this.execute<boolean>('exists', path, (zk, settle) =>
      zk.aw_exists(path, this.nativeWatcher(trigger), (rc) => (rc === K.ZNONODE ? settle(0, false) : settle(rc, rc === 0))),
    );
  }

  /** The C client also hands session events to every watch still pending; those stay registered. */
  private nativeWatcher(trigger: WatchTrigger): NativeWatcher {
    return (type) => {
      if (type === K.ZOO_SESSION_EVENT || type === K.ZOO_NOTWATCHING_EVENT) return;
      trigger();
    };
  }

  /**
   * Waits for a connected session, sends, and sends again when the connection was lost before the
   * answer came (as KafkaZkClient does). A resent write may find its own effect: callers of creates and
   * conditional sets treat NODEEXISTS / BADVERSION accordingly.
   */
  private async execute<T>(op: string, path: string, issue: Issue<T>): Promise<T> {
    const deadline = Date.now() + this.options.connectTimeoutMs;
    for (;;) {
      const zk = await this.connectedHandle(deadline, op, path);
      try {
        return await request(zk, op, path, issue);
      } catch (err) {
        if (!isZkError(err, 'CONNECTIONLOSS') || this.state === 'closed' || Date.now() >= deadline) throw err;
        await sleep(20);
      }
    }
  }

  private async connectedHandle(deadline: number, op: string, path: string): Promise<NativeHandle> {
    for (;;) {
      const zk = this.handle;
      if (zk !== null && this.state === 'connected' && zk.state === K.ZOO_CONNECTED_STATE) return zk;
      await this.waitForConnection(deadline, op, path);
    }
  }

  /** Resolves at the next (re)connection; rejects when closed or at the deadline (ZkError TIMEOUT). */
  private waitForConnection(deadline: number, op: string, path: string | undefined): Promise<void> {
    if (this.state === 'closed') return Promise.reject(new ZkError('CLOSED', 0, op, path, 'client closed'));
    return new Promise<void>((resolve, reject) => {
      const waiter: ConnectionWaiter = {
        resolve,
        reject,
        timer: setTimeout(
          () => {
            this.waiters.delete(waiter);
            const detail = `no connected session with ${this.options.connectString} within ${this.options.connectTimeoutMs} ms (state ${this.state})`;
            reject(new ZkError('TIMEOUT', 0, op, path, detail));
          },
          Math.max(0, deadline - Date.now()),
        ),
      };
      this.waiters.add(waiter);
    });
  }

  private openHandle(): void {
    const zk = new ZooKeeper({
      connect: this.options.connectString,
      timeout: this.options.sessionTimeoutMs,
      debug_level: 0, // the C client's own logging goes to stderr; state changes are logged here instead
    }) as unknown as NativeHandle;
    zk.on('connect', () => this.onConnect(zk));
    zk.on('connecting', () => this.onConnecting(zk));
    zk.on('close', (_self, code) => this.onHandleClosed(zk, code));
    zk.init({});
    this.handle = zk;
    this.handleConnected = false;
  }

  private onConnect(zk: NativeHandle): void {
    if (zk !== this.handle || this.state === 'closed') return;
    this.handleConnected = true;
    this.reopenDelayMs = 0;
    const newSession = this.handleReplacesExpired && this.state === 'expired';
    this.state = 'connected';
    this.sessionId_ = zk.client_id;
    if (newSession) {
      this.handleReplacesExpired = false;
      this.logger.info({ sessionId: this.sessionId_ }, 'new ZooKeeper session established');
      // Re-read watched znodes first, so writes the 'new-session' handlers make come after the reads.
      for (const watch of this.watches) watch.rearm();
    } else {
      this.logger.info({ sessionId: this.sessionId_ }, 'connected to ZooKeeper');
      for (const watch of this.watches) if (watch.needsRearm) watch.rearm();
    }
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.resolve();
    }
    this.waiters.clear();
    if (newSession) this.emit('new-session', this.sessionId_);
    else this.emit('connected', this.sessionId_);
  }

  private onConnecting(zk: NativeHandle): void {
    if (zk !== this.handle || this.state !== 'connected') return;
    this.state = 'disconnected';
    this.logger.warn({ sessionId: this.sessionId_ }, 'disconnected from ZooKeeper; reconnecting');
    this.emit('disconnected');
  }

  /**
   * The binding closes a handle by itself when the session expired (or authentication failed, or the
   * server stopped answering): open a new session, as Kafka's ZooKeeperClient does on expiry.
   */
  private onHandleClosed(zk: NativeHandle, code: number): void {
    if (zk !== this.handle || this.state === 'closed') return;
    const expired = this.sessionId_;
    this.handle = null;
    this.state = 'expired';
    // A replacement handle that dies before ever connecting (seen right after a ZooKeeper server restart)
    // must not be replaced in a tight loop: back off 100 ms, doubling up to 5 s, until one connects.
    const connectedBefore = this.handleConnected;
    this.reopenDelayMs = connectedBefore ? 0 : Math.min(5_000, Math.max(100, this.reopenDelayMs * 2));
    if (connectedBefore || this.reopenDelayMs >= 5_000) this.logger.warn({ sessionId: expired, code, retryInMs: this.reopenDelayMs }, 'ZooKeeper session expired; opening a new one');
    if (connectedBefore) this.emit('expired', expired);
    // Not from inside the dying handle's callback: the binding is still unwinding it.
    this.scheduleReopen(this.reopenDelayMs);
  }

  private scheduleReopen(delayMs: number): void {
    clearTimeout(this.reopenTimer);
    this.reopenTimer = setTimeout(() => {
      if (this.state === 'closed') return;
      try {
        this.handleReplacesExpired = true;
        this.openHandle();
      } catch (err) {
        this.logger.error({ err }, 'could not open a ZooKeeper session; retrying in 1 s');
        this.scheduleReopen(1_000);
      }
    }, delayMs);
  }
}
