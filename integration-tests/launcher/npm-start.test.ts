/**
 * Issue 8's proof: `npm start` run as a user runs it (a child process in its own process group, a fresh
 * data dir) comes up as 3 ZooKeeper servers + 3 brokers, serves kcat, obeys `samsa-cluster stop-broker`
 * on a partition leader (leadership moves in ZooKeeper) and `start-broker`, shows it in `status`, and
 * on Ctrl-C (SIGINT to the process group, as a terminal sends it) stops leaving no process behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ClusterStatus } from '../../admin-cli/src/console/cluster-control';
import { freePorts } from '../../admin-cli/src/cluster/zookeeper-ensemble';
import { ZkClient } from '../../broker/src/zk';
import { TopicPartitionStateZNode } from '../../broker/src/zk/znodes';
import { KCAT, runTool, runToolOk } from '../broker/support/tools';
import { waitFor } from '../helpers/wait';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const SAMSA_CLUSTER = path.join(REPO_ROOT, 'bin', 'samsa-cluster');
const KAFKA_TOPICS = path.join(REPO_ROOT, 'bin', 'kafka-topics');
const TOPIC = 'orders';

if (KCAT === null) process.stderr.write('npm-start.test.ts: SKIPPED: kcat is not installed (scripts/ensure-test-tools installs it)\n');
const describeWithKcat = KCAT === null ? describe.skip : describe;

/** True once `pid` has exited (a zombie waiting for init to reap it counts as exited). */
function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

/** `pid` and every process below it (from /proc's parent links). */
function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // exited meanwhile
    }
  }
  const tree: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift() as number;
    tree.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return tree;
}

