/**
 * The process's pool for large segment reads (file-io's readBytes and the segment read window): a
 * fetch reads up to ~1 MiB of a segment into a buffer it hands out, as Kafka's FileRecords slice
 * that the socket then sends. Whoever ends a read's life (the socket server once the response is
 * written) gives it back with READ_BUFFERS.release; see common/buffer-pool.
 */
import { BufferPool } from '../common/buffer-pool';

export const READ_BUFFERS = new BufferPool();
