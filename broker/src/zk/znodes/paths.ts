/** Path lists from ZkData: what the broker creates at startup, which roots are secured, which are sensitive. */
import { AdminZNode, DeleteTopicsZNode, IsrChangeNotificationZNode, LogDirEventNotificationZNode } from './admin';
import {
  ExtendedAclChangeStore,
  ExtendedAclStore,
  ExtendedAclZNode,
  LiteralAclChangeStore,
  LiteralAclStore,
} from './acl';
import { BrokerIdsZNode, BrokerSequenceIdZNode, BrokersZNode, ClusterZNode, ControllerEpochZNode, ControllerZNode } from './cluster';
import { ALL_CONFIG_TYPES, ConfigEntityChangeNotificationZNode, ConfigEntityTypeZNode, ConfigZNode } from './config';
import { ConsumerPathZNode, DelegationTokenAuthZNode, DelegationTokensZNode, ProducerIdBlockZNode } from './misc';
import { TopicsZNode } from './topics';

/**
 * `ZkData.PersistentZkPaths`: persistent paths (null data) every broker creates at startup if absent
 * (`KafkaZkClient.createTopLevelPaths`), in Kafka's order.
 */
export const PERSISTENT_ZK_PATHS: readonly string[] = [
  ConsumerPathZNode.path,
  BrokerIdsZNode.path,
  TopicsZNode.path,
  ConfigEntityChangeNotificationZNode.path,
  DeleteTopicsZNode.path,
  BrokerSequenceIdZNode.path,
  IsrChangeNotificationZNode.path,
  ProducerIdBlockZNode.path,
  LogDirEventNotificationZNode.path,
  ...ALL_CONFIG_TYPES.map((t) => ConfigEntityTypeZNode.path(t)),
];

/** Paths the ACL authorizer creates at startup (one store + change store per pattern type). */
export const ACL_ZK_PATHS: readonly string[] = [
  LiteralAclStore.path,
  LiteralAclChangeStore.path,
  ExtendedAclStore.path,
  ExtendedAclChangeStore.path,
];

/** `ZkData.SecureRootPaths`: roots that get CREATOR_ALL ACLs when `zookeeper.set.acl=true`. */
export const SECURE_ROOT_PATHS: readonly string[] = [
  AdminZNode.path,
  BrokersZNode.path,
  ClusterZNode.path,
  ConfigZNode.path,
  ControllerZNode.path,
  ControllerEpochZNode.path,
  IsrChangeNotificationZNode.path,
  ProducerIdBlockZNode.path,
  LogDirEventNotificationZNode.path,
  DelegationTokenAuthZNode.path,
  ExtendedAclZNode.path,
  ...ACL_ZK_PATHS,
];

/** `ZkData.SensitiveRootPaths`: no world-READ ACL under these even when other nodes get one. */
export const SENSITIVE_ROOT_PATHS: readonly string[] = [
  ConfigEntityTypeZNode.path('users'),
  ConfigEntityTypeZNode.path('brokers'),
  DelegationTokensZNode.path,
];

export function isSensitivePath(path: string): boolean {
  return SENSITIVE_ROOT_PATHS.some((p) => path.startsWith(p));
}
