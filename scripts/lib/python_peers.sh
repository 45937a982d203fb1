#!/usr/bin/env bash
# Installs the pinned Python peers (tools/python/requirements.txt, from PyPI) into a virtualenv at
# .deps/pyvenv and prints the path of its python. Nothing is reinstalled while the venv holds
# exactly those pins. tests/kinesis/aggregation_test.py runs with it.
#   bash scripts/lib/python_peers.sh   -> prints .deps/pyvenv/bin/python on stdout, logs on stderr
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
REQUIREMENTS=$ROOT/tools/python/requirements.txt
VENV=$ROOT/.deps/pyvenv
STAMP=$VENV/.requirements   # a copy of the requirements the venv was made from

if [ -x "$VENV/bin/python" ] && cmp -s "$REQUIREMENTS" "$STAMP"; then
  echo "$VENV/bin/python"
  exit 0
fi

echo "python peers: installing $(grep -v '^#' "$REQUIREMENTS" | tr '\n' ' ') into $VENV" >&2
rm -rf "$VENV"
mkdir -p "$ROOT/.deps"
# Debian's python3 needs python3-venv for this (scripts/setup.sh installs it).
/usr/bin/python3 -m venv "$VENV" >&2
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
  --require-virtualenv -r "$REQUIREMENTS" >&2
cp "$REQUIREMENTS" "$STAMP"
echo "$VENV/bin/python"
