#!/usr/bin/env bash
# `eventdest publish` end to end (an NDJSON file in, reports to /dev/null) against the library
# publishing the same events to the same sink (bench/library_publish.cpp: events parsed before the
# clock starts, a callback that only counts; and again parsing each line inside the clock, as a
# service reading NDJSON would), in one run, for each destination type:
#   aws_kinesis  the fast acknowledging sink (bench_sink kinesis, its own process), next to boto3
#                put_records (500 a call) sending the same events' data (without the metadata the
#                CLI's records wrap it in) to the same sink
#   kafka_rest   the C++ REST Proxy v3 emulator (bench_sink rest, its own process)
#   kafka        a real Kafka 4.1.1 broker (scripts/kafka-broker.sh, PLAINTEXT), next to kcat -P
#                producing the same keys and values with the same settings (its headers are
#                static: kcat cannot vary them per message), and next to plain librdkafka
#                producing the same messages (kafka_bench --raw-file: the adapter's keys, headers
#                and librdkafka properties, messages built before its clock, timed after its
#                first delivery), each in the same alternating rounds as the CLI
# and prints each rate, the ratios and the CPU per event (on this shared VM the steadier figure).
#
#   bash bench/cli_bench.sh [EVENTS=200000] [BUILD_DIR=build-bench] [ROUNDS=3]
# BUILD_DIR must be configured with -DEVENTDEST_BUILD_BENCH=ON (see the README).
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-200000}
build=${2:-build-bench}
rounds=${3:-3}
cmake --build "$build" -j"$(nproc)" --target eventdest_cli bench_sink library_publish >/dev/null
# Plain librdkafka's side exists only where the Kafka adapter is built.
cmake --build "$build" -j"$(nproc)" --target kafka_bench >/dev/null 2>&1 || true
cli=$build/tools/eventdest/eventdest
# The CLI may run on jemalloc (EVENTDEST_CLI_JEMALLOC); the library benchmark, plain librdkafka and
# kcat run on the C library's malloc.
echo "CLI: $("$cli" --version | tr '\n' ' ')"
work=$(mktemp -d /tmp/eventdest-cli-bench-XXXXXX)
sink_pid=""
cleanup() {
  [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null || true
  [ -f "$work/broker/cluster.env" ] && bash scripts/kafka-broker.sh stop "$work/broker" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# ~300-byte order events, the data of kinesis_bench's events.
python3 - "$events" >"$work/events.ndjson" <<'EOF'
import sys
for i in range(int(sys.argv[1])):
    d = ('{"order_id":"o-%d","customer_id":"c-%d","total":129.90,"currency":"EUR",'
         '"items":[{"sku":"A1","qty":2,"price":19.95},{"sku":"B7","qty":1,"price":90.00}],'
         '"shipping":{"city":"Lisbon","country":"PT","method":"express"},"note":"') % (i, i % 1000)
    d += "x" * (300 - min(len(d), 290)) + '"}'
    print('{"topic":"orders","data":%s}' % d)
EOF

# cli_run SPEC: "events/s CPU-us/event" of one publish run (the rate from its summary line; the
# CPU of the whole process, start-up included).
cli_run() {
  python3 - "$cli" "$1" "$work/events.ndjson" "$events" <<'PY'
import re, resource, subprocess, sys
cli, spec, events, count = sys.argv[1:5]
before = resource.getrusage(resource.RUSAGE_CHILDREN)
run = subprocess.run([cli, "publish", "--destination", spec, "--input", events],
                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
after = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
rate = re.search(r"s, (\d+) events/s\)", run.stderr).group(1)
print(f"{rate}:{cpu * 1e6 / int(count):.3f}")
PY
}

# compare NAME SPEC [PEERS]: the library and the CLI, alternating, ROUNDS each; prints medians and
# ratios, and the CPU per event of each. PEERS, a function, runs the peers' side of each round in
# the same alternation (a broker's speed drifts as its log grows).
compare() {
  local name=$1 spec=$2 peers=${3:-} lib=() parsed=() ours=()
  for ((r = 0; r < rounds; r++)); do
    lib+=("$("$build/bench/library_publish" "$spec" "$work/events.ndjson" | tr ' ' :)")
    parsed+=("$("$build/bench/library_publish" "$spec" "$work/events.ndjson" --parse-timed |
      tr ' ' :)")
    ours+=("$(cli_run "$spec")")
    [ -z "$peers" ] || "$peers"
  done
  python3 - "$name" "${lib[*]}" "${parsed[*]}" "${ours[*]}" <<'EOF'
import statistics, sys
name = sys.argv[1]
lib, parsed, cli = ([tuple(float(v) for v in x.split(":")) for x in a.split()]
                    for a in sys.argv[2:5])
m = statistics.median
def rate(runs): return [r for r, _ in runs]
def cpu(runs): return m(c for _, c in runs)
print(f"{name}: library {min(rate(lib)):.0f}-{max(rate(lib)):.0f} events/s (events parsed "
      f"before the clock), {min(rate(parsed)):.0f}-{max(rate(parsed)):.0f} (each line parsed in "
      f"the clock), CLI {min(rate(cli)):.0f}-{max(rate(cli)):.0f} events/s: CLI/library "
      f"{m(rate(cli)) / m(rate(lib)):.2f}, CLI/library parsing "
      f"{m(rate(cli)) / m(rate(parsed)):.2f}; CPU per event {cpu(lib):.2f}, {cpu(parsed):.2f}, "
      f"CLI {cpu(cli):.2f} us (the library's inside its clock; the CLI's whole process) (medians)")
EOF
  python3 -c "import statistics, sys; print(statistics.median(float(x.split(':')[0]) for x in sys.argv[1:]))" \
    "${ours[@]}" >"$work/$name.cli_median"
}

start_sink() {  # start_sink KIND: sets sink_url
  coproc SINK { exec "$build/bench/bench_sink" "$1"; }
  sink_pid=$SINK_PID
  read -r sink_url <&"${SINK[0]}"
}
stop_sink() {
  kill "$sink_pid" 2>/dev/null || true
  wait "$sink_pid" 2>/dev/null || true
  sink_pid=""
}

start_sink kinesis
cat >"$work/kinesis.json" <<EOF
{"type":"aws_kinesis","config":{"stream_name":"bench","region":"us-east-1","endpoint":"$sink_url",
 "partition_key_template":"data.customer_id","linger_ms":5,"max_in_flight_requests":4},
 "credentials":{"key":"AKIDBENCH","secret":"bench-secret"}}
EOF
compare aws_kinesis "$work/kinesis.json"
if /usr/bin/python3 -c "import boto3" 2>/dev/null; then
  boto_events=$((events < 50000 ? events : 50000))
  boto_rates=()
  for ((r = 0; r < rounds; r++)); do
    boto_rates+=("$(/usr/bin/python3 bench/boto3_put_records.py "$sink_url" "$boto_events")")
  done
  python3 - "$(cat "$work/aws_kinesis.cli_median")" "$boto_events" "${boto_rates[*]}" <<'EOF'
import statistics, sys
cli, count = float(sys.argv[1]), sys.argv[2]
boto = [float(x) for x in sys.argv[3].split()]
print(f"aws_kinesis: boto3 put_records (500 a call, the events' data alone, {count} records) "
      f"{min(boto):.0f}-{max(boto):.0f} records/s: CLI/boto3 {cli / statistics.median(boto):.2f} "
      f"(medians)")
EOF
else
  echo "aws_kinesis: boto3 skipped (no python3-boto3: run scripts/setup.sh)"
fi
stop_sink

start_sink rest
cat >"$work/rest.json" <<EOF
{"type":"kafka_rest","config":{"bootstrap_servers":"$sink_url","cluster_id":"c1","topic":"orders",
 "partition_key_template":"data.customer_id","max_in_flight_requests":4}}
EOF
compare kafka_rest "$work/rest.json"
stop_sink

if KAFKA_OWNER_PID=$$ bash scripts/kafka-broker.sh start "$work/broker" >/dev/null 2>&1; then
  bash scripts/kafka-broker.sh topic "$work/broker" orders 3 >/dev/null
  brokers=$(sed -n 's/^KAFKA_PLAINTEXT=//p' "$work/broker/cluster.env")
  cat >"$work/kafka.json" <<EOF
{"type":"kafka","config":{"brokers":"$brokers","topic":"orders","tls":false,"sasl_mechanism":"none",
 "partition_key_template":"data.customer_id"}}
EOF
  have_raw=false have_kcat=false
  [ -x "$build/bench/kafka_bench" ] && have_raw=true
  if command -v kcat >/dev/null; then
    have_kcat=true
    # kcat producing the same messages as far as it can: the same key (customer_id) and value
    # (the event's data), the producer settings the adapter sets (acks=all, idempotence,
    # linger 5 ms), and the adapter's four headers, though static ones (kcat cannot vary them).
    python3 - "$work/events.ndjson" >"$work/kcat.tsv" <<'PY'
import json, sys
prefix = '{"topic":"orders","data":'
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    assert line.startswith(prefix) and line.endswith("}")
    data = line[len(prefix):-1]  # the data's own bytes, as the adapter sends them
    print(json.loads(data)["customer_id"] + "\t" + data)
PY
    # kcat twice: on the system's librdkafka (what a user runs) and on the CLI's. Versions differ
    # in more than speed: plain 2.12.1 waits ~0.5 s for the idempotent producer id (the adapter
    # does not, see README), 2.0.2 does not wait. The CLI is compared with the faster of the two.
    rdkafka_dir=$(dirname "$(ldd "$cli" | sed -n 's/.*librdkafka\.so\.1 => \([^ ]*\).*/\1/p')")
  fi
  kcat_run() {  # kcat_run [LD_LIBRARY_PATH]: events/s of one kcat -P run
    local start end
    start=$(date +%s.%N)
    LD_LIBRARY_PATH=${1:-} kcat -P -b "$brokers" -t orders -K $'\t' -X linger.ms=5 -X acks=all \
      -X enable.idempotence=true -H content-type=application/json \
      -H event-id=0b7e6f0a-3c51-4c1e-9d2f-8a4b5c6d7e8f -H topic=orders \
      -H timestamp=2026-12-05T12:00:00Z -l "$work/kcat.tsv"
    end=$(date +%s.%N)
    python3 -c "print(round($events / ($end - $start)))"
  }
  raw=() system_rates=() same_rates=()
  kafka_peers() {  # plain librdkafka and kcat, in each round of the CLI's alternation
    if $have_raw; then
      raw+=("$("$build/bench/kafka_bench" --raw-file "$work/kafka.json" "$work/events.ndjson" |
        tr ' ' :)")
    fi
    if $have_kcat; then
      system_rates+=("$(kcat_run)")
      same_rates+=("$(kcat_run "$rdkafka_dir")")
    fi
  }
  compare kafka "$work/kafka.json" kafka_peers
  if $have_raw; then
    python3 - "$(cat "$work/kafka.cli_median")" "${raw[*]}" <<'EOF'
import statistics, sys
cli = float(sys.argv[1])
raw = [tuple(float(v) for v in x.split(":")) for x in sys.argv[2].split()]
rates = [r for r, _ in raw]
cpu = statistics.median(c for _, c in raw)
print(f"kafka: plain librdkafka (same messages, keys, headers and properties; built before its "
      f"clock) {min(rates):.0f}-{max(rates):.0f} messages/s, CPU {cpu:.2f} us per message: "
      f"CLI/librdkafka {cli / statistics.median(rates):.2f} (medians)")
EOF
  fi
  if $have_kcat; then
    python3 - "$(cat "$work/kafka.cli_median")" "${system_rates[*]}" "${same_rates[*]}" <<'EOF'
import statistics, sys
cli = float(sys.argv[1])
system, same = ([float(x) for x in a.split()] for a in sys.argv[2:4])
m = statistics.median
print(f"kafka: kcat -P (same keys, values and settings; static headers) on the system's "
      f"librdkafka {min(system):.0f}-{max(system):.0f} events/s, on the CLI's "
      f"{min(same):.0f}-{max(same):.0f}: CLI/kcat {cli / max(m(system), m(same)):.2f} "
      f"(medians, the faster kcat)")
EOF
  fi
else
  echo "kafka: skipped (no Java or Kafka jars: run scripts/setup.sh)"
fi
