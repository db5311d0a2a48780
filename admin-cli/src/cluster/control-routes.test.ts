import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ClusterControlError, type ClusterControl, type ClusterStatus } from '../console/cluster-control';
import { handleControlRequest, NO_CONTROL_ERROR, parseControlRoute } from './control-routes';

describe('parseControlRoute: the control API routes of cluster-control.ts', () => {
  test('GET /api/cluster is the status route', () => {
    expect(parseControlRoute('GET', '/api/cluster')).toEqual({ kind: 'status' });
    expect(parseControlRoute('GET', '/api/cluster/')).toEqual({ kind: 'status' });
  });

  test('broker actions take the id from the path and graceful from the query', () => {
    expect(parseControlRoute('POST', '/api/brokers/2/stop')).toEqual({ kind: 'broker', action: 'stop', id: 2, graceful: false });
    expect(parseControlRoute('POST', '/api/brokers/2/stop?graceful=1')).toEqual({ kind: 'broker', action: 'stop', id: 2, graceful: true });
    expect(parseControlRoute('POST', '/api/brokers/2/stop?graceful=true')).toEqual({ kind: 'broker', action: 'stop', id: 2, graceful: true });
    expect(parseControlRoute('POST', '/api/brokers/2/stop?graceful=0')).toEqual({ kind: 'broker', action: 'stop', id: 2, graceful: false });
    for (const action of ['start', 'pause', 'resume'] as const) {
      expect(parseControlRoute('POST', `/api/brokers/13/${action}`)).toEqual({ kind: 'broker', action, id: 13, graceful: false });
    }
  });

  test('ZooKeeper servers can be stopped and started, not paused', () => {
    expect(parseControlRoute('POST', '/api/zookeepers/3/stop')).toEqual({ kind: 'zookeeper', action: 'stop', id: 3 });
    expect(parseControlRoute('POST', '/api/zookeepers/3/start')).toEqual({ kind: 'zookeeper', action: 'start', id: 3 });
    expect(parseControlRoute('POST', '/api/zookeepers/3/pause')).toMatchObject({ kind: 'error', status: 404 });
  });

  test('a control path asked wrongly is an error: bad id 400, wrong method 405, unknown action 404', () => {
    expect(parseControlRoute('POST', '/api/brokers/two/stop')).toMatchObject({ kind: 'error', status: 400, error: "broker id 'two' is not a number" });
    expect(parseControlRoute('GET', '/api/brokers/2/stop')).toMatchObject({ kind: 'error', status: 405, allow: 'POST' });
    expect(parseControlRoute('POST', '/api/cluster')).toMatchObject({ kind: 'error', status: 405, allow: 'GET' });
    expect(parseControlRoute('POST', '/api/brokers/2/explode')).toMatchObject({ kind: 'error', status: 404 });
  });

  test('other paths are not control routes (the console serves them)', () => {
    expect(parseControlRoute('GET', '/')).toBeNull();
    expect(parseControlRoute('GET', '/api/state')).toBeNull();
    expect(parseControlRoute('GET', '/api/brokers')).toBeNull();
    expect(parseControlRoute('POST', '/api/produce')).toBeNull();
  });
});

describe('handleControlRequest', () => {
  const status: ClusterStatus = { dataDir: '/d', bootstrapServers: '127.0.0.1:9092', zookeeperConnect: '127.0.0.1:2181', brokers: [], zookeepers: [] };
  const calls: string[] = [];
  const control: ClusterControl = {
    status: async () => status,
    stopBroker: async (id, o) => void calls.push(`stop ${id} ${o.graceful}`),
    startBroker: async (id) => {
      throw new ClusterControlError(`cannot start broker ${id}: it is already running`, 409);
    },
    pauseBroker: async (id) => {
      if (id === 9) throw new ClusterControlError('no broker 9 in this cluster', 404);
      calls.push(`pause ${id}`);
    },
    resumeBroker: async () => {
      throw new Error('boom\nsecond line');
    },
    stopZooKeeper: async (id) => void calls.push(`zk stop ${id}`),
    startZooKeeper: async (id) => void calls.push(`zk start ${id}`),
  };
  let server: http.Server;
  let base: string;
  let withoutControl: http.Server;
  let baseWithout: string;

  const serve = (c: ClusterControl | undefined): http.Server =>
    http.createServer((req, res) => {
      void handleControlRequest(c, req, res).then((handled) => {
        if (!handled) res.writeHead(418).end('not mine');
      });
    });

  beforeAll(async () => {
    server = serve(control);
    withoutControl = serve(undefined);
    await Promise.all([server, withoutControl].map((s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    baseWithout = `http://127.0.0.1:${(withoutControl.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const s of [server, withoutControl]) s.closeAllConnections();
    await Promise.all([server, withoutControl].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  });

  test('an action runs on the ClusterControl and answers with the cluster status', async () => {
    const res = await fetch(`${base}/api/brokers/2/stop?graceful=1`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(status);
    expect(calls).toContain('stop 2 true');
    const zkRes = await fetch(`${base}/api/zookeepers/1/start`, { method: 'POST' });
    expect(zkRes.status).toBe(200);
    expect(calls).toContain('zk start 1');
  });

  test("a ClusterControlError's status and message become the answer; other failures are 500 with one line", async () => {
    const conflict = await fetch(`${base}/api/brokers/2/start`, { method: 'POST' });
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toEqual({ error: 'cannot start broker 2: it is already running' });
    const unknown = await fetch(`${base}/api/brokers/9/pause`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    const failed = await fetch(`${base}/api/brokers/1/resume`, { method: 'POST' });
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ error: 'boom' });
  });

  test('returns false for paths that are not control routes, writing nothing', async () => {
    const res = await fetch(`${base}/index.html`);
    expect(res.status).toBe(418);
  });

  test('without a ClusterControl the routes answer 404 as the contract says', async () => {
    const res = await fetch(`${baseWithout}/api/cluster`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: NO_CONTROL_ERROR });
  });
});
