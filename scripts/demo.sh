#!/usr/bin/env bash
# The demo: sets everything up, starts local peers for the three destination types
# (kinesis-local, our REST Proxy v3 emulator, a real Apache Kafka broker — or librdkafka's mock
# cluster where Java is missing), publishes
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
# A real Apache Kafka broker over SASL_SSL with SCRAM-SHA-512 (TLS on, the run's own CA) where
# Java and the broker's jars are there; else librdkafka's in-process mock cluster.
show_kafka() {  # show_kafka KCAT-ARGS...: the topic read back
  LD_LIBRARY_PATH="$ROOT/.deps/librdkafka/lib" kcat -C "$@" -X log_level=3 -t orders -e -q \
    -f 'partition=%p offset=%o key=%k headers=%h\n  value=%s\n'
}
if [ ! -x "$BUILD_DIR/src/kafka/eventdest-mock-kafka" ]; then
  section "kafka: the native adapter was not built (librdkafka missing)"
elif section "Starting a real Apache Kafka broker (KRaft, scripts/kafka-broker.sh)" &&
  start_kafka_broker "$WORK/kafka"; then
  bash scripts/kafka-broker.sh topic "$WORK/kafka" orders 3 >/dev/null
  echo "Kafka $(basename "$(ls .deps/kafka/libs/kafka_2.13-*.jar)" .jar | cut -d- -f2)" \
    "listening; SASL_SSL on $KAFKA_SASL_SSL; CA $KAFKA_CA"
  cat >"$WORK/kafka.json" <<JSON
{"type": "kafka", "topics": ["orders"],
 "config": {"brokers": "$KAFKA_SASL_SSL", "topic": "orders", "sasl_mechanism": "scram-sha-512",
            "ca_location": "$KAFKA_CA", "partition_key_template": "data.customer_id"},
 "credentials": {"username": "alice", "password": "alice-secret"}}
JSON
  section "eventdest publish -> kafka (SCRAM-SHA-512 over TLS, $KAFKA_SASL_SSL)"
  "$CLI" validate --destination "$WORK/kafka.json"
  "$CLI" publish --destination "$WORK/kafka.json" --input "$EVENTS" || true
  section "Read back with kcat (SCRAM-SHA-512 over TLS as well)"
  show_kafka -b "$KAFKA_SASL_SSL" -X security.protocol=SASL_SSL -X ssl.ca.location="$KAFKA_CA" \
    -X sasl.mechanisms=SCRAM-SHA-512 -X sasl.username=alice -X sasl.password=alice-secret
else
  section "No real Kafka broker here (no Java or no Kafka jars): librdkafka's mock cluster instead"
  start_mock_kafka "$WORK" --topic orders:3
  cat >"$WORK/kafka.json" <<JSON
{"type": "kafka", "topics": ["orders"],
 "config": {"brokers": "$KAFKA_BOOTSTRAP", "topic": "orders", "sasl_mechanism": "none",
            "tls": "false", "partition_key_template": "data.customer_id"}}
JSON
  section "eventdest publish -> kafka (mock cluster, $KAFKA_BOOTSTRAP)"
  "$CLI" publish --destination "$WORK/kafka.json" --input "$EVENTS" || true
  section "Read back with kcat"
  show_kafka -b "$KAFKA_BOOTSTRAP"
fi
section "Done"
