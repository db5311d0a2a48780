/**
 * kafka-log-dirs' output: LogDirsCommand's JSON document and the Kafka exception class names its
 * "error" field carries, plus the --broker-list parser.
 */
import { ErrorCode, errorForCode } from '../../../broker/src/protocol';
import type { DescribeLogDirsResponse } from '../../../broker/src/protocol/generated/describe-log-dirs-response';
import { ToolError } from './common/tool-error';

/** Kafka's exception class for an error code, as LogDirsCommand names it ("error" field). */
export function exceptionClassName(code: number): string {
  const special: Record<number, string> = {
    [ErrorCode.KAFKA_STORAGE_ERROR]: 'KafkaStorageException',
    [ErrorCode.UNKNOWN_SERVER_ERROR]: 'UnknownServerException',
  };
  const simple =
    special[code] ??
    `${errorForCode(code)
      .name.toLowerCase()
      .split('_')
      .map((w) => (w === '' ? '' : w[0]!.toUpperCase() + w.slice(1)))
      .join('')}Exception`;
  return `org.apache.kafka.common.errors.${simple}`;
}

/** The --broker-list value: comma-separated broker ids. */
export function parseBrokerList(text: string): number[] {
  const ids = text.split(',').filter((s) => s.trim() !== '');
  return [
    ...new Set(
      ids.map((s) => {
        const n = Number(s.trim());
        if (!Number.isInteger(n)) throw new ToolError(`For input string: "${s.trim()}"`);
        return n;
      }),
    ),
  ];
}

/** LogDirsCommand's JSON document for the brokers' answers, restricted to `topics` unless it is empty. */
export function formatLogDirsJson(byBroker: ReadonlyArray<[number, DescribeLogDirsResponse]>, topics: ReadonlySet<string>): string {
  return JSON.stringify({
    version: 1,
    brokers: byBroker.map(([broker, res]) => ({
      broker,
      logDirs: res.results.map((dir) => ({
        logDir: dir.logDir,
        error: dir.errorCode === ErrorCode.NONE ? null : exceptionClassName(dir.errorCode),
        partitions: dir.topics
          .filter((t) => topics.size === 0 || topics.has(t.name))
          .flatMap((t) =>
            t.partitions.map((p) => ({
              partition: `${t.name}-${p.partitionIndex}`,
              size: Number(p.partitionSize),
              offsetLag: Number(p.offsetLag),
              isFuture: p.isFutureKey,
            })),
          ),
      })),
    })),
  });
}
