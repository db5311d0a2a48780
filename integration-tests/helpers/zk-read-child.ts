/**
 * `node --import tsx zk-read-child.ts <connectString> <path>`: reads one znode in a fresh process and
 * prints it as one JSON line (`null` when absent). The harness falls back to this when its own
 * in-process ZooKeeper session cannot reach the ensemble (see KafkaCluster.readZk).
 */
import { ZkClient } from '../../broker/src/zk';

async function main(): Promise<void> {
  const [connectString, znodePath] = process.argv.slice(2);
  if (connectString === undefined || znodePath === undefined) throw new Error('usage: zk-read-child.ts <connectString> <path>');
  const zk = await ZkClient.connect({ connectString, sessionTimeoutMs: 10_000, connectTimeoutMs: 10_000 });
  try {
    const node = await zk.getOrNull(znodePath);
    const stat = node === null ? null : { ...node.stat, czxid: String(node.stat.czxid), mzxid: String(node.stat.mzxid), pzxid: String(node.stat.pzxid), ctime: Number(node.stat.ctime), mtime: Number(node.stat.mtime) };
    process.stdout.write(`${JSON.stringify(node === null ? null : { data: node.data === null ? null : node.data.toString('base64'), stat })}\n`);
  } finally {
    await zk.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
