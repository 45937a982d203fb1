// Reads NDJSON lines {"input": ..., "schema": ...} on stdin and prints, per line, `true` or
// `false`: simple-json-match's verdict (the reference implementation, pinned in tools/peers).
// Usage: node simple_json_match.js <tools/peers/node_modules>
'use strict';
const path = require('path');
const modules = path.resolve(process.argv[2]);
const match = require(path.join(modules, 'simple-json-match')).default;
const lines = require('fs').readFileSync(0, 'utf8').split('\n');
const out = [];
for (const line of lines) {
  if (!line) continue;
  const c = JSON.parse(line);
  out.push(match(c.input, c.schema) ? 'true' : 'false');
}
process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
