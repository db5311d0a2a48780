/**
 * compose/ checked without a Docker engine: the compose file (services, ZooKeeper ensemble env,
 * a scalable broker service, health checks, volumes, dependencies), the Dockerfile's stages and the
 * context files they copy (through .dockerignore), and the entrypoint's environment → server.properties
 * rule, run for real in dry-run mode.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  COMPOSE_DIR,
  COMPOSE_FILE,
  DOCKERFILE,
  ENTRYPOINT_SCRIPT,
  HEALTHCHECK_SCRIPT,
  REPO_ROOT,
  commandOf,
  isObject,
  loadComposeFile,
  portsOf,
  type ComposeFile,
  type Service,
} from './support/compose-file';
import { validateComposeShape } from './support/compose-schema';
import { filesUnder, instructionArgv, isIgnored, originOf, parseDockerignore, parseStages, type Stage } from './support/dockerfile';
import { dryRun } from './support/entrypoint';

const ZK_SERVICES = ['zk1', 'zk2', 'zk3'];
const HEALTH_CONDITIONS = new Set(['service_started', 'service_healthy', 'service_completed_successfully']);

let compose: ComposeFile;
let stages: Stage[];
let runtime: Stage;

function service(name: string): Service {
  const s = compose.services.get(name);
  if (s === undefined) throw new Error(`compose file has no service ${name}`);
  return s;
}

/** The value of `--flag` in an argv. */
function flagValue(argv: readonly string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i < 0 ? undefined : argv[i + 1];
}

/** An absolute image path → the repo file the runtime stage got it from (throws when not copied). */
function repoFileFor(imagePath: string): string {
  const origin = originOf(stages, runtime, imagePath, REPO_ROOT);
  if (origin.kind !== 'context') throw new Error(`${imagePath} does not come from the build context (made in stage ${origin.stage})`);
  return path.join(REPO_ROOT, origin.path);
}

/** A command name as the image's PATH finds it (ENV PATH of the runtime stage), as an image path. */
function resolveOnImagePath(command: string): string {
  if (command.startsWith('/')) return command;
  const env = runtime.instructions.filter((i) => i.keyword === 'ENV').map((i) => i.args).join(' ');
  const m = /PATH=(\S+)/.exec(env);
  const dirs = (m?.[1] ?? '').split(':').filter((d) => d.startsWith('/'));
  for (const dir of dirs) {
    const candidate = path.posix.join(dir, command);
    const origin = originOf(stages, runtime, candidate, REPO_ROOT);
    if (origin.kind === 'context' && fs.existsSync(path.join(REPO_ROOT, origin.path))) return candidate;
  }
  throw new Error(`${command} is not on the image's PATH (${dirs.join(':')})`);
}

beforeAll(() => {
  compose = loadComposeFile();
  stages = parseStages(fs.readFileSync(DOCKERFILE, 'utf8'));
  const last = stages[stages.length - 1];
  if (last === undefined) throw new Error('compose/Dockerfile has no FROM');
  runtime = last;
});

