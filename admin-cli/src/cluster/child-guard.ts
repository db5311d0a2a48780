/**
 * Child processes (ZooKeeper servers, brokers) that must never outlive the process that started
 * them: an 'exit' hook kills what stop() did not reach, and a watchdog shell per child covers the
 * deaths no hook sees (SIGKILL, a fatal signal).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import vm from 'node:vm';

const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * The process whose 'exit' really fires. Under jest, `process` is a per-test-file copy whose events
 * the real process never emits; the main context still holds the real one.
 */
function hostProcess(): NodeJS.Process {
  try {
    return vm.runInThisContext('process') as NodeJS.Process;
  } catch {
    return process;
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  hostProcess().on('exit', () => {
    for (const child of liveChildren) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

/**
 * A tiny shell blocks in its builtin `read` on a pipe from this process and kills `pid` when the
 * pipe closes, i.e. when we are gone.
 */
function spawnWatchdog(pid: number, name: string, detached: boolean): ChildProcess {
  const watchdog = spawn('/bin/sh', ['-c', 'read -r _; kill -9 "$1" 2>/dev/null', name, String(pid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached,
  });
  watchdog.on('error', () => undefined); // without a watchdog the exit hook and stop() still apply
  watchdog.stdin?.on('error', () => undefined);
  // Neither may keep this process alive.
  watchdog.unref();
  if (watchdog.stdin instanceof net.Socket) watchdog.stdin.unref();
  return watchdog;
}

/**
 * Guards `child` until it exits: killed by the exit hook or the watchdog if this process goes first.
 * Returns the release function to call once the child has exited (before its pid can be reused).
 * `detached`: the watchdog gets its own process group too, so the terminal's Ctrl-C that reaches
 * this process does not kill the watchdog of a child that was detached to be stopped in order.
 */
export function guardChild(child: ChildProcess, watchdogName: string, options: { detached?: boolean } = {}): () => void {
  installExitHook();
  liveChildren.add(child);
  const watchdog = child.pid === undefined ? null : spawnWatchdog(child.pid, watchdogName, options.detached === true);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    liveChildren.delete(child);
    watchdog?.kill('SIGKILL');
  };
}
