// node jmespath (Debian's node-jmespath) on the benchmark event: prints {"field": ns, "join": ns}
// (ns per evaluation). Its public API, search(data, expression), parses on every call; that is
// what is measured (compare with BM_CompileEvaluate too).
'use strict';
const fs = require('fs');
const path = require('path');
const jmespath = require(process.env.JMESPATH_JS || '/usr/share/nodejs/jmespath');

const EXPRESSIONS = {
  field: 'data.customer_id',
  join: "join('-', [metadata.source, data.customer_id])",
};
const EXPECTED = {field: 'cus_9a8b7c6d5e4f3a2b', join: 'checkout-service-cus_9a8b7c6d5e4f3a2b'};

function nsPerCall(fn) {
  // Warm up the JIT, then take the best of several timed rounds.
  for (let i = 0; i < 200000; ++i) fn();
  let best = Infinity;
  const n = 200000;
  for (let round = 0; round < 5; ++round) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; ++i) fn();
    const ns = Number(process.hrtime.bigint() - start) / n;
    best = Math.min(best, ns);
  }
  return best;
}

const file = process.argv[2] || path.join(__dirname, 'data', 'jmespath_event.json');
const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
const out = {version: require('/usr/share/nodejs/jmespath/package.json').version};
let sink = 0;
for (const [name, expression] of Object.entries(EXPRESSIONS)) {
  if (jmespath.search(doc, expression) !== EXPECTED[name]) throw new Error('wrong result: ' + name);
  out[name] = nsPerCall(() => { sink += jmespath.search(doc, expression).length; });
}
if (sink === 0) throw new Error('unreachable');
console.log(JSON.stringify(out));
