// The broker container's health check: healthy once this broker is a registered member of the
// cluster, i.e. a Metadata request to its own listener lists its advertised endpoint and a
// controller. (An open port alone says little: the socket server binds before registration, and the
// broker's metadata only names itself after the controller's UpdateMetadata.) Plain Node, no
// dependencies and no tsx, so it costs ~50 ms every interval.
//
// node broker-healthcheck.mjs [server.properties]   (default $SAMSA_CONFIG_FILE, else
// <this script's dir>/../config/server.properties — where docker-entrypoint.sh writes it).
// Exit 0 = healthy; 1 = not (one line on stderr says why).
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TIMEOUT_MS = 3000;
const METADATA = 3;
const METADATA_VERSION = 1;

function fail(reason) {
  process.stderr.write(`unhealthy: ${reason}\n`);
  process.exit(1);
}

/** key=value lines (the entrypoint writes plain ones; comments and blanks skipped). */
function readProperties(file) {
  const props = new Map();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('!')) continue;
    const eq = trimmed.search(/[=:]/);
    if (eq > 0) props.set(trimmed.slice(0, eq).trim(), trimmed.slice(eq + 1).trim());
  }
  return props;
}

/** `NAME://host:port,…` → [{ name, host, port }]. */
function parseListeners(text) {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const m = /^([A-Za-z0-9_]+):\/\/\[?([^\]]*)\]?:(\d+)$/.exec(s);
      if (!m) fail(`cannot parse listener '${s}'`);
      return { name: m[1].toUpperCase(), host: m[2], port: Number(m[3]) };
    });
}

/** Metadata v1 for no topics: header v1 (api key, version, correlation id, client id), topics = []. */
function metadataRequest() {
  const clientId = Buffer.from('samsa-healthcheck');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length + 4);
  let o = 0;
  o = body.writeInt16BE(METADATA, o);
  o = body.writeInt16BE(METADATA_VERSION, o);
  o = body.writeInt32BE(1, o);
  o = body.writeInt16BE(clientId.length, o);
  o += clientId.copy(body, o);
  body.writeInt32BE(0, o);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

/** Metadata v1 response → { brokers: [{ nodeId, host, port }], controllerId }. */
function parseMetadataResponse(buf) {
  let o = 4; // correlation id
  const brokerCount = buf.readInt32BE(o);
  o += 4;
  const brokers = [];
  for (let i = 0; i < brokerCount; i++) {
    const nodeId = buf.readInt32BE(o);
    o += 4;
    const hostLength = buf.readInt16BE(o);
    o += 2;
    const host = buf.toString('utf8', o, o + hostLength);
    o += hostLength;
    const port = buf.readInt32BE(o);
    o += 4;
    const rackLength = buf.readInt16BE(o);
    o += 2 + Math.max(rackLength, 0);
    brokers.push({ nodeId, host, port });
  }
  return { brokers, controllerId: buf.readInt32BE(o) };
}

function fetchMetadata(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let data = Buffer.alloc(0);
    socket.setTimeout(TIMEOUT_MS, () => socket.destroy(new Error(`no answer on 127.0.0.1:${port} within ${TIMEOUT_MS} ms`)));
    socket.on('connect', () => socket.write(metadataRequest()));
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      if (data.length >= 4 && data.length >= 4 + data.readInt32BE(0)) {
        socket.end();
        try {
          resolve(parseMetadataResponse(data.subarray(4, 4 + data.readInt32BE(0))));
        } catch (err) {
          reject(err);
        }
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error('connection closed before a response')));
  });
}

const here = path.dirname(fileURLToPath(import.meta.url));
const configFile = process.argv[2] ?? process.env.SAMSA_CONFIG_FILE ?? path.join(here, '..', 'config', 'server.properties');
let props;
try {
  props = readProperties(configFile);
} catch (err) {
  fail(`cannot read ${configFile}: ${err.code ?? err.message}`);
}
const listeners = parseListeners(props.get('listeners') ?? 'PLAINTEXT://:9092');
const advertised = parseListeners(props.get('advertised.listeners') ?? props.get('listeners') ?? 'PLAINTEXT://:9092');
const own = advertised[0];
const local = listeners.find((l) => l.name === own.name) ?? listeners[0];

try {
  const { brokers, controllerId } = await fetchMetadata(local.port);
  const me = brokers.find((b) => b.host === own.host && b.port === own.port);
  if (!me) fail(`${own.host}:${own.port} is not among the registered brokers yet (${brokers.map((b) => `${b.nodeId}@${b.host}:${b.port}`).join(', ') || 'none'})`);
  if (controllerId < 0) fail('no controller known yet');
  process.stdout.write(`healthy: broker ${me.nodeId} at ${own.host}:${own.port}, controller ${controllerId}\n`);
  process.exit(0);
} catch (err) {
  fail(err.message);
}