describeWithKcat('npm start: the local cluster as a user runs it', () => {
  let dataDir: string;
  let npm: ChildProcess;
  let stdout = '';
  let stderr = '';
  let exited: Promise<number | null>;
  let bootstrap: string;
  let zkConnect: string;
  let zk: ZkClient | null = null;
  let collectedPids: number[] = [];

  const samsaCluster = (...args: string[]) => runToolOk(SAMSA_CLUSTER, [...args, '--data-dir', dataDir], { timeoutMs: 90_000 });
  const kcat = (args: string[], input?: string) => runToolOk(KCAT!, ['-b', bootstrap, '-X', 'socket.timeout.ms=20000', ...args], { input, timeoutMs: 90_000 });
  const partitionState = async () => {
    const node = await zk!.getOrNull(TopicPartitionStateZNode.path(TOPIC, 0));
    return node === null ? null : TopicPartitionStateZNode.decode(node.data);
  };
  const launcherStatus = async (): Promise<ClusterStatus> => {
    const state = JSON.parse(fs.readFileSync(path.join(dataDir, 'cluster.json'), 'utf8')) as { controlUrl: string };
    return (await (await fetch(new URL('api/cluster', state.controlUrl))).json()) as ClusterStatus;
  };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'samsa-npm-start-'));
    const [brokerPort, zkPort] = await freePorts(2);
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.JEST_WORKER_ID;
    npm = spawn(
      'npm',
      ['start', '--', '--data-dir', dataDir, '--fresh', '--first-port', String(brokerPort), '--zookeeper-port', String(zkPort), '--console-port', '0'],
      { cwd: REPO_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    npm.stdout?.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
    npm.stderr?.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    exited = new Promise((resolve) => npm.once('exit', (code) => resolve(code)));
    let exitCode: number | null | undefined;
    void exited.then((code) => (exitCode = code));
    const ready = await waitFor(
      () => {
        if (exitCode !== undefined) throw new Error(`npm start exited (${String(exitCode)}) before ready:\n${stdout}\n${stderr}`);
        return /^samsa: ready in ([\d.]+) s$/m.exec(stdout)?.[1];
      },
      'the launcher to print `samsa: ready in X s`',
      90_000,
      100,
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}\nstdout:\n${stdout}\nstderr:\n${stderr}`);
    });
    process.stdout.write(`\n[npm-start.test] samsa: ready in ${ready} s (3 ZooKeeper servers + 3 brokers, fresh data dir)\n`);
    bootstrap = /^ {2}bootstrap\.servers=(\S+)$/m.exec(stdout)?.[1] ?? '';
    zkConnect = /^ {2}zookeeper\.connect=(\S+)$/m.exec(stdout)?.[1] ?? '';
    zk = await ZkClient.connect({ connectString: zkConnect, sessionTimeoutMs: 30_000, connectTimeoutMs: 15_000 });
  }, 120_000);

  afterAll(async () => {
    await zk?.close().catch(() => undefined);
    if (npm?.exitCode === null && npm.signalCode === null) {
      // a failed test: the launcher's watchdogs take its detached children down with it
      process.kill(-(npm.pid as number), 'SIGKILL');
      await exited;
    }
    for (const pid of collectedPids) if (!isGone(pid)) process.kill(pid, 'SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  test('prints the bootstrap servers, the ZooKeeper connect string and the console URL, and writes cluster.json', async () => {
    expect(bootstrap.split(',')).toHaveLength(3);
    expect(zkConnect.split(',')).toHaveLength(3);
    expect(stdout).toMatch(/^ {2}console: http:\/\/127\.0\.0\.1:\d+\/$/m);
    const state = JSON.parse(fs.readFileSync(path.join(dataDir, 'cluster.json'), 'utf8')) as { pid: number; bootstrapServers: string };
    expect(state.bootstrapServers).toBe(bootstrap);
    expect(isGone(state.pid)).toBe(false);
  });

  test('kcat produces to and consumes from a replicated topic', async () => {
    await runToolOk(KAFKA_TOPICS, ['--bootstrap-server', bootstrap, '--create', '--topic', TOPIC, '--partitions', '1', '--replication-factor', '3']);
    await waitFor(async () => ((await partitionState())?.isr.length ?? 0) === 3, 'orders-0 with a leader and 3 in-sync replicas', 30_000, 200);
    await kcat(['-P', '-t', TOPIC, '-K:'], 'k1:one\nk2:two\nk3:three\n');
    const consumed = await kcat(['-C', '-t', TOPIC, '-o', 'beginning', '-c', '3', '-e', '-f', '%k=%s\\n']);
    expect(consumed.stdout.trim().split('\n')).toEqual(['k1=one', 'k2=two', 'k3=three']);
  });

  test('`samsa-cluster stop-broker` on the leader moves leadership; `start-broker` brings it back; `status` shows it', async () => {
    const before = await partitionState();
    const leader = before!.leader;
    const stopped = await samsaCluster('stop-broker', String(leader));
    expect(stopped.stdout.trim()).toBe(`broker ${leader} stopped (kill -9)`);
    // the new leader is elected once the killed broker's 6 s ZooKeeper session has expired
    const after = await waitFor(
      async () => {
        const s = await partitionState();
        return s !== null && s.leader >= 0 && s.leader !== leader ? s : undefined;
      },
      `a new leader for ${TOPIC}-0 after broker ${leader} was killed`,
      45_000,
      200,
    );
    expect(after.isr).not.toContain(leader);
    expect(after.leaderEpoch).toBeGreaterThan(before!.leaderEpoch);
    await kcat(['-P', '-t', TOPIC, '-K:'], 'k4:four\n');

    const started = await samsaCluster('start-broker', String(leader));
    expect(started.stdout).toMatch(new RegExp(`^broker ${leader} started: pid \\d+`));
    await waitFor(async () => (await partitionState())?.isr.includes(leader), `broker ${leader} back in the ISR of ${TOPIC}-0`, 60_000, 200);
    const consumed = await kcat(['-C', '-t', TOPIC, '-o', 'beginning', '-c', '4', '-e', '-f', '%k=%s\\n']);
    expect(consumed.stdout.trim().split('\n')).toEqual(['k1=one', 'k2=two', 'k3=three', 'k4=four']);

    const status = await samsaCluster('status');
    expect(status.stdout).toMatch(new RegExp(`^ +${leader} +running +\\d+ +127\\.0\\.0\\.1:\\d+`, 'm'));
    expect(status.stdout).toMatch(/^controller: broker \d+ \(epoch \d+\)$/m);
    expect(status.stdout.match(/^ +\d +running +(leader|follower) /gm)).toHaveLength(3);
  });

  test('a second `up` on the same data dir refuses with one line', async () => {
    const second = await runTool(SAMSA_CLUSTER, ['up', '--data-dir', dataDir, '--no-console'], { timeoutMs: 60_000 });
    expect(second.code).toBe(1);
    expect(second.stderr.trim()).toMatch(/^samsa: a local cluster is already running on .* \(launcher pid \d+\)/);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('`pause-broker` and `resume-broker` send SIGSTOP and SIGCONT', async () => {
    const victim = (await launcherStatus()).brokers[0].id;
    expect((await samsaCluster('pause-broker', String(victim))).stdout).toMatch(new RegExp(`^broker ${victim} paused \\(SIGSTOP\\)`));
    expect((await launcherStatus()).brokers[0].state).toBe('paused');
    expect((await samsaCluster('resume-broker', String(victim))).stdout.trim()).toBe(`broker ${victim} resumed (SIGCONT)`);
    expect((await launcherStatus()).brokers[0].state).toBe('running');
    const again = await runTool(SAMSA_CLUSTER, ['resume-broker', String(victim), '--data-dir', dataDir]);
    expect([again.code, again.stderr.trim()]).toEqual([1, `samsa: cannot resume broker ${victim}: it is already running`]);
  });

  test('Ctrl-C (SIGINT to the process group) stops everything, a paused broker too, and leaves no process behind', async () => {
    // a paused broker would not act on SIGTERM: the launcher continues it first
    await samsaCluster('pause-broker', String((await launcherStatus()).brokers[1].id));
    const status = await launcherStatus();
    expect(status.brokers[1].state).toBe('paused');
    const state = JSON.parse(fs.readFileSync(path.join(dataDir, 'cluster.json'), 'utf8')) as { pid: number };
    const clusterPids = [...status.brokers, ...status.zookeepers].map((p) => p.pid).filter((pid): pid is number => pid !== null);
    expect(clusterPids).toHaveLength(6);
    collectedPids = [...new Set([...clusterPids, state.pid, ...processTree(npm.pid as number), ...processTree(state.pid)])];
    await zk?.close();
    zk = null;

    process.kill(-(npm.pid as number), 'SIGINT');
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([exited, new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), 90_000)))]);
    clearTimeout(timer);
    expect(code).not.toBe('timeout');
    expect(stdout).toMatch(/^samsa: stopped\.$/m);
    expect(stderr).not.toMatch(/killing every process/);
    // npm ends after the launcher (its grandchild), which waited for every process it started
    const left = collectedPids.filter((pid) => !isGone(pid));
    expect(left.map((pid) => `${pid}: ${fs.existsSync(`/proc/${pid}/cmdline`) ? fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8') : '?'}`)).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, 'cluster.json'))).toBe(false);
  }, 120_000);
});
