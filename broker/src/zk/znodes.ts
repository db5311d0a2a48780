/**
 * The catalogue of every znode Kafka 2.8's ZooKeeper mode uses (ZkData.scala): typed path builders and
 * byte-compatible `encode` / `decode` for each znode's data. Decoders take the raw znode data
 * (`Buffer | null`, as `ZkClient` returns it) and throw `ZnodeDataError` (naming the path) on malformed
 * data; where Kafka tolerates missing/null data they return an empty value instead. Split by area under
 * `znodes/`.
 */
export { ZnodeDataError, isZnodeDataError } from './znodes/json';
export { sanitize, desanitize } from './znodes/sanitizer';
export * from './znodes/cluster';
export * from './znodes/topics';
export * from './znodes/admin';
export * from './znodes/config';
export * from './znodes/acl';
export * from './znodes/misc';
export * from './znodes/paths';
