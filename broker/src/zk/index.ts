/** ZooKeeper access for the broker, controller and admin code (see README.md beside this file). */
export { ZkClient } from './client';
export type { CreateMode, ZkClientEvents, ZkClientOptions, ZkSessionCredentials } from './client';
export { ZkError, isZkError } from './errors';
export type { ZkErrorCode } from './errors';
export type { ZkNode, ZkStat } from './stat';
export type { WatchListener, ZkWatch } from './watch';
