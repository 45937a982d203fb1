// simple-json-match (the reference, from tools/peers/node_modules) on the filter benchmark's
// event and filter: prints {"ns": <ns per match>, "result": <bool>, "version": ...}.
// Usage: node filter_peer.js <node_modules> <event document JSON file> <filter JSON file>
'use strict';
const fs = require('fs');
const path = require('path');
const modules = path.resolve(process.argv[2]);
const match = require(path.join(modules, 'simple-json-match')).default;
const version = require(path.join(modules, 'simple-json-match', 'package.json')).version;
const doc = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
const schema = JSON.parse(fs.readFileSync(process.argv[4], 'utf8'));

let sink = 0;
const once = () => { if (match(doc, schema)) ++sink; };
for (let i = 0; i < 200000; ++i) once();  // warm up the JIT
let best = Infinity;
const n = 200000;
for (let round = 0; round < 5; ++round) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; ++i) once();
  best = Math.min(best, Number(process.hrtime.bigint() - start) / n);
}
process.stdout.write(JSON.stringify({ns: best, result: match(doc, schema), version, sink}) + '\n');
