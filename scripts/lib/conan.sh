#!/usr/bin/env bash
# Installs the pinned Conan 2 (tools/conan/requirements.txt, from PyPI) into a virtualenv at
# .deps/venv and prints the path of its `conan`. Nothing is reinstalled while the venv holds
# exactly those pins. The package tests (tests/package) run `conan create .` with it.
#   bash scripts/lib/conan.sh        -> prints .deps/venv/bin/conan on stdout, logs on stderr
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
REQUIREMENTS=$ROOT/tools/conan/requirements.txt
VENV=$ROOT/.deps/venv
STAMP=$VENV/.conan-requirements   # a copy of the requirements the venv was made from

if [ -x "$VENV/bin/conan" ] && cmp -s "$REQUIREMENTS" "$STAMP"; then
  echo "$VENV/bin/conan"
  exit 0
fi

echo "conan: installing $(grep -m1 '^conan==' "$REQUIREMENTS") into $VENV" >&2
rm -rf "$VENV"
mkdir -p "$ROOT/.deps"
# Debian's python3 needs python3-venv for this (scripts/setup.sh installs it).
python3 -m venv "$VENV" >&2
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
  --require-virtualenv -r "$REQUIREMENTS" >&2
"$VENV/bin/conan" --version >&2
cp "$REQUIREMENTS" "$STAMP"
echo "$VENV/bin/conan"
