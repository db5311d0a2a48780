import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  acquireLauncherLock,
  findLauncher,
  LAUNCHER_LOCK_FILE,
  parseLauncherState,
  releaseLauncherLock,
  removeLauncherState,
  writeLauncherState,
  type LauncherState,
} from './launcher-state';

const DEAD_PID = 999_999_999;
const OTHER_LIVE_PID = 1;

describe('launcher state: cluster.json and the data-dir lock', () => {
  let dir: string;
  const state = (pid: number): LauncherState => ({
    pid,
    consoleUrl: 'http://127.0.0.1:8080/',
    bootstrapServers: '127.0.0.1:9092',
    zookeeperConnect: '127.0.0.1:2181',
    controlUrl: 'http://127.0.0.1:8080/',
    dataDir: dir,
    startedAt: '2026-11-22T00:00:00.000Z',
  });
  const alive = (pid: number): boolean => pid === process.pid || pid === OTHER_LIVE_PID;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'samsa-launcher-state-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('cluster.json round-trips; one written with only the contract fields uses the console for control', () => {
    writeLauncherState(dir, state(process.pid));
    expect(findLauncher(dir, alive)).toEqual({ kind: 'running', state: state(process.pid) });
    const minimal = parseLauncherState(JSON.stringify({ pid: 5, consoleUrl: 'http://h:1/', bootstrapServers: 'b', zookeeperConnect: 'z' }), '/x/cluster.json');
    expect(minimal).toMatchObject({ pid: 5, controlUrl: 'http://h:1/', dataDir: '/x' });
    expect(() => parseLauncherState('{"pid":"x"}', 'f')).toThrow('f is not a samsa launcher state');
    expect(() => parseLauncherState('nope', 'f')).toThrow('f is not JSON');
  });

  test('no cluster.json means no launcher; one whose pid is dead is stale', () => {
    expect(findLauncher(dir, alive)).toEqual({ kind: 'none', file: path.join(dir, 'cluster.json') });
    writeLauncherState(dir, state(DEAD_PID));
    expect(findLauncher(dir, alive)).toMatchObject({ kind: 'stale', pid: DEAD_PID });
  });

  test('a stale cluster.json or lock from a dead launcher does not block a new up', () => {
    writeLauncherState(dir, state(DEAD_PID));
    fs.writeFileSync(path.join(dir, LAUNCHER_LOCK_FILE), `${DEAD_PID}\n`);
    expect(acquireLauncherLock(dir, alive)).toBeNull();
    expect(fs.readFileSync(path.join(dir, LAUNCHER_LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    expect(fs.existsSync(path.join(dir, 'cluster.json'))).toBe(false);
    releaseLauncherLock(dir);
    expect(fs.existsSync(path.join(dir, LAUNCHER_LOCK_FILE))).toBe(false);
  });

  test('a live launcher (lock or cluster.json) makes a second up refuse with its pid', () => {
    fs.writeFileSync(path.join(dir, LAUNCHER_LOCK_FILE), `${OTHER_LIVE_PID}\n`);
    expect(acquireLauncherLock(dir, alive)).toBe(OTHER_LIVE_PID);
    fs.rmSync(path.join(dir, LAUNCHER_LOCK_FILE));
    writeLauncherState(dir, state(OTHER_LIVE_PID));
    expect(acquireLauncherLock(dir, alive)).toBe(OTHER_LIVE_PID);
    expect(fs.existsSync(path.join(dir, LAUNCHER_LOCK_FILE))).toBe(false);
  });

  test("stopping removes this launcher's cluster.json, never another's", () => {
    writeLauncherState(dir, state(OTHER_LIVE_PID));
    removeLauncherState(dir);
    expect(fs.existsSync(path.join(dir, 'cluster.json'))).toBe(true);
    writeLauncherState(dir, state(process.pid));
    removeLauncherState(dir);
    expect(fs.existsSync(path.join(dir, 'cluster.json'))).toBe(false);
  });
});
