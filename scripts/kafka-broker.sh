#!/usr/bin/env bash
# A real Apache Kafka (KRaft) on 127.0.0.1 for tests, the demo and people: one node or a 3-node
# cluster, each node with PLAINTEXT, SASL_PLAINTEXT, SSL, SASL_SSL, MTLS (client certificate
# required) and WRONGHOST (a certificate for another host) listeners on free ports, a CA made by openssl for the run, and the users alice/alice-secret and bob/bob-secret for
# PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512. The jars come from Maven Central (scripts/setup.sh).
#
#   kafka-broker.sh start DIR [NODES]        format and start NODES (1 or 3), wait until ready;
#                                            writes DIR/cluster.env (listeners, CA, client cert)
#   kafka-broker.sh stop DIR                 stop every node started in DIR (SIGTERM, then SIGKILL)
#   kafka-broker.sh stop-node DIR N [--kill] stop node N (SIGKILL with --kill)
#   kafka-broker.sh start-node DIR N         start node N again on its data, wait until ready
#   kafka-broker.sh topic DIR NAME PARTITIONS  create a topic (replication = the cluster's size)
#
# Env: KAFKA_OWNER_PID  when set, every JVM is killed as soon as that process is gone (a test that
#                       crashes leaves no broker behind);
#      KAFKA_LIBS       the jar folder (default .deps/kafka/libs); JAVA (default java);
#      KAFKA_START_TIMEOUT seconds (default 120).
# Exit 77 when Java or the jars are missing (ctest reads it as "skipped").
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEER_DIR=$ROOT/tools/peers/kafka
LIBS=${KAFKA_LIBS:-$ROOT/.deps/kafka/libs}
JAVA=${JAVA:-java}
START_TIMEOUT=${KAFKA_START_TIMEOUT:-120}
# Small heap, serial GC and C1 only: a quicker start on two shared cores.
JVM_OPTS=(-Xms128m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true)
LISTENERS=(PLAINTEXT SASL_PLAINTEXT SSL SASL_SSL MTLS WRONGHOST CONTROLLER)
PORTS_PER_NODE=${#LISTENERS[@]}

die() { echo "kafka-broker: $*" >&2; exit 1; }

need_runtime() {
  if ! command -v "$JAVA" >/dev/null 2>&1; then
    echo "kafka-broker: SKIPPED: no Java runtime ('$JAVA' not found); run scripts/setup.sh" >&2
    exit 77
  fi
  if ! compgen -G "$LIBS/kafka_2.13-*.jar" >/dev/null; then
    echo "kafka-broker: SKIPPED: no Kafka jars in $LIBS; run scripts/setup.sh" >&2
    exit 77
  fi
}

kjava() {  # kjava DIR MAIN-CLASS ARGS...
  local dir=$1
  shift
  "$JAVA" "${JVM_OPTS[@]}" "-Dlog4j2.configurationFile=$dir/log4j2.properties" -cp "$LIBS/*" "$@"
}

# Ports below Linux's ephemeral range (32768+), so no outgoing connection takes one meanwhile.
free_ports() {  # free_ports COUNT
  python3 - "$1" <<'PY'
import random, socket, sys
ports = []
while len(ports) < int(sys.argv[1]):
    p = random.randrange(20000, 32000)
    if p in ports:
        continue
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
        ports.append(p)
    except OSError:
        pass
    finally:
        s.close()
print(" ".join(map(str, ports)))
PY
}

make_certs() {  # make_certs DIR: CA, broker certificate (IP:127.0.0.1) and a client certificate
  local d=$1/certs
  mkdir -p "$d"
  cat >"$d/ca.cnf" <<'CNF'
[req]
distinguished_name = dn
x509_extensions    = v3_ca
prompt             = no
[dn]
CN = eventdest-test-ca
[v3_ca]
basicConstraints     = critical,CA:TRUE
keyUsage             = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
CNF
  # librdkafka checks the host name: the broker advertises 127.0.0.1, so the certificate must
  # carry IP:127.0.0.1 (DNS:localhost alone fails verification).
  printf '%s\n' 'basicConstraints = CA:FALSE' 'keyUsage = critical,digitalSignature,keyEncipherment' \
    'extendedKeyUsage = serverAuth,clientAuth' 'subjectAltName = DNS:localhost,IP:127.0.0.1' \
    'authorityKeyIdentifier = keyid' >"$d/broker.ext"
  printf '%s\n' 'basicConstraints = CA:FALSE' 'keyUsage = critical,digitalSignature,keyEncipherment' \
    'extendedKeyUsage = clientAuth' 'authorityKeyIdentifier = keyid' >"$d/client.ext"
  printf '%s\n' 'basicConstraints = CA:FALSE' 'keyUsage = critical,digitalSignature,keyEncipherment' \
    'extendedKeyUsage = serverAuth' 'subjectAltName = DNS:other.invalid' \
    'authorityKeyIdentifier = keyid' >"$d/otherhost.ext"
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$d/ca.key" 2>/dev/null
  openssl req -x509 -new -key "$d/ca.key" -sha256 -days 30 -config "$d/ca.cnf" -out "$d/ca.pem"
  local who
  for who in broker client otherhost; do
    # genpkey writes PKCS#8 ("BEGIN PRIVATE KEY"): Kafka's PEM loader refuses PKCS#1 keys.
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$d/$who.key" 2>/dev/null
    openssl req -new -key "$d/$who.key" -subj "/CN=eventdest-test-$who" -out "$d/$who.csr"
    openssl x509 -req -in "$d/$who.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
      -sha256 -days 30 -extfile "$d/$who.ext" -out "$d/$who.crt" 2>/dev/null
  done
  # Kafka's PEM keystore: one file with the key and the chain, no password.
  cat "$d/broker.key" "$d/broker.crt" "$d/ca.pem" >"$d/broker-keystore.pem"
  cat "$d/otherhost.key" "$d/otherhost.crt" "$d/ca.pem" >"$d/otherhost-keystore.pem"
}

render() {  # render DIR NODE NODES: DIR/nodeN/server.properties from DIR/nodeN/ports
  local dir=$1 n=$2 nodes=$3 voters="" rf=1 minisr=1 i
  local -a p
  for ((i = 1; i <= nodes; i++)); do
    read -r -a p <"$dir/node$i/ports"
    voters+="${voters:+,}$i@127.0.0.1:${p[6]}"
  done
  if ((nodes >= 3)); then rf=3 minisr=2; fi
  read -r -a p <"$dir/node$n/ports"
  sed -e "s|@NODE_ID@|$n|g" -e "s|@VOTERS@|$voters|g" -e "s|@DATA_DIR@|$dir/node$n/data|g" \
    -e "s|@CERT_DIR@|$dir/certs|g" -e "s|@RF@|$rf|g" -e "s|@MIN_ISR@|$minisr|g" \
    -e "s|@P_PLAIN@|${p[0]}|g" -e "s|@P_SASL@|${p[1]}|g" -e "s|@P_SSL@|${p[2]}|g" \
    -e "s|@P_SASL_SSL@|${p[3]}|g" -e "s|@P_MTLS@|${p[4]}|g" -e "s|@P_WRONGHOST@|${p[5]}|g" \
    -e "s|@P_CTRL@|${p[6]}|g" \
    "$PEER_DIR/server.properties.template" >"$dir/node$n/server.properties"
}

launch() {  # launch DIR N: starts node N's JVM in the background (pid in DIR/nodeN/pid)
  local dir=$1 n=$2
  # Not through kjava: $! must be the JVM itself, not a subshell around it.
  "$JAVA" "${JVM_OPTS[@]}" "-Dlog4j2.configurationFile=$dir/log4j2.properties" -cp "$LIBS/*" \
    kafka.Kafka "$dir/node$n/server.properties" >>"$dir/node$n/broker.log" 2>&1 &
  local pid=$!
  echo "$pid" >"$dir/node$n/pid"
  if [ -n "${KAFKA_OWNER_PID:-}" ]; then
    # Watchdog: the JVM goes when the process that owns it does (also on a crash).
    (
      while kill -0 "$KAFKA_OWNER_PID" 2>/dev/null && kill -0 "$pid" 2>/dev/null; do sleep 0.5; done
      kill -KILL "$pid" 2>/dev/null || true
    ) </dev/null >/dev/null 2>&1 &
  fi
}

wait_ready() {  # wait_ready DIR N...: until each node logged its readiness line
  local dir=$1 n started deadline=$((SECONDS + START_TIMEOUT))
  shift
  for n in "$@"; do
    started=$(cat "$dir/node$n/started" 2>/dev/null || echo 0)
    # Count the readiness lines: a restarted node appends to the same log.
    until (($(grep -c "Kafka Server started" "$dir/node$n/broker.log" 2>/dev/null || true) > started)); do
      if ! kill -0 "$(cat "$dir/node$n/pid")" 2>/dev/null || ((SECONDS > deadline)); then
        echo "kafka-broker: node $n did not start; end of $dir/node$n/broker.log:" >&2
        tail -n 40 "$dir/node$n/broker.log" >&2
        return 1
      fi
      sleep 0.1
    done
    echo $((started + 1)) >"$dir/node$n/started"
  done
}

stop_node() {  # stop_node DIR N [--kill]
  local dir=$1 n=$2 mode=${3:-} pid i
  [ -f "$dir/node$n/pid" ] || return 0
  pid=$(cat "$dir/node$n/pid")
  if [ "$mode" = "--kill" ]; then
    kill -KILL "$pid" 2>/dev/null || true
  else
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 300; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  rm -f "$dir/node$n/pid"
}

write_env() {  # write_env DIR NODES: DIR/cluster.env, one VAR=value a line
  local dir=$1 nodes=$2 i k
  local -a p
  {
    echo "KAFKA_NODES=$nodes"
    for ((k = 0; k < PORTS_PER_NODE - 1; k++)); do
      local list=""
      for ((i = 1; i <= nodes; i++)); do
        read -r -a p <"$dir/node$i/ports"
        list+="${list:+,}127.0.0.1:${p[$k]}"
      done
      echo "KAFKA_${LISTENERS[$k]}=$list"
    done
    for ((i = 1; i <= nodes; i++)); do
      read -r -a p <"$dir/node$i/ports"
      echo "KAFKA_NODE${i}_PLAINTEXT=127.0.0.1:${p[0]}"
    done
    echo "KAFKA_CA=$dir/certs/ca.pem"
    echo "KAFKA_CLIENT_CERT=$dir/certs/client.crt"
    echo "KAFKA_CLIENT_KEY=$dir/certs/client.key"
  } >"$dir/cluster.env"
}

cmd_start() {
  local dir nodes=${2:-1} n cid
  [ "$nodes" = 1 ] || [ "$nodes" = 3 ] || die "NODES must be 1 or 3"
  need_runtime
  mkdir -p "$1"
  dir=$(cd "$1" && pwd)
  cmd_stop "$dir"
  rm -rf "$dir"/node* "$dir/certs" "$dir/cluster.env"
  cp "$PEER_DIR/log4j2.properties" "$dir/log4j2.properties"
  make_certs "$dir"
  local -a ports
  read -r -a ports <<<"$(free_ports $((PORTS_PER_NODE * nodes)))"
  for ((n = 1; n <= nodes; n++)); do
    mkdir -p "$dir/node$n/data"
    echo "${ports[@]:$((PORTS_PER_NODE * (n - 1))):PORTS_PER_NODE}" >"$dir/node$n/ports"
  done
  cid=$(kjava "$dir" kafka.tools.StorageTool random-uuid)
  for ((n = 1; n <= nodes; n++)); do
    render "$dir" "$n" "$nodes"
    # The same cluster id and SCRAM users on every node; no --standalone with static voters.
    kjava "$dir" kafka.tools.StorageTool format -t "$cid" -c "$dir/node$n/server.properties" \
      --add-scram 'SCRAM-SHA-256=[name=alice,password=alice-secret]' \
      --add-scram 'SCRAM-SHA-512=[name=alice,password=alice-secret]' \
      --add-scram 'SCRAM-SHA-256=[name=bob,password=bob-secret]' \
      --add-scram 'SCRAM-SHA-512=[name=bob,password=bob-secret]' >"$dir/node$n/format.log" 2>&1 ||
      { cat "$dir/node$n/format.log" >&2; die "format of node $n failed"; }
  done
  for ((n = 1; n <= nodes; n++)); do launch "$dir" "$n"; done  # together: a quorum needs 2 of 3
  if ! wait_ready "$dir" $(seq 1 "$nodes"); then
    cmd_stop "$dir"
    exit 1
  fi
  write_env "$dir" "$nodes"
  cat "$dir/cluster.env"
}

cmd_stop() {
  local dir=$1 f
  for f in "$dir"/node*/pid; do
    [ -f "$f" ] || continue
    f=${f%/pid}
    stop_node "$dir" "${f##*node}"
  done
}

cmd_start_node() {
  local dir=$1 n=$2
  need_runtime
  [ -f "$dir/node$n/server.properties" ] || die "no node $n in $dir"
  [ ! -f "$dir/node$n/pid" ] || ! kill -0 "$(cat "$dir/node$n/pid")" 2>/dev/null ||
    die "node $n is running"
  launch "$dir" "$n"
  wait_ready "$dir" "$n"
}

cmd_topic() {  # topic DIR NAME PARTITIONS
  local dir=$1 rf bootstrap
  need_runtime
  rf=$(sed -n 's/^default.replication.factor=//p' "$dir/node1/server.properties")
  bootstrap=$(sed -n 's/^KAFKA_PLAINTEXT=//p' "$dir/cluster.env")
  kjava "$dir" org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" --create \
    --if-not-exists --topic "$2" --partitions "$3" --replication-factor "$rf"
}

case ${1:-} in
  start) [ $# -ge 2 ] || die "usage: start DIR [NODES]"; cmd_start "$2" "${3:-1}" ;;
  stop) [ $# -eq 2 ] || die "usage: stop DIR"; [ -d "$2" ] && cmd_stop "$(cd "$2" && pwd)" ;;
  stop-node) [ $# -ge 3 ] || die "usage: stop-node DIR N [--kill]"; stop_node "$(cd "$2" && pwd)" "$3" "${4:-}" ;;
  start-node) [ $# -eq 3 ] || die "usage: start-node DIR N"; cmd_start_node "$(cd "$2" && pwd)" "$3" ;;
  topic) [ $# -eq 4 ] || die "usage: topic DIR NAME PARTITIONS"; cmd_topic "$(cd "$2" && pwd)" "$3" "$4" ;;
  *) sed -n '2,19p' "$0" >&2; exit 2 ;;
esac
