#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, the "fuzz" CMake preset) and runs each for SECONDS
# (default 60), starting from fuzz/corpus/<name> and writing new inputs to build-fuzz/corpus.
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
cmake --preset fuzz >/dev/null
cmake --build build-fuzz -j"$(nproc)"
targets=("$@")
if ((${#targets[@]} == 0)); then
  mapfile -t targets < <(cd build-fuzz/fuzz && ls fuzz_* | grep -v '\.' )
fi
for t in "${targets[@]}"; do
  name=${t#fuzz_}
  mkdir -p "build-fuzz/corpus/$name" "build-fuzz/crashes/$name"
  seeds=()
  [ -d "fuzz/corpus/$name" ] && seeds=("fuzz/corpus/$name")
  # Inputs from the network and input events must be long enough to nest deeply (the seeds
  # include 200,000-level documents); the default max_len (4096) never reaches such depths.
  max_len=()
  case "$name" in
    event | kinesis_response | rest_reports | field_path | filter) max_len=(-max_len=500000) ;;
  esac
  echo "== $t for ${seconds}s"
  "build-fuzz/fuzz/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 "${max_len[@]}" \
    -artifact_prefix="build-fuzz/crashes/$name/" "build-fuzz/corpus/$name" "${seeds[@]}" 2>&1 |
    grep -E "^(#[0-9]+ +DONE|Done|==[0-9]+==ERROR|SUMMARY|artifact_prefix)" || true
done
echo "crashes (if any): $(find build-fuzz/crashes -type f | wc -l) in build-fuzz/crashes/"
