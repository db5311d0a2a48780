/**
 * The console server against a real one-server ZooKeeper and no brokers: znodes written the way a
 * broker and the controller write them reach the Server-Sent Events stream as state and timeline
 * entries within a second; the control routes call the ClusterControl; bad input answers 400.
 */
import http from 'node:http';
import { ZooKeeperEnsemble } from '../../admin-cli/src/cluster/zookeeper-ensemble';
import type { ClusterControl, ClusterStatus } from '../../admin-cli/src/console/cluster-control';
import type { ClusterState, TimelineEvent } from '../../admin-cli/src/console/cluster-model';
import { startConsoleServer, type ConsoleServer } from '../../admin-cli/src/console/console-server';
import { ZkClient } from '../../broker/src/zk';
import { BrokerIdZNode, BrokerIdsZNode, ControllerEpochZNode, ControllerZNode, TopicPartitionStateZNode, TopicZNode } from '../../broker/src/zk/znodes';

jest.setTimeout(60_000);

interface SseMessage {
  event: string;
  data: unknown;
  at: number;
}

/** Reads a Server-Sent Events stream into a list of messages. */
function openEvents(url: string): { messages: SseMessage[]; ended: Promise<void>; close(): void } {
  const messages: SseMessage[] = [];
  let req: http.ClientRequest | null = null;
  const ended = new Promise<void>((resolve) => {
    req = http.get(new URL('events', url), (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event !== undefined && data !== undefined) messages.push({ event, data: JSON.parse(data) as unknown, at: Date.now() });
        }
      });
      res.on('end', () => resolve());
      res.on('close', () => resolve());
    });
    req.on('error', () => resolve());
  });
  return { messages, ended, close: () => req?.destroy() };
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const timelineTexts = (messages: SseMessage[]): string[] => messages.filter((m) => m.event === 'timeline').flatMap((m) => (m.data as TimelineEvent[]).map((e) => e.text));
const lastState = (messages: SseMessage[]): ClusterState | undefined => {
  const m = [...messages].reverse().find((x) => x.event === 'state' || x.event === 'snapshot');
  if (m === undefined) return undefined;
  return m.event === 'snapshot' ? (m.data as { state: ClusterState }).state : (m.data as ClusterState);
};

function fakeControl(calls: string[]): ClusterControl {
  const status: ClusterStatus = {
    dataDir: '/tmp/x',
    bootstrapServers: '127.0.0.1:1',
    zookeeperConnect: '',
    brokers: [{ id: 7, state: 'running', pid: 1234, host: '127.0.0.1', port: 1, logFile: '/tmp/x/broker-7.log' }],
    zookeepers: [],
  };
  return {
    status: async () => status,
    stopBroker: async (id, o) => void calls.push(`stop ${id} graceful=${o.graceful}`),
    startBroker: async (id) => void calls.push(`start ${id}`),
    pauseBroker: async (id) => void calls.push(`pause ${id}`),
    resumeBroker: async (id) => void calls.push(`resume ${id}`),
    stopZooKeeper: async (id) => void calls.push(`stop-zk ${id}`),
    startZooKeeper: async (id) => void calls.push(`start-zk ${id}`),
  };
}

let ensemble: ZooKeeperEnsemble;
let zk: ZkClient;
let server: ConsoleServer;
const calls: string[] = [];

beforeAll(async () => {
  ensemble = await ZooKeeperEnsemble.start({ size: 1 });
  const chroot = '/console-server-test';
  zk = await ZkClient.connect({ connectString: `${ensemble.connectString}${chroot}`, sessionTimeoutMs: 10_000, connectTimeoutMs: 10_000, createChroot: true });
  server = await startConsoleServer({ zookeeperConnect: `${ensemble.connectString}${chroot}`, bootstrapServers: '127.0.0.1:1', port: 0, control: fakeControl(calls) });
});

afterAll(async () => {
  await server?.close();
  await zk?.close();
  await ensemble?.stop();
});

