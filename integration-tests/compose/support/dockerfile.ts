/**
 * Just enough of Dockerfile and .dockerignore semantics to check compose/Dockerfile without a Docker
 * engine: instructions (with `\` continuations, comments, JSON or shell form), build stages, the
 * COPY sources from the context or from an earlier stage, and which context paths .dockerignore
 * leaves out (Go filepath.Match patterns plus `**`, `!` exceptions, the last matching rule wins).
 */
import fs from 'node:fs';
import path from 'node:path';

export interface Instruction {
  readonly keyword: string;
  /** The text after the keyword, continuations joined. */
  readonly args: string;
  readonly line: number;
}

export interface CopyInstruction {
  readonly line: number;
  /** `--from=<stage>`; undefined = the build context. */
  readonly from: string | undefined;
  readonly sources: readonly string[];
  readonly dest: string;
}

export interface Stage {
  readonly name: string | undefined;
  readonly index: number;
  readonly baseImage: string;
  readonly instructions: readonly Instruction[];
  readonly copies: readonly CopyInstruction[];
  /** WORKDIR in effect at the end of the stage ('/' when none). */
  readonly workdir: string;
}

/** Splits a Dockerfile into instructions: comments and blank lines dropped, `\` continuations joined. */
export function parseInstructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let buffer = '';
  let startLine = 0;
  text.split('\n').forEach((raw, i) => {
    const trimmed = raw.trim();
    if (buffer === '' && (trimmed === '' || trimmed.startsWith('#'))) return;
    if (buffer !== '' && trimmed.startsWith('#')) return; // comment lines inside a continuation
    if (buffer === '') startLine = i + 1;
    if (trimmed.endsWith('\\')) {
      buffer += `${trimmed.slice(0, -1)} `;
      return;
    }
    buffer += trimmed;
    const m = /^(\S+)\s*(.*)$/s.exec(buffer);
    if (m) out.push({ keyword: m[1].toUpperCase(), args: m[2].trim(), line: startLine });
    buffer = '';
  });
  if (buffer.trim() !== '') throw new Error(`Dockerfile ends inside a continued instruction (line ${startLine})`);
  return out;
}

/** JSON array form (`["a","b"]`) or whitespace-split shell form. */
export function instructionArgv(args: string): { json: boolean; argv: string[] } {
  if (args.startsWith('[')) {
    const parsed: unknown = JSON.parse(args);
    if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) throw new Error(`not a JSON string array: ${args}`);
    return { json: true, argv: parsed as string[] };
  }
  return { json: false, argv: args.split(/\s+/).filter((a) => a !== '') };
}

function parseCopy(ins: Instruction): CopyInstruction {
  const { argv } = instructionArgv(ins.args);
  let from: string | undefined;
  const rest: string[] = [];
  for (const a of argv) {
    if (a.startsWith('--from=')) from = a.slice('--from='.length);
    else if (!a.startsWith('--')) rest.push(a);
  }
  if (rest.length < 2) throw new Error(`line ${ins.line}: COPY needs a source and a destination: ${ins.args}`);
  return { line: ins.line, from, sources: rest.slice(0, -1), dest: rest[rest.length - 1] };
}

/** The build stages, in order, with their COPY instructions and final WORKDIR. */
export function parseStages(text: string): Stage[] {
  const stages: { name: string | undefined; index: number; baseImage: string; instructions: Instruction[]; copies: CopyInstruction[]; workdir: string }[] = [];
  for (const ins of parseInstructions(text)) {
    if (ins.keyword === 'FROM') {
      const m = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m) throw new Error(`line ${ins.line}: cannot parse FROM ${ins.args}`);
      stages.push({ name: m[2]?.toLowerCase(), index: stages.length, baseImage: m[1], instructions: [], copies: [], workdir: '/' });
      continue;
    }
    const stage = stages[stages.length - 1];
    if (stage === undefined) {
      if (ins.keyword === 'ARG') continue;
      throw new Error(`line ${ins.line}: ${ins.keyword} before the first FROM`);
    }
    stage.instructions.push(ins);
    if (ins.keyword === 'WORKDIR') stage.workdir = path.posix.resolve(stage.workdir, ins.args);
    if (ins.keyword === 'COPY' || ins.keyword === 'ADD') {
      const copy = parseCopy(ins);
      stage.copies.push({ ...copy, dest: path.posix.resolve(stage.workdir, copy.dest) + (copy.dest.endsWith('/') ? '/' : '') });
    }
  }
  return stages;
}

