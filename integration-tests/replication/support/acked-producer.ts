/**
 * The replication tests' load: py/acked_producer.py (librdkafka through confluent-kafka, acks=all,
 * unique values 'v<n>' round-robin over the partitions) running until stop() asks it to flush and
 * report every acked value, every final delivery error and client-level errors.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PYTHON } from '../../broker/support/tools';

export interface ProducerReport {
  sent: number;
  acked: Array<[string, number, number]>;
  failed: Array<[string, string]>;
  clientErrors: string[];
  unflushed: number;
}

export interface AckedProducer {
  /** Stops producing, waits for the flush, and returns the report (throws when the script failed). */
  stop(): Promise<ProducerReport>;
}

export function startAckedProducer(bootstrap: string, topic: string, partitions: number, workDir: string): AckedProducer {
  const stopFile = path.join(workDir, `stop-producer-${topic}`);
  const child = spawn(PYTHON, [path.join(__dirname, '..', 'py', 'acked_producer.py'), bootstrap, topic, String(partitions), stopFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    async stop(): Promise<ProducerReport> {
      fs.writeFileSync(stopFile, '');
      const code = await exited;
      if (code !== 0) throw new Error(`producer exited with ${String(code)}: ${Buffer.concat(err).toString()}`);
      return JSON.parse(Buffer.concat(out).toString()) as ProducerReport;
    },
  };
}
