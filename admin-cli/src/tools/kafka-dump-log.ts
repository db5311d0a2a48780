/**
 * kafka-dump-log: Kafka 2.8's DumpLogSegments. Reads log segments (.log), offset indexes (.index) and
 * time indexes (.timeindex) straight from disk — no broker — and prints their batches, records and
 * entries as Kafka does; index entries are checked against the segment next to them, and what
 * disagrees is reported on stderr after the dump.
 */
import fs from 'node:fs';
import path from 'node:path';
import { requireArg, runTool, toolParser } from './common/cli';
import { ToolError } from './common/tool-error';
import type { OffsetPairs, TimeIndexErrors } from './dump-log-segments';

const USAGE = 'kafka-dump-log --files <file1,file2,...> [--print-data-log] [--deep-iteration] [--index-sanity-check] [--verify-index-only]';

interface DumpLogArgs {
  files?: string;
  printDataLog?: boolean;
  deepIteration?: boolean;
  indexSanityCheck?: boolean;
  verifyIndexOnly?: boolean;
}

function readFile(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ToolError(code === 'ENOENT' ? `${file} (No such file or directory)` : `Cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The file next to `file` with the same base offset and another suffix. */
function sibling(file: string, suffix: string): string {
  return path.join(path.dirname(file), `${path.basename(file).split('.')[0] ?? ''}${suffix}`);
}

export async function kafkaDumpLog(
  argv: readonly string[],
  out: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
  err: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<number> {
  const a = (await toolParser('kafka-dump-log', argv, USAGE)
    .option('files', { type: 'string', describe: 'REQUIRED: The comma separated list of data and index log files to be dumped.' })
    .option('print-data-log', { type: 'boolean', describe: 'if set, printing the messages content when dumping data logs. Automatically set if any decoder option is specified.' })
    .option('deep-iteration', { type: 'boolean', describe: 'if set, uses deep instead of shallow iteration. Automatically set if print-data-log is enabled.' })
    .option('index-sanity-check', { type: 'boolean', describe: 'if set, just checks the index sanity without printing its content. This is the same check that is executed on broker startup to determine if an index needs rebuilding or not.' })
    .option('verify-index-only', { type: 'boolean', describe: 'if set, just verify the index log without printing its content.' })
    .parseAsync()) as unknown as DumpLogArgs;
  requireArg(a.files, 'files');
  const files = (a.files ?? '').split(',').filter((f) => f !== '');
  // The record decoders load only now, so --help and argument mistakes answer fast.
  const { dumpLog, dumpOffsetIndex, dumpTimeIndex, fileBaseOffset, indexSanityProblem } = require('./dump-log-segments') as typeof import('./dump-log-segments');
  const sanityOnly = a.indexSanityCheck === true;
  const verifyOnly = a.verifyIndexOnly === true;
  const indexMismatches = new Map<string, OffsetPairs>();
  const timeErrors = new Map<string, TimeIndexErrors>();
  const nonConsecutive = new Map<string, OffsetPairs>();

  for (const file of files) {
    out(`Dumping ${file}`);
    const ext = path.extname(file);
    if (ext !== '.log' && ext !== '.index' && ext !== '.timeindex') {
      err(`Ignoring unknown file ${file}`);
      continue;
    }
    try {
      fileBaseOffset(file);
    } catch (e) {
      throw new ToolError(e instanceof Error ? e.message : String(e));
    }
    const abs = path.resolve(file);
    if (ext === '.log') {
      const pairs = await dumpLog(file, readFile(file), { printDataLog: a.printDataLog === true, deepIteration: a.deepIteration === true }, out);
      if (pairs.length > 0) nonConsecutive.set(abs, pairs);
      continue;
    }
    const kind = ext === '.index' ? 'offset' : 'time';
    const buf = readFile(file);
    if (sanityOnly) {
      const problem = indexSanityProblem(file, buf, fileBaseOffset(file), kind);
      if (problem !== null) throw new ToolError(problem);
      out(`${file} passed sanity check.`);
      continue;
    }
    const log = readFile(sibling(file, '.log'));
    if (kind === 'offset') {
      const m = dumpOffsetIndex(file, buf, log, verifyOnly, out);
      if (m.length > 0) indexMismatches.set(abs, m);
    } else {
      const e = dumpTimeIndex(file, buf, readFile(sibling(file, '.index')), log, verifyOnly, out);
      if (e.mismatches.length + e.outOfOrder.length + e.notFound.length > 0) timeErrors.set(abs, e);
    }
  }

  for (const [file, list] of indexMismatches) {
    err(`Mismatches in :${file}`);
    for (const [indexOffset, logOffset] of list) err(`  Index offset: ${indexOffset}, log offset: ${logOffset}`);
  }
  for (const [file, e] of timeErrors) {
    if (e.mismatches.length > 0) err(`Found timestamp mismatch in :${file}`);
    for (const [indexTs, logTs] of e.mismatches) err(`  Index timestamp: ${indexTs}, log timestamp: ${logTs}`);
    if (e.outOfOrder.length > 0) err(`Found out of order timestamp in :${file}`);
    for (const [ts, prev] of e.outOfOrder) err(`  Index timestamp: ${ts}, Previously indexed timestamp: ${prev}`);
    if (e.notFound.length > 0) err('The following indexed offsets are not found in the log.');
    for (const [indexed, found] of e.notFound) err(`Indexed offset: ${indexed}, found log offset: ${found}`);
  }
  for (const [file, list] of nonConsecutive) {
    err(`Non-consecutive offsets in ${file}`);
    for (const [first, second] of list) err(`  ${first} is followed by ${second}`);
  }
  return 0;
}

if (require.main === module) void runTool('', () => kafkaDumpLog(process.argv.slice(2)));
