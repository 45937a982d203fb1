#!/usr/bin/env bash
# Builds the pinned librdkafka into .deps/librdkafka (prefix with lib/, include/, lib/cmake/RdKafka)
# and prints that prefix. Debian 12's librdkafka 2.0.2 cannot authenticate with SCRAM against
# Kafka 4.x brokers (its client-final nonce is wrong; fixed in librdkafka 2.6.1, #4895), and the
# native destination's main configuration is SCRAM over TLS. The sources come from the
# rdkafka-sys crate (crates.io), which packages librdkafka's C sources; its version is pinned by
# tools/peers/librdkafka/Cargo.lock. Nothing is rebuilt when the prefix holds that version.
#   bash scripts/lib/librdkafka.sh            -> prints the prefix on stdout, logs on stderr
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CRATE_DIR=$ROOT/tools/peers/librdkafka
VERSION=$(sed -n '/^name = "rdkafka-sys"/{n;s/^version = "[^+]*+\(.*\)"/\1/p}' "$CRATE_DIR/Cargo.lock")
PREFIX=$ROOT/.deps/librdkafka
STAMP=$PREFIX/.version

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$VERSION" ] && [ -f "$PREFIX/include/librdkafka/rdkafka.h" ]; then
  echo "$PREFIX"
  exit 0
fi

echo "librdkafka: building $VERSION into $PREFIX (once; about 2 minutes)" >&2
WORK=$ROOT/.deps/librdkafka-build
rm -rf "$WORK" "$PREFIX"
mkdir -p "$WORK"
# cargo vendor only downloads (nothing is compiled); --locked keeps the pinned versions.
(cd "$CRATE_DIR" && cargo vendor --locked --quiet "$WORK/vendor" >/dev/null)
SRC=$WORK/vendor/rdkafka-sys/librdkafka
grep -q "RD_KAFKA_VERSION" "$SRC/src/rdkafka.h"

# SSL and the built-in SASL PLAIN/SCRAM (no Cyrus SASL, no libcurl/OIDC), zlib and zstd as Debian
# has them; no tests or examples.
cmake -S "$SRC" -B "$WORK/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$PREFIX" \
  -DCMAKE_INSTALL_LIBDIR=lib -DRDKAFKA_BUILD_STATIC=OFF -DRDKAFKA_BUILD_EXAMPLES=OFF \
  -DRDKAFKA_BUILD_TESTS=OFF -DWITH_SSL=ON -DWITH_SASL=OFF -DWITH_SASL_SCRAM=ON \
  -DWITH_SASL_OAUTHBEARER=ON -DWITH_CURL=OFF -DWITH_ZLIB=ON -DWITH_ZSTD=ON \
  -DENABLE_LZ4_EXT=OFF >"$WORK/configure.log" 2>&1 || { cat "$WORK/configure.log" >&2; exit 1; }
cmake --build "$WORK/build" -j"$(nproc)" >"$WORK/build.log" 2>&1 || { tail -50 "$WORK/build.log" >&2; exit 1; }
cmake --install "$WORK/build" >/dev/null
echo "$VERSION" >"$STAMP"
rm -rf "$WORK"
echo "$PREFIX"
