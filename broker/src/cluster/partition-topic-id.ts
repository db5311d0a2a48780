/**
 * Kafka 2.8's topic-id check against the log (Partition.checkOrSetTopicId with the log's
 * partition.metadata): the first topic id a log learns is written next to it; a log that recorded
 * another id belongs to a deleted topic of the same name and must not be served as this one.
 */
import { PartitionMetadataFile } from '../log/checkpoints/partition-metadata-file';
import { KafkaProtocolError, ZERO_UUID } from '../protocol';

/**
 * Returns the log's topic id after reconciling it with `topicId` (ZERO_UUID = not known yet): the
 * recorded one, or `topicId` once written. Throws INCONSISTENT_TOPIC_ID when they differ.
 */
export async function reconcileLogTopicId(logDir: string, topicPartition: string, topicId: string): Promise<string> {
  const file = PartitionMetadataFile.forDir(logDir);
  const recorded = await file.read();
  if (recorded === null) {
    if (topicId !== ZERO_UUID) await file.write(topicId);
    return topicId;
  }
  if (topicId !== ZERO_UUID && recorded !== topicId) {
    throw new KafkaProtocolError(
      'INCONSISTENT_TOPIC_ID',
      `Topic Id in the log of ${topicPartition}: ${recorded} does not match the topic Id provided in the request: ${topicId}.`,
    );
  }
  return recorded;
}
