/** Runs py/group_client.py scenarios (librdkafka through confluent-kafka 1.7) as child processes. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { guardChild } from '../../../admin-cli/src/cluster/child-guard';
import { PYTHON } from '../../broker/support/tools';

const SCRIPT = path.join(__dirname, '..', 'py', 'group_client.py');

export interface PyJoin {
  generation: number;
  protocol: string;
  leader: string;
  memberId: string;
  memberCount: number;
  error: string;
}

export interface PyMember {
  name: string;
  assignment: number[];
  assigns: number[][];
  revokes: number;
  joins: PyJoin[];
  records: Array<[number, number, string]>;
}

export interface PyListedGroup {
  id: string;
  error: string | null;
  state: string;
  protocolType: string;
  protocol: string;
  broker: number;
  members: Array<{ id: string; clientId: string; clientHost: string; metadata: string; assignment: string }>;
}

export interface PyScenario<T> {
  /** The scenario's first JSON line. */
  readonly result: Promise<T>;
  /** Closes the script's stdin (the 'records' scenario then closes its consumers) and waits for exit. */
  finish(): Promise<void>;
  kill(): void;
}

export function startScenario<T>(scenario: string, bootstrap: string, topic: string, partitions: number, group: string, timeoutMs = 120_000): PyScenario<T> {
  const child = spawn(PYTHON, [SCRIPT, scenario, bootstrap, topic, String(partitions), group], { stdio: ['pipe', 'pipe', 'pipe'] });
  const release = guardChild(child, 'groups-python-watchdog');
  const stderr: Buffer[] = [];
  child.stderr.on('data', (b: Buffer) => {
    stderr.push(b);
    // librdkafka's debug goes to the Python logger; only stray noise lands here, keep the tail.
    if (stderr.length > 200) stderr.splice(0, stderr.length - 200);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exited = new Promise<number | null>((resolve) => {
    child.once('close', (code) => {
      clearTimeout(timer);
      release();
      resolve(code);
    });
  });
  const result = new Promise<T>((resolve, reject) => {
    let done = false;
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      if (done || !line.startsWith('{')) return;
      done = true;
      resolve(JSON.parse(line) as T);
    });
    void exited.then((code) => {
      if (!done) reject(new Error(`group_client.py ${scenario} exited with ${String(code)}: ${Buffer.concat(stderr).toString().slice(-4000)}`));
    });
  });
  return {
    result,
    async finish(): Promise<void> {
      child.stdin.end();
      await exited;
    },
    kill(): void {
      child.kill('SIGKILL');
    },
  };
}

/** A scenario that prints its JSON line and exits. */
export async function runScenario<T>(scenario: string, bootstrap: string, topic: string, partitions: number, group: string): Promise<T> {
  const run = startScenario<T>(scenario, bootstrap, topic, partitions, group);
  try {
    return await run.result;
  } finally {
    await run.finish();
  }
}
