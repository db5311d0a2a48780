// Builds Samsa's native addons (native/crc32c: the three-way CRC-32C) at `npm ci`, with the node-gyp
// npm ships. A failed build does not fail the install: the broker then uses the portable CRC
// (sse4_crc32), which is correct but slower, and says so here.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const gyp = process.env.npm_config_node_gyp;
const addon = path.join(__dirname, 'crc32c');
const result = gyp
  ? spawnSync(process.execPath, [gyp, 'rebuild', '--loglevel=error'], { cwd: addon, stdio: ['ignore', 'ignore', 'inherit'] })
  : { status: null, error: new Error('run it through npm (npm ci / npm rebuild), which provides node-gyp') };
if (result.status !== 0) {
  const why = result.error ? result.error.message : `node-gyp exited with ${result.status}`;
  process.stderr.write(`samsa: native CRC-32C addon not built (${why}); the broker will use the slower portable CRC-32C\n`);
}
