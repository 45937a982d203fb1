# Starts and stops the local peers used by the demo and tests, on free loopback ports.
# Source it; every started process is stopped by peers_stop_all (call it from an EXIT trap).
# Requires: ROOT (repository root), BUILD_DIR.

PEER_PIDS=()
PY=/usr/bin/python3  # Debian's python: it has python3-boto3

free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_for_line FILE PATTERN SECONDS: waits until FILE has a line matching PATTERN.
wait_for_line() {
  local file=$1 pattern=$2 seconds=$3 i
  for ((i = 0; i < seconds * 10; i++)); do
    grep -q -- "$pattern" "$file" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "peers: timed out waiting for '$pattern' in $file" >&2
  cat "$file" >&2 || true
  return 1
}

# start_kinesis_local STREAMS LOGDIR -> sets KINESIS_PLAIN_PORT, KINESIS_TLS_PORT, KINESIS_CERT
start_kinesis_local() {
  local streams=$1 logdir=$2
  local pkg="$ROOT/tools/peers/node_modules/kinesis-local"
  KINESIS_PLAIN_PORT=$(free_port)
  KINESIS_TLS_PORT=$(free_port)
  KINESIS_CERT="$pkg/server.json"
  KINESIS_MOCK_PLAIN_PORT=$KINESIS_PLAIN_PORT KINESIS_MOCK_TLS_PORT=$KINESIS_TLS_PORT \
    KINESIS_MOCK_CERT_PATH=$KINESIS_CERT INITIALIZE_STREAMS=$streams \
    CREATE_STREAM_DURATION=0ms LOG_LEVEL=WARN \
    node "$pkg/main.js" >"$logdir/kinesis-local.log" 2>&1 &
  PEER_PIDS+=($!)
  # Ready when the stream exists and is ACTIVE.
  local i
  for ((i = 0; i < 300; i++)); do
    if "$PY" - "$KINESIS_PLAIN_PORT" "${streams%%:*}" <<'PYEOF' 2>/dev/null; then return 0; fi
import sys, boto3
c = boto3.client("kinesis", endpoint_url=f"http://127.0.0.1:{sys.argv[1]}", region_name="us-east-1",
                 aws_access_key_id="demo", aws_secret_access_key="demo")
s = c.describe_stream_summary(StreamName=sys.argv[2])["StreamDescriptionSummary"]["StreamStatus"]
sys.exit(0 if s == "ACTIVE" else 1)
PYEOF
    sleep 0.2
  done
  echo "peers: kinesis-local did not become ready" >&2
  cat "$logdir/kinesis-local.log" >&2
  return 1
}

# start_rest_emulator LOGDIR ARGS... -> sets REST_URL
start_rest_emulator() {
  local logdir=$1
  shift
  "$PY" "$ROOT/tests/kafka_rest/emulator/rest_proxy_emulator.py" --port 0 "$@" \
    >"$logdir/rest-emulator.log" 2>&1 &
  PEER_PIDS+=($!)
  wait_for_line "$logdir/rest-emulator.log" "^LISTENING " 20 || return 1
  REST_URL=$(grep -m1 "^LISTENING " "$logdir/rest-emulator.log" | cut -d' ' -f2)
}

# start_mock_kafka LOGDIR ARGS... -> sets KAFKA_BOOTSTRAP
start_mock_kafka() {
  local logdir=$1
  shift
  # The mock tool serves until its stdin closes: keep a pipe open for it.
  mkfifo "$logdir/mock-kafka.stdin"
  "$BUILD_DIR/src/kafka/eventdest-mock-kafka" "$@" <"$logdir/mock-kafka.stdin" \
    >"$logdir/mock-kafka.log" 2>&1 &
  PEER_PIDS+=($!)
  exec {MOCK_KAFKA_STDIN}>"$logdir/mock-kafka.stdin"
  wait_for_line "$logdir/mock-kafka.log" "^BOOTSTRAP " 20 || return 1
  KAFKA_BOOTSTRAP=$(grep -m1 "^BOOTSTRAP " "$logdir/mock-kafka.log" | cut -d' ' -f2)
}

# start_kafka_broker DIR -> a real Kafka (one KRaft node, scripts/kafka-broker.sh) with the
# variables of DIR/cluster.env (KAFKA_SASL_SSL, KAFKA_CA, ...). Returns 77 where no Java or jars.
KAFKA_BROKER_DIRS=()
start_kafka_broker() {
  local dir=$1 rc=0
  KAFKA_OWNER_PID=$$ bash "$ROOT/scripts/kafka-broker.sh" start "$dir" 1 >"$dir.log" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ]; then
    cat "$dir.log" >&2
    return "$rc"
  fi
  KAFKA_BROKER_DIRS+=("$dir")
  set -a
  # shellcheck disable=SC1091
  source "$dir/cluster.env"
  set +a
}

peers_stop_all() {
  local pid dir
  for dir in "${KAFKA_BROKER_DIRS[@]}"; do
    bash "$ROOT/scripts/kafka-broker.sh" stop "$dir" || true
  done
  KAFKA_BROKER_DIRS=()
  for pid in "${PEER_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PEER_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  PEER_PIDS=()
}
