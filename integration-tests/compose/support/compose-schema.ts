/**
 * A structural check of a compose file against the Compose Specification's shape, for the parts a
 * typo would silently break (Compose rejects unknown keys, but only where an engine runs it): known
 * top-level, service, build, healthcheck, deploy and depends_on keys, duration strings, port and
 * volume syntax, scalar environment values. `x-*` extension fields are allowed everywhere.
 * Returns one message per problem ([] = fine).
 */
import { isObject, type Json } from './compose-file';

const TOP_LEVEL = new Set(['version', 'name', 'include', 'services', 'networks', 'volumes', 'configs', 'secrets', 'models']);

const SERVICE_KEYS = new Set([
  'annotations', 'attach', 'blkio_config', 'build', 'cap_add', 'cap_drop', 'cgroup', 'cgroup_parent', 'command', 'configs',
  'container_name', 'cpu_count', 'cpu_percent', 'cpu_period', 'cpu_quota', 'cpu_rt_period', 'cpu_rt_runtime', 'cpu_shares',
  'cpus', 'cpuset', 'credential_spec', 'depends_on', 'deploy', 'develop', 'device_cgroup_rules', 'devices', 'dns', 'dns_opt',
  'dns_search', 'domainname', 'entrypoint', 'env_file', 'environment', 'expose', 'extends', 'external_links', 'extra_hosts',
  'gpus', 'group_add', 'healthcheck', 'hostname', 'image', 'init', 'ipc', 'isolation', 'labels', 'links', 'logging',
  'mac_address', 'mem_limit', 'mem_reservation', 'mem_swappiness', 'memswap_limit', 'network_mode', 'networks',
  'oom_kill_disable', 'oom_score_adj', 'pid', 'pids_limit', 'platform', 'ports', 'post_start', 'pre_stop', 'privileged',
  'profiles', 'pull_policy', 'read_only', 'restart', 'runtime', 'scale', 'secrets', 'security_opt', 'shm_size', 'stdin_open',
  'stop_grace_period', 'stop_signal', 'storage_opt', 'sysctls', 'tmpfs', 'tty', 'ulimits', 'user', 'userns_mode', 'uts',
  'volumes', 'volumes_from', 'working_dir',
]);

const BUILD_KEYS = new Set([
  'context', 'dockerfile', 'dockerfile_inline', 'args', 'ssh', 'labels', 'cache_from', 'cache_to', 'no_cache',
  'additional_contexts', 'network', 'pull', 'target', 'shm_size', 'extra_hosts', 'isolation', 'privileged', 'secrets',
  'tags', 'ulimits', 'platforms', 'entitlements',
]);
const HEALTHCHECK_KEYS = new Set(['test', 'interval', 'timeout', 'retries', 'start_period', 'start_interval', 'disable']);
const DEPLOY_KEYS = new Set(['mode', 'endpoint_mode', 'replicas', 'labels', 'rollback_config', 'update_config', 'resources', 'restart_policy', 'placement']);
const DEPENDS_ON_KEYS = new Set(['condition', 'restart', 'required']);
const CONDITIONS = new Set(['service_started', 'service_healthy', 'service_completed_successfully']);
const RESTART = new Set(['no', 'always', 'on-failure', 'unless-stopped']);
/** Compose durations: Go's time.ParseDuration units, e.g. 1m30s, 500ms. */
const DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;
/** [[ip:]host[-range]:]container[-range][/proto], host part possibly an ${ENV:-default} interpolation. */
const PORT = /^(?:(?:[\d.]+:)?(?:\$\{[A-Z_][A-Z0-9_]*(?::?-[^}]*)?\}|\d+(?:-\d+)?)?:)?\d+(?:-\d+)?(?:\/(?:tcp|udp|sctp))?$/;
const VOLUME = /^(?:[^:]+:)?\/[^:]*(?::(?:ro|rw|z|Z|nocopy|consistent|cached|delegated)(?:,(?:ro|rw|z|Z|nocopy))*)?$/;

function unknownKeys(where: string, value: Json | undefined, allowed: ReadonlySet<string>, out: string[]): void {
  if (!isObject(value)) return;
  for (const key of Object.keys(value)) {
    if (!allowed.has(key) && !key.startsWith('x-')) out.push(`${where}: unknown key '${key}'`);
  }
}

function checkDuration(where: string, value: Json | undefined, out: string[]): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || !DURATION.test(value)) out.push(`${where}: '${String(value)}' is not a duration`);
}

