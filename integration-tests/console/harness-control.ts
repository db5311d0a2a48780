/**
 * A ClusterControl over the integration harness's KafkaCluster, for running the console against a
 * harness cluster when the launcher is not used (the browser test's fallback).
 */
import type { KafkaCluster } from '../helpers/kafka-cluster';
import { ClusterControlError, type ClusterControl, type ClusterStatus, type ProcessState } from '../../admin-cli/src/console/cluster-control';

export function harnessControl(cluster: KafkaCluster): ClusterControl {
  const paused = new Set<number>();
  const known = (id: number): void => {
    if (!cluster.brokerIds.includes(id)) throw new ClusterControlError(`no broker ${id} in this cluster`, 404);
  };
  const signal = (id: number, sig: 'SIGSTOP' | 'SIGCONT'): void => {
    known(id);
    const pid = cluster.pid(id);
    if (pid === null) throw new ClusterControlError(`broker ${id} is not running`, 409);
    process.kill(pid, sig);
    if (sig === 'SIGSTOP') paused.add(id);
    else paused.delete(id);
  };
  return {
    status: async (): Promise<ClusterStatus> => ({
      dataDir: cluster.baseDir,
      bootstrapServers: cluster.bootstrapServers,
      zookeeperConnect: cluster.ensemble.connectString,
      brokers: cluster.brokerIds.map((id) => {
        const state: ProcessState = !cluster.isRunning(id) ? 'stopped' : paused.has(id) ? 'paused' : 'running';
        return { id, state, pid: cluster.pid(id), host: '127.0.0.1', port: cluster.brokerPort(id), logFile: cluster.logFile(id) };
      }),
      zookeepers: await Promise.all(
        cluster.ensemble.servers.map(async (s) => ({
          id: s.id,
          state: (s.pid === null ? 'stopped' : 'running') as ProcessState,
          pid: s.pid,
          clientPort: s.clientPort,
          mode: s.pid === null ? ('down' as const) : await cluster.ensemble.mode(s.id).catch(() => 'down' as const),
          logFile: '',
        })),
      ),
    }),
    stopBroker: async (id, { graceful }) => {
      known(id);
      if (!cluster.isRunning(id)) throw new ClusterControlError(`broker ${id} is not running`, 409);
      paused.delete(id);
      await cluster.killBroker(id, graceful ? 'SIGTERM' : 'SIGKILL');
    },
    startBroker: async (id) => {
      known(id);
      if (cluster.isRunning(id)) throw new ClusterControlError(`broker ${id} is already running`, 409);
      await cluster.startBroker(id);
    },
    pauseBroker: async (id) => signal(id, 'SIGSTOP'),
    resumeBroker: async (id) => signal(id, 'SIGCONT'),
    stopZooKeeper: (id) => cluster.ensemble.stopServer(id),
    startZooKeeper: (id) => cluster.ensemble.startServer(id),
  };
}