describe('console server', () => {
  it('pushes a snapshot on connect, then each ZooKeeper change as state and timeline within a second', async () => {
    const sse = openEvents(server.url);
    try {
      const snapshot = await until('the snapshot', () => sse.messages.find((m) => m.event === 'snapshot'));
      expect((snapshot.data as { state: ClusterState }).state).toMatchObject({ hasControl: true, controller: null, topics: [] });

      await zk.ensurePath(BrokerIdsZNode.path);
      const registered = Date.now();
      await zk.create(BrokerIdZNode.path(7), BrokerIdZNode.encode({ version: 5, endpoints: [{ listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: '127.0.0.1', port: 9092 }], jmxPort: -1, rack: null, features: {} }), { mode: 'ephemeral' });
      await zk.create(ControllerEpochZNode.path, ControllerEpochZNode.encode(1));
      await zk.create(ControllerZNode.path, ControllerZNode.encode(7), { mode: 'ephemeral' });
      await until('broker 7 joined', () => (timelineTexts(sse.messages).includes('broker 7 joined') ? true : undefined));
      const joinedAt = sse.messages.find((m) => m.event === 'timeline' && JSON.stringify(m.data).includes('broker 7 joined'))?.at ?? 0;
      expect(joinedAt - registered).toBeLessThan(1000);
      await until('the controller', () => (timelineTexts(sse.messages).includes('broker 7 became controller (epoch 1)') ? true : undefined));
      expect(lastState(sse.messages)).toMatchObject({ brokers: [{ id: 7, alive: true, endpoints: ['PLAINTEXT://127.0.0.1:9092'] }], controller: 7, controllerEpoch: 1 });

      await zk.createRecursive(TopicZNode.path('orders'), TopicZNode.encode({ partitions: new Map([[0, { replicas: [7, 8], addingReplicas: [], removingReplicas: [] }]]) }));
      await zk.createRecursive(TopicPartitionStateZNode.path('orders', 0), TopicPartitionStateZNode.encode({ leader: 7, leaderEpoch: 0, isr: [7, 8], controllerEpoch: 1 }));
      await until('the topic', () => (timelineTexts(sse.messages).includes('topic orders created (1 partition, RF 2)') ? true : undefined));
      await zk.set(TopicPartitionStateZNode.path('orders', 0), TopicPartitionStateZNode.encode({ leader: -1, leaderEpoch: 1, isr: [7], controllerEpoch: 1 }));
      await until('the leader change', () => (timelineTexts(sse.messages).includes('orders-0: leader 7 → none, ISR [7,8] → [7]') ? true : undefined));
      const p0 = await until('the offline partition', () => lastState(sse.messages)?.topics[0]?.partitions[0]);
      expect(p0).toMatchObject({ leader: -1, isr: [7], leaderEpoch: 1, offline: true, underReplicated: true });

      await zk.delete(ControllerZNode.path);
      await zk.delete(BrokerIdZNode.path(7));
      await until('broker 7 left', () => (timelineTexts(sse.messages).includes('broker 7 left: its ZooKeeper session ended') ? true : undefined));
      const state = (await (await fetch(new URL('api/state', server.url))).json()) as ClusterState & { timeline: TimelineEvent[] };
      expect(state).toMatchObject({ controller: null, lastController: 7, brokers: [{ id: 7, alive: false }] });
      expect(state.timeline.map((e) => e.text)).toContain('broker 7 joined');
    } finally {
      sse.close();
    }
  });

  it('serves the control routes through the ClusterControl', async () => {
    const stop = await fetch(new URL('api/brokers/7/stop', server.url), { method: 'POST' });
    expect(stop.status).toBe(200);
    expect(((await stop.json()) as ClusterStatus).brokers[0]?.id).toBe(7);
    await fetch(new URL('api/brokers/7/stop?graceful=1', server.url), { method: 'POST' });
    await fetch(new URL('api/zookeepers/1/start', server.url), { method: 'POST' });
    expect(calls).toEqual(['stop 7 graceful=false', 'stop 7 graceful=true', 'start-zk 1']);
    expect((await fetch(new URL('api/brokers/x/stop', server.url), { method: 'POST' })).status).toBe(400);
  });

  it('answers bad input with 400 and one line, unknown paths with 404, and serves the page', async () => {
    const bad = async (res: Response): Promise<[number, unknown]> => [res.status, await res.json()];
    expect(await bad(await fetch(new URL('api/consume?topic=orders&partition=x', server.url)))).toEqual([400, { error: 'partition must be an integer >= 0' }]);
    expect(await bad(await fetch(new URL('api/consume?partition=0', server.url)))).toEqual([400, { error: 'topic is required' }]);
    expect(await bad(await fetch(new URL('api/produce', server.url), { method: 'POST', body: 'not json' }))).toEqual([400, { error: 'the body is not JSON' }]);
    expect(await bad(await fetch(new URL('api/produce', server.url), { method: 'POST', body: '{"topic":"orders","value":"v","partition":-1}' }))).toEqual([400, { error: 'partition must be an integer >= 0' }]);
    expect((await fetch(new URL('nope', server.url))).status).toBe(404);
    const page = await fetch(server.url);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<ul id="timeline">');
    expect((await fetch(new URL('console.js', server.url))).status).toBe(200);
  });

  it('close() ends the event streams', async () => {
    const sse = openEvents(server.url);
    await until('the snapshot', () => sse.messages.find((m) => m.event === 'snapshot'));
    await server.close();
    await sse.ended;
  });
});
