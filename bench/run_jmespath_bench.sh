#!/usr/bin/env bash
# Builds and runs the JMESPath benchmark and its two peers on the same ~1 KB event, then prints
# ns/eval for each and our speed-up. Usage: bench/run_jmespath_bench.sh [build-dir]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build-bench}"
data="$root/bench/data/jmespath_event.json"

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DEVENTDEST_BUILD_BENCH=ON \
  -DEVENTDEST_BUILD_TESTS=OFF -DEVENTDEST_BUILD_TOOLS=OFF -DEVENTDEST_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$build" -j2 --target jmespath_bench >/dev/null

"$build/bench/jmespath_bench" --benchmark_format=json --benchmark_min_time=1 \
  >"$build/jmespath_ours.json" 2>/dev/null
/usr/bin/python3 "$root/bench/jmespath_peers.py" "$data" >"$build/jmespath_python.json"
NODE_PATH=/usr/share/nodejs node "$root/bench/jmespath_peers.js" "$data" >"$build/jmespath_node.json"

/usr/bin/python3 - "$build" <<'PY'
import json, sys, pathlib
build = pathlib.Path(sys.argv[1])
ours = {b["name"]: b["real_time"] for b in json.loads((build / "jmespath_ours.json").read_text())["benchmarks"]}
py = json.loads((build / "jmespath_python.json").read_text())
node = json.loads((build / "jmespath_node.json").read_text())
exprs = {"field": "data.customer_id", "join": "join('-', [metadata.source, data.customer_id])"}
print("JMESPath, ns per evaluation on the ~1 KB event bench/data/jmespath_event.json")
print(f"{'expression':50} {'eventdest':>10} {'python':>10} {'node':>10} {'vs py':>8} {'vs node':>8}")
for key, text in exprs.items():
    us = ours[f"BM_Evaluate/{key}"]
    print(f"{text:50} {us:10.1f} {py[key]:10.1f} {node[key]:10.1f} {py[key]/us:7.0f}x {node[key]/us:7.0f}x")
print()
print("other eventdest forms (ns): " + ", ".join(f"{k}={v:.1f}" for k, v in ours.items()
                                                 if not k.startswith("BM_Evaluate/")))
print(f"peers: python3-jmespath {py['version']} (compiled once), node jmespath {node['version']} "
      "(search() parses per call; compare BM_CompileEvaluate)")
PY
