#!/usr/bin/env bash
# Installs the pinned Conan 2 (tools/conan/requirements.txt, from PyPI) into a virtualenv at
# .deps/venv and prints the path of its `conan`. Nothing is reinstalled while the venv holds
# exactly those pins. The package tests (tests/package) run `conan create .` with it.
#   bash scripts/lib/conan.sh        -> prints .deps/venv/bin/conan on stdout, logs on stderr
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VENV=$ROOT/.deps/venv
bash "$ROOT/scripts/lib/pinned_venv.sh" "$VENV" "$ROOT/tools/conan/requirements.txt" python3
"$VENV/bin/conan" --version >&2
echo "$VENV/bin/conan"