function checkService(name: string, spec: Json, out: string[]): void {
  const where = `services.${name}`;
  if (!isObject(spec)) {
    out.push(`${where}: not a mapping`);
    return;
  }
  unknownKeys(where, spec, SERVICE_KEYS, out);
  if (spec.image === undefined && spec.build === undefined) out.push(`${where}: needs image or build`);
  if (isObject(spec.build)) unknownKeys(`${where}.build`, spec.build, BUILD_KEYS, out);
  else if (spec.build !== undefined && typeof spec.build !== 'string') out.push(`${where}.build: not a path or a mapping`);

  const hc = spec.healthcheck;
  if (hc !== undefined) {
    unknownKeys(`${where}.healthcheck`, hc, HEALTHCHECK_KEYS, out);
    if (isObject(hc)) {
      for (const k of ['interval', 'timeout', 'start_period', 'start_interval']) checkDuration(`${where}.healthcheck.${k}`, hc[k], out);
      if (hc.retries !== undefined && !Number.isInteger(hc.retries)) out.push(`${where}.healthcheck.retries: not an integer`);
      const test = hc.test;
      const testOk = typeof test === 'string' || (Array.isArray(test) && ['CMD', 'CMD-SHELL', 'NONE'].includes(String(test[0])) && test.every((a) => typeof a === 'string'));
      if (!testOk) out.push(`${where}.healthcheck.test: must be a string or ["CMD"|"CMD-SHELL", …]`);
    }
  }
  checkDuration(`${where}.stop_grace_period`, spec.stop_grace_period, out);
  if (spec.restart !== undefined && !RESTART.has(String(spec.restart).replace(/:\d+$/, ''))) out.push(`${where}.restart: '${String(spec.restart)}'`);
  if (spec.init !== undefined && typeof spec.init !== 'boolean') out.push(`${where}.init: not a boolean`);

  if (isObject(spec.deploy)) {
    unknownKeys(`${where}.deploy`, spec.deploy, DEPLOY_KEYS, out);
    const replicas = spec.deploy.replicas;
    if (replicas !== undefined && !(Number.isInteger(replicas) && Number(replicas) >= 0)) out.push(`${where}.deploy.replicas: not a count`);
  }

  if (isObject(spec.depends_on)) {
    for (const [dep, d] of Object.entries(spec.depends_on)) {
      unknownKeys(`${where}.depends_on.${dep}`, d, DEPENDS_ON_KEYS, out);
      if (isObject(d) && d.condition !== undefined && !CONDITIONS.has(String(d.condition))) out.push(`${where}.depends_on.${dep}.condition: '${String(d.condition)}'`);
    }
  } else if (spec.depends_on !== undefined && !Array.isArray(spec.depends_on)) out.push(`${where}.depends_on: not a list or mapping`);

  if (isObject(spec.environment)) {
    for (const [k, v] of Object.entries(spec.environment)) {
      if (v !== null && typeof v === 'object') out.push(`${where}.environment.${k}: not a scalar`);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) out.push(`${where}.environment: bad name '${k}'`);
    }
  } else if (spec.environment !== undefined && !Array.isArray(spec.environment)) out.push(`${where}.environment: not a list or mapping`);

  for (const [key, pattern] of [['ports', PORT], ['volumes', VOLUME]] as const) {
    const list = spec[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      out.push(`${where}.${key}: not a list`);
      continue;
    }
    for (const entry of list) {
      if (typeof entry === 'string' && !pattern.test(entry)) out.push(`${where}.${key}: bad entry '${entry}'`);
      else if (typeof entry !== 'string' && !isObject(entry)) out.push(`${where}.${key}: bad entry ${JSON.stringify(entry)}`);
    }
  }
  if (Array.isArray(spec.expose) && !spec.expose.every((p) => /^\d+(-\d+)?(\/(tcp|udp))?$/.test(String(p)))) out.push(`${where}.expose: bad port`);
  for (const key of ['command', 'entrypoint']) {
    const v = spec[key];
    if (v !== undefined && typeof v !== 'string' && !(Array.isArray(v) && v.every((a) => typeof a === 'string'))) {
      out.push(`${where}.${key}: must be a string or a list of strings (quote numbers)`);
    }
  }
}

export function validateComposeShape(raw: Json): string[] {
  const out: string[] = [];
  if (!isObject(raw)) return ['the file is not a mapping'];
  unknownKeys('top level', raw, TOP_LEVEL, out);
  if (!isObject(raw.services)) return [...out, 'services: missing or not a mapping'];
  for (const [name, spec] of Object.entries(raw.services)) {
    if (!/^[a-z0-9][a-z0-9_.-]*$/.test(name)) out.push(`services: bad service name '${name}'`);
    checkService(name, spec, out);
  }
  if (raw.volumes !== undefined && !isObject(raw.volumes)) out.push('volumes: not a mapping');
  return out;
}
