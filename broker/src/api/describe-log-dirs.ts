/**
 * DescribeLogDirs (key 35), versions 0-2. Source: KafkaApis.handleDescribeLogDirsRequest,
 * ReplicaManager.describeLogDirs. Null topics means every partition; each configured log dir is
 * listed (absolute path) with its topics, each with the requested partitions it holds: size in bytes,
 * offset lag = max(high watermark - log end, 0) (-1 when the partition is not hosted), never future.
 */
import { ApiKey } from '../protocol';
import type { DescribeLogDirsResponse } from '../protocol/generated/describe-log-dirs-response';
import type { ReplicaManager } from '../replica/replica-manager';
import type { ApiHandler } from './registry';

type DescribeLogDirsKey = typeof ApiKey.DescribeLogDirs;

export interface DescribeLogDirsHandlerDeps {
  replicaManager: ReplicaManager;
}

export function describeLogDirsHandler(deps: DescribeLogDirsHandlerDeps): ApiHandler<DescribeLogDirsKey> {
  return {
    apiKey: ApiKey.DescribeLogDirs,
    minVersion: 0,
    maxVersion: 2,
    handle(_ctx, req): DescribeLogDirsResponse {
      const wanted = req.topics === null ? null : new Set(req.topics.flatMap((t) => t.partitionIndex.map((p) => `${t.topic}-${p}`)));
      const results = deps.replicaManager.describeLogDirs(wanted).map((d) => ({
        errorCode: d.errorCode,
        logDir: d.logDir,
        topics: d.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, partitionSize: BigInt(p.partitionSize), offsetLag: BigInt(p.offsetLag), isFutureKey: false })),
        })),
      }));
      return { throttleTimeMs: 0, results };
    },
    errorResponse() {
      // Kafka's DescribeLogDirsRequest.getErrorResponse carries no results (the error has no field).
      return { throttleTimeMs: 0, results: [] };
    },
  };
}
