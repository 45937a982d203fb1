#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh), then runs the whole test suite with ctest.
#   bash scripts/test.sh [ctest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
BUILD_DIR=${EVENTDEST_BUILD_DIR:-build}
cd "$BUILD_DIR"
ctest --output-on-failure --timeout 600 -j"$(nproc)" "$@"
