#!/usr/bin/env bash
# Installs what eventdest needs on Debian 12 (apt packages; npm peers into tools/peers; the
# pinned Conan 2 into .deps/venv), then configures and builds into build/. Safe to run again: it
# skips what is already there.
#   bash scripts/setup.sh [extra cmake args...]
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential cmake pkg-config git
  libcurl4-openssl-dev libssl-dev rapidjson-dev catch2 librdkafka-dev kcat
  libbenchmark-dev python3 python3-venv python3-boto3 python3-jmespath node-jmespath
  clang libclang-rt-14-dev clang-format openssl curl libzstd-dev libjemalloc-dev
)
# The real Kafka broker of the tests and the demo runs on a JDK (17 is Debian 12's default) from
# jars that Maven fetches; cargo only downloads librdkafka's sources (see scripts/lib/librdkafka.sh).
command -v java >/dev/null || APT_PACKAGES+=(default-jre-headless)
command -v mvn >/dev/null || APT_PACKAGES+=(maven)
command -v cargo >/dev/null || APT_PACKAGES+=(cargo)

missing=()
# Node may come from another source (e.g. nodesource, which bundles npm): only ask apt for it
# when the commands are absent.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Local test peers (kinesis-local; simple-json-match, the filter reference), pinned by
# tools/peers/package-lock.json.
if [ ! -f tools/peers/node_modules/kinesis-local/main.js ] ||
   [ ! -f tools/peers/node_modules/simple-json-match/package.json ]; then
  echo "setup: installing npm peers into tools/peers/node_modules"
  (cd tools/peers && npm ci --no-audit --no-fund --loglevel=error)
fi

# Apache Kafka's jars (version pinned in tools/peers/kafka/pom.xml) in one folder, once per pom.
KAFKA_LIBS=.deps/kafka/libs
kafka_stamp=$(sha256sum tools/peers/kafka/pom.xml | cut -c1-16)
if [ "$(cat .deps/kafka/stamp 2>/dev/null)" != "$kafka_stamp" ]; then
  echo "setup: fetching Apache Kafka's jars with Maven into $KAFKA_LIBS"
  rm -rf .deps/kafka && mkdir -p "$KAFKA_LIBS"
  if mvn -B -q -Dstyle.color=never -f tools/peers/kafka/pom.xml dependency:copy-dependencies \
      -DoutputDirectory="$PWD/$KAFKA_LIBS"; then
    echo "$kafka_stamp" >.deps/kafka/stamp
  else
    echo "setup: WARNING: Maven could not fetch Kafka's jars: the real-broker tests will be skipped" >&2
  fi
fi

# librdkafka >= 2.6.1 (SCRAM against Kafka 4.x), built once into .deps/librdkafka. Without cargo
# the build falls back to the system's librdkafka and the SCRAM tests say why they skip.
cmake_prefix=()
if command -v cargo >/dev/null && rdkafka_prefix=$(bash scripts/lib/librdkafka.sh); then
  cmake_prefix=(-DCMAKE_PREFIX_PATH="$rdkafka_prefix")
else
  echo "setup: WARNING: using the system's librdkafka (SCRAM against Kafka 4.x needs >= 2.6.1)" >&2
fi

# Conan 2 (pinned by tools/conan/requirements.txt) for the package tests' `conan create`. Without
# it those tests skip, loudly; the rest of the suite does not need it.
if ! bash scripts/lib/conan.sh >/dev/null; then
  echo "setup: WARNING: could not install Conan into .deps/venv: the package_conan_create tests will be SKIPPED" >&2
fi

# Python peers (pinned by tools/python/requirements.txt): AWS's aws-kinesis-agg deaggregator for
# the aggregation test. Without it that test installs them itself, or fails saying why.
if ! bash scripts/lib/python_peers.sh >/dev/null; then
  echo "setup: WARNING: could not install the Python peers into .deps/pyvenv" >&2
fi

BUILD_DIR=${EVENTDEST_BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE:-RelWithDebInfo} \
  "${cmake_prefix[@]}" "$@" >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)"
