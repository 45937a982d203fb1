#!/usr/bin/env bash
# Installs the pinned Python peers (tools/python/requirements.txt, from PyPI) into a virtualenv at
# .deps/pyvenv and prints the path of its python. Nothing is reinstalled while the venv holds
# exactly those pins. tests/kinesis/aggregation_test.py runs with it.
#   bash scripts/lib/python_peers.sh   -> prints .deps/pyvenv/bin/python on stdout, logs on stderr
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VENV=$ROOT/.deps/pyvenv
bash "$ROOT/scripts/lib/pinned_venv.sh" "$VENV" "$ROOT/tools/python/requirements.txt" /usr/bin/python3
echo "$VENV/bin/python"
