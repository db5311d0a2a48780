/**
 * compose/docker-compose.yml as data: parsed with the `yaml` package (merge keys on, as Compose
 * reads them), with the short/long forms Compose accepts normalised (environment as a list or a map,
 * depends_on as a list or a map, volumes as strings or objects).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const COMPOSE_DIR = path.join(REPO_ROOT, 'compose');
export const COMPOSE_FILE = path.join(COMPOSE_DIR, 'docker-compose.yml');
export const DOCKERFILE = path.join(COMPOSE_DIR, 'Dockerfile');
export const ENTRYPOINT_SCRIPT = path.join(COMPOSE_DIR, 'docker-entrypoint.sh');
export const HEALTHCHECK_SCRIPT = path.join(COMPOSE_DIR, 'broker-healthcheck.mjs');

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface VolumeMount {
  /** Named volume or host path; undefined for an anonymous volume. */
  readonly source: string | undefined;
  readonly target: string;
  readonly kind: 'named' | 'anonymous' | 'bind';
}

export interface DependsOn {
  readonly service: string;
  readonly condition: string;
}

export interface Service {
  readonly name: string;
  readonly raw: JsonObject;
  readonly environment: ReadonlyMap<string, string>;
  readonly dependsOn: readonly DependsOn[];
  readonly volumes: readonly VolumeMount[];
  readonly healthcheckTest: readonly string[] | undefined;
}

export interface ComposeFile {
  readonly services: ReadonlyMap<string, Service>;
  readonly volumes: ReadonlySet<string>;
  readonly raw: JsonObject;
}

export function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function scalar(v: Json | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') throw new Error(`expected a scalar, got ${JSON.stringify(v)}`);
  return String(v);
}

function environmentOf(v: Json | undefined): Map<string, string> {
  const env = new Map<string, string>();
  if (Array.isArray(v)) {
    for (const entry of v) {
      const text = scalar(entry);
      const eq = text.indexOf('=');
      env.set(eq < 0 ? text : text.slice(0, eq), eq < 0 ? '' : text.slice(eq + 1));
    }
  } else if (isObject(v)) {
    for (const [k, value] of Object.entries(v)) env.set(k, scalar(value));
  }
  return env;
}

function dependsOnOf(v: Json | undefined): DependsOn[] {
  if (Array.isArray(v)) return v.map((s) => ({ service: scalar(s), condition: 'service_started' }));
  if (isObject(v)) {
    return Object.entries(v).map(([service, spec]) => ({
      service,
      condition: isObject(spec) && spec.condition !== undefined ? scalar(spec.condition) : 'service_started',
    }));
  }
  return [];
}

function volumesOf(v: Json | undefined): VolumeMount[] {
  if (!Array.isArray(v)) return [];
  return v.map((entry) => {
    if (isObject(entry)) {
      const type = scalar(entry.type);
      const source = entry.source === undefined ? undefined : scalar(entry.source);
      return { source, target: scalar(entry.target), kind: type === 'bind' ? 'bind' : source === undefined ? 'anonymous' : 'named' };
    }
    const parts = scalar(entry).split(':');
    if (parts.length === 1) return { source: undefined, target: parts[0], kind: 'anonymous' };
    const source = parts[0];
    const bind = source.startsWith('/') || source.startsWith('.') || source.startsWith('~');
    return { source, target: parts[1], kind: bind ? 'bind' : 'named' };
  });
}

function healthcheckOf(v: Json | undefined): string[] | undefined {
  if (!isObject(v) || v.test === undefined) return undefined;
  const test = v.test;
  if (typeof test === 'string') return ['CMD-SHELL', test];
  if (Array.isArray(test)) return test.map(scalar);
  return undefined;
}

export function loadComposeFile(file = COMPOSE_FILE): ComposeFile {
  const raw = parse(fs.readFileSync(file, 'utf8'), { merge: true }) as Json;
  if (!isObject(raw)) throw new Error(`${file} is not a mapping`);
  const services = new Map<string, Service>();
  if (isObject(raw.services)) {
    for (const [name, spec] of Object.entries(raw.services)) {
      if (!isObject(spec)) throw new Error(`service ${name} is not a mapping`);
      services.set(name, {
        name,
        raw: spec,
        environment: environmentOf(spec.environment),
        dependsOn: dependsOnOf(spec.depends_on),
        volumes: volumesOf(spec.volumes),
        healthcheckTest: healthcheckOf(spec.healthcheck),
      });
    }
  }
  const volumes = new Set(isObject(raw.volumes) ? Object.keys(raw.volumes) : []);
  return { services, volumes, raw };
}

/** Compose's `ports` entries → { host, container } (host undefined = an ephemeral host port). */
export function portsOf(service: Service): { host: string | undefined; container: string }[] {
  const ports = service.raw.ports;
  if (!Array.isArray(ports)) return [];
  return ports.map((p) => {
    if (isObject(p)) return { host: p.published === undefined ? undefined : scalar(p.published), container: scalar(p.target) };
    const parts = scalar(p).split(':');
    const container = parts[parts.length - 1].replace(/\/(tcp|udp)$/, '');
    return { host: parts.length >= 2 ? parts[parts.length - 2] : undefined, container };
  });
}

/** A service's command as an argv (list form, or a shell-form string split on whitespace). */
export function commandOf(service: Service): string[] {
  const c = service.raw.command;
  if (Array.isArray(c)) return c.map(scalar);
  if (typeof c === 'string') return c.split(/\s+/).filter((a) => a !== '');
  return [];
}
