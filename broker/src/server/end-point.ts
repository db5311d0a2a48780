/**
 * Listener endpoints (Kafka's EndPoint, listener.security.protocol.map parsing and
 * CoreUtils.listenerListToEndPoints). Kept apart from KafkaConfig because listener parsing is a
 * self-contained grammar with its own validation rules; config.ts re-exports it.
 */
import { SECURITY_PROTOCOLS } from './config-keys';
import { check, ConfigException } from './config-exception';

export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];

/** One listener endpoint (Kafka's EndPoint). host '' = bind all interfaces. */
export interface EndPoint {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly securityProtocol: SecurityProtocol;
}

const LISTENER_RE = /^(.*):\/\/\[?([0-9a-zA-Z\-%._:]*)\]?:(-?[0-9]+)$/;

/** Kafka's listener.security.protocol.map parsing: NAME:PROTOCOL pairs, names normalised to upper case. */
export function parseProtocolMap(text: string): Map<string, SecurityProtocol> {
  const out = new Map<string, SecurityProtocol>();
  const key = 'listener.security.protocol.map';
  for (const entry of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const colon = entry.lastIndexOf(':');
    if (colon <= 0) throw ConfigException.invalid(key, text, `Map entry '${entry}' is not of the form 'key:value'`);
    const name = entry.slice(0, colon).trim().toUpperCase();
    const protocol = entry.slice(colon + 1).trim().toUpperCase();
    if (!(SECURITY_PROTOCOLS as readonly string[]).includes(protocol)) {
      throw ConfigException.invalid(key, text, `No enum constant org.apache.kafka.common.security.auth.SecurityProtocol.${protocol}`);
    }
    if (out.has(name)) throw ConfigException.invalid(key, text, `Duplicate listener name ${name}`);
    out.set(name, protocol as SecurityProtocol);
  }
  return out;
}

/**
 * Kafka's CoreUtils.listenerListToEndPoints: `NAME://host:port` entries (IPv6 in brackets, empty
 * host = all interfaces), names upper-cased and looked up in the protocol map, then validated:
 * distinct names, distinct ports (port 0 excepted).
 */
export function parseListeners(text: string, protocolMap: ReadonlyMap<string, SecurityProtocol>, key = 'listeners'): EndPoint[] {
  const entries = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const endpoints = entries.map((entry): EndPoint => {
    const m = LISTENER_RE.exec(entry);
    if (!m) throw ConfigException.invalid(key, text, `Unable to parse ${entry} to a broker endpoint`);
    const name = (m[1] as string).toUpperCase();
    const port = Number(m[3]);
    if (port < 0 || port > 65535) throw ConfigException.invalid(key, text, `Invalid port ${m[3]} in ${entry}`);
    const protocol = protocolMap.get(name);
    if (!protocol) throw ConfigException.invalid(key, text, `No security protocol defined for listener ${name}`);
    return { name, host: m[2] as string, port, securityProtocol: protocol };
  });
  const names = endpoints.map((e) => e.name);
  check(new Set(names).size === names.length, `requirement failed: Each listener must have a different name, listeners: ${text}`, key);
  const ports = endpoints.map((e) => e.port).filter((p) => p !== 0);
  check(new Set(ports).size === ports.length, `requirement failed: Each listener must have a different port, listeners: ${text}`, key);
  return endpoints;
}
