#!/usr/bin/env bash
# The demo: sets everything up, starts local peers for the three destination types
# (kinesis-local, our REST Proxy v3 emulator, librdkafka's mock cluster), publishes
# examples/data/sample-events.ndjson to each with the eventdest CLI, and reads the records back.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
bash scripts/setup.sh
BUILD_DIR=$ROOT/${EVENTDEST_BUILD_DIR:-build}
CLI=$BUILD_DIR/tools/eventdest/eventdest
EVENTS=$ROOT/examples/data/sample-events.ndjson
# shellcheck source=lib/peers.sh
source "$ROOT/scripts/lib/peers.sh"
WORK=$(mktemp -d)
trap 'peers_stop_all; rm -rf "$WORK"' EXIT

section() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

section "Input events ($EVENTS)"
cat "$EVENTS"

# ---------------------------------------------------------------- aws_kinesis
section "Starting kinesis-local"
start_kinesis_local "demo-orders:2" "$WORK"
cat >"$WORK/kinesis.json" <<JSON
{"type": "aws_kinesis", "topics": ["orders"],
 "config": {"stream_name": "demo-orders", "region": "us-east-1",
            "endpoint": "http://127.0.0.1:$KINESIS_PLAIN_PORT",
            "partition_key_template": "data.customer_id"},
 "credentials": {"key": "demo", "secret": "demo-secret"}}
JSON
section "eventdest publish -> aws_kinesis (stream demo-orders)"
"$CLI" validate --destination "$WORK/kinesis.json"
"$CLI" publish --destination "$WORK/kinesis.json" --input "$EVENTS" || true
section "Read back with GetRecords"
/usr/bin/python3 scripts/lib/read_kinesis.py "http://127.0.0.1:$KINESIS_PLAIN_PORT" demo-orders

# ---------------------------------------------------------------- kafka_rest
section "Starting the REST Proxy v3 emulator"
start_rest_emulator "$WORK" --cluster-id demo-cluster --topic orders:3 \
  --api-key demo-key --api-secret demo-secret
cat >"$WORK/kafka_rest.json" <<JSON
{"type": "kafka_rest", "topics": ["orders"],
 "config": {"bootstrap_servers": "$REST_URL", "cluster_id": "demo-cluster", "topic": "orders",
            "partition_key_template": "join('-', [metadata.source, data.customer_id])"},
 "credentials": {"api_key": "demo-key", "api_secret": "demo-secret"}}
JSON
section "eventdest publish -> kafka_rest ($REST_URL, stream mode)"
"$CLI" publish --destination "$WORK/kafka_rest.json" --input "$EVENTS" || true
section "Read back from the emulator's record store"
curl -s "$REST_URL/_emulator/records?topic=orders" | /usr/bin/python3 scripts/lib/show_rest_records.py

# ---------------------------------------------------------------- kafka (native)
if [ -x "$BUILD_DIR/src/kafka/eventdest-mock-kafka" ]; then
  section "Starting librdkafka's mock cluster (eventdest-mock-kafka)"
  start_mock_kafka "$WORK" --topic orders:3
  cat >"$WORK/kafka.json" <<JSON
{"type": "kafka", "topics": ["orders"],
 "config": {"brokers": "$KAFKA_BOOTSTRAP", "topic": "orders", "sasl_mechanism": "none",
            "tls": "false", "partition_key_template": "data.customer_id"}}
JSON
  section "eventdest publish -> kafka ($KAFKA_BOOTSTRAP)"
  "$CLI" publish --destination "$WORK/kafka.json" --input "$EVENTS" || true
  section "Read back with kcat"
  kcat -C -b "$KAFKA_BOOTSTRAP" -t orders -e -q \
    -f 'partition=%p offset=%o key=%k headers=%h\n  value=%s\n'
else
  section "kafka: the native adapter was not built (librdkafka missing)"
fi
section "Done"