describe('compose/docker-compose.yml', () => {
  test('parses, and defines the ZooKeeper ensemble, the broker service and the console', () => {
    expect(isObject(compose.raw.services)).toBe(true);
    for (const name of [...ZK_SERVICES, 'broker', 'console']) expect(compose.services.has(name)).toBe(true);
  });

  test('has the Compose Specification\'s shape (known keys, durations, port/volume syntax), and the check catches typos', () => {
    expect(validateComposeShape(compose.raw)).toEqual([]);
    const broken = JSON.parse(JSON.stringify(compose.raw)) as typeof compose.raw;
    const services = broken.services;
    if (!isObject(services) || !isObject(services.broker)) throw new Error('no broker service');
    services.broker.healthchek = services.broker.healthcheck;
    services.broker.stop_grace_period = '30 seconds';
    services.broker.ports = ['9092:9092:x'];
    expect(validateComposeShape(broken)).toEqual([
      "services.broker: unknown key 'healthchek'",
      "services.broker.stop_grace_period: '30 seconds' is not a duration",
      "services.broker.ports: bad entry '9092:9092:x'",
    ]);
  });

  test('ZooKeeper: official image, unique ZOO_MY_ID 1..3, ZOO_SERVERS naming all three with quorum/election/client ports', () => {
    const ids = ZK_SERVICES.map((name) => service(name).environment.get('ZOO_MY_ID'));
    expect(ids.sort()).toEqual(['1', '2', '3']);
    for (const name of ZK_SERVICES) {
      const zk = service(name);
      expect(String(zk.raw.image)).toMatch(/^zookeeper:\d/);
      expect(zk.raw.container_name).toBeUndefined();
      const servers = (zk.environment.get('ZOO_SERVERS') ?? '').split(/\s+/).filter((s) => s !== '');
      const parsed = servers.map((s) => /^server\.(\d+)=([\w-]+):(\d+):(\d+)(?::\w+)?;(\d+)$/.exec(s));
      expect(parsed.every((m) => m !== null)).toBe(true);
      const entries = parsed.map((m) => ({ id: m?.[1], host: m?.[2], quorum: m?.[3], election: m?.[4], client: m?.[5] }));
      expect(entries).toEqual(ZK_SERVICES.map((host, i) => ({ id: String(i + 1), host, quorum: '2888', election: '3888', client: '2181' })));
      // This server's own entry is itself: ZOO_MY_ID=N sits on the service named by server.N.
      expect(entries.find((e) => e.id === zk.environment.get('ZOO_MY_ID'))?.host).toBe(name);
      const words = (zk.environment.get('ZOO_4LW_COMMANDS_WHITELIST') ?? '').split(',').map((w) => w.trim());
      expect(words).toEqual(expect.arrayContaining(['srvr', 'ruok', 'stat']));
      expect(zk.healthcheckTest?.join(' ')).toMatch(/zkServer\.sh status|ruok/);
      const targets = zk.volumes.filter((v) => v.kind === 'named').map((v) => v.target);
      expect(targets).toEqual(expect.arrayContaining(['/data', '/datalog']));
    }
  });

  test('the broker service scales: no container_name, no fixed host port, no fixed broker id', () => {
    const broker = service('broker');
    expect(broker.raw.container_name).toBeUndefined();
    expect(portsOf(broker).filter((p) => p.host !== undefined)).toEqual([]);
    expect(broker.raw.hostname).toBeUndefined();
    // Ids come from /brokers/seqid and listeners from the container hostname: neither may be pinned.
    for (const key of ['SAMSA_BROKER_ID', 'SAMSA_CFG_BROKER_ID', 'KAFKA_CFG_BROKER_ID', 'SAMSA_ADVERTISED_LISTENERS']) {
      expect(broker.environment.has(key)).toBe(false);
    }
    expect(broker.environment.get('SAMSA_CFG_BROKER_ID_GENERATION_ENABLE') ?? 'true').toBe('true');
  });

  test('the broker image is built from compose/Dockerfile with the repository root as context', () => {
    for (const name of ['broker', 'console']) {
      const build = service(name).raw.build;
      expect(isObject(build)).toBe(true);
      if (!isObject(build)) continue;
      expect(build.context).toBe('..');
      expect(build.dockerfile).toBe('compose/Dockerfile');
      const context = path.resolve(COMPOSE_DIR, String(build.context));
      expect(context).toBe(REPO_ROOT);
      expect(path.resolve(context, String(build.dockerfile))).toBe(DOCKERFILE);
    }
    expect(service('broker').raw.image).toBe(service('console').raw.image);
  });

  test('brokers and the console reach every ZooKeeper server by service name', () => {
    const expected = ZK_SERVICES.map((s) => `${s}:2181`).join(',');
    expect(service('broker').environment.get('SAMSA_ZOOKEEPER_CONNECT')).toBe(expected);
    const argv = commandOf(service('console'));
    expect(flagValue(argv, '--zookeeper')).toBe(expected);
    expect(flagValue(argv, '--bootstrap-server')).toBe('broker:9092');
  });

  test('the console runs bin/samsa-console on a published port, listening on every interface', () => {
    const console = service('console');
    const argv = commandOf(console);
    expect(argv[0]).toBe('samsa-console');
    const port = flagValue(argv, '--port');
    expect(port).toBeDefined();
    expect(portsOf(console).map((p) => p.container)).toContain(port);
    expect(flagValue(argv, '--host')).toBe('0.0.0.0');
    expect(console.healthcheckTest).toBeDefined();
  });

  test('every service has a health check, and the broker\'s script is in the image', () => {
    for (const s of compose.services.values()) {
      expect(s.healthcheckTest).toBeDefined();
      expect(['CMD', 'CMD-SHELL']).toContain(s.healthcheckTest?.[0]);
    }
    const test = service('broker').healthcheckTest ?? [];
    const script = test.find((a) => a.endsWith('.mjs'));
    expect(script).toBeDefined();
    expect(repoFileFor(script ?? '')).toBe(HEALTHCHECK_SCRIPT);
    const check = spawnSync(process.execPath, ['--check', HEALTHCHECK_SCRIPT], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  test('depends_on names existing services with valid conditions; service_healthy only on services with health checks', () => {
    for (const s of compose.services.values()) {
      for (const dep of s.dependsOn) {
        expect(compose.services.has(dep.service)).toBe(true);
        expect(HEALTH_CONDITIONS.has(dep.condition)).toBe(true);
        if (dep.condition === 'service_healthy') expect(compose.services.get(dep.service)?.healthcheckTest).toBeDefined();
      }
    }
    const brokerDeps = service('broker').dependsOn;
    expect(brokerDeps.map((d) => d.service).sort()).toEqual(ZK_SERVICES);
    expect(brokerDeps.every((d) => d.condition === 'service_healthy')).toBe(true);
    expect(service('console').dependsOn.map((d) => d.service)).toContain('broker');
  });

  test('every named volume is declared; the broker keeps its log dir on an anonymous (per-replica) volume', () => {
    for (const s of compose.services.values()) {
      for (const v of s.volumes.filter((m) => m.kind === 'named')) expect(compose.volumes.has(v.source ?? '')).toBe(true);
    }
    const logDirs = dryRun({ SAMSA_ZOOKEEPER_CONNECT: 'zk1:2181', HOSTNAME: 'h' }).properties.get('log.dirs');
    const brokerVolumes = service('broker').volumes;
    expect(brokerVolumes.filter((v) => v.kind === 'anonymous').map((v) => v.target)).toContain(logDirs);
    // A named volume would be shared by every replica of the scaled service (and so would its meta.properties).
    expect(brokerVolumes.filter((v) => v.kind !== 'anonymous')).toEqual([]);
  });

  test('the compose file is a readable path from the repository root', () => {
    expect(path.relative(REPO_ROOT, COMPOSE_FILE)).toBe('compose/docker-compose.yml');
  });
});

describe('compose/Dockerfile', () => {
  test('is multi-stage: a Node 20 build stage and a slim Node 20 runtime, stage names unique', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(s.baseImage).toMatch(/^node:20[\w.-]*$/);
    expect(runtime.baseImage).toMatch(/slim/);
    const names = stages.map((s) => s.name).filter((n) => n !== undefined);
    expect(new Set(names).size).toBe(names.length);
  });

  test('every COPY --from names an earlier stage', () => {
    for (const s of stages) {
      for (const copy of s.copies.filter((c) => c.from !== undefined)) {
        const from = stages.find((t) => t.name === copy.from?.toLowerCase() || String(t.index) === copy.from);
        expect(from).toBeDefined();
        expect(from?.index).toBeLessThan(s.index);
      }
    }
  });

  test('every COPY source from the build context exists and is not excluded by .dockerignore', () => {
    const ignore = parseDockerignore(fs.readFileSync(path.join(REPO_ROOT, '.dockerignore'), 'utf8'));
    const sources = stages.flatMap((s) => s.copies.filter((c) => c.from === undefined).flatMap((c) => c.sources));
    expect(sources.length).toBeGreaterThan(0);
    for (const src of sources) {
      expect(path.posix.isAbsolute(src) || src.startsWith('..')).toBe(false);
      expect(fs.existsSync(path.join(REPO_ROOT, src))).toBe(true);
      expect(isIgnored(ignore, src)).toBe(false);
      const kept = filesUnder(REPO_ROOT, src).filter((f) => !isIgnored(ignore, f));
      expect(kept.length).toBeGreaterThan(0);
    }
    // The files the runtime cannot do without survive .dockerignore.
    for (const f of ['broker/src/main.ts', 'bin/samsa-broker', 'bin/admin-tool', 'package-lock.json', 'compose/docker-entrypoint.sh', 'native/build.cjs', 'native/crc32c/src/crc32c.c']) {
      expect(isIgnored(ignore, f)).toBe(false);
    }
    // …and the heavy or host-specific ones stay out.
    // (a host-built addon would not load in the image: it is compiled there)
    for (const f of ['node_modules/tsx/package.json', '.git/HEAD', '.samsa/cluster.json', 'native/crc32c/build/Release/samsa_crc32c.node']) expect(isIgnored(ignore, f)).toBe(true);
  });

  test('the build stage installs the native-addon toolchain and runs npm ci, pruning dev dependencies', () => {
    const build = stages[0];
    const runs = build.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args).join('\n');
    for (const tool of ['python3', 'make', 'g++']) expect(runs).toContain(tool);
    expect(runs).toMatch(/npm ci\b/);
    expect(runs).toMatch(/npm prune --omit=dev/);
    expect(build.copies.flatMap((c) => c.sources)).toEqual(expect.arrayContaining(['package.json', 'package-lock.json']));
    // npm ci's postinstall compiles native/crc32c, so its sources are in place before it runs.
    const copyNative = build.instructions.findIndex((i) => i.keyword === 'COPY' && /(^|\s)native(\/)?\s/.test(`${i.args} `));
    const npmCi = build.instructions.findIndex((i) => i.keyword === 'RUN' && /npm ci\b/.test(i.args));
    expect(copyNative).toBeGreaterThanOrEqual(0);
    expect(copyNative).toBeLessThan(npmCi);
  });

  test('what the runtime loads survives the prune: tsx and the native addons are dependencies, not devDependencies', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    const deps = Object.keys(pkg.dependencies ?? {});
    // bin/samsa-broker runs broker/src/main.ts through tsx's loader.
    expect(fs.readFileSync(path.join(REPO_ROOT, 'bin', 'samsa-broker'), 'utf8')).toContain('node_modules/tsx/');
    for (const name of ['tsx', 'zookeeper', 'sse4_crc32', 'pino', 'yargs', 'kafkajs']) expect(deps).toContain(name);
    const nodeModules = originOf(stages, runtime, '/opt/samsa/node_modules', REPO_ROOT);
    expect(nodeModules.kind).toBe('generated'); // built by npm ci in the build stage, not copied from the host
    // native/ reaches the runtime through the build stage, where npm ci's postinstall compiled it
    // (the host's build/ stays out through .dockerignore, checked above).
    expect(runtime.copies.some((c) => c.from === 'build' && c.sources.includes('/opt/samsa/native'))).toBe(true);
    expect(originOf(stages, runtime, '/opt/samsa/native/crc32c/src/crc32c.c', REPO_ROOT)).toEqual({ kind: 'context', path: 'native/crc32c/src/crc32c.c' });
  });

  test('the runtime carries the sources, bin/, package.json and tsconfig.json, and runs as a non-root user', () => {
    for (const p of ['broker/src/main.ts', 'admin-cli/src/tools/kafka-topics.ts', 'bin/samsa-broker', 'package.json', 'tsconfig.json']) {
      expect(repoFileFor(path.posix.join(runtime.workdir, p))).toBe(path.join(REPO_ROOT, p));
    }
    const users = runtime.instructions.filter((i) => i.keyword === 'USER').map((i) => i.args);
    expect(users.length).toBeGreaterThan(0);
    expect(users[users.length - 1]).not.toMatch(/^(root|0)(:|$)/);
  });

  test('ENTRYPOINT is the entrypoint script (executable, bash -n clean) and CMD the broker on the image PATH', () => {
    const entrypoint = runtime.instructions.filter((i) => i.keyword === 'ENTRYPOINT').pop();
    const cmd = runtime.instructions.filter((i) => i.keyword === 'CMD').pop();
    expect(entrypoint).toBeDefined();
    expect(cmd).toBeDefined();
    const ep = instructionArgv(entrypoint?.args ?? '');
    expect(ep.json).toBe(true); // exec form: the script is PID 1's child directly, signals reach it
    expect(repoFileFor(ep.argv[0])).toBe(ENTRYPOINT_SCRIPT);
    fs.accessSync(ENTRYPOINT_SCRIPT, fs.constants.X_OK);
    const syntax = spawnSync('bash', ['-n', ENTRYPOINT_SCRIPT], { encoding: 'utf8' });
    expect(syntax.stderr).toBe('');
    expect(syntax.status).toBe(0);
    expect(fs.readFileSync(ENTRYPOINT_SCRIPT, 'utf8')).toMatch(/exec "\$SAMSA_HOME\/bin\/samsa-broker"/);
    const command = instructionArgv(cmd?.args ?? '');
    expect(command.argv[0]).toBe('samsa-broker');
    fs.accessSync(repoFileFor(resolveOnImagePath('samsa-broker')), fs.constants.X_OK);
  });

  test('the console command resolves on the image PATH (bin/samsa-console, from the console work)', () => {
    const bin = path.join(REPO_ROOT, 'bin', 'samsa-console');
    if (!fs.existsSync(bin)) {
      process.stderr.write('compose-static.test.ts: bin/samsa-console does not exist yet; the console service cannot start until it does\n');
    }
    expect(fs.existsSync(bin)).toBe(true);
    fs.accessSync(repoFileFor(resolveOnImagePath('samsa-console')), fs.constants.X_OK);
  });
});

