/**
 * The ZooKeeper ensemble harness: a three-server quorum forms, survives losing its leader and takes the
 * server back; stop() and even an abrupt exit leave no java process behind; startup failures say why.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ZooKeeperEnsemble, type ServerMode } from '../../admin-cli/src/cluster/zookeeper-ensemble';
import { ZkClient } from '../../broker/src/zk';
import { processesMentioning, processIsRunning, waitFor } from '../helpers/wait';

// Servers start and elect in seconds; jest's project-level testTimeout is not applied per project.
jest.setTimeout(90_000);

const repoRoot = path.resolve(__dirname, '../..');
const ensembles: ZooKeeperEnsemble[] = [];
const clients: ZkClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(ensembles.splice(0).map((e) => e.stop()));
});

async function modes(ensemble: ZooKeeperEnsemble): Promise<ServerMode[]> {
  return Promise.all(ensemble.servers.map((s) => ensemble.mode(s.id)));
}

describe('ZooKeeperEnsemble', () => {
  test('a three-server ensemble elects one leader, survives losing it, and takes it back as a follower', async () => {
    const ensemble = await ZooKeeperEnsemble.start({ size: 3 });
    ensembles.push(ensemble);
    expect(ensemble.connectString.split(',')).toHaveLength(3);
    expect((await modes(ensemble)).sort()).toEqual(['follower', 'follower', 'leader']);

    const zk = await ZkClient.connect({ connectString: ensemble.connectString, sessionTimeoutMs: 15_000, connectTimeoutMs: 15_000 });
    clients.push(zk);
    const expirations: string[] = [];
    zk.on('expired', (id) => expirations.push(id));
    await zk.create('/before', Buffer.from('1'));
    await zk.create('/eph', null, { mode: 'ephemeral' });

    const roles = await modes(ensemble);
    const leader = ensemble.servers[roles.indexOf('leader')].id;
    await ensemble.stopServer(leader);
    expect(await ensemble.mode(leader)).toBe('down');
    expect(ensemble.servers.find((s) => s.id === leader)?.pid).toBeNull();

    // The other two form a quorum again and the session (with its ephemeral) lives on.
    await waitFor(async () => (await modes(ensemble)).sort().join() === 'down,follower,leader', 'a new leader', 30_000);
    await zk.set('/before', Buffer.from('2'));
    await zk.create('/during', Buffer.from('x'));
    expect(await zk.exists('/eph')).not.toBeNull();
    expect(expirations).toEqual([]);

    await ensemble.startServer(leader);
    expect(await ensemble.mode(leader)).toBe('follower');
    const restarted = ensemble.servers.find((s) => s.id === leader);
    const direct = await ZkClient.connect({ connectString: `127.0.0.1:${restarted?.clientPort}`, sessionTimeoutMs: 10_000, connectTimeoutMs: 10_000 });
    clients.push(direct);
    await direct.sync('/');
    expect((await direct.get('/before')).data?.toString()).toBe('2');
    expect((await direct.get('/during')).data?.toString()).toBe('x');
  });

  test('stop() kills every server, waits for them and removes the temp dir', async () => {
    const ensemble = await ZooKeeperEnsemble.start({ size: 3 });
    ensembles.push(ensemble); // stopped again in afterEach if an expectation fails first
    const pids = ensemble.servers.map((s) => s.pid);
    expect(pids.every((pid) => pid !== null && processIsRunning(pid))).toBe(true);
    expect(processesMentioning(ensemble.baseDir)).toHaveLength(3);

    await ensemble.stop();
    expect(pids.filter((pid) => pid !== null && processIsRunning(pid))).toEqual([]);
    expect(processesMentioning(ensemble.baseDir)).toEqual([]);
    expect(fs.existsSync(ensemble.baseDir)).toBe(false);
    await ensemble.stop(); // a second stop is harmless
  });

  test.each([
    ['exits through process.exit() without stop()', 'exit'],
    ['is killed with SIGKILL', 'hang'],
  ])('a process that %s still takes its servers with it', async (_what, mode) => {
    // Plain node with tsx's loader, so the pid we kill is the one owning the ensemble.
    const owner = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures/exit-without-stop.ts'), mode], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const ownerExited = new Promise<void>((resolve) => owner.once('exit', () => resolve()));
    let stdout = '';
    owner.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    const line = await waitFor(() => stdout.includes('\n') && stdout, 'the fixture to start its ensemble', 60_000);
    const { pid, baseDir } = JSON.parse(line.trim()) as { pid: number; baseDir: string };
    try {
      if (mode === 'hang') owner.kill('SIGKILL');
      await ownerExited;
      await waitFor(() => !processIsRunning(pid), `ZooKeeper pid ${pid} to be gone`, 5_000);
      expect(processesMentioning(baseDir)).toEqual([]);
    } finally {
      owner.kill('SIGKILL');
      if (processIsRunning(pid)) process.kill(pid, 'SIGKILL');
      fs.rmSync(baseDir, { recursive: true, force: true });
    }
  });

  test('a server that cannot start fails start() with its id, log file and log tail', async () => {
    const blocker = net.createServer((socket) => socket.destroy()); // holds the port, answers nothing
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const takenPort = typeof address === 'object' && address !== null ? address.port : 0;
    const baseDir = fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'samsa-zk-fail-'));
    try {
      const failure = ZooKeeperEnsemble.start({ size: 1, clientPorts: [takenPort], baseDir, keepData: false, startTimeoutMs: 30_000 });
      await expect(failure).rejects.toThrow(/ZooKeeper server 1 .*(exited|not serving).*zookeeper\.log/s);
      await expect(failure).rejects.toThrow(/Address already in use/);
      expect(processesMentioning(baseDir)).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
      fs.rmSync(baseDir, { recursive: true, force: true });
    }
  });
});
