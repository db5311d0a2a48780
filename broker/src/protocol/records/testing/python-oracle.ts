/**
 * Runs kafka_python_oracle.py (kafka-python 2.0.2 from Debian's python3-kafka) for tests that
 * cross-check against an independent implementation. Absent packages make `available` false.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(__dirname, 'kafka_python_oracle.py');

export interface PyRecord {
  offset: number;
  timestamp: number;
  timestamp_type: number;
  key: string | null;
  value: string | null;
  headers: [string, string | null][];
}

export interface PyBatch {
  magic: number;
  base_offset?: number;
  compression: number;
  crc_ok: boolean;
  is_control?: boolean;
  is_transactional?: boolean;
  records: PyRecord[];
}

export type PyOp =
  | {
      op: 'encode_v2';
      compression: number;
      is_transactional?: boolean;
      producer_id?: number;
      producer_epoch?: number;
      base_sequence?: number;
      records: { offset: number; timestamp: number; key: string | null; value: string | null; headers: [string, string | null][] }[];
    }
  | { op: 'encode_legacy'; magic: 0 | 1; compression: number; records: { offset: number; timestamp: number; key: string | null; value: string | null }[] }
  | { op: 'decode'; hex: string };

export type PyResult = { hex?: string; batches?: PyBatch[]; error?: string };

export function pythonOracleAvailable(): boolean {
  const r = spawnSync(PYTHON, ['-c', 'import kafka, snappy, lz4, zstandard, xxhash'], { encoding: 'utf8' });
  return r.status === 0;
}

export function runPythonOracle(ops: PyOp[]): PyResult[] {
  const r = spawnSync(PYTHON, [SCRIPT], { input: JSON.stringify(ops), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`kafka-python oracle failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as PyResult[];
}
