/**
 * ZkClient's test hook for session expiry, the classic way: a second handle attaches to the session
 * with its id and password, then closes it. It is apart from client.ts because it runs in a child
 * process; client.ts (the only module allowed to name the `zookeeper` package) resolves the binding
 * and passes its path in.
 */
import { spawnSync } from 'node:child_process';
import type { ZkSessionCredentials } from './client-config';

/**
 * Expires the session on the server. The second handle runs in a child process while this event
 * loop is blocked, so the owning client cannot reconnect in between and win the session back (the C
 * client reconnects within milliseconds). The child retries until a reattach is answered with
 * SESSIONEXPIRED, proving the session is gone. Afterwards the client sees 'expired', then 'new-session'.
 */
export function expireSession(bindingPath: string, connectString: string, credentials: ZkSessionCredentials, timeoutMs: number): void {
  const { sessionId, password } = credentials;
  const result = spawnSync(process.execPath, ['-e', EXPIRE_SESSION_SCRIPT, bindingPath, connectString, sessionId, password, String(timeoutMs)], {
    encoding: 'utf8',
    timeout: timeoutMs + 5_000,
  });
  if (result.status !== 0) {
    throw new Error(`could not expire ZooKeeper session ${sessionId}: ${result.error?.message ?? ''} ${result.stderr}`.trim());
  }
}

/** Run by expireSession in a child process: argv = [binding, connect, id, password, timeout]. */
const EXPIRE_SESSION_SCRIPT = `
const [binding, connect, clientId, password, timeoutMs] = process.argv.slice(1);
const ZooKeeper = require(binding);
setTimeout(() => { console.error('session still alive after ' + timeoutMs + ' ms'); process.exit(2); }, Number(timeoutMs));
function attach() {
  const zk = new ZooKeeper({ connect, timeout: 30000, client_id: clientId, client_password: password, debug_level: 0 });
  zk.on('connect', () => { zk.close(); setTimeout(attach, 50); });
  zk.on('close', (_self, code) => { if (code !== 0) process.exit(0); });
  zk.init({});
}
attach();
`;
