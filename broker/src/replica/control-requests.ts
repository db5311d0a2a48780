/** Shared rules of the controller's requests (LeaderAndIsr, UpdateMetadata, StopReplica). */

/**
 * Kafka's KafkaApis.isBrokerEpochStale: -1 (a pre-KIP-380 controller) is never stale; a newer epoch
 * than this broker knows is accepted (the controller can learn it first); an older one is stale.
 */
export function isBrokerEpochStale(brokerEpochInRequest: bigint, currentBrokerEpoch: bigint): boolean {
  if (brokerEpochInRequest === -1n) return false;
  return brokerEpochInRequest < currentBrokerEpoch;
}
