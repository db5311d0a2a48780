/**
 * The record of what the kafkajs members of a group saw (support/kafkajs-member.ts events), with
 * the checks of issue 6's group proof: per generation, who owned which partitions; which member
 * delivered which value under which generation. Members may run in-process or as child processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { guardChild } from '../../../admin-cli/src/cluster/child-guard';
import { REPO_ROOT } from '../../helpers/kafka-cluster';
import { startMember, type MemberEvent, type MemberOptions, type RunningMember } from './kafkajs-member';

const TSX_LOADER = path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs');
const CHILD_ENTRY = path.join(__dirname, 'kafkajs-member-child.ts');

export type AssignmentEvent = Extract<MemberEvent, { kind: 'assignment' }>;
export type RecordEvent = Extract<MemberEvent, { kind: 'record' }>;

export interface ChildMember extends RunningMember {
  readonly pid: number;
  /** SIGKILL: the member vanishes without LeaveGroup; resolves when the process is gone. */
  kill(): Promise<void>;
}

export class GroupLog {
  readonly events: MemberEvent[] = [];
  private readonly children = new Set<ChildProcess>();

  record(event: MemberEvent): void {
    this.events.push(event);
  }

  async startInProcess(options: MemberOptions): Promise<RunningMember> {
    return startMember(options, (e) => this.record(e));
  }

  /** A member in its own node process, reporting its events as JSON lines. */
  startChild(options: MemberOptions): ChildMember {
    const child = spawn(process.execPath, ['--import', TSX_LOADER, CHILD_ENTRY, JSON.stringify(options)], {
      cwd: REPO_ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
    });
    const release = guardChild(child, 'groups-kafkajs-member-watchdog');
    this.children.add(child);
    const stderr: Buffer[] = [];
    child.stderr.on('data', (b: Buffer) => stderr.push(b));
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        this.record(JSON.parse(line) as MemberEvent);
      } catch {
        // not an event line
      }
    });
    const exited = new Promise<void>((resolve) => {
      child.once('close', () => {
        release();
        this.children.delete(child);
        resolve();
      });
    });
    if (child.pid === undefined) throw new Error(`member ${options.name}: spawn failed`);
    const pid = child.pid;
    return {
      name: options.name,
      pid,
      async leave(): Promise<void> {
        child.stdin.write('leave\n');
        await exited;
      },
      async kill(): Promise<void> {
        child.kill('SIGKILL');
        await exited;
      },
    };
  }

  /** Kills children still running (afterAll). */
  killChildren(): void {
    for (const child of this.children) child.kill('SIGKILL');
  }

  assignments(): AssignmentEvent[] {
    return this.events.filter((e): e is AssignmentEvent => e.kind === 'assignment');
  }

  records(): RecordEvent[] {
    return this.events.filter((e): e is RecordEvent => e.kind === 'record');
  }

  /** generation -> member -> partitions it was assigned in that generation. */
  generations(): Map<number, Map<string, number[]>> {
    const out = new Map<number, Map<string, number[]>>();
    for (const a of this.assignments()) {
      let members = out.get(a.generation);
      if (members === undefined) out.set(a.generation, (members = new Map()));
      members.set(a.member, a.partitions);
    }
    return out;
  }

  /**
   * The first generation above `after` whose members are exactly `members` and whose assignments
   * cover every partition once; undefined while there is none.
   */
  completeGeneration(members: readonly string[], partitions: number, after: number): number | undefined {
    const want = [...members].sort().join(',');
    for (const [generation, owners] of [...this.generations()].sort((a, b) => a[0] - b[0])) {
      if (generation <= after) continue;
      if ([...owners.keys()].sort().join(',') !== want) continue;
      const owned = [...owners.values()].flat().sort((a, b) => a - b);
      if (owned.join(',') === Array.from({ length: partitions }, (_, i) => i).join(',')) return generation;
    }
    return undefined;
  }

  crashes(): string[] {
    return this.events.filter((e) => e.kind === 'crash').map((e) => JSON.stringify(e));
  }
}
