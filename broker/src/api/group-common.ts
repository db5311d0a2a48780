/**
 * What the group APIs share: the GroupCoordinator surface they call, Kafka's client host rendering
 * (InetAddress.toString: "/10.0.0.7"), and the group id rule (KafkaApis/GroupCoordinator.isValidGroupId:
 * offset and describe/delete APIs accept an empty id, membership APIs do not).
 */
import { ErrorCode, type ErrorCodeName } from '../protocol';
import type { RequestContext } from './registry';

export type { GroupCoordinator } from '../coordinator/group';

export function errorCodeOf(name: ErrorCodeName): number {
  return ErrorCode[name];
}

/** "/<ip>" for the connection's peer, as Kafka writes client_host (IPv4-mapped IPv6 shown as IPv4). */
export function clientHostOf(ctx: RequestContext): string {
  const address = ctx.clientAddress;
  const colon = address.lastIndexOf(':');
  let host = colon > 0 ? address.slice(0, colon) : address;
  if (host.startsWith('::ffff:') && host.includes('.')) host = host.slice('::ffff:'.length);
  return `/${host}`;
}

/** AclOperation codes Kafka's AclEntry.supportedOperations lists for groups: READ, DELETE, DESCRIBE. */
export const GROUP_AUTHORIZED_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8);
