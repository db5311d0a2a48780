import type { ClusterStatus } from '../console/cluster-control';
import { demoRoute, describeResult, formatStatus } from './status-format';

const status: ClusterStatus = {
  dataDir: '/repo/.samsa',
  bootstrapServers: '127.0.0.1:9092,127.0.0.1:9093',
  zookeeperConnect: '127.0.0.1:2181,127.0.0.1:2182,127.0.0.1:2183',
  brokers: [
    { id: 1, state: 'running', pid: 101, host: '127.0.0.1', port: 9092, logFile: '/l1' },
    { id: 2, state: 'stopped', pid: null, host: '127.0.0.1', port: 9093, logFile: '/l2' },
  ],
  zookeepers: [
    { id: 1, state: 'running', pid: 201, clientPort: 2181, mode: 'follower', logFile: '/z1' },
    { id: 2, state: 'running', pid: 202, clientPort: 2182, mode: 'leader', logFile: '/z2' },
    { id: 3, state: 'stopped', pid: null, clientPort: 2183, mode: 'down', logFile: '/z3' },
  ],
};

describe('samsa-cluster status and the demo commands', () => {
  test('status is a table of ZooKeeper servers and brokers that marks the controller', () => {
    expect(formatStatus(status, { brokerId: 1, epoch: 4 })).toEqual([
      'ZooKeeper ensemble (zookeeper.connect=127.0.0.1:2181,127.0.0.1:2182,127.0.0.1:2183)',
      '  SERVER  STATE    MODE      PORT  PID',
      '  1       running  follower  2181  201',
      '  2       running  leader    2182  202',
      '  3       stopped  down      2183  -',
      'Brokers (bootstrap.servers=127.0.0.1:9092,127.0.0.1:9093)',
      '  BROKER  STATE    PID  ADDRESS',
      '  1       running  101  127.0.0.1:9092  controller',
      '  2       stopped  -    127.0.0.1:9093',
      'controller: broker 1 (epoch 4)',
      'data: /repo/.samsa',
    ]);
  });

  test('status says when no controller is elected or ZooKeeper does not answer', () => {
    expect(formatStatus(status, null)).toContain('controller: none elected');
    expect(formatStatus(status, undefined)).toContain('controller: unknown (ZooKeeper did not answer)');
  });

  test('each demo command calls its control route', () => {
    expect(demoRoute({ command: 'stop-broker', id: 2, graceful: false })).toEqual({ method: 'POST', path: 'api/brokers/2/stop' });
    expect(demoRoute({ command: 'stop-broker', id: 2, graceful: true })).toEqual({ method: 'POST', path: 'api/brokers/2/stop?graceful=1' });
    expect(demoRoute({ command: 'resume-broker', id: 3 })).toEqual({ method: 'POST', path: 'api/brokers/3/resume' });
    expect(demoRoute({ command: 'start-zookeeper', id: 1 })).toEqual({ method: 'POST', path: 'api/zookeepers/1/start' });
  });

  test('each demo command answers with one line', () => {
    expect(describeResult({ command: 'stop-broker', id: 2, graceful: false }, status)).toBe('broker 2 stopped (kill -9)');
    expect(describeResult({ command: 'stop-broker', id: 2, graceful: true }, status)).toBe('broker 2 stopped (SIGTERM: controlled shutdown)');
    expect(describeResult({ command: 'start-broker', id: 1 }, status)).toBe('broker 1 started: pid 101, 127.0.0.1:9092, registered in ZooKeeper');
    expect(describeResult({ command: 'start-zookeeper', id: 2 }, status)).toBe('ZooKeeper server 2 started (leader)');
  });
});