// ---------------------------------------------------------------------------------------------------
// .dockerignore

interface IgnoreRule {
  readonly exclude: boolean;
  readonly regex: RegExp;
}

function patternToRegex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      // `**/` matches any number of directories, including none.
      if (pattern[i + 2] === '/') {
        re += '(?:.*/)?';
        i += 2;
      } else {
        re += '.*';
        i += 1;
      }
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export function parseDockerignore(text: string): IgnoreRule[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const exclude = !l.startsWith('!');
      const pattern = path.posix.normalize((exclude ? l : l.slice(1)).trim()).replace(/^\/+/, '').replace(/\/+$/, '');
      return { exclude, regex: patternToRegex(pattern) };
    });
}

/** Whether .dockerignore keeps `relPath` out of the context: it or a parent matches, last rule wins. */
export function isIgnored(rules: readonly IgnoreRule[], relPath: string): boolean {
  const parts = path.posix.normalize(relPath).split('/');
  let ignored = false;
  for (const rule of rules) {
    for (let n = 1; n <= parts.length; n++) {
      if (rule.regex.test(parts.slice(0, n).join('/'))) {
        ignored = rule.exclude;
        break;
      }
    }
  }
  return ignored;
}

/** Every file under `relPath` (itself when a file), relative to root. */
export function filesUnder(root: string, relPath: string): string[] {
  const abs = path.join(root, relPath);
  const st = fs.lstatSync(abs);
  if (!st.isDirectory()) return [relPath];
  return fs.readdirSync(abs).flatMap((e) => filesUnder(root, path.posix.join(relPath, e)));
}

// ---------------------------------------------------------------------------------------------------
// Where an image path comes from

export type Origin = { kind: 'context'; path: string } | { kind: 'generated'; stage: string; path: string };

/**
 * Traces a path in a stage's filesystem back to the build context through the stage's COPYs (and
 * `COPY --from` chains into earlier stages); 'generated' when no COPY supplies it (made by RUN).
 */
export function originOf(stages: readonly Stage[], stageRef: Stage, imagePath: string, repoRoot: string): Origin {
  for (const copy of [...stageRef.copies].reverse()) {
    for (const src of copy.sources) {
      const srcIsDir = copy.from === undefined ? isDir(path.join(repoRoot, src)) : !path.posix.extname(src);
      const target = srcIsDir || !copy.dest.endsWith('/') ? copy.dest.replace(/\/$/, '') : path.posix.join(copy.dest, path.posix.basename(src));
      const rel = path.posix.relative(target, imagePath);
      if (rel.startsWith('..') || path.posix.isAbsolute(rel)) continue;
      if (rel !== '' && !srcIsDir) continue;
      const srcPath = rel === '' ? src : path.posix.join(src, rel);
      if (copy.from === undefined) return { kind: 'context', path: path.posix.normalize(srcPath) };
      const fromStage = stages.find((s) => s.name === copy.from?.toLowerCase() || String(s.index) === copy.from);
      if (fromStage === undefined) throw new Error(`COPY --from=${copy.from} names no stage`);
      return originOf(stages, fromStage, path.posix.resolve(fromStage.workdir, srcPath), repoRoot);
    }
  }
  return { kind: 'generated', stage: stageRef.name ?? String(stageRef.index), path: imagePath };
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
