#!/usr/bin/env bash
# Makes VENV a virtualenv holding exactly the pins of REQUIREMENTS (from PyPI), made with PYTHON.
# Nothing is reinstalled while the venv was made from the same requirements. Logs on stderr.
#   bash scripts/lib/pinned_venv.sh VENV REQUIREMENTS [PYTHON]
set -euo pipefail
VENV=$1
REQUIREMENTS=$2
PYTHON=${3:-python3}
STAMP=$VENV/.requirements   # a copy of the requirements the venv was made from

if [ -x "$VENV/bin/python" ] && cmp -s "$REQUIREMENTS" "$STAMP"; then
  exit 0
fi
echo "venv: installing $(grep -v '^#' "$REQUIREMENTS" | tr '\n' ' ')into $VENV" >&2
rm -rf "$VENV"
mkdir -p "$(dirname "$VENV")"
# Debian's python3 needs python3-venv for this (scripts/setup.sh installs it).
"$PYTHON" -m venv "$VENV" >&2
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
  --require-virtualenv -r "$REQUIREMENTS" >&2
cp "$REQUIREMENTS" "$STAMP"
