/**
 * Bounded parallelism for batches of independent async steps (a LeaderAndIsr request's partitions):
 * Kafka's single state-change thread is fast because its steps are mostly in memory; here each step may
 * touch files, so a few run at once, but not all at once (hundreds of opens and fsyncs in flight only
 * queue up behind each other).
 */
export async function forEachConcurrent<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