describe('docker-entrypoint.sh: environment → server.properties', () => {
  test('defaults: bind all interfaces, advertise the container hostname, no broker.id (generated via /brokers/seqid)', () => {
    const run = dryRun({ SAMSA_ZOOKEEPER_CONNECT: 'zk1:2181,zk2:2181,zk3:2181', HOSTNAME: '3f2a9c1b7d4e' });
    expect(run.status).toBe(0);
    expect(Object.fromEntries(run.properties)).toEqual({
      'zookeeper.connect': 'zk1:2181,zk2:2181,zk3:2181',
      listeners: 'PLAINTEXT://0.0.0.0:9092',
      'advertised.listeners': 'PLAINTEXT://3f2a9c1b7d4e:9092',
      'log.dirs': '/var/lib/samsa/data',
      'broker.id.generation.enable': 'true',
    });
    expect(run.stderr).toMatch(/^exec \S+\/bin\/samsa-broker \S+\/server\.properties\s*$/m);
  });

  test('named variables set their keys; SAMSA_BROKER_ID pins an id', () => {
    const run = dryRun({
      SAMSA_ZOOKEEPER_CONNECT: 'zk:2181/samsa',
      SAMSA_LISTENERS: 'PLAINTEXT://0.0.0.0:9092,EXTERNAL://0.0.0.0:19092',
      SAMSA_ADVERTISED_LISTENERS: 'PLAINTEXT://b1:9092,EXTERNAL://localhost:19092',
      SAMSA_LOG_DIRS: '/d1,/d2',
      SAMSA_BROKER_ID: '7',
    });
    expect(run.status).toBe(0);
    expect(run.properties.get('zookeeper.connect')).toBe('zk:2181/samsa');
    expect(run.properties.get('listeners')).toBe('PLAINTEXT://0.0.0.0:9092,EXTERNAL://0.0.0.0:19092');
    expect(run.properties.get('advertised.listeners')).toBe('PLAINTEXT://b1:9092,EXTERNAL://localhost:19092');
    expect(run.properties.get('log.dirs')).toBe('/d1,/d2');
    expect(run.properties.get('broker.id')).toBe('7');
  });

  test('SAMSA_CFG_/KAFKA_CFG_<NAME>: lower case, `_` → `.`, `__` → `_`, `___` → `-`; SAMSA_CFG_ wins', () => {
    const run = dryRun({
      SAMSA_ZOOKEEPER_CONNECT: 'zk:2181',
      HOSTNAME: 'h',
      SAMSA_CFG_ZOOKEEPER_SESSION_TIMEOUT_MS: '6000',
      KAFKA_CFG_NUM_PARTITIONS: '2',
      SAMSA_CFG_NUM_PARTITIONS: '3',
      KAFKA_CFG_DEFAULT_REPLICATION_FACTOR: '3',
      SAMSA_CFG_LISTENER_NAME_EXTERNAL_SOME__KEY: 'x',
      SAMSA_CFG_A___B: 'dash',
      SAMSA_CFG_LOG_DIRS: '/from-cfg',
      SAMSA_LOG_DIRS: '/from-named',
      SAMSA_CFG_SSL_KEYSTORE_LOCATION: 'C:\\keys\\broker.jks',
    });
    expect(run.status).toBe(0);
    expect(run.properties.get('zookeeper.session.timeout.ms')).toBe('6000');
    expect(run.properties.get('num.partitions')).toBe('3');
    expect(run.properties.get('default.replication.factor')).toBe('3');
    expect(run.properties.get('listener.name.external.some_key')).toBe('x');
    expect(run.properties.get('a-b')).toBe('dash');
    expect(run.properties.get('log.dirs')).toBe('/from-cfg');
    // Backslashes are escaped, so the broker's properties reader gets the value back unchanged.
    expect(run.properties.get('ssl.keystore.location')).toBe('C:\\\\keys\\\\broker.jks');
  });

  test('no SAMSA_ZOOKEEPER_CONNECT is one clear line and exit 1', () => {
    const run = dryRun({ HOSTNAME: 'h' });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe('docker-entrypoint: SAMSA_ZOOKEEPER_CONNECT is not set (e.g. zk1:2181,zk2:2181,zk3:2181)');
  });

  test('option arguments go to samsa-broker; another command runs as given (the console, admin tools)', () => {
    const run = dryRun({ SAMSA_ZOOKEEPER_CONNECT: 'zk:2181' }, ['samsa-broker', '--override', 'num.partitions=6']);
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/server\.properties --override num\.partitions=6\s*$/m);
    const other = dryRun({}, ['echo', 'hello from', 'the image']);
    expect(other.status).toBe(0);
    expect(other.stdout).toBe('hello from the image\n');
  });
});
