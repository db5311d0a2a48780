/**
 * The shapes ZkClient is configured and observed through (Kafka's ZooKeeperClient constructor
 * arguments and its StateChangeHandler events): the options, the session credentials, the create
 * modes and the event map. They are apart from client.ts so that file stays about the session and
 * the binding; client.ts re-exports them.
 */
import type { Logger } from '../common/logger';

export type CreateMode = 'persistent' | 'ephemeral' | 'persistent_sequential' | 'ephemeral_sequential';

export interface ZkClientOptions {
  /** "host:port,host:port[/chroot]". */
  connectString: string;
  sessionTimeoutMs: number;
  /** Longest wait for a connected session, both in connect() and before each request. */
  connectTimeoutMs: number;
  /** Create the chroot path first when it is missing (Kafka 2.8 does). */
  createChroot?: boolean;
  logger?: Logger;
}

export interface ZkSessionCredentials {
  readonly sessionId: string;
  readonly password: string;
}

export type ZkClientEvents = {
  /** Connected, or reconnected within the same session (watches and ephemerals intact). */
  connected: [sessionId: string];
  /** Connection lost; the session may live on and the client is reconnecting. */
  disconnected: [];
  /** The session expired: its ephemerals and watches are gone; a new session is being opened. */
  expired: [sessionId: string];
  /**
   * A new session replaced an expired one: re-register ephemerals now. Watches are being re-armed;
   * their reads go out before anything a listener of this event sends.
   */
  'new-session': [sessionId: string];
  closed: [];
};
